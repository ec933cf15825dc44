/**
 * Paging of query results: PagingInfo and its arithmetic, the default page size, the paging links (First/Last always,
 * Previous/Next exactly when they apply, each leading to its page), `&amp;` in the XML links, and pages that join to
 * the whole result. Paging does not depend on the type's fields, so each test checks every query type of the spec
 * in turn (types the server has too few items of are noted). Page sizes come from the server's own count (3–6 pages).
 */
import { expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';
import type { EmClient, EmResponse } from '../../src/suite/client.ts';
import {
  cmp,
  countMatches,
  duplicates,
  edgeValue,
  followNext,
  itemsOf,
  keysOf,
  NO_SUCH_GUID,
  pageOfHref,
  pageSizeFor,
  pagingInfo,
  pagingLink,
  forEachQueryType,
  quickCount,
  quote,
  readableFields,
  runQuery,
  type QueryTypeMeta,
} from '../../src/suite/query-support.ts';

/** Items per walk: enough for 3–6 pages, few enough to stay fast on servers with thousands of items. */
const WALK_ITEMS = 40;

/** Counts the items and returns a page size giving 3–6 pages, or the reason there are no pages to walk. */
async function pagedSetup(em: EmClient, meta: QueryTypeMeta): Promise<{ total: number; pageSize: number; pages: number } | string> {
  const total = await quickCount(em, meta);
  if (total < 3) return `${total} on the server, fewer than 3`;
  const pageSize = pageSizeFor(Math.min(total, WALK_ITEMS), 4);
  return { total, pageSize, pages: Math.ceil(total / pageSize) };
}

/**
 * A filter narrowing a large result to about WALK_ITEMS items (`<field> <= <the WALK_ITEMS-th smallest value>` on
 * a date-time or number field), so that a walk over all pages stays short; none when the type is small already.
 */
async function narrowing(em: EmClient, meta: QueryTypeMeta, total: number): Promise<Record<string, string>> {
  if (total <= WALK_ITEMS * 1.5) return {};
  for (const field of readableFields(meta, 'datetime', 'int', 'long')) {
    const edge = await edgeValue(em, meta, field, 'asc', WALK_ITEMS);
    if (edge === undefined) continue;
    const filter = cmp(field, '<=', edge).text;
    const n = await quickCount(em, meta, { filter });
    if (n >= 3 && n <= WALK_ITEMS * 3) return { filter };
  }
  return {};
}

function isInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v);
}

/**
 * The paging links of page `num` of a result of `count` pages, both known to the test (not read from PagingInfo:
 * PageNum and PagesCount are PAGE-003's and PAGE-004's to check): the page each link leads to, `absent` for a link
 * that is not there. One assertion per page, whose diff shows every link at fault.
 */
function expectPagingLinks(r: EmResponse, label: string, num: number, count: number): void {
  const info = pagingInfo(r.body())!;
  const leadsTo = (rel: 'First' | 'Last' | 'Next' | 'Previous'): number | undefined | 'absent' => {
    const href = pagingLink(info, rel);
    return href ? pageOfHref(href) : 'absent';
  };
  const seen = { First: leadsTo('First'), Last: leadsTo('Last'), Next: leadsTo('Next'), Previous: leadsTo('Previous') };
  const expected = { First: 1, Last: count, Next: num < count ? num + 1 : 'absent', Previous: num > 1 ? num - 1 : 'absent' };
  expect.soft(seen, `${label}: the page each paging link leads to (PageNum ${num} of ${count})`).toEqual(expected);
}

