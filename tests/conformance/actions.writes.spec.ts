/**
 * Actions and tasks (rules ACT-*). They change the server, so they run only with EM_ALLOW_WRITES=1 (always on the
 * embedded mock), once (project `actions`, after every read test: see playwright.config.ts), one after the other,
 * and put back what they change.
 */
import type { EmClient, EmResponse } from '../../src/suite/client.ts';
import { expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';
import { entityAt } from '../../src/suite/entities.ts';
import { findLink, idOfHref, idOfUid, queryItems } from '../../src/suite/invariants.ts';

// in order, in one worker (the tests share the first agent job), and a failed test does not skip the next ones
test.describe.configure({ mode: 'default' });

test.beforeEach(({ config }, testInfo) => {
  if (!config.allowWrites) notApplicable('writes are disabled: set EM_ALLOW_WRITES=1 to run the action rules (they start and stop jobs)', 'config');
  // Playwright runs a teardown project in every shard: the actions run in the first only (the merged report keeps
  // that result), so that a server is not changed once per shard.
  const shard = testInfo.config.shard;
  test.skip(Boolean(shard && shard.current !== 1), `the actions run in shard 1 of ${shard?.total}`);
});

const FINAL_STATES = new Set(['Finished']);

/**
 * Polls a task until it is Finished (or the timeout), returning its last representation. The pause grows from 50 ms
 * to 1 s: a quick task is seen finished soon after it finishes, and a slow server is not polled more than once a
 * second.
 */
async function waitForTask(em: EmClient, taskHref: string, timeoutMs = 60_000): Promise<{ states: string[]; task: Record<string, any> }> {
  const states: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (let pause = 50; ; pause = Math.min(1000, pause * 1.5)) {
    const r = await em.get(taskHref);
    expect(r).toHaveStatus(200);
    const task = r.body();
    if (states[states.length - 1] !== task.State) states.push(task.State);
    if (FINAL_STATES.has(task.State) || Date.now() > deadline) return { states, task };
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

function expectAccepted(r: EmResponse): Record<string, any> {
  expect(r).toHaveStatus(202);
  const task = r.body();
  expect(String(task.Href)).toMatch(new RegExp(`/tasks/${task.TaskId}$`));
  return task;
}

/** A Task from an action answered with any success status: 202 itself is ACT-001's to judge. */
function succeeded(r: EmResponse): Record<string, any> {
  expect(r.status, `${r.describe()} succeeds`).toBeLessThan(300);
  return r.body();
}

async function firstAgentJob(em: EmClient): Promise<Record<string, any>> {
  const r = await em.get('/query', { params: { type: 'AgentBackupJob', format: 'Entities', pageSize: 5 } });
  const jobs = queryItems(r.body());
  if (!jobs.length) notApplicable('no agent backup job on this server');
  return jobs[0]!;
}

test('toggleScheduleEnabled answers 202 with a Task and really toggles, twice', rules('ACT-001', 'ACT-002', 'ACT-003', 'ACT-005'), async ({ em }) => {
  const job = await firstAgentJob(em);
  const before = job.ScheduleEnabled;
  for (const expected of [!before, before]) {
    const task = expectAccepted(await em.post(findLink(job, 'ToggleScheduleEnabled')!.Href));
    expect(task.Operation).toBe('UpdateJob');
    const { states, task: done } = await waitForTask(em, task.Href);
    expect(states[states.length - 1], `task states ${states.join(' → ')}`).toBe('Finished');
    expect(done.Result?.Success, 'a finished task has a Result with Success').not.toBeUndefined();
    // read back through the query service, so that this rule does not depend on GET ?format=Entity (FMT-002)
    const [after] = queryItems((await em.get('/query', { params: { type: 'AgentBackupJob', format: 'Entities', filter: `UID==${idOfUid(job.UID)}` } })).body());
    expect(after?.ScheduleEnabled).toBe(expected);
  }
});

test('start creates a running session, stop ends it', rules('ACT-001', 'ACT-002', 'ACT-003', 'ACT-006', 'ACT-007'), async ({ em }) => {
  const job = await firstAgentJob(em);
  const jobId = idOfHref(job.Href);
  const before = new Set(((await em.get(`/agents/jobs/${jobId}/backupSessions`)).body().Refs as Array<{ UID: string }>).map((r) => r.UID));
  const start = expectAccepted(await em.post(findLink(job, 'Start')!.Href));
  expect(start.Operation).toBe('StartJob');
  const started = await waitForTask(em, start.Href);
  expect(started.task.State).toBe('Finished');
  const after = (await em.get(`/agents/jobs/${jobId}/backupSessions`)).body().Refs as Array<{ UID: string; Href: string }>;
  const created = after.filter((r) => !before.has(r.UID));
  expect(created.length, 'start created a new session of the job').toBeGreaterThan(0);
  const session = await entityAt(em, created[0]!.Href);
  expect(['Starting', 'Working']).toContain(session.State);
  expect(session.Result).toBe('None');
  expect(session.EndTimeUTC ?? null).toBeNull();
  const byQuery = (await em.get('/query', { params: { type: 'BackupJobSession', filter: `UID==${idOfUid(session.UID)}` } })).body();
  expect(byQuery.Refs?.Refs?.length, 'the query service sees the new session').toBe(1);

  const stop = expectAccepted(await em.post(findLink(session, 'Stop')!.Href));
  expect(stop.Operation).toBe('StopJobSession');
  await waitForTask(em, stop.Href);
  const stopped = await entityAt(em, created[0]!.Href);
  expect(stopped.State).toBe('Stopped');
  expect(stopped.EndTimeUTC).toBeTruthy();
});

test('stop on an agent job names StopAgentJob', rules('ACT-001', 'ACT-003'), async ({ em }) => {
  const job = await firstAgentJob(em);
  const task = expectAccepted(await em.post(findLink(job, 'Stop')!.Href));
  expect(task.Operation).toBe('StopAgentJob');
  await waitForTask(em, task.Href);
});

test('retry finishes with Success=false unless the last session failed', rules('ACT-001', 'ACT-003', 'ACT-008'), async ({ em }) => {
  const job = await firstAgentJob(em);
  const task = expectAccepted(await em.post(findLink(job, 'Retry')!.Href));
  expect(task.Operation).toBe('RetryAgentJob');
  const { task: done } = await waitForTask(em, task.Href);
  // the job's newest session, found without relying on sortDesc (SORT-002's to judge)
  const sessions = (await em.get('/query', { params: { type: 'BackupJobSession', format: 'Entities', pageSize: 1000, filter: `JobUid==${idOfUid(job.UID)}` } })).body();
  const latest = queryItems(sessions).sort((a, b) => Date.parse(b.CreationTimeUTC) - Date.parse(a.CreationTimeUTC));
  if (done.Result?.Success === true) {
    expect(latest[0]?.IsRetry, 'a successful retry created a retry session').toBe(true);
  } else {
    expect(done.Result?.Success).toBe(false);
    expect(done.Result?.Message, 'a refused retry says why').toBeTruthy();
  }
});

test('tasks are represented with Type Task', rules('SCHEMA-004'), async ({ em }) => {
  const job = await firstAgentJob(em);
  const href = findLink(job, 'ToggleScheduleEnabled')!.Href;
  const seen: string[] = [];
  // twice, so that the schedule is put back; the status of the answer is ACT-001's to judge
  for (let i = 0; i < 2; i++) {
    // unchecked: an undocumented success status is ACT-001's to report, not this rule's
    const r = await em.post(href, { unchecked: true });
    expect(r.status, 'POST ?action=toggleScheduleEnabled succeeds').toBeLessThan(300);
    const task = r.body();
    seen.push(`POST ${href} → Type ${task.Type}`);
    const { task: done } = await waitForTask(em, task.Href);
    seen.push(`GET ${task.Href} → Type ${done.Type}`);
  }
  for (const t of ((await em.get('/tasks')).body().Tasks ?? []) as Array<{ Href: string; Type: string }>) seen.push(`GET /tasks item ${t.Href} → Type ${t.Type}`);
  expect(seen.filter((x) => !x.endsWith('→ Type Task')), 'tasks whose Type is not Task').toEqual([]);
});

test('tasks of the logon session are listed and can be deleted', rules('ACT-004'), async ({ em }) => {
  const job = await firstAgentJob(em);
  const task = succeeded(await em.post(findLink(job, 'ToggleScheduleEnabled')!.Href, { unchecked: true }));
  await waitForTask(em, task.Href);
  // Put the schedule back.
  const back = succeeded(await em.post(findLink(job, 'ToggleScheduleEnabled')!.Href, { unchecked: true }));
  await waitForTask(em, back.Href);
  const listed = (await em.get('/tasks')).body();
  const ids = ((listed.Tasks ?? []) as Array<{ TaskId: string }>).map((t) => t.TaskId);
  expect(ids).toContain(task.TaskId);
  const del = await em.delete(task.Href);
  expect(del).toHaveStatus(204);
});
