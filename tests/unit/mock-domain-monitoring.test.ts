// The monitoring surface of the mock (issue 8): every new operation answers a body valid against the contract in
// both representations, and the report frames agree with the collections the same domain serves (job statistics
// count the sessions, repository periods add up to the backup files, vms_overview counts the protected machines,
// discovered computers are the machines of the agent jobs). Also: estates without replica jobs, profiles, IDs.
import { describe, expect, it } from 'vitest';
import { createDomain } from '../../src/mock/domain/index.ts';
import { monitoringOf } from '../../src/mock/domain/monitoring.ts';
import type { HandlerResult } from '../../src/mock/types.ts';
import { call, domain, NOW, violations } from './mock-domain-helpers.ts';

type Obj = Record<string, any>;
const body = (r: HandlerResult) => r.body as Obj;

const d = domain({ sessions: 3000, seed: 7 });

async function entities(operationId: string, key: string): Promise<Obj[]> {
  const r = await call(d, operationId, {}, 'format=Entity');
  expect(r.status).toBe(200);
  return body(r)[key] as Obj[];
}

const good = (t: Obj) => t.State === 'Completed' && (t.Result === 'Success' || t.Result === 'Warning');
const idOf = (href: string) => href.split('?')[0]!.split('/').pop()!;

describe('monitoring operations answer valid bodies', () => {
  it('summary report and frames', async () => {
    for (const op of ['getSummaryReport', 'getOverviewReport', 'getVmsOverviewReport', 'getJobStatisticsReport', 'getRepositoryReport', 'getProcessedVmsReport']) {
      const r = await call(d, op);
      expect(r.status, op).toBe(200);
      expect(violations(r), op).toEqual([]);
    }
  });

  it('collections and items, reference and entity', async () => {
    const pairs: [string, string][] = [
      ['listRepositories', 'getRepository'],
      ['listBackupFiles', 'getBackupFile'],
      ['listDiscoveredComputers', 'getDiscoveredComputer'],
      ['listReplicaSessions', 'getReplicaSession'],
      ['listReplicaTaskSessions', 'getReplicaTaskSession'],
    ];
    for (const [list, get] of pairs) {
      const refs = await call(d, list);
      expect(violations(refs), list).toEqual([]);
      const items = body(refs).Refs as Obj[];
      expect(items.length, `${list} has members`).toBeGreaterThan(0);
      const entityList = await call(d, list, {}, 'format=Entity');
      expect(violations(entityList), `${list}?format=Entity`).toEqual([]);
      for (const ref of [items[0]!, items[items.length - 1]!]) {
        for (const q of ['', 'format=Entity']) {
          const r = await call(d, get, { ID: idOf(ref.Href) }, q);
          expect(r.status).toBe(200);
          expect(violations(r), `${get} ${q}`).toEqual([]);
          expect(body(r).UID).toBe(ref.UID);
        }
      }
      await expect(call(d, get, { ID: '00000000-0000-0000-0000-000000000000' })).rejects.toMatchObject({ status: 404 });
      await expect(call(d, get, { ID: 'not-a-guid' })).rejects.toMatchObject({ status: 404 });
    }
  });

  it('a bad format is 400', async () => {
    await expect(call(d, 'listRepositories', {}, 'format=Bogus')).rejects.toMatchObject({ status: 400 });
  });
});

