/** A minimal stub HandlerTable for testing the HTTP layer independently of src/mock/domain/. */
import { MockHttpError, type HandlerTable, type RequestContext } from '../../src/mock/types.ts';
import type { JsonValue } from '../../src/contract/codec.ts';

export const SESSION_ID = '821cc74e-9447-40b6-a2df-90aa47101233';
export const SERVER_ID = '7905ba33-78a5-4a34-9b3c-16bf216fdd68';
export const JOB_ID = '70073b98-098b-4046-a097-43cbda67d58a';
/** 2020-02-04T08:12:19.453Z plus 0.212 ms (sub-millisecond precision for the v13 profile). */
export const CREATED_MS = Date.parse('2020-02-04T08:12:19.453Z') + 0.212;
export const ENDED_MS = Date.parse('2020-02-04T08:47:10.640Z');

function queryParam(q: URLSearchParams, name: string): string | undefined {
  for (const [k, v] of q) if (k.toLowerCase() === name.toLowerCase()) return v;
  return undefined;
}

function sessionRef(ctx: RequestContext): JsonValue {
  const b = ctx.baseUrl;
  return {
    Links: [
      { Rel: 'Up', Href: `${b}/backupServers/${SERVER_ID}`, Name: 'appserver', Type: 'BackupServerReference' },
      { Rel: 'Alternate', Href: `${b}/backupSessions/${SESSION_ID}?format=Entity`, Name: 'Archived Projects@2020-02-04 08:12:19', Type: 'BackupJobSession' },
    ],
    UID: `urn:veeam:BackupJobSession:${SESSION_ID}`,
    Name: 'Archived Projects@2020-02-04 08:12:19',
    Href: `${b}/backupSessions/${SESSION_ID}`,
    Type: 'BackupJobSessionReference',
  };
}

function sessionEntity(ctx: RequestContext): JsonValue {
  const b = ctx.baseUrl;
  return {
    JobUid: `urn:veeam:Job:${JOB_ID}`,
    JobName: 'Archived Projects',
    JobType: 'NasBackup',
    CreationTimeUTC: ctx.formatDate(CREATED_MS),
    EndTimeUTC: ctx.formatDate(ENDED_MS),
    State: 'Stopped',
    Result: 'Success',
    Progress: 100,
    FailureMessage: null,
    IsRetry: false,
    Name: 'Archived Projects@2020-02-04 08:12:19',
    UID: `urn:veeam:BackupJobSession:${SESSION_ID}`,
    Links: [
      { Rel: 'Up', Href: `${b}/backupServers/${SERVER_ID}`, Name: 'appserver', Type: 'BackupServerReference' },
      { Rel: 'Stop', Href: `${b}/backupSessions/${SESSION_ID}?action=stop`, Name: null, Type: null },
    ],
    Href: `${b}/backupSessions/${SESSION_ID}?format=Entity`,
    Type: 'BackupJobSession',
  };
}

/**
 * getBackupSession serves one session (reference or entity, `format` case-insensitive); every other operation
 * answers 404 (unknown ID) or 400 (bad query), like a domain that validates its input. `boom` throws a plain Error
 * (an internal bug) for getBackupTask; `slow` answers asynchronously.
 */
export function stubHandlers(opts: { boom?: boolean } = {}): HandlerTable {
  const table: HandlerTable = {
    getBackupSession: async (ctx) => {
      await Promise.resolve();
      if (ctx.params.ID?.toLowerCase() !== SESSION_ID) throw new MockHttpError(404, `Backup session '${ctx.params.ID}' was not found.`);
      const format = queryParam(ctx.query, 'format');
      if (format !== undefined && format.toLowerCase() !== 'entity') throw new MockHttpError(400, `Unknown format '${format}'.`);
      return format ? { status: 200, root: 'BackupJobSession', body: sessionEntity(ctx) } : { status: 200, root: 'EntityRef', body: sessionRef(ctx) };
    },
    query: (ctx) => {
      const type = queryParam(ctx.query, 'type');
      throw new MockHttpError(400, type ? `Unknown query type '${type}'.` : 'The type parameter is required.');
    },
  };
  for (const op of [
    'listBackupSessions', 'backupSessionAction', 'listBackupSessionTaskSessions', 'listAgentManagementSessions', 'listBackupTaskSessions',
    'getBackupTaskSession', 'getQueryService', 'getAgentsService', 'listAgentJobs', 'getAgentJob', 'listAgentJobIncludes',
    'listAgentJobBackupSessions', 'agentJobAction', 'listAgentBackupSessions', 'listJobs', 'getJob', 'listJobIncludes', 'listJobBackupSessions',
    'listBackupServers', 'getBackupServer', 'getRestorePoint', 'listRestorePointVmRestorePoints', 'getVmRestorePoint', 'listTasks', 'getTask', 'deleteTask',
  ]) {
    table[op] ??= (ctx) => {
      throw new MockHttpError(404, `Nothing at ${ctx.operationId} ${JSON.stringify(ctx.params)}.`);
    };
  }
  if (opts.boom) {
    table.getTask = () => {
      throw new Error('simulated bug');
    };
  }
  return table;
}
