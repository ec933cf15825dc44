/**
 * The query service over the store: QueryTypeDefs built from the spec's `x-em-query-types` (field names, types and
 * enum orders come from the spec; this module supplies a getter per field), and the `query` handler body.
 */
import { loadSpec, type OpenApiDocument } from '../../contract/spec.ts';
import { buildModel, getType, type SchemaModel } from '../../contract/schema-model.ts';
import {
  type FieldDef,
  type FieldType,
  type FieldValue,
  findQueryType,
  pagingLinkHrefs,
  parseFormat,
  QueryError,
  type QueryLimits,
  type QueryOutcome,
  type QueryTypeDef,
  runQuery,
} from '../query/index.ts';
import { MockHttpError } from '../types.ts';
import { monitoringOf, type ReplicaSessionRec } from './monitoring.ts';
import { MonitoringViews } from './monitoring-repr.ts';
import { nextRun, type Json, link, Views } from './repr.ts';
import { RESULTS, SESSION_STATES, type Store, TASK_STATES } from './store.ts';
import type { TaskRec, TaskRegistry } from './tasks.ts';

/** What a query runs against: the logon session (tasks are per session) and the clock (NextRun, task State). */
export interface QueryScope {
  logonSessionId: string;
  now: number;
}

export interface DomainQueryType<R = any> extends QueryTypeDef<R> {
  /** Component of one entity (BackupTaskSession). */
  entity: string;
  /** Property of Entities holding the list, or null (Task: Resources). */
  entitiesProperty: string | null;
  /** Property of Resources holding the list (Task), or null. */
  resourcesProperty: string | null;
  referenceType: string | null;
  /** The records the query runs over, in their natural order. */
  records(scope: QueryScope): readonly R[];
  tieBreak(r: R): string | number;
  ref?(v: Views, r: R): Json;
  entityOf(v: Views, r: R): Json;
}

type Getter = (r: any, scope: QueryScope) => FieldValue;

interface TypeImpl {
  records(scope: QueryScope): readonly any[];
  tieBreak(r: any): string | number;
  ref?(v: Views, r: any): Json;
  entityOf(v: Views, r: any): Json;
  fields: Record<string, Getter>;
}

function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Per-type record lists, rebuilt when the store changes. */
class RecordCache {
  private version = -1;
  private readonly lists = new Map<string, number[]>();
  constructor(private readonly store: Store) {}
  get(key: string, build: () => number[]): number[] {
    if (this.version !== this.store.version) {
      this.lists.clear();
      this.version = this.store.version;
    }
    let l = this.lists.get(key);
    if (!l) {
      l = build();
      this.lists.set(key, l);
    }
    return l;
  }
}

