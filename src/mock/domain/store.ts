/**
 * The mock's in-memory estate: backup servers, jobs, protected objects (small, plain objects) and the job sessions
 * and task sessions (large, column-wise, see columns.ts). GUIDs of sessions, task sessions, restore points and VM
 * restore points are computed from their index (prng.ts IdCodec), never stored. Restore points share the index of
 * the job session that produced them, VM restore points the index of their task session.
 */
import { Column, f64, i16, i32, u8 } from './columns.ts';
import { GUID_RE, IdCodec } from './prng.ts';

/** Documented order (em-api-notes §5.2); the index is what the columns store. */
export const SESSION_STATES = ['Starting', 'Stopping', 'Working', 'Pausing', 'Resuming', 'Stopped'] as const;
export const ST_WORKING = 2;
export const ST_STOPPED = 5;
/** Success < Warning < Failed (em-api-notes §3.3); None = running (rules ACT-006 choice). */
export const RESULTS = ['Success', 'Warning', 'Failed', 'None'] as const;
export const R_SUCCESS = 0;
export const R_WARNING = 1;
export const R_FAILED = 2;
export const R_NONE = 3;
/** Documented order (002_270bb54a32ca9e9c.txt). */
export const TASK_STATES = ['InProgress', 'Pending', 'Completed'] as const;
export const TS_INPROGRESS = 0;
export const TS_PENDING = 1;
export const TS_COMPLETED = 2;

export const F_RETRY = 1;
export const F_RESTORE_POINT = 2;
export const F_VM_RESTORE_POINT = 1;

export const DAY_MS = 86_400_000;
/** em-api-notes §8.1: the collections list only sessions created during the last 30 days. */
export const WINDOW_MS = 30 * DAY_MS;

export interface ServerRec {
  index: number;
  id: string;
  name: string;
  port: number;
  version: string;
  wcfPort: number;
  description: string;
  thumbprint: string;
  /** Hours east of UTC (schedule times carry the server's local offset, em-api-notes §8.16). */
  utcOffset: number;
  /** vCenter instance GUID used in the VMware VM UIDs of this server. */
  vcenterId: string;
  /** Hyper-V host GUID used in Hyper-V VM UIDs. */
  hypervHostId: string;
}

export type JobKind = 'vm' | 'agent' | 'agentChild';

export interface JobRec {
  index: number;
  id: string;
  name: string;
  kind: JobKind;
  /** Job's JobType: Backup | BackupCopy | AgentBackup. */
  jobType: string;
  /** JobType of its sessions: Backup | BackupCopy | AgentBackup | AgentManagement. */
  sessionJobType: string;
  platform: string;
  description: string;
  server: number;
  scheduleConfigured: boolean;
  scheduleEnabled: boolean;
  /** Daily start time, UTC. */
  hour: number;
  minute: number;
  retryTimes: number;
  retryTimeout: number;
  restorePointsToKeep: number;
  /** Indices into Store.objects: VMs of a VM job, computers of an agent job, the one computer of a per-machine job. */
  objects: number[];
  /** ObjectInJobId GUIDs, aligned with `objects`. */
  includeIds: string[];
  /** Per-machine child job → its agent job; -1 otherwise. */
  parent: number;
  /** Agent job → its per-machine child jobs, aligned with `objects`. */
  children: number[];
  /** Backup copy job → the job whose VMs it copies; -1 otherwise. */
  source: number;
  /** Backup (for /backups/{ID} links) GUID. */
  backupId: string;
}

export type ObjectKind = 'vmware' | 'hyperv' | 'windows' | 'linux';

export interface ObjectRec {
  index: number;
  name: string;
  /** VmUid: urn:VMware:Vm:<vc>.vm-<n>, urn:HyperV:Vm:<host>.<guid>, urn:AgentForWindows:VeeamAgent:… */
  uid: string;
  kind: ObjectKind;
  /** Typical backup size in bytes. */
  size: number;
}

export interface StoreCounts {
  backupServers: number;
  jobs: number;
  agentJobs: number;
  agentChildJobs: number;
  protectedObjects: number;
  jobSessions: number;
  agentBackupSessions: number;
  agentManagementSessions: number;
  runningSessions: number;
  taskSessions: number;
  restorePoints: number;
  vmRestorePoints: number;
}

const KIND_SESSION = 1;
const KIND_TASK = 2;
const KIND_RESTORE_POINT = 3;
const KIND_VM_RESTORE_POINT = 4;

export class Store {
  readonly servers: ServerRec[] = [];
  readonly jobs: JobRec[] = [];
  readonly objects: ObjectRec[] = [];
  /** Shared message strings (task Reasons, session FailureMessages); columns store indices. */
  readonly messages: string[] = [];
  private readonly messageIndex = new Map<string, number>();

