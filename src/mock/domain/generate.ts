/**
 * The data generator: a seeded, deterministic estate (same seed + size + now → identical data) of backup servers,
 * VM and agent jobs, and a session history over the last 60 days holding exactly `sessions` task sessions.
 *
 * Shape (em-api-notes §5, §8.15): VM jobs (Backup, BackupCopy; VMware or Hyper-V) run on a schedule, each run is one
 * job session with one task session per VM; agent jobs (AgentBackup; Windows or Linux) run as one AgentBackup parent
 * session plus one AgentManagement child session per computer, each child belonging to the per-machine job
 * `<job> - <computer>` and holding one task session. Results are mostly Success, some Warning and Failed; half of
 * the failed runs are retried (IsRetry, only the failed VMs). A few jobs are running now (State Working, Result None,
 * no EndTimeUTC). Finished sessions with at least one successful task produced a restore point, successful task
 * sessions a VM restore point.
 */
import type { EstateFile } from './estate.ts';
import { buildMonitoring } from './monitoring.ts';
import { mix32, Rng } from './prng.ts';
import {
  DAY_MS,
  F_RESTORE_POINT,
  F_RETRY,
  F_VM_RESTORE_POINT,
  type JobRec,
  type ObjectKind,
  R_FAILED,
  R_NONE,
  R_SUCCESS,
  R_WARNING,
  ST_STOPPED,
  ST_WORKING,
  Store,
  TS_COMPLETED,
  TS_INPROGRESS,
  TS_PENDING,
} from './store.ts';

export const HISTORY_DAYS = 60;
const HOUR_MS = 3_600_000;
const MIN_MS = 60_000;
const GIB = 1024 ** 3;

export interface GenerateOptions {
  seed: number;
  /** Exact number of task sessions in the history. */
  sessions: number;
  /** The clock at generation time (epoch ms): the history ends just before it. */
  now: number;
  estate?: EstateFile;
}

// ------------------------------------------------------------------ message pools

/** Reasons of failed task sessions; the first two are the 002_270bb54a32ca9e9c.txt example texts. */
export const VM_FAILURE_REASONS = [
  'Error: There is not enough space on the disk.\nFailed to write data to the file [C:\\Backup\\Backup Job 1\\Backup Job 1D2021-06-05T030355_06C7.vib].\nFailed to backup text locally. Backup: [VBK: \'veeamfs:0:de28dc43-b8ee-4e17-8e63-3d38b6604033 (vm-62228)\\summary.xml@C:\\Backup\\Backup Job 1\\Backup Job 1D2021-06-05T030355_06C7.vib\'].\nAgent failed to process method {DataTransfer.BackupText}.\nAgent failed to process method {DataTransfer.BackupText}.\n',
  'Hard disk 1 (0 B)',
  'Error: Failed to create VM snapshot. Error: An error occurred while saving the snapshot: Failed to quiesce the virtual machine.',
  'Error: Cannot find VM in the infrastructure. The VM may have been removed or renamed.',
  'Error: Unable to allocate processing resources. Error: No backup proxy is able to process this VM due to proxy processing mode restrictions.',
  'Error: The network path was not found.\nFailed to open storage for read access.',
];
export const VM_WARNING_REASONS = [
  'Failed to truncate Microsoft SQL Server transaction logs. Details: Failed to call RPC function \'Vss.TruncateSqlLogs\'.',
  'Changed block tracking cannot be enabled: one or more snapshots present.',
  'Unable to truncate transaction logs: guest processing credentials are not specified.',
  'VM is being processed without application-aware processing: VMware Tools are not running.',
];
export const HYPERV_FAILURE_REASONS = [
  'Error: Failed to create checkpoint on collection \'Veeam Checkpoint\'. The operation ended because of a timeout.',
  'Error: Job failed: the Hyper-V host is unreachable (RPC server is unavailable).',
];
export const AGENT_FAILURE_REASONS = [
  'Error: Unable to connect to Veeam Agent. The remote computer is offline or not reachable.',
  'Error: Failed to create volume snapshot. The shadow copy provider had an unexpected error.',
  'Error: Backup repository is out of space.',
];
export const AGENT_WARNING_REASONS = [
  'Volume C: has less than 5% of free space left.',
  'Failed to truncate Microsoft SQL Server transaction logs.',
  'Changed block tracking driver is not installed; a full scan of the volume was performed.',
];
/** What a stopped session's unfinished tasks and the session itself say (rules ACT-007). */
export const STOPPED_BY_USER = 'Job has been stopped by user.';

