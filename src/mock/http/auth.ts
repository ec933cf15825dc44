/**
 * Logon sessions (em-api-notes §1.4–§1.6): HTTP Basic logon, the X-RestSvcSessionId token (base64 of the SessionId
 * GUID string, §1.5), header or cookie transport (cookie wins, §1.4), 15-minute idle expiry on the mock's clock, and
 * the entry point and the four logon-session operations.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { JsonValue } from '../../contract/codec.ts';
import { MockHttpError, type EmRole, type RequestUser } from '../types.ts';
import type { HttpProfile } from './profiles.ts';

export const TOKEN_HEADER = 'x-restsvcsessionid';
export const TOKEN_COOKIE = 'X-RestSvcSessionId';
/** `WWW-Authenticate` value of the logon 401 (em-api-notes §1.4, verbatim). */
export const BASIC_CHALLENGE = 'Basic Realm=RestSvc';

/** Idle timeout of a logon session (em-api-notes §1.6: "The timeout value for an idle logon session is 15 minutes"). */
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60 * 1000;

/** A configured account: its password, or its password and EM role (default Portal Administrator). */
export type UserSpec = string | { password: string; role?: EmRole };

export const EM_ROLES: readonly EmRole[] = ['PortalAdministrator', 'PortalUser', 'RestoreOperator'];

/**
 * Documented default accounts for local use (printed by `em-conformance mock`): a Portal Administrator, and a Restore
 * Operator for the suite's 403 rule (ERR-002; src/suite/config.ts MOCK_RESTRICTED_USER).
 */
export const DEFAULT_USERS: Readonly<Record<string, UserSpec>> = Object.freeze({
  emuser: 'emuser-password',
  emoperator: { password: 'emoperator-password', role: 'RestoreOperator' as EmRole },
});

export interface LogonSession {
  id: string;
  token: string;
  userName: string;
  role: EmRole;
  /** API version the session was opened with (`v1_7`…). */
  version: string;
  created: number;
  lastSeen: number;
}

/**
 * The open logon sessions. Lookups expire idle sessions lazily; the store is bounded (`maxSessions`): when full,
 * expired sessions are swept and then the least recently used session is dropped (a logon flood cannot exhaust
 * memory).
 */
export class SessionStore {
  /** Token → session, in least-recently-used order (a lookup moves the entry to the end). */
  private readonly byToken = new Map<string, LogonSession>();
  private readonly byId = new Map<string, LogonSession>();

  constructor(
    private readonly idleTimeoutMs: number,
    private readonly maxSessions: number,
  ) {}

  create(user: RequestUser, version: string, now: number): LogonSession {
    if (this.byToken.size >= this.maxSessions) {
      this.sweep(now);
      while (this.byToken.size >= this.maxSessions) {
        const oldest = this.byToken.values().next().value as LogonSession | undefined;
        if (!oldest) break;
        this.remove(oldest);
      }
    }
    const id = randomUUID();
    const session: LogonSession = { id, token: Buffer.from(id, 'utf8').toString('base64'), userName: user.name, role: user.role, version, created: now, lastSeen: now };
    this.byToken.set(session.token, session);
    this.byId.set(id, session);
    return session;
  }

  /** The live session of a token, its idle clock restarted; undefined (and forgotten) when unknown or expired. */
  authenticate(token: string, now: number): LogonSession | undefined {
    const s = this.byToken.get(token);
    if (!s) return undefined;
    if (this.expired(s, now)) {
      this.remove(s);
      return undefined;
    }
    s.lastSeen = now;
    this.byToken.delete(token);
    this.byToken.set(token, s);
    return s;
  }

  /** A live session by SessionId (GUIDs compare case-insensitively). */
  get(id: string, now: number): LogonSession | undefined {
    const s = this.byId.get(id.toLowerCase());
    if (!s) return undefined;
    if (this.expired(s, now)) {
      this.remove(s);
      return undefined;
    }
    return s;
  }

  delete(session: LogonSession): void {
    this.remove(session);
  }

  /** Live sessions of one user, oldest first. */
  ofUser(userName: string, now: number): LogonSession[] {
    this.sweep(now);
    return [...this.byId.values()].filter((s) => s.userName === userName).sort((a, b) => a.created - b.created);
  }

  count(now: number): number {
    this.sweep(now);
    return this.byToken.size;
  }

  private expired(s: LogonSession, now: number): boolean {
    return now - s.lastSeen >= this.idleTimeoutMs;
  }

  private sweep(now: number): void {
    for (const s of this.byToken.values()) {
      if (this.expired(s, now)) this.remove(s);
      else break; // LRU order: the rest were seen later
    }
  }

  private remove(s: LogonSession): void {
    this.byToken.delete(s.token);
    this.byId.delete(s.id);
  }
}

// ---------------------------------------------------------------- credentials

/**
 * Checks an `Authorization: Basic …` header against the configured users. Returns the user name (as configured) or
 * throws 401 with the Basic challenge. Strict: scheme `Basic` (any case), one space, canonical base64 with padding,
 * `user:password` with a non-empty user; anything else is "broken credentials", not a server error.
 * CHOICE: user names compare case-insensitively (Windows accounts), passwords exactly (constant time).
 */
