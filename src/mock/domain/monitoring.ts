/**
 * The monitoring surface of the mock (issue 8): backup repositories, backup files, discovered computers, replica
 * jobs with their sessions and task sessions, and the summary report frames computed from all of it.
 *
 * Built once, at the end of generate(), from its own PRNG stream (the backup history and its IDs stay exactly what
 * they were before this module existed). The static part is small (O(jobs + objects + replica history)); the only
 * pass over the task sessions is the one that sizes the repositories. Report frames are not stored: they are
 * computed on request from the store's columns (one linear pass over the window's sessions), cached per store version
 * and clock second, so that a report always agrees with the collections served at the same moment.
 */
import { isFullRun, HISTORY_DAYS } from './generate.ts';
import { IdCodec, mix32, Rng } from './prng.ts';
import {
  DAY_MS,
  F_RESTORE_POINT,
  type JobRec,
  R_FAILED,
  R_SUCCESS,
  R_WARNING,
  ST_STOPPED,
  nameTime,
  type Store,
  TS_COMPLETED,
  WINDOW_MS,
} from './store.ts';

const HOUR_MS = 3_600_000;
const MIN_MS = 60_000;
const TIB = 1024 ** 4;
/** IdCodec kind of backup files (1–4 are the store's sessions, tasks, restore points, VM restore points). */
const KIND_BACKUP_FILE = 5;

export type RepositoryKind = 'WinLocal' | 'LinuxLocal' | 'Cifs' | 'AmazonS3';

export interface RepositoryRec {
  index: number;
  id: string;
  name: string;
  server: number;
  kind: RepositoryKind;
  /** Root folder of the backup files (FilePath). */
  path: string;
  /** Bytes; -1 for object storage (em-api-notes §4.1 item 7: "Capacity": -1 for object storage repos). */
  capacity: number;
  /** Bytes used by other data than the backup files (so FreeSpace is not simply Capacity - BackupSize). */
  otherUsed: number;
}

export interface ReplicaSessionRec {
  index: number;
  id: string;
  job: number;
  created: number;
  ended: number;
  state: number;
  result: number;
  progress: number;
  retry: boolean;
  message: string | null;
  firstTask: number;
  taskCount: number;
}

export interface ReplicaTaskRec {
  index: number;
  id: string;
  session: number;
  object: number;
  created: number;
  ended: number;
  result: number;
  reason: string;
  size: number;
}

export interface ComputerRec {
  index: number;
  id: string;
  /** Index into Store.objects (the computer an agent job protects). */
  object: number;
  server: number;
  hostStatus: 'Online' | 'Offline';
  agentStatus: 'Installed' | 'Warning' | 'Inaccessible' | 'Not Installed';
  agentVersion: string | null;
  osVersion: string | null;
  ipAddress: string | null;
}

export interface MonitoringOptions {
  /** Period of the summary report (default: the collections' 30-day window). */
  reportWindowMs?: number;
}

// ------------------------------------------------------------------ report frames (JSON-form numbers only)

export interface JobStatistics {
  RunningJobs: number;
  ScheduledJobs: number;
  ScheduledBackupJobs: number;
  ScheduledReplicaJobs: number;
  TotalJobRuns: number;
  SuccessfulJobRuns: number;
  WarningsJobRuns: number;
  FailedJobRuns: number;
  MaxJobDuration: number;
  MaxBackupJobDuration: number;
  MaxReplicaJobDuration: number;
  MaxDurationBackupJobName: string | null;
  MaxDurationReplicaJobName: string | null;
}

export interface VmsOverview {
  ProtectedVms: number;
  BackedUpVms: number;
  ReplicatedVms: number;
  RestorePoints: number;
  FullBackupPointsSize: number;
  IncrementalBackupPointsSize: number;
  ReplicaRestorePointsSize: number;
  SourceVmsSize: number;
  SuccessBackupPercents: number;
}

export interface Overview {
  BackupServers: number;
  ProxyServers: number;
  RepositoryServers: number;
  RunningJobs: number;
  ScheduledJobs: number;
  SuccessfulVmLastestStates: number;
  WarningVmLastestStates: number;
  FailedVmLastestStates: number;
}

export interface ProcessedDay {
  /** UTC midnight starting the day. */
  day: number;
  backedUp: number;
  replicated: number;
}

