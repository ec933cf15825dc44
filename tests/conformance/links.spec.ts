/**
 * Identity and hypermedia: every representation the link crawl visited (the `estate` fixture, within EM_MAX_ITEMS)
 * is checked for UID/Href/ID agreement and absolute Hrefs, every typed link for resolving to its declared Type, and
 * the relations the documents give per resource (rules ID-*, LINK-*, SCHEMA-004, FMT-005).
 */
import { rootForType } from '../../src/contract/validate.ts';
import type { EmClient } from '../../src/suite/client.ts';
import { urlKey, type Visit } from '../../src/suite/crawl.ts';
import { expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';
import { entityAt } from '../../src/suite/entities.ts';
import { failsTest } from '../../src/suite/violation-rules.ts';
import { findLink, hrefProblems, idOfHref, idOfUid, identityProblems, linksOf, queryItems, resources, typeProblems } from '../../src/suite/invariants.ts';

/** Visits answered 200 with a body that can be read; one that cannot is the automatic checks' to report (SCHEMA-*). */
function okVisits(visits: Visit[]): Array<Visit & { body: Record<string, any> }> {
  return visits.flatMap((v) => {
    if (v.status !== 200) return [];
    try {
      return [{ ...v, body: v.response.body<Record<string, any>>() }];
    } catch {
      return [];
    }
  });
}

function report(problems: string[]): string {
  return problems.length ? `${problems.length} problem(s):\n${problems.slice(0, 40).join('\n')}${problems.length > 40 ? '\n…' : ''}` : '';
}

test('every representation the crawl visited passed the automatic checks', rules('SCHEMA-001', 'SCHEMA-002', 'SCHEMA-003', 'NEG-003', 'NEG-004', 'NEG-005', 'NEG-007', 'SCHEMA-005', 'JSON-002', 'JSON-003', 'JSON-007'), async ({ estate }) => {
  expect(estate.visits.length, 'the crawl visited something').toBeGreaterThan(0);
  // the violations of the rules this test names (a JSON request answered in XML is NEG-002's, for one)
  const tags = test.info().tags;
  const problems = estate.visits.flatMap((v) => v.response.violations.filter((x) => failsTest(x, v.response.accept, tags)).map((x) => `${v.response.describe()}: ${x.message}`));
  expect(problems, report(problems)).toEqual([]);
});

test('XML bodies start with the XML declaration', rules('NEG-006'), async ({ estate, representation }) => {
  if (representation !== 'xml') notApplicable('an XML rule; this project reads JSON');
  const problems = estate.visits.filter((v) => v.response.text && !v.response.text.startsWith('<?xml')).map((v) => v.response.describe());
  expect(problems, report(problems)).toEqual([]);
});

test('UIDs name the entity type and agree with the Href', rules('ID-001', 'ID-002'), async ({ estate }) => {
  const problems = okVisits(estate.visits).flatMap((v) => resources(v.body).flatMap((n) => identityProblems(n).map((p) => `${v.url}: ${p}`)));
  expect(problems, report(problems)).toEqual([]);
});

test('every Href is absolute, under /api/, on the server that was asked', rules('ID-003', 'ID-004'), async ({ estate, em }) => {
  const problems: string[] = [];
  for (const v of okVisits(estate.visits)) {
    for (const n of resources(v.body)) problems.push(...hrefProblems(n.Href, em.apiBase, `${v.url} ${n.where}`));
    for (const l of collectAllLinks(v.body)) problems.push(...hrefProblems(l.Href, em.apiBase, `${v.url} link ${l.Rel}`));
  }
  expect(problems, report(problems)).toEqual([]);
});

test('the Type of a representation matches its root element', rules('SCHEMA-004'), async ({ estate }) => {
  const problems = okVisits(estate.visits).flatMap((v) => typeProblems(v.root, v.body).map((p) => `${v.url}: ${p}`));
  expect(problems, report(problems)).toEqual([]);
});

test('every typed link resolves to a representation of its declared Type', rules('LINK-001', 'LINK-002'), async ({ estate }) => {
  const followed = estate.visits.filter((v) => v.via?.link.Type);
  const unreachable = estate.unreachable.filter((u) => u.via?.link.Type);
  if (!followed.length && !unreachable.length) notApplicable('the crawl followed no typed link');
  const problems: string[] = unreachable.map((u) => `${u.via!.from} → link ${u.via!.link.Rel} ${u.via!.link.Type} ${u.url}: cannot be fetched (${u.error})`);
  for (const v of followed) {
    const type = v.via!.link.Type!;
    if (v.status !== 200) {
      problems.push(`${v.via!.from} → link ${v.via!.link.Rel} ${type} ${v.url}: status ${v.status}`);
      continue;
    }
    const expected = rootForType(type, v.operationId);
    if (v.root !== undefined && v.root !== expected) problems.push(`${v.url} (link Type ${type}) has root <${v.root}>, expected <${expected}>`);
    let body: Record<string, unknown>;
    try {
      body = v.response.body<Record<string, unknown>>();
    } catch (err) {
      problems.push(`${v.url} (link Type ${type}, root <${expected}>) cannot be read as such: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    // JSON has no root element: the body's own Type must map to the same root (EntityRef for any …Reference).
    if (v.root === undefined && typeof body.Type === 'string' && typeof body.UID === 'string' && rootForType(body.Type) !== expected) problems.push(`${v.url} (link Type ${type}, root <${expected}>) has Type ${String(body.Type)}`);
  }
  // every other typed link to a resource the crawl visited, not only the one that led there first
  const visited = new Map(estate.visits.filter((v) => v.status === 200).map((v) => [urlKey(v.url), v]));
  const reported = new Set<string>();
  for (const { from, link } of estate.links) {
    const v = link.Type ? visited.get(urlKey(link.Href)) : undefined;
    if (!v || v.via?.link === link) continue;
    const expected = rootForType(link.Type!, v.operationId);
    const key = `${link.Rel} ${link.Type} → ${v.operationId}`;
    if (v.root !== undefined && v.root !== expected && !reported.has(key)) {
      reported.add(key);
      problems.push(`${from} → link ${link.Rel} ${link.Type} ${v.url} has root <${v.root}>, expected <${expected}>`);
    }
  }
  expect(problems, report(problems)).toEqual([]);
  test.info().annotations.push({ type: 'crawl', description: `${estate.visits.length} visited, ${estate.outsideContract.length} links outside the contract, ${estate.unvisited} left by the budget` });
});

function collectAllLinks(body: unknown): Array<{ Rel: string; Href: string; Type: string | null }> {
  const out: Array<{ Rel: string; Href: string; Type: string | null }> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.Rel === 'string' && typeof o.Href === 'string') out.push({ Rel: o.Rel, Href: o.Href, Type: (o.Type as string | null) ?? null });
      else Object.values(o).forEach(walk);
    }
  };
  walk(body);
  return out;
}

/** The first sample of an item operation found by the crawl, as its reference Href. */
function sample(estate: { samples: Map<string, string[]> }, operationId: string): string | undefined {
  return estate.samples.get(operationId)?.[0]?.split('?')[0];
}

async function referenceAndEntity(em: EmClient, href: string) {
  const reference = await em.get(href);
  expect(reference).toHaveStatus(200);
  return { reference: reference.body(), entity: await entityAt(em, href) };
}

const ITEM_OPERATIONS = ['getBackupSession', 'getBackupTaskSession', 'getJob', 'getAgentJob', 'getBackupServer', 'getRestorePoint', 'getVmRestorePoint'];

for (const operationId of ITEM_OPERATIONS) {
  test(`${operationId}: Alternate links round-trip between reference and entity, which agree`, rules('LINK-003', 'FMT-005'), async ({ em, estate }) => {
    const href = sample(estate, operationId);
    if (!href) notApplicable(`the crawl found no resource for ${operationId}`);
    const { reference, entity } = await referenceAndEntity(em, href!);
    // Link targets are compared with the address the resource was read at (what the Hrefs of the bodies say about
    // themselves is ID-002's to check).
    const toEntity = findLink(reference, 'Alternate');
    expect(toEntity, 'the reference has an Alternate link').toBeTruthy();
    expect(toEntity!.Href.toLowerCase(), "the reference's Alternate link points to the entity").toBe(`${href}?format=Entity`.toLowerCase());
    expect(rootForType(toEntity!.Type ?? '')).not.toBe('EntityRef');
    const back = findLink(entity, 'Alternate');
    expect(back?.Href?.toLowerCase(), "the entity's Alternate link points back to the reference").toBe(href!.toLowerCase());
    // Documented agent jobs link back with Type JobReference while their reference says AgentBackupJobReference
    // (em-api-notes §5.5): what must hold is that the Type names a reference.
    expect(rootForType(back?.Type ?? ''), `Alternate Type ${back?.Type} names a reference`).toBe('EntityRef');
    expect(entity.UID).toBe(reference.UID);
    expect(entity.Name).toBe(reference.Name);
  });
}

test('job sessions link up to their job, task sessions to their session', rules('LINK-004'), async ({ em, estate }) => {
  const sessionHref = sample(estate, 'getBackupSession');
  const taskHref = sample(estate, 'getBackupTaskSession');
  if (!sessionHref && !taskHref) notApplicable('the crawl found no job session and no task session');
  if (sessionHref) {
    const s = await entityAt(em, sessionHref);
    const up = findLink(s, 'Up', 'JobReference');
    expect(up, 'Up JobReference link').toBeTruthy();
    expect(idOfHref(up!.Href)).toBe(idOfUid(s.JobUid));
    expect(up!.Name).toBe(s.JobName);
  }
  if (taskHref) {
    const t = await entityAt(em, taskHref);
    const up = findLink(t, 'Up', 'BackupJobSessionReference');
    expect(up, 'Up BackupJobSessionReference link').toBeTruthy();
    expect(idOfHref(up!.Href)).toBe(idOfUid(t.JobSessionUid));
  }
});

test('action links carry no Type', rules('LINK-005'), async ({ estate }) => {
  const actions = okVisits(estate.visits).flatMap((v) => collectAllLinks(v.body).filter((l) => ['Start', 'Stop', 'Retry', 'ToggleScheduleEnabled'].includes(l.Rel)).map((l) => ({ v, l })));
  if (!actions.length) notApplicable('no action link in the visited representations');
  const problems = actions.filter(({ l }) => l.Type !== null && l.Type !== undefined).map(({ v, l }) => `${v.url}: ${l.Rel} link has Type ${l.Type}`);
  expect(problems, report(problems)).toEqual([]);
  // The action is named in the query string (Start is ?action=start on jobs, ?action=collect on backup servers, §5.8).
  const hrefs = actions.filter(({ l }) => !/\?action=[A-Za-z]+$/.test(l.Href)).map(({ v, l }) => `${v.url}: ${l.Rel} link Href ${l.Href}`);
  expect(hrefs, report(hrefs)).toEqual([]);
});

test('sessions, task sessions and jobs link up to a listed backup server', rules('LINK-006'), async ({ em, estate }) => {
  const servers = new Set<string>(((await em.get('/backupServers')).body().Refs as Array<{ Href: string }>).map((r) => r.Href));
  const nodes = okVisits(estate.visits).flatMap((v) => resources(v.body).filter((n) => /^(BackupJobSession|BackupTaskSession|Job|AgentBackupJob)(Reference)?$/.test(n.Type ?? '')).map((n) => ({ v, n })));
  if (!nodes.length) notApplicable('no job, session or task session among the visited representations');
  const problems = nodes.flatMap(({ v, n }) => {
    const up = findLink(n, 'Up', 'BackupServerReference');
    if (!up) return [`${v.url} ${n.where}: no Up BackupServerReference link`];
    return servers.has(up.Href) ? [] : [`${v.url} ${n.where}: Up link to ${up.Href}, which GET /backupServers does not list`];
  });
  expect(problems, report(problems)).toEqual([]);
});

test('job sessions link down to their task sessions and to stop', rules('LINK-007'), async ({ em, estate }) => {
  // the sessions the crawl sampled, and one session of each State among the query service's first page (the
  // newest sessions are often all running: finished ones must be seen too), each at the address it was read at
  const byState = new Map<string, string>();
  for (const s of queryItems((await em.get('/query', { params: { type: 'BackupJobSession', format: 'Entities', pageSize: 100 } })).body())) if (!byState.has(s.State)) byState.set(s.State, String(s.Href));
  const hrefs = [...new Set([...(estate.samples.get('getBackupSession') ?? []), ...byState.values()].map((u) => u.split('?')[0]!))];
  if (!hrefs.length) notApplicable('the crawl found no job session');
  for (const href of hrefs) {
    const { reference, entity } = await referenceAndEntity(em, href);
    expect.soft(findLink(reference, 'Down', 'BackupTaskSessionReferenceList')?.Href?.toLowerCase(), `${href}: Down link to its task sessions`).toBe(`${href}/taskSessions`.toLowerCase());
    expect.soft(findLink(entity, 'Stop')?.Href?.toLowerCase(), `${href} (State ${entity.State}): Stop link`).toBe(`${href}?action=stop`.toLowerCase());
  }
});

test('agent jobs link to their server, includes, sessions and actions', rules('LINK-008'), async ({ em, estate }) => {
  const href = sample(estate, 'getAgentJob');
  if (!href) notApplicable('no agent backup job on this server');
  const { entity } = await referenceAndEntity(em, href!);
  const base = href!;
  expect(findLink(entity, 'Up', 'BackupServerReference'), 'Up BackupServerReference').toBeTruthy();
  expect(findLink(entity, 'Alternate'), 'Alternate').toBeTruthy();
  const downs = linksOf(entity).filter((l) => l.Rel === 'Down').map((l) => l.Href);
  expect(downs).toContain(`${base}/includes`);
  expect(downs).toContain(`${base}/backupSessions`);
  for (const action of ['toggleScheduleEnabled', 'start', 'stop', 'retry']) {
    const rel = action.charAt(0).toUpperCase() + action.slice(1);
    expect(findLink(entity, rel)?.Href, `${rel} link`).toBe(`${base}?action=${action}`);
  }
});
