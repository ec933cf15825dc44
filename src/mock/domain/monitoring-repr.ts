/**
 * Representations of the monitoring surface (issue 8): the JSON-form bodies of SummaryReport, the five report
 * frames, Repository, BackupFile, DiscoveredComputer, ReplicaJobSession and ReplicaTaskSession (components of
 * spec/openapi.yaml). Links follow the choices noted in the spec (x-em-choice-made): the backup server's Up link
 * comes first wherever the monitoring clients read `.Links[0].Name` as the server (em-api-notes §7.1).
 */
import { type Json, jobUid, link, type Views } from './repr.ts';
import { type ComputerRec, type Monitoring, monitoringOf, type ReplicaSessionRec, type ReplicaTaskRec, type RepositoryRec } from './monitoring.ts';
import { RESULTS, SESSION_STATES, TASK_STATES, TS_COMPLETED } from './store.ts';

/** The frames of /reports/summary: path segment, link Name, root element. */
export const REPORT_FRAMES = [
  ['overview', 'Overview', 'OverviewReportFrame'],
  ['vms_overview', 'VmsOverview', 'VmsOverviewReportFrame'],
  ['job_statistics', 'JobStatistics', 'JobStatisticsReportFrame'],
  ['repository', 'Repository', 'RepositoryReportFrame'],
  ['processed_vms', 'ProcessedVms', 'ProcessedVmsReportFrame'],
] as const;

export class MonitoringViews {
  readonly m: Monitoring;
  constructor(readonly v: Views) {
    this.m = monitoringOf(v.store);
  }

  private get base(): string {
    return this.v.base;
  }
  /** EM's web UI (port 9443) hosts the reports the frames' *ReportLink values point to. */
  private webReport(name: string): string {
    return `https://${new URL(this.base).hostname}:9443/reports/${name}`;
  }

  // ---------------------------------------------------------------- reports

  summary(): Json {
    const href = `${this.base}/reports/summary`;
    return {
      Links: REPORT_FRAMES.map(([path, name]) => link('Down', `${href}/${path}`, name, 'ReportFrame')),
      Href: href,
      Type: 'Report',
    };
  }

  private frame(path: string, root: string, body: Json): Json {
    const summary = `${this.base}/reports/summary`;
    return { ...body, Links: [link('Up', summary, 'Summary', 'Report')], Href: `${summary}/${path}`, Type: root };
  }

  overview(): Json {
    return this.frame('overview', 'OverviewReportFrame', { ...this.m.reports(this.v.now).overview });
  }
  vmsOverview(): Json {
    return this.frame('vms_overview', 'VmsOverviewReportFrame', { ...this.m.reports(this.v.now).vmsOverview, ProtectedVmsReportLink: this.webReport('ProtectedVms') });
  }
  jobStatistics(): Json {
    return this.frame('job_statistics', 'JobStatisticsReportFrame', { ...this.m.reports(this.v.now).jobStatistics, BackupJobStatusReportLink: this.webReport('JobStatus') });
  }
  repositoryFrame(): Json {
    const sizes = this.m.reports(this.v.now).repositoryBackupSize;
    return this.frame('repository', 'RepositoryReportFrame', {
      Periods: this.m.repositories.map((r) => ({ Name: r.name, Capacity: r.capacity, FreeSpace: this.freeSpace(r, sizes[r.index]!), BackupSize: sizes[r.index]! })),
      CapacityPlanningReportLink: this.webReport('CapacityPlanning'),
    });
  }
  processedVms(): Json {
    return this.frame('processed_vms', 'ProcessedVmsReportFrame', {
      Days: this.m.reports(this.v.now).processedVms.map((d) => ({ Timestamp: this.v.fmt(d.day), ReplicatedVms: d.replicated, BackupedVms: d.backedUp })),
    });
  }

  // ---------------------------------------------------------------- repositories

  private freeSpace(r: RepositoryRec, backupSize: number): number {
    return r.capacity < 0 ? -1 : Math.max(0, r.capacity - r.otherUsed - backupSize);
  }
  repositoryHref(r: RepositoryRec): string {
    return `${this.base}/repositories/${r.id}`;
  }
  private repositoryLinks(r: RepositoryRec, entity: boolean): Json[] {
    const href = this.repositoryHref(r);
    return [
      this.v.serverUp(this.v.store.servers[r.server]!),
      entity ? link('Alternate', href, r.name, 'RepositoryReference') : link('Alternate', `${href}?format=Entity`, r.name, 'Repository'),
    ];
  }
  repositoryRef(r: RepositoryRec): Json {
    return { Links: this.repositoryLinks(r, false), UID: `urn:veeam:Repository:${r.id}`, Name: r.name, Href: this.repositoryHref(r), Type: 'RepositoryReference' };
  }
  repositoryEntity(r: RepositoryRec): Json {
    const size = this.m.reports(this.v.now).repositoryBackupSize[r.index]!;
    return {
      Capacity: r.capacity,
      FreeSpace: this.freeSpace(r, size),
      Kind: r.kind,
      Name: r.name,
      UID: `urn:veeam:Repository:${r.id}`,
      Links: this.repositoryLinks(r, true),
      Href: `${this.repositoryHref(r)}?format=Entity`,
      Type: 'Repository',
    };
  }

