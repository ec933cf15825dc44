/**
 * Paging of query results per query type: PagingInfo and its arithmetic, the default page size, the paging links
 * (First/Last always, Previous/Next exactly when they apply, each leading to its page), `&amp;` in the XML links, and
 * pages that join to the whole result. Page sizes are chosen from the server's own count so that there are 3–6 pages.
 */
import { expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';
import type { EmClient, EmResponse } from '../../src/suite/client.ts';
import {
  duplicates,
  followNext,
  itemsOf,
  keysOf,
  NO_SUCH_GUID,
  pageOfHref,
  pageSizeFor,
  pagingInfo,
  pagingLink,
  queryTypes,
  quote,
  refsOf,
  runQuery,
  WHOLE_PAGE,
  type QueryTypeMeta,
} from '../../src/suite/query-support.ts';

/** The number of items of the type, counted without relying on PagesCount (one whole page, or the last page). */
async function countItems(em: EmClient, meta: QueryTypeMeta): Promise<number> {
  const first = await runQuery(em, { type: meta.name, pageSize: WHOLE_PAGE });
  expect(first).toHaveStatus(200);
  const info = pagingInfo(first.body());
  const pages = Number(info?.PagesCount);
  if (!(pages > 1)) return (refsOf(first.body()) ?? []).length;
  const last = await runQuery(em, { type: meta.name, pageSize: WHOLE_PAGE, page: pages });
  return (pages - 1) * WHOLE_PAGE + (refsOf(last.body()) ?? []).length;
}

/** Counts the items and returns a page size giving 3–6 pages, or marks the test not applicable. */
async function pagedSetup(em: EmClient, meta: QueryTypeMeta): Promise<{ total: number; pageSize: number; pages: number }> {
  const total = await countItems(em, meta);
  if (total < 3) notApplicable(`the server has ${total} ${meta.name}: fewer than 3, no pages to walk`);
  const capped = Math.min(total, 5 * 100);
  const pageSize = pageSizeFor(capped, 4);
  return { total, pageSize, pages: Math.ceil(total / pageSize) };
}

function isInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v);
}

function expectPagingLinks(r: EmResponse, label: string): void {
  const info = pagingInfo(r.body())!;
  const num = Number(info.PageNum);
  const count = Number(info.PagesCount);
  const rels = info.Links.map((l) => l.Rel);
  const first = pagingLink(info, 'First');
  const last = pagingLink(info, 'Last');
  expect.soft(first, `${label}: Link Rel=First`).toBeDefined();
  expect.soft(last, `${label}: Link Rel=Last`).toBeDefined();
  if (first) expect.soft(pageOfHref(first), `${label}: First → page`).toBe(1);
  if (last) expect.soft(pageOfHref(last), `${label}: Last → page`).toBe(count);
  expect.soft(rels.includes('Next'), `${label}: Link Rel=Next present (PageNum ${num} of ${count})`).toBe(num < count);
  expect.soft(rels.includes('Previous'), `${label}: Link Rel=Previous present (PageNum ${num} of ${count})`).toBe(num > 1);
  const next = pagingLink(info, 'Next');
  const previous = pagingLink(info, 'Previous');
  if (next) expect.soft(pageOfHref(next), `${label}: Next → page`).toBe(num + 1);
  if (previous) expect.soft(pageOfHref(previous), `${label}: Previous → page`).toBe(num - 1);
}

