// The mock's domain behaviour through its handlers: the 30-day window, agent parent/child links, link resolution,
// actions and tasks, errors, and query semantics (filter + sort + page; pages join to the whole).
import { describe, expect, it } from 'vitest';
import { listOperations } from '../../src/contract/spec.ts';
import { rootForType } from '../../src/contract/validate.ts';
import { MockHttpError, type HandlerResult } from '../../src/mock/types.ts';
import { R_FAILED, WINDOW_MS } from '../../src/mock/domain/store.ts';
import { BASE, call, domain, guidOf, NOW, type Obj } from './mock-domain-helpers.ts';

const DAY = 86_400_000;

async function status(p: Promise<HandlerResult>): Promise<number> {
  try {
    return (await p).status;
  } catch (e) {
    if (e instanceof MockHttpError) return e.status;
    throw e;
  }
}

async function error(p: Promise<HandlerResult>): Promise<MockHttpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MockHttpError) return e;
    throw e;
  }
  throw new Error('expected a MockHttpError');
}

const uids = (r: HandlerResult): string[] => ((r.body as Obj).Refs as Obj[]).map((x) => x.UID as string);

describe('the 30-day window (em-api-notes §8.1)', () => {
  const d = domain({ sessions: 4000, seed: 5 });
  const st = d.store;
  const cutoff = NOW.getTime() - WINDOW_MS;
  const expected = (f: (i: number) => boolean = () => true) => {
    const out: string[] = [];
    for (let i = 0; i < st.sessionCount; i++) if (st.sCreated.get(i) >= cutoff && f(i)) out.push(`urn:veeam:BackupJobSession:${st.sessionId(i)}`);
    return out.sort();
  };

  it('/backupSessions lists exactly the sessions of the last 30 days, newest first', async () => {
    const r = await call(d, 'listBackupSessions');
    const got = uids(r);
    expect([...got].sort()).toEqual(expected());
    expect(got.length).toBeLessThan(st.sessionCount);
    const ent = ((await call(d, 'listBackupSessions', {}, 'format=Entity')).body as Obj).BackupJobSessions as Obj[];
    expect(ent.map((e) => e.UID)).toEqual(got); // same members, same order (FMT-004)
    const times = ent.map((e) => Date.parse(e.CreationTimeUTC));
    expect(times[0]).toBeGreaterThan(times[times.length - 1]!);
  });

  it('/agents/backupSessions lists exactly the agent sessions of /backupSessions (AGENT-006)', async () => {
    const all = ((await call(d, 'listBackupSessions', {}, 'format=Entity')).body as Obj).BackupJobSessions as Obj[];
    const agent = uids(await call(d, 'listAgentBackupSessions'));
    expect(agent).toEqual(all.filter((s) => s.JobType === 'AgentBackup' || s.JobType === 'AgentManagement').map((s) => s.UID));
    expect(agent.length).toBeGreaterThan(0);
  });

  it('/backupTaskSessions and /backupSessions/{ID}/taskSessions cover the last 30 days only', async () => {
    const got = uids(await call(d, 'listBackupTaskSessions'));
    let n = 0;
    for (let t = 0; t < st.taskCount; t++) if (st.tCreated.get(t) >= cutoff) n++;
    expect(got.length).toBe(n);
    expect(n).toBeLessThan(st.taskCount);
    let old = 0;
    while (st.sTaskCount.get(old) === 0) old++;
    expect(st.sCreated.get(old)).toBeLessThan(cutoff);
    expect(uids(await call(d, 'listBackupSessionTaskSessions', { ID: st.sessionId(old) }))).toEqual([]);
    const recent = st.sessionCount - 1 - [...Array(st.sessionCount).keys()].reverse().findIndex((i) => st.sTaskCount.get(i) > 0);
    expect(uids(await call(d, 'listBackupSessionTaskSessions', { ID: st.sessionId(recent) })).length).toBe(st.sTaskCount.get(recent));
  });

  it('single resources and the query service are not limited (WIN-004)', async () => {
    const old = st.sessionId(0);
    expect(st.sCreated.get(0)).toBeLessThan(cutoff);
    expect((await call(d, 'getBackupSession', { ID: old })).status).toBe(200);
    const q = await call(d, 'query', {}, 'type=BackupJobSession&pageSize=10000');
    expect((q.body as Obj).PagingInfo.PagesCount).toBe(1);
    expect(((q.body as Obj).Refs.Refs as Obj[]).length).toBe(st.sessionCount);
  });

  it('follows the clock', async () => {
    const before = uids(await call(d, 'listBackupSessions')).length;
    d.clock.now = new Date(NOW.getTime() + 10 * DAY);
    const after = uids(await call(d, 'listBackupSessions')).length;
    d.clock.now = NOW;
    expect(after).toBeLessThan(before);
  });
});