export interface Reports {
  overview: Overview;
  vmsOverview: VmsOverview;
  jobStatistics: JobStatistics;
  /** Per repository (aligned with Monitoring.repositories): bytes of the backup files stored there. */
  repositoryBackupSize: number[];
  processedVms: ProcessedDay[];
}

const good = (result: number) => result === R_SUCCESS || result === R_WARNING;

// ------------------------------------------------------------------ the model

export class Monitoring {
  readonly repositories: RepositoryRec[] = [];
  readonly replicaSessions: ReplicaSessionRec[] = [];
  readonly replicaTasks: ReplicaTaskRec[] = [];
  readonly computers: ComputerRec[] = [];
  /** Job index → repository index (-1: the job keeps no backup files, e.g. a replica job). */
  readonly jobRepository: number[] = [];
  private readonly fileCodec: IdCodec;
  private readonly repoById = new Map<string, number>();
  private readonly replicaSessionById = new Map<string, number>();
  private readonly replicaTaskById = new Map<string, number>();
  private readonly computerById = new Map<string, number>();
  private cache: { key: string; reports: Reports } | undefined;
  reportWindowMs: number = WINDOW_MS;

  constructor(readonly store: Store) {
    this.fileCodec = new IdCodec(store.seed, KIND_BACKUP_FILE);
  }

  // ---------------------------------------------------------------- lookups

  findRepository(id: string): number {
    return this.repoById.get(id.toLowerCase()) ?? -1;
  }
  findReplicaSession(id: string): number {
    return this.replicaSessionById.get(id.toLowerCase()) ?? -1;
  }
  findReplicaTask(id: string): number {
    return this.replicaTaskById.get(id.toLowerCase()) ?? -1;
  }
  findComputer(id: string): number {
    return this.computerById.get(id.toLowerCase()) ?? -1;
  }
  /** Backup files share the index of the job session whose restore point they hold. */
  backupFileId(i: number): string {
    return this.fileCodec.encode(i);
  }
  findBackupFile(id: string): number {
    const i = this.fileCodec.decode(id);
    return i >= 0 && i < this.store.sessionCount && this.store.hasRestorePoint(i) ? i : -1;
  }
  /** Session indices holding a backup file, oldest first. */
  backupFiles(): number[] {
    const st = this.store;
    const out: number[] = [];
    const flags = st.sFlags.data;
    for (let i = 0; i < st.sessionCount; i++) if ((flags[i]! & F_RESTORE_POINT) !== 0) out.push(i);
    return out;
  }

  /** The repository holding the backup file of session i (per-machine agent jobs use their agent job's). */
  repositoryOfSession(i: number): number {
    const job = this.store.sessionJob(i);
    return this.jobRepository[job.parent >= 0 ? job.parent : job.index] ?? -1;
  }
  /** BackupSize of the file of session i: the data its task sessions wrote. */
  backupFileSize(i: number): number {
    const st = this.store;
    const first = st.sFirstTask.get(i);
    const end = first + st.sTaskCount.get(i);
    let sum = 0;
    for (let t = first; t < end; t++) sum += st.tSize.get(t);
    return sum;
  }
  /** Deduplication and compression ratios of a job's files (fixed per job: they depend on its data). */
  ratios(job: JobRec): { dedup: number; compress: number } {
    const h = mix32(this.store.seed ^ Math.imul(job.index + 1, 0x85ebca6b));
    return { dedup: 1 + ((h & 0xff) / 255) * 0.8, compress: 1.4 + (((h >>> 8) & 0xff) / 255) * 1.1 };
  }
  isFullFile(i: number): boolean {
    return isFullRun(this.store.sCreated.get(i));
  }

  replicaSessionName(s: ReplicaSessionRec): string {
    return `${this.store.jobs[s.job]!.name}@${nameTime(s.created)}`;
  }
  replicaTaskName(t: ReplicaTaskRec): string {
    return `${this.store.objects[t.object]!.name}@${nameTime(t.created)}`;
  }

  // ---------------------------------------------------------------- reports

  /** The report frames at `now` (cached per store version and clock second). */
  reports(now: number): Reports {
    const key = `${this.store.version}:${Math.floor(now / 1000)}:${this.reportWindowMs}`;
    if (this.cache?.key !== key) this.cache = { key, reports: this.compute(now) };
    return this.cache.reports;
  }

