/**
 * One handler per operationId of spec/openapi.yaml except the five auth operations (the HTTP layer serves those).
 * Every handler answers `{ status, root, body }` with a JSON-form body (repr.ts) or throws MockHttpError.
 */
import { type HandlerResult, type HandlerTable, MockHttpError, type RequestContext } from '../types.ts';
import { lastSessionOf, runningSessionOf, startJob, stopSession, toggleSchedule } from './lifecycle.ts';
import { type QueryRunner, param } from './query.ts';
import { link, type Json, Views } from './repr.ts';
import { type JobRec, R_FAILED, type Store, WINDOW_MS } from './store.ts';
import type { TaskRegistry } from './tasks.ts';

// CHOICE: collections list their members newest first (the 001_40b8d47528f9a0fa.txt example lists the newest
// session first), by creation order, which is chronological; lists of a job's includes and of a session's task
// sessions keep their natural order.

function views(store: Store, ctx: RequestContext): Views {
  return new Views(store, ctx.baseUrl, ctx.formatDate, ctx.now().getTime());
}

export function shortId(id: string): string {
  return id.length > 80 ? `${id.slice(0, 80)}…` : id;
}

/** `format=Entity` (case-insensitive) → true; absent or empty → false; anything else → 400. */
export function wantsEntity(ctx: RequestContext): boolean {
  const f = param(ctx.query, 'format');
  if (f === null || f === '') return false;
  if (f.toLowerCase() === 'entity') return true;
  throw new MockHttpError(400, `Unknown format '${shortId(f)}'; the supported value is Entity.`);
}

export function ok(root: string, body: Json, status = 200): HandlerResult {
  return { status, root, body };
}

export interface HandlerDeps {
  store: Store;
  tasks: TaskRegistry;
  query: QueryRunner;
  /** Span of the session collections' window (30 days; a mutant widens it). */
  windowMs?: number;
  /** Per-operation spans overriding windowMs (operationId → ms; a mutant widens one collection's window). */
  windows?: Readonly<Record<string, number>>;
}

