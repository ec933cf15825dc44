/**
 * Shapes of query results: References by default and Entities on request (QRY-002), the Entities wrapper named
 * after the type (QRY-003), case-insensitive type and format values (QRY-004), the query service's preconfigured
 * queries (QRY-005) and query items equal to the resources at their Hrefs (QRY-006).
 */
import { isDeepStrictEqual } from 'node:util';
import { expect, rules, test } from '../../src/suite/fixtures.ts';
import {
  bareId,
  entitiesOf,
  keyOf,
  findQueryType,
  keysOf,
  listLocation,
  forEachQueryType,
  pagingInfo,
  queryTypeNames,
  queryTypes,
  refsOf,
  runQuery,
  type QueryTypeMeta,
} from '../../src/suite/query-support.ts';

/** A filter selecting one item by its UID (the type's uid field named UID). */
function uidFilter(meta: QueryTypeMeta, item: any): string {
  const uid = meta.fields.find((f) => f.name.toLowerCase() === 'uid' && f.type === 'uid');
  return uid && typeof item.UID === 'string' ? `${uid.name}==${bareId(item.UID)}` : '';
}

/** First, middle and last item: enough to check a representation without walking everything. */
function sample<T>(items: T[], n = 3): T[] {
  if (items.length <= n) return items;
  const picks = new Set([0, Math.floor(items.length / 2), items.length - 1]);
  return [...picks].slice(0, n).map((i) => items[i]!);
}

test.describe('query result shapes', () => {
  test('x-em-query-types declares the query types the suite must cover', rules('QRY-003'), async () => {
    const missing = queryTypeNames().filter((n) => !findQueryType(n));
    expect(missing, 'query types without an x-em-query-types entry in spec/openapi.yaml').toEqual([]);
  });

  const withRefs = queryTypes().filter((t) => t.referenceType);
  const withEntities = queryTypes().filter((t) => t.entitiesProperty);

  test('without format, and with format=References, the result holds Refs of the type\'s reference Type', rules('QRY-002'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const byDefault = await runQuery(em, { type: meta.name, pageSize: 20 });
      const explicit = await runQuery(em, { type: meta.name, format: 'References', pageSize: 20 });
      for (const [what, r] of [['no format', byDefault], ['format=References', explicit]] as const) {
        expect.soft(r, `${meta.name}, ${what}`).toHaveStatus(200);
        if (r.status !== 200) continue;
        const body = r.body();
        const types = [...new Set((refsOf(body) ?? []).map((ref) => ref.Type))];
        const otherTypes = `Ref Types other than ${meta.referenceType}`;
        const seen = { 'Refs present': refsOf(body) !== undefined, Entities: body.Entities ?? null, Resources: body.Resources ?? null, [otherTypes]: types.filter((t) => t !== meta.referenceType) };
        expect.soft(seen, `${meta.name}, ${what}: the QueryResult`).toEqual({ 'Refs present': true, Entities: null, Resources: null, [otherTypes]: [] });
      }
      expect.soft(keysOf(refsOf(explicit.body()) ?? []), `${meta.name}: format=References vs no format`).toEqual(keysOf(refsOf(byDefault.body()) ?? []));
    }, withRefs);
  });

  test('with format=Entities the result holds exactly one list, Entities.<entitiesProperty>, of entities of the type', rules('QRY-002', 'QRY-003'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const r = await runQuery(em, { type: meta.name, format: 'Entities', pageSize: 20 });
      expect.soft(r, meta.name).toHaveStatus(200);
      if (r.status !== 200) return;
      const body = r.body();
      expect.soft(body.Refs ?? null, `${meta.name}: QueryResult.Refs`).toBeNull();
      expect.soft(body.Resources ?? null, `${meta.name}: QueryResult.Resources`).toBeNull();
      const present = Object.entries((body.Entities ?? {}) as Record<string, unknown>)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k]) => k);
      expect.soft(present, `${meta.name}: non-null members of Entities`).toEqual([meta.entitiesProperty]);
      const items = entitiesOf(body, meta) ?? [];
      const types = [...new Set(items.map((i) => i.Type))];
      expect.soft(types.filter((t) => t !== meta.name), `${meta.name}: entity Types other than ${meta.name}`).toEqual([]);
      if (meta.referenceType) {
        const refs = refsOf((await runQuery(em, { type: meta.name, pageSize: 20 })).body()) ?? [];
        expect.soft(keysOf(items), `${meta.name}: the entities are the items the References result lists`).toEqual(keysOf(refs));
      }
    }, withEntities);
  });

  test('type and format values are matched case-insensitively', rules('QRY-004'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const { container, property } = listLocation(meta);
      const canonical = keysOf(entitiesOf((await runQuery(em, { type: meta.name, format: 'Entities', pageSize: 20 })).body(), meta) ?? []);
      for (const [type, format] of [
        [meta.name.toLowerCase(), 'entities'],
        [meta.name.toUpperCase(), 'ENTITIES'],
      ]) {
        const r = await runQuery(em, { type: type!, format: format!, pageSize: 20 });
        expect.soft(r, `type=${type}&format=${format}`).toHaveStatus(200);
        if (r.status !== 200) continue;
        const items = entitiesOf(r.body(), meta);
        expect.soft(items, `type=${type}&format=${format} gives ${container}.${property}`).toBeDefined();
        expect.soft(keysOf(items ?? []), `type=${type}&format=${format} vs type=${meta.name}&format=Entities`).toEqual(canonical);
      }
    });
  });

  test('each entity of a result equals the entity at its Href', rules('QRY-006'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const r = await runQuery(em, { type: meta.name, format: 'Entities', pageSize: 30 });
      expect.soft(r, meta.name).toHaveStatus(200);
      if (r.status !== 200) return;
      const items = entitiesOf(r.body(), meta) ?? [];
      if (!items.length) return 'none on the server';
      for (let item of sample(items)) {
        let got = await em.get(item.Href, { expectedRoot: meta.entity });
        expect.soft(got, `GET ${item.Href}`).toHaveStatus(200);
        if (got.status !== 200) continue;
        if (!isDeepStrictEqual(got.body(), item)) {
          // A live server's running session changes between two requests: read both again before judging.
          const again = entitiesOf((await runQuery(em, { type: meta.name, format: 'Entities', filter: uidFilter(meta, item), pageSize: 5 })).body(), meta) ?? [];
          item = again.find((i) => keyOf(i) === keyOf(item)) ?? item;
          got = await em.get(item.Href, { expectedRoot: meta.entity });
        }
        expect.soft(got.body(), `${meta.name} ${item.Name} from the query vs GET ${item.Href}`).toEqual(item);
      }
    }, withEntities);
  });

  test('each Ref of a result equals the reference at its Href', rules('QRY-006'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const r = await runQuery(em, { type: meta.name, pageSize: 30 });
      expect.soft(r, meta.name).toHaveStatus(200);
      if (r.status !== 200) return;
      const refs = refsOf(r.body()) ?? [];
      if (!refs.length) return 'none on the server';
      for (const ref of sample(refs)) {
        const got = await em.get(ref.Href);
        expect.soft(got, `GET ${ref.Href}`).toHaveStatus(200);
        if (got.status === 200) expect.soft(got.body(), `${meta.name} Ref ${ref.Name} from the query vs GET ${ref.Href}`).toEqual(ref);
      }
    }, withRefs);
  });
});