describe('agent sessions: parent and children link both ways', () => {
  const d = domain({ sessions: 3000, seed: 8 });
  const st = d.store;

  it('every AgentBackup parent lists its AgentManagement children, which point back to it', async () => {
    const parents = ((await call(d, 'listAgentBackupSessions', {}, 'format=Entity')).body as Obj).BackupJobSessions.filter((s: Obj) => s.JobType === 'AgentBackup') as Obj[];
    expect(parents.length).toBeGreaterThan(3);
    for (const p of parents) {
      const alt = (p.Links as Obj[]).find((l) => l.Rel === 'Alternate' && l.Type === 'BackupJobSessionReferenceList')!;
      expect(alt.Href).toBe(`${p.Href.replace('?format=Entity', '')}/agentManagementSessions`);
      const id = guidOf(p.Href);
      const children = ((await call(d, 'listAgentManagementSessions', { ID: id })).body as Obj).Refs as Obj[];
      expect(children.length).toBeGreaterThan(0);
      const jobUps = new Set<string>();
      for (const c of children) {
        const up = (c.Links as Obj[]).find((l) => l.Rel === 'Up' && l.Type === 'BackupJobSessionReference')!;
        expect(up.Name).toBe('Parent session');
        expect(up.Href).toBe(`${BASE}/backupSessions/${id}`);
        const job = (c.Links as Obj[]).find((l) => l.Rel === 'Up' && l.Type === 'JobReference')!;
        expect(job.Href).toMatch(/\/agents\/jobs\/[0-9a-f-]{36}$/);
        expect(job.Name.startsWith(`${p.JobName} - `)).toBe(true);
        expect(c.Name).toMatch(new RegExp(`^${job.Name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$`));
        jobUps.add(job.Href);
        // The per-machine job resolves.
        const jr = await call(d, 'getAgentJob', { ID: guidOf(job.Href) }, 'format=Entity');
        expect((jr.body as Obj).Name).toBe(job.Name);
        const ce = (await call(d, 'getBackupSession', { ID: guidOf(c.Href) }, 'format=Entity')).body as Obj;
        expect(ce.JobType).toBe('AgentManagement');
        expect(guidOf(ce.JobUid.replace(/^urn:veeam:[A-Za-z]+:/, '/x/'))).toBe(guidOf(job.Href));
      }
      expect(jobUps.size).toBe(children.length); // one child per computer (AGENT-001)
    }
  });

  it('a session that is not an AgentBackup container has an empty children list (AGENT-002)', async () => {
    let i = 0;
    while (st.sessionJob(i).sessionJobType === 'AgentBackup') i++;
    const r = await call(d, 'listAgentManagementSessions', { ID: st.sessionId(i) });
    expect(r.status).toBe(200);
    expect(r.root).toBe('EntityReferences');
    expect(uids(r)).toEqual([]);
  });

  it('per-machine jobs are resolvable but not listed', async () => {
    const listed = uids(await call(d, 'listAgentJobs'));
    expect(listed.length).toBe(st.jobs.filter((j) => j.kind === 'agent').length);
    const child = st.jobs.find((j) => j.kind === 'agentChild')!;
    expect(listed).not.toContain(`urn:veeam:AgentBackupJob:${child.id}`);
    expect((await call(d, 'getAgentJob', { ID: child.id })).status).toBe(200);
  });
});