  private compute(now: number): Reports {
    const st = this.store;
    const cutoff = now - this.reportWindowMs;
    // Job statistics and VM states over the window's backup sessions (newest last; sessions are appended in time order
    // apart from the few an action starts, so the whole column is scanned).
    let total = 0;
    let success = 0;
    let warning = 0;
    let failed = 0;
    let maxAll = 0;
    let maxBackup = 0;
    let maxBackupName: string | null = null;
    let maxReplica = 0;
    let maxReplicaName: string | null = null;
    let finishedBackups = 0;
    let successfulBackups = 0;
    const runningJobs = new Set<number>();
    const backedUp = new Set<number>();
    const replicated = new Set<number>();
    /** Latest completed backup task session per machine: [created, result]. */
    const latest = new Map<number, [number, number]>();
    let restorePoints = 0;
    let fullSize = 0;
    let incSize = 0;
    let replicaSize = 0;
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    const firstDay = today - 6 * DAY_MS;
    const dayBackedUp: Set<number>[] = Array.from({ length: 7 }, () => new Set());
    const dayReplicated: Set<number>[] = Array.from({ length: 7 }, () => new Set());

    const created = st.sCreated.data;
    const countTasks = (i: number): void => {
      const first = st.sFirstTask.get(i);
      const end = first + st.sTaskCount.get(i);
      for (let t = first; t < end; t++) {
        const tc = st.tCreated.get(t);
        if (tc < cutoff || st.tState.get(t) !== TS_COMPLETED) continue;
        const object = st.tObject.get(t);
        const r = st.tResult.get(t);
        const prev = latest.get(object);
        if (!prev || prev[0] <= tc) latest.set(object, [tc, r]);
        if (!good(r)) continue;
        backedUp.add(object);
        // REPORT-006's choice: a restore point per successful or warning task session of the window (a task that
        // completed inside a session still running has none in the store yet, but counts like the others)
        restorePoints++;
        const d = Math.floor((tc - firstDay) / DAY_MS);
        if (d >= 0 && d < 7) dayBackedUp[d]!.add(object);
      }
    };
    for (let i = 0; i < st.sessionCount; i++) {
      // a session created before the window can have task sessions inside it (the task collections window each task
      // by its own creation time): those count for the machines, only the session-level figures skip the session
      if (created[i]! < cutoff) {
        countTasks(i);
        continue;
      }
      total++;
      const result = st.sResult.get(i);
      if (result === R_SUCCESS) success++;
      else if (result === R_WARNING) warning++;
      else if (result === R_FAILED) failed++;
      const job = st.sessionJob(i);
      if (st.sState.get(i) !== ST_STOPPED) runningJobs.add(job.index);
      const ended = st.sEnded.get(i);
      if (Number.isFinite(ended)) {
        const secs = Math.round((ended - created[i]!) / 1000);
        if (secs > maxAll) maxAll = secs;
        if (job.sessionJobType === 'Backup' && secs > maxBackup) {
          maxBackup = secs;
          maxBackupName = job.name;
        }
        finishedBackups++;
        if (result === R_SUCCESS) successfulBackups++;
      }
      if (st.hasRestorePoint(i)) {
        if (this.isFullFile(i)) fullSize += this.backupFileSize(i);
        else incSize += this.backupFileSize(i);
      }
      countTasks(i);
    }
    for (const s of this.replicaSessions) {
      if (s.created >= cutoff) {
        total++;
        if (s.result === R_SUCCESS) success++;
        else if (s.result === R_WARNING) warning++;
        else if (s.result === R_FAILED) failed++;
        if (s.state !== ST_STOPPED) runningJobs.add(s.job);
        if (Number.isFinite(s.ended)) {
          const secs = Math.round((s.ended - s.created) / 1000);
          if (secs > maxAll) maxAll = secs;
          if (secs > maxReplica) {
            maxReplica = secs;
            maxReplicaName = st.jobs[s.job]!.name;
          }
        }
      }
      // as for backups: task sessions inside the window count even when their session started before it
      for (let t = s.firstTask; t < s.firstTask + s.taskCount; t++) {
        const task = this.replicaTasks[t]!;
        if (task.created < cutoff || !good(task.result)) continue;
        replicated.add(task.object);
        replicaSize += task.size;
        const d = Math.floor((task.created - firstDay) / DAY_MS);
        if (d >= 0 && d < 7) dayReplicated[d]!.add(task.object);
      }
    }
    const scheduled = st.jobs.filter((j) => j.kind !== 'agentChild' && j.scheduleConfigured && j.scheduleEnabled);
    const protectedVms = new Set([...backedUp, ...replicated]);
    let sourceSize = 0;
    for (const o of protectedVms) sourceSize += st.objects[o]!.size;
    let latestOk = 0;
    let latestWarn = 0;
    let latestFail = 0;
    for (const [, [, r]] of latest) {
      if (r === R_SUCCESS) latestOk++;
      else if (r === R_WARNING) latestWarn++;
      else if (r === R_FAILED) latestFail++;
    }
    const repositoryBackupSize = this.repositories.map(() => 0);
    const flags = st.sFlags.data;
    for (let i = 0; i < st.sessionCount; i++) {
      if ((flags[i]! & F_RESTORE_POINT) === 0) continue;
      const r = this.repositoryOfSession(i);
      if (r >= 0) repositoryBackupSize[r]! += this.backupFileSize(i);
    }
    const jobStatistics: JobStatistics = {
      RunningJobs: runningJobs.size,
      ScheduledJobs: scheduled.length,
      ScheduledBackupJobs: scheduled.filter((j) => j.jobType === 'Backup').length,
      ScheduledReplicaJobs: scheduled.filter((j) => j.jobType === 'Replica').length,
      TotalJobRuns: total,
      SuccessfulJobRuns: success,
      WarningsJobRuns: warning,
      FailedJobRuns: failed,
      MaxJobDuration: maxAll,
      MaxBackupJobDuration: maxBackup,
      MaxReplicaJobDuration: maxReplica,
      MaxDurationBackupJobName: maxBackupName,
      MaxDurationReplicaJobName: maxReplicaName,
    };
    return {
      jobStatistics,
      overview: {
        BackupServers: st.servers.length,
        ProxyServers: st.servers.length,
        RepositoryServers: new Set(this.repositories.map((r) => r.server)).size,
        RunningJobs: jobStatistics.RunningJobs,
        ScheduledJobs: jobStatistics.ScheduledJobs,
        SuccessfulVmLastestStates: latestOk,
        WarningVmLastestStates: latestWarn,
        FailedVmLastestStates: latestFail,
      },
      vmsOverview: {
        ProtectedVms: protectedVms.size,
        BackedUpVms: backedUp.size,
        ReplicatedVms: replicated.size,
        RestorePoints: restorePoints,
        FullBackupPointsSize: fullSize,
        IncrementalBackupPointsSize: incSize,
        ReplicaRestorePointsSize: replicaSize,
        SourceVmsSize: sourceSize,
        SuccessBackupPercents: finishedBackups ? Math.round((100 * successfulBackups) / finishedBackups) : 0,
      },
      repositoryBackupSize,
      processedVms: dayBackedUp.map((b, d) => ({ day: firstDay + d * DAY_MS, backedUp: b.size, replicated: dayReplicated[d]!.size })),
    };
  }