test('AgentBackupJob entities come in the singular wrapper Entities.AgentBackupJob', rules('QRY-003'), async ({ em }) => {
  const meta = findQueryType('AgentBackupJob');
  expect(meta?.entitiesProperty, 'spec x-em-query-types AgentBackupJob.entitiesProperty (em-api-notes §3.6)').toBe('AgentBackupJob');
  const r = await runQuery(em, { type: 'AgentBackupJob', format: 'Entities', pageSize: 5 });
  expect(r).toHaveStatus(200);
  const entities = r.body().Entities as Record<string, any>;
  expect(entities?.AgentBackupJob, 'Entities.AgentBackupJob').toBeTruthy();
  expect(entities?.AgentBackupJobs ?? null, 'Entities.AgentBackupJobs (plural) must not be used').toBeNull();
});

test('querySvc links up to the logon session and down to preconfigured queries that resolve', rules('QRY-005'), async ({ em }) => {
  const svc = await em.get('/querySvc');
  expect(svc).toHaveStatus(200);
  const body = svc.body();
  expect(body.Type, 'QuerySvc Type').toBe('QueryService');
  const links: Array<{ Rel: string; Href: string; Type: string | null }> = body.Links ?? [];
  expect(links.some((l) => l.Rel === 'Up' && l.Type === 'LogonSession'), 'a Link Rel=Up Type=LogonSession').toBe(true);
  const down = links.filter((l) => l.Rel === 'Down');
  expect(down.length, 'Rel=Down links').toBeGreaterThan(0);
  let followed = 0;
  for (const link of down) {
    const url = new URL(link.Href);
    const params = new Map([...url.searchParams].map(([k, v]) => [k.toLowerCase(), v]));
    const type = params.get('type') ?? '';
    const seen = { 'path ends with /query': /\/query$/.test(url.pathname), Type: link.Type, format: params.get('format'), pageSize: params.get('pagesize'), page: params.get('page') };
    expect.soft(seen, `${link.Href}: the preconfigured query`).toEqual({ 'path ends with /query': true, Type: `${type}List`, format: 'Entities', pageSize: '15', page: '1' });
    const meta = queryTypes().find((t) => t.name.toLowerCase() === type.toLowerCase());
    if (!meta) continue; // a query type outside the contract: not followed
    followed += 1;
    const r = await em.get(link.Href);
    expect.soft(r, `GET ${link.Href}`).toHaveStatus(200);
    if (r.status !== 200) continue;
    const result = r.body();
    const { container, property } = listLocation(meta);
    const list = `${container}.${property} present`;
    expect.soft({ [list]: entitiesOf(result, meta) !== undefined, 'PagingInfo PageSize': Number(pagingInfo(result)?.PageSize) }, `GET ${link.Href}`).toEqual({ [list]: true, 'PagingInfo PageSize': 15 });
  }
  expect(followed, 'Down links to query types of the contract').toBeGreaterThan(0);
});
