/**
 * Handlers of the monitoring operations (issue 8): /reports/summary and its frames, /repositories,
 * /backupFiles, /restorePoints/{ID}/backupFiles, /agents/discoveredComputers, /replicaSessions and /replicaTaskSessions
 * (reference and entity).
 */
import { type HandlerTable, MockHttpError, type RequestContext } from '../types.ts';
import { ok, shortId, wantsEntity } from './handlers.ts';
import { monitoringOf } from './monitoring.ts';
import { MonitoringViews } from './monitoring-repr.ts';
import { Views } from './repr.ts';
import { type Store, WINDOW_MS } from './store.ts';

export interface MonitoringHandlerDeps {
  store: Store;
  /** Span of the session collections' window (30 days). */
  windowMs?: number;
  /** Per-operation spans overriding windowMs (operationId → ms). */
  windows?: Readonly<Record<string, number>>;
}

export function createMonitoringHandlers({ store, windowMs = WINDOW_MS, windows }: MonitoringHandlerDeps): HandlerTable {
  const m = monitoringOf(store);
  const mv = (ctx: RequestContext) => new MonitoringViews(new Views(store, ctx.baseUrl, ctx.formatDate, ctx.now().getTime()));
  const cutoff = (ctx: RequestContext) => ctx.now().getTime() - (windows?.[ctx.operationId] ?? windowMs);
  const find = (ctx: RequestContext, what: string, lookup: (id: string) => number): number => {
    const id = ctx.params.ID ?? '';
    const i = lookup(id);
    // CHOICE (as for the other resources): an unknown or malformed ID is 404 naming the resource.
    if (i < 0) throw new MockHttpError(404, `The ${what} with ID '${shortId(id)}' was not found.`);
    return i;
  };
  /** Reference list or entity list of `items`, newest first where the caller ordered them so. */
  const list = <T>(ctx: RequestContext, items: readonly T[], root: string, key: string, ref: (v: MonitoringViews, x: T) => unknown, entity: (v: MonitoringViews, x: T) => unknown) => {
    const v = mv(ctx);
    if (wantsEntity(ctx)) return ok(root, { [key]: items.map((x) => entity(v, x)) as never });
    return ok('EntityReferences', { Refs: items.map((x) => ref(v, x)) as never });
  };
  const item = <T>(ctx: RequestContext, x: T, root: string, ref: (v: MonitoringViews, x: T) => unknown, entity: (v: MonitoringViews, x: T) => unknown) => {
    const v = mv(ctx);
    return wantsEntity(ctx) ? ok(root, entity(v, x) as never) : ok('EntityRef', ref(v, x) as never);
  };

  return {
    getSummaryReport: (ctx) => ok('SummaryReport', mv(ctx).summary()),
    getOverviewReport: (ctx) => ok('OverviewReportFrame', mv(ctx).overview()),
    getVmsOverviewReport: (ctx) => ok('VmsOverviewReportFrame', mv(ctx).vmsOverview()),
    getJobStatisticsReport: (ctx) => ok('JobStatisticsReportFrame', mv(ctx).jobStatistics()),
    getRepositoryReport: (ctx) => ok('RepositoryReportFrame', mv(ctx).repositoryFrame()),
    getProcessedVmsReport: (ctx) => ok('ProcessedVmsReportFrame', mv(ctx).processedVms()),

    listRepositories: (ctx) => list(ctx, m.repositories, 'Repositories', 'Repositories', (v, r) => v.repositoryRef(r), (v, r) => v.repositoryEntity(r)),
    getRepository: (ctx) => {
      const r = m.repositories[find(ctx, 'repository', (id) => m.findRepository(id))]!;
      return item(ctx, r, 'Repository', (v, x) => v.repositoryRef(x), (v, x) => v.repositoryEntity(x));
    },

    // Every backup file the servers hold, newest first (no 30-day window, see the spec's choice).
    listBackupFiles: (ctx) => list(ctx, m.backupFiles().reverse(), 'BackupFiles', 'BackupFiles', (v, i) => v.backupFileRef(i), (v, i) => v.backupFileEntity(i)),
    // The files of one restore point: in this mock a restore point holds exactly one file, which shares its index.
    listRestorePointBackupFiles: (ctx) => {
      const i = find(ctx, 'restore point', (id) => store.findRestorePoint(id));
      return list(ctx, [i], 'BackupFiles', 'BackupFiles', (v, x) => v.backupFileRef(x), (v, x) => v.backupFileEntity(x));
    },
    getBackupFile: (ctx) => item(ctx, find(ctx, 'backup file', (id) => m.findBackupFile(id)), 'BackupFile', (v, i) => v.backupFileRef(i), (v, i) => v.backupFileEntity(i)),

    listDiscoveredComputers: (ctx) => list(ctx, m.computers, 'DiscoveredComputers', 'DiscoveredComputers', (v, c) => v.computerRef(c), (v, c) => v.computerEntity(c)),
    getDiscoveredComputer: (ctx) => {
      const c = m.computers[find(ctx, 'discovered computer', (id) => m.findComputer(id))]!;
      return item(ctx, c, 'DiscoveredComputer', (v, x) => v.computerRef(x), (v, x) => v.computerEntity(x));
    },

    listReplicaSessions: (ctx) => {
      const from = cutoff(ctx);
      const sessions = m.replicaSessions.filter((s) => s.created >= from).reverse();
      return list(ctx, sessions, 'ReplicaJobSessions', 'ReplicaJobSessions', (v, s) => v.replicaSessionRef(s), (v, s) => v.replicaSessionEntity(s));
    },
    getReplicaSession: (ctx) => {
      const s = m.replicaSessions[find(ctx, 'replica job session', (id) => m.findReplicaSession(id))]!;
      return item(ctx, s, 'ReplicaJobSession', (v, x) => v.replicaSessionRef(x), (v, x) => v.replicaSessionEntity(x));
    },
    listReplicaTaskSessions: (ctx) => {
      const from = cutoff(ctx);
      const tasks = m.replicaTasks.filter((t) => t.created >= from).reverse();
      return list(ctx, tasks, 'ReplicaTaskSessions', 'ReplicaTaskSessions', (v, t) => v.replicaTaskRef(t), (v, t) => v.replicaTaskEntity(t));
    },
    getReplicaTaskSession: (ctx) => {
      const t = m.replicaTasks[find(ctx, 'replica task session', (id) => m.findReplicaTask(id))]!;
      return item(ctx, t, 'ReplicaTaskSession', (v, x) => v.replicaTaskRef(x), (v, x) => v.replicaTaskEntity(x));
    },
  };
}