  // ---------------------------------------------------------------- building

  addRepository(r: Omit<RepositoryRec, 'index'>): RepositoryRec {
    const out = { ...r, index: this.repositories.length };
    this.repositories.push(out);
    this.repoById.set(out.id, out.index);
    return out;
  }
  addReplicaSession(s: Omit<ReplicaSessionRec, 'index' | 'firstTask' | 'taskCount'>): ReplicaSessionRec {
    const out = { ...s, index: this.replicaSessions.length, firstTask: this.replicaTasks.length, taskCount: 0 };
    this.replicaSessions.push(out);
    this.replicaSessionById.set(out.id, out.index);
    return out;
  }
  addReplicaTask(t: Omit<ReplicaTaskRec, 'index'>): ReplicaTaskRec {
    const out = { ...t, index: this.replicaTasks.length };
    this.replicaTasks.push(out);
    this.replicaTaskById.set(out.id, out.index);
    this.replicaSessions[t.session]!.taskCount++;
    return out;
  }
  addComputer(c: Omit<ComputerRec, 'index'>): ComputerRec {
    const out = { ...c, index: this.computers.length };
    this.computers.push(out);
    this.computerById.set(out.id, out.index);
    return out;
  }
}


const monitors = new WeakMap<Store, Monitoring>();