  // Job sessions.
  readonly sJob: Column<Int32Array>;
  readonly sCreated: Column<Float64Array>;
  readonly sEnded: Column<Float64Array>;
  readonly sState: Column<Uint8Array>;
  readonly sResult: Column<Uint8Array>;
  readonly sFlags: Column<Uint8Array>;
  readonly sProgress: Column<Uint8Array>;
  readonly sParent: Column<Int32Array>;
  readonly sChildCount: Column<Int32Array>;
  readonly sFirstTask: Column<Int32Array>;
  readonly sTaskCount: Column<Int32Array>;
  readonly sMessage: Column<Int16Array>;

  // Task sessions.
  readonly tSession: Column<Int32Array>;
  readonly tObject: Column<Int32Array>;
  readonly tCreated: Column<Float64Array>;
  readonly tEnded: Column<Float64Array>;
  readonly tState: Column<Uint8Array>;
  readonly tResult: Column<Uint8Array>;
  readonly tFlags: Column<Uint8Array>;
  readonly tReason: Column<Int16Array>;
  readonly tSize: Column<Float64Array>;

  private readonly sessionCodec: IdCodec;
  private readonly taskCodec: IdCodec;
  private readonly rpCodec: IdCodec;
  private readonly vmrpCodec: IdCodec;
  private readonly serverById = new Map<string, number>();
  private readonly jobById = new Map<string, number>();
  /** Per job, its session indices in creation order (built on first use, kept up to date by appends). */
  private jobSessionIndex: number[][] | undefined;
  /** Bumped on every change of the session/task sets or states (cache key for query record lists). */
  version = 0;

  constructor(
    readonly seed: number,
    capacity: { sessions?: number; tasks?: number } = {},
  ) {
    const sc = capacity.sessions ?? 64;
    const tc = capacity.tasks ?? 64;
    this.sJob = i32(sc);
    this.sCreated = f64(sc);
    this.sEnded = f64(sc);
    this.sState = u8(sc);
    this.sResult = u8(sc);
    this.sFlags = u8(sc);
    this.sProgress = u8(sc);
    this.sParent = i32(sc);
    this.sChildCount = i32(sc);
    this.sFirstTask = i32(sc);
    this.sTaskCount = i32(sc);
    this.sMessage = i16(sc);
    this.tSession = i32(tc);
    this.tObject = i32(tc);
    this.tCreated = f64(tc);
    this.tEnded = f64(tc);
    this.tState = u8(tc);
    this.tResult = u8(tc);
    this.tFlags = u8(tc);
    this.tReason = i16(tc);
    this.tSize = f64(tc);
    this.sessionCodec = new IdCodec(seed, KIND_SESSION);
    this.taskCodec = new IdCodec(seed, KIND_TASK);
    this.rpCodec = new IdCodec(seed, KIND_RESTORE_POINT);
    this.vmrpCodec = new IdCodec(seed, KIND_VM_RESTORE_POINT);
  }

  // ------------------------------------------------------------------ small entities

  addServer(rec: Omit<ServerRec, 'index'>): ServerRec {
    const key = rec.id.toLowerCase();
    if (this.serverById.has(key)) throw new Error(`duplicate backup server id ${rec.id}`);
    const out = { ...rec, index: this.servers.length };
    this.servers.push(out);
    this.serverById.set(key, out.index);
    return out;
  }

  addJob(rec: Omit<JobRec, 'index'>): JobRec {
    const key = rec.id.toLowerCase();
    if (this.jobById.has(key)) throw new Error(`duplicate job id ${rec.id}`);
    const out = { ...rec, index: this.jobs.length };
    this.jobs.push(out);
    this.jobById.set(key, out.index);
    this.jobSessionIndex?.push([]);
    return out;
  }

  addObject(rec: Omit<ObjectRec, 'index'>): ObjectRec {
    const out = { ...rec, index: this.objects.length };
    this.objects.push(out);
    return out;
  }

  message(text: string): number {
    let i = this.messageIndex.get(text);
    if (i === undefined) {
      i = this.messages.length;
      if (i >= 32767) throw new Error('too many distinct messages');
      this.messages.push(text);
      this.messageIndex.set(text, i);
    }
    return i;
  }

  findServer(id: string): number {
    return GUID_RE.test(id) ? (this.serverById.get(id.toLowerCase()) ?? -1) : -1;
  }

  findJob(id: string): number {
    return GUID_RE.test(id) ? (this.jobById.get(id.toLowerCase()) ?? -1) : -1;
  }

  // ------------------------------------------------------------------ sessions and task sessions

  get sessionCount(): number {
    return this.sJob.length;
  }