// ------------------------------------------------------------------ name pools

const VM_BASES = ['dbserver', 'fileserver', 'web', 'app', 'dc', 'exch', 'sql', 'sharepoint', 'print', 'jump', 'build',
  'git', 'monitor', 'log', 'proxy', 'mail', 'crm', 'erp', 'hr', 'dev', 'test', 'citrix', 'rds', 'wsus', 'dns', 'ftp',
  'intranet', 'wiki', 'AnT_VM', 'k8s-node'];
const VM_JOB_NAMES = ['Backup Job 1', 'Fileserver Backup', 'Oracle Backup', 'SQL Daily', 'Exchange Backup',
  'Web Farm Backup', 'Domain Controllers', 'SharePoint Backup', 'R&D File Backup', 'Dev VMs', 'ERP Backup',
  'Mail Servers'];
const AGENT_JOB_NAMES = ['Agent Backup Job SQL', 'Windows Servers Backup', 'Linux Servers Backup', 'Workstations Backup',
  'Agent Backup Job 1', 'Physical Hosts'];
const WIN_BASES = ['sql', 'fs', 'rds', 'ad', 'iis', 'ws', 'sql12ten', 'hv'];
const LINUX_BASES = ['lnx-web', 'lnx-db', 'pg', 'nginx', 'ceph', 'mq'];
const SERVER_DESCRIPTIONS = ['Main backup server (site A)', 'Backup server (site B)', 'DR site backup server'];

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

class Names {
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();
  take(name: string): string {
    let n = name;
    for (let k = 2; this.used.has(n.toLowerCase()); k++) n = `${name} (${k})`;
    this.used.add(n.toLowerCase());
    return n;
  }
  /** `<base>01`, `<base>02`, … */
  numbered(base: string, suffix = ''): string {
    let c = this.counters.get(base) ?? 0;
    let n: string;
    do {
      c++;
      n = `${base}${pad2(c)}${suffix}`;
    } while (this.used.has(n.toLowerCase()));
    this.counters.set(base, c);
    this.used.add(n.toLowerCase());
    return n;
  }
}

function creationDescription(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  return `Created by TECH\\Administrator at ${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad2(d.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'}.`;
}

function logUniform(rng: Rng, min: number, max: number): number {
  return Math.round(Math.exp(Math.log(min) + rng.float() * (Math.log(max) - Math.log(min))));
}

// ------------------------------------------------------------------ estate

function buildServers(rng: Rng, store: Store, estate: EstateFile | undefined): void {
  const given = estate?.backupServers;
  const n = given ? given.length : rng.int(2, 3);
  for (let k = 0; k < n; k++) {
    const g = given?.[k];
    store.addServer({
      id: g?.id ?? rng.guid(),
      name: g?.name ?? `vbr${pad2(k + 1)}.tech.local`,
      port: g?.port ?? 9392,
      version: g?.version ?? '12.1.2.172',
      wcfPort: g?.wcfPort ?? 9405,
      description: g?.description ?? SERVER_DESCRIPTIONS[k % SERVER_DESCRIPTIONS.length]!,
      thumbprint: g?.certificateThumbprint ?? rng.hex(40),
      utcOffset: g?.utcOffset ?? rng.pick([0, 1, 2, -5]),
      vcenterId: rng.guid(),
      hypervHostId: rng.guid(),
    });
  }
}

class ObjectFactory {
  private vmNumber = 1000;
  private readonly byName = new Map<string, number>();
  constructor(
    private readonly rng: Rng,
    private readonly store: Store,
    private readonly names: Names,
  ) {}

