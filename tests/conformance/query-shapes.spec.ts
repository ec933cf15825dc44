/**
 * Shapes of query results: References by default and Entities on request (QRY-002), the Entities wrapper named
 * after the type (QRY-003), case-insensitive type and format values (QRY-004), the query service's preconfigured
 * queries (QRY-005) and query items equal to the resources at their Hrefs (QRY-006).
 */
import { expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';
import {
  entitiesOf,
  findQueryType,
  keysOf,
  pagingInfo,
  queryTypeNames,
  queryTypes,
  refsOf,
  runQuery,
} from '../../src/suite/query-support.ts';

/** First, middle and last item: enough to check a representation without walking everything. */
function sample<T>(items: T[], n = 3): T[] {
  if (items.length <= n) return items;
  const picks = new Set([0, Math.floor(items.length / 2), items.length - 1]);
  return [...picks].slice(0, n).map((i) => items[i]!);
}

for (const name of queryTypeNames()) {
  const meta = findQueryType(name);
  test.describe(`query type ${name}`, () => {
    if (!meta) {
      test('is declared in the spec (x-em-query-types)', rules('QRY-003'), async () => {
        throw new Error(`spec/openapi.yaml: x-em-query-types on the query operation has no entry for ${name}`);
      });
      return;
    }

    test('without format the result holds Refs of the reference type', rules('QRY-002'), async ({ em }) => {
      const r = await runQuery(em, { type: meta.name, pageSize: 20 });
      expect(r).toHaveStatus(200);
      const body = r.body();
      const refs = refsOf(body);
      expect(refs, 'QueryResult.Refs').toBeDefined();
      expect(body.Entities ?? null, 'QueryResult.Entities').toBeNull();
      for (const ref of refs ?? []) expect(ref.Type, `Type of Ref ${ref.Name}`).toBe(meta.referenceType);
    });

    test('format=References holds the same Refs as the default', rules('QRY-002'), async ({ em }) => {
      const byDefault = await runQuery(em, { type: meta.name, pageSize: 20 });
      const explicit = await runQuery(em, { type: meta.name, format: 'References', pageSize: 20 });
      expect(explicit).toHaveStatus(200);
      expect(refsOf(explicit.body()), 'QueryResult.Refs with format=References').toBeDefined();
      expect(keysOf(refsOf(explicit.body()) ?? [])).toEqual(keysOf(refsOf(byDefault.body()) ?? []));
    });

    test(`format=Entities holds exactly one list, Entities.${meta.entitiesProperty}, of ${meta.name} entities`, rules('QRY-002', 'QRY-003'), async ({ em }) => {
      const r = await runQuery(em, { type: meta.name, format: 'Entities', pageSize: 20 });
      expect(r).toHaveStatus(200);
      const body = r.body();
      expect(body.Refs ?? null, 'QueryResult.Refs').toBeNull();
      expect(body.Entities, 'QueryResult.Entities').toBeTruthy();
      const present = Object.entries(body.Entities as Record<string, unknown>)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k]) => k);
      expect(present, 'non-null lists inside Entities').toEqual([meta.entitiesProperty]);
      const items = entitiesOf(body, meta) ?? [];
      for (const item of items) expect(item.Type, `Type of entity ${item.Name}`).toBe(meta.name);
      const refs = refsOf((await runQuery(em, { type: meta.name, pageSize: 20 })).body()) ?? [];
      expect(keysOf(items), 'the entities are the items the References result lists').toEqual(keysOf(refs));
    });

    test('type and format values are matched case-insensitively', rules('QRY-004'), async ({ em }) => {
      const canonical = await runQuery(em, { type: meta.name, format: 'Entities', pageSize: 20 });
      const lower = await runQuery(em, { type: meta.name.toLowerCase(), format: 'entities', pageSize: 20 });
      const upper = await runQuery(em, { type: meta.name.toUpperCase(), format: 'ENTITIES', pageSize: 20 });
      expect(lower).toHaveStatus(200);
      expect(upper).toHaveStatus(200);
      const keys = keysOf(entitiesOf(canonical.body(), meta) ?? []);
      expect(entitiesOf(lower.body(), meta), `type=${meta.name.toLowerCase()}&format=entities gives Entities.${meta.entitiesProperty}`).toBeDefined();
      expect(keysOf(entitiesOf(lower.body(), meta) ?? [])).toEqual(keys);
      expect(keysOf(entitiesOf(upper.body(), meta) ?? [])).toEqual(keys);
    });

    test('each entity of the result equals the entity at its Href', rules('QRY-006'), async ({ em }) => {
      const r = await runQuery(em, { type: meta.name, format: 'Entities', pageSize: 30 });
      expect(r).toHaveStatus(200);
      const items = entitiesOf(r.body(), meta) ?? [];
      if (!items.length) notApplicable(`the server has no ${meta.name} to compare`);
      for (const item of sample(items)) {
        const got = await em.get(item.Href, { expectedRoot: meta.name });
        expect(got, `GET ${item.Href}`).toHaveStatus(200);
        expect(got.body(), `entity ${item.Name} from the query vs GET ${item.Href}`).toEqual(item);
      }
    });

    test('each Ref of the result equals the reference at its Href', rules('QRY-006'), async ({ em }) => {
      const r = await runQuery(em, { type: meta.name, pageSize: 30 });
      expect(r).toHaveStatus(200);
      const refs = refsOf(r.body()) ?? [];
      if (!refs.length) notApplicable(`the server has no ${meta.name} to compare`);
      for (const ref of sample(refs)) {
        const got = await em.get(ref.Href);
        expect(got, `GET ${ref.Href}`).toHaveStatus(200);
        expect(got.body(), `Ref ${ref.Name} from the query vs GET ${ref.Href}`).toEqual(ref);
      }
    });
  });
}

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
    expect.soft(url.pathname, `${link.Href}: path`).toMatch(/\/query$/);
    expect.soft(link.Type, `${link.Href}: Type`).toBe(`${type}List`);
    expect.soft(params.get('format'), `${link.Href}: format`).toBe('Entities');
    expect.soft(params.get('pagesize'), `${link.Href}: pageSize`).toBe('15');
    expect.soft(params.get('page'), `${link.Href}: page`).toBe('1');
    const meta = queryTypes().find((t) => t.name.toLowerCase() === type.toLowerCase());
    if (!meta) continue; // a query type outside the contract: not followed
    followed += 1;
    const r = await em.get(link.Href);
    expect.soft(r, `GET ${link.Href}`).toHaveStatus(200);
    if (r.status !== 200) continue;
    const result = r.body();
    expect.soft(entitiesOf(result, meta), `${link.Href}: Entities.${meta.entitiesProperty}`).toBeDefined();
    expect.soft(Number(pagingInfo(result)?.PageSize), `${link.Href}: PagingInfo PageSize`).toBe(15);
  }
  expect(followed, 'Down links to query types of the contract').toBeGreaterThan(0);
});
