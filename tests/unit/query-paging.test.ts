import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeQueryValue,
  findQueryType,
  pageInfo,
  pagingLinkHrefs,
  parseFormat,
  parsePaging,
  QueryError,
  type QueryErrorCode,
  type QueryTypeDef,
  runQuery,
} from '../../src/mock/query/index.ts';

interface Sess {
  id: number;
  uid: string;
  ct: number;
  result: string;
  vm: string;
}
const T: QueryTypeDef<Sess> = {
  name: 'BackupTaskSession',
  fields: [
    { name: 'UID', type: 'uid', get: (r) => r.uid },
    { name: 'CreationTime', type: 'datetime', get: (r) => r.ct },
    { name: 'Result', type: 'enum', values: ['Success', 'Warning', 'Failed'], get: (r) => r.result },
    { name: 'VmDisplayName', type: 'string', get: (r) => r.vm },
  ],
};
const byUid = (r: Sess): string => r.uid;
const mk = (id: number, result = 'Success', vm = 'vm', ct = id): Sess => ({
  id,
  uid: `u${String(id).padStart(6, '0')}`,
  ct,
  result,
  vm,
});

function code(f: () => unknown): QueryErrorCode {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    return (e as QueryError).code;
  }
  throw new Error('expected a QueryError');
}

describe('parsePaging', () => {
  it('defaults to pageSize 100 (observed) and page 1', () => {
    expect(parsePaging({})).toEqual({ pageSize: 100, page: 1 });
    expect(parsePaging({ pageSize: null, page: null })).toEqual({ pageSize: 100, page: 1 });
    expect(parsePaging({ pageSize: '', page: '' })).toEqual({ pageSize: 100, page: 1 });
    expect(parsePaging({}, { defaultPageSize: 15 })).toEqual({ pageSize: 15, page: 1 });
  });
  it('accepts integers in range', () => {
    expect(parsePaging({ pageSize: '3', page: '2' })).toEqual({ pageSize: 3, page: 2 });
    expect(parsePaging({ pageSize: '10000', page: '2147483647' })).toEqual({ pageSize: 10000, page: 2147483647 });
    expect(parsePaging({ pageSize: '007' })).toEqual({ pageSize: 7, page: 1 });
    expect(parsePaging({ pageSize: '20000' }, { maxPageSize: 20000 })).toEqual({ pageSize: 20000, page: 1 });
  });
  it.each([
    [{ pageSize: '0' }, 'BadPageSize'],
    [{ pageSize: '-1' }, 'BadPageSize'],
    [{ pageSize: '10001' }, 'BadPageSize'],
    [{ pageSize: '1.5' }, 'BadPageSize'],
    [{ pageSize: '1e3' }, 'BadPageSize'],
    [{ pageSize: ' 5' }, 'BadPageSize'],
    [{ pageSize: '+5' }, 'BadPageSize'],
    [{ pageSize: 'abc' }, 'BadPageSize'],
    [{ pageSize: '99999999999999999999999' }, 'BadPageSize'],
    [{ page: '0' }, 'BadPage'],
    [{ page: '-2' }, 'BadPage'],
    [{ page: '2147483648' }, 'BadPage'],
    [{ page: 'last' }, 'BadPage'],
    [{ page: '1.0' }, 'BadPage'],
  ] as const)('%j → %s', (params, c) => {
    expect(code(() => parsePaging(params))).toBe(c);
  });
  it('names the problem', () => {
    expect(() => parsePaging({ pageSize: '0' })).toThrow(/Bad pageSize '0': expected an integer from 1 to 10000/);
    expect(() => parsePaging({ page: 'x' })).toThrow(/Bad page 'x'/);
  });
});

describe('pageInfo', () => {
  it.each([
    // total, pageSize, page → pagesCount, start, end, prev, next
    [0, 100, 1, 1, 0, 0, false, false],
    [0, 100, 2, 1, 0, 0, true, false],
    [1, 100, 1, 1, 0, 1, false, false],
    [100, 100, 1, 1, 0, 100, false, false],
    [101, 100, 1, 2, 0, 100, false, true],
    [101, 100, 2, 2, 100, 101, true, false],
    [21, 3, 1, 7, 0, 3, false, true],
    [21, 3, 7, 7, 18, 21, true, false],
    [21, 3, 8, 7, 21, 21, true, false],
    [20, 3, 7, 7, 18, 20, true, false],
  ])('total %i, pageSize %i, page %i', (total, ps, p, pagesCount, start, end, hasPrevious, hasNext) => {
    expect(pageInfo(total, ps, p)).toEqual({ pagesCount, start, end, hasPrevious, hasNext });
  });
});