  vm(kind: 'vmware' | 'hyperv', server: number, name?: string, uid?: string): number {
    const key = name?.toLowerCase();
    if (key !== undefined && this.byName.has(key)) return this.byName.get(key)!;
    const rng = this.rng;
    const srv = this.store.servers[server]!;
    const n = name ?? this.names.numbered(rng.pick(VM_BASES));
    this.vmNumber += rng.int(1, 40);
    const u = uid ?? (kind === 'vmware' ? `urn:VMware:Vm:${srv.vcenterId}.vm-${this.vmNumber}` : `urn:HyperV:Vm:${srv.hypervHostId}.${rng.guid()}`);
    const rec = this.store.addObject({ name: n, uid: u, kind, size: logUniform(rng, 8 * GIB, 2048 * GIB) });
    this.byName.set(n.toLowerCase(), rec.index);
    return rec.index;
  }

  computer(kind: 'windows' | 'linux', name?: string): number {
    const rng = this.rng;
    const n = name ?? this.names.numbered(rng.pick(kind === 'windows' ? WIN_BASES : LINUX_BASES), '.tech.local');
    const platform = kind === 'windows' ? 'AgentForWindows' : 'AgentForLinux';
    const u = `urn:${platform}:VeeamAgent:00000000-0000-0000-0000-000000000000.${rng.guid()}`;
    return this.store.addObject({ name: n, uid: u, kind, size: logUniform(rng, 20 * GIB, 1024 * GIB) }).index;
  }
}

function schedule(rng: Rng, time: string | undefined): { hour: number; minute: number } {
  if (time) return { hour: Number(time.slice(0, 2)), minute: Number(time.slice(3, 5)) };
  return { hour: rng.pick([18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5]), minute: rng.pick([0, 0, 15, 30, 45]) };
}

type NewJob = Omit<JobRec, 'index'>;

function jobBase(rng: Rng, now: number): Pick<NewJob, 'retryTimes' | 'retryTimeout' | 'restorePointsToKeep' | 'description'> {
  return {
    retryTimes: 3,
    retryTimeout: 10,
    restorePointsToKeep: rng.pick([7, 14, 30]),
    description: creationDescription(now - (HISTORY_DAYS + rng.int(5, 400)) * DAY_MS - rng.int(0, DAY_MS)),
  };
}

function serverIndex(store: Store, ref: string | undefined, fallback: number): number {
  if (ref === undefined) return fallback;
  const k = ref.toLowerCase();
  const i = store.servers.findIndex((s) => s.name.toLowerCase() === k || s.id === k);
  if (i < 0) throw new Error(`unknown backup server ${ref}`);
  return i;
}

function addAgentJob(
  rng: Rng,
  store: Store,
  objects: ObjectFactory,
  now: number,
  spec: { name: string; id?: string; server: number; platform: 'AgentForWindows' | 'AgentForLinux'; description?: string; scheduleConfigured?: boolean; scheduleEnabled?: boolean; time?: string; computers: { name?: string; id?: string }[] },
): void {
  const kind = spec.platform === 'AgentForWindows' ? 'windows' : 'linux';
  const comps = spec.computers.map((c) => objects.computer(kind, c.name));
  const base = jobBase(rng, now);
  const configured = spec.scheduleConfigured ?? rng.chance(0.95);
  const parent = store.addJob({
    ...base,
    id: spec.id ?? rng.guid(),
    name: spec.name,
    kind: 'agent',
    jobType: 'AgentBackup',
    sessionJobType: 'AgentBackup',
    platform: spec.platform,
    description: spec.description ?? base.description,
    server: spec.server,
    scheduleConfigured: configured,
    scheduleEnabled: spec.scheduleEnabled ?? (configured && rng.chance(0.9)),
    ...schedule(rng, spec.time),
    objects: comps,
    includeIds: comps.map(() => rng.guid()),
    parent: -1,
    children: [],
    source: -1,
    backupId: rng.guid(),
  });
  comps.forEach((c, k) => {
    const child = store.addJob({
      ...base,
      id: spec.computers[k]?.id ?? rng.guid(),
      name: `${parent.name} - ${store.objects[c]!.name}`,
      kind: 'agentChild',
      // CHOICE: the per-machine job (em-api-notes §8.15) is an AgentBackupJob like its parent (JobType AgentBackup,
      // the only documented value); its sessions have JobType AgentManagement.
      jobType: 'AgentBackup',
      sessionJobType: 'AgentManagement',
      platform: parent.platform,
      description: parent.description,
      server: parent.server,
      scheduleConfigured: false,
      scheduleEnabled: false,
      hour: parent.hour,
      minute: parent.minute,
      objects: [c],
      includeIds: [parent.includeIds[k]!],
      parent: parent.index,
      children: [],
      source: -1,
      backupId: rng.guid(),
    });
    parent.children.push(child.index);
  });
}

