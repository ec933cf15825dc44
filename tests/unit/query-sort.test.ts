import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileFilter,
  parseFilter,
  parseSort,
  QueryError,
  type QueryTypeDef,
  runQuery,
  type SortSpec,
  sortRecords,
} from '../../src/mock/query/index.ts';
import { orderWindow } from '../../src/mock/query/sort.ts';

interface Sess {
  id: number;
  uid: string;
  name: string | null;
  ct: number;
  et: number | null;
  state: string;
  result: string | null;
  size: number;
  ok: boolean | null;
}
const STATES = ['InProgress', 'Pending', 'Completed'] as const;
const RESULTS = ['Success', 'Warning', 'Failed'] as const;
const T: QueryTypeDef<Sess> = {
  name: 'BackupTaskSession',
  fields: [
    { name: 'UID', type: 'uid', get: (r) => r.uid },
    { name: 'Name', type: 'string', get: (r) => r.name },
    { name: 'CreationTime', type: 'datetime', get: (r) => r.ct },
    { name: 'EndTime', type: 'datetime', get: (r) => r.et },
    { name: 'State', type: 'enum', values: STATES, get: (r) => r.state },
    { name: 'Result', type: 'enum', values: RESULTS, get: (r) => r.result },
    { name: 'TotalSize', type: 'long', get: (r) => r.size },
    { name: 'Ok', type: 'bool', get: (r) => r.ok },
  ],
};
const byUid = (r: Sess): string => r.uid;

const mk = (id: number, p: Partial<Sess>): Sess => ({
  id,
  uid: `00000000-0000-0000-0000-${String(id).padStart(12, '0')}`,
  name: `s${id}`,
  ct: Date.UTC(2021, 0, id),
  et: Date.UTC(2021, 0, id, 1),
  state: 'Completed',
  result: 'Success',
  size: id,
  ok: true,
  ...p,
});

const RECS: Sess[] = [
  mk(1, { name: 'beta', result: 'Failed', et: null, size: 30 }),
  mk(2, { name: 'Alpha', result: 'Warning', size: 10 }),
  mk(3, { name: 'alpha', result: null, size: 10, ok: false }),
  mk(4, { name: null, result: 'Success', et: null, state: 'InProgress', ok: null }),
  mk(5, { name: 'Gamma', result: 'Failed', size: 20, state: 'Pending' }),
];
const ids = (rs: Sess[]): number[] => rs.map((r) => r.id);
const sort = (field: string, dir: 'asc' | 'desc', recs = RECS, tb: (r: Sess) => string | number = byUid): number[] =>
  ids(sortRecords(recs, T, { field, dir }, tb));

