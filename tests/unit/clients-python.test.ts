// Replays of the Python clients: Linuxfabrik's veeam-status plugin with lib/veeam.py (em-api-notes.md §7.3) against
// EM 12 (PascalCase) and EM 13 (camelCase JSON, which the plugin PascalCases since PR #1116), and surfer190/veeam
// `veeam/client.py` (§7.4) including its filters and its logout through /logonSessions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, JOB_STATISTICS, json, mock, type Obj, OVERVIEW, pascal, PERIOD, read, readAll, type Running, send, VMS_OVERVIEW } from './clients-helpers.ts';

describe.each(['v12', 'v13'] as const)('Linuxfabrik veeam-status against EM %s', (profile) => {
  let em: Running;
  let token = '';
  beforeAll(async () => {
    em = await mock(profile);
    // lib/veeam.py get_token: Basic, Accept JSON, a form body to force a POST; the token is the response header.
    const login = await send(`${em.origin}/api/sessionMngr/?v=latest`, {
      method: 'POST',
      headers: { Authorization: basic(), Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '24' },
      body: 'make-this=a-post-request',
    });
    expect(login.status).toBe(201);
    token = String(login.headers['x-restsvcsessionid'] ?? '');
    expect(token).not.toBe('');
  });
  afterAll(() => em.close());
  const get = async (path: string) => pascal(json(await send(`${em.origin}${path}`, { headers: { 'X-RestSvcSessionId': token, Accept: 'application/json' } }))) as Obj;

  it('reads overview, job_statistics, vms_overview and repository', async () => {
    readAll(await get('/api/reports/summary/overview'), OVERVIEW);
    readAll(await get('/api/reports/summary/job_statistics'), JOB_STATISTICS);
    readAll(await get('/api/reports/summary/vms_overview'), VMS_OVERVIEW);
    const periods = read(await get('/api/reports/summary/repository'), 'Periods', 'array') as Obj[];
    expect(periods.length).toBeGreaterThan(0);
    for (const p of periods) readAll(p, PERIOD);
  });
});

describe('surfer190/veeam client.py', () => {
  let em: Running;
  let url = '';
  let token = '';
  const headers = () => ({ Accept: 'application/json', 'X-RestSvcSessionId': token });
  beforeAll(async () => {
    em = await mock();
    url = `${em.origin}/api`;
    const login = await send(`${url}/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: basic(), Accept: 'application/json' } });
    expect(login.status).toBe(201); // the client requires 201
    token = String(login.headers['x-restsvcsessionid']);
  });
  afterAll(() => em.close());

  it('reads the repository report and the jobs', async () => {
    for (const p of read(json(await send(`${url}/reports/summary/repository`, { headers: headers() })), 'Periods', 'array') as Obj[]) readAll(p, PERIOD);
    json(await send(`${url}/jobs`, { headers: headers() }));
  });

  it('queries sessions with its filters', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const q = (filter: string) => send(`${url}/query?type=BackupJobSession&format=entities&filter=${encodeURIComponent(filter)}`, { headers: headers() });
    const recent = read(json(await q(`creationtime>"${yesterday}"`)), 'Entities.BackupJobSessions.BackupJobSessions', 'array') as Obj[];
    expect(recent.length).toBeGreaterThan(0);
    for (const s of recent) readAll(s, { JobName: 'string', Result: 'string', CreationTimeUTC: 'date' });
    const failed = read(json(await q(`result=="Failed";creationtime>"${new Date(Date.now() - 30 * 86_400_000).toISOString()}"`)), 'Entities.BackupJobSessions.BackupJobSessions', 'array') as Obj[];
    expect(failed.every((s) => s.Result === 'Failed')).toBe(true);
    const name = recent[0]!.JobName as string;
    const mine = read(json(await q(`jobname=="${name}";(result=="Success",result=="Warning");creationtime>"${recent[0]!.CreationTimeUTC}"`)), 'Entities.BackupJobSessions.BackupJobSessions', 'array') as Obj[];
    expect(mine.every((s) => s.JobName === name && (s.Result === 'Success' || s.Result === 'Warning'))).toBe(true);
  });

  it('logs out through /logonSessions', async () => {
    const id = read(json(await send(`${url}/logonSessions`, { headers: headers() })), 'LogonSessions.0.SessionId', 'string');
    const del = await send(`${url}/logonSessions/${id}`, { method: 'DELETE', headers: headers() });
    expect(del.status).toBe(204);
  });
});