function buildJobs(rng: Rng, store: Store, estate: EstateFile | undefined, sessions: number, now: number): void {
  const names = new Names();
  const objects = new ObjectFactory(rng, store, names);
  const nServers = store.servers.length;

  if (estate?.jobs) {
    for (const j of estate.jobs) names.take(j.name);
    for (const j of estate.jobs) for (const vm of j.vms ?? []) names.take(typeof vm === 'string' ? vm : vm.name);
    const byName = new Map<string, JobRec>();
    const ordered = [...estate.jobs.filter((j) => j.type !== 'BackupCopy'), ...estate.jobs.filter((j) => j.type === 'BackupCopy')];
    for (const j of ordered) {
      const source = j.source !== undefined ? byName.get(j.source.toLowerCase()) : undefined;
      const server = serverIndex(store, j.server, source?.server ?? 0);
      const platform = j.platform ?? source?.platform ?? 'VMware';
      const kind = platform === 'Hyperv' ? 'hyperv' : 'vmware';
      const vms = j.vms
        ? j.vms.map((v) => (typeof v === 'string' ? objects.vm(kind, server, v) : objects.vm(kind, server, v.name, v.uid)))
        : [...source!.objects];
      const base = jobBase(rng, now);
      const configured = j.scheduleConfigured ?? true;
      const rec = store.addJob({
        ...base,
        id: j.id ?? rng.guid(),
        name: j.name,
        kind: 'vm',
        jobType: j.type ?? 'Backup',
        sessionJobType: j.type ?? 'Backup',
        platform,
        description: j.description ?? base.description,
        server,
        scheduleConfigured: configured,
        scheduleEnabled: j.scheduleEnabled ?? configured,
        ...schedule(rng, j.time),
        objects: vms,
        includeIds: vms.map(() => rng.guid()),
        parent: -1,
        children: [],
        source: source?.index ?? -1,
        backupId: rng.guid(),
      });
      byName.set(rec.name.toLowerCase(), rec);
    }
  }

  let roundTasks = 0;
  if (!estate?.jobs) {
    // Size the estate to the history: about one run per job per day when that reaches `sessions`, more runs per
    // day (periodic jobs) once the estate reaches 300 VM jobs.
    const target = sessions / HISTORY_DAYS;
    let nameIdx = 0;
    let copyNo = 0;
    const backupJobs: JobRec[] = [];
    while (store.jobs.length < 3 || (roundTasks < target && store.jobs.length < 300)) {
      const copy = backupJobs.length >= 2 && rng.chance(0.2);
      const base = jobBase(rng, now);
      const configured = rng.chance(0.95);
      const sched = schedule(rng, undefined);
      if (copy) {
        const src = rng.pick(backupJobs);
        copyNo++;
        const rec = store.addJob({
          ...base,
          id: rng.guid(),
          name: names.take(`Backup Copy Job ${copyNo}`),
          kind: 'vm',
          jobType: 'BackupCopy',
          sessionJobType: 'BackupCopy',
          platform: src.platform,
          server: src.server,
          scheduleConfigured: configured,
          scheduleEnabled: configured && rng.chance(0.9),
          ...sched,
          objects: [...src.objects],
          includeIds: src.objects.map(() => rng.guid()),
          parent: -1,
          children: [],
          source: src.index,
          backupId: rng.guid(),
        });
        roundTasks += rec.objects.length;
        continue;
      }
      const name = names.take(nameIdx < VM_JOB_NAMES.length ? VM_JOB_NAMES[nameIdx]! : `Backup Job ${nameIdx - VM_JOB_NAMES.length + 2}`);
      nameIdx++;
      const platform = rng.chance(0.7) ? 'VMware' : 'Hyperv';
      const server = rng.int(0, nServers - 1);
      const size = [rng.int(1, 4), rng.int(5, 12), rng.int(13, 25)][rng.weighted([5, 4, 1])]!;
      const vms: number[] = [];
      for (let k = 0; k < size; k++) vms.push(objects.vm(platform === 'VMware' ? 'vmware' : 'hyperv', server));
      const rec = store.addJob({
        ...base,
        id: rng.guid(),
        name,
        kind: 'vm',
        jobType: 'Backup',
        sessionJobType: 'Backup',
        platform,
        server,
        scheduleConfigured: configured,
        scheduleEnabled: configured && rng.chance(0.9),
        ...sched,
        objects: vms,
        includeIds: vms.map(() => rng.guid()),
        parent: -1,
        children: [],
        source: -1,
        backupId: rng.guid(),
      });
      backupJobs.push(rec);
      roundTasks += vms.length;
    }
  }

  if (estate?.agentJobs) {
    for (const j of estate.agentJobs) names.take(j.name);
    for (const j of estate.agentJobs) for (const c of j.computers) names.take(typeof c === 'string' ? c : c.name);
    for (const j of estate.agentJobs) {
      const spec: Parameters<typeof addAgentJob>[4] = {
        name: j.name,
        server: serverIndex(store, j.server, 0),
        platform: j.platform ?? 'AgentForWindows',
        computers: j.computers.map((c) => (typeof c === 'string' ? { name: c } : c)),
      };
      if (j.id !== undefined) spec.id = j.id;
      if (j.description !== undefined) spec.description = j.description;
      if (j.scheduleConfigured !== undefined) spec.scheduleConfigured = j.scheduleConfigured;
      if (j.scheduleEnabled !== undefined) spec.scheduleEnabled = j.scheduleEnabled;
      if (j.time !== undefined) spec.time = j.time;
      addAgentJob(rng, store, objects, now, spec);
    }
  } else {
    const vmJobs = store.jobs.filter((j) => j.kind === 'vm').length;
    const count = Math.min(80, Math.max(2, Math.round(vmJobs / 4)));
    for (let k = 0; k < count; k++) {
      const name = names.take(k < AGENT_JOB_NAMES.length ? AGENT_JOB_NAMES[k]! : `Agent Backup Job ${k - AGENT_JOB_NAMES.length + 2}`);
      const platform = /linux/i.test(name) ? 'AgentForLinux' : /windows|sql|workstation/i.test(name) ? 'AgentForWindows' : rng.chance(0.6) ? 'AgentForWindows' : 'AgentForLinux';
      const computers = Array.from({ length: rng.int(1, 5) }, () => ({}));
      addAgentJob(rng, store, objects, now, { name, server: rng.int(0, nServers - 1), platform, computers });
    }
  }
}