describe('sortRecords', () => {
  it('datetime asc/desc', () => {
    expect(sort('CreationTime', 'asc')).toEqual([1, 2, 3, 4, 5]);
    expect(sort('CreationTime', 'desc')).toEqual([5, 4, 3, 2, 1]);
  });

  it('nulls first ascending, last descending', () => {
    expect(sort('EndTime', 'asc')).toEqual([1, 4, 2, 3, 5]);
    expect(sort('EndTime', 'desc')).toEqual([5, 3, 2, 1, 4]); // nulls last, ties by tieBreak ascending
    expect(sort('Result', 'asc')).toEqual([3, 4, 2, 1, 5]);
    expect(sort('Result', 'desc')).toEqual([1, 5, 2, 4, 3]);
    expect(sort('Name', 'asc')).toEqual([4, 2, 3, 1, 5]);
    expect(sort('Name', 'desc')).toEqual([5, 1, 2, 3, 4]);
    expect(sort('Ok', 'asc')).toEqual([4, 3, 1, 2, 5]);
    expect(sort('Ok', 'desc')).toEqual([1, 2, 5, 3, 4]);
  });

  it('strings compare case-insensitively (ties broken by tieBreak ascending in both directions)', () => {
    // Alpha (2) and alpha (3) tie.
    expect(sort('Name', 'asc', RECS, (r) => -r.id)).toEqual([4, 3, 2, 1, 5]);
    expect(sort('Name', 'desc', RECS, (r) => -r.id)).toEqual([5, 1, 3, 2, 4]);
    expect(ids(sortRecords(RECS, T, { field: 'Name', dir: 'asc' }, byUid, { stringCompare: 'case-sensitive' }))).toEqual([4, 2, 5, 3, 1]);
  });

  it('enums sort by documented index', () => {
    expect(sort('State', 'asc')).toEqual([4, 5, 1, 2, 3]);
    expect(sort('State', 'desc')).toEqual([1, 2, 3, 5, 4]);
  });

  it('ties fall back to input position when tieBreak ties too', () => {
    expect(sort('TotalSize', 'asc', RECS, () => 0)).toEqual([2, 3, 5, 1, 4].sort((a, b) => RECS[a - 1]!.size - RECS[b - 1]!.size || a - b));
    expect(sort('TotalSize', 'desc', RECS, () => 'x')).toEqual([1, 5, 2, 3, 4]);
  });

  it('tieBreak numbers order before strings', () => {
    const tb = (r: Sess): string | number => (r.id % 2 ? `k${r.id}` : r.id);
    expect(sort('Ok', 'asc', RECS.map((r) => ({ ...r, ok: true })), tb)).toEqual([2, 4, 1, 3, 5]);
  });

  it('does not mutate the input and returns a copy without sort', () => {
    const copy = RECS.slice();
    sortRecords(RECS, T, { field: 'Name', dir: 'desc' }, byUid);
    expect(RECS).toEqual(copy);
    const same = sortRecords(RECS, T, undefined, byUid);
    expect(same).toEqual(RECS);
    expect(same).not.toBe(RECS);
  });

  it('field names are case-insensitive; unknown fields are BadSort', () => {
    expect(sort('creationtime', 'desc')).toEqual([5, 4, 3, 2, 1]);
    expect(() => sortRecords(RECS, T, { field: 'Nope', dir: 'asc' }, byUid)).toThrow(QueryError);
    try {
      sortRecords(RECS, T, { field: 'Nope', dir: 'asc' }, byUid);
    } catch (e) {
      expect((e as QueryError).code).toBe('BadSort');
      expect((e as QueryError).message).toMatch(/unknown sort field 'Nope'.*valid fields: UID, Name/);
    }
  });

  it('UIDs sort by id case-insensitively, URN or bare', () => {
    const recs = [mk(1, { uid: 'urn:veeam:X:BBB' }), mk(2, { uid: 'aaa' }), mk(3, { uid: 'CCC' })];
    expect(sort('UID', 'asc', recs, (r) => r.id)).toEqual([2, 1, 3]);
  });
});

describe('parseSort', () => {
  it('resolves sortAsc/sortDesc to the canonical field', () => {
    expect(parseSort({ sortAsc: 'name' }, T)).toEqual({ field: 'Name', dir: 'asc' });
    expect(parseSort({ sortDesc: 'CREATIONTIME' }, T)).toEqual({ field: 'CreationTime', dir: 'desc' });
    expect(parseSort({}, T)).toBeUndefined();
    expect(parseSort({ sortAsc: '', sortDesc: null }, T)).toBeUndefined();
  });
  it.each([
    [{ sortAsc: 'Name', sortDesc: 'Name' }, /cannot be used together/],
    [{ sortAsc: 'Reason' }, /unknown sort field 'Reason'/],
    [{ sortDesc: ' Name' }, /unknown sort field ' Name'/],
  ])('%j → BadSort', (q, msg) => {
    try {
      parseSort(q, T);
      throw new Error('expected BadSort');
    } catch (e) {
      expect(e).toBeInstanceOf(QueryError);
      expect((e as QueryError).code).toBe('BadSort');
      expect((e as QueryError).message).toMatch(msg);
    }
  });
  it('runQuery rejects both sort parameters', () => {
    expect(() => runQuery(RECS, T, { sortAsc: 'Name', sortDesc: 'Result' }, byUid)).toThrow(/cannot be used together/);
  });
});

// ------------------------------------------------------------------------------------------------------------------
// Window selection against a full sort

const recArb = (i: number): fc.Arbitrary<Sess> =>
  fc
    .record({
      name: fc.option(fc.constantFrom('a', 'B', 'b', 'c', 'Ä', 'ä', ''), { nil: null }),
      ct: fc.integer({ min: 0, max: 20 }),
      et: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
      state: fc.constantFrom(...STATES, 'Bogus'),
      result: fc.option(fc.constantFrom(...RESULTS), { nil: null }),
      size: fc.integer({ min: -3, max: 3 }),
      ok: fc.option(fc.boolean(), { nil: null }),
      u: fc.integer({ min: 0, max: 30 }),
    })
    .map((x) => ({ id: i, uid: `u${String(x.u).padStart(3, '0')}`, name: x.name, ct: x.ct, et: x.et, state: x.state, result: x.result, size: x.size, ok: x.ok }));

