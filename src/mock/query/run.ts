/**
 * runQuery: filter → sort → page over an in-memory record set (the mock's `/api/query` without HTTP).
 */
import { compileFilter, parseFilter } from './filter.ts';
import { pageInfo, parsePaging } from './paging.ts';
import { giveU32, takeU32 } from './scratch.ts';
import { parseSort, type SortSpec, sortedWindow, type TieBreak } from './sort.ts';
import { type QueryLimits, type QueryTypeDef, resolveLimits } from './types.ts';

export interface QueryParams {
  filter?: string | null;
  sortAsc?: string | null;
  sortDesc?: string | null;
  pageSize?: string | null;
  page?: string | null;
}

export interface QueryOutcome<R> {
  /** The records of the requested page, in order. */
  items: R[];
  /** Number of records matching the filter (all pages). */
  total: number;
  pageSize: number;
  page: number;
  pagesCount: number;
  /** The resolved sort (canonical field name), if any. */
  sort?: SortSpec;
}

// CHOICE: runQuery validates paging first, then sort, then the filter, and reports the first error found.
// CHOICE: an empty `filter` parameter (`filter=`) is treated as absent (like .NET's IsNullOrEmpty); a filter of only
// whitespace reaches the parser and is BadFilter "the filter is empty".
export function runQuery<R>(
  records: readonly R[],
  type: QueryTypeDef<R>,
  q: QueryParams,
  tieBreak: TieBreak<R>,
  limits?: Partial<QueryLimits>,
): QueryOutcome<R> {
  const l = resolveLimits(limits);
  const { pageSize, page } = parsePaging(q, l);
  const sort = parseSort(q, type);
  const pred =
    q.filter !== undefined && q.filter !== null && q.filter !== ''
      ? compileFilter(parseFilter(q.filter, type, l), type, l)
      : undefined;

  const n = records.length;
  // Items a page repeats from the page before (only the pageOverlap mutant sets it).
  const shift = page > 1 ? Math.min(l.pageOverlap, (page - 1) * pageSize) : 0;
  let items: R[];
  let total: number;
  if (sort === undefined) {
    if (pred === undefined) {
      total = n;
      const { start, end } = pageInfo(total, pageSize, page);
      items = records.slice(start - shift, end - shift);
    } else {
      // One pass: count all matches, keep those of the page.
      const start = (page - 1) * pageSize - shift;
      const end = start + pageSize;
      items = [];
      let c = 0;
      for (let i = 0; i < n; i++) {
        const r = records[i]!;
        if (pred(r)) {
          if (c >= start && c < end) items.push(r);
          c++;
        }
      }
      total = c;
    }
  } else {
    const idx = takeU32(n);
    try {
      let m = 0;
      if (pred === undefined) for (let i = 0; i < n; i++) idx[i] = i, m++;
      else for (let i = 0; i < n; i++) if (pred(records[i]!)) idx[m++] = i;
      total = m;
      const { start, end } = pageInfo(total, pageSize, page);
      const cs = l.stringCompare === 'case-sensitive';
      items = sortedWindow(records, idx.subarray(0, m), type, sort, tieBreak, cs, start - shift, end - shift);
    } finally {
      giveU32(idx);
    }
  }
  const { pagesCount } = pageInfo(total, pageSize, page);
  const out: QueryOutcome<R> = { items, total, pageSize, page, pagesCount };
  if (sort !== undefined) out.sort = sort;
  return out;
}