// ------------------------------------------------------------------ history

interface RunEvent {
  t: number;
  job: number;
  seed: number;
  result: number;
  running: boolean;
  /** Retry of a failed run: the positions (in job.objects) it processes again. */
  retryOf?: { seed: number; n: number; result: number };
  /** Process only the first `limit` objects (the oldest run taken, to hit `sessions` exactly). */
  limit?: number;
}

/** Task results of a run of n objects with the given overall result (pure function of the seed). */
function outcomes(seed: number, n: number, result: number): Uint8Array {
  const out = new Uint8Array(n);
  if (n === 0 || result === R_SUCCESS) return out;
  const r = new Rng(mix32(seed ^ 0x5bd1e995));
  if (result === R_WARNING) {
    for (let k = 0; k < n; k++) if (r.chance(0.3)) out[k] = R_WARNING;
    out[r.int(0, n - 1)] = R_WARNING;
  } else {
    for (let k = 0; k < n; k++) {
      const x = r.float();
      out[k] = x < 0.3 ? R_FAILED : x < 0.4 ? R_WARNING : R_SUCCESS;
    }
    out[r.int(0, n - 1)] = R_FAILED;
  }
  return out;
}

function positions(store: Store, e: RunEvent): number[] {
  const job = store.jobs[e.job]!;
  let pos: number[];
  if (e.retryOf) {
    const prev = outcomes(e.retryOf.seed, e.retryOf.n, e.retryOf.result);
    pos = [];
    prev.forEach((r, k) => r === R_FAILED && pos.push(k));
  } else pos = job.objects.map((_, k) => k);
  return e.limit !== undefined ? pos.slice(0, e.limit) : pos;
}

