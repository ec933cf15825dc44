/**
 * `pageSize` / `page` and the PagingInfo links (em-api-notes.md §3.5, 002_270bb54a32ca9e9c.txt example).
 */
import { type QueryLimits, QueryError, resolveLimits } from './types.ts';

const INT32_MAX = 2 ** 31 - 1;
const DIGITS = /^[0-9]+$/;

// CHOICE: pageSize and page are plain decimal digits (leading zeros allowed; no sign, spaces, fraction or
// exponent). Absent, null or empty means the default: pageSize = limits.defaultPageSize (100, observed), page = 1.
// pageSize must be 1..limits.maxPageSize (10000) else BadPageSize (docs: "pass a value greater than 0"; too large is
// an error, not clamped). page must be 1..2147483647 (PageNum is xs:int) else BadPage.
export function parsePaging(
  params: { pageSize?: string | null; page?: string | null },
  limits?: Partial<QueryLimits>,
): { pageSize: number; page: number } {
  const l = resolveLimits(limits);
  let pageSize = l.defaultPageSize;
  const ps = params.pageSize;
  if (ps !== undefined && ps !== null && ps !== '') {
    const n = typeof ps === 'string' && DIGITS.test(ps) ? Number(ps) : NaN;
    if (!(n >= 1 && n <= l.maxPageSize))
      throw new QueryError('BadPageSize', `Bad pageSize '${ps}': expected an integer from 1 to ${l.maxPageSize}`);
    pageSize = n;
  }
  let page = 1;
  const p = params.page;
  if (p !== undefined && p !== null && p !== '') {
    const n = typeof p === 'string' && DIGITS.test(p) ? Number(p) : NaN;
    if (!(n >= 1 && n <= INT32_MAX))
      throw new QueryError('BadPage', `Bad page '${p}': expected an integer from 1 to ${INT32_MAX}`);
    page = n;
  }
  return { pageSize, page };
}

export interface PageInfo {
  pagesCount: number;
  /** Index of the first item of the page in the full result (clamped to total). */
  start: number;
  /** Index after the last item of the page (clamped to total). */
  end: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

// CHOICE: pagesCount = max(1, ceil(total / pageSize)): an empty result is one empty page (PageNum 1, First and Last
// both page=1). A page beyond the last returns no items with PagesCount unchanged (not an error); its Previous link
// is page-1 (which may itself be beyond the last page) and it has no Next.
export function pageInfo(total: number, pageSize: number, page: number): PageInfo {
  const pagesCount = Math.max(1, Math.ceil(total / pageSize));
  const start = Math.min(total, (page - 1) * pageSize);
  const end = Math.min(total, start + pageSize);
  return { pagesCount, start, end, hasPrevious: page > 1, hasNext: page < pagesCount };
}

/**
 * Minimal percent-encoding of a query value: only `%`, `&`, `#`, `+`, space, `"` and control characters, so the
 * documented `filter=Result==Failed;VmDisplayName==dbserver01` stays literal.
 */
// CHOICE: paging links re-encode values minimally (`%` `&` `#` `+` space `"` and control characters as upper-case
// %XX; everything else — `=`, `;`, `,`, `<`, `>`, `(`, `)`, `:`, non-ASCII — literal). Real servers re-encode
// differently by version (em-api-notes §3.5: `%3d%3d`, `+` for spaces, parenthesised filter); the doc example with
// the literal filter is what we reproduce.
export function encodeQueryValue(v: string): string {
  return v.replace(/[%&#+ "\u0000-\u001f\u007f]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

export interface PagingLinkParams {
  type: string;
  format?: string | null;
  sortAsc?: string | null;
  sortDesc?: string | null;
  filter?: string | null;
}

export interface PagingLinks {
  First: string;
  Previous?: string;
  Next?: string;
  Last: string;
}

// CHOICE: paging link hrefs are `<base>?type=…[&format=…][&sortAsc=…|&sortDesc=…]&pageSize=N&page=M[&filter=…]` —
// the parameter order of the BackupTaskSession doc example and 9.5/v10 captures — with the client's spelling of
// each value kept (type=backupServer stays backupServer). Absent or empty optional parameters are omitted.
// The `&` separators are raw; the XML serializer escapes them as `&amp;`. First and Last always; Previous when
// page > 1; Next when page < pagesCount.
export function pagingLinkHrefs(
  base: string,
  params: PagingLinkParams,
  pageSize: number,
  pageNum: number,
  pagesCount: number,
): PagingLinks {
  let head = `${base}?type=${encodeQueryValue(params.type)}`;
  if (params.format) head += `&format=${encodeQueryValue(params.format)}`;
  if (params.sortAsc) head += `&sortAsc=${encodeQueryValue(params.sortAsc)}`;
  if (params.sortDesc) head += `&sortDesc=${encodeQueryValue(params.sortDesc)}`;
  head += `&pageSize=${pageSize}&page=`;
  const tail = params.filter ? `&filter=${encodeQueryValue(params.filter)}` : '';
  const href = (p: number): string => head + p + tail;
  // Key order First, Previous, Next, Last (the order the links are serialised in).
  const links: PagingLinks = { First: href(1) } as PagingLinks;
  if (pageNum > 1) links.Previous = href(pageNum - 1);
  if (pageNum < pagesCount) links.Next = href(pageNum + 1);
  links.Last = href(pagesCount);
  return links;
}