function range(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function implementations(store: Store, tasks: TaskRegistry): Record<string, TypeImpl> {
  const cache = new RecordCache(store);
  const server = (i: number) => store.jobServer(store.jobs[i]!);
  const sessionServer = (i: number) => store.jobServer(store.sessionJob(i));
  const taskJob = (t: number) => store.sessionJob(store.tSession.get(t));
  // Name, FilePath and DataSize of a backup file are derived in its view (a fixed base URL and clock suffice).
  const fileViews = new MonitoringViews(new Views(store, '', (ms) => new Date(ms).toISOString(), 0));
  const fileView = (i: number) => fileViews.backupFileEntity(i) as { Name: string; FilePath: string; DataSize: number };
  return {
    BackupJobSession: {
      records: () => cache.get('sessions', () => range(store.sessionCount)),
      tieBreak: (i: number) => i,
      ref: (v, i) => v.sessionRef(i),
      entityOf: (v, i) => v.sessionEntity(i),
      fields: {
        UID: (i) => store.sessionId(i),
        Name: (i) => store.sessionName(i),
        JobType: (i) => store.sessionJob(i).sessionJobType,
        JobUid: (i) => store.sessionJob(i).id,
        JobName: (i) => store.sessionJob(i).name,
        CreationTime: (i) => store.sCreated.get(i),
        EndTime: (i) => num(store.sEnded.get(i)),
        State: (i) => SESSION_STATES[store.sState.get(i)],
        Result: (i) => RESULTS[store.sResult.get(i)],
        IsRetry: (i) => store.isRetry(i),
        BackupServerUid: (i) => sessionServer(i).id,
        BackupServerName: (i) => sessionServer(i).name,
      },
    },
    BackupTaskSession: {
      records: () => cache.get('tasks', () => range(store.taskCount)),
      tieBreak: (t: number) => t,
      ref: (v, t) => v.taskRef(t),
      entityOf: (v, t) => v.taskEntity(t),
      fields: {
        UID: (t) => store.taskId(t),
        Name: (t) => store.taskName(t),
        CreationTime: (t) => store.tCreated.get(t),
        EndTime: (t) => num(store.tEnded.get(t)),
        State: (t) => TASK_STATES[store.tState.get(t)],
        Result: (t) => RESULTS[store.tResult.get(t)],
        Reason: (t) => {
          const r = store.tReason.get(t);
          return r >= 0 ? store.messages[r] : '';
        },
        TotalSize: (t) => store.tSize.get(t),
        JobSessionUid: (t) => store.sessionId(store.tSession.get(t)),
        JobUid: (t) => taskJob(t).id,
        JobName: (t) => taskJob(t).name,
        BackupServerUid: (t) => store.jobServer(taskJob(t)).id,
        BackupServerName: (t) => store.jobServer(taskJob(t)).name,
        VmDisplayName: (t) => store.taskObject(t).name,
      },
    },
    AgentBackupJob: {
      // CHOICE: the per-machine child jobs (`<job> - <computer>`) are resolvable by ID (their sessions link to them)
      // but are not listed by /agents/jobs nor found by the query service; both show the agent jobs users configure.
      records: () => cache.get('agentJobs', () => store.jobs.filter((j) => j.kind === 'agent').map((j) => j.index)),
      tieBreak: (j: number) => j,
      ref: (v, j) => v.jobRef(store.jobs[j]!),
      entityOf: (v, j) => v.jobEntity(store.jobs[j]!),
      fields: {
        UID: (j) => store.jobs[j]!.id,
        Name: (j) => store.jobs[j]!.name,
        Description: (j) => store.jobs[j]!.description,
        JobType: (j) => store.jobs[j]!.jobType,
        Platform: (j) => store.jobs[j]!.platform,
        ScheduleConfigured: (j) => store.jobs[j]!.scheduleConfigured,
        ScheduleEnabled: (j) => store.jobs[j]!.scheduleEnabled,
        BackupServerUid: (j) => server(j).id,
        BackupServerName: (j) => server(j).name,
      },
    },
    Job: {
      records: () => cache.get('jobs', () => store.jobs.filter((j) => j.kind === 'vm').map((j) => j.index)),
      tieBreak: (j: number) => j,
      ref: (v, j) => v.jobRef(store.jobs[j]!),
      entityOf: (v, j) => v.jobEntity(store.jobs[j]!),
      fields: {
        UID: (j) => store.jobs[j]!.id,
        Name: (j) => store.jobs[j]!.name,
        Description: (j) => store.jobs[j]!.description,
        NextRun: (j, scope) => nextRun(store.jobs[j]!, scope.now),
        JobType: (j) => store.jobs[j]!.jobType,
        Platform: (j) => store.jobs[j]!.platform,
        ScheduleConfigured: (j) => store.jobs[j]!.scheduleConfigured,
        ScheduleEnabled: (j) => store.jobs[j]!.scheduleEnabled,
        BackupServerUid: (j) => server(j).id,
        BackupServerName: (j) => server(j).name,
      },
    },
    BackupServer: {
      records: () => cache.get('servers', () => range(store.servers.length)),
      tieBreak: (s: number) => s,
      ref: (v, s) => v.serverRef(store.servers[s]!),
      entityOf: (v, s) => v.serverEntity(store.servers[s]!),
      fields: {
        UID: (s) => store.servers[s]!.id,
        Name: (s) => store.servers[s]!.name,
        Description: (s) => store.servers[s]!.description,
        // CHOICE: IpOrDnsName (not in the entity) is the server's Name, which is its DNS name.
        IpOrDnsName: (s) => store.servers[s]!.name,
        Port: (s) => store.servers[s]!.port,
        Version: (s) => store.servers[s]!.version,
      },
    },
    RestorePoint: {
      records: () =>
        cache.get('restorePoints', () => {
          const out: number[] = [];
          for (let i = 0; i < store.sessionCount; i++) if (store.hasRestorePoint(i)) out.push(i);
          return out;
        }),
      tieBreak: (i: number) => i,
      ref: (v, i) => v.restorePointRef(i),
      entityOf: (v, i) => v.restorePointEntity(i),
      fields: {
        UID: (i) => store.restorePointId(i),
        Name: (i) => store.restorePointName(i),
        CreationTime: (i) => store.restorePointTime(i),
        BackupUid: (i) => store.sessionJob(i).backupId,
        BackupName: (i) => store.sessionJob(i).name,
        BackupServerUid: (i) => sessionServer(i).id,
        BackupServerName: (i) => sessionServer(i).name,
      },
    },
    ReplicaJobSession: {
      records: () => monitoringOf(store).replicaSessions,
      tieBreak: (s: ReplicaSessionRec) => s.index,
      ref: (v, s: ReplicaSessionRec) => new MonitoringViews(v).replicaSessionRef(s),
      entityOf: (v, s: ReplicaSessionRec) => new MonitoringViews(v).replicaSessionEntity(s),
      fields: {
        UID: (s: ReplicaSessionRec) => s.id,
        Name: (s: ReplicaSessionRec) => monitoringOf(store).replicaSessionName(s),
        JobType: (s: ReplicaSessionRec) => store.jobs[s.job]!.sessionJobType,
        JobUid: (s: ReplicaSessionRec) => store.jobs[s.job]!.id,
        JobName: (s: ReplicaSessionRec) => store.jobs[s.job]!.name,
        CreationTime: (s: ReplicaSessionRec) => s.created,
        EndTime: (s: ReplicaSessionRec) => num(s.ended),
        State: (s: ReplicaSessionRec) => SESSION_STATES[s.state],
        Result: (s: ReplicaSessionRec) => RESULTS[s.result],
        IsRetry: (s: ReplicaSessionRec) => s.retry,
        BackupServerUid: (s: ReplicaSessionRec) => server(s.job).id,
        BackupServerName: (s: ReplicaSessionRec) => server(s.job).name,
      },
    },
    BackupFile: {
      records: () => cache.get('backupFiles', () => monitoringOf(store).backupFiles()),
      tieBreak: (i: number) => i,
      ref: (v, i) => new MonitoringViews(v).backupFileRef(i),
      entityOf: (v, i) => new MonitoringViews(v).backupFileEntity(i),
      fields: {
        UID: (i) => monitoringOf(store).backupFileId(i),
        Name: (i) => fileView(i).Name,
        FilePath: (i) => fileView(i).FilePath,
        BackupSize: (i) => monitoringOf(store).backupFileSize(i),
        DataSize: (i) => fileView(i).DataSize,
        CreationTimeUtc: (i) => store.restorePointTime(i),
        FileType: (i) => (monitoringOf(store).isFullFile(i) ? 'vbk' : 'vib'),
        BackupServerUid: (i) => sessionServer(i).id,
        BackupServerName: (i) => sessionServer(i).name,
      },
    },
    Task: {
      records: (scope) => tasks.list(scope.logonSessionId),
      tieBreak: (t: TaskRec) => t.num,
      entityOf: (v, t: TaskRec) => v.task(t),
      fields: {
        TaskId: (t: TaskRec) => t.id,
        TaskUid: (t: TaskRec) => t.id,
        State: (t: TaskRec, scope) => (scope.now >= t.doneAt ? 'Finished' : 'Running'),
        Operation: (t: TaskRec) => t.operation,
      },
    },
  };
}

interface SpecQueryType {
  entity: string;
  entitiesProperty: string | null;
  resourcesProperty?: string | null;
  referenceType: string | null;
  fields: Record<string, { type: FieldType; enum?: string; source: unknown }>;
}

function specQueryTypes(doc: OpenApiDocument): Record<string, SpecQueryType> {
  const types = doc.paths?.['/query']?.get?.['x-em-query-types'];
  if (!types || typeof types !== 'object') throw new Error("spec/openapi.yaml: GET /query has no 'x-em-query-types'");
  const out: Record<string, SpecQueryType> = {};
  for (const [name, t] of Object.entries<any>(types)) if (!name.startsWith('x-')) out[name] = t as SpecQueryType;
  return out;
}

/**
 * The query types of the spec with getters on this store. `scope` is read by the getters that depend on the clock
 * or the logon session (Job.NextRun, Task.State); the query handler sets it per request.
 */
export function buildQueryTypes(store: Store, tasks: TaskRegistry, scope: QueryScope, doc: OpenApiDocument = loadSpec()): DomainQueryType[] {
  const impls = implementations(store, tasks);
  const out: DomainQueryType[] = [];
  for (const [name, spec] of Object.entries(specQueryTypes(doc))) {
    const impl = impls[name];
    if (!impl) throw new Error(`x-em-query-types.${name}: the mock's domain has no records for this query type`);
    const fields: FieldDef<any>[] = Object.entries(spec.fields).map(([field, f]) => {
      const get = impl.fields[field];
      if (!get) throw new Error(`x-em-query-types.${name}.fields.${field}: the mock's domain has no getter for this field`);
      const def: FieldDef<any> = { name: field, type: f.type, get: (r) => get(r, scope) };
      if (f.type === 'enum') {
        const values = doc.components.schemas[f.enum ?? '']?.enum;
        if (!Array.isArray(values)) throw new Error(`x-em-query-types.${name}.fields.${field}: enum component ${f.enum} has no enum list`);
        def.values = values as string[];
      }
      return def;
    });
    const t: DomainQueryType = {
      name,
      fields,
      entity: spec.entity,
      entitiesProperty: spec.entitiesProperty ?? null,
      resourcesProperty: spec.resourcesProperty ?? null,
      referenceType: spec.referenceType ?? null,
      records: impl.records,
      tieBreak: impl.tieBreak,
      entityOf: impl.entityOf,
    };
    if (impl.ref) t.ref = impl.ref;
    out.push(t);
  }
  return out;
}

/** The property names of a component (for Entities: all 50 members) and, for a list component, its array key. */
export class ListShapes {
  private readonly model: SchemaModel;
  constructor() {
    this.model = buildModel();
  }
  properties(component: string): string[] {
    const t = getType(this.model, component);
    if (t.kind !== 'object') throw new Error(`${component} is not an object component`);
    return t.properties.map((p) => p.name);
  }
  /** `Entities.AgentBackupJob` → its list component's array property (`AgentBackupJobs`). */
  innerKey(container: string, property: string): string {
    const t = getType(this.model, container);
    if (t.kind !== 'object') throw new Error(`${container} is not an object component`);
    const p = t.properties.find((x) => x.name === property);
    if (!p) throw new Error(`${container} has no property ${property}`);
    const ref = 'ref' in p.type ? p.type.ref : undefined;
    if (!ref) throw new Error(`${container}.${property} is not a reference to a list component`);
    const list = getType(this.model, ref);
    if (list.kind !== 'object' || list.properties.length !== 1) throw new Error(`${ref} is not a list component`);
    return list.properties[0]!.name;
  }
}

/** Case-insensitive query parameter lookup (first occurrence wins); EM's parameter names are case-insensitive. */
export function param(q: URLSearchParams, name: string): string | null {
  const k = name.toLowerCase();
  for (const [key, value] of q) if (key.toLowerCase() === k) return value;
  return null;
}

export interface QueryRunner {
  types: DomainQueryType[];
  run(v: Views, q: URLSearchParams, scope: QueryScope): Json;
}

export function createQueryRunner(store: Store, tasks: TaskRegistry, limits: Partial<QueryLimits> | undefined): QueryRunner {
  const scope: QueryScope = { logonSessionId: '', now: 0 };
  const types = buildQueryTypes(store, tasks, scope);
  const shapes = new ListShapes();
  const entityKeys = shapes.properties('Entities');
  const resourceKeys = shapes.properties('Resources');
  const inner = new Map<string, string>();
  for (const t of types) {
    if (t.entitiesProperty) inner.set(t.name, shapes.innerKey('Entities', t.entitiesProperty));
    if (t.resourcesProperty) inner.set(t.name, shapes.innerKey('Resources', t.resourcesProperty));
  }
  const nulls = (keys: string[]): Json => Object.fromEntries(keys.map((k) => [k, null]));

  return {
    types,
    run(v, q, s) {
      scope.logonSessionId = s.logonSessionId;
      scope.now = s.now;
      const rawType = param(q, 'type');
      const rawFormat = param(q, 'format');
      const params = {
        filter: param(q, 'filter'),
        sortAsc: param(q, 'sortAsc'),
        sortDesc: param(q, 'sortDesc'),
        pageSize: param(q, 'pageSize'),
        page: param(q, 'page'),
      };
      let type: DomainQueryType;
      let format: 'References' | 'Entities';
      let outcome: QueryOutcome<any>;
      try {
        type = findQueryType(types, rawType);
        format = parseFormat(rawFormat);
        outcome = runQuery(type.records(scope), type, params, type.tieBreak, limits);
      } catch (err) {
        if (err instanceof QueryError) throw new MockHttpError(400, err.message);
        throw err;
      }
      const body: Json = { Refs: null, Entities: null, Resources: null, Links: null, PagingInfo: null };
      const key = inner.get(type.name);
      if (type.resourcesProperty) {
        // Tasks are resources: Resources/Tasks whatever the format (x-em-query-types Task, x-em-choice-made).
        body.Resources = { ...nulls(resourceKeys), [type.resourcesProperty]: { [key!]: outcome.items.map((r) => type.entityOf(v, r)) } };
      } else if (format === 'Entities' && type.entitiesProperty) {
        body.Entities = { ...nulls(entityKeys), [type.entitiesProperty]: { [key!]: outcome.items.map((r) => type.entityOf(v, r)) } };
      } else {
        body.Refs = { Refs: outcome.items.map((r) => type.ref!(v, r)) };
      }
      const hrefs = pagingLinkHrefs(
        `${v.base}/query`,
        { type: rawType!, format: rawFormat, sortAsc: params.sortAsc, sortDesc: params.sortDesc, filter: params.filter },
        outcome.pageSize,
        outcome.page,
        outcome.pagesCount,
      );
      body.PagingInfo = {
        Links: Object.entries(hrefs).map(([rel, href]) => link(rel, href as string)),
        PageNum: outcome.page,
        PageSize: outcome.pageSize,
        PagesCount: outcome.pagesCount,
      };
      return body;
    },
  };
}
