// Replay of jorgedlcruz/veeam-enterprise_manager-grafana (bash + curl + jq, em-api-notes.md §7.1): logon with
// `Content-Length: 0` and Accept JSON, BOM stripped, token computed as base64(.SessionId) (the response header is
// ignored) and sent as header AND cookie with every GET; then the jq paths of veeam_enterprisemanager_influx2.sh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, JOB_STATISTICS, json, mock, type Obj, OVERVIEW, read, readAll, type Running, send, VMS_OVERVIEW } from './clients-helpers.ts';

let em: Running;
let token = '';
const get = (path: string) =>
  send(`${em.origin}${path}`, { headers: { Accept: 'application/json', 'X-RestSvcSessionId': token, Cookie: `X-RestSvcSessionId=${token}`, 'Content-Length': '0' } });

beforeAll(async () => {
  em = await mock();
  const login = await send(`${em.origin}/api/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: basic(), 'Content-Length': '0', Accept: 'application/json' } });
  expect(login.status).toBe(201);
  const sessionId = read(JSON.parse(login.body.replace(/^\uFEFF/, '')), 'SessionId', 'string');
  token = Buffer.from(sessionId).toString('base64'); // echo -ne "$veeamSessionId" | base64
});
afterAll(() => em.close());

describe('veeam_enterprisemanager_influx2.sh', () => {
  it('reads the summary frames', async () => {
    readAll(json(await get('/api/reports/summary/overview'), true), OVERVIEW);
    readAll(json(await get('/api/reports/summary/vms_overview'), true), VMS_OVERVIEW);
    readAll(json(await get('/api/reports/summary/job_statistics'), true), JOB_STATISTICS);
  });

  it('reads repositories and backup servers', async () => {
    const repos = read(json(await get('/api/repositories?format=Entity'), true), 'Repositories', 'array') as Obj[];
    expect(repos.length).toBeGreaterThan(0);
    for (const r of repos) readAll(r, { Kind: 'string', Name: 'string', Capacity: 'int', FreeSpace: 'int', 'Links.0.Name': 'string' });
    for (const s of read(json(await get('/api/backupServers?format=Entity'), true), 'BackupServers', 'array') as Obj[]) readAll(s, { Name: 'string', Port: 'int', Version: 'string' });
  });

  it('reads the backup sessions of the last day and the task sessions', async () => {
    const since = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19) + 'Z'; // date -d "1 day ago" +%FT%TZ
    const all = read(json(await get('/api/backupSessions?format=Entity'), true), 'BackupJobSessions', 'array') as Obj[];
    const recent = all.filter((s) => s.CreationTimeUTC > since); // jq select(.CreationTimeUTC > "…"): string comparison
    expect(recent.length).toBeGreaterThan(0);
    for (const s of recent) {
      readAll(s, { JobUid: 'string', JobName: 'string', 'Links.0.Name': 'string', JobType: 'string', State: 'string', CreationTimeUTC: 'date' });
      expect(['Success', 'Warning', 'Failed', 'None']).toContain(s.Result);
      if (s.State === 'Stopped') read(s, 'EndTimeUTC', 'date');
    }
    for (const t of read(json(await get('/api/backupTaskSessions?format=Entity'), true), 'BackupTaskSessions', 'array') as Obj[])
      readAll(t, { JobSessionUid: 'string', VmDisplayName: 'string', 'Links.0.Name': 'string', TotalSize: 'int', State: 'string', Result: 'string', CreationTimeUTC: 'date' });
  });

  it('reads replica sessions, replica task sessions and discovered computers', async () => {
    const replicas = read(json(await get('/api/replicaSessions?format=Entity'), true), 'ReplicaJobSessions', 'array') as Obj[];
    expect(replicas.length).toBeGreaterThan(0);
    for (const s of replicas) readAll(s, { JobName: 'string', JobType: 'string', State: 'string', Result: 'string', CreationTimeUTC: 'date', EndTimeUTC: 'date', 'Links.0.Name': 'string' });
    for (const t of read(json(await get('/api/replicaTaskSessions?format=Entity'), true), 'ReplicaTaskSessions', 'array') as Obj[])
      readAll(t, { JobSessionUid: 'string', VmDisplayName: 'string', TotalSize: 'int', State: 'string', Result: 'string', CreationTimeUTC: 'date', EndTimeUTC: 'date' });
    const computers = read(json(await get('/api/agents/discoveredComputers?format=Entity'), true), 'DiscoveredComputers', 'array') as Obj[];
    expect(computers.length).toBeGreaterThan(0);
    for (const c of computers) {
      readAll(c, { UID: 'string', Name: 'string', 'Links.0.Name': 'string', AgentVersion: 'string', OsVersion: 'string' });
      expect(['Online', 'Offline']).toContain(c.HostStatus);
      expect(['Installed', 'Warning', 'Inaccessible', 'Not Installed']).toContain(c.AgentStatus);
    }
  });

  it('the NAS requests (outside the contract) get an Error body, which the script tolerates', async () => {
    // /api/nas/jobs and /api/nas/backupSessions are not in this contract: the mock answers 404 with EM's Error.
    const r = await get('/api/nas/jobs?format=Entity');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).StatusCode).toBe(404);
  });
});
