/**
 * Collections: the 30-day window of session collections, agent parent and child sessions, and child collections
 * pointing back to their parent (rules WIN-*, AGENT-*, COLL-*). Data comes from the server: the query service (not
 * limited to 30 days) is the reference the collections are compared with.
 */
import type { EmClient, EmResponse } from '../../src/suite/client.ts';
import { expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';
import { entityAt } from '../../src/suite/entities.ts';
import { findLink, idOfHref, idOfUid, queryItems } from '../../src/suite/invariants.ts';

const DAY = 86_400_000;
/** Items this close to the 30-day edge are left out of exact comparisons: the client's and server's clocks differ. */
const EDGE_MS = 10 * 60_000;

function serverNow(r: EmResponse): number {
  const date = r.headers.date ? Date.parse(r.headers.date) : NaN;
  return Number.isFinite(date) ? date : Date.now();
}

/** Query entities: every page, or only the first page when `pageSize` is given. */
async function allPages(em: EmClient, params: Record<string, string | number>): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  const onePage = params.pageSize !== undefined;
  const first = await em.get('/query', { params: { pageSize: 1000, ...params, format: 'Entities', page: 1 } });
  expect(first).toHaveStatus(200);
  let body = first.body();
  for (let page = 1; ; page++) {
    const entities = body.Entities ?? {};
    for (const list of Object.values(entities)) if (list) for (const arr of Object.values(list as object)) items.push(...(arr as Record<string, any>[]));
    if (onePage || page >= Number(body.PagingInfo?.PagesCount ?? 1) || page >= 50) break;
    const next = await em.get('/query', { params: { ...params, format: 'Entities', pageSize: 1000, page: page + 1 } });
    body = next.body();
  }
  return items;
}

const uidsOf = (items: Array<Record<string, any>>) => new Set(items.map((i) => String(i.UID).toLowerCase()));

function compareWindow(listed: Record<string, any>[], reference: Record<string, any>[], now: number, what: string) {
  const start = now - 30 * DAY;
  const outside = listed.filter((s) => Date.parse(s.CreationTimeUTC) < start - EDGE_MS).map((s) => `${s.Name} (${s.CreationTimeUTC})`);
  expect(outside, `${what} lists sessions older than 30 days:\n${outside.slice(0, 10).join('\n')}`).toEqual([]);
  const listedUids = uidsOf(listed);
  const missing = reference.filter((s) => Date.parse(s.CreationTimeUTC) > start + EDGE_MS && !listedUids.has(s.UID.toLowerCase())).map((s) => `${s.Name} (${s.CreationTimeUTC})`);
  expect(missing, `${what} misses sessions of the last 30 days:\n${missing.slice(0, 10).join('\n')}`).toEqual([]);
}

test('GET /backupSessions lists exactly the sessions of the last 30 days', rules('WIN-001'), async ({ em }) => {
  const r = await em.get('/backupSessions', { params: { format: 'Entity' } });
  expect(r).toHaveStatus(200);
  const now = serverNow(r);
  const recent = await allPages(em, { type: 'BackupJobSession', filter: `CreationTime>="${new Date(now - 31 * DAY).toISOString()}"` });
  const listed = r.body().BackupJobSessions;
  expect(Array.isArray(listed), 'GET /backupSessions?format=Entity holds a BackupJobSessions list').toBe(true);
  compareWindow(listed, recent, now, 'GET /backupSessions');
});

test('task session collections cover the last 30 days', rules('WIN-002'), async ({ em }) => {
  const r = await em.get('/backupTaskSessions', { params: { format: 'Entity' } });
  expect(r).toHaveStatus(200);
  const now = serverNow(r);
  const recent = await allPages(em, { type: 'BackupTaskSession', filter: `CreationTime>="${new Date(now - 31 * DAY).toISOString()}"` });
  compareWindow(r.body().BackupTaskSessions, recent, now, 'GET /backupTaskSessions');
  const [session] = await allPages(em, { type: 'BackupJobSession', filter: `CreationTime>="${new Date(now - 29 * DAY).toISOString()}";JobType==Backup`, pageSize: 1 });
  if (!session) return;
  const refs = (await em.get(`/backupSessions/${idOfUid(session.UID)}/taskSessions`)).body().Refs as Array<{ Href: string }>;
  for (const ref of refs.slice(0, 10)) {
    const t = await entityAt(em, ref.Href);
    expect(Date.parse(t.CreationTimeUTC)).toBeGreaterThan(now - 30 * DAY - EDGE_MS);
  }
});

