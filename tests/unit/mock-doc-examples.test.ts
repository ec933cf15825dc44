// Each example request of the documents, sent to the mock, gets a body of the same shape as the documents' example
// response: the same root element, every element and attribute the example shows, and the same link relations and
// Types. IDs and values come from the mock's own data.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codec } from '../../src/contract/codec.ts';
import { REPO_ROOT } from '../../src/contract/paths.ts';
import { startMock, type RunningMock } from '../../src/mock/index.ts';

const EXAMPLES = path.join(REPO_ROOT, 'spec', 'examples');

/** Paths of the non-null values of a JSON-form body (list items merged), and `link` entries for Links. */
function shape(value: unknown, at = ''): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, p: string) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) {
      for (const item of v) walk(item, `${p}[]`);
      return;
    }
    out.add(p || '/');
    if (typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'Links' && Array.isArray(x)) {
        for (const l of x as Array<{ Rel: string; Type: string | null }>) out.add(`${p}/Links: ${l.Rel} ${l.Type ?? '(no Type)'}`);
      } else walk(x, `${p}/${k}`);
    }
  };
  walk(value, at);
  return out;
}

function exampleShape(file: string): { root: string; paths: Set<string> } {
  const { root, value } = codec().fromXml(readFileSync(path.join(EXAMPLES, file), 'utf8'));
  return { root, paths: shape(value) };
}

let mock: RunningMock;
let token = '';

async function get(pathAndQuery: string): Promise<{ root: string; value: Record<string, any> }> {
  const res = await fetch(`${mock.url}${pathAndQuery}`, { headers: { 'X-RestSvcSessionId': token } });
  expect(res.status, pathAndQuery).toBe(200);
  return codec().fromXml(await res.text());
}

async function queryEntities(type: string, filter: string, extra = ''): Promise<Array<Record<string, any>>> {
  const r = await get(`/query?type=${type}&format=Entities&pageSize=500&filter=${encodeURIComponent(filter)}${extra}`);
  const entities = r.value.Entities as Record<string, Record<string, Array<Record<string, any>>> | null>;
  return Object.values(entities).flatMap((m) => (m ? Object.values(m).flat() : []));
}

const idOf = (uid: string) => uid.split(':').pop()!;

function expectSameShape(file: string, actual: { root: string; value: unknown }) {
  const example = exampleShape(file);
  expect(actual.root).toBe(example.root);
  const got = shape(actual.value);
  const missing = [...example.paths].filter((p) => !got.has(p));
  expect(missing, `${file}: the mock's answer lacks what the documented example shows`).toEqual([]);
}

beforeAll(async () => {
  // Enough history for the 002 example: one VM with several pages of failed task sessions.
  mock = await startMock({ port: 0, sessions: 20_000 });
  const res = await fetch(`${mock.url}/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('emuser:emuser-password').toString('base64')}` } });
  token = res.headers.get('x-restsvcsessionid') ?? '';
  expectSameShape('logon-session.xml', codec().fromXml(await res.text()));
});
afterAll(() => mock?.close());

