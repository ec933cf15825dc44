// Replays of the XML scripts: VeeamHub/powershell VEM-* reports (em-api-notes.md §7.6: entry point, the v1_4 logon
// link, the LogonSession's EnterpriseManager link, job query, job entity includes, job sessions, task sessions, VM
// restore points, the size report's restore point → backupFiles link → BackupFile.BackupSize) against the 9.5 U4 profile that still advertises v1_4, and tdewin's Python samples (§7.7: the
// LogonSession link of /api/, QueryService and Delete links, a Job query by name, start, task polling, logout 204) and
// the alexa skill's report read (§7.8: children of OverviewReportFrame by tag).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, mock, type Obj, read, type Running, send, xml } from './clients-helpers.ts';

const XML = { Accept: 'application/xml' };
const asList = (v: unknown): Obj[] => (Array.isArray(v) ? v : v ? [v as Obj] : []);
const linksOf = (o: Obj): Obj[] => asList(o.Links);

describe('VeeamHub VEM-BackupSessionReport (PowerShell, XML) against EM 9.5 U4', () => {
  let em: Running;
  let token = '';
  let base = '';
  beforeAll(async () => {
    em = await mock('9.5u4');
    const entry = xml(await send(`${em.origin}/api/`, { headers: {} }), 'EnterpriseManager');
    const v14 = asList(entry.SupportedVersions.SupportedVersions).find((v) => v.Name === 'v1_4');
    expect(v14, 'SupportedVersion v1_4').toBeTruthy();
    const login = await send(read(v14!, 'Links.0.Href', 'string'), { method: 'POST', headers: { Authorization: basic() } });
    expect(login.status).toBe(201);
    token = String(login.headers['x-restsvcsessionid']);
    const session = xml(login, 'LogonSession', 201);
    base = read(linksOf(session).find((l) => l.Type === 'EnterpriseManager')!, 'Href', 'string');
    expect(base.endsWith('/api/')).toBe(true);
  });
  afterAll(() => em.close());
  const get = (url: string) => send(url, { headers: { ...XML, 'X-RestSvcSessionId': token } });

  it('walks job → sessions → task sessions → VM restore points', async () => {
    const refs = asList(xml(await get(`${base}query?type=Job&filter=JobType==Backup`), 'QueryResult').Refs.Refs);
    expect(refs.length).toBeGreaterThan(0);
    const job = refs[0]!;
    read(job, 'Name', 'string');
    const entity = xml(await get(`${job.Href}?format=Entity`), 'Job');
    expect(asList(entity.JobInfo.BackupJobInfo.Includes.ObjectsInJob).length).toBeGreaterThan(0);
    const sessions = asList(xml(await get(`${job.Href}/backupSessions`), 'EntityReferences').Refs);
    expect(sessions.length).toBeGreaterThan(0);
    const sessionHref = linksOf(sessions[0]!).find((l) => l.Type === 'BackupJobSession')!.Href as string;
    const s = xml(await get(sessionHref), 'BackupJobSession');
    const tasksHref = linksOf(s).find((l) => l.Type === 'BackupTaskSessionReferenceList')!.Href as string;
    const tasks = asList(xml(await get(tasksHref), 'EntityReferences').Refs);
    expect(tasks.length).toBeGreaterThan(0);
    let points = 0;
    for (const ref of tasks) {
      const t = xml(await get(`${ref.Href}?format=Entity`), 'BackupTaskSession');
      read(t, 'CreationTimeUTC', 'date');
      read(t, 'State', 'string');
      read(t, 'Result', 'string');
      expect(typeof (t.Reason ?? '')).toBe('string');
      const vmrp = linksOf(t).find((l) => l.Type === 'VmRestorePoint');
      if (!vmrp) continue;
      const p = xml(await get(vmrp.Href), 'VmRestorePoint');
      read(p, 'VMName', 'string');
      read(p, 'Algorithm', 'string');
      read(p, 'PointType', 'string');
      points++;
    }
    expect(points).toBeGreaterThan(0);
  });

  it('VEM-BackupSizeReport: session → its RestorePointReference → the restore point\'s backupFiles link + ?format=Entity → BackupFile.BackupSize', async () => {
    // As API_Backup_Size_Report.ps1 does (em-api-notes.md §7.6): the session entity's RestorePointReference link, the
    // restore point's link whose Href is like "*backupFiles*", that Href with ?format=Entity, BackupFile.BackupSize.
    const jobs = asList(xml(await get(`${base}query?type=Job&filter=JobType==Backup`), 'QueryResult').Refs.Refs);
    let files = 0;
    let points = 0;
    for (const job of jobs) {
      const sessions = asList(xml(await get(`${job.Href}/backupSessions`), 'EntityReferences').Refs);
      for (const ref of sessions.slice(0, 6)) {
        const s = xml(await get(linksOf(ref).find((l) => l.Type === 'BackupJobSession')!.Href), 'BackupJobSession');
        const rpLink = linksOf(s).find((l) => l.Type === 'RestorePointReference');
        if (!rpLink) continue;
        const rp = xml(await get(rpLink.Href), 'EntityRef');
        expect(rp.Type).toBe('RestorePointReference');
        // PowerShell's `-like` keeps every match: exactly one link must match, or the script builds a URL of several Hrefs
        const like = linksOf(rp).filter((l) => String(l.Href).toLowerCase().includes('backupfiles'));
        expect(like.map((l) => [l.Rel, l.Type]), `${rp.Name}: one link like *backupFiles*`).toEqual([['Down', 'BackupFileReferenceList']]);
        const href = like[0]!.Href as string;
        expect(href.split('?')[0]).toBe(`${String(rpLink.Href).split('?')[0]}/backupFiles`);
        const list = asList(xml(await get(`${href}?format=Entity`), 'BackupFiles').BackupFiles);
        expect(list.length, `${rp.Name}: one backup file per restore point in the mock`).toBe(1);
        for (const f of list) {
          expect(read(f, 'BackupSize', 'int')).toBeGreaterThanOrEqual(0);
          read(f, 'Name', 'string');
          read(f, 'CreationTimeUtc', 'date');
          expect(f.Type).toBe('BackupFile');
          const up = linksOf(f).find((l) => l.Rel === 'Up' && l.Type === 'RestorePointReference');
          expect(up?.Href, `${f.Name}: its Up link names the restore point it was listed under`).toBe(rpLink.Href);
          files++;
        }
        points++;
        if (points >= 3) break;
      }
      if (points >= 3) break;
    }
    expect(points, 'sessions with a restore point').toBeGreaterThan(0);
    expect(files).toBe(points);
    // An unknown restore point: 404 with EM's Error body
    const missing = await get(`${base}restorePoints/00000000-0000-0000-0000-000000000000/backupFiles?format=Entity`);
    const err = xml(missing, 'Error', 404);
    expect(err.StatusCode).toBe(404);
    read(err, 'Message', 'string');
  });
});