describe('every typed link to an operation of the contract resolves to its Type (LINK-001, LINK-002)', () => {
  const d = domain({ sessions: 1500, seed: 21 });
  const gets = listOperations().filter((o) => o.method === 'GET');
  const routes = gets.map((o) => ({ op: o.operationId, re: new RegExp(`^${o.path.replace(/\{ID\}/g, '([^/]+)').replace(/\/$/, '')}/?$`) }));
  const ACTIONS = new Set(['Start', 'Stop', 'Retry', 'ToggleScheduleEnabled', 'Edit', 'Delete', 'Clone', 'Sync', 'Create']);

  async function resolve(href: string): Promise<HandlerResult | undefined> {
    expect(href.startsWith(`${BASE}/`)).toBe(true);
    const [path, qs = ''] = href.slice(BASE.length).split('?');
    for (const r of routes) {
      const m = r.re.exec(path!);
      if (m && d.handlers[r.op]) return await call(d, r.op, m[1] ? { ID: decodeURIComponent(m[1]) } : {}, qs);
    }
    return undefined;
  }

  it('crawling from the top-level collections', async () => {
    const seen = new Set<string>();
    let followed = 0;
    const queue: HandlerResult[] = [];
    for (const op of ['listBackupSessions', 'listAgentJobs', 'listJobs', 'listBackupServers', 'getQueryService', 'getAgentsService']) {
      queue.push(await call(d, op));
      queue.push(await call(d, op, {}, 'format=Entity').catch(() => call(d, op)));
    }
    const links = (v: unknown, out: Obj[] = []): Obj[] => {
      if (Array.isArray(v)) v.forEach((x) => links(x, out));
      else if (v && typeof v === 'object') {
        const o = v as Obj;
        if (typeof o.Rel === 'string' && typeof o.Href === 'string') out.push(o);
        else Object.values(o).forEach((x) => links(x, out));
      }
      return out;
    };
    while (queue.length && followed < 400) {
      const r = queue.shift()!;
      // Sample: at most 6 links of each Rel/Type per body.
      const perKind = new Map<string, number>();
      for (const l of links(r.body)) {
        if (!l.Type || ACTIONS.has(l.Rel)) continue;
        const kind = `${l.Rel} ${l.Type}`;
        if ((perKind.get(kind) ?? 0) >= 6 || seen.has(l.Href)) continue;
        perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
        seen.add(l.Href);
        const got = await resolve(l.Href);
        if (!got) continue; // outside the contract (x-em-links-outside-contract)
        followed++;
        expect(got.status, l.Href).toBe(200);
        // Agent jobs are linked with the Types of VM jobs (Job, JobList, ObjectInJobList: 003, em-api-notes §5.5) but
        // answer the agent roots (rules LINK-001 note; spec listAgentJobs/listAgentJobIncludes); query links (querySvc)
        // answer QueryResult whatever their Type (em-api-notes §6: `*→QueryResult`).
        const AGENT_ROOTS: Record<string, string> = { Job: 'AgentBackupJob', JobList: 'AgentBackupJobs', ObjectInJobList: 'ObjectsInAgentBackupJob' };
        const expectedRoot = l.Href.startsWith(`${BASE}/query?`)
          ? 'QueryResult'
          : (l.Href.includes('/agents/jobs') && AGENT_ROOTS[l.Type]) || rootForType(l.Type);
        expect(got.root, `${l.Rel} ${l.Type} ${l.Href}`).toBe(expectedRoot);
        queue.push(got);
      }
    }
    expect(followed).toBeGreaterThan(100);
  });
});