  // ---------------------------------------------------------------- backup files (one per restore point)

  backupFileHref(i: number): string {
    return `${this.base}/backupFiles/${this.m.backupFileId(i)}`;
  }
  backupFileName(i: number): string {
    const st = this.v.store;
    const job = st.sessionJob(i);
    const stamp = new Date(st.restorePointTime(i)).toISOString().slice(0, 19).replace(/[-:]/g, '').replace(/^(\d{4})(\d{2})(\d{2})/, '$1-$2-$3');
    const suffix = this.m.backupFileId(i).slice(0, 4).toUpperCase();
    return `${job.name}D${stamp}_${suffix}.${this.m.isFullFile(i) ? 'vbk' : 'vib'}`;
  }
  private backupFileLinks(i: number, entity: boolean): Json[] {
    const st = this.v.store;
    const job = st.sessionJob(i);
    const owner = job.parent >= 0 ? st.jobs[job.parent]! : job;
    const href = this.backupFileHref(i);
    const name = this.backupFileName(i);
    const links: Json[] = [this.v.serverUp(st.jobServer(job))];
    const r = this.m.repositories[this.m.repositoryOfSession(i)];
    if (r) links.push(link('Up', this.repositoryHref(r), r.name, 'RepositoryReference'));
    links.push(
      link('Up', this.v.restorePointHref(i), st.restorePointName(i), 'RestorePointReference'),
      link('Up', `${this.base}/backups/${owner.backupId}`, owner.name, 'BackupReference'),
      entity ? link('Alternate', href, name, 'BackupFileReference') : link('Alternate', `${href}?format=Entity`, name, 'BackupFile'),
    );
    return links;
  }
  backupFileRef(i: number): Json {
    return { Links: this.backupFileLinks(i, false), UID: `urn:veeam:BackupFile:${this.m.backupFileId(i)}`, Name: this.backupFileName(i), Href: this.backupFileHref(i), Type: 'BackupFileReference' };
  }
  backupFileEntity(i: number): Json {
    const st = this.v.store;
    const job = st.sessionJob(i);
    const r = this.m.repositories[this.m.repositoryOfSession(i)];
    const size = this.m.backupFileSize(i);
    const { dedup, compress } = this.m.ratios(job.parent >= 0 ? st.jobs[job.parent]! : job);
    const name = this.backupFileName(i);
    const sep = r && !r.path.startsWith('/') && !r.path.startsWith('s3:') ? '\\' : '/';
    return {
      FilePath: `${r?.path ?? ''}${sep}${job.name}${sep}${name}`,
      BackupSize: size,
      DataSize: Math.round(size * dedup * compress),
      DeduplicationRatio: Math.round(dedup * 100) / 100,
      CompressRatio: Math.round(compress * 100) / 100,
      CreationTimeUtc: this.v.fmt(st.restorePointTime(i)),
      FileType: this.m.isFullFile(i) ? 'vbk' : 'vib',
      Name: name,
      UID: `urn:veeam:BackupFile:${this.m.backupFileId(i)}`,
      Links: this.backupFileLinks(i, true),
      Href: `${this.backupFileHref(i)}?format=Entity`,
      Type: 'BackupFile',
    };
  }

  // ---------------------------------------------------------------- discovered computers

  computerHref(c: ComputerRec): string {
    return `${this.base}/agents/discoveredComputers/${c.id}`;
  }
  private computerLinks(c: ComputerRec, entity: boolean): Json[] {
    const href = this.computerHref(c);
    const name = this.v.store.objects[c.object]!.name;
    return [
      this.v.serverUp(this.v.store.servers[c.server]!),
      entity ? link('Alternate', href, name, 'DiscoveredComputerReference') : link('Alternate', `${href}?format=Entity`, name, 'DiscoveredComputer'),
    ];
  }
  computerRef(c: ComputerRec): Json {
    const name = this.v.store.objects[c.object]!.name;
    return { Links: this.computerLinks(c, false), UID: `urn:veeam:DiscoveredComputer:${c.id}`, Name: name, Href: this.computerHref(c), Type: 'DiscoveredComputerReference' };
  }
  computerEntity(c: ComputerRec): Json {
    const obj = this.v.store.objects[c.object]!;
    return {
      HostStatus: c.hostStatus,
      AgentVersion: c.agentVersion,
      AgentStatus: c.agentStatus,
      OsVersion: c.osVersion,
      IpAddress: c.ipAddress,
      HierarchyObjRef: obj.uid,
      Name: obj.name,
      UID: `urn:veeam:DiscoveredComputer:${c.id}`,
      Links: this.computerLinks(c, true),
      Href: `${this.computerHref(c)}?format=Entity`,
      Type: 'DiscoveredComputer',
    };
  }