/** The monitoring model of a store (an empty one for stores not built by generate(), e.g. in unit tests). */
export function monitoringOf(store: Store): Monitoring {
  let m = monitors.get(store);
  if (!m) {
    m = new Monitoring(store);
    monitors.set(store, m);
  }
  return m;
}

const REPLICA_FAILURES = [
  'Error: Failed to create VM snapshot. Error: The operation is not allowed in the current state.',
  'Error: Replica VM disk resize failed: not enough space on the target datastore.',
];
const REPLICA_WARNINGS = ['Unable to apply replica retention policy: the replica is locked by another task.'];
const WIN_OS = ['Microsoft Windows Server 2019 Datacenter', 'Microsoft Windows Server 2022 Standard', 'Microsoft Windows 11 Enterprise'];
const LINUX_OS = ['Ubuntu 22.04.4 LTS', 'Red Hat Enterprise Linux 9.3', 'Debian GNU/Linux 12'];

export interface BuildMonitoringOptions {
  /** The clock at generation time (the replica history ends just before it). */
  now: number;
  /** Add replica jobs (not when the estate file lists the jobs: it describes the whole estate). */
  replicaJobs: boolean;
  /** Start of the backup history (the replica history covers the same span). */
  historyStart: number;
}

/**
 * Builds the monitoring model of a generated store: repositories (two per backup server, an object-storage one on
 * the first), the repository of every VM and agent job, replica jobs (added to the store's jobs: /jobs lists
 * Replication jobs, em-api-notes §5.7) with a daily history, and one discovered computer per machine of the agent jobs.
 */
