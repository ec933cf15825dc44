/**
 * The mock's domain: deterministic data (generate.ts), the in-memory store (store.ts), representations (repr.ts),
 * the query service over the store (query.ts), tasks (tasks.ts) and one handler per non-auth operation
 * (handlers.ts). The HTTP layer (src/mock/http/) loads this module and calls `createDomain`.
 *
 *   const domain = createDomain({ seed: 7, sessions: 10_000, now: () => new Date('2025-06-01T12:00:00Z') });
 *   domain.handlers.getBackupSession(ctx)   // { status: 200, root: 'EntityRef', body: {...} }
 */
import type { QueryLimits } from '../query/index.ts';
import { DEFAULT_LIMITS } from '../query/index.ts';
import type { HandlerTable } from '../types.ts';
import { type EstateFile, loadEstateFile } from './estate.ts';
import { generate } from './generate.ts';
import { createHandlers } from './handlers.ts';
import { monitoringOf } from './monitoring.ts';
import { createMonitoringHandlers } from './monitoring-handlers.ts';
import { buildQueryTypes, createQueryRunner, type DomainQueryType, type QueryScope } from './query.ts';
import { Views } from './repr.ts';
import { type Store, type StoreCounts, WINDOW_MS } from './store.ts';
import { TaskRegistry } from './tasks.ts';

export { EstateError, loadEstateFile, validateEstate, type EstateFile } from './estate.ts';
export type { DomainQueryType, QueryScope } from './query.ts';
export { Views } from './repr.ts';
export { Store, type StoreCounts } from './store.ts';
export { TaskRegistry } from './tasks.ts';

/** Default number of task sessions in the generated history. */
export const DEFAULT_SESSIONS = 2000;
/** Default seed of the generated estate. */
export const DEFAULT_SEED = 42;

export interface DomainOptions {
  /** PRNG seed (default: the estate file's seed, else 42). Same seed + sessions + now → identical data. */
  seed?: number;
  /** Number of task sessions in the 60-day history (default: the estate file's `sessions`, else 2000). */
  sessions?: number;
  /** The mock's clock (default: the system clock). The history ends at the clock's value at creation. */
  now?: () => Date;
  /** The estate: parsed, or a path to a JSON/YAML estate file. */
  data?: EstateFile | string;
  /** Query limits (other keys, e.g. the HTTP layer's, are ignored). */
  limits?: Partial<QueryLimits> & Record<string, unknown>;
  /** How long an action's task stays Running on the mock's clock (default 2000 ms). */
  taskDurationMs?: number;
  /** Span of the session collections' window (default 30 days, em-api-notes §8.1). */
  windowMs?: number;
  /** Per-operation spans overriding windowMs (operationId → ms), for mutants. */
  windows?: Readonly<Record<string, number>>;
  /** Period of the summary report frames (default: windowMs, the collections' 30 days). */
  reportWindowMs?: number;
}

export interface DomainStats extends StoreCounts {
  tasks: number;
  /** Milliseconds spent generating the data. */
  buildMs: number;
  /** Bytes held by the session and task-session columns. */
  columnBytes: number;
}

export interface Domain {
  handlers: HandlerTable;
  store: Store;
  tasks: TaskRegistry;
  /** The query types of the spec over this store (for fuzz tests and benchmarks: runQuery(t.records(scope), t, …)). */
  queryTypes: DomainQueryType[];
  /** Representations for a base URL (tests). */
  views(baseUrl: string, formatDate?: (ms: number) => string, now?: number): Views;
  stats(): DomainStats;
}

function queryLimits(limits: DomainOptions['limits']): Partial<QueryLimits> | undefined {
  if (!limits) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(DEFAULT_LIMITS)) if (limits[k] !== undefined) out[k] = limits[k];
  return out as Partial<QueryLimits>;
}

function isoDate(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

export function createDomain(opts: DomainOptions = {}): Domain {
  const estate = typeof opts.data === 'string' ? loadEstateFile(opts.data) : opts.data;
  const clock = opts.now ?? (() => new Date());
  const seed = (opts.seed ?? estate?.seed ?? DEFAULT_SEED) >>> 0;
  const sessions = opts.sessions ?? estate?.sessions ?? DEFAULT_SESSIONS;
  if (!Number.isInteger(sessions) || sessions < 0) throw new RangeError(`sessions must be a non-negative integer, got ${sessions}`);
  const started = performance.now();
  const store = generate({ seed, sessions, now: clock().getTime(), ...(estate ? { estate } : {}) });
  const buildMs = performance.now() - started;
  const tasks = new TaskRegistry(opts.taskDurationMs ?? 2000);
  const query = createQueryRunner(store, tasks, queryLimits(opts.limits));
  const windowOpts = { ...(opts.windowMs !== undefined ? { windowMs: opts.windowMs } : {}), ...(opts.windows ? { windows: opts.windows } : {}) };
  const handlers = { ...createHandlers({ store, tasks, query, ...windowOpts }), ...createMonitoringHandlers({ store, ...windowOpts }) };
  monitoringOf(store).reportWindowMs = opts.reportWindowMs ?? opts.windowMs ?? WINDOW_MS;
  return {
    handlers,
    store,
    tasks,
    queryTypes: query.types,
    views: (baseUrl, formatDate = isoDate, now = clock().getTime()) => new Views(store, baseUrl, formatDate, now),
    stats: () => ({ ...store.counts(), tasks: tasks.count(), buildMs: Math.round(buildMs), columnBytes: store.columnBytes() }),
  };
}

/**
 * The spec's query types over a store, for running the query engine directly (fuzz tests, benchmarks):
 * `const [t] = queryTypeDefs(store).filter(...); runQuery(t.records(scope), t, params, t.tieBreak)`.
 * `scope` is read by clock- and session-dependent fields (Job.NextRun, Task.State).
 */
export function queryTypeDefs(store: Store, scope: QueryScope = { logonSessionId: '', now: Date.now() }, tasks = new TaskRegistry()): DomainQueryType[] {
  return buildQueryTypes(store, tasks, scope);
}

/** A domain with `sessions` task sessions on a fixed clock (benchmarks). */
export function benchDomain(sessions: number, seed = DEFAULT_SEED, now = new Date('2025-06-01T12:00:00Z')): Domain {
  return createDomain({ sessions, seed, now: () => now });
}