describe('the report frames agree with the collections', () => {
  it('job statistics count the sessions the collections show', async () => {
    const sessions = [...(await entities('listBackupSessions', 'BackupJobSessions')), ...(await entities('listReplicaSessions', 'ReplicaJobSessions'))];
    const js = body(await call(d, 'getJobStatisticsReport'));
    expect(js.TotalJobRuns).toBe(sessions.length);
    expect(js.SuccessfulJobRuns).toBe(sessions.filter((s) => s.Result === 'Success').length);
    expect(js.WarningsJobRuns).toBe(sessions.filter((s) => s.Result === 'Warning').length);
    expect(js.FailedJobRuns).toBe(sessions.filter((s) => s.Result === 'Failed').length);
    expect(js.RunningJobs).toBe(new Set(sessions.filter((s) => s.State !== 'Stopped').map((s) => s.JobUid)).size);
    expect(js.RunningJobs).toBeGreaterThan(0);
    const secs = (s: Obj) => Math.round((Date.parse(s.EndTimeUTC) - Date.parse(s.CreationTimeUTC)) / 1000);
    const finished = sessions.filter((s) => s.EndTimeUTC);
    const longestBackup = finished.filter((s) => s.JobType === 'Backup').sort((a, b) => secs(b) - secs(a))[0]!;
    expect(js.MaxBackupJobDuration).toBe(secs(longestBackup));
    expect(js.MaxDurationBackupJobName).toBe(longestBackup.JobName);
    const longestReplica = finished.filter((s) => s.JobType === 'Replica').sort((a, b) => secs(b) - secs(a))[0]!;
    expect(js.MaxReplicaJobDuration).toBe(secs(longestReplica));
    expect(js.MaxDurationReplicaJobName).toBe(longestReplica.JobName);
    expect(js.MaxJobDuration).toBe(Math.max(...finished.map(secs)));
    const jobs = await entities('listJobs', 'Jobs');
    const scheduled = (j: Obj) => j.ScheduleConfigured && j.ScheduleEnabled;
    expect(js.ScheduledBackupJobs).toBe(jobs.filter((j) => j.JobType === 'Backup' && scheduled(j)).length);
    expect(js.ScheduledReplicaJobs).toBe(jobs.filter((j) => j.JobType === 'Replica' && scheduled(j)).length);
    const agentJobs = await entities('listAgentJobs', 'AgentBackupJobs');
    expect(js.ScheduledJobs).toBe([...jobs, ...agentJobs].filter(scheduled).length);
  });

  it('repository periods add up to the backup files stored there', async () => {
    const repos = await entities('listRepositories', 'Repositories');
    const files = await entities('listBackupFiles', 'BackupFiles');
    const periods = body(await call(d, 'getRepositoryReport')).Periods as Obj[];
    expect(periods.map((p) => p.Name)).toEqual(repos.map((r) => r.Name));
    let stored = 0;
    for (const repo of repos) {
      const p = periods.find((x) => x.Name === repo.Name)!;
      const mine = files.filter((f) => f.Links.some((l: Obj) => l.Type === 'RepositoryReference' && l.Href === repo.Href.replace('?format=Entity', '')));
      stored += mine.length;
      expect(p.BackupSize, repo.Name).toBe(mine.reduce((a, f) => a + f.BackupSize, 0));
      expect([p.Capacity, p.FreeSpace]).toEqual([repo.Capacity, repo.FreeSpace]);
      if (repo.Capacity >= 0) expect(repo.FreeSpace).toBeLessThanOrEqual(repo.Capacity - p.BackupSize);
      else expect(repo.FreeSpace).toBe(-1);
      expect(repo.Links[0]).toMatchObject({ Rel: 'Up', Type: 'BackupServerReference' });
    }
    expect(stored).toBe(files.length);
    expect(repos.some((r) => r.Capacity === -1), 'an object-storage repository').toBe(true);
  });

  it('vms_overview counts the protected machines; processed_vms the machines per day', async () => {
    const tasks = (await entities('listBackupTaskSessions', 'BackupTaskSessions')).filter(good);
    const replicas = (await entities('listReplicaTaskSessions', 'ReplicaTaskSessions')).filter(good);
    const vo = body(await call(d, 'getVmsOverviewReport'));
    const backedUp = new Set(tasks.map((t) => t.VmUid));
    const replicated = new Set(replicas.map((t) => t.VmUid));
    expect(vo.BackedUpVms).toBe(backedUp.size);
    expect(vo.ReplicatedVms).toBe(replicated.size);
    expect(vo.ReplicatedVms).toBeGreaterThan(0);
    expect(vo.ProtectedVms).toBe(new Set([...backedUp, ...replicated]).size);
    expect(vo.RestorePoints).toBe(tasks.length);
    expect(vo.SuccessBackupPercents).toBeGreaterThan(50);
    expect(vo.SuccessBackupPercents).toBeLessThanOrEqual(100);
    const days = body(await call(d, 'getProcessedVmsReport')).Days as Obj[];
    expect(days).toHaveLength(7);
    const today = Math.floor(NOW.getTime() / 86_400_000) * 86_400_000;
    days.forEach((day, k) => {
      const start = today - (6 - k) * 86_400_000;
      expect(Date.parse(day.Timestamp)).toBe(start);
      const on = (t: Obj) => Date.parse(t.CreationTimeUTC) >= start && Date.parse(t.CreationTimeUTC) < start + 86_400_000;
      expect(day.BackupedVms).toBe(new Set(tasks.filter(on).map((t) => t.VmUid)).size);
      expect(day.ReplicatedVms).toBe(new Set(replicas.filter(on).map((t) => t.VmUid)).size);
    });
  });

  it('the overview agrees with the servers, the job statistics and the latest task states', async () => {
    const ov = body(await call(d, 'getOverviewReport'));
    const js = body(await call(d, 'getJobStatisticsReport'));
    expect(ov.BackupServers).toBe(d.store.servers.length);
    expect([ov.RunningJobs, ov.ScheduledJobs]).toEqual([js.RunningJobs, js.ScheduledJobs]);
    const latest = new Map<string, Obj>();
    for (const t of await entities('listBackupTaskSessions', 'BackupTaskSessions')) {
      if (t.State !== 'Completed') continue;
      const prev = latest.get(t.VmUid);
      if (!prev || prev.CreationTimeUTC <= t.CreationTimeUTC) latest.set(t.VmUid, t);
    }
    const count = (r: string) => [...latest.values()].filter((t) => t.Result === r).length;
    expect([ov.SuccessfulVmLastestStates, ov.WarningVmLastestStates, ov.FailedVmLastestStates]).toEqual([count('Success'), count('Warning'), count('Failed')]);
  });

  it('the frames follow the data when an action starts a job', async () => {
    const local = domain({ sessions: 500, seed: 3 });
    const before = body(await call(local, 'getJobStatisticsReport'));
    const idle = local.store.jobs.find((j) => j.kind === 'agent' && local.store.sessionsOfJob(j.index).every((i) => !local.store.isRunning(i)))!;
    await call(local, 'agentJobAction', { ID: idle.id }, 'action=start');
    const after = body(await call(local, 'getJobStatisticsReport'));
    expect(after.TotalJobRuns).toBeGreaterThan(before.TotalJobRuns);
    expect(after.RunningJobs).toBeGreaterThan(before.RunningJobs);
  });
});