describe('actions change state and answer with tasks', () => {
  const d = domain({ sessions: 2500, seed: 13 });
  const st = d.store;
  const agents = st.jobs.filter((j) => j.kind === 'agent');
  const advance = (ms: number) => (d.clock.now = new Date(d.clock.now.getTime() + ms));

  it('start creates a running session; its task finishes after 2 s; stop ends it (ACT-001, -002, -006, -007)', async () => {
    const job = agents.find((j) => st.sessionsOfJob(j.index).every((i) => !st.isRunning(i)))!;
    const start = await call(d, 'agentJobAction', { ID: job.id }, 'action=start');
    expect(start.status).toBe(202);
    expect(start.root).toBe('Task');
    const task = start.body as Obj;
    expect(task).toMatchObject({ State: 'Running', Operation: 'StartJob', Result: null, Type: 'Task' });
    expect(task.Href).toBe(`${BASE}/tasks/${task.TaskId}`);
    expect(start.headers?.Location).toBe(task.Href);

    const sessions = ((await call(d, 'listAgentJobBackupSessions', { ID: job.id }, 'format=Entity')).body as Obj).BackupJobSessions as Obj[];
    const s = sessions[0]!;
    expect(s).toMatchObject({ State: 'Working', Result: 'None', EndTimeUTC: null, JobName: job.name, IsRetry: false });
    const q = await call(d, 'query', {}, `type=BackupJobSession&filter=JobUid==${job.id};State==Working`);
    expect(uids({ ...q, body: (q.body as Obj).Refs })).toEqual([s.UID]);
    const children = uids(await call(d, 'listAgentManagementSessions', { ID: guidOf(s.Href) }));
    expect(children.length).toBe(job.objects.length);

    expect(((await call(d, 'getTask', { ID: task.TaskId })).body as Obj).State).toBe('Running');
    advance(2000);
    const done = (await call(d, 'getTask', { ID: task.TaskId })).body as Obj;
    expect(done).toMatchObject({ State: 'Finished', Result: { Success: true, Message: `Job "${job.name}" triggered to start.` } });

    const again = (await call(d, 'agentJobAction', { ID: job.id }, 'action=start')).body as Obj;
    advance(2000);
    expect(((await call(d, 'getTask', { ID: again.TaskId })).body as Obj).Result).toMatchObject({ Success: false });

    advance(60_000);
    const stop = await call(d, 'agentJobAction', { ID: job.id }, 'action=stop');
    expect((stop.body as Obj).Operation).toBe('StopAgentJob');
    const after = (await call(d, 'getBackupSession', { ID: guidOf(s.Href) }, 'format=Entity')).body as Obj;
    expect(after.State).toBe('Stopped');
    expect(Date.parse(after.EndTimeUTC)).toBe(d.clock.now.getTime());
    for (const c of children) expect(((await call(d, 'getBackupSession', { ID: guidOf(c.replace(/^urn:veeam:BackupJobSession:/, '/x/')) }, 'format=Entity')).body as Obj).State).toBe('Stopped');
    advance(2000);
    expect(((await call(d, 'getTask', { ID: (stop.body as Obj).TaskId })).body as Obj).Result.Message).toBe(`Job "${job.name}" triggered to stop.`);
    const stopAgain = (await call(d, 'agentJobAction', { ID: job.id }, 'action=stop')).body as Obj;
    advance(2000);
    expect(((await call(d, 'getTask', { ID: stopAgain.TaskId })).body as Obj).Result.Success).toBe(false);
  });

  it('retry: only after a failed last session, then a session with IsRetry (ACT-008)', async () => {
    const failed = agents.find((j) => {
      const l = st.sessionsOfJob(j.index);
      const last = l[l.length - 1];
      return last !== undefined && !st.isRunning(last) && st.sResult.get(last) === R_FAILED;
    });
    const ok = agents.find((j) => {
      const l = st.sessionsOfJob(j.index);
      const last = l[l.length - 1];
      return last !== undefined && (st.isRunning(last) || st.sResult.get(last) !== R_FAILED);
    })!;
    const refused = (await call(d, 'agentJobAction', { ID: ok.id }, 'action=retry')).body as Obj;
    expect(refused.Operation).toBe('RetryAgentJob');
    advance(2000);
    expect(((await call(d, 'getTask', { ID: refused.TaskId })).body as Obj).Result.Success).toBe(false);
    if (failed) {
      const before = st.sessionCount;
      const t = (await call(d, 'agentJobAction', { ID: failed.id }, 'action=retry')).body as Obj;
      expect(st.sessionCount).toBeGreaterThan(before);
      const s = (await call(d, 'getBackupSession', { ID: st.sessionId(before) }, 'format=Entity')).body as Obj;
      expect(s).toMatchObject({ IsRetry: true, State: 'Working', JobName: failed.name });
      advance(2000);
      expect(((await call(d, 'getTask', { ID: t.TaskId })).body as Obj).Result.Message).toBe(`Job "${failed.name}" triggered to retry.`);
    }
  });

  it('toggleScheduleEnabled toggles, and a second toggle restores (ACT-005)', async () => {
    const job = agents[0]!;
    const get = async () => ((await call(d, 'getAgentJob', { ID: job.id }, 'format=Entity')).body as Obj).ScheduleEnabled as boolean;
    const before = await get();
    const t = (await call(d, 'agentJobAction', { ID: job.id }, 'action=toggleScheduleEnabled')).body as Obj;
    expect(t.Operation).toBe('UpdateJob');
    expect(await get()).toBe(!before);
    await call(d, 'agentJobAction', { ID: job.id }, 'action=TOGGLESCHEDULEENABLED');
    expect(await get()).toBe(before);
    advance(2000);
    expect(((await call(d, 'getTask', { ID: t.TaskId })).body as Obj).Result).toMatchObject({ Success: true, Message: 'Ok' });
  });

  it('stop on a backup session (StopJobSession); the session reaches Stopped with an EndTimeUTC', async () => {
    let running = -1;
    for (let i = 0; i < st.sessionCount; i++) if (st.isRunning(i) && st.sessionJob(i).kind === 'vm') running = i;
    expect(running).toBeGreaterThanOrEqual(0);
    const name = st.sessionName(running);
    const t = await call(d, 'backupSessionAction', { ID: st.sessionId(running) }, 'action=stop');
    expect(t.status).toBe(202);
    expect((t.body as Obj).Operation).toBe('StopJobSession');
    const s = (await call(d, 'getBackupSession', { ID: st.sessionId(running) }, 'format=Entity')).body as Obj;
    expect(s.State).toBe('Stopped');
    expect(s.EndTimeUTC).not.toBeNull();
    expect(s.Result).toBe('Failed');
    const tasks = ((await call(d, 'listBackupSessionTaskSessions', { ID: st.sessionId(running) }, 'format=Entity')).body as Obj).BackupTaskSessions as Obj[];
    for (const x of tasks) expect(x.State).toBe('Completed');
    advance(2000);
    expect(((await call(d, 'getTask', { ID: (t.body as Obj).TaskId })).body as Obj).Result.Message).toBe(`Job Session "${name}" triggered to stop.`);
  });

  it('bad actions are 400; actions by a Restore Operator are 403', async () => {
    expect(await status(call(d, 'agentJobAction', { ID: agents[0]!.id }, 'action=clone'))).toBe(400);
    expect(await status(call(d, 'agentJobAction', { ID: agents[0]!.id }))).toBe(400);
    expect(await status(call(d, 'backupSessionAction', { ID: st.sessionId(0) }, 'action=start'))).toBe(400);
    expect(await status(call(d, 'agentJobAction', { ID: agents[0]!.id }, 'action=start', { user: { name: 'ro', role: 'RestoreOperator' } }))).toBe(403);
  });

  it('tasks belong to their logon session; DELETE answers 204, then 404 (ACT-004)', async () => {
    const mine = (await call(d, 'agentJobAction', { ID: agents[1]!.id }, 'action=toggleScheduleEnabled', { logonSessionId: 'A' })).body as Obj;
    const theirs = (await call(d, 'agentJobAction', { ID: agents[1]!.id }, 'action=toggleScheduleEnabled', { logonSessionId: 'B' })).body as Obj;
    expect(mine.TaskId).toBe('task-1');
    expect(theirs.TaskId).toBe('task-1');
    expect(((await call(d, 'listTasks', {}, '', { logonSessionId: 'A' })).body as Obj).Tasks).toHaveLength(1);
    expect(await status(call(d, 'getTask', { ID: 'task-2' }, '', { logonSessionId: 'A' }))).toBe(404);
    expect(await status(call(d, 'deleteTask', { ID: 'task-1' }, '', { logonSessionId: 'A' }))).toBe(204);
    expect(await status(call(d, 'getTask', { ID: 'task-1' }, '', { logonSessionId: 'A' }))).toBe(404);
    expect(await status(call(d, 'deleteTask', { ID: 'task-1' }, '', { logonSessionId: 'A' }))).toBe(404);
    expect(await status(call(d, 'getTask', { ID: 'task-1' }, '', { logonSessionId: 'B' }))).toBe(200);
    const q = (await call(d, 'query', {}, 'type=Task&filter=State==Finished', { logonSessionId: 'B' })).body as Obj;
    expect(q.Resources.Tasks.Tasks).toHaveLength(0);
    advance(2000);
    const q2 = (await call(d, 'query', {}, 'type=task&format=Entities&filter=State==Finished', { logonSessionId: 'B' })).body as Obj;
    expect(q2.Resources.Tasks.Tasks.map((t: Obj) => t.TaskId)).toEqual(['task-1']);
  });
});