const recsArb = (max: number): fc.Arbitrary<Sess[]> =>
  fc.integer({ min: 0, max }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => recArb(i))));

const sortArb: fc.Arbitrary<SortSpec> = fc.record({
  field: fc.constantFrom('UID', 'Name', 'CreationTime', 'EndTime', 'State', 'Result', 'TotalSize', 'Ok'),
  dir: fc.constantFrom('asc' as const, 'desc' as const),
});

/** Reference: a plain comparator sort (no selection tricks). */
function refSort(recs: Sess[], s: SortSpec, tb: (r: Sess) => string | number): Sess[] {
  const f = T.fields.find((x) => x.name === s.field)!;
  const key = (r: Sess): number | string | null => {
    const v = f.get(r);
    if (v === null || v === undefined) return null;
    if (f.type === 'enum') {
      const i = f.values!.findIndex((e) => e.toLowerCase() === String(v).toLowerCase());
      return i < 0 ? null : i;
    }
    if (f.type === 'bool') return v ? 1 : 0;
    if (f.type === 'string' || f.type === 'uid') return String(v).toLowerCase();
    return v as number;
  };
  const pos = new Map(recs.map((r, i) => [r, i]));
  return recs.slice().sort((a, b) => {
    const x = key(a);
    const y = key(b);
    let d = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
    if (s.dir === 'desc') d = -d;
    if (d !== 0) return d;
    const p = tb(a);
    const q = tb(b);
    if (p !== q) return p < q ? -1 : 1;
    return pos.get(a)! - pos.get(b)!;
  });
}

describe('sorting properties', () => {
  it('sortRecords equals a reference sort (total, deterministic)', () => {
    fc.assert(
      fc.property(recsArb(60), sortArb, (recs, s) => {
        expect(ids(sortRecords(recs, T, s, byUid))).toEqual(ids(refSort(recs, s, byUid)));
      }),
      { numRuns: 400 },
    );
  });

  it('runQuery pages equal slices of the reference sort (selection path included)', () => {
    fc.assert(
      fc.property(
        recsArb(400),
        sortArb,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(undefined, 'Result>=Warning', 'CreationTime<"1970-01-01T00:00:00.010Z",State==Pending', 'Name!=b'),
        (recs, s, pageSize, page, filter) => {
          const p = filter === undefined ? () => true : compileFilter(parseFilter(filter, T), T);
          const expected = refSort(recs.filter(p), s, byUid);
          const q = { filter, pageSize: String(pageSize), page: String(page), [s.dir === 'asc' ? 'sortAsc' : 'sortDesc']: s.field };
          const r = runQuery(recs, T, q, byUid);
          expect(r.total).toBe(expected.length);
          expect(ids(r.items)).toEqual(ids(expected.slice((page - 1) * pageSize, page * pageSize)));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('orderWindow puts exactly the ranks start..end-1 in order, for any window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 0, maxLength: 3000 }),
        fc.nat(),
        fc.nat(),
        (keys, a, b) => {
          const m = keys.length;
          const cmp = (x: number, y: number): number => keys[x]! - keys[y]! || x - y;
          const full = Array.from({ length: m }, (_, i) => i).sort(cmp);
          const s = m === 0 ? 0 : a % (m + 1);
          const e = Math.min(m, s + (b % 200));
          const ord = new Uint32Array(m).map((_, i) => i);
          orderWindow(ord, cmp, s, e);
          expect(Array.from(ord.subarray(s, e))).toEqual(full.slice(s, e));
          // still a permutation
          expect(Array.from(ord).sort((x, y) => x - y)).toEqual(Array.from({ length: m }, (_, i) => i));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('selection works on large sorted, reversed and constant inputs', () => {
    for (const gen of [(i: number) => i, (i: number) => -i, () => 7, (i: number) => i % 3]) {
      const m = 50_000;
      const keys = Float64Array.from({ length: m }, (_, i) => gen(i));
      const cmp = (x: number, y: number): number => keys[x]! - keys[y]! || x - y;
      const full = Array.from({ length: m }, (_, i) => i).sort(cmp);
      for (const [s, e] of [[0, 100], [24_950, 25_050], [m - 100, m], [1, 2]] as const) {
        const ord = new Uint32Array(m).map((_, i) => i);
        orderWindow(ord, cmp, s, e);
        expect(Array.from(ord.subarray(s, e))).toEqual(full.slice(s, e));
      }
    }
  });
});