describe('documented example requests get answers shaped like the documented responses', () => {
  it('GET /api/ (em-api-notes §1.2)', async () => expectSameShape('enterprise-manager.xml', await get('/')));

  it('GET /backupSessions (001)', async () => expectSameShape('backup-sessions-refs.xml', await get('/backupSessions')));

  it('GET /backupSessions/{ID} and ?format=Entity (004)', async () => {
    const [session] = await queryEntities('BackupJobSession', 'JobType==Backup;Result==Success;State==Stopped', '&sortDesc=CreationTime');
    expect(session, 'a finished successful Backup session').toBeTruthy();
    expectSameShape('backup-session-ref-9x.xml', await get(`/backupSessions/${idOf(session!.UID)}`));
    expectSameShape('backup-job-session.xml', await get(`/backupSessions/${idOf(session!.UID)}?format=Entity`));
  });

  it('GET /backupSessions/{ID}/agentManagementSessions (000)', async () => {
    const [parent] = await queryEntities('BackupJobSession', 'JobType==AgentBackup;State==Stopped', '&sortDesc=CreationTime');
    expect(parent, 'a finished AgentBackup session').toBeTruthy();
    expectSameShape('agent-management-sessions.xml', await get(`/backupSessions/${idOf(parent!.UID)}/agentManagementSessions`));
  });

  it('GET /backupSessions/{ID}/taskSessions and /backupTaskSessions/{ID}?format=Entity (em-api-notes §5.3)', async () => {
    // Like the example: a successful task of a session that has finished (its restore point exists by then).
    const dayBefore = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const [task] = await queryEntities('BackupTaskSession', `Result==Success;State==Completed;CreationTime<"${dayBefore}"`, '&sortDesc=CreationTime');
    expect(task, 'a successful task session of a finished session').toBeTruthy();
    expectSameShape('backup-task-session.xml', await get(`/backupTaskSessions/${idOf(task!.UID)}?format=Entity`));
    expectSameShape('backup-session-task-sessions.xml', await get(`/backupSessions/${idOf(task!.JobSessionUid)}/taskSessions`));
  });

  it('GET /query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=3&page=1&filter=Result==Failed;VmDisplayName==… (002)', async () => {
    const failed = await queryEntities('BackupTaskSession', 'Result==Failed');
    const counts = new Map<string, number>();
    for (const t of failed) counts.set(t.VmDisplayName, (counts.get(t.VmDisplayName) ?? 0) + 1);
    const vm = [...counts].find(([, n]) => n > 3)?.[0];
    expect(vm, 'a VM with more than one page of failed task sessions').toBeTruthy();
    const r = await get(`/query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=3&page=1&filter=${encodeURIComponent(`Result==Failed;VmDisplayName=="${vm}"`)}`);
    expectSameShape('query-backup-task-sessions-entities.xml', r);
  });

  it('GET /agents, /agents/jobs and /agents/jobs/{ID}?format=Entity (003)', async () => {
    expectSameShape('agents.xml', await get('/agents'));
    const refs = await get('/agents/jobs');
    expectSameShape('agent-jobs-refs.xml', refs);
    const [scheduled] = await queryEntities('AgentBackupJob', 'ScheduleEnabled==true');
    expect(scheduled, 'an agent job with its schedule enabled, like the example').toBeTruthy();
    expectSameShape('agent-backup-job.xml', await get(`/agents/jobs/${idOf(scheduled!.UID)}?format=Entity`));
  });

  it('GET /query?type=BackupServer&pageSize=1&page=1 (em-api-notes §3.5)', async () => expectSameShape('query-backup-servers-refs.xml', await get('/query?type=BackupServer&pageSize=1&page=1')));

  // The monitoring clients' requests (em-api-notes §7.1–§7.10). The documents show no response for them, only the
  // fields the clients read, so the comparison is with the spec's reconstructed fixtures (which carry those fields).
  it('GET /reports/summary and its frames, /repositories/{ID}, /backupFiles/{ID}, /restorePoints/{ID}/backupFiles, /agents/discoveredComputers/{ID}, /replicaSessions/{ID}, /replicaTaskSessions/{ID} (em-api-notes §7)', async () => {
    expectSameShape('summary-report.xml', await get('/reports/summary'));
    for (const [frame, file] of [['overview', 'report-overview.xml'], ['job_statistics', 'report-job-statistics.xml'], ['repository', 'report-repository.xml'], ['processed_vms', 'report-processed-vms.xml']] as const)
      expectSameShape(file, await get(`/reports/summary/${frame}`));
    const first = async (list: string) => idOf(((await get(list)).value.Refs as Array<{ UID: string }>)[0]!.UID);
    expectSameShape('repository.xml', await get(`/repositories/${await first('/repositories')}?format=Entity`));
    const file = await get(`/backupFiles/${await first('/backupFiles')}?format=Entity`);
    expectSameShape('backup-file.xml', file);
    const point = (file.value.Links as Array<{ Type: string; Href: string }>).find((l) => l.Type === 'RestorePointReference')!.Href.split('/').pop();
    expectSameShape('restore-point-backup-files.xml', await get(`/restorePoints/${point}/backupFiles?format=Entity`));
    expectSameShape('discovered-computer.xml', await get(`/agents/discoveredComputers/${await first('/agents/discoveredComputers')}?format=Entity`));
    expectSameShape('replica-job-session.xml', await get(`/replicaSessions/${await first('/replicaSessions')}?format=Entity`));
    expectSameShape('replica-task-session.xml', await get(`/replicaTaskSessions/${await first('/replicaTaskSessions')}?format=Entity`));
  });
});
