/**
 * `sortAsc` / `sortDesc` (em-api-notes.md §3.4): a total, deterministic order and a window selection that avoids
 * sorting everything when only one page is needed.
 */
// CHOICE: every field is sortable (9.0–10 docs list all BackupJobSession fields as sortable). Nulls sort first
// ascending and last descending (SQL Server order: null is the smallest value); descending is the exact reverse of
// ascending for the field value, but ties are always broken by the caller's tieBreak ascending and then by input
// position, so the order is total and paging is deterministic. Strings compare as in filters (case-insensitive
// folded ordinal by default), UIDs by bare id case-insensitively, enums by documented index (values not in the enum
// list count as null), bools false < true, non-finite numbers count as null.
// CHOICE: sortAsc and sortDesc together is QueryError BadSort (even for the same field); an unknown sort field is
// BadSort (UnknownField is reserved for the filter); an empty sortAsc/sortDesc is treated as absent. Without a sort
// the input order is kept.
import { foldCompare, ordinalCompare } from './fold.ts';
import { giveF64, giveU32, takeF64, takeU32 } from './scratch.ts';
import { enumIndexer, recordUid } from './values.ts';
import { type FieldDef, fieldList, findField, type QueryLimits, type QueryTypeDef, QueryError, resolveLimits } from './types.ts';

export type SortDir = 'asc' | 'desc';
export interface SortSpec {
  field: string;
  dir: SortDir;
}
export type TieBreak<R> = (r: R) => string | number;

/** Resolves the sortAsc/sortDesc parameters to a SortSpec with the canonical field name (or undefined). */
export function parseSort(
  q: { sortAsc?: string | null; sortDesc?: string | null },
  type: QueryTypeDef<any>,
): SortSpec | undefined {
  const asc = q.sortAsc ?? '';
  const desc = q.sortDesc ?? '';
  if (typeof asc !== 'string' || typeof desc !== 'string')
    throw new QueryError('BadSort', `Bad sort: sortAsc/sortDesc must be given once, as a field name`);
  if (asc !== '' && desc !== '')
    throw new QueryError('BadSort', `Bad sort: sortAsc and sortDesc cannot be used together (sortAsc=${asc}, sortDesc=${desc})`);
  if (asc === '' && desc === '') return undefined;
  const name = asc !== '' ? asc : desc;
  const field = findField(type, name);
  if (field === undefined)
    throw new QueryError(
      'BadSort',
      `Bad sort: unknown sort field '${name}' for type ${type.name}; valid fields: ${fieldList(type)}`,
    );
  return { field: field.name, dir: asc !== '' ? 'asc' : 'desc' };
}

function resolveSortField<R>(type: QueryTypeDef<R>, sort: SortSpec): FieldDef<R> {
  const field = findField(type, sort.field);
  if (field === undefined)
    throw new QueryError(
      'BadSort',
      `Bad sort: unknown sort field '${sort.field}' for type ${type.name}; valid fields: ${fieldList(type)}`,
    );
  if (sort.dir !== 'asc' && sort.dir !== 'desc') throw new QueryError('BadSort', `Bad sort: direction must be asc or desc`);
  return field;
}

/**
 * Builds a total comparator over positions 0..m-1, where position j stands for `records[idx[j]]`.
 * Keys are extracted once (decorate); the comparator reads typed key arrays.
 */
