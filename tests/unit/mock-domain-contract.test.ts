// The key test of the mock's domain: every handler's body is valid against the contract — the JSON Schema of its
// root (strict mapping: every key present) and, serialised by the codec, the XSD — for a sample of IDs of each
// operation in both representations (reference and entity), including running, retried, stopped, agent parent and
// child sessions, every query type in both formats, and tasks while running and finished.
import { beforeAll, describe, expect, it } from 'vitest';
import { getOperation, listOperations } from '../../src/contract/spec.ts';
import { responseRoots } from '../../src/contract/validate.ts';
import type { HandlerResult } from '../../src/mock/types.ts';
import { R_FAILED } from '../../src/mock/domain/store.ts';
import { call, domain, violations } from './mock-domain-helpers.ts';

const AUTH_OPERATIONS = ['getEnterpriseManager', 'createLogonSession', 'listLogonSessions', 'getLogonSession', 'deleteLogonSession'];

const d = domain({ sessions: 3000, seed: 99 });
const st = d.store;

/** Checks root against the spec's declared roots (and format against x-em-representations), then the body. */
function expectValid(operationId: string, r: HandlerResult, format?: 'reference' | 'entity'): void {
  const op = getOperation(operationId);
  expect(r.root, 'root').toBeTruthy();
  expect(responseRoots(op, r.status, 'application/xml')).toContain(r.root);
  const reps = op.operation.responses?.[String(r.status)]?.['x-em-representations'];
  if (format && reps) {
    const component = reps[format] as string;
    expect(responseRoots({ ...op, operation: { responses: { [r.status]: { content: { 'application/xml': { schema: { $ref: `#/components/schemas/${component}` } } } } } } }, r.status, 'application/xml')).toContain(r.root);
  }
  expect(violations(r)).toEqual([]);
}

function pick<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const step = items.length / n;
  return Array.from({ length: n }, (_, k) => items[Math.floor(k * step)]!);
}

function sessionsWhere(f: (i: number) => boolean, n = 3): number[] {
  const out: number[] = [];
  for (let i = 0; i < st.sessionCount; i++) if (f(i)) out.push(i);
  return pick(out, n);
}

const FORMATS: ['reference' | 'entity', string][] = [
  ['reference', ''],
  ['entity', 'format=Entity'],
];

beforeAll(async () => {
  // Actions first, so that started, stopped-by-user and retried sessions and tasks are in the sample.
  const agents = st.jobs.filter((j) => j.kind === 'agent');
  const idle = agents.find((j) => st.sessionsOfJob(j.index).every((i) => !st.isRunning(i)))!;
  await call(d, 'agentJobAction', { ID: idle.id }, 'action=start');
  await call(d, 'agentJobAction', { ID: idle.id }, 'action=stop');
  const failed = agents.find((j) => {
    const l = st.sessionsOfJob(j.index);
    const last = l[l.length - 1];
    return last !== undefined && !st.isRunning(last) && st.sResult.get(last) === R_FAILED;
  });
  if (failed) await call(d, 'agentJobAction', { ID: failed.id }, 'action=retry');
  await call(d, 'agentJobAction', { ID: agents[0]!.id }, 'action=toggleScheduleEnabled');
  await call(d, 'agentJobAction', { ID: agents[0]!.id }, 'action=retry'); // may fail: Success=false task
  const running = sessionsWhere((i) => st.isRunning(i) && st.sessionJob(i).kind === 'vm', 1)[0];
  if (running !== undefined) await call(d, 'backupSessionAction', { ID: st.sessionId(running) }, 'action=stop');
  d.clock.now = new Date(d.clock.now.getTime() + 3000); // these tasks are finished (2 s); later ones still run
  await call(d, 'agentJobAction', { ID: agents[1]!.id }, 'action=toggleScheduleEnabled');
});

describe('every non-auth operation of the spec has a handler', () => {
  it('and nothing else', () => {
    const ops = listOperations().map((o) => o.operationId).filter((id) => !AUTH_OPERATIONS.includes(id)).sort();
    expect(ops.length).toBeGreaterThanOrEqual(28);
    expect(Object.keys(d.handlers).sort()).toEqual(ops);
  });
});