async function agentParents(em: EmClient, extraFilter = ''): Promise<Record<string, any>[]> {
  return allPages(em, { type: 'BackupJobSession', filter: `JobType==AgentBackup${extraFilter}` });
}

test('agent session collections cover the last 30 days', rules('WIN-003', 'AGENT-006'), async ({ em }) => {
  const r = await em.get('/agents/backupSessions', { params: { format: 'Entity' } });
  expect(r).toHaveStatus(200);
  const now = serverNow(r);
  const recent = await allPages(em, { type: 'BackupJobSession', filter: `(JobType==AgentBackup,JobType==AgentManagement);CreationTime>="${new Date(now - 31 * DAY).toISOString()}"` });
  if (!recent.length && !r.body().BackupJobSessions?.length) notApplicable('no agent backup sessions on this server');
  compareWindow(r.body().BackupJobSessions, recent, now, 'GET /agents/backupSessions');
  const parents = await agentParents(em, `;CreationTime>="${new Date(now - 29 * DAY).toISOString()}"`);
  for (const p of parents.slice(0, 3)) {
    const children = (await em.get(`/backupSessions/${idOfUid(p.UID)}/agentManagementSessions`, { params: { format: 'Entity' } }));
    expect(children).toHaveStatus(200);
  }
});

test('old sessions remain reachable through the query service and by ID', rules('WIN-004'), async ({ em }) => {
  const r = await em.get('/query', { params: { type: 'BackupJobSession', format: 'Entities', pageSize: 5, filter: `CreationTime<"${new Date(Date.now() - 31 * DAY).toISOString()}"` } });
  expect(r).toHaveStatus(200);
  const old = queryItems(r.body());
  if (!old.length) notApplicable('no session older than 30 days on this server');
  const one = await em.get(`/backupSessions/${idOfUid(old[0]!.UID)}`);
  expect(one).toHaveStatus(200);
});

test('AgentBackup sessions have one AgentManagement child per computer, linking both ways', rules('AGENT-001', 'AGENT-003', 'AGENT-004', 'AGENT-005'), async ({ em }) => {
  const now = Date.now();
  const parents = await agentParents(em, `;CreationTime>="${new Date(now - 29 * DAY).toISOString()}"`);
  if (!parents.length) notApplicable('no AgentBackup session in the last 30 days on this server');
  for (const parent of parents.slice(0, 3)) {
    const parentId = idOfUid(parent.UID);
    const parentHref = String(parent.Href).split('?')[0];
    expect(findLink(parent, 'Alternate', 'BackupJobSessionReferenceList')?.Href, 'the parent links to its children').toBe(`${parentHref}/agentManagementSessions`);
    const children = (await em.get(`/backupSessions/${parentId}/agentManagementSessions`, { params: { format: 'Entity' } })).body().BackupJobSessions as Array<Record<string, any>>;
    const refs = (await em.get(`/backupSessions/${parentId}/agentManagementSessions`)).body().Refs as Array<Record<string, any>>;
    expect(refs.length).toBe(children.length);
    const jobUids = new Set<string>();
    for (const child of children) {
      expect(child.JobType).toBe('AgentManagement');
      expect(jobUids.has(child.JobUid), `two children of ${parent.Name} share JobUid ${child.JobUid}`).toBe(false);
      jobUids.add(child.JobUid);
      const up = findLink(child, 'Up', 'BackupJobSessionReference');
      expect(up?.Name).toBe('Parent session');
      expect(idOfHref(up!.Href)).toBe(parentId);
      const job = findLink(child, 'Up', 'JobReference');
      expect(job?.Href, 'the child links to its per-computer agent job').toMatch(/\/agents\/jobs\/[^/]+$/);
      expect(job!.Name!.startsWith(`${parent.JobName} - `), `child job name '${job!.Name}' is '<parent job> - <computer>'`).toBe(true);
      expect(child.Name.startsWith(`${job!.Name}@`), `child session name '${child.Name}' is '<job>@<start>'`).toBe(true);
    }
  }
});

