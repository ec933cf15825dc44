/**
 * Representations: the JSON-form bodies of the component schemas of spec/openapi.yaml (every key present, null when
 * absent, PascalCase; docs/architecture.md). Links are built here on demand from the store, never stored.
 *
 * Link sets follow the documents: sessions 001/004/000 and em-api-notes §5.1–§5.4, task sessions §5.3, agent jobs
 * 003 and §5.5, jobs §5.7, backup servers §5.8 and §3.5, restore points §5.9, tasks §5.6, query service §3.1.
 */
import type { JsonValue } from '../../contract/codec.ts';
import { isFullRun } from './generate.ts';
import {
  type JobRec,
  RESULTS,
  SESSION_STATES,
  type ServerRec,
  type Store,
  TASK_STATES,
} from './store.ts';
import type { TaskRec } from './tasks.ts';

export type Json = { [key: string]: JsonValue };

export function link(rel: string, href: string, name: string | null = null, type: string | null = null): Json {
  return { Rel: rel, Href: href, Name: name, Type: type };
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const ALL_HOURS = Array.from({ length: 24 }, () => '1').join(',');
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Next daily run at hh:mm UTC strictly after `now`, or null when the job has no enabled schedule. */
export function nextRun(job: JobRec, now: number): number | null {
  if (!job.scheduleConfigured || !job.scheduleEnabled) return null;
  const day = Math.floor(now / DAY_MS) * DAY_MS;
  let t = day + job.hour * HOUR_MS + job.minute * 60_000;
  if (t <= now) t += DAY_MS;
  return t;
}

/** Per-request view of the store: absolute Hrefs from the request's base URL, timestamps in the profile's format. */
export class Views {
  constructor(
    readonly store: Store,
    readonly base: string,
    readonly fmt: (ms: number) => string,
    readonly now: number,
  ) {}

  private date(ms: number): string | null {
    return Number.isFinite(ms) ? this.fmt(ms) : null;
  }

  // ---------------------------------------------------------------- shared links

  serverHref(s: ServerRec): string {
    return `${this.base}/backupServers/${s.id}`;
  }
  jobHref(job: JobRec): string {
    return job.kind === 'vm' ? `${this.base}/jobs/${job.id}` : `${this.base}/agents/jobs/${job.id}`;
  }
  sessionHref(i: number): string {
    return `${this.base}/backupSessions/${this.store.sessionId(i)}`;
  }
  taskHref(t: number): string {
    return `${this.base}/backupTaskSessions/${this.store.taskId(t)}`;
  }
  restorePointHref(i: number): string {
    return `${this.base}/restorePoints/${this.store.restorePointId(i)}`;
  }
  vmRestorePointHref(t: number): string {
    return `${this.base}/vmRestorePoints/${this.store.vmRestorePointId(t)}`;
  }

  serverUp(s: ServerRec): Json {
    return link('Up', this.serverHref(s), s.name, 'BackupServerReference');
  }

  // ---------------------------------------------------------------- job sessions

  private sessionLinks(i: number, entity: boolean): Json[] {
    const st = this.store;
    const job = st.sessionJob(i);
    const name = st.sessionName(i);
    const href = this.sessionHref(i);
    const links: Json[] = [this.serverUp(st.jobServer(job)), link('Up', this.jobHref(job), job.name, 'JobReference')];
    const parent = st.sParent.get(i);
    if (parent >= 0) links.push(link('Up', this.sessionHref(parent), 'Parent session', 'BackupJobSessionReference'));
    links.push(entity ? link('Alternate', href, name, 'BackupJobSessionReference') : link('Alternate', `${href}?format=Entity`, name, 'BackupJobSession'));
    links.push(link('Down', `${href}/taskSessions`, null, 'BackupTaskSessionReferenceList'));
    if (job.sessionJobType === 'AgentBackup') links.push(link('Alternate', `${href}/agentManagementSessions`, null, 'BackupJobSessionReferenceList'));
    if (entity) {
      links.push(link('Stop', `${href}?action=stop`));
      if (st.hasRestorePoint(i)) links.push(link('Related', this.restorePointHref(i), st.restorePointName(i), 'RestorePointReference'));
    }
    return links;
  }

  sessionRef(i: number): Json {
    const id = this.store.sessionId(i);
    return {
      Links: this.sessionLinks(i, false),
      UID: `urn:veeam:BackupJobSession:${id}`,
      Name: this.store.sessionName(i),
      Href: this.sessionHref(i),
      Type: 'BackupJobSessionReference',
    };
  }

  sessionEntity(i: number): Json {
    const st = this.store;
    const job = st.sessionJob(i);
    const message = st.sMessage.get(i);
    return {
      JobUid: jobUid(job),
      JobName: job.name,
      JobType: job.sessionJobType,
      CreationTimeUTC: this.fmt(st.sCreated.get(i)),
      EndTimeUTC: this.date(st.sEnded.get(i)),
      State: SESSION_STATES[st.sState.get(i)]!,
      Result: RESULTS[st.sResult.get(i)]!,
      Progress: st.sProgress.get(i),
      FailureMessage: message >= 0 ? st.messages[message]! : null,
      IsRetry: st.isRetry(i),
      Name: st.sessionName(i),
      UID: `urn:veeam:BackupJobSession:${st.sessionId(i)}`,
      Links: this.sessionLinks(i, true),
      Href: `${this.sessionHref(i)}?format=Entity`,
      Type: 'BackupJobSession',
    };
  }

  // ---------------------------------------------------------------- task sessions

  private taskLinks(t: number, entity: boolean): Json[] {
    const st = this.store;
    const s = st.tSession.get(t);
    const name = st.taskName(t);
    const href = this.taskHref(t);
    const links: Json[] = [this.serverUp(st.jobServer(st.sessionJob(s))), link('Up', this.sessionHref(s), st.sessionName(s), 'BackupJobSessionReference')];
    links.push(entity ? link('Alternate', href, name, 'BackupTaskSessionReference') : link('Alternate', `${href}?format=Entity`, name, 'BackupTaskSession'));
    if (entity && st.hasVmRestorePoint(t)) links.push(link('Related', `${this.vmRestorePointHref(t)}?format=Entity`, st.vmRestorePointName(t), 'VmRestorePoint'));
    return links;
  }

  taskRef(t: number): Json {
    return {
      Links: this.taskLinks(t, false),
      UID: `urn:veeam:BackupTaskSession:${this.store.taskId(t)}`,
      Name: this.store.taskName(t),
      Href: this.taskHref(t),
      Type: 'BackupTaskSessionReference',
    };
  }

  taskEntity(t: number): Json {
    const st = this.store;
    const obj = st.taskObject(t);
    const reason = st.tReason.get(t);
    return {
      JobSessionUid: `urn:veeam:BackupJobSession:${st.sessionId(st.tSession.get(t))}`,
      CreationTimeUTC: this.fmt(st.tCreated.get(t)),
      EndTimeUTC: this.date(st.tEnded.get(t)),
      State: TASK_STATES[st.tState.get(t)]!,
      Result: RESULTS[st.tResult.get(t)]!,
      Reason: reason >= 0 ? st.messages[reason]! : '',
      TotalSize: st.tSize.get(t),
      VmUid: obj.uid,
      VmDisplayName: obj.name,
      Name: st.taskName(t),
      UID: `urn:veeam:BackupTaskSession:${st.taskId(t)}`,
      Links: this.taskLinks(t, true),
      Href: `${this.taskHref(t)}?format=Entity`,
      Type: 'BackupTaskSession',
    };
  }

  // ---------------------------------------------------------------- backup servers

  private serverLinks(s: ServerRec, entity: boolean): Json[] {
    const href = this.serverHref(s);
    if (!entity)
      return [
        link('Down', `${href}/jobs`, null, 'JobReferenceList'),
        link('Down', `${href}/repositories`, null, 'RepositoryReferenceList'),
        link('Down', `${href}/credentials`, null, 'CredentialsList'),
        link('Down', `${href}/passwords`, null, 'PasswordKeyList'),
        link('Alternate', `${href}?format=Entity`, s.name, 'BackupServer'),
        link('Down', `${href}/managedServers`, null, 'ManagedServerReferenceList'),
      ];
    return [
      link('Alternate', href, s.name, 'BackupServerReference'),
      link('Edit', `${href}?action=edit`),
      link('Delete', href),
      link('Down', `${href}/jobs`, null, 'JobReferenceList'),
      link('Down', `${href}/managedServers`, null, 'ManagedServerReferenceList'),
      link('Down', `${href}/repositories`, null, 'RepositoryReferenceList'),
      link('Down', `${href}/credentials`, null, 'CredentialsList'),
      link('Down', `${href}/passwords`, null, 'PasswordKeyList'),
      link('Start', `${href}?action=collect`),
    ];
  }

  serverRef(s: ServerRec): Json {
    return { Links: this.serverLinks(s, false), UID: `urn:veeam:BackupServer:${s.id}`, Name: s.name, Href: this.serverHref(s), Type: 'BackupServerReference' };
  }

  serverEntity(s: ServerRec): Json {
    return {
      Description: s.description,
      Port: s.port,
      Version: s.version,
      WcfPort: s.wcfPort,
      VbrCertificateThumbprint: s.thumbprint,
      Name: s.name,
      UID: `urn:veeam:BackupServer:${s.id}`,
      Links: this.serverLinks(s, true),
      Href: `${this.serverHref(s)}?format=Entity`,
      Type: 'BackupServer',
    };
  }

  // ---------------------------------------------------------------- jobs (VM) and agent jobs

  private jobLinks(job: JobRec, entity: boolean): Json[] {
    const href = this.jobHref(job);
    const server = this.serverUp(this.store.jobServer(job));
    if (job.kind !== 'vm') {
      // 003_f252435efb0996c4.txt (Links table, in its order); references: em-api-notes §5.5 (GET /agents/jobs).
      if (!entity)
        return [server, link('Alternate', `${href}?format=Entity`, job.name, 'Job'), link('Down', `${href}/backupSessions`, null, 'BackupJobSessionReferenceList')];
      return [
        server,
        link('Alternate', href, job.name, 'JobReference'),
        link('Down', `${href}/includes`, null, 'ObjectInJobList'),
        link('ToggleScheduleEnabled', `${href}?action=toggleScheduleEnabled`),
        link('Down', `${href}/backupSessions`, null, 'BackupJobSessionReferenceList'),
        link('Start', `${href}?action=start`),
        link('Stop', `${href}?action=stop`),
        link('Retry', `${href}?action=retry`),
      ];
    }
    if (!entity)
      return [server, link('Alternate', `${href}?format=Entity`, job.name, 'Job'), link('Down', `${href}/backupSessions`, null, 'BackupJobSessionReferenceList')];
    const links = [
      server,
      link('Alternate', href, job.name, 'JobReference'),
      link('Edit', `${href}?action=edit`),
      link('Start', `${href}?action=start`),
      link('Stop', `${href}?action=stop`),
      link('Retry', `${href}?action=retry`),
      link('Clone', `${href}?action=clone`),
      link('ToggleScheduleEnabled', `${href}?action=toggleScheduleEnabled`),
    ];
    if (job.jobType === 'BackupCopy') links.push(link('Sync', `${href}?action=sync`));
    links.push(
      link('Down', `${href}/includes`, null, 'ObjectInJobList'),
      link('Create', `${href}/includes`, null, 'ObjectInJob'),
      link('Down', `${href}/backupSessions`, null, 'BackupJobSessionReferenceList'),
    );
    return links;
  }

  jobRef(job: JobRec): Json {
    const agent = job.kind !== 'vm';
    return {
      Links: this.jobLinks(job, false),
      UID: jobUid(job),
      Name: job.name,
      Href: this.jobHref(job),
      Type: agent ? 'AgentBackupJobReference' : 'JobReference',
    };
  }

  private scheduleOptions(job: JobRec): Json {
    const offset = this.store.jobServer(job).utcOffset;
    const local = (((job.hour + offset) % 24) + 24) % 24;
    const sign = offset < 0 ? '-' : '+';
    const off = `${sign}${String(Math.abs(offset)).padStart(2, '0')}:00`;
    const time = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00.0000000${off}`;
    const days = DAYS.map((d) => ({ Name: d, Value: ALL_HOURS }));
    return {
      Links: null,
      Standart: {
        RetryOptions: { RetryTimes: job.retryTimes, RetryTimeout: job.retryTimeout, RetrySpecified1: true },
        WaitForBackupCompletion: true,
        BackupCompetitionWaitingPeriodMin: 180,
        OptionsDaily: { Enabled: job.scheduleConfigured, Kind: 'Everyday', Days: [...DAYS], Time: time(local, job.minute), TimeOffsetUtc: offset },
        OptionsMonthly: {
          Enabled: false,
          Time: time(22, 0),
          TimeOffsetUtc: offset,
          DayNumberInMonth: 'Fourth',
          DayOfWeek: 'Saturday',
          Months: [...MONTHS],
          DayOfMonth: 1,
        },
        OptionsPeriodically: { Enabled: false, Kind: 'Hours', FullPeriod: 1, Schedule: { Days: days } },
        OptionsContinuous: { Enabled: false, Schedule: { Days: days.map((d) => ({ ...d })) } },
        OptionsBackupWindow: { Enabled: false, TimePeriods: { Days: days.map((d) => ({ ...d })) } },
        // `<PreviousJobUid />` as in the documented example (em-api-notes §5.5): an empty element, not an absent one.
        OptionsDaisyChaining: { Enabled: false, PreviousJobUid: '' },
      },
      ImmediateCopyMode: null,
      Href: null,
      Type: null,
    };
  }

  objectInJob(job: JobRec, k: number): Json {
    const obj = this.store.objects[job.objects[k]!]!;
    const id = job.includeIds[k]!;
    return {
      ObjectInJobId: id,
      HierarchyObjRef: obj.uid,
      Name: obj.name,
      DisplayName: obj.name,
      Order: k,
      Links: null,
      Href: `${this.jobHref(job)}/includes/${id}`,
      Type: 'ObjectInJob',
    };
  }

  objectsInJob(job: JobRec): Json {
    return { ObjectsInJob: job.objects.map((_, k) => this.objectInJob(job, k)) };
  }

  private agentIncludeOptions(job: JobRec): Json {
    return {
      VssSnapshotOptions: { VssSnapshotMode: 'RequireSuccess', IsCopyOnly: false },
      WindowsGuestFSIndexingOptions: null,
      LinuxGuestFSIndexingOptions: null,
      SqlBackupOptions: job.platform === 'AgentForWindows' ? { TransactionLogsProcessing: 'OnlyOnSuccessJob', BackupLogsFrequencyMin: 15, UseDbBackupRetention: true, RetainDays: 15 } : null,
      WindowsCredentialsId: null,
      LinuxCredentialsId: null,
    };
  }

  objectInAgentJob(job: JobRec, k: number): Json {
    const obj = this.store.objects[job.objects[k]!]!;
    const id = job.includeIds[k]!;
    return {
      ObjectInJobId: id,
      Name: obj.name,
      DisplayName: obj.name,
      GuestProcessingOptions: this.agentIncludeOptions(job),
      Links: null,
      Href: `${this.jobHref(job)}/includes/${id}`,
      Type: 'ObjectInAgentBackupJob',
    };
  }

  objectsInAgentJob(job: JobRec): Json {
    return { ObjectsInAgentBackupJob: job.objects.map((_, k) => this.objectInAgentJob(job, k)) };
  }

  jobEntity(job: JobRec): Json {
    const next = nextRun(job, this.now);
    const common = {
      Platform: job.platform,
      Description: job.description,
      ScheduleConfigured: job.scheduleConfigured,
      ScheduleEnabled: job.scheduleEnabled,
      NextRun: next === null ? null : this.fmt(next),
      JobScheduleOptions: this.scheduleOptions(job),
    };
    if (job.kind !== 'vm') {
      const windows = job.platform === 'AgentForWindows';
      return {
        JobType: job.jobType,
        ...common,
        JobInfo: {
          Includes: this.objectsInAgentJob(job),
          GuestProcessingOptions: {
            VssSnapshotOptions: { VssSnapshotMode: 'RequireSuccess', IsCopyOnly: false },
            // EM serialises every option group whatever the platform (em-api-notes §5.5 lists them side by side).
            WindowsGuestFSIndexingOptions: { FileSystemIndexingMode: 'None', IncludedIndexingFolders: [], ExcludedIndexingFolders: [] },
            LinuxGuestFSIndexingOptions: { FileSystemIndexingMode: windows ? 'None' : 'IndexAll', IncludedIndexingFolders: [], ExcludedIndexingFolders: ['/tmp'] },
            SqlBackupOptions: { TransactionLogsProcessing: 'OnlyOnSuccessJob', BackupLogsFrequencyMin: 15, UseDbBackupRetention: true, RetainDays: 15 },
            WindowsCredentialsId: null,
            LinuxCredentialsId: null,
          },
          GfsRetentionPolicy: {
            Enabled: false,
            Weekly: { Enabled: false, RetentionPeriod: 1, SelectedDay: 'Sunday' },
            Monthly: { Enabled: false, RetentionPeriod: 1, SelectedWeek: 'First' },
            Yearly: { Enabled: false, RetentionPeriod: 1, SelectedMonth: 'January' },
          },
          SimpleRetentionPolicy: { RetainCycles: job.restorePointsToKeep, RetainDaysToKeep: 7, RetainLimitType: 'Cycles' },
        },
        Name: job.name,
        UID: jobUid(job),
        Links: this.jobLinks(job, true),
        Href: `${this.jobHref(job)}?format=Entity`,
        Type: 'AgentBackupJob',
      };
    }
    const includes = { Includes: this.objectsInJob(job) };
    const copy = job.jobType === 'BackupCopy';
    const replica = job.jobType === 'Replica';
    return {
      JobType: job.jobType,
      ...common,
      JobInfo: {
        BackupJobInfo: copy || replica ? null : includes,
        ReplicaJobInfo: replica ? includes : null,
        BackupCopyJobInfo: copy ? includes : null,
        ImmediateBackupCopyJobInfo: null,
      },
      Name: job.name,
      UID: jobUid(job),
      Links: this.jobLinks(job, true),
      Href: `${this.jobHref(job)}?format=Entity`,
      Type: 'Job',
    };
  }

  // ---------------------------------------------------------------- restore points

  private restorePointLinks(i: number, entity: boolean): Json[] {
    const st = this.store;
    const job = st.sessionJob(i);
    const href = this.restorePointHref(i);
    const name = st.restorePointName(i);
    return [
      link('Up', `${this.base}/backups/${job.backupId}`, job.name, 'BackupReference'),
      this.serverUp(st.jobServer(job)),
      entity ? link('Alternate', href, name, 'RestorePointReference') : link('Alternate', `${href}?format=Entity`, name, 'RestorePoint'),
      link('Down', `${href}/vmRestorePoints`, null, 'VmRestorePointReferenceList'),
      link('Down', `${href}/backupFiles`, null, 'BackupFileReferenceList'),
    ];
  }

  restorePointRef(i: number): Json {
    return {
      Links: this.restorePointLinks(i, false),
      UID: `urn:veeam:RestorePoint:${this.store.restorePointId(i)}`,
      Name: this.store.restorePointName(i),
      Href: this.restorePointHref(i),
      Type: 'RestorePointReference',
    };
  }

  restorePointEntity(i: number): Json {
    return {
      Ref: null,
      BackupDateUTC: this.fmt(this.store.restorePointTime(i)),
      Name: this.store.restorePointName(i),
      UID: `urn:veeam:RestorePoint:${this.store.restorePointId(i)}`,
      Links: this.restorePointLinks(i, true),
      Href: `${this.restorePointHref(i)}?format=Entity`,
      Type: 'RestorePoint',
    };
  }

  private vmRestorePointLinks(t: number, entity: boolean): Json[] {
    const st = this.store;
    const s = st.tSession.get(t);
    const href = this.vmRestorePointHref(t);
    const name = st.vmRestorePointName(t);
    return [
      link('Up', this.restorePointHref(s), st.restorePointName(s), 'RestorePointReference'),
      this.serverUp(st.jobServer(st.sessionJob(s))),
      entity ? link('Alternate', href, name, 'VmRestorePointReference') : link('Alternate', `${href}?format=Entity`, name, 'VmRestorePoint'),
    ];
  }

  vmRestorePointRef(t: number): Json {
    return {
      Links: this.vmRestorePointLinks(t, false),
      UID: `urn:veeam:VmRestorePoint:${this.store.vmRestorePointId(t)}`,
      Name: this.store.vmRestorePointName(t),
      Href: this.vmRestorePointHref(t),
      Type: 'VmRestorePointReference',
    };
  }

  vmRestorePointEntity(t: number): Json {
    const st = this.store;
    const obj = st.taskObject(t);
    const full = isFullRun(st.sCreated.get(st.tSession.get(t)));
    return {
      CreationTimeUTC: this.fmt(st.vmRestorePointTime(t)),
      VMName: obj.name,
      Algorithm: full ? 'Full' : 'Increment',
      PointType: full ? 'Full' : 'Incremental',
      HierarchyObjRef: obj.uid,
      Name: st.vmRestorePointName(t),
      UID: `urn:veeam:VmRestorePoint:${st.vmRestorePointId(t)}`,
      Links: this.vmRestorePointLinks(t, true),
      Href: `${this.vmRestorePointHref(t)}?format=Entity`,
      Type: 'VmRestorePoint',
    };
  }

  // ---------------------------------------------------------------- tasks, services

  task(t: TaskRec): Json {
    const href = `${this.base}/tasks/${t.id}`;
    const done = this.now >= t.doneAt;
    return {
      TaskId: t.id,
      State: done ? 'Finished' : 'Running',
      Operation: t.operation,
      Result: done ? { Message: t.message, Success: t.success, CredentialsNeeded: null, ConfirmationNeeded: null } : null,
      Links: [link('Delete', href, null, 'Task')],
      Href: href,
      Type: 'Task',
    };
  }

  agentsService(): Json {
    const b = `${this.base}/agents`;
    const lists: [string, string][] = [
      ['jobs', 'Job'],
      ['agentRestorePoints', 'AgentRestorePoint'],
      ['backups', 'Backup'],
      ['restorePoints', 'RestorePoint'],
      ['backupFiles', 'RestorePoint'],
      ['backupSessions', 'BackupJobSession'],
      ['protectionGroups', 'AgentProtectionGroup'],
      ['discoveredComputers', 'DiscoveredComputer'],
    ];
    return {
      Links: [
        ...lists.map(([p, t]) => link('Down', `${b}/${p}`, null, `${t}ReferenceList`)),
        ...lists.map(([p, t]) => link('Down', `${b}/${p}?format=Entity`, null, `${t}List`)),
      ],
      Href: b,
      Type: 'AgentsService',
    };
  }
}

export function jobUid(job: JobRec): string {
  return job.kind === 'vm' ? `urn:veeam:Job:${job.id}` : `urn:veeam:AgentBackupJob:${job.id}`;
}