export function createHandlers({ store, tasks, query, windowMs = WINDOW_MS, windows }: HandlerDeps): HandlerTable {
  const windowOf = (ctx: RequestContext): number => windows?.[ctx.operationId] ?? windowMs;
  // CHOICE: an ID that is not a GUID (or task-N) is answered like an unknown one: 404 naming the resource.
  const notFound = (what: string, id: string) => new MockHttpError(404, `The ${what} with ID '${shortId(id)}' was not found.`);

  const session = (ctx: RequestContext): number => {
    const id = ctx.params.ID ?? '';
    const i = store.findSession(id);
    if (i < 0) throw notFound('backup job session', id);
    return i;
  };
  const vmJob = (ctx: RequestContext): JobRec => {
    const id = ctx.params.ID ?? '';
    const j = store.findJob(id);
    const job = j >= 0 ? store.jobs[j] : undefined;
    if (!job || job.kind !== 'vm') throw notFound('job', id);
    return job;
  };
  const agentJob = (ctx: RequestContext): JobRec => {
    const id = ctx.params.ID ?? '';
    const j = store.findJob(id);
    const job = j >= 0 ? store.jobs[j] : undefined;
    if (!job || job.kind === 'vm') throw notFound('agent backup job', id);
    return job;
  };

  /** Sessions created during the last 30 days among `candidates` (or all), newest first (em-api-notes §8.1). */
  const windowSessions = (ctx: RequestContext, keep: (i: number) => boolean = () => true): number[] => {
    const cutoff = ctx.now().getTime() - windowOf(ctx);
    const out: number[] = [];
    const created = store.sCreated.data;
    for (let i = store.sessionCount - 1; i >= 0; i--) if (created[i]! >= cutoff && keep(i)) out.push(i);
    return out;
  };
  const windowed = (ctx: RequestContext, list: readonly number[], newestFirst: boolean): number[] => {
    const cutoff = ctx.now().getTime() - windowOf(ctx);
    const out = list.filter((i) => store.sCreated.get(i) >= cutoff);
    return newestFirst ? out.reverse() : out;
  };

  const sessionList = (ctx: RequestContext, list: number[]): HandlerResult => {
    const v = views(store, ctx);
    if (wantsEntity(ctx)) return ok('BackupJobSessions', { BackupJobSessions: list.map((i) => v.sessionEntity(i)) });
    return ok('EntityReferences', { Refs: list.map((i) => v.sessionRef(i)) });
  };
  const taskList = (ctx: RequestContext, list: number[]): HandlerResult => {
    const v = views(store, ctx);
    if (wantsEntity(ctx)) return ok('BackupTaskSessions', { BackupTaskSessions: list.map((t) => v.taskEntity(t)) });
    return ok('EntityReferences', { Refs: list.map((t) => v.taskRef(t)) });
  };

  const taskResult = (ctx: RequestContext, operation: string, success: boolean, message: string): HandlerResult => {
    const t = tasks.create(ctx.logonSessionId, operation, ctx.now().getTime(), success, message);
    const body = views(store, ctx).task(t);
    return { status: 202, root: 'Task', body, headers: { Location: body.Href as string } };
  };

  const forbidUnlessAdmin = (ctx: RequestContext, what: string): void => {
    // em-api-notes §8.14 (/jobs for Portal Administrators only), §1.6 (Restore Operator starting a job: 403).
    if (ctx.user && ctx.user.role !== 'PortalAdministrator') throw new MockHttpError(403, `Access denied: ${what} requires the Portal Administrator role.`);
  };

  const action = (ctx: RequestContext, allowed: string[]): string => {
    const a = param(ctx.query, 'action');
    // CHOICE: action names match case-insensitively; a missing or unknown action is 400.
    const found = allowed.find((x) => x.toLowerCase() === (a ?? '').toLowerCase());
    if (!found) throw new MockHttpError(400, a ? `Unknown action '${shortId(a)}'; supported: ${allowed.join(', ')}.` : `The action parameter is required; supported: ${allowed.join(', ')}.`);
    return found;
  };

  return {
    // ------------------------------------------------------------ backup sessions
    listBackupSessions: (ctx) => sessionList(ctx, windowSessions(ctx)),
    getBackupSession: (ctx) => {
      const i = session(ctx);
      const v = views(store, ctx);
      return wantsEntity(ctx) ? ok('BackupJobSession', v.sessionEntity(i)) : ok('EntityRef', v.sessionRef(i));
    },
    backupSessionAction: (ctx) => {
      const i = session(ctx);
      action(ctx, ['stop']);
      forbidUnlessAdmin(ctx, 'stopping a job session');
      const name = store.sessionName(i);
      if (!stopSession(store, i, ctx.now().getTime()))
        return taskResult(ctx, 'StopJobSession', false, `Job Session "${name}" is not running.`);
      return taskResult(ctx, 'StopJobSession', true, `Job Session "${name}" triggered to stop.`);
    },
    listBackupSessionTaskSessions: (ctx) => {
      const i = session(ctx);
      const cutoff = ctx.now().getTime() - windowOf(ctx);
      const first = store.sFirstTask.get(i);
      const list: number[] = [];
      for (let t = first; t < first + store.sTaskCount.get(i); t++) if (store.tCreated.get(t) >= cutoff) list.push(t);
      return taskList(ctx, list);
    },
    listAgentManagementSessions: (ctx) => {
      const i = session(ctx);
      // CHOICE (rules AGENT-002): a session that is not an AgentBackup container has an empty list (200), not 404.
      const children = store.sessionJob(i).sessionJobType === 'AgentBackup' ? windowed(ctx, store.childSessions(i), false) : [];
      return sessionList(ctx, children);
    },

    // ------------------------------------------------------------ task sessions
    listBackupTaskSessions: (ctx) => {
      const cutoff = ctx.now().getTime() - windowOf(ctx);
      const created = store.tCreated.data;
      const list: number[] = [];
      for (let t = store.taskCount - 1; t >= 0; t--) if (created[t]! >= cutoff) list.push(t);
      return taskList(ctx, list);
    },
    getBackupTaskSession: (ctx) => {
      const id = ctx.params.ID ?? '';
      const t = store.findTask(id);
      if (t < 0) throw notFound('backup task session', id);
      const v = views(store, ctx);
      return wantsEntity(ctx) ? ok('BackupTaskSession', v.taskEntity(t)) : ok('EntityRef', v.taskRef(t));
    },

    // ------------------------------------------------------------ query service
    getQueryService: (ctx) => {
      const b = ctx.baseUrl;
      const links: Json[] = [link('Up', `${b}/logonSessions/${ctx.logonSessionId}`, null, 'LogonSession')];
      for (const t of query.types) {
        // em-api-notes §3.1: preconfigured queries sort by name (tasks by TaskUid), 15 per page.
        const sort = t.name === 'Task' ? 'TaskUid' : 'name';
        links.push(link('Down', `${b}/query?type=${t.name}&format=Entities&sortAsc=${sort}&pageSize=15&page=1`, null, `${t.name}List`));
      }
      return ok('QuerySvc', { Links: links, Href: `${b}/querySvc`, Type: 'QueryService' });
    },
    query: (ctx) => ok('QueryResult', query.run(views(store, ctx), ctx.query, { logonSessionId: ctx.logonSessionId, now: ctx.now().getTime() })),

    // ------------------------------------------------------------ agents
    getAgentsService: (ctx) => ok('Agents', views(store, ctx).agentsService()),
    listAgentJobs: (ctx) => {
      const v = views(store, ctx);
      const jobs = store.jobs.filter((j) => j.kind === 'agent');
      if (wantsEntity(ctx)) return ok('AgentBackupJobs', { AgentBackupJobs: jobs.map((j) => v.jobEntity(j)) });
      return ok('EntityReferences', { Refs: jobs.map((j) => v.jobRef(j)) });
    },
    getAgentJob: (ctx) => {
      const job = agentJob(ctx);
      const v = views(store, ctx);
      return wantsEntity(ctx) ? ok('AgentBackupJob', v.jobEntity(job)) : ok('EntityRef', v.jobRef(job));
    },
    listAgentJobIncludes: (ctx) => ok('ObjectsInAgentBackupJob', views(store, ctx).objectsInAgentJob(agentJob(ctx))),
    listAgentJobBackupSessions: (ctx) => {
      const job = agentJob(ctx);
      return sessionList(ctx, windowed(ctx, store.sessionsOfJob(job.index), true));
    },
    agentJobAction: (ctx) => {
      const job = agentJob(ctx);
      const a = action(ctx, ['start', 'stop', 'retry', 'toggleScheduleEnabled']);
      forbidUnlessAdmin(ctx, 'running job actions');
      const now = ctx.now().getTime();
      if (a === 'toggleScheduleEnabled') {
        toggleSchedule(store, job.index);
        return taskResult(ctx, 'UpdateJob', true, 'Ok');
      }
      const operation = a === 'start' ? 'StartJob' : a === 'stop' ? 'StopAgentJob' : 'RetryAgentJob';
      // CHOICE (rules ACT-008): an action that cannot be performed is accepted (202) and its task finishes with
      // Result Success="false" and a Message saying why.
      if (job.kind === 'agentChild') {
        const parent = store.jobs[job.parent]!;
        return taskResult(ctx, operation, false, `Job "${job.name}" is run by the agent backup job "${parent.name}"; ${a} that job instead.`);
      }
      const running = runningSessionOf(store, job.index);
      if (a === 'start') {
        if (running >= 0) return taskResult(ctx, operation, false, `Job "${job.name}" is already running.`);
        startJob(store, job.index, now);
        return taskResult(ctx, operation, true, `Job "${job.name}" triggered to start.`);
      }
      if (a === 'stop') {
        if (running < 0) return taskResult(ctx, operation, false, `Job "${job.name}" is not running.`);
        stopSession(store, running, now);
        return taskResult(ctx, operation, true, `Job "${job.name}" triggered to stop.`);
      }
      const last = lastSessionOf(store, job.index);
      if (last < 0 || store.isRunning(last) || store.sResult.get(last) !== R_FAILED)
        return taskResult(ctx, operation, false, `Job "${job.name}" cannot be retried: the retry can be performed only for jobs that have been finished with the Failed status.`);
      startJob(store, job.index, now, true);
      return taskResult(ctx, operation, true, `Job "${job.name}" triggered to retry.`);
    },
    listAgentBackupSessions: (ctx) =>
      sessionList(
        ctx,
        windowSessions(ctx, (i) => {
          const t = store.sessionJob(i).sessionJobType;
          return t === 'AgentBackup' || t === 'AgentManagement';
        }),
      ),

    // ------------------------------------------------------------ jobs
    listJobs: (ctx) => {
      forbidUnlessAdmin(ctx, 'the job collection');
      const v = views(store, ctx);
      const jobs = store.jobs.filter((j) => j.kind === 'vm');
      if (wantsEntity(ctx)) return ok('Jobs', { Jobs: jobs.map((j) => v.jobEntity(j)) });
      return ok('EntityReferences', { Refs: jobs.map((j) => v.jobRef(j)) });
    },
    getJob: (ctx) => {
      const job = vmJob(ctx);
      const v = views(store, ctx);
      return wantsEntity(ctx) ? ok('Job', v.jobEntity(job)) : ok('EntityRef', v.jobRef(job));
    },
    listJobIncludes: (ctx) => ok('ObjectsInJob', views(store, ctx).objectsInJob(vmJob(ctx))),
    // CHOICE: /jobs/{ID}/backupSessions is not limited to 30 days (the documents state the limit only for the
    // collections listed in em-api-notes §8.1).
    listJobBackupSessions: (ctx) => sessionList(ctx, [...store.sessionsOfJob(vmJob(ctx).index)].reverse()),

    // ------------------------------------------------------------ backup servers
    listBackupServers: (ctx) => {
      const v = views(store, ctx);
      if (wantsEntity(ctx)) return ok('BackupServers', { BackupServers: store.servers.map((s) => v.serverEntity(s)) });
      return ok('EntityReferences', { Refs: store.servers.map((s) => v.serverRef(s)) });
    },
    getBackupServer: (ctx) => {
      const id = ctx.params.ID ?? '';
      const s = store.findServer(id);
      if (s < 0) throw notFound('backup server', id);
      const v = views(store, ctx);
      const srv = store.servers[s]!;
      return wantsEntity(ctx) ? ok('BackupServer', v.serverEntity(srv)) : ok('EntityRef', v.serverRef(srv));
    },

    // ------------------------------------------------------------ restore points
    getRestorePoint: (ctx) => {
      const id = ctx.params.ID ?? '';
      const i = store.findRestorePoint(id);
      if (i < 0) throw notFound('restore point', id);
      const v = views(store, ctx);
      return wantsEntity(ctx) ? ok('RestorePoint', v.restorePointEntity(i)) : ok('EntityRef', v.restorePointRef(i));
    },
    listRestorePointVmRestorePoints: (ctx) => {
      const id = ctx.params.ID ?? '';
      const i = store.findRestorePoint(id);
      if (i < 0) throw notFound('restore point', id);
      const v = views(store, ctx);
      const first = store.sFirstTask.get(i);
      const list: number[] = [];
      for (let t = first; t < first + store.sTaskCount.get(i); t++) if (store.hasVmRestorePoint(t)) list.push(t);
      if (wantsEntity(ctx)) return ok('VmRestorePoints', { VmRestorePoints: list.map((t) => v.vmRestorePointEntity(t)) });
      return ok('EntityReferences', { Refs: list.map((t) => v.vmRestorePointRef(t)) });
    },
    getVmRestorePoint: (ctx) => {
      const id = ctx.params.ID ?? '';
      const t = store.findVmRestorePoint(id);
      if (t < 0) throw notFound('VM restore point', id);
      const v = views(store, ctx);
      return wantsEntity(ctx) ? ok('VmRestorePoint', v.vmRestorePointEntity(t)) : ok('EntityRef', v.vmRestorePointRef(t));
    },

    // ------------------------------------------------------------ tasks
    listTasks: (ctx) => {
      const v = views(store, ctx);
      return ok('Tasks', { Tasks: tasks.list(ctx.logonSessionId).map((t) => v.task(t)) });
    },
    getTask: (ctx) => {
      const id = ctx.params.ID ?? '';
      const t = tasks.get(ctx.logonSessionId, id);
      if (!t) throw notFound('task', id);
      return ok('Task', views(store, ctx).task(t));
    },
    deleteTask: (ctx) => {
      const id = ctx.params.ID ?? '';
      if (!tasks.delete(ctx.logonSessionId, id)) throw notFound('task', id);
      return { status: 204 };
    },
  };
}