  get taskCount(): number {
    return this.tSession.length;
  }

  sessionId(i: number): string {
    return this.sessionCodec.encode(i);
  }
  taskId(i: number): string {
    return this.taskCodec.encode(i);
  }
  /** Restore point of job session i. */
  restorePointId(i: number): string {
    return this.rpCodec.encode(i);
  }
  /** VM restore point of task session i. */
  vmRestorePointId(i: number): string {
    return this.vmrpCodec.encode(i);
  }

  findSession(id: string): number {
    const i = this.sessionCodec.decode(id);
    return i >= 0 && i < this.sessionCount ? i : -1;
  }
  findTask(id: string): number {
    const i = this.taskCodec.decode(id);
    return i >= 0 && i < this.taskCount ? i : -1;
  }
  /** Session index of the restore point, or -1. */
  findRestorePoint(id: string): number {
    const i = this.rpCodec.decode(id);
    return i >= 0 && i < this.sessionCount && this.hasRestorePoint(i) ? i : -1;
  }
  /** Task index of the VM restore point, or -1. */
  findVmRestorePoint(id: string): number {
    const i = this.vmrpCodec.decode(id);
    return i >= 0 && i < this.taskCount && this.hasVmRestorePoint(i) ? i : -1;
  }

  hasRestorePoint(i: number): boolean {
    return (this.sFlags.get(i) & F_RESTORE_POINT) !== 0;
  }
  hasVmRestorePoint(t: number): boolean {
    return (this.tFlags.get(t) & F_VM_RESTORE_POINT) !== 0;
  }
  isRetry(i: number): boolean {
    return (this.sFlags.get(i) & F_RETRY) !== 0;
  }
  isRunning(i: number): boolean {
    return this.sState.get(i) !== ST_STOPPED;
  }

  sessionJob(i: number): JobRec {
    return this.jobs[this.sJob.get(i)]!;
  }
  taskObject(t: number): ObjectRec {
    return this.objects[this.tObject.get(t)]!;
  }
  jobServer(job: JobRec): ServerRec {
    return this.servers[job.server]!;
  }

  appendSession(s: {
    job: number;
    created: number;
    ended: number;
    state: number;
    result: number;
    flags: number;
    progress: number;
    parent: number;
    message: number;
  }): number {
    const i = this.sJob.push(s.job);
    this.sCreated.push(s.created);
    this.sEnded.push(s.ended);
    this.sState.push(s.state);
    this.sResult.push(s.result);
    this.sFlags.push(s.flags);
    this.sProgress.push(s.progress);
    this.sParent.push(s.parent);
    this.sChildCount.push(0);
    this.sFirstTask.push(this.taskCount);
    this.sTaskCount.push(0);
    this.sMessage.push(s.message);
    if (s.parent >= 0) this.sChildCount.set(s.parent, this.sChildCount.get(s.parent) + 1);
    this.jobSessionIndex?.[s.job]?.push(i);
    this.version++;
    return i;
  }

  /** Appends a task session to the most recently appended job session `session` (tasks of a session are contiguous). */
  appendTask(t: {
    session: number;
    object: number;
    created: number;
    ended: number;
    state: number;
    result: number;
    flags: number;
    reason: number;
    size: number;
  }): number {
    if (this.sFirstTask.get(t.session) + this.sTaskCount.get(t.session) !== this.taskCount)
      throw new Error('task sessions must be appended to the last session that has tasks');
    const i = this.tSession.push(t.session);
    this.tObject.push(t.object);
    this.tCreated.push(t.created);
    this.tEnded.push(t.ended);
    this.tState.push(t.state);
    this.tResult.push(t.result);
    this.tFlags.push(t.flags);
    this.tReason.push(t.reason);
    this.tSize.push(t.size);
    this.sTaskCount.set(t.session, this.sTaskCount.get(t.session) + 1);
    this.version++;
    return i;
  }

  /** Session indices of a job, oldest first. */
  sessionsOfJob(job: number): readonly number[] {
    if (!this.jobSessionIndex) {
      const idx: number[][] = this.jobs.map(() => []);
      const n = this.sessionCount;
      const col = this.sJob.data;
      for (let i = 0; i < n; i++) idx[col[i]!]!.push(i);
      this.jobSessionIndex = idx;
    }
    return this.jobSessionIndex[job] ?? [];
  }

  /** Child sessions of an AgentBackup session (they follow the parent contiguously). */
  childSessions(i: number): number[] {
    const out: number[] = [];
    const n = this.sChildCount.get(i);
    for (let c = i + 1; out.length < n && c < this.sessionCount; c++) if (this.sParent.get(c) === i) out.push(c);
    return out;
  }