  // ---------------------------------------------------------------- replica sessions

  replicaSessionHref(s: ReplicaSessionRec): string {
    return `${this.base}/replicaSessions/${s.id}`;
  }
  replicaTaskHref(t: ReplicaTaskRec): string {
    return `${this.base}/replicaTaskSessions/${t.id}`;
  }
  private replicaSessionLinks(s: ReplicaSessionRec, entity: boolean): Json[] {
    const st = this.v.store;
    const job = st.jobs[s.job]!;
    const href = this.replicaSessionHref(s);
    const name = this.m.replicaSessionName(s);
    return [
      this.v.serverUp(st.jobServer(job)),
      link('Up', this.v.jobHref(job), job.name, 'JobReference'),
      entity ? link('Alternate', href, name, 'ReplicaJobSessionReference') : link('Alternate', `${href}?format=Entity`, name, 'ReplicaJobSession'),
    ];
  }
  replicaSessionRef(s: ReplicaSessionRec): Json {
    return { Links: this.replicaSessionLinks(s, false), UID: `urn:veeam:ReplicaJobSession:${s.id}`, Name: this.m.replicaSessionName(s), Href: this.replicaSessionHref(s), Type: 'ReplicaJobSessionReference' };
  }
  replicaSessionEntity(s: ReplicaSessionRec): Json {
    const job = this.v.store.jobs[s.job]!;
    return {
      JobUid: jobUid(job),
      JobName: job.name,
      JobType: job.sessionJobType,
      CreationTimeUTC: this.v.fmt(s.created),
      EndTimeUTC: Number.isFinite(s.ended) ? this.v.fmt(s.ended) : null,
      State: SESSION_STATES[s.state]!,
      Result: RESULTS[s.result]!,
      Progress: s.progress,
      FailureMessage: s.message,
      IsRetry: s.retry,
      Name: this.m.replicaSessionName(s),
      UID: `urn:veeam:ReplicaJobSession:${s.id}`,
      Links: this.replicaSessionLinks(s, true),
      Href: `${this.replicaSessionHref(s)}?format=Entity`,
      Type: 'ReplicaJobSession',
    };
  }
  private replicaTaskLinks(t: ReplicaTaskRec, entity: boolean): Json[] {
    const s = this.m.replicaSessions[t.session]!;
    const href = this.replicaTaskHref(t);
    const name = this.m.replicaTaskName(t);
    return [
      this.v.serverUp(this.v.store.jobServer(this.v.store.jobs[s.job]!)),
      link('Up', this.replicaSessionHref(s), this.m.replicaSessionName(s), 'ReplicaJobSessionReference'),
      entity ? link('Alternate', href, name, 'ReplicaTaskSessionReference') : link('Alternate', `${href}?format=Entity`, name, 'ReplicaTaskSession'),
    ];
  }
  replicaTaskRef(t: ReplicaTaskRec): Json {
    return { Links: this.replicaTaskLinks(t, false), UID: `urn:veeam:ReplicaTaskSession:${t.id}`, Name: this.m.replicaTaskName(t), Href: this.replicaTaskHref(t), Type: 'ReplicaTaskSessionReference' };
  }
  replicaTaskEntity(t: ReplicaTaskRec): Json {
    const obj = this.v.store.objects[t.object]!;
    return {
      JobSessionUid: `urn:veeam:ReplicaJobSession:${this.m.replicaSessions[t.session]!.id}`,
      CreationTimeUTC: this.v.fmt(t.created),
      EndTimeUTC: this.v.fmt(t.ended),
      State: TASK_STATES[TS_COMPLETED]!,
      Result: RESULTS[t.result]!,
      Reason: t.reason,
      TotalSize: t.size,
      VmUid: obj.uid,
      VmDisplayName: obj.name,
      Name: this.m.replicaTaskName(t),
      UID: `urn:veeam:ReplicaTaskSession:${t.id}`,
      Links: this.replicaTaskLinks(t, true),
      Href: `${this.replicaTaskHref(t)}?format=Entity`,
      Type: 'ReplicaTaskSession',
    };
  }
}