export function makeComparator<R>(
  records: readonly R[],
  idx: Uint32Array,
  field: FieldDef<R>,
  dir: SortDir,
  tieBreak: TieBreak<R>,
  caseSensitive: boolean,
  keyBuffer?: Float64Array,
): (a: number, b: number) => number {
  const m = idx.length;
  const desc = dir === 'desc';
  const get = field.get.bind(field);

  // Tie-break values, computed on demand (ties are rare for datetimes, common for enums); the array itself is only
  // allocated at the first tie.
  let tbv: (string | number | undefined)[] | undefined;
  const tie = (a: number, b: number): number => {
    if (tbv === undefined) tbv = new Array(m);
    let x = tbv[a];
    if (x === undefined) x = tbv[a] = tieBreak(records[idx[a]!]!);
    let y = tbv[b];
    if (y === undefined) y = tbv[b] = tieBreak(records[idx[b]!]!);
    if (x !== y) {
      const xs = typeof x === 'string';
      const ys = typeof y === 'string';
      if (xs !== ys) return xs ? 1 : -1; // numbers before strings
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return idx[a]! - idx[b]!;
  };

  if (field.type === 'string' || field.type === 'uid') {
    const keys: (string | null)[] = new Array(m);
    const isUid = field.type === 'uid';
    for (let j = 0; j < m; j++) {
      const x = get(records[idx[j]!]!);
      keys[j] =
        typeof x === 'string'
          ? isUid
            ? recordUid(x)
            : x
          : (typeof x === 'number' || typeof x === 'boolean') && !isUid
            ? String(x)
            : null;
    }
    const cmp = isUid || !caseSensitive ? foldCompare : ordinalCompare;
    const sign = desc ? -1 : 1;
    return (a, b) => {
      const x = keys[a]!;
      const y = keys[b]!;
      let d: number;
      if (x === null) d = y === null ? 0 : -1;
      else if (y === null) d = 1;
      else d = x === y ? 0 : cmp(x, y);
      if (d !== 0) return d * sign;
      return tie(a, b);
    };
  }

  // Numeric keys; null = -Infinity (smallest); descending negates the key (so null becomes +Infinity: last).
  const keys = keyBuffer !== undefined && keyBuffer.length >= m ? keyBuffer : new Float64Array(m);
  const sign = desc ? -1 : 1;
  if (field.type === 'enum') {
    const ix = enumIndexer(field);
    for (let j = 0; j < m; j++) {
      const x = get(records[idx[j]!]!);
      const i = typeof x === 'string' ? ix(x) : -1;
      keys[j] = i < 0 ? -Infinity * sign : i * sign;
    }
  } else if (field.type === 'bool') {
    for (let j = 0; j < m; j++) {
      const x = get(records[idx[j]!]!);
      keys[j] = typeof x === 'boolean' ? (x ? sign : 0) : -Infinity * sign;
    }
  } else {
    for (let j = 0; j < m; j++) {
      const x = get(records[idx[j]!]!);
      keys[j] = typeof x === 'number' && x - x === 0 ? x * sign : -Infinity * sign;
    }
  }
  return (a, b) => {
    const x = keys[a]!;
    const y = keys[b]!;
    if (x < y) return -1;
    if (x > y) return 1;
    return tie(a, b);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Window selection

/**
 * Rearranges a[lo..hi] so that a[k] holds the element of rank k, smaller ones before it and larger ones after it.
 * Floyd–Rivest selection (as in V. Agafonkin's `quickselect`): a recursive call on a small sample around k finds a
 * pivot close to rank k, so the expected cost is about n + min(k, n-k) comparisons, on sorted input too.
 * Requires a total order (no two distinct elements compare equal).
 */
function select(a: Uint32Array, lo: number, hi: number, k: number, cmp: (x: number, y: number) => number): void {
  while (hi > lo) {
    if (hi - lo > 600) {
      const n = hi - lo + 1;
      const m = k - lo + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      const newLo = Math.max(lo, Math.floor(k - (m * s) / n + sd));
      const newHi = Math.min(hi, Math.floor(k + ((n - m) * s) / n + sd));
      select(a, newLo, newHi, k, cmp);
    }
    const t = a[k]!;
    let i = lo;
    let j = hi;
    swap(a, lo, k);
    if (cmp(a[hi]!, t) > 0) swap(a, lo, hi);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (cmp(a[i]!, t) < 0) i++;
      while (cmp(a[j]!, t) > 0) j--;
    }
    if (a[lo] === t) swap(a, lo, j);
    else {
      j++;
      swap(a, j, hi);
    }
    if (j <= k) lo = j + 1;
    if (k <= j) hi = j - 1;
  }
}

function swap(a: Uint32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Orders `ord` (a permutation of positions) so that ord[start..end) holds, in order, the elements of sorted ranks
 * start..end-1. Everything outside the window is left in unspecified order. Uses a full sort when the window is a
 * large part of the input, otherwise two selections and a sort of the window (O(m + w log w) expected).
 */
export function orderWindow(ord: Uint32Array, cmp: (a: number, b: number) => number, start: number, end: number): void {
  const m = ord.length;
  if (start < 0) start = 0;
  if (end > m) end = m;
  if (end <= start) return;
  if (m <= 64 || (end - start) * 4 >= m) {
    ord.sort(cmp);
    return;
  }
  if (start > 0) select(ord, 0, m - 1, start, cmp);
  if (end < m) select(ord, start, m - 1, end - 1, cmp);
  ord.subarray(start, end).sort(cmp);
}

/**
 * Returns a sorted copy of `records` (input not mutated). Without `sort` the copy keeps the input order.
 * Throws QueryError BadSort for an unknown field.
 */
export function sortRecords<R>(
  records: readonly R[],
  type: QueryTypeDef<R>,
  sort: SortSpec | undefined,
  tieBreak: TieBreak<R>,
  limits?: Partial<QueryLimits>,
): R[] {
  if (sort === undefined) return records.slice();
  const field = resolveSortField(type, sort);
  const l = resolveLimits(limits);
  const n = records.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const cmp = makeComparator(records, idx, field, sort.dir, tieBreak, l.stringCompare === 'case-sensitive');
  const ord = idx.slice();
  ord.sort(cmp);
  const out: R[] = new Array(n);
  for (let j = 0; j < n; j++) out[j] = records[ord[j]!]!;
  return out;
}

/** Internal for runQuery: the window [start, end) of the sorted selection `idx` as records. */
export function sortedWindow<R>(
  records: readonly R[],
  idx: Uint32Array,
  type: QueryTypeDef<R>,
  sort: SortSpec,
  tieBreak: TieBreak<R>,
  caseSensitive: boolean,
  start: number,
  end: number,
): R[] {
  const field = resolveSortField(type, sort);
  const m = idx.length;
  if (end > m) end = m;
  if (end <= start) return [];
  const keys = takeF64(m);
  const ord = takeU32(m);
  try {
    const cmp = makeComparator(records, idx, field, sort.dir, tieBreak, caseSensitive, keys);
    for (let j = 0; j < m; j++) ord[j] = j;
    orderWindow(ord, cmp, start, end);
    const out: R[] = new Array(end - start);
    for (let j = start; j < end; j++) out[j - start] = records[idx[ord[j]!]!]!;
    return out;
  } finally {
    giveU32(ord);
    giveF64(keys);
  }
}