for (const meta of queryTypes()) {
  test.describe(`query type ${meta.name}: paging`, () => {
    test('PagingInfo carries integer PageNum, PageSize and PagesCount in both formats', rules('PAGE-001'), async ({ em }) => {
      for (const format of ['References', 'Entities']) {
        const r = await runQuery(em, { type: meta.name, format, pageSize: 7 });
        expect.soft(r).toHaveStatus(200);
        const info = pagingInfo(r.body());
        expect(info, `${format}: PagingInfo`).toBeDefined();
        for (const key of ['PageNum', 'PageSize', 'PagesCount'] as const) expect.soft(isInt(info![key]), `${format}: PagingInfo ${key} = ${JSON.stringify(info![key])}`).toBe(true);
        expect.soft(Number(info!.PageSize), `${format}: PageSize`).toBe(7);
        expect.soft(Number(info!.PageNum), `${format}: PageNum`).toBe(1);
      }
    });

    test('without pageSize the page size is 100', rules('PAGE-002'), async ({ em }) => {
      const total = await countItems(em, meta);
      const r = await runQuery(em, { type: meta.name });
      expect(r).toHaveStatus(200);
      const info = pagingInfo(r.body())!;
      expect(Number(info.PageSize), 'PageSize').toBe(100);
      expect(itemsOf(r.body(), meta).length, 'items on page 1').toBe(Math.min(total, 100));
      expect(Number(info.PagesCount), `PagesCount for ${total} items`).toBe(Math.max(1, Math.ceil(total / 100)));
      if (total > 100) {
        const next = pagingLink(info, 'Next');
        expect(next, 'Link Rel=Next to the items beyond 100').toBeDefined();
        const page2 = await em.get(next!);
        expect(itemsOf(page2.body(), meta).length, 'items on page 2').toBe(Math.min(total - 100, 100));
        expect(Number(pagingInfo(page2.body())?.PageSize), 'PageSize of page 2 (its link carries the default)').toBe(100);
      } else {
        test.info().annotations.push({ type: 'note', description: `${total} ${meta.name} (not more than 100): paging beyond the default page not exercised` });
      }
    });

    test('pageSize and page are respected: full pages before the last', rules('PAGE-003'), async ({ em }) => {
      const { total, pageSize, pages } = await pagedSetup(em, meta);
      for (const page of [1, 2, pages]) {
        const r = await runQuery(em, { type: meta.name, pageSize, page });
        expect.soft(r).toHaveStatus(200);
        const info = pagingInfo(r.body())!;
        expect.soft(Number(info.PageSize), `page ${page}: PageSize`).toBe(pageSize);
        expect.soft(Number(info.PageNum), `page ${page}: PageNum`).toBe(page);
        const expected = page < pages ? pageSize : total - (pages - 1) * pageSize;
        expect.soft(itemsOf(r.body(), meta).length, `items on page ${page} of ${pages} (pageSize ${pageSize}, ${total} items)`).toBe(expected);
      }
    });

    test('PagesCount is ceil(items / PageSize)', rules('PAGE-004'), async ({ em }) => {
      const total = await countItems(em, meta);
      if (total === 0) notApplicable(`the server has no ${meta.name} (the empty result is PAGE-005)`);
      for (const pageSize of [...new Set([1, 2, 7, Math.max(1, total - 1), total, total + 1])]) {
        if (pageSize > 10_000 || (pageSize === 1 && total > 10_000)) continue;
        const r = await runQuery(em, { type: meta.name, pageSize });
        expect.soft(Number(pagingInfo(r.body())?.PagesCount), `PagesCount for ${total} items, pageSize ${pageSize}`).toBe(Math.ceil(total / pageSize));
      }
    });

    test('a result matching nothing is one empty page with First and Last to page 1', rules('PAGE-005', 'PAGE-006'), async ({ em }) => {
      const uid = meta.fields.find((f) => f.type === 'uid');
      const str = meta.fields.find((f) => f.type === 'string');
      const filter = uid ? `${uid.name}==${NO_SUCH_GUID}` : str ? `${str.name}==${quote('em-conformance: no such value')}` : undefined;
      if (!filter) notApplicable(`${meta.name} has no UID or string field to build a filter that matches nothing`);
      for (const format of ['References', 'Entities']) {
        const r = await runQuery(em, { type: meta.name, format, filter, pageSize: 10 });
        expect.soft(r, `${format}, filter=${filter}`).toHaveStatus(200);
        if (r.status !== 200) continue;
        expect.soft(itemsOf(r.body(), meta), `${format}: items`).toEqual([]);
        const info = pagingInfo(r.body())!;
        expect.soft(Number(info.PageNum), `${format}: PageNum`).toBe(1);
        expect.soft(Number(info.PagesCount), `${format}: PagesCount`).toBe(1);
        expectPagingLinks(r, format);
      }
    });

    test('paging links: First and Last always, Previous and Next exactly when they apply, each leading to its page', rules('PAGE-006', 'PAGE-007', 'PAGE-008'), async ({ em }) => {
      const { pageSize, pages } = await pagedSetup(em, meta);
      const params = { type: meta.name, format: 'Entities', sortAsc: meta.fields[0]?.name ?? 'Name', pageSize };
      const direct = new Map<number, string[]>();
      for (const page of [...new Set([1, 2, pages])]) {
        const r = await runQuery(em, { ...params, page });
        expect(r).toHaveStatus(200);
        direct.set(page, keysOf(itemsOf(r.body(), meta)));
        expectPagingLinks(r, `page ${page} of ${pages}`);
      }
      // Next of page 1 is page 2; Previous of page 2 is page 1; Last of page 1 is the last page.
      const p1 = pagingInfo((await runQuery(em, { ...params, page: 1 })).body());
      const viaNext = await em.get(pagingLink(p1, 'Next')!);
      expect(Number(pagingInfo(viaNext.body())?.PageNum), 'GET Next of page 1: PageNum').toBe(2);
      expect(keysOf(itemsOf(viaNext.body(), meta)), 'GET Next of page 1 vs page=2').toEqual(direct.get(2));
      const viaPrevious = await em.get(pagingLink(pagingInfo(viaNext.body()), 'Previous')!);
      expect(Number(pagingInfo(viaPrevious.body())?.PageNum), 'GET Previous of page 2: PageNum').toBe(1);
      expect(keysOf(itemsOf(viaPrevious.body(), meta)), 'GET Previous of page 2 vs page=1').toEqual(direct.get(1));
      const viaLast = await em.get(pagingLink(p1, 'Last')!);
      expect(keysOf(itemsOf(viaLast.body(), meta)), `GET Last of page 1 vs page=${pages}`).toEqual(direct.get(pages));
    });

    test('paging link Hrefs escape & as &amp; in XML', rules('PAGE-009'), async ({ em }) => {
      if (em.representation !== 'xml') notApplicable('the rule concerns the XML representation only');
      const filterField = meta.fields.find((f) => f.type === 'uid') ?? meta.fields[0];
      const filter = filterField?.type === 'uid' ? `${filterField.name}!=${NO_SUCH_GUID}` : undefined;
      const r = await runQuery(em, { type: meta.name, format: 'Entities', sortAsc: meta.fields[0]?.name ?? 'Name', pageSize: 1, page: 2, ...(filter ? { filter } : {}) });
      expect(r).toHaveStatus(200);
      const rawHrefs = [...r.text.matchAll(/<Link\b[^>]*\bRel="(First|Previous|Next|Last)"[^>]*>/g)].map((m) => /\bHref="([^"]*)"/.exec(m[0])?.[1] ?? '');
      expect(rawHrefs.length, 'paging links in the raw XML').toBeGreaterThan(1);
      for (const href of rawHrefs) {
        expect.soft(href, 'raw Href attribute').toContain('&amp;page=');
        expect.soft(href.match(/&(?!amp;|lt;|gt;|quot;|apos;|#\d+;|#x[0-9a-fA-F]+;)/g) ?? [], `unescaped & in ${href}`).toEqual([]);
      }
      for (const link of pagingInfo(r.body())!.Links) expect.soft(link.Href, 'Href as read (attribute value)').toMatch(/[?&]page=\d+/);
    });

    test('following Next from page 1 reaches the last page and the pages join to the whole result', rules('PAGE-010', 'PAGE-007'), async ({ em }) => {
      const { total, pageSize, pages } = await pagedSetup(em, meta);
      const walked = Math.min(pages, 6);
      const first = await runQuery(em, { type: meta.name, pageSize });
      expect(first).toHaveStatus(200);
      const responses = await followNext(em, first, walked);
      const last = pagingInfo(responses.at(-1)!.body())!;
      if (pages <= 6) {
        expect(Number(last.PageNum), 'PageNum of the page where Next ends').toBe(pages);
        expect(pagingLink(last, 'Next'), 'Next on the last page').toBeUndefined();
      }
      const joined = responses.flatMap((r) => keysOf(itemsOf(r.body(), meta)));
      expect(duplicates(joined), 'items on more than one page').toEqual([]);
      const whole = await runQuery(em, { type: meta.name, pageSize: Math.min(walked * pageSize, 10_000) });
      expect(joined, `${walked} pages of ${pageSize} vs one page of ${walked * pageSize} (${total} items)`).toEqual(keysOf(itemsOf(whole.body(), meta)));
    });
  });
}