test.describe('query paging', () => {
  test('PagingInfo carries integer PageNum, PageSize and PagesCount in both formats', rules('PAGE-001'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      for (const format of ['References', 'Entities']) {
        const r = await runQuery(em, { type: meta.name, format, pageSize: 7 });
        expect.soft(r).toHaveStatus(200);
        const info = pagingInfo(r.body());
        expect.soft(info, `${meta.name} ${format}: PagingInfo`).toBeDefined();
        if (!info) continue;
        // integers: their values are PAGE-003's and PAGE-004's
        const notIntegers = (['PageNum', 'PageSize', 'PagesCount'] as const).filter((key) => !isInt(info[key])).map((key) => `${key} = ${JSON.stringify(info[key])}`);
        expect.soft(notIntegers, `${meta.name} ${format}: PagingInfo values that are not integers`).toEqual([]);
      }
    });
  });

  test('without pageSize the page size is 100, and the items beyond 100 are on the next page', rules('PAGE-002'), async ({ em }) => {
    const small: string[] = [];
    await forEachQueryType(async (meta) => {
      const total = await quickCount(em, meta);
      const r = await runQuery(em, { type: meta.name });
      expect.soft(r).toHaveStatus(200);
      const info = pagingInfo(r.body())!;
      expect.soft(Number(info.PageSize), `${meta.name}: PageSize`).toBe(100);
      expect.soft(itemsOf(r.body(), meta).length, `${meta.name}: items on page 1 (of ${total})`).toBe(Math.min(total, 100));
      if (total <= 100) {
        small.push(`${meta.name} (${total})`);
        return;
      }
      const next = pagingLink(info, 'Next');
      expect.soft(next, `${meta.name}: Link Rel=Next to the items beyond 100`).toBeDefined();
      if (!next) return;
      const page2 = await em.get(next);
      expect.soft(itemsOf(page2.body(), meta).length, `${meta.name}: items on page 2`).toBe(Math.min(total - 100, 100));
      expect.soft(Number(pagingInfo(page2.body())?.PageSize), `${meta.name}: PageSize of page 2 (its link carries the default)`).toBe(100);
    });
    if (small.length) test.info().annotations.push({ type: 'note', description: `not more than 100 items, paging beyond the default page not exercised: ${small.join(', ')}` });
  });

  test('pageSize and page are respected: full pages before the last', rules('PAGE-003'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const setup = await pagedSetup(em, meta);
      if (typeof setup === 'string') return setup;
      const { total, pageSize, pages } = setup;
      for (const page of [...new Set([1, 2, pages])]) {
        const r = await runQuery(em, { type: meta.name, pageSize, page });
        expect.soft(r).toHaveStatus(200);
        const info = pagingInfo(r.body())!;
        const n = itemsOf(r.body(), meta).length;
        // exactly pageSize items before the last page, 1 to pageSize on it (which items: PAGE-010)
        const onLast = `1 to ${pageSize}`;
        const seen = { PageSize: Number(info.PageSize), PageNum: Number(info.PageNum), items: page === pages && n >= 1 && n <= pageSize ? onLast : n };
        const expected = { PageSize: pageSize, PageNum: page, items: page < pages ? pageSize : onLast };
        expect.soft(seen, `${meta.name}: page ${page} of ${pages} (pageSize ${pageSize}, ${total} items)`).toEqual(expected);
      }
    });
  });

  test('PagesCount is ceil(items / PageSize)', rules('PAGE-004'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const total = await countMatches(em, meta);
      if (total === 0) return 'none on the server (the empty result is PAGE-005)';
      const sizes = [1, 2, 7, 100, ...(total <= 100 ? [Math.max(1, total - 1), total, total + 1] : [])];
      // one assertion per response, right after it: the report then shows that response with the wrong count marked
      for (const pageSize of [...new Set(sizes)]) {
        const r = await runQuery(em, { type: meta.name, pageSize });
        expect.soft(Number(pagingInfo(r.body())?.PagesCount), `${meta.name}: PagesCount for ${total} items, pageSize ${pageSize}`).toBe(Math.ceil(total / pageSize));
      }
    });
  });

  test('a result matching nothing is one empty page with First and Last to page 1', rules('PAGE-005', 'PAGE-006'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const uid = meta.fields.find((f) => f.type === 'uid');
      const str = meta.fields.find((f) => f.type === 'string');
      const filter = uid ? `${uid.name}==${NO_SUCH_GUID}` : str ? `${str.name}==${quote('em-conformance: no such value')}` : undefined;
      if (!filter) return 'no UID or string field to build a filter that matches nothing';
      for (const format of ['References', 'Entities']) {
        const r = await runQuery(em, { type: meta.name, format, filter, pageSize: 10 });
        expect.soft(r, `${meta.name} ${format}, filter=${filter}`).toHaveStatus(200);
        if (r.status !== 200) continue;
        const info = pagingInfo(r.body())!;
        const seen = { items: itemsOf(r.body(), meta), PageNum: Number(info.PageNum), PagesCount: Number(info.PagesCount) };
        expect.soft(seen, `${meta.name} ${format}: the empty result`).toEqual({ items: [], PageNum: 1, PagesCount: 1 });
        expectPagingLinks(r, `${meta.name} ${format}`, 1, 1);
      }
    });
  });

  test('paging links: First and Last always, Previous and Next exactly when they apply, each leading to its page', rules('PAGE-006', 'PAGE-007', 'PAGE-008'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const setup = await pagedSetup(em, meta);
      if (typeof setup === 'string') return setup;
      const { pageSize, pages } = setup;
      const params = { type: meta.name, format: 'Entities', sortAsc: meta.fields[0]?.name ?? 'Name', pageSize };
      const direct = new Map<number, EmResponse>();
      for (const page of [...new Set([1, 2, pages])]) {
        const r = await runQuery(em, { ...params, page });
        expect.soft(r).toHaveStatus(200);
        direct.set(page, r);
        expectPagingLinks(r, `${meta.name} page ${page} of ${pages}`, page, pages);
      }
      const keys = (r: EmResponse | undefined) => keysOf(r ? itemsOf(r.body(), meta) : []);
      const p1 = pagingInfo(direct.get(1)!.body());
      const next = pagingLink(p1, 'Next');
      const last = pagingLink(p1, 'Last');
      if (next) {
        const viaNext = await em.get(next);
        expect.soft(keys(viaNext), `${meta.name}: GET Next of page 1 vs page=2`).toEqual(keys(direct.get(2)));
        const previous = pagingLink(pagingInfo(viaNext.body()), 'Previous');
        if (previous) {
          const viaPrevious = await em.get(previous);
          expect.soft(keys(viaPrevious), `${meta.name}: GET Previous of page 2 vs page=1`).toEqual(keys(direct.get(1)));
        }
      }
      if (last) expect.soft(keys(await em.get(last)), `${meta.name}: GET Last of page 1 vs page=${pages}`).toEqual(keys(direct.get(pages)));
    });
  });

  test('paging link Hrefs escape & as &amp; in XML', rules('PAGE-009'), async ({ em }) => {
    if (em.representation !== 'xml') notApplicable('the rule concerns the XML representation only');
    await forEachQueryType(async (meta) => {
      const uid = meta.fields.find((f) => f.type === 'uid');
      const filter: Record<string, string> = uid ? { filter: `${uid.name}!=${NO_SUCH_GUID}` } : {};
      const r = await runQuery(em, { type: meta.name, format: 'Entities', sortAsc: meta.fields[0]?.name ?? 'Name', pageSize: 1, ...filter });
      expect.soft(r).toHaveStatus(200);
      const rawHrefs = [...r.text.matchAll(/<Link\b[^>]*\bRel="(First|Previous|Next|Last)"[^>]*>/g)].map((m) => /\bHref="([^"]*)"/.exec(m[0])?.[1] ?? '');
      // at least one (which links there must be is PAGE-006's)
      expect.soft(rawHrefs.length, `${meta.name}: paging links in the raw XML`).toBeGreaterThan(0);
      const wrong = {
        'raw Href attributes without &amp;page=': rawHrefs.filter((href) => !href.includes('&amp;page=')),
        'raw Href attributes with an unescaped &': rawHrefs.filter((href) => /&(?!amp;|lt;|gt;|quot;|apos;|#\d+;|#x[0-9a-fA-F]+;)/.test(href)),
        'Hrefs as read (attribute values) without a page parameter': (pagingInfo(r.body())?.Links ?? []).map((l) => l.Href).filter((href) => !/[?&]page=\d+/.test(href)),
      };
      expect.soft(wrong, `${meta.name}: paging link Hrefs`).toEqual(Object.fromEntries(Object.keys(wrong).map((k) => [k, []])));
    });
  });

  test('following Next from page 1 reaches the last page and the pages join to the whole result', rules('PAGE-010', 'PAGE-007'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const all = await quickCount(em, meta);
      const narrow = await narrowing(em, meta, all);
      const total = narrow.filter ? await quickCount(em, meta, narrow) : all;
      if (total < 3) return `${total} on the server, fewer than 3`;
      const pageSize = pageSizeFor(Math.min(total, WALK_ITEMS), 4);
      const pages = Math.ceil(total / pageSize);
      const maxPages = 8;
      const first = await runQuery(em, { type: meta.name, pageSize, ...narrow });
      expect.soft(first).toHaveStatus(200);
      const responses = await followNext(em, first, maxPages);
      const last = pagingInfo(responses.at(-1)!.body())!;
      const what = `${meta.name}: ${total} items${narrow.filter ? ` matching ${narrow.filter}` : ''}, pageSize ${pageSize}`;
      if (pages <= maxPages) {
        expect.soft(responses.length, `${what}: pages read following Next from page 1`).toBe(pages);
        expect.soft(pagingLink(last, 'Next'), `${what}: Next on the last page`).toBeUndefined();
      }
      const joined = responses.flatMap((r) => keysOf(itemsOf(r.body(), meta)));
      expect.soft(duplicates(joined), `${what}: items on more than one page`).toEqual([]);
      const whole = await runQuery(em, { type: meta.name, pageSize: responses.length * pageSize, ...narrow });
      expect.soft(joined, `${what}: ${responses.length} pages vs one page of ${responses.length * pageSize}`).toEqual(keysOf(itemsOf(whole.body(), meta)));
    });
  });
});