describe('tdewin veeamrestpython (XML) and the alexa skill', () => {
  let em: Running;
  beforeAll(async () => {
    em = await mock();
  });
  afterAll(() => em.close());

  it('logs on through /api/, finds a job and its Start link by a name query, reads the overview, logs out with 204 (POST ?action=start on /jobs is outside the contract)', async () => {
    const entry = xml(await send(`${em.origin}/api/`, { headers: {} }), 'EnterpriseManager');
    const logonLinks = linksOf(entry).filter((l) => l.Type === 'LogonSession');
    const login = await send(logonLinks[logonLinks.length - 1]!.Href, { method: 'POST', headers: { Authorization: basic() } });
    expect(login.status).toBe(201);
    const token = String(login.headers['x-restsvcsessionid']);
    const session = xml(login, 'LogonSession', 201);
    const del = linksOf(session).find((l) => l.Rel === 'Delete')!.Href as string;
    const querySvc = linksOf(session).find((l) => l.Type === 'QueryService')!.Href as string;
    expect(querySvc.endsWith('/querySvc')).toBe(true);
    const headers = { 'X-RestSvcSessionId': token, 'Content-Type': 'text/xml; charset=utf-8' };
    const names = asList(xml(await send(`${em.origin}/api/jobs`, { headers }), 'EntityReferences').Refs).map((r) => r.Name as string);
    const name = names[0]!;
    const q = new URLSearchParams({ type: 'Job', format: 'Entities', filter: `name=="${name}"` });
    const result = xml(await send(`${querySvc.replace(/querySvc$/, 'query')}?${q}`, { headers }), 'QueryResult');
    const jobs = asList(result.Entities.Jobs.Jobs);
    expect(jobs.map((j) => j.Name)).toEqual([name]);
    expect(linksOf(jobs[0]!).some((l) => l.Rel === 'Start')).toBe(true);

    // The alexa skill: OverviewReportFrame children by tag, and the running sessions.
    const overview = xml(await send(`${em.origin}/api/reports/summary/overview`, { headers }), 'OverviewReportFrame');
    for (const tag of ['BackupServers', 'RunningJobs', 'ScheduledJobs', 'SuccessfulVmLastestStates', 'FailedVmLastestStates']) read(overview, tag, 'int');
    const running = xml(await send(`${em.origin}/api/query?type=ReplicaJobSession&format=Entities&sortDesc=endtime&pageSize=999&page=1&filter=state==Working`, { headers }), 'QueryResult');
    expect(running.PagingInfo.PageSize).toBe(999);

    const out = await send(del, { method: 'DELETE', headers });
    expect(out.status).toBe(204);
  });
});