function taskCountOf(store: Store, e: RunEvent): number {
  return positions(store, { ...e, limit: undefined } as RunEvent).length;
}

function reasonFor(store: Store, r: Rng, kind: ObjectKind, result: number): number {
  if (result === R_SUCCESS || result === R_NONE) return -1;
  const agent = kind === 'windows' || kind === 'linux';
  let pool: readonly string[];
  if (result === R_WARNING) pool = agent ? AGENT_WARNING_REASONS : VM_WARNING_REASONS;
  else pool = agent ? AGENT_FAILURE_REASONS : kind === 'hyperv' ? [...VM_FAILURE_REASONS, ...HYPERV_FAILURE_REASONS] : VM_FAILURE_REASONS;
  return store.message(r.pick(pool));
}

function taskSize(store: Store, r: Rng, object: number, result: number, full: boolean): number {
  if (result === R_FAILED || result === R_NONE) return 0;
  const size = store.objects[object]!.size;
  return Math.round(full ? size * (0.55 + r.float() * 0.3) : size * (0.02 + r.float() * 0.12));
}

/** A Full restore point on the job's weekly full day (Saturday), increments otherwise. */
export function isFullRun(ms: number): boolean {
  return new Date(ms).getUTCDay() === 6;
}

function materializeVmRun(store: Store, e: RunEvent, now: number): void {
  const job = store.jobs[e.job]!;
  const pos = positions(store, e);
  const all = outcomes(e.seed, e.retryOf ? pos.length : job.objects.length, e.result);
  const r = new Rng(e.seed);
  const full = isFullRun(e.t);
  let cursor = e.t + r.int(4000, 15000);
  const tasks: { object: number; created: number; ended: number; state: number; result: number }[] = [];
  let completed = 0;
  pos.forEach((p, k) => {
    const result = e.retryOf ? all[k]! : all[p]!;
    const created = cursor + r.int(0, 999);
    const duration = result === R_FAILED ? r.int(15_000, 5 * MIN_MS) : r.int(30_000, 25 * MIN_MS);
    cursor += r.int(5_000, 90_000);
    let t = { object: job.objects[p]!, created, ended: created + duration, state: TS_COMPLETED, result };
    if (e.running) {
      if (t.ended > now - 1000) {
        t = created <= now - 1000
          ? { ...t, ended: NaN, state: TS_INPROGRESS, result: R_NONE }
          : { ...t, created: e.t + r.int(1000, 3000), ended: NaN, state: TS_PENDING, result: R_NONE };
      }
    }
    if (t.state === TS_COMPLETED) completed++;
    tasks.push(t);
  });
  let result = R_SUCCESS;
  let ended = e.t;
  let message = -1;
  const reasons = tasks.map((t) => reasonFor(store, r, store.objects[t.object]!.kind, t.result));
  for (let k = 0; k < tasks.length; k++) {
    const t = tasks[k]!;
    if (t.result !== R_NONE && t.result > result) {
      result = t.result;
      message = reasons[k]!;
    }
    if (t.ended > ended) ended = t.ended;
  }
  const ok = tasks.some((t) => t.state === TS_COMPLETED && (t.result === R_SUCCESS || t.result === R_WARNING));
  const session = store.appendSession({
    job: e.job,
    created: e.t,
    ended: e.running ? NaN : ended + r.int(3000, 20000),
    state: e.running ? ST_WORKING : ST_STOPPED,
    result: e.running ? R_NONE : result,
    flags: (e.retryOf ? F_RETRY : 0) | (!e.running && ok ? F_RESTORE_POINT : 0),
    progress: e.running ? Math.floor((100 * completed) / Math.max(1, tasks.length)) : 100,
    parent: -1,
    message: e.running ? -1 : message,
  });
  tasks.forEach((t, k) => {
    const good = !e.running && t.state === TS_COMPLETED && (t.result === R_SUCCESS || t.result === R_WARNING);
    store.appendTask({
      session,
      object: t.object,
      created: t.created,
      ended: t.ended,
      state: t.state,
      result: t.result,
      flags: good ? F_VM_RESTORE_POINT : 0,
      reason: reasons[k]!,
      size: e.running && t.state !== TS_COMPLETED ? 0 : taskSize(store, r, t.object, t.result, full),
    });
  });
}