describe('bodies validate against the contract (JSON Schema and XSD)', () => {
  it('session collections', async () => {
    for (const [format, q] of FORMATS) {
      expectValid('listBackupSessions', await call(d, 'listBackupSessions', {}, q), format);
      expectValid('listAgentBackupSessions', await call(d, 'listAgentBackupSessions', {}, q), format);
      expectValid('listBackupTaskSessions', await call(d, 'listBackupTaskSessions', {}, q), format);
    }
  });

  const sampleSessions = () => [
    ...sessionsWhere(() => true, 4),
    ...sessionsWhere((i) => st.isRunning(i)),
    ...sessionsWhere((i) => st.isRetry(i)),
    ...sessionsWhere((i) => st.sResult.get(i) === R_FAILED),
    ...sessionsWhere((i) => st.sessionJob(i).sessionJobType === 'AgentBackup'),
    ...sessionsWhere((i) => st.sessionJob(i).sessionJobType === 'AgentManagement'),
    ...sessionsWhere((i) => st.sessionJob(i).jobType === 'BackupCopy'),
    ...sessionsWhere((i) => st.sMessage.get(i) >= 0 && st.messages[st.sMessage.get(i)]!.includes('stopped by user')),
    st.sessionCount - 1,
  ];

  it('sessions, their task sessions and agent children', async () => {
    const sample = sampleSessions();
    expect(sample.length).toBeGreaterThan(15);
    for (const i of sample) {
      const ID = st.sessionId(i);
      for (const [format, q] of FORMATS) {
        expectValid('getBackupSession', await call(d, 'getBackupSession', { ID }, q), format);
        expectValid('listBackupSessionTaskSessions', await call(d, 'listBackupSessionTaskSessions', { ID }, q), format);
        expectValid('listAgentManagementSessions', await call(d, 'listAgentManagementSessions', { ID }, q), format);
      }
    }
  });

  it('task sessions', async () => {
    const tasks = new Set<number>();
    for (const i of sampleSessions()) {
      const first = st.sFirstTask.get(i);
      for (let t = first; t < first + Math.min(3, st.sTaskCount.get(i)); t++) tasks.add(t);
      for (const c of st.childSessions(i)) tasks.add(st.sFirstTask.get(c));
    }
    for (const t of [0, st.taskCount - 1]) tasks.add(t);
    expect(tasks.size).toBeGreaterThan(20);
    for (const t of tasks)
      for (const [format, q] of FORMATS) expectValid('getBackupTaskSession', await call(d, 'getBackupTaskSession', { ID: st.taskId(t) }, q), format);
  });

  it('jobs, agent jobs (and per-machine jobs), includes and their sessions', async () => {
    for (const [format, q] of FORMATS) {
      expectValid('listJobs', await call(d, 'listJobs', {}, q), format);
      expectValid('listAgentJobs', await call(d, 'listAgentJobs', {}, q), format);
    }
    const vm = st.jobs.filter((j) => j.kind === 'vm');
    const sample = [...pick(vm.filter((j) => j.jobType === 'Backup'), 3), ...pick(vm.filter((j) => j.jobType === 'BackupCopy'), 2), ...pick(vm.filter((j) => !j.scheduleEnabled), 1)];
    for (const job of sample) {
      for (const [format, q] of FORMATS) {
        expectValid('getJob', await call(d, 'getJob', { ID: job.id }, q), format);
        expectValid('listJobBackupSessions', await call(d, 'listJobBackupSessions', { ID: job.id }, q), format);
      }
      expectValid('listJobIncludes', await call(d, 'listJobIncludes', { ID: job.id }));
    }
    const agents = st.jobs.filter((j) => j.kind !== 'vm');
    const agentSample = [...pick(agents.filter((j) => j.kind === 'agent'), 4), ...pick(agents.filter((j) => j.kind === 'agentChild'), 3)];
    expect(new Set(agentSample.map((j) => j.platform)).size).toBe(2);
    for (const job of agentSample) {
      for (const [format, q] of FORMATS) {
        expectValid('getAgentJob', await call(d, 'getAgentJob', { ID: job.id }, q), format);
        expectValid('listAgentJobBackupSessions', await call(d, 'listAgentJobBackupSessions', { ID: job.id }, q), format);
      }
      expectValid('listAgentJobIncludes', await call(d, 'listAgentJobIncludes', { ID: job.id }));
    }
  });

  it('backup servers', async () => {
    for (const [format, q] of FORMATS) {
      expectValid('listBackupServers', await call(d, 'listBackupServers', {}, q), format);
      for (const s of st.servers) expectValid('getBackupServer', await call(d, 'getBackupServer', { ID: s.id }, q), format);
    }
  });

  it('restore points and VM restore points', async () => {
    const rps = sessionsWhere((i) => st.hasRestorePoint(i), 6);
    rps.push(...sessionsWhere((i) => st.hasRestorePoint(i) && st.sessionJob(i).sessionJobType === 'AgentManagement', 2));
    for (const i of rps) {
      const ID = st.restorePointId(i);
      for (const [format, q] of FORMATS) {
        expectValid('getRestorePoint', await call(d, 'getRestorePoint', { ID }, q), format);
        expectValid('listRestorePointVmRestorePoints', await call(d, 'listRestorePointVmRestorePoints', { ID }, q), format);
        expectValid('listRestorePointBackupFiles', await call(d, 'listRestorePointBackupFiles', { ID }, q), format);
      }
      const first = st.sFirstTask.get(i);
      for (let t = first; t < first + st.sTaskCount.get(i); t++) {
        if (!st.hasVmRestorePoint(t)) continue;
        for (const [format, q] of FORMATS) expectValid('getVmRestorePoint', await call(d, 'getVmRestorePoint', { ID: st.vmRestorePointId(t) }, q), format);
      }
    }
  });

  it('services', async () => {
    expectValid('getQueryService', await call(d, 'getQueryService'));
    expectValid('getAgentsService', await call(d, 'getAgentsService'));
  });

  it('actions and tasks (running and finished, successful and failed)', async () => {
    const agents = st.jobs.filter((j) => j.kind === 'agent');
    const start = await call(d, 'agentJobAction', { ID: agents[2]!.id }, 'action=start');
    expect(start.status).toBe(202);
    expectValid('agentJobAction', start);
    const again = await call(d, 'agentJobAction', { ID: agents[2]!.id }, 'action=start');
    expectValid('agentJobAction', again);
    const running = sessionsWhere((i) => st.isRunning(i), 1)[0]!;
    expectValid('backupSessionAction', await call(d, 'backupSessionAction', { ID: st.sessionId(running) }, 'action=stop'));
    expectValid('backupSessionAction', await call(d, 'backupSessionAction', { ID: st.sessionId(0) }, 'action=stop'));
    const list = await call(d, 'listTasks');
    expectValid('listTasks', list);
    const tasks = (list.body as { Tasks: { TaskId: string; State: string; Result: { Success: boolean } | null }[] }).Tasks;
    expect(new Set(tasks.map((t) => t.State))).toEqual(new Set(['Running', 'Finished']));
    expect(new Set(tasks.filter((t) => t.Result).map((t) => t.Result!.Success))).toEqual(new Set([true, false]));
    for (const t of tasks) expectValid('getTask', await call(d, 'getTask', { ID: t.TaskId }));
    expectValid('listTasks', await call(d, 'listTasks', {}, '', { logonSessionId: 'another' }));
  });

  it('query: every query type, references and entities, filtered, sorted, paged', async () => {
    const cases: Record<string, string[]> = {
      BackupJobSession: ['', 'filter=Result==Failed&sortDesc=CreationTime', 'filter=JobType==AgentBackup', 'filter=State==Working', 'filter=IsRetry==true'],
      BackupTaskSession: ['', 'filter=Result==Failed;CreationTime>="2025-05-01T00:00:00Z"&sortDesc=CreationTime&pageSize=3&page=2', 'filter=State!=Completed'],
      AgentBackupJob: ['', 'filter=Platform==AgentForWindows'],
      Job: ['', 'sortAsc=NextRun', 'filter=JobType==BackupCopy'],
      BackupServer: ['', 'sortDesc=name&pageSize=1&page=2'],
      RestorePoint: ['', 'sortDesc=CreationTime&pageSize=5'],
      Task: ['', 'sortAsc=TaskUid'],
      ReplicaJobSession: ['', 'sortDesc=endtime&pageSize=999&page=1&filter=state==Working', 'filter=Result==Failed'],
      BackupFile: ['pageSize=5', 'sortDesc=CreationTimeUTC&pageSize=4&filter=creationtimeutc>"2025-05-30T00:00:00.000Z"', 'filter=FileType==vbk&pageSize=3'],
    };
    expect(Object.keys(cases).sort()).toEqual(d.queryTypes.map((t) => t.name).sort());
    for (const [type, queries] of Object.entries(cases))
      for (const q of queries)
        for (const f of ['', 'format=Entities', 'format=references']) {
          const r = await call(d, 'query', {}, [`type=${type}`, q, f].filter(Boolean).join('&'));
          expectValid('query', r);
        }
  });
});