export class Credentials {
  private readonly users = new Map<string, { user: RequestUser; digest: Buffer }>();

  constructor(users: Record<string, UserSpec>) {
    for (const [name, spec] of Object.entries(users)) {
      if (!name || name.includes(':')) throw new Error(`invalid user name '${name}': it must be non-empty and contain no colon`);
      const password = typeof spec === 'string' ? spec : spec.password;
      const role = (typeof spec === 'string' ? undefined : spec.role) ?? 'PortalAdministrator';
      if (typeof password !== 'string') throw new Error(`user '${name}' has no password`);
      if (!EM_ROLES.includes(role)) throw new Error(`user '${name}' has an unknown role '${role}' (expected ${EM_ROLES.join(', ')})`);
      this.users.set(name.toLowerCase(), { user: { name, role }, digest: digest(password) });
    }
  }

  check(header: string | undefined): RequestUser {
    const fail = (message: string): never => {
      throw new MockHttpError(401, message, { 'WWW-Authenticate': BASIC_CHALLENGE });
    };
    if (header === undefined || header.trim() === '') return fail('The authorization header has been expected but not found.');
    const m = /^basic +([A-Za-z0-9+/]*={0,2}) *$/i.exec(header);
    if (!m || !m[1] || m[1].length % 4 !== 0) return fail('The authorization header is not valid: expected Basic credentials.');
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return fail('The authorization header is not valid: expected user:password.');
    const entry = this.users.get(decoded.slice(0, colon).toLowerCase());
    const given = digest(decoded.slice(colon + 1));
    // Compare a digest even for unknown users, so timing does not tell which user names exist.
    const ok = timingSafeEqual(given, entry?.digest ?? UNKNOWN_USER_DIGEST) && entry !== undefined;
    if (!ok || !entry) return fail('Authentication failed: the user name or password is incorrect.');
    return entry.user;
  }
}

const UNKNOWN_USER_DIGEST = createHash('sha256').update('\u0000no such user').digest();

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

// ---------------------------------------------------------------- token transport

/**
 * The token a request carries: cookie `X-RestSvcSessionId` wins over the `X-RestSvcSessionId` header (em-api-notes
 * §1.4). With several such cookies the first one counts (RFC 6265 sends the most specific path first).
 */
export function requestToken(headers: { cookie?: string | undefined; [TOKEN_HEADER]?: string | string[] | undefined }): string | undefined {
  const cookie = headers.cookie;
  if (cookie && cookie.includes(TOKEN_COOKIE)) {
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() !== TOKEN_COOKIE) continue;
      let value = part.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value;
    }
  }
  const header = headers[TOKEN_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined ? undefined : value.trim();
}

// ---------------------------------------------------------------- representations

type Link = { Rel: string; Href: string; Name: string | null; Type: string | null };

function link(Rel: string, Href: string, Type: string | null = null, Name: string | null = null): Link {
  return { Rel, Href, Name, Type };
}

/** `GET /api/` (em-api-notes §1.2): links to the logon sessions and to logon, one SupportedVersion per version. */
export function enterpriseManagerBody(base: string, profile: HttpProfile): JsonValue {
  return {
    SupportedVersions: {
      SupportedVersions: profile.versions.map((v) => ({ Links: [link('Create', `${base}/sessionMngr/?v=${v}`, 'LogonSession')], Name: v })),
    },
    Links: [link('Down', `${base}/logonSessions`, 'LogonSessionList'), link('Create', `${base}/sessionMngr/?v=latest`, 'LogonSession')],
    Href: null,
    Type: null,
  };
}

/**
 * The Down links of a LogonSession, verbatim from the v13 documentation example (em-api-notes §1.4): path, Type and
 * Name. Targets outside the contract (managedServers, failoverPlans, …) answer 404 on the mock.
 */