describe('discovered computers and replica sessions', () => {
  it('discovered computers are the machines of the agent jobs', async () => {
    const computers = await entities('listDiscoveredComputers', 'DiscoveredComputers');
    const agentMachines = d.store.jobs.filter((j) => j.kind === 'agent').flatMap((j) => j.objects.map((o) => d.store.objects[o]!));
    expect(computers.map((c) => c.Name).sort()).toEqual(agentMachines.map((o) => o.name).sort());
    for (const c of computers) {
      expect(c.HierarchyObjRef).toBe(agentMachines.find((o) => o.name === c.Name)!.uid);
      expect(c.Links[0]).toMatchObject({ Rel: 'Up', Type: 'BackupServerReference' });
      expect(['Online', 'Offline']).toContain(c.HostStatus);
    }
  });

  it('replica task sessions belong to replica sessions of replica jobs', async () => {
    const sessions = await entities('listReplicaSessions', 'ReplicaJobSessions');
    const byUid = new Map(sessions.map((s) => [s.UID, s]));
    for (const s of sessions) {
      expect(s.JobType).toBe('Replica');
      const job = body(await call(d, 'getJob', { ID: s.JobUid.split(':').pop() }, 'format=Entity'));
      expect(job.JobType).toBe('Replica');
      expect(job.JobInfo.ReplicaJobInfo).not.toBeNull();
    }
    for (const t of await entities('listReplicaTaskSessions', 'ReplicaTaskSessions')) {
      const up = t.Links.find((l: Obj) => l.Type === 'ReplicaJobSessionReference');
      expect(up.Href.endsWith(t.JobSessionUid.split(':').pop())).toBe(true);
      if (Date.parse(t.CreationTimeUTC) > NOW.getTime() - 29 * 86_400_000) expect(byUid.has(t.JobSessionUid)).toBe(true);
    }
  });
});

describe('estates and determinism', () => {
  it('an estate file that lists the jobs gets no replica jobs; its reports still answer', async () => {
    const tiny = domain({ sessions: 40, data: { jobs: [{ name: 'Only Job', vms: ['vm01'] }], agentJobs: [{ name: 'Agents', computers: ['pc01.tech.local'] }] } });
    expect(tiny.store.jobs.some((j) => j.jobType === 'Replica')).toBe(false);
    const js = body(await call(tiny, 'getJobStatisticsReport'));
    expect(js.ScheduledReplicaJobs).toBe(0);
    expect(js.MaxDurationReplicaJobName).toBeNull();
    expect(violations(await call(tiny, 'getJobStatisticsReport'))).toEqual([]);
    expect((body(await call(tiny, 'listDiscoveredComputers')).Refs as Obj[]).map((r) => r.Name)).toEqual(['pc01.tech.local']);
  });

  it('same seed, same monitoring data; the backup history is unchanged by it', () => {
    const a = createDomain({ seed: 11, sessions: 800, now: () => NOW });
    const b = createDomain({ seed: 11, sessions: 800, now: () => NOW });
    const ma = monitoringOf(a.store);
    const mb = monitoringOf(b.store);
    expect(ma.repositories.map((r) => [r.id, r.capacity])).toEqual(mb.repositories.map((r) => [r.id, r.capacity]));
    expect(ma.replicaSessions.map((s) => s.id)).toEqual(mb.replicaSessions.map((s) => s.id));
    expect(ma.computers.map((c) => c.id)).toEqual(mb.computers.map((c) => c.id));
    expect(a.store.taskCount).toBe(800);
  });

  it('the report period is configurable', async () => {
    const narrow = domain({ sessions: 2000, seed: 7, reportWindowMs: 86_400_000 });
    const wide = body(await call(d, 'getJobStatisticsReport'));
    const day = body(await call(narrow, 'getJobStatisticsReport'));
    expect(day.TotalJobRuns).toBeLessThan(wide.TotalJobRuns);
    expect(day.TotalJobRuns).toBeGreaterThan(0);
  });
});