  /** Restore point time (its BackupDateUTC): when the first task session of the session started. */
  restorePointTime(i: number): number {
    return this.sTaskCount.get(i) > 0 ? this.tCreated.get(this.sFirstTask.get(i)) : this.sCreated.get(i);
  }

  /** VM restore point time: a few seconds after its task session started (doc example: +14 s). */
  vmRestorePointTime(t: number): number {
    return this.tCreated.get(t) + 10_000 + (t % 7) * 1000;
  }

  /** Session names: `<JobName>@<yyyy-MM-dd HH:mm:ss>` (em-api-notes §2.5, v12). */
  sessionName(i: number): string {
    return `${this.sessionJob(i).name}@${nameTime(this.sCreated.get(i))}`;
  }
  taskName(t: number): string {
    return `${this.taskObject(t).name}@${nameTime(this.tCreated.get(t))}`;
  }
  /** Restore point Name in the v12 form `Jun 15 2026  5:34AM` (em-api-notes §2.5). */
  restorePointName(i: number): string {
    return restorePointNameTime(this.restorePointTime(i));
  }
  vmRestorePointName(t: number): string {
    return `${this.taskObject(t).name}@${nameTime(this.vmRestorePointTime(t))}`;
  }

  counts(): StoreCounts {
    let agentBackup = 0;
    let agentManagement = 0;
    let running = 0;
    let rps = 0;
    for (let i = 0; i < this.sessionCount; i++) {
      const jt = this.sessionJob(i).sessionJobType;
      if (jt === 'AgentBackup') agentBackup++;
      else if (jt === 'AgentManagement') agentManagement++;
      if (this.isRunning(i)) running++;
      if (this.hasRestorePoint(i)) rps++;
    }
    let vmrps = 0;
    for (let t = 0; t < this.taskCount; t++) if (this.hasVmRestorePoint(t)) vmrps++;
    return {
      backupServers: this.servers.length,
      jobs: this.jobs.filter((j) => j.kind === 'vm').length,
      agentJobs: this.jobs.filter((j) => j.kind === 'agent').length,
      agentChildJobs: this.jobs.filter((j) => j.kind === 'agentChild').length,
      protectedObjects: this.objects.length,
      jobSessions: this.sessionCount,
      agentBackupSessions: agentBackup,
      agentManagementSessions: agentManagement,
      runningSessions: running,
      taskSessions: this.taskCount,
      restorePoints: rps,
      vmRestorePoints: vmrps,
    };
  }

  /** Approximate bytes held by the session and task columns. */
  columnBytes(): number {
    const cols: Column<any>[] = [
      this.sJob, this.sCreated, this.sEnded, this.sState, this.sResult, this.sFlags, this.sProgress, this.sParent,
      this.sChildCount, this.sFirstTask, this.sTaskCount, this.sMessage, this.tSession, this.tObject, this.tCreated,
      this.tEnded, this.tState, this.tResult, this.tFlags, this.tReason, this.tSize,
    ];
    return cols.reduce((a, c) => a + c.bytes, 0);
  }

  /** Releases bulk-load slack, keeping room for sessions the actions create. */
  trim(): void {
    for (const c of [this.sJob, this.sCreated, this.sEnded, this.sState, this.sResult, this.sFlags, this.sProgress,
      this.sParent, this.sChildCount, this.sFirstTask, this.sTaskCount, this.sMessage] as Column<any>[]) c.trim(256);
    for (const c of [this.tSession, this.tObject, this.tCreated, this.tEnded, this.tState, this.tResult, this.tFlags,
      this.tReason, this.tSize] as Column<any>[]) c.trim(1024);
  }
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

const PAD2: string[] = Array.from({ length: 60 }, (_, i) => (i < 10 ? '0' : '') + i);
let lastDay = NaN;
let lastDayText = '';

/** `yyyy-MM-dd HH:mm:ss` in UTC (hot path: every session and task-session name; the date part is cached per day). */
export function nameTime(ms: number): string {
  const secs = Math.floor(ms / 1000);
  const day = Math.floor(secs / 86400);
  if (day !== lastDay) {
    const d = new Date(day * 86_400_000);
    lastDayText = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} `;
    lastDay = day;
  }
  const s = secs - day * 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  return lastDayText + PAD2[h]! + ':' + PAD2[m]! + ':' + PAD2[s - h * 3600 - m * 60]!;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** .NET `MMM d yyyy h:mmtt` as SQL Server prints it: day and hour right-aligned in two columns (`Oct 19 2014  5:23AM`). */
export function restorePointNameTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.getUTCFullYear()} ${String(h12).padStart(2, ' ')}:${pad2(d.getUTCMinutes())}${h < 12 ? 'AM' : 'PM'}`;
}