describe('errors', () => {
  const d = domain({ sessions: 300, seed: 2 });
  const st = d.store;
  const vm = st.jobs.find((j) => j.kind === 'vm')!;
  const agent = st.jobs.find((j) => j.kind === 'agent')!;

  it('unknown and malformed IDs are 404 naming the resource (ERR-003)', async () => {
    const cases: [string, string, string][] = [
      ['getBackupSession', '4856ab37-2235-45e8-affe-d515878b01a9', 'backup job session'],
      ['getBackupSession', 'not-a-guid', 'backup job session'],
      ['listBackupSessionTaskSessions', st.taskId(0), 'backup job session'],
      ['listAgentManagementSessions', 'zzz', 'backup job session'],
      ['getBackupTaskSession', st.sessionId(0), 'backup task session'],
      ['getJob', agent.id, 'job'],
      ['listJobIncludes', '00000000-0000-0000-0000-000000000000', 'job'],
      ['listJobBackupSessions', 'x', 'job'],
      ['getAgentJob', vm.id, 'agent backup job'],
      ['listAgentJobIncludes', vm.id, 'agent backup job'],
      ['listAgentJobBackupSessions', 'x', 'agent backup job'],
      ['agentJobAction', vm.id, 'agent backup job'],
      ['backupSessionAction', 'x', 'backup job session'],
      ['getBackupServer', vm.id, 'backup server'],
      ['getRestorePoint', st.sessionId(0), 'restore point'],
      ['listRestorePointVmRestorePoints', 'x', 'restore point'],
      ['listRestorePointBackupFiles', st.sessionId(0), 'restore point'],
      ['getVmRestorePoint', st.taskId(0), 'VM restore point'],
      ['getTask', 'task-77', 'task'],
      ['deleteTask', 'foo', 'task'],
    ];
    for (const [op, ID, what] of cases) {
      const e = await error(call(d, op, { ID }, op.endsWith('Action') ? 'action=stop' : ''));
      expect(e.status, `${op} ${ID}`).toBe(404);
      expect(e.message).toContain(what);
    }
    // A restore point of a session without one.
    let i = 0;
    while (st.hasRestorePoint(i)) i++;
    expect(await status(call(d, 'getRestorePoint', { ID: st.restorePointId(i) }))).toBe(404);
    expect(await status(call(d, 'listRestorePointBackupFiles', { ID: st.restorePointId(i) }))).toBe(404);
  });

  it('format: Entity in any case; anything else is 400', async () => {
    const ID = st.sessionId(1);
    expect((await call(d, 'getBackupSession', { ID }, 'format=entity')).root).toBe('BackupJobSession');
    expect((await call(d, 'getBackupSession', { ID }, 'FORMAT=ENTITY')).root).toBe('BackupJobSession');
    expect((await call(d, 'getBackupSession', { ID }, 'format=')).root).toBe('EntityRef');
    expect(await status(call(d, 'getBackupSession', { ID }, 'format=Entities'))).toBe(400);
    expect(await status(call(d, 'listBackupSessions', {}, 'format=xml'))).toBe(400);
  });

  it('/jobs is for Portal Administrators only (ERR-002)', async () => {
    expect(await status(call(d, 'listJobs', {}, '', { user: { name: 'u', role: 'PortalUser' } }))).toBe(403);
    expect(await status(call(d, 'listJobs', {}, '', { user: { name: 'a', role: 'PortalAdministrator' } }))).toBe(200);
  });

  it('query: missing or unknown type, bad filter, bad sort, bad paging are 400 with the engine message', async () => {
    for (const q of ['', 'type=', 'type=Nope', 'type=VmRestorePoint', 'type=BackupJobSession&filter=Result==', 'type=BackupJobSession&filter=Bogus==1',
      'type=BackupJobSession&sortAsc=Bogus', 'type=BackupJobSession&pageSize=0', 'type=BackupJobSession&page=x', 'type=BackupJobSession&format=Entity']) {
      const e = await error(call(d, 'query', {}, q));
      expect(e.status, q).toBe(400);
      expect(e.message.length).toBeGreaterThan(5);
    }
  });
});

