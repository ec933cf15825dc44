/**
 * Helpers of the client replays (tests/unit/clients-*.test.ts): each replays the request sequence of a public EM
 * client of em-api-notes.md §7 against an in-process mock, with the client's own headers, token handling, Accept and
 * query strings, and reads what the client reads (its jq paths, JSON keys or XML paths), asserting each is present
 * and of the type the client uses it as.
 */
import { expect } from 'vitest';
import { codec } from '../../src/contract/codec.ts';
import { startMock, type ProfileName } from '../../src/mock/index.ts';
import { type Answer, send } from './mock-http-helpers.ts';

export type Obj = Record<string, any>;
export { send, type Answer };

export interface Running {
  url: string;
  /** scheme://host:port (the clients build URLs from it, not from /api). */
  origin: string;
  close(): Promise<void>;
}

export async function mock(profile: ProfileName = 'v12', opts: { data?: string } = {}): Promise<Running> {
  const m = await startMock({ port: 0, profile, sessions: 1500, ...opts });
  return { url: m.url, origin: new URL(m.url).origin, close: () => m.close() };
}

export const basic = (user = 'emuser', password = 'emuser-password') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** JSON body as a client's parser reads it (a leading BOM stripped only when the client strips it). */
export function json(a: Answer, stripBom = false): Obj {
  expect(a.status, a.body.slice(0, 300)).toBe(200);
  return JSON.parse(stripBom ? a.body.replace(/^\uFEFF/, '') : a.body) as Obj;
}

/** XML body read into its JSON form (what an XPath / PowerShell member access reaches). */
export function xml(a: Answer, root: string, status = 200): Obj {
  expect(a.status, a.body.slice(0, 300)).toBe(status);
  const doc = codec().fromXml(a.body);
  expect(doc.root).toBe(root);
  return doc.value as Obj;
}

/** `path` is present (not undefined/null) in `o` and of `type` ('int', 'number', 'string', 'date', 'bool', 'array'). */
export function read(o: Obj, path: string, type: 'int' | 'number' | 'string' | 'date' | 'bool' | 'array' | 'string?'): any {
  const v = path.split('.').reduce<any>((x, k) => (x == null ? undefined : /^\d+$/.test(k) ? x[Number(k)] : x[k]), o);
  const where = `${path} = ${JSON.stringify(v)?.slice(0, 80)}`;
  if (type === 'string?') {
    expect(v === null || typeof v === 'string', where).toBe(true);
    return v;
  }
  expect(v, where).not.toBeUndefined();
  expect(v, where).not.toBeNull();
  if (type === 'int') expect(Number.isInteger(v), where).toBe(true);
  if (type === 'number') expect(typeof v, where).toBe('number');
  if (type === 'string') expect(typeof v, where).toBe('string');
  if (type === 'bool') expect(typeof v, where).toBe('boolean');
  if (type === 'array') expect(Array.isArray(v), where).toBe(true);
  if (type === 'date') expect(Number.isNaN(Date.parse(v)), where).toBe(false);
  return v;
}

/** Reads every `paths` entry of `o` (jq `.A .B …`). */
export function readAll(o: Obj, paths: Record<string, Parameters<typeof read>[2]>): void {
  for (const [p, t] of Object.entries(paths)) read(o, p, t);
}

/** Keys to PascalCase (Linuxfabrik's fix for EM 13's camelCase JSON, §4.1 rule 10). */
export function pascal(v: any): any {
  if (Array.isArray(v)) return v.map(pascal);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k === 'uid' ? 'UID' : k.charAt(0).toUpperCase() + k.slice(1), pascal(x)]));
  return v;
}

export const OVERVIEW = { BackupServers: 'int', ProxyServers: 'int', RepositoryServers: 'int', RunningJobs: 'int', ScheduledJobs: 'int', SuccessfulVmLastestStates: 'int', WarningVmLastestStates: 'int', FailedVmLastestStates: 'int' } as const;
export const VMS_OVERVIEW = { ProtectedVms: 'int', BackedUpVms: 'int', ReplicatedVms: 'int', RestorePoints: 'int', FullBackupPointsSize: 'int', IncrementalBackupPointsSize: 'int', ReplicaRestorePointsSize: 'int', SourceVmsSize: 'int', SuccessBackupPercents: 'int' } as const;
export const JOB_STATISTICS = { RunningJobs: 'int', ScheduledJobs: 'int', ScheduledBackupJobs: 'int', ScheduledReplicaJobs: 'int', TotalJobRuns: 'int', SuccessfulJobRuns: 'int', WarningsJobRuns: 'int', FailedJobRuns: 'int', MaxJobDuration: 'int', MaxBackupJobDuration: 'int', MaxReplicaJobDuration: 'int', MaxDurationBackupJobName: 'string', MaxDurationReplicaJobName: 'string' } as const;
export const PERIOD = { Name: 'string', Capacity: 'int', FreeSpace: 'int', BackupSize: 'int' } as const;
