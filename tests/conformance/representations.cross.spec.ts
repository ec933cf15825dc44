/**
 * Content negotiation and the documented JSON mapping, comparing the two representations of one resource: these
 * tests run once (project `cross`), each requesting both (rules NEG-001, NEG-002, JSON-*).
 */
import { listOperations } from '../../src/contract/spec.ts';
import { codec } from '../../src/contract/codec.ts';
import type { EmClient, EmResponse } from '../../src/suite/client.ts';
import { expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';
import { queryItems } from '../../src/suite/invariants.ts';
import { pascalKeys } from '../../src/suite/lenient.ts';

/**
 * Lists that other clients change between two requests (their own logon sessions and tasks): comparing the XML of
 * one moment with the JSON of the next would measure the traffic, not the mapping.
 */
const VOLATILE = new Set(['listLogonSessions', 'listTasks']);

/**
 * The JSON body with its structure as sent (EmResponse.rawJson), keys in the contract's spelling (their casing is
 * JSON-002's to judge, by the JSON Schema); not applicable when the server answered another representation, which
 * NEG-002 reports: the JSON mapping cannot be judged without JSON.
 */
function sentJson(r: EmResponse): any {
  if (!r.isJson) notApplicable(`${r.describe()} is not JSON: the JSON mapping cannot be checked (NEG-002)`);
  return pascalKeys(r.rawJson());
}

/** One concrete URL per GET operation (path without parameters, or a crawled instance). */
function sampleUrls(em: EmClient, estate: { samples: Map<string, string[]> }, opts: { stable?: boolean } = {}): Array<{ operationId: string; url: string }> {
  return listOperations()
    .filter((op) => op.method === 'GET' && op.operationId !== 'query' && !(opts.stable && VOLATILE.has(op.operationId)))
    .flatMap((op) => {
      const url = op.path.includes('{') ? estate.samples.get(op.operationId)?.[0]?.split('?')[0] : em.resolve(op.path);
      return url ? [{ operationId: op.operationId, url }] : [];
    });
}

/**
 * Requests every sample URL with each Accept and asserts, once for all of them, that each answered 200 in the media
 * type expected: the failure lists every request at fault.
 */
async function expectServedAs(client: EmClient, urls: string[], accepts: Array<string | null>, mediaType: string): Promise<void> {
  const responses: EmResponse[] = [];
  const otherTypes: Record<string, string> = {};
  for (const url of urls) {
    for (const accept of accepts) {
      const r = await client.get(url, { accept });
      responses.push(r);
      if (r.mediaType !== mediaType) otherTypes[`${url} with Accept ${accept ?? '(none)'}`] = r.mediaType;
    }
  }
  expect(responses).toAllHaveStatus(200);
  expect(otherTypes, `media types other than ${mediaType}`).toEqual({});
}

test('XML is served without Accept and for Accept: application/xml', rules('NEG-001'), async ({ em, estate }) => {
  await expectServedAs(em, sampleUrls(em, estate).map((s) => s.url), [null, 'application/xml'], 'application/xml');
});

test('JSON is served for Accept: application/json', rules('NEG-002'), async ({ em, estate }) => {
  await expectServedAs(em.with({ representation: 'json' }), sampleUrls(em, estate).map((s) => s.url), ['application/json'], 'application/json');
});

test('the XML and the JSON of a resource carry the same data', rules('JSON-008', 'JSON-001'), async ({ em, estate }) => {
  const json = em.with({ representation: 'json' });
  const urls = sampleUrls(em, estate, { stable: true });
  if (!urls.length) notApplicable('nothing to compare');
  for (const { url } of urls) {
    for (const params of [{}, { format: 'Entity' }] as Array<Record<string, string>>) {
      // XML, JSON, XML again: a resource that changed meanwhile (a session finishing under a running action) is read
      // again, so that the JSON is compared with an XML of the same moment
      let x = await em.get(url, { params });
      if (x.status !== 200) continue;
      let j = await json.get(url, { params });
      for (let attempt = 0; attempt < 3; attempt++) {
        const again = await em.get(url, { params });
        if (again.text === x.text) break;
        x = again;
        j = await json.get(url, { params });
      }
      expect(j).toHaveStatus(200);
      const fromXml = codec().fromXml(x.text);
      const jsonBody = sentJson(j);
      // JSON-001 follows: the XML read into JSON form is the root element's content, with no key for the root.
      expect(jsonBody, `${url}${'format' in params ? '?format=Entity' : ''}: JSON differs from the XML read through the documented mapping`).toEqual(fromXml.value);
    }
  }
});

test('top-level JSON lists are an object holding one array', rules('JSON-005'), async ({ em }) => {
  const json = em.with({ representation: 'json' });
  const refs = sentJson(await json.get('/backupSessions'));
  expect(Object.keys(refs)).toEqual(['Refs']);
  expect(Array.isArray(refs.Refs)).toBe(true);
  const entities = sentJson(await json.get('/backupSessions', { params: { format: 'Entity' } }));
  expect(Object.keys(entities)).toEqual(['BackupJobSessions']);
  expect(Array.isArray(entities.BackupJobSessions)).toBe(true);
});

test('JSON query results nest lists twice', rules('JSON-004'), async ({ em }) => {
  const json = em.with({ representation: 'json' });
  const refs = sentJson(await json.get('/query', { params: { type: 'BackupJobSession', pageSize: 5 } }));
  expect(Array.isArray(refs.Refs?.Refs), 'Refs.Refs is the array').toBe(true);
  // null or left out: which of the two is JSON-003's concern
  expect(refs.Entities ?? null).toBeNull();
  const entities = sentJson(await json.get('/query', { params: { type: 'BackupJobSession', format: 'Entities', pageSize: 5 } }));
  expect(Array.isArray(entities.Entities?.BackupJobSessions?.BackupJobSessions), 'Entities.BackupJobSessions.BackupJobSessions is the array').toBe(true);
  expect(entities.Refs ?? null).toBeNull();
});

test('agent jobs sit in a singular AgentBackupJob wrapper inside Entities', rules('JSON-006'), async ({ em }) => {
  const xml = await em.get('/query', { params: { type: 'AgentBackupJob', format: 'Entities' } });
  expect(xml).toHaveStatus(200);
  if (!queryItems(xml.body()).length) notApplicable('no agent backup job on this server');
  expect(xml.text).toMatch(/<Entities>\s*<AgentBackupJob>\s*<AgentBackupJob /);
  const r = await em.with({ representation: 'json' }).get('/query', { params: { type: 'AgentBackupJob', format: 'Entities' } });
  const json = sentJson(r);
  const members = Object.entries(json.Entities ?? {}).filter(([, v]) => v !== null).map(([k]) => k);
  expect(members, 'the one Entities member is the singular AgentBackupJob').toEqual(['AgentBackupJob']);
  // the items, however nested (the nesting is JSON-004's)
  expect(queryItems(r.body()).length).toBeGreaterThan(0);
});