describe('query semantics through the handler', () => {
  const d = domain({ sessions: 5000, seed: 17 });
  const st = d.store;
  const q = async (s: string) => (await call(d, 'query', {}, s)).body as Obj;

  it('filter + sort + page: every item matches, order holds, pages join to the whole (PAGE-010)', async () => {
    const filter = 'filter=(Result==Failed,Result==Warning);CreationTime>="2025-04-20T00:00:00Z"';
    const whole = await q(`type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=10000&${filter}`);
    const all = whole.Entities.BackupTaskSessions.BackupTaskSessions as Obj[];
    expect(all.length).toBeGreaterThan(20);
    for (const t of all) {
      expect(['Failed', 'Warning']).toContain(t.Result);
      expect(Date.parse(t.CreationTimeUTC)).toBeGreaterThanOrEqual(Date.parse('2025-04-20T00:00:00Z'));
    }
    for (let k = 1; k < all.length; k++) expect(Date.parse(all[k - 1]!.CreationTimeUTC)).toBeGreaterThanOrEqual(Date.parse(all[k]!.CreationTimeUTC));
    const pageSize = 7;
    const first = await q(`type=BackupTaskSession&sortDesc=CreationTime&pageSize=${pageSize}&${filter}`);
    const pages = first.PagingInfo.PagesCount as number;
    expect(pages).toBe(Math.ceil(all.length / pageSize));
    const joined: string[] = [];
    let href: string | undefined = (first.PagingInfo.Links as Obj[]).find((l) => l.Rel === 'First')!.Href;
    for (let p = 1; href; p++) {
      const body = await q(href.slice(`${BASE}/query?`.length));
      expect(body.PagingInfo.PageNum).toBe(p);
      expect(body.PagingInfo.PageSize).toBe(pageSize);
      const refs = body.Refs.Refs as Obj[];
      if (p < pages) expect(refs).toHaveLength(pageSize);
      joined.push(...refs.map((r) => r.UID));
      const links = body.PagingInfo.Links as Obj[];
      expect(links.some((l) => l.Rel === 'Previous')).toBe(p > 1);
      href = links.find((l) => l.Rel === 'Next')?.Href;
    }
    expect(joined).toEqual(all.map((t) => t.UID));
  });

  it('default page size 100, First/Last links, empty result is one empty page', async () => {
    const r = await q('type=BackupJobSession');
    expect(r.PagingInfo.PageSize).toBe(100);
    expect(r.Refs.Refs).toHaveLength(100);
    expect(r.PagingInfo.PagesCount).toBe(Math.ceil(st.sessionCount / 100));
    const empty = await q('type=BackupJobSession&filter=Name=="no such session"');
    expect(empty.Refs.Refs).toEqual([]);
    expect(empty.PagingInfo).toMatchObject({ PageNum: 1, PagesCount: 1 });
    expect((empty.PagingInfo.Links as Obj[]).map((l) => l.Rel)).toEqual(['First', 'Last']);
  });

  it('UID filters take the bare GUID or the URN; names and enums case-insensitively (FLT-010, -012, -013)', async () => {
    const i = st.sessionCount - 3;
    const id = st.sessionId(i);
    for (const f of [`UID==${id}`, `uid=="urn:veeam:BackupJobSession:${id}"`, `UID==${id.toUpperCase()}`]) {
      const r = await q(`type=backupjobsession&filter=${encodeURIComponent(f)}`);
      expect(r.Refs.Refs.map((x: Obj) => x.UID)).toEqual([`urn:veeam:BackupJobSession:${id}`]);
    }
    const job = st.sessionJob(i);
    const byJob = await q(`type=BackupJobSession&pageSize=10000&filter=${encodeURIComponent(`jobname=="${job.name}";result!=none`)}`);
    for (const r of byJob.Refs.Refs as Obj[]) expect(r.Name.startsWith(`${job.name}@`)).toBe(true);
    expect(byJob.Refs.Refs.length).toBe(st.sessionsOfJob(job.index).filter((s) => !st.isRunning(s)).length);
  });

  it('enum order: Result>Success is Warning and Failed (and None: running) (FLT-011)', async () => {
    const r = await q('type=BackupJobSession&format=Entities&pageSize=10000&filter=Result>Success');
    const results = new Set((r.Entities.BackupJobSessions.BackupJobSessions as Obj[]).map((s) => s.Result));
    expect(results).toEqual(new Set(['Warning', 'Failed', 'None']));
  });

  it('query entities equal the resources at their Href; refs and entities list the same members (QRY-006)', async () => {
    for (const [type, op] of [['BackupJobSession', 'getBackupSession'], ['BackupTaskSession', 'getBackupTaskSession'], ['Job', 'getJob'], ['AgentBackupJob', 'getAgentJob'], ['BackupServer', 'getBackupServer'], ['RestorePoint', 'getRestorePoint']] as const) {
      const ents = await q(`type=${type}&format=Entities&pageSize=5&sortDesc=Name`);
      const refs = await q(`type=${type}&pageSize=5&sortDesc=Name`);
      const prop = d.queryTypes.find((t) => t.name === type)!.entitiesProperty!;
      const list = Object.values(ents.Entities[prop] as Obj)[0] as Obj[];
      expect(list.map((e) => e.UID)).toEqual((refs.Refs.Refs as Obj[]).map((r) => r.UID));
      for (const e of list) expect((await call(d, op, { ID: guidOf(e.Href) }, 'format=Entity')).body).toEqual(e);
      for (const r of refs.Refs.Refs as Obj[]) expect((await call(d, op, { ID: guidOf(r.Href) })).body).toEqual(r);
    }
  });

  it('AgentBackupJob entities sit in the singular wrapper (JSON-006)', async () => {
    const r = await q('type=AgentBackupJob&format=entities&filter=Platform==AgentForLinux');
    const members = Object.entries(r.Entities as Obj).filter(([, v]) => v !== null);
    expect(members.map(([k]) => k)).toEqual(['AgentBackupJob']);
    const jobs = (members[0]![1] as Obj).AgentBackupJobs as Obj[];
    expect(jobs.length).toBeGreaterThan(0);
    for (const j of jobs) expect(j.Platform).toBe('AgentForLinux');
  });

  it('querySvc links to preconfigured queries that answer with PageSize 15 (QRY-005)', async () => {
    const svc = (await call(d, 'getQueryService')).body as Obj;
    expect(svc.Type).toBe('QueryService');
    const downs = (svc.Links as Obj[]).filter((l) => l.Rel === 'Down');
    expect(downs.map((l) => l.Type).sort()).toEqual(d.queryTypes.map((t) => `${t.name}List`).sort());
    for (const l of downs) {
      const r = await q(l.Href.slice(`${BASE}/query?`.length));
      expect(r.PagingInfo.PageSize).toBe(15);
    }
  });
});