const LOGON_SESSION_LINKS: ReadonlyArray<readonly [rel: string, path: string, type: string | null, name?: string]> = [
  ['Down', '/backupServers', 'BackupServerReferenceList'],
  ['Down', '/managedServers', 'ManagedServerReferenceList'],
  ['Down', '/jobs', 'JobReferenceList'],
  ['Down', '/failoverPlans', 'FailoverPlanReferenceList'],
  ['Down', '/hierarchyRoots', 'HierarchyRootReferenceList'],
  ['Down', '/repositories', 'RepositoryReferenceList'],
  ['Down', '/backups', 'BackupReferenceList'],
  ['Down', '/restorePoints', 'RestorePointReferenceList'],
  ['Down', '/vmRestorePoints', 'VmRestorePointReferenceList'],
  ['Down', '/vAppRestorePoints', 'VAppRestorePointReferenceList'],
  ['Down', '/replicas', 'ReplicaReferenceList'],
  ['Down', '/vmReplicaPoints', 'VmReplicaPointReferenceList'],
  ['Down', '/catalog/vms', 'CatalogVmReferenceList'],
  ['Down', '/backupSessions', 'BackupJobSessionReferenceList'],
  ['Down', '/restoreSessions', 'RestoreSessionReferenceList'],
  ['Down', '/replicaSessions', 'ReplicaJobSessionReferenceList'],
  ['Down', '/backupTaskSessions', 'BackupTaskSessionReferenceList'],
  ['Down', '/replicaTaskSessions', 'ReplicaTaskSessionReferenceList'],
  ['Down', '/security', 'EnterpriseSecuritySettings'],
  ['Down', '/wanAccelerators', 'WanAcceleratorReferenceList'],
  ['Down', '/backupFiles', 'BackupFileReferenceList'],
  ['Down', '/externalRepositories', 'ExternalRepositoryReferenceList'],
  ['Down', '/tasks', 'TaskList'],
  ['Down', '/querySvc', 'QueryService'],
  ['Down', '/lookupSvc', 'LookupService'],
  ['Down', '/reports/summary', 'Report', 'Summary'],
  ['Down', '/backupServers?format=Entity', 'BackupServerList'],
  ['Down', '/managedServers?format=Entity', 'ManagedServerList'],
  ['Create', '/backupServers?action=create', null],
  ['Down', '/jobs?format=Entity', 'JobList'],
  ['Down', '/failoverPlans?format=Entity', 'FailoverPlanList'],
  ['Down', '/hierarchyRoots?format=Entity', 'HierarchyRootList'],
  ['Down', '/repositories?format=Entity', 'RepositoryList'],
  ['Down', '/backups?format=Entity', 'BackupList'],
  ['Down', '/restorePoints?format=Entity', 'RestorePointList'],
  ['Down', '/vmRestorePoints?format=Entity', 'VmRestorePointList'],
  ['Down', '/vAppRestorePoints?format=Entity', 'VAppRestorePointList'],
  ['Down', '/replicas?format=Entity', 'ReplicaList'],
  ['Down', '/vmReplicaPoints?format=Entity', 'VmReplicaPointList'],
  ['Down', '/catalog/vms?format=Entity', 'CatalogVmList'],
  ['Down', '/backupSessions?format=Entity', 'BackupJobSessionList'],
  ['Down', '/restoreSessions?format=Entity', 'RestoreSessionList'],
  ['Down', '/replicaSessions?format=Entity', 'ReplicaJobSessionList'],
  ['Down', '/backupTaskSessions?format=Entity', 'BackupTaskSessionList'],
  ['Down', '/replicaTaskSessions?format=Entity', 'ReplicaTaskSessionList'],
  ['Down', '/wanAccelerators?format=Entity', 'WanAcceleratorList'],
  ['Down', '/vCloud', 'VCloudService'],
  ['Down', '/backupFiles?format=Entity', 'BackupFileList'],
  ['Down', '/agents', 'AgentsService'],
  ['Down', '/selfService/vSphere', 'VSphereSelfService'],
  ['Down', '/externalRepositories?format=Entity', 'ExternalRepositoryList'],
  ['Down', '/nas', 'NasService'],
];

/** A LogonSession in JSON form (key order of the real v12 capture: UserName, SessionId, Links, Href, Type). */
export function logonSessionBody(base: string, s: LogonSession): JsonValue {
  const href = `${base}/logonSessions/${s.id}`;
  return {
    UserName: s.userName,
    SessionId: s.id,
    Links: [
      link('Up', `${base}/`, 'EnterpriseManager'),
      ...LOGON_SESSION_LINKS.map(([rel, path, type, name]) => link(rel, base + path, type, name ?? null)),
      link('Delete', href),
    ],
    Href: href,
    Type: 'LogonSession',
  };
}

export function logonSessionListBody(base: string, sessions: LogonSession[]): JsonValue {
  return { LogonSessions: sessions.map((s) => logonSessionBody(base, s)) };
}

/**
 * Resolves the `v` query parameter of a logon (em-api-notes §1.3): `latest` or one of the profile's versions,
 * name and value case-insensitive; a missing or empty `v` means latest (em-api-notes §10: Zabbix posts without it).
 * CHOICE: an unsupported version is 400 Bad Request with an Error body.
 */
export function logonVersion(query: URLSearchParams, profile: HttpProfile): string {
  let requested: string | undefined;
  for (const [k, v] of query) {
    if (k.toLowerCase() === 'v') {
      requested = v;
      break;
    }
  }
  const latest = profile.versions[profile.versions.length - 1]!;
  if (requested === undefined || requested.trim() === '' || requested.trim().toLowerCase() === 'latest') return latest;
  const found = profile.versions.find((v) => v.toLowerCase() === requested!.trim().toLowerCase());
  if (!found) {
    const shown = requested.length > 64 ? `${requested.slice(0, 64)}…` : requested;
    throw new MockHttpError(400, `Version '${shown}' is not supported. Supported versions: ${[...profile.versions, 'latest'].join(', ')}.`);
  }
  return found;
}