export function buildMonitoring(store: Store, opts: BuildMonitoringOptions): Monitoring {
  const m = monitoringOf(store);
  const rng = new Rng(mix32((store.seed >>> 0) ^ 0x3c6ef372));
  // Repositories.
  const byServer: number[][] = store.servers.map(() => []);
  store.servers.forEach((s, k) => {
    const short = s.name.split('.')[0]!;
    const second: RepositoryKind = k % 2 === 0 ? 'LinuxLocal' : 'Cifs';
    for (const [name, kind, path] of [
      ['Default Backup Repository', 'WinLocal', 'C:\\Backup'],
      [`${short} ${second === 'Cifs' ? 'NAS' : 'Linux'} Repository`, second, second === 'Cifs' ? `\\\\nas0${k + 1}\\backup` : '/mnt/backup'],
    ] as [string, RepositoryKind, string][]) {
      const r = m.addRepository({ id: rng.guid(), name: k === 0 || name !== 'Default Backup Repository' ? name : `Default Backup Repository (${short})`, server: k, kind, path, capacity: 0, otherUsed: 0 });
      byServer[k]!.push(r.index);
    }
  });
  if (store.servers.length) m.addRepository({ id: rng.guid(), name: 'Object Storage Repository', server: 0, kind: 'AmazonS3', path: 's3://veeam-backups', capacity: -1, otherUsed: 0 });
  for (const job of store.jobs) {
    const repos = byServer[job.server] ?? [];
    m.jobRepository[job.index] = job.kind === 'agentChild' || repos.length === 0 ? -1 : repos[job.index % repos.length]!;
  }

  // Replica jobs and their history.
  if (opts.replicaJobs) {
    const sources = store.jobs.filter((j) => j.kind === 'vm' && j.jobType === 'Backup');
    const count = Math.min(12, Math.max(1, Math.round(sources.length / 6)));
    for (let k = 0; k < count && sources.length; k++) {
      const src = rng.pick(sources);
      const vms = src.objects.slice(0, rng.int(1, Math.min(4, src.objects.length)));
      const configured = rng.chance(0.9);
      const job = store.addJob({
        id: rng.guid(),
        name: `Replication Job ${k + 1}`,
        kind: 'vm',
        jobType: 'Replica',
        sessionJobType: 'Replica',
        platform: src.platform,
        description: `Replicates ${src.name} to the DR site.`,
        server: src.server,
        scheduleConfigured: configured,
        scheduleEnabled: configured && rng.chance(0.9),
        hour: rng.int(0, 23),
        minute: rng.pick([0, 15, 30, 45]),
        retryTimes: 3,
        retryTimeout: 10,
        restorePointsToKeep: 7,
        objects: vms,
        includeIds: vms.map(() => rng.guid()),
        parent: -1,
        children: [],
        source: -1,
        backupId: rng.guid(),
      });
      m.jobRepository[job.index] = -1;
    }
    const replicaJobs = store.jobs.filter((j) => j.jobType === 'Replica');
    const start = Math.max(opts.historyStart, opts.now - HISTORY_DAYS * DAY_MS);
    const events: { t: number; job: JobRec }[] = [];
    for (const job of replicaJobs)
      for (let day = Math.floor(start / DAY_MS) * DAY_MS; day < opts.now; day += DAY_MS) {
        const t = day + job.hour * HOUR_MS + job.minute * MIN_MS + rng.int(0, 59_999);
        if (t >= start && t < opts.now - 3 * HOUR_MS) events.push({ t, job });
      }
    events.sort((a, b) => a.t - b.t || a.job.index - b.job.index);
    for (const e of events) {
      const result = [R_SUCCESS, R_WARNING, R_FAILED][rng.weighted([85, 10, 5])]!;
      let cursor = e.t + rng.int(5000, 20000);
      const tasks = e.job.objects.map((object, k) => {
        const r = result === R_SUCCESS ? R_SUCCESS : k === 0 ? result : rng.chance(0.7) ? R_SUCCESS : result;
        const created = cursor;
        cursor += rng.int(60_000, 20 * MIN_MS);
        const size = r === R_FAILED ? 0 : Math.round(store.objects[object]!.size * (0.01 + rng.float() * 0.1));
        const reason = r === R_FAILED ? rng.pick(REPLICA_FAILURES) : r === R_WARNING ? rng.pick(REPLICA_WARNINGS) : '';
        return { object, created, ended: cursor - rng.int(1000, 30_000), result: r, size, reason };
      });
      const worst = tasks.reduce((a, t) => Math.max(a, t.result), R_SUCCESS);
      const s = m.addReplicaSession({
        id: rng.guid(),
        job: e.job.index,
        created: e.t,
        ended: cursor + rng.int(3000, 15000),
        state: ST_STOPPED,
        result: worst,
        progress: 100,
        retry: false,
        message: worst === R_SUCCESS ? null : tasks.find((t) => t.result === worst)!.reason,
      });
      for (const t of tasks) m.addReplicaTask({ id: rng.guid(), session: s.index, ...t });
    }
  }

  // Discovered computers: the machines of the agent jobs.
  for (const job of store.jobs) {
    if (job.kind !== 'agent') continue;
    const windows = job.platform === 'AgentForWindows';
    for (const object of job.objects) {
      const online = rng.chance(0.85);
      m.addComputer({
        id: rng.guid(),
        object,
        server: job.server,
        hostStatus: online ? 'Online' : 'Offline',
        agentStatus: online ? (rng.chance(0.9) ? 'Installed' : 'Warning') : 'Inaccessible',
        agentVersion: windows ? '6.1.2.134' : '6.1.0.1498',
        osVersion: rng.pick(windows ? WIN_OS : LINUX_OS),
        ipAddress: `10.${rng.int(0, 20)}.${rng.int(0, 254)}.${rng.int(1, 254)}`,
      });
    }
  }

  // Repository capacities: one pass over the generated backup files, so every repository has room left.
  const used = m.repositories.map(() => 0);
  const flags = store.sFlags.data;
  for (let i = 0; i < store.sessionCount; i++) {
    if ((flags[i]! & F_RESTORE_POINT) === 0) continue;
    const r = m.repositoryOfSession(i);
    if (r >= 0) used[r]! += m.backupFileSize(i);
  }
  for (const r of m.repositories) {
    if (r.kind === 'AmazonS3') continue;
    r.capacity = Math.ceil((used[r.index]! * 1.6 + TIB / 2) / TIB) * TIB;
    r.otherUsed = Math.round(r.capacity * (0.01 + rng.float() * 0.04));
  }
  return m;
}