function materializeAgentRun(store: Store, e: RunEvent, now: number): void {
  const job = store.jobs[e.job]!;
  const pos = positions(store, e);
  const all = outcomes(e.seed, e.retryOf ? pos.length : job.objects.length, e.result);
  const r = new Rng(e.seed);
  const full = isFullRun(e.t);
  const children = pos.map((p, k) => {
    let result = e.retryOf ? all[k]! : all[p]!;
    const created = e.t + r.int(2000, 9000);
    const taskCreated = created + r.int(3000, 10000);
    const duration = result === R_FAILED ? r.int(20_000, 4 * MIN_MS) : r.int(MIN_MS, 40 * MIN_MS);
    let taskEnded = taskCreated + duration;
    let ended = taskEnded + r.int(2000, 6000);
    // A running agent run: the first computer is done, the others still working.
    const running = e.running && (k > 0 || ended > now - 1000);
    if (running) {
      taskEnded = NaN;
      ended = NaN;
      result = R_NONE;
    }
    const reason = reasonFor(store, r, store.objects[job.objects[p]!]!.kind, result);
    return { p, result, created, taskCreated, taskEnded, ended, running, reason };
  });
  let result = R_SUCCESS;
  let ended = e.t;
  let message = -1;
  for (const c of children) {
    if (c.result !== R_NONE && c.result > result) {
      result = c.result;
      message = c.reason;
    }
    if (c.ended > ended) ended = c.ended;
  }
  const done = children.filter((c) => !c.running).length;
  const parent = store.appendSession({
    job: e.job,
    created: e.t,
    ended: e.running ? NaN : ended + r.int(3000, 8000),
    state: e.running ? ST_WORKING : ST_STOPPED,
    result: e.running ? R_NONE : result,
    flags: e.retryOf ? F_RETRY : 0,
    progress: e.running ? Math.floor((100 * done) / Math.max(1, children.length)) : 100,
    parent: -1,
    message: e.running ? -1 : message,
  });
  for (const c of children) {
    const good = !c.running && (c.result === R_SUCCESS || c.result === R_WARNING);
    const object = job.objects[c.p]!;
    const s = store.appendSession({
      job: job.children[c.p]!,
      created: c.created,
      ended: c.ended,
      state: c.running ? ST_WORKING : ST_STOPPED,
      result: c.result,
      flags: (e.retryOf ? F_RETRY : 0) | (good ? F_RESTORE_POINT : 0),
      progress: c.running ? 0 : 100,
      parent,
      message: c.reason,
    });
    store.appendTask({
      session: s,
      object,
      created: c.taskCreated,
      ended: c.taskEnded,
      state: c.running ? TS_INPROGRESS : TS_COMPLETED,
      result: c.result,
      flags: good ? F_VM_RESTORE_POINT : 0,
      reason: c.reason,
      size: taskSize(store, r, object, c.result, full),
    });
  }
}