test('agentManagementSessions of a session that is not AgentBackup is empty', rules('AGENT-002'), async ({ em }) => {
  const [session] = await allPages(em, { type: 'BackupJobSession', filter: `JobType==Backup;CreationTime>="${new Date(Date.now() - 29 * DAY).toISOString()}"`, pageSize: 1 });
  if (!session) notApplicable('no Backup session in the last 30 days on this server');
  const r = await em.get(`/backupSessions/${idOfUid(session!.UID)}/agentManagementSessions`);
  expect(r).toHaveStatus(200);
  expect(r.body().Refs).toEqual([]);
});

test('task sessions of a job session point back to it, all of them', rules('COLL-001'), async ({ em }) => {
  const sessions = await allPages(em, { type: 'BackupJobSession', filter: `JobType==Backup;CreationTime>="${new Date(Date.now() - 29 * DAY).toISOString()}"`, pageSize: 3 });
  if (!sessions.length) notApplicable('no Backup session in the last 30 days on this server');
  for (const s of sessions.slice(0, 3)) {
    const listed = (await em.get(`/backupSessions/${idOfUid(s.UID)}/taskSessions`)).body().Refs as Array<{ Href: string; UID: string }>;
    const byQuery = await allPages(em, { type: 'BackupTaskSession', filter: `JobSessionUid==${idOfUid(s.UID)}` });
    expect(uidsOf(listed)).toEqual(uidsOf(byQuery));
    for (const ref of listed.slice(0, 5)) {
      const t = await entityAt(em, ref.Href);
      expect(idOfUid(t.JobSessionUid)).toBe(idOfUid(s.UID));
    }
  }
});

for (const [rule, listPath, title] of [
  ['COLL-002', '/jobs', "a job's backup sessions belong to the job"],
  ['COLL-003', '/agents/jobs', "an agent job's backup sessions belong to the agent job"],
] as const) {
  test(title, rules(rule), async ({ em }) => {
    const jobs = (await em.get(listPath)).body().Refs as Array<{ Href: string; UID: string }>;
    if (!jobs.length) notApplicable(`GET ${listPath} lists no job on this server`);
    let checked = 0;
    for (const job of jobs.slice(0, 3)) {
      const sessions = (await em.get(`${job.Href}/backupSessions`)).body().Refs as Array<{ Href: string }>;
      for (const ref of sessions.slice(0, 3)) {
        const s = await entityAt(em, ref.Href);
        expect(idOfUid(s.JobUid), `${s.Name} is listed under ${job.Href}`).toBe(idOfUid(job.UID));
        checked += 1;
      }
    }
    if (!checked) notApplicable(`no job under ${listPath} has a session in the last 30 days`);
  });
}

test("an agent job's includes are ObjectInAgentBackupJob items under it", rules('COLL-004'), async ({ em }) => {
  const jobs = (await em.get('/agents/jobs')).body().Refs as Array<{ Href: string }>;
  if (!jobs.length) notApplicable('no agent backup job on this server');
  const r = await em.get(`${jobs[0]!.Href}/includes`, { expectedRoot: 'ObjectsInAgentBackupJob' });
  expect(r).toHaveStatus(200);
  if (!r.isJson) expect(r.root).toBe('ObjectsInAgentBackupJob');
  const items = Object.values(r.body()).find(Array.isArray) as Array<{ Href: string; Type: string }> | undefined;
  for (const item of items ?? []) {
    expect(item.Type).toBe('ObjectInAgentBackupJob');
    expect(item.Href.startsWith(`${jobs[0]!.Href}/includes/`), item.Href).toBe(true);
  }
});