describe('pagingLinkHrefs', () => {
  const base = 'https://localhost:9398/api/query';
  const doc = {
    type: 'BackupTaskSession',
    format: 'Entities',
    sortDesc: 'CreationTime',
    filter: 'Result==Failed;VmDisplayName==dbserver01',
  };
  const href = (p: number): string =>
    `https://localhost:9398/api/query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=3&page=${p}&filter=Result==Failed;VmDisplayName==dbserver01`;

  it('reproduces the documented BackupTaskSession example (page 1 of 7)', () => {
    const links = pagingLinkHrefs(base, doc, 3, 1, 7);
    expect(links).toEqual({ First: href(1), Next: href(2), Last: href(7) });
    expect(Object.keys(links)).toEqual(['First', 'Next', 'Last']);
    expect(links.Previous).toBeUndefined();
  });

  it('has Previous after page 1 and no Next on the last page', () => {
    const mid = pagingLinkHrefs(base, doc, 3, 2, 7);
    expect(Object.keys(mid)).toEqual(['First', 'Previous', 'Next', 'Last']);
    expect(mid).toEqual({ First: href(1), Previous: href(1), Next: href(3), Last: href(7) });
    expect(pagingLinkHrefs(base, doc, 3, 7, 7)).toEqual({ First: href(1), Previous: href(6), Last: href(7) });
    expect(pagingLinkHrefs(base, doc, 3, 9, 7)).toEqual({ First: href(1), Previous: href(8), Last: href(7) });
  });

  it('single page: only First and Last (documented backupServer example shape)', () => {
    expect(pagingLinkHrefs(base, { type: 'backupServer' }, 1, 1, 2)).toEqual({
      First: 'https://localhost:9398/api/query?type=backupServer&pageSize=1&page=1',
      Next: 'https://localhost:9398/api/query?type=backupServer&pageSize=1&page=2',
      Last: 'https://localhost:9398/api/query?type=backupServer&pageSize=1&page=2',
    });
    expect(pagingLinkHrefs(base, { type: 'job', format: '', filter: '' }, 100, 1, 1)).toEqual({
      First: 'https://localhost:9398/api/query?type=job&pageSize=100&page=1',
      Last: 'https://localhost:9398/api/query?type=job&pageSize=100&page=1',
    });
  });

  it('keeps the client spelling and orders sortAsc the same way', () => {
    expect(pagingLinkHrefs(base, { type: 'backupserver', format: 'entities', sortAsc: 'name' }, 15, 1, 1).First).toBe(
      'https://localhost:9398/api/query?type=backupserver&format=entities&sortAsc=name&pageSize=15&page=1',
    );
  });

  it('encodes only % & # + space " and control characters in values', () => {
    expect(encodeQueryValue('name=="Exchange Backup";a<b,(c>=d)')).toBe('name==%22Exchange%20Backup%22;a<b,(c>=d)');
    expect(encodeQueryValue('100%&#+\n\t\u007f:é')).toBe('100%25%26%23%2B%0A%09%7F:é');
    const l = pagingLinkHrefs(base, { type: 'job', filter: 'Name=="A & B"' }, 100, 1, 1);
    expect(l.First).toBe('https://localhost:9398/api/query?type=job&pageSize=100&page=1&filter=Name==%22A%20%26%20B%22');
    expect(new URL(l.First).searchParams.get('filter')).toBe('Name=="A & B"');
  });

  it('round-trips any filter through URL parsing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 })), (f) => {
        // A WHATWG URL parser gives the filter back (lone surrogates aside, which it replaces).
        fc.pre(f !== '' && encodeURIComponentSafe(f));
        const l = pagingLinkHrefs(base, { type: 'job', filter: f }, 100, 1, 1);
        expect(new URL(l.First).searchParams.get('filter')).toBe(f);
      }),
      { numRuns: 500 },
    );
  });
});