function buildHistory(rng: Rng, store: Store, sessions: number, now: number): void {
  if (sessions <= 0) return;
  const scheduled = store.jobs.filter((j) => j.kind !== 'agentChild');
  const roundTasks = scheduled.reduce((a, j) => a + j.objects.length, 0);
  // One spare run per job: schedule alignment may drop a run at either end of the 60 days.
  const runs = Math.max(1, Math.ceil(sessions / roundTasks)) + 1;
  const start = now - HISTORY_DAYS * DAY_MS;
  const last = now - 3 * HOUR_MS;
  const interval = (last - start) / runs;
  const events: RunEvent[] = [];
  const weights = [86, 9, 5];
  for (const job of scheduled) {
    const phase = rng.float() * interval;
    for (let k = 0; k < runs; k++) {
      let t: number;
      if (interval >= DAY_MS) {
        const base = start + k * interval;
        t = Math.floor(base / DAY_MS) * DAY_MS + job.hour * HOUR_MS + job.minute * MIN_MS + rng.int(0, 59_999);
        if (t < start) t += DAY_MS;
      } else t = start + phase + k * interval + rng.int(0, 120_000);
      t = Math.floor(t);
      if (t > last || t < start) continue;
      const result = [R_SUCCESS, R_WARNING, R_FAILED][rng.weighted(weights)]!;
      const e: RunEvent = { t, job: job.index, seed: rng.u32(), result, running: false };
      events.push(e);
      if (result === R_FAILED && rng.chance(0.5)) {
        const rt = t + rng.int(10, 20) * MIN_MS + rng.int(0, 59_999);
        if (rt <= last) {
          const retryResult = [R_SUCCESS, R_WARNING, R_FAILED][rng.weighted([70, 10, 20])]!;
          events.push({ t: rt, job: job.index, seed: rng.u32(), result: retryResult, running: false, retryOf: { seed: e.seed, n: job.objects.length, result } });
        }
      }
    }
  }
  // A few jobs are running right now (at least one VM job and one agent job when there are such jobs).
  if (sessions >= 20) {
    const count = Math.max(2, Math.round(scheduled.length * 0.05));
    const picked = new Set<number>();
    const agents = scheduled.filter((j) => j.kind === 'agent');
    const vms = scheduled.filter((j) => j.kind === 'vm');
    if (vms.length) picked.add(rng.pick(vms).index);
    if (agents.length) picked.add(rng.pick(agents).index);
    while (picked.size < Math.min(count, scheduled.length)) picked.add(rng.pick(scheduled).index);
    for (const j of [...picked].sort((a, b) => a - b))
      events.push({ t: now - rng.int(3, 50) * MIN_MS - rng.int(0, 59_999), job: j, seed: rng.u32(), result: R_NONE, running: true });
  }
  // Newest first until the task-session budget is spent: the oldest run taken may be cut short.
  events.sort((a, b) => b.t - a.t || a.job - b.job);
  const taken: RunEvent[] = [];
  let remaining = sessions;
  for (const e of events) {
    if (remaining <= 0) break;
    const need = taskCountOf(store, e);
    if (need === 0) continue;
    if (need > remaining) e.limit = remaining;
    remaining -= Math.min(need, remaining);
    taken.push(e);
  }
  taken.reverse();
  for (const e of taken) {
    if (store.jobs[e.job]!.kind === 'agent') materializeAgentRun(store, e, now);
    else materializeVmRun(store, e, now);
  }
}

/** Builds the store: estate (from the file or generated), then the history. */
export function generate(opts: GenerateOptions): Store {
  const sessions = Math.max(0, Math.floor(opts.sessions));
  const store = new Store(opts.seed >>> 0, { sessions: Math.ceil(sessions / 3) + 64, tasks: sessions + 64 });
  const estateRng = new Rng(opts.seed);
  buildServers(estateRng, store, opts.estate);
  buildJobs(estateRng, store, opts.estate, sessions, opts.now);
  buildHistory(new Rng(mix32((opts.seed >>> 0) ^ 0x68e31da4)), store, sessions, opts.now);
  store.trim();
  // Repositories, backup files, replica jobs and discovered computers (own PRNG stream: the data above is unchanged).
  buildMonitoring(store, { now: opts.now, replicaJobs: !opts.estate?.jobs, historyStart: store.sessionCount ? store.sCreated.get(0) : opts.now });
  return store;
}
