// Replay of peekjef72/httpapi_exporter's Veeam profile (Go, YAML-driven, em-api-notes.md §7.2): logon expecting 201
// and the X-RestSvcSessionId header, ping GET /api/ and the v13 detection (`supportedVersions` key), then the
// collectors with the key names of the detected version (PascalCase on v12, camelCase on v13).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, JOB_STATISTICS, json, mock, type Obj, OVERVIEW, read, readAll, type Running, send, VMS_OVERVIEW } from './clients-helpers.ts';

describe.each(['v12', 'v13'] as const)('httpapi_exporter against EM %s', (profile) => {
  let em: Running;
  let token = '';
  let v13 = false;
  /** The exporter's key for a PascalCase name on the detected version. */
  const k = (name: string) => (v13 ? (name === 'UID' ? 'uid' : name === 'NASJobs' ? 'nasJobs' : name.charAt(0).toLowerCase() + name.slice(1)) : name);
  const at = (path: string) => path.split('.').map(k).join('.');
  const get = async (path: string) => json(await send(`${em.origin}/api${path}`, { headers: { Accept: 'application/json', 'X-RestSvcSessionId': token } }));

  beforeAll(async () => {
    em = await mock(profile);
    const login = await send(`${em.origin}/api/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: basic(), Accept: 'application/json' } });
    expect(login.status).toBe(201); // ok_status: 201
    token = String(login.headers['x-restsvcsessionid'] ?? '');
    expect(token).not.toBe('');
    const ping = await send(`${em.origin}/api/`, { headers: { Accept: 'application/json' } });
    v13 = json(ping).supportedVersions !== undefined;
    expect(v13).toBe(profile === 'v13');
  });
  afterAll(() => em.close());

  it('collects job sessions and task sessions of the last 12 hours', async () => {
    const since = new Date(Date.now() - 12 * 3_600_000).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS, no Z
    const sessions = read(await get(`/query?type=BackupJobSession&format=Entities&filter=${encodeURIComponent(`CreationTime>="${since}"`)}`), at('Entities.BackupJobSessions.BackupJobSessions'), 'array') as Obj[];
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions) {
      for (const [n, t] of Object.entries({ JobName: 'string', JobType: 'string', State: 'string', Result: 'string', CreationTimeUTC: 'date', Progress: 'int', UID: 'string', 'Links.0.Name': 'string' } as const)) read(s, at(n), t);
      if (s[k('Result')] !== 'None') read(s, k('EndTimeUTC'), 'date');
    }
    const tasks = read(await get(`/query?type=BackupTaskSession&format=Entities&filter=${encodeURIComponent(`CreationTime>="${since}"`)}`), at('Entities.BackupTaskSessions.BackupTaskSessions'), 'array') as Obj[];
    for (const t of tasks) {
      expect(['InProgress', 'Pending', 'Completed']).toContain(t[k('State')]);
      read(t, k('Result'), 'string');
    }
  });

  it('collects backup servers, discovered computers, reports and repositories', async () => {
    for (const s of read(await get('/backupServers?format=Entity'), k('BackupServers'), 'array') as Obj[]) read(s, k('Version'), 'string');
    for (const c of read(await get('/agents/discoveredComputers?format=Entity'), k('DiscoveredComputers'), 'array') as Obj[])
      for (const n of ['HostStatus', 'AgentVersion', 'OsVersion']) read(c, k(n), 'string');
    const frames: [string, Record<string, any>][] = [['job_statistics', JOB_STATISTICS], ['overview', OVERVIEW], ['vms_overview', VMS_OVERVIEW]];
    for (const [path, fields] of frames) {
      const f = await get(`/reports/summary/${path}`);
      for (const [n, t] of Object.entries(fields)) read(f, k(n), t);
    }
    for (const r of read(await get('/repositories?format=Entity'), k('Repositories'), 'array') as Obj[])
      for (const [n, t] of Object.entries({ Name: 'string', Capacity: 'int', FreeSpace: 'int', Kind: 'string' } as const)) read(r, k(n), t);
  });

  it('re-logs on after a 401 (invalid_auth_code)', async () => {
    const r = await send(`${em.origin}/api/reports/summary/overview`, { headers: { Accept: 'application/json', 'X-RestSvcSessionId': 'bm90LWEtdG9rZW4=' } });
    expect(r.status).toBe(401);
    readAll(json(await send(`${em.origin}/api/reports/summary/overview`, { headers: { Accept: 'application/json', 'X-RestSvcSessionId': token } })), v13 ? {} : OVERVIEW);
  });
});
