/**
 * The monitoring surface (rules REPORT-*, MON-*): the summary report and its frames, repositories, backup files,
 * discovered computers and replica sessions. The numbers of the frames are compared with what the same server's
 * collections list, read just before and just after the frame: when the collections changed in between (a session
 * started, a day or the 30-day edge passed), the comparison is repeated. IDs come from the server.
 */
import type { EmClient, EmResponse } from '../../src/suite/client.ts';
import { entityAt } from '../../src/suite/entities.ts';
import { expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';
import { findLink, idOfHref, idOfUid } from '../../src/suite/invariants.ts';
import { pascalKeys } from '../../src/suite/lenient.ts';

type Obj = Record<string, any>;
const DAY = 86_400_000;

const FRAMES = [
  ['overview', 'OverviewReportFrame'],
  ['vms_overview', 'VmsOverviewReportFrame'],
  ['job_statistics', 'JobStatisticsReportFrame'],
  ['repository', 'RepositoryReportFrame'],
  ['processed_vms', 'ProcessedVmsReportFrame'],
] as const;

async function ok(em: EmClient, path: string, params: Record<string, string> = {}): Promise<EmResponse> {
  const r = await em.get(path, { params });
  expect(r, `GET ${path}`).toHaveStatus(200);
  return r;
}
async function list(em: EmClient, path: string, key: string): Promise<Obj[]> {
  return ((await ok(em, path, { format: 'Entity' })).body()[key] ?? []) as Obj[];
}
async function frame(em: EmClient, path: string): Promise<Obj> {
  return (await ok(em, `/reports/summary/${path}`)).body();
}
const key = (items: Obj[]) => items.map((i) => `${i.UID}:${i.State ?? ''}:${i.Result ?? ''}`).sort().join('|');

/**
 * Reads `collections`, then `report`, then `collections` again until both reads agree (at most 4 tries): the report
 * is then compared with data that did not move while it was computed.
 */
async function stable<C, R>(collections: () => Promise<C>, report: () => Promise<R>, same: (a: C, b: C) => boolean): Promise<{ data: C; report: R }> {
  for (let attempt = 0; ; attempt++) {
    const before = await collections();
    const r = await report();
    const after = await collections();
    if (same(before, after) || attempt >= 3) return { data: after, report: r };
  }
}

const good = (t: Obj) => t.State === 'Completed' && (t.Result === 'Success' || t.Result === 'Warning');
const seconds = (s: Obj) => Math.round((Date.parse(s.EndTimeUTC) - Date.parse(s.CreationTimeUTC)) / 1000);

test('the summary report links to its five frames, each named and resolving to its root', rules('REPORT-001'), async ({ em }) => {
  const summary = (await ok(em, '/reports/summary')).body();
  for (const [path, root] of FRAMES) {
    const l = (summary.Links ?? []).find((x: Obj) => x.Rel === 'Down' && String(x.Href).split('?')[0]!.endsWith(`/reports/summary/${path}`));
    expect(l, `a Down link to /reports/summary/${path}`).toBeTruthy();
    expect(l.Type).toBe('ReportFrame');
    expect(String(l.Name ?? ''), `the link to ${path} has a Name (clients key on it)`).not.toBe('');
    const r = await em.get(l.Href, { expectedRoot: root });
    expect(r).toHaveStatus(200);
    if (!r.isJson) expect(r.root).toBe(root);
  }
});

test("the frames keep EM's own field spellings, with integer counters", rules('REPORT-002'), async ({ em }) => {
  const fields: Record<string, string[]> = {
    overview: ['SuccessfulVmLastestStates', 'WarningVmLastestStates', 'FailedVmLastestStates', 'BackupServers', 'RunningJobs'],
    vms_overview: ['BackedUpVms', 'ProtectedVms', 'ReplicatedVms', 'RestorePoints'],
    job_statistics: ['WarningsJobRuns', 'TotalJobRuns', 'MaxJobDuration'],
    repository: ['Periods'],
    processed_vms: ['Days'],
  };
  for (const [path, names] of Object.entries(fields)) {
    const r = await ok(em, `/reports/summary/${path}`);
    // JSON: the keys as sent, their case aside (camelCase is JSON-002's to report); XML: the element names (read
    // through the documented mapping). Spelling is this rule's: SuccessfulVmLastestStates, not …Latest….
    const b = r.isJson ? (pascalKeys(r.rawJson()) as Obj) : r.body();
    for (const n of names) {
      expect(Object.keys(b), `${path} has ${n}`).toContain(n);
      if (n !== 'Periods' && n !== 'Days') expect(Number.isInteger(b[n]), `${path}.${n} is an integer`).toBe(true);
    }
    if (path === 'processed_vms') for (const d of b.Days as Obj[]) expect(Object.keys(d)).toEqual(expect.arrayContaining(['Timestamp', 'ReplicatedVms', 'BackupedVms']));
  }
});

async function sessions(em: EmClient): Promise<Obj[]> {
  return [...(await list(em, '/backupSessions', 'BackupJobSessions')), ...(await list(em, '/replicaSessions', 'ReplicaJobSessions'))];
}

test('job statistics count the sessions the collections show', rules('REPORT-003'), async ({ em }) => {
  const { data, report: js } = await stable(() => sessions(em), () => frame(em, 'job_statistics'), (a, b) => key(a) === key(b));
  expect(js.TotalJobRuns, 'TotalJobRuns = sessions of /backupSessions and /replicaSessions').toBe(data.length);
  expect(js.SuccessfulJobRuns).toBe(data.filter((s) => s.Result === 'Success').length);
  expect(js.WarningsJobRuns).toBe(data.filter((s) => s.Result === 'Warning').length);
  expect(js.FailedJobRuns).toBe(data.filter((s) => s.Result === 'Failed').length);
  expect(js.RunningJobs, 'distinct jobs with a session not Stopped').toBe(new Set(data.filter((s) => s.State !== 'Stopped').map((s) => String(s.JobUid).toLowerCase())).size);
});

test('job statistics: longest runs in seconds and scheduled jobs', rules('REPORT-004'), async ({ em }) => {
  const jobsAnswer = await em.get('/jobs', { params: { format: 'Entity' } });
  if (jobsAnswer.status === 403) notApplicable('the account may not list /jobs (Portal Administrator only)', 'config');
  expect(jobsAnswer).toHaveStatus(200);
  const jobs = (jobsAnswer.body().Jobs ?? []) as Obj[];
  const { data, report: js } = await stable(() => sessions(em), () => frame(em, 'job_statistics'), (a, b) => key(a) === key(b));
  const finished = data.filter((s) => s.EndTimeUTC);
  const longest = (items: Obj[]) => items.reduce<Obj | undefined>((a, s) => (!a || seconds(s) > seconds(a) ? s : a), undefined);
  expect(js.MaxJobDuration).toBe(finished.length ? Math.max(...finished.map(seconds)) : 0);
  const backup = longest(finished.filter((s) => s.JobType === 'Backup'));
  expect(js.MaxBackupJobDuration).toBe(backup ? seconds(backup) : 0);
  if (backup) expect(js.MaxDurationBackupJobName).toBe(backup.JobName);
  const replica = longest(finished.filter((s) => s.JobType === 'Replica'));
  expect(js.MaxReplicaJobDuration).toBe(replica ? seconds(replica) : 0);
  if (replica) expect(js.MaxDurationReplicaJobName).toBe(replica.JobName);
  const scheduled = (j: Obj) => j.ScheduleConfigured === true && j.ScheduleEnabled === true;
  expect(js.ScheduledBackupJobs).toBe(jobs.filter((j) => j.JobType === 'Backup' && scheduled(j)).length);
  expect(js.ScheduledReplicaJobs).toBe(jobs.filter((j) => j.JobType === 'Replica' && scheduled(j)).length);
});

test('repository periods add up to the backup files stored there', rules('REPORT-005'), async ({ em }) => {
  const read = async () => ({ repos: await list(em, '/repositories', 'Repositories'), files: await list(em, '/backupFiles', 'BackupFiles') });
  const { data, report } = await stable(read, () => frame(em, 'repository'), (a, b) => key(a.files) === key(b.files));
  const periods = report.Periods as Obj[];
  if (!data.repos.length && !periods.length) notApplicable('the server has no repository');
  expect(periods.map((p) => p.Name).sort(), 'one Period per repository').toEqual(data.repos.map((r) => r.Name).sort());
  for (const repo of data.repos) {
    const p = periods.find((x) => x.Name === repo.Name)!;
    const id = idOfUid(repo.UID);
    const stored = data.files.filter((f) => { const l = findLink(f, 'Up', 'RepositoryReference'); return l !== undefined && idOfHref(l.Href).toLowerCase() === id; });
    expect(p.BackupSize, `${repo.Name}: BackupSize = the sum of its ${stored.length} backup files`).toBe(stored.reduce((a, f) => a + Number(f.BackupSize), 0));
    expect([p.Capacity, p.FreeSpace], `${repo.Name}: Capacity and FreeSpace as /repositories shows them`).toEqual([repo.Capacity, repo.FreeSpace]);
  }
});

async function taskSessions(em: EmClient): Promise<{ backups: Obj[]; replicas: Obj[] }> {
  return { backups: await list(em, '/backupTaskSessions', 'BackupTaskSessions'), replicas: await list(em, '/replicaTaskSessions', 'ReplicaTaskSessions') };
}
const sameTasks = (a: { backups: Obj[]; replicas: Obj[] }, b: { backups: Obj[]; replicas: Obj[] }) => key(a.backups) === key(b.backups) && key(a.replicas) === key(b.replicas);
const vmsOf = (items: Obj[]) => new Set(items.map((t) => String(t.VmUid)));

test('vms_overview counts the protected machines', rules('REPORT-006'), async ({ em }) => {
  const { data, report: vo } = await stable(() => taskSessions(em), () => frame(em, 'vms_overview'), sameTasks);
  const backups = data.backups.filter(good);
  const replicas = data.replicas.filter(good);
  expect(vo.BackedUpVms).toBe(vmsOf(backups).size);
  expect(vo.ReplicatedVms).toBe(vmsOf(replicas).size);
  expect(vo.ProtectedVms).toBe(new Set([...vmsOf(backups), ...vmsOf(replicas)]).size);
  expect(vo.RestorePoints).toBe(backups.length);
  expect(vo.SuccessBackupPercents).toBeGreaterThanOrEqual(0);
  expect(vo.SuccessBackupPercents).toBeLessThanOrEqual(100);
});

test('processed_vms: one Day per day of the last week, machines processed that day', rules('REPORT-007'), async ({ em }) => {
  let serverDay = 0;
  const { data, report } = await stable(() => taskSessions(em), async () => {
    const r = await ok(em, '/reports/summary/processed_vms');
    serverDay = Math.floor((r.headers.date ? Date.parse(r.headers.date) : Date.now()) / DAY) * DAY;
    return r.body();
  }, sameTasks);
  const days = report.Days as Obj[];
  expect(days).toHaveLength(7);
  const starts = days.map((d) => Date.parse(d.Timestamp));
  starts.forEach((t, k) => expect(t, `Day ${k} starts at a UTC midnight, one day after the previous`).toBe(starts[0]! + k * DAY));
  expect([serverDay - DAY, serverDay], 'the last Day is today (UTC)').toContain(starts[6]);
  days.forEach((d, k) => {
    const on = (t: Obj) => Date.parse(t.CreationTimeUTC) >= starts[k]! && Date.parse(t.CreationTimeUTC) < starts[k]! + DAY;
    expect(d.BackupedVms, `${d.Timestamp}: BackupedVms`).toBe(vmsOf(data.backups.filter(good).filter(on)).size);
    expect(d.ReplicatedVms, `${d.Timestamp}: ReplicatedVms`).toBe(vmsOf(data.replicas.filter(good).filter(on)).size);
  });
});

test('the overview agrees with the backup servers, the job statistics and the latest task states', rules('REPORT-008'), async ({ em }) => {
  const servers = (await ok(em, '/backupServers')).body().Refs as Obj[];
  const { data, report } = await stable(() => taskSessions(em), async () => ({ ov: await frame(em, 'overview'), js: await frame(em, 'job_statistics') }), sameTasks);
  expect(report.ov.BackupServers).toBe(servers.length);
  expect([report.ov.RunningJobs, report.ov.ScheduledJobs], 'RunningJobs and ScheduledJobs as in job_statistics').toEqual([report.js.RunningJobs, report.js.ScheduledJobs]);
  const latest = new Map<string, Obj>();
  for (const t of data.backups) {
    if (t.State !== 'Completed') continue;
    const prev = latest.get(t.VmUid);
    if (!prev || Date.parse(prev.CreationTimeUTC) <= Date.parse(t.CreationTimeUTC)) latest.set(t.VmUid, t);
  }
  const count = (r: string) => [...latest.values()].filter((t) => t.Result === r).length;
  expect([report.ov.SuccessfulVmLastestStates, report.ov.WarningVmLastestStates, report.ov.FailedVmLastestStates]).toEqual([count('Success'), count('Warning'), count('Failed')]);
});

test('repositories carry capacity, free space and kind, their backup server first', rules('MON-001'), async ({ em }) => {
  const repos = await list(em, '/repositories', 'Repositories');
  if (!repos.length) notApplicable('the server has no repository');
  const servers = new Set(((await ok(em, '/backupServers')).body().Refs as Obj[]).map((s) => s.Name));
  for (const r of repos) {
    expect(Number.isInteger(r.Capacity) && Number.isInteger(r.FreeSpace), `${r.Name}: integer Capacity and FreeSpace`).toBe(true);
    if (r.Capacity === -1) expect(r.FreeSpace).toBe(-1);
    else expect(r.FreeSpace).toBeLessThanOrEqual(r.Capacity);
    expect(String(r.Kind ?? '')).not.toBe('');
    expect(r.Links?.[0], `${r.Name}: the first link is the backup server (.Links[0].Name)`).toMatchObject({ Rel: 'Up', Type: 'BackupServerReference' });
    expect(servers).toContain(r.Links[0].Name);
    const ref = await em.get(idHref(r.Href), { expectedRoot: 'EntityRef' });
    expect(ref).toHaveStatus(200);
    expect(ref.body().UID).toBe(r.UID);
  }
});

const idHref = (href: string) => href.split('?')[0]!;

/** Up to n members spread evenly over the list. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, k) => items[Math.floor((k * items.length) / n)]!);
}

test('backup files resolve and belong to a restore point and a repository', rules('MON-002'), async ({ em }) => {
  const refs = (await ok(em, '/backupFiles')).body().Refs as Obj[];
  if (!refs.length) notApplicable('the server has no backup file');
  const repos = new Set((await list(em, '/repositories', 'Repositories')).map((r) => idOfUid(r.UID)));
  // what is wrong with each file checked, asserted once (an expect per property made this one of the slowest tests)
  const wrong: string[] = [];
  for (const ref of spread(refs, 8)) {
    const f = await entityAt(em, ref.Href);
    if (f.UID !== ref.UID) wrong.push(`${ref.Href}: UID ${f.UID}, its reference says ${ref.UID}`);
    for (const n of ['BackupSize', 'DataSize', 'DeduplicationRatio', 'CompressRatio']) if (typeof f[n] !== 'number') wrong.push(`${f.Name}: ${n} is not a number (${JSON.stringify(f[n])})`);
    if (Number.isNaN(Date.parse(f.CreationTimeUtc))) wrong.push(`${f.Name}: CreationTimeUtc ${JSON.stringify(f.CreationTimeUtc)} is not a date`);
    const repo = findLink(f, 'Up', 'RepositoryReference');
    if (!repo) wrong.push(`${f.Name}: no Up RepositoryReference link`);
    else if (!repos.has(idOfHref(repo.Href).toLowerCase())) wrong.push(`${f.Name}: its repository ${repo.Href} is not listed by /repositories`);
    const rp = findLink(f, 'Up', 'RestorePointReference');
    if (!rp) {
      wrong.push(`${f.Name}: no Up RestorePointReference link`);
      continue;
    }
    const point = await entityAt(em, rp.Href);
    if (point.Type !== 'RestorePoint') wrong.push(`${f.Name}: its Up RestorePointReference leads to Type ${point.Type}`);
    const files = findLink(point, 'Down', 'BackupFileReferenceList');
    if (!files) {
      wrong.push(`${point.Name}: no Down BackupFileReferenceList link`);
      continue;
    }
    const listed = ((await ok(em, files.Href)).body().Refs ?? []) as Obj[];
    if (!listed.some((x) => String(x.UID).toLowerCase() === String(f.UID).toLowerCase())) wrong.push(`${f.Name}: not listed by its restore point's backup files (${files.Href})`);
  }
  expect(wrong, 'backup files at fault').toEqual([]);
});

test('discovered computers are the machines of the agent jobs', rules('MON-003'), async ({ em }) => {
  const jobs = (await ok(em, '/agents/jobs')).body().Refs as Obj[];
  const computers = await list(em, '/agents/discoveredComputers', 'DiscoveredComputers');
  if (!jobs.length && !computers.length) notApplicable('the server has no agent job');
  const machines = new Set<string>();
  for (const j of jobs) for (const o of ((await ok(em, `${idHref(j.Href)}/includes`)).body().ObjectsInAgentBackupJob ?? []) as Obj[]) machines.add(o.Name);
  expect(computers.map((c) => c.Name).sort()).toEqual([...machines].sort());
  const uidOf = new Map<string, string>();
  for (const t of await list(em, '/backupTaskSessions', 'BackupTaskSessions')) if (t.VmDisplayName) uidOf.set(t.VmDisplayName, t.VmUid);
  for (const c of computers) {
    expect(['Online', 'Offline']).toContain(c.HostStatus);
    expect(['Installed', 'Warning', 'Inaccessible', 'Not Installed']).toContain(c.AgentStatus);
    expect(c.Links?.[0], `${c.Name}: the first link is the backup server`).toMatchObject({ Rel: 'Up', Type: 'BackupServerReference' });
    if (uidOf.has(c.Name)) expect(c.HierarchyObjRef, `${c.Name}: HierarchyObjRef = VmUid of its task sessions`).toBe(uidOf.get(c.Name));
  }
});

test('replica sessions belong to replica jobs and own their task sessions', rules('MON-004'), async ({ em }) => {
  const sessionsListed = await list(em, '/replicaSessions', 'ReplicaJobSessions');
  if (!sessionsListed.length) notApplicable('the server has no replica session in the last 30 days');
  const jobsChecked = new Set<string>();
  // what is wrong with each session, asserted once
  const wrong: string[] = [];
  for (const s of sessionsListed) {
    if (s.JobType !== 'Replica') wrong.push(`${s.Name}: JobType ${s.JobType}, expected Replica`);
    const up = findLink(s, 'Up', 'JobReference');
    if (!up) {
      wrong.push(`${s.Name}: no Up JobReference link`);
      continue;
    }
    if (jobsChecked.has(up.Href) || jobsChecked.size >= 5) continue;
    jobsChecked.add(up.Href);
    const jobType = (await entityAt(em, up.Href)).JobType;
    if (jobType !== 'Replica') wrong.push(`${s.Name}: its job ${up.Href} has JobType ${jobType}, expected Replica`);
  }
  for (const t of await list(em, '/replicaTaskSessions', 'ReplicaTaskSessions')) {
    const up = findLink(t, 'Up', 'ReplicaJobSessionReference');
    if (!up) wrong.push(`${t.Name}: no Up ReplicaJobSessionReference link`);
    else if (idOfHref(up.Href).toLowerCase() !== idOfUid(t.JobSessionUid)) wrong.push(`${t.Name}: the Up link names session ${idOfHref(up.Href)}, JobSessionUid is ${t.JobSessionUid}`);
  }
  expect(wrong, 'replica sessions and replica task sessions at fault').toEqual([]);
});