function encodeURIComponentSafe(s: string): boolean {
  try {
    encodeURIComponent(s); // throws URIError on lone surrogates
    return true;
  } catch {
    return false;
  }
}

describe('runQuery paging', () => {
  const recs = Array.from({ length: 250 }, (_, i) => mk(i + 1, ['Success', 'Warning', 'Failed'][i % 3]!));

  it('defaults to 100 per page', () => {
    const r = runQuery(recs, T, {}, byUid);
    expect(r).toMatchObject({ total: 250, pageSize: 100, page: 1, pagesCount: 3 });
    expect(r.items.map((x) => x.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('reproduces the doc example arithmetic: 21 matches, pageSize 3 → 7 pages', () => {
    const data = Array.from({ length: 60 }, (_, i) => mk(i + 1, i < 21 ? 'Failed' : 'Success', i % 2 ? 'dbserver01' : 'other', i));
    const failedDb = data.filter((r) => r.result === 'Failed' && r.vm === 'dbserver01').length;
    const withDb = Array.from({ length: 21 - failedDb }, (_, i) => mk(100 + i, 'Failed', 'DBSERVER01', 100 + i));
    const all = [...data, ...withDb];
    const r = runQuery(all, T, { filter: 'Result==Failed;VmDisplayName==dbserver01', sortDesc: 'CreationTime', pageSize: '3', page: '1' }, byUid);
    expect(r).toMatchObject({ total: 21, pageSize: 3, page: 1, pagesCount: 7 });
    expect(failedDb).toBe(10);
    expect(r.items.map((x) => x.ct)).toEqual([110, 109, 108]);
    expect(pagingLinkHrefs('https://localhost:9398/api/query', { type: 'BackupTaskSession', format: 'Entities', sortDesc: 'CreationTime', filter: 'Result==Failed;VmDisplayName==dbserver01' }, r.pageSize, r.page, r.pagesCount)).toEqual({
      First: 'https://localhost:9398/api/query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=3&page=1&filter=Result==Failed;VmDisplayName==dbserver01',
      Next: 'https://localhost:9398/api/query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=3&page=2&filter=Result==Failed;VmDisplayName==dbserver01',
      Last: 'https://localhost:9398/api/query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=3&page=7&filter=Result==Failed;VmDisplayName==dbserver01',
    });
  });

  it('page beyond the last is empty, pagesCount unchanged', () => {
    const r = runQuery(recs, T, { pageSize: '100', page: '4' }, byUid);
    expect(r).toMatchObject({ items: [], total: 250, page: 4, pagesCount: 3 });
    const s = runQuery(recs, T, { pageSize: '100', page: '2147483647', sortAsc: 'UID', filter: 'Result==Failed' }, byUid);
    expect(s).toMatchObject({ items: [], total: 83, pagesCount: 1 });
  });

  it('empty result: one empty page', () => {
    for (const q of [{ filter: 'VmDisplayName==none' }, { filter: 'VmDisplayName==none', sortDesc: 'CreationTime' }]) {
      const r = runQuery(recs, T, q, byUid);
      expect(r).toMatchObject({ items: [], total: 0, pageSize: 100, page: 1, pagesCount: 1 });
    }
    expect(runQuery([], T, {}, byUid)).toMatchObject({ items: [], total: 0, pagesCount: 1 });
  });

  it('treats an empty filter as absent, whitespace as BadFilter; validates paging before sort before filter', () => {
    expect(runQuery(recs, T, { filter: '' }, byUid).total).toBe(250);
    expect(code(() => runQuery(recs, T, { filter: '  ' }, byUid))).toBe('BadFilter');
    expect(code(() => runQuery(recs, T, { filter: '((', sortAsc: 'x', pageSize: '0' }, byUid))).toBe('BadPageSize');
    expect(code(() => runQuery(recs, T, { filter: '((', sortAsc: 'x' }, byUid))).toBe('BadSort');
    expect(code(() => runQuery(recs, T, { filter: '((' }, byUid))).toBe('BadFilter');
  });

  it('repeated (array-valued) parameters are QueryErrors, not crashes', () => {
    const arr = ['1', '2'] as unknown as string;
    expect(code(() => runQuery(recs, T, { pageSize: arr }, byUid))).toBe('BadPageSize');
    expect(code(() => runQuery(recs, T, { page: arr }, byUid))).toBe('BadPage');
    expect(code(() => runQuery(recs, T, { sortAsc: arr }, byUid))).toBe('BadSort');
    expect(code(() => runQuery(recs, T, { filter: arr }, byUid))).toBe('BadFilter');
    expect(code(() => findQueryType([T], arr))).toBe('UnknownType');
    expect(code(() => parseFormat(arr))).toBe('BadFormat');
  });

  it('reuses scratch buffers safely across differently sized queries', () => {
    const big = Array.from({ length: 5000 }, (_, i) => mk(i + 1, 'Success', 'vm', (i * 7919) % 5000));
    const a = runQuery(big, T, { sortAsc: 'CreationTime', pageSize: '5' }, byUid).items.map((x) => x.ct);
    const b = runQuery(recs, T, { sortDesc: 'CreationTime', pageSize: '5' }, byUid).items.map((x) => x.ct);
    const c = runQuery(big, T, { sortAsc: 'CreationTime', pageSize: '5' }, byUid).items.map((x) => x.ct);
    expect(a).toEqual([0, 1, 2, 3, 4]);
    expect(b).toEqual([250, 249, 248, 247, 246]);
    expect(c).toEqual(a);
  });

  it('property: pages 1..pagesCount concatenated equal the unpaged result, no duplicates', () => {
    const recArb = fc.record({
      ct: fc.integer({ min: 0, max: 15 }),
      result: fc.constantFrom('Success', 'Warning', 'Failed'),
      vm: fc.constantFrom('a', 'b', 'B'),
    });
    fc.assert(
      fc.property(
        fc.array(recArb, { maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom(undefined, 'Result!=Warning', 'VmDisplayName==b,CreationTime<"1970-01-01T00:00:00.005Z"'),
        fc.constantFrom<Record<string, string>>({}, { sortAsc: 'CreationTime' }, { sortDesc: 'Result' }, { sortAsc: 'vmdisplayname' }, { sortDesc: 'UID' }),
        (raw, pageSize, filter, sort) => {
          const data = raw.map((x, i) => ({ ...x, id: i, uid: `u${(i * 37) % 1000}` }));
          const all = runQuery(data, T, { ...sort, filter, pageSize: '10000' }, byUid);
          expect(all.pagesCount).toBe(1);
          const pages: Sess[] = [];
          const first = runQuery(data, T, { ...sort, filter, pageSize: String(pageSize) }, byUid);
          expect(first.pagesCount).toBe(Math.max(1, Math.ceil(all.total / pageSize)));
          for (let p = 1; p <= first.pagesCount; p++) {
            const r = runQuery(data, T, { ...sort, filter, pageSize: String(pageSize), page: String(p) }, byUid);
            expect(r.total).toBe(all.total);
            expect(r.pagesCount).toBe(first.pagesCount);
            expect(r.items.length).toBe(p < r.pagesCount ? pageSize : all.total - (r.pagesCount - 1) * pageSize);
            pages.push(...r.items);
          }
          expect(pages.map((x) => x.id)).toEqual(all.items.map((x) => x.id));
          expect(new Set(pages).size).toBe(pages.length);
          expect(runQuery(data, T, { ...sort, filter, pageSize: String(pageSize), page: String(first.pagesCount + 1) }, byUid).items).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('type and format helpers', () => {
  it('findQueryType is case-insensitive and reports UnknownType', () => {
    expect(findQueryType([T], 'backuptasksession')).toBe(T);
    expect(code(() => findQueryType([T], 'Nope'))).toBe('UnknownType');
    expect(code(() => findQueryType([T], undefined))).toBe('UnknownType');
    expect(() => findQueryType([T], 'Nope')).toThrow(/Unknown query type 'Nope'; supported types: BackupTaskSession/);
  });
  it('parseFormat: References by default, Entities, else BadFormat', () => {
    expect(parseFormat(undefined)).toBe('References');
    expect(parseFormat('')).toBe('References');
    expect(parseFormat('entities')).toBe('Entities');
    expect(parseFormat('REFERENCES')).toBe('References');
    expect(code(() => parseFormat('Entity'))).toBe('BadFormat');
  });
});
