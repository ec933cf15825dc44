/**
 * Mutants: realistic deviations from one rule each, switched on with `em-conformance mock --mutant ID` (listed by
 * `--list-mutants`). A conformance suite is worth the deviations it catches: `npm run mutation` (src/mutation/run.ts)
 * runs the whole suite against each mutant and requires that a test tagged with the broken rule fails, and that no
 * test tagged with none of the rules the mutant breaks fails (precision); docs/mutation.md holds the result. A fixed
 * sample (CI_SAMPLE) runs in `npm test` (tests/unit/mutation-sample.test.ts).
 *
 * A mutant works at one or more places of the mock's pipeline: the request as it arrives, the handler's result
 * (JSON-form body, before serialisation), the bytes on the wire, the logon-session handling, or the options of the
 * domain, the query engine and the profile. Every hook is off unless a mutant is chosen.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { JsonValue } from '../contract/codec.ts';
import { getOperation } from '../contract/spec.ts';
import type { QueryLimits } from './query/types.ts';
import { MockHttpError, type HandlerResult, type Profile } from './types.ts';

export interface WireReply {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer | null;
  /** Send with chunked transfer coding, without Content-Length. */
  chunked: boolean;
}

export interface Mutant {
  id: string;
  /** The rule the deviation breaks (spec/rules.yaml). */
  rule: string;
  /**
   * Rules the deviation necessarily breaks as well (e.g. camelCase keys break the JSON Schema too): failing tests
   * tagged with them are expected, not stray.
   */
  alsoBreaks?: readonly string[];
  description: string;
  /** Rewrites the request target and headers before anything reads them. */
  request?(req: { readonly method: string; url: string; headers: IncomingHttpHeaders }): void;
  /** Rewrites a handler's result before serialisation; may throw MockHttpError. */
  result?(operationId: string, result: HandlerResult, req: { query: URLSearchParams; method: string }): HandlerResult;
  /** Rewrites the status, headers or bytes of the answer. */
  wire?(reply: WireReply, req: { method: string; url: string }): void;
  /** Logon-session handling. */
  auth?: {
    /** The X-RestSvcSessionId header wins over the cookie. */
    headerWins?: boolean;
    /** false: sessions never expire, however long they idle. */
    idleExpiry?: false;
    /** DELETE of a logon session answers 204 but keeps it. */
    keepOnLogoff?: boolean;
  };
  /** Options of the domain: the window of the session collections (all, or per operationId), query engine limits. */
  domain?: { windowMs?: number; windows?: Readonly<Record<string, number>>; limits?: Partial<QueryLimits> };
  /** Profile changes (e.g. camelCase JSON keys). */
  profile?: Partial<Profile>;
}

type Json = JsonValue;
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);

/** Applies `fn` to every object in a JSON-form body, depth first. */
function eachObject(value: Json | undefined, fn: (o: JsonObject) => void): void {
  if (Array.isArray(value)) value.forEach((v) => eachObject(v, fn));
  else if (isObject(value)) {
    fn(value);
    for (const v of Object.values(value)) eachObject(v, fn);
  }
}

/** The Links array of an object, or []. */
function linksOf(o: JsonObject): JsonObject[] {
  return Array.isArray(o.Links) ? (o.Links.filter(isObject) as JsonObject[]) : [];
}

/** Removes the links matching `drop` from every object of a body. */
function dropLinks(body: Json | undefined, drop: (link: JsonObject, owner: JsonObject) => boolean): void {
  eachObject(body, (o) => {
    if (Array.isArray(o.Links)) o.Links = o.Links.filter((l) => !(isObject(l) && drop(l, o)));
  });
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** A GUID that names nothing, to send a link or an ID elsewhere. */
const ELSEWHERE = '00000000-0000-4000-8000-00000000dead';
const TEN_YEARS = 10 * 365 * 86_400_000;

function pathOf(url: string): string {
  return url.split('?')[0] ?? '';
}

function withQuery(req: { url: string }, change: (q: URLSearchParams, path: string) => void): void {
  const [path = '', query = ''] = req.url.split(/\?(.*)/s, 2);
  const params = new URLSearchParams(query);
  change(params, path);
  const text = params.toString();
  req.url = text ? `${path}?${text}` : path;
}

/** The value of a query parameter whatever the spelling of its name (`sortdesc`, `sortDesc`). */
function param(q: URLSearchParams, name: string): string | null {
  for (const [k, v] of q) if (k.toLowerCase() === name.toLowerCase()) return v;
  return null;
}

function setParam(q: URLSearchParams, name: string, value: string | null): void {
  for (const k of [...q.keys()]) if (k.toLowerCase() === name.toLowerCase()) q.delete(k);
  if (value !== null) q.set(name, value);
}

const isQueryPath = (path: string) => /\/api\/query\/?$/i.test(path);

function hasToken(headers: IncomingHttpHeaders): boolean {
  return headers['x-restsvcsessionid'] !== undefined || /X-RestSvcSessionId=/i.test(String(headers.cookie ?? ''));
}

/** Splits a filter at top-level occurrences of `sep` (outside quotes and parentheses). */
function splitTop(filter: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === sep) {
      parts.push(filter.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(filter.slice(from));
  return parts;
}

/** Rewrites the text outside double quotes of a filter. */
function outsideQuotes(filter: string, change: (text: string) => string): string {
  return filter
    .split(/("(?:[^"]|"")*")/)
    .map((part, i) => (i % 2 === 1 ? part : change(part)))
    .join('');
}

/** Query types and their field names, from the spec's x-em-query-types. */
let queryTypeFields: Map<string, string[]> | undefined;
function queryFields(): Map<string, string[]> {
  if (!queryTypeFields) {
    const raw = (getOperation('query').operation['x-em-query-types'] ?? {}) as Record<string, { fields?: Record<string, unknown> }>;
    queryTypeFields = new Map(Object.entries(raw).map(([name, def]) => [name, Object.keys(def.fields ?? {})]));
  }
  return queryTypeFields;
}

const isJsonReply = (r: WireReply) => /json/i.test(String(r.headers['Content-Type'] ?? ''));
const isXmlReply = (r: WireReply) => /xml/i.test(String(r.headers['Content-Type'] ?? ''));

/** Rewrites a JSON answer's body (parsed, changed, serialised again). */
function rewriteJson(r: WireReply, change: (v: Json) => Json): void {
  if (!r.body || !isJsonReply(r)) return;
  r.body = Buffer.from(JSON.stringify(change(JSON.parse(r.body.toString('utf8')) as Json)), 'utf8');
}

/** Rewrites an XML answer's text. */
function rewriteXml(r: WireReply, change: (text: string) => string): void {
  if (!r.body || !isXmlReply(r)) return;
  r.body = Buffer.from(change(r.body.toString('utf8')), 'utf8');
}

const pagingOf = (r: HandlerResult): JsonObject | undefined => {
  const p = isObject(r.body) ? r.body.PagingInfo : undefined;
  return isObject(p) ? p : undefined;
};

/** IDs of the jobs and agent jobs the mock has listed (for the COLL-002 and COLL-003 mutants). */
const knownJobs = new Set<string>();
const knownAgentJobs = new Set<string>();
function rememberIds(when: boolean, r: HandlerResult, into: Set<string>): HandlerResult {
  if (when)
    eachObject(r.body, (o) => {
      if (typeof o.UID === 'string') into.add((o.UID.split(':').pop() ?? '').toLowerCase());
    });
  return r;
}

const isReference = (o: JsonObject) => typeof o.UID === 'string' && typeof o.Href === 'string' && typeof o.Type === 'string' && o.Type.endsWith('Reference');

export const MUTANTS: readonly Mutant[] = [
  // ---------------------------------------------------------------- ENTRY
  {
    id: 'entry-requires-auth',
    rule: 'ENTRY-001',
    description: 'GET /api/ demands a session token (answers 401 without one)',
    request: (req) => {
      if (req.method === 'GET' && /^\/api\/?$/.test(pathOf(req.url)) && !hasToken(req.headers)) req.url = '/api/logonSessions';
    },
  },
  {
    id: 'entry-without-v1_7',
    rule: 'ENTRY-002',
    description: 'the entry point does not advertise v1_7 among its SupportedVersions',
    result: (op, r) => {
      const sv = op === 'getEnterpriseManager' && isObject(r.body) && isObject(r.body.SupportedVersions) ? r.body.SupportedVersions : undefined;
      if (sv && Array.isArray(sv.SupportedVersions)) sv.SupportedVersions = sv.SupportedVersions.filter((v) => !(isObject(v) && v.Name === 'v1_7'));
      return r;
    },
  },
  {
    id: 'entry-without-sessions-link',
    rule: 'ENTRY-003',
    description: 'the entry point has no Down link to the logon sessions list',
    result: (op, r) => {
      if (op === 'getEnterpriseManager' && isObject(r.body)) r.body.Links = linksOf(r.body).filter((l) => l.Type !== 'LogonSessionList');
      return r;
    },
  },
  {
    id: 'entry-with-href',
    rule: 'ENTRY-004',
    description: 'the entry document carries an Href and a Type, like the 2017 XSD says and real servers do not',
    result: (op, r, req) => {
      if (op === 'getEnterpriseManager' && isObject(r.body)) {
        const create = linksOf(r.body).find((l) => l.Rel === 'Create');
        if (typeof create?.Href === 'string') r.body.Href = create.Href.replace(/sessionMngr\/.*$/, '');
        r.body.Type = 'EnterpriseManager';
      }
      void req;
      return r;
    },
  },

  // ---------------------------------------------------------------- AUTH
  {
    id: 'logon-cookie-without-path',
    rule: 'AUTH-002',
    description: 'the logon cookie has no Path=/api',
    result: (op, r) => {
      if (op === 'createLogonSession' && r.headers?.['Set-Cookie']) r.headers['Set-Cookie'] = r.headers['Set-Cookie'].replace(/;\s*Path=[^;]*/i, '');
      return r;
    },
  },
  {
    id: 'logon-401-without-challenge',
    rule: 'AUTH-004',
    description: 'a logon with bad credentials gets 401 without WWW-Authenticate',
    wire: (r) => {
      if (r.status === 401) for (const k of Object.keys(r.headers)) if (k.toLowerCase() === 'www-authenticate') delete r.headers[k];
    },
  },
  {
    id: 'cookie-ignored',
    rule: 'AUTH-006',
    alsoBreaks: ['AUTH-007'],
    description: 'the X-RestSvcSessionId cookie is ignored; only the header authenticates (so the cookie cannot win either)',
    request: (req) => {
      delete req.headers.cookie;
    },
  },
  {
    id: 'header-wins-over-cookie',
    rule: 'AUTH-007',
    description: 'when both carry a token, the X-RestSvcSessionId header wins over the cookie',
    auth: { headerWins: true },
  },
  {
    id: 'idle-sessions-never-expire',
    rule: 'AUTH-008',
    description: 'idle logon sessions never expire',
    auth: { idleExpiry: false },
  },
  {
    id: 'logoff-keeps-session',
    rule: 'AUTH-009',
    description: 'DELETE of a logon session answers 204 but the token stays valid',
    auth: { keepOnLogoff: true },
  },
  {
    id: 'session-list-without-caller',
    rule: 'AUTH-010',
    description: "the logon sessions list leaves out the caller's own session",
    result: (op, r) => {
      if (op === 'listLogonSessions' && isObject(r.body) && Array.isArray(r.body.LogonSessions)) r.body.LogonSessions = r.body.LogonSessions.slice(1);
      return r;
    },
  },
  {
    id: 'logon-session-without-query-link',
    rule: 'AUTH-011',
    description: 'logon sessions have no Down link to the query service',
    result: (op, r) => {
      if (/LogonSession/.test(op)) dropLinks(r.body, (l) => l.Type === 'QueryService');
      return r;
    },
  },

  // ---------------------------------------------------------------- NEG
  {
    id: 'xml-for-json',
    rule: 'NEG-002',
    description: 'XML is served when JSON was asked for',
    request: (req) => {
      if (/json/i.test(String(req.headers.accept ?? ''))) delete req.headers.accept;
    },
  },
  {
    id: 'xml-as-text-xml',
    rule: 'NEG-003',
    alsoBreaks: ['NEG-001'],
    description: 'XML bodies are labelled Content-Type text/xml',
    wire: (r) => {
      if (/application\/xml/i.test(String(r.headers['Content-Type'] ?? ''))) r.headers['Content-Type'] = 'text/xml; charset=utf-8';
    },
  },
  {
    id: 'json-chunked',
    rule: 'NEG-004',
    description: 'JSON answers are sent chunked, without Content-Length',
    wire: (r) => {
      if (isJsonReply(r)) r.chunked = true;
    },
  },
  {
    id: 'xml-wrong-namespace',
    rule: 'NEG-005',
    alsoBreaks: ['SCHEMA-001'],
    description: 'XML root elements are in the namespace http://www.veeam.com/ent/v2.0',
    wire: (r) => rewriteXml(r, (x) => x.replace('xmlns="http://www.veeam.com/ent/v1.0"', 'xmlns="http://www.veeam.com/ent/v2.0"')),
  },
  {
    id: 'xml-without-declaration',
    rule: 'NEG-006',
    description: 'XML bodies start without the XML declaration',
    wire: (r) => rewriteXml(r, (x) => x.replace(/^<\?xml[^>]*\?>\s*/, '')),
  },
  {
    id: 'json-with-bom',
    rule: 'NEG-007',
    description: 'JSON bodies start with a UTF-8 byte order mark',
    wire: (r) => {
      if (r.body && isJsonReply(r)) r.body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), r.body]);
    },
  },

  // ---------------------------------------------------------------- SCHEMA
  {
    id: 'session-without-progress',
    rule: 'SCHEMA-001',
    alsoBreaks: ['SCHEMA-002'],
    description: 'job sessions lack their required Progress element',
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (o.Type === 'BackupJobSession' && 'Progress' in o) o.Progress = null;
      });
      return r;
    },
  },
  {
    id: 'json-extra-key',
    rule: 'SCHEMA-002',
    alsoBreaks: ['JSON-008'],
    description: 'JSON backup servers carry a key the contract does not define (Id)',
    wire: (r) =>
      rewriteJson(r, (v) => {
        eachObject(v, (o) => {
          if (o.Type === 'BackupServer' && typeof o.UID === 'string') o.Id = o.UID.split(':').pop() ?? null;
        });
        return v;
      }),
  },
  {
    id: 'logon-session-as-list',
    rule: 'SCHEMA-003',
    alsoBreaks: ['AUTH-010', 'LINK-001'],
    description: 'GET /logonSessions/{ID} answers a LogonSessions list holding the session instead of the LogonSession (so links of Type LogonSession lead to a list)',
    result: (op, r) => (op === 'getLogonSession' && r.status === 200 ? { ...r, root: 'LogonSessions', body: { LogonSessions: [r.body ?? null] } } : r),
  },
  {
    id: 'task-type-wrong',
    rule: 'SCHEMA-004',
    description: "tasks carry Type 'AsyncTask' instead of Task",
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (o.Type === 'Task' && 'TaskId' in o) o.Type = 'AsyncTask';
      });
      return r;
    },
  },
  {
    id: 'timestamps-without-z',
    rule: 'SCHEMA-005',
    alsoBreaks: ['SCHEMA-001', 'SCHEMA-002'],
    description: 'UTC timestamps are written without the trailing Z (which the XSD and JSON Schema require)',
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        for (const [k, v] of Object.entries(o)) if (/UTC$/.test(k) && typeof v === 'string') o[k] = v.replace(/Z$/, '');
      });
      return r;
    },
  },

  // ---------------------------------------------------------------- JSON
  {
    id: 'json-root-wrapper',
    rule: 'JSON-001',
    alsoBreaks: ['SCHEMA-002', 'JSON-008'],
    description: 'JSON entities are wrapped in an object named after the root element ({"Job": {...}})',
    wire: (r) => rewriteJson(r, (v) => (isObject(v) && typeof v.UID === 'string' && typeof v.Type === 'string' && !v.Type.endsWith('Reference') ? { [v.Type]: v } : v)),
  },
  {
    id: 'camelcase-json',
    rule: 'JSON-002',
    alsoBreaks: ['SCHEMA-002', 'JSON-008'],
    description: 'JSON keys are camelCase (the EM 13 regression)',
    profile: { jsonKeys: 'camelCase' },
  },
  {
    id: 'json-nulls-omitted',
    rule: 'JSON-003',
    alsoBreaks: ['SCHEMA-002', 'JSON-008'],
    description: 'absent values are left out of JSON instead of being null',
    profile: { jsonAbsent: 'omit' },
  },
  {
    id: 'query-list-nested-once',
    rule: 'JSON-004',
    alsoBreaks: ['SCHEMA-002', 'JSON-008'],
    description: 'JSON query results nest their list once ({"Refs": [...]}) instead of twice',
    wire: (r) =>
      rewriteJson(r, (v) => {
        if (!isObject(v) || !('PagingInfo' in v)) return v;
        if (isObject(v.Refs) && Array.isArray(v.Refs.Refs)) v.Refs = v.Refs.Refs;
        for (const c of [v.Entities, v.Resources]) if (isObject(c)) for (const [k, x] of Object.entries(c)) if (isObject(x)) c[k] = Object.values(x).find(Array.isArray) ?? x;
        return v;
      }),
  },
  {
    id: 'json-bare-array',
    rule: 'JSON-005',
    alsoBreaks: ['SCHEMA-002', 'JSON-008'],
    description: 'GET /backupSessions in JSON is a bare array of references',
    wire: (r, req) => {
      if (/\/api\/backupSessions\/?$/i.test(pathOf(req.url)) && !/format=/i.test(req.url)) rewriteJson(r, (v) => (isObject(v) && Array.isArray(v.Refs) ? v.Refs : v));
    },
  },
  {
    id: 'json-agent-wrapper-plural',
    rule: 'JSON-006',
    alsoBreaks: ['QRY-003', 'SCHEMA-002', 'JSON-008'],
    description: 'JSON query results for AgentBackupJob name their Entities member AgentBackupJobs (plural)',
    wire: (r) =>
      rewriteJson(r, (v) => {
        const e = isObject(v) && isObject(v.Entities) ? v.Entities : undefined;
        if (e && isObject(e.AgentBackupJob)) {
          e.AgentBackupJobs = e.AgentBackupJob;
          delete e.AgentBackupJob;
        }
        return v;
      }),
  },
  {
    id: 'json-link-extra-key',
    rule: 'JSON-007',
    alsoBreaks: ['SCHEMA-002', 'JSON-008'],
    description: 'JSON links carry a Method key besides Rel, Href, Name and Type',
    wire: (r) =>
      rewriteJson(r, (v) => {
        eachObject(v, (o) => {
          if (typeof o.Rel === 'string' && typeof o.Href === 'string') o.Method = 'GET';
        });
        return v;
      }),
  },
  {
    id: 'json-booleans-as-strings',
    rule: 'JSON-008',
    alsoBreaks: ['SCHEMA-002'],
    description: 'booleans inside JSON job schedule options are strings ("true")',
    wire: (r) =>
      rewriteJson(r, (v) => {
        eachObject(v, (o) => {
          if (isObject(o.JobScheduleOptions))
            eachObject(o.JobScheduleOptions, (x) => {
              for (const [k, b] of Object.entries(x)) if (typeof b === 'boolean') x[k] = String(b);
            });
        });
        return v;
      }),
  },

  // ---------------------------------------------------------------- FMT
  {
    id: 'format-entity-ignored',
    rule: 'FMT-002',
    alsoBreaks: ['LINK-001', 'QRY-006'],
    description: 'format=Entity is ignored on single resources: the reference is served (so links of an entity Type, and the Hrefs of query entities, lead to references)',
    request: (req) =>
      withQuery(req, (q, path) => {
        if (!isQueryPath(path) && /\/[0-9a-f]{8}-[0-9a-f-]{27}\/?$/i.test(path)) setParam(q, 'format', null);
      }),
  },
  {
    id: 'collection-entities-reversed',
    rule: 'FMT-004',
    description: 'collections with format=Entity list their members in the reverse order of the references',
    result: (_op, r, req) => {
      if (param(req.query, 'format')?.toLowerCase() === 'entity' && r.root !== 'EntityRef' && isObject(r.body)) {
        const keys = Object.keys(r.body);
        const list = keys.length === 1 ? r.body[keys[0]!] : undefined;
        if (Array.isArray(list)) list.reverse();
      }
      return r;
    },
  },
  {
    id: 'reference-name-truncated',
    rule: 'FMT-005',
    description: 'references carry their Name cut to 20 characters',
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (isReference(o) && typeof o.Name === 'string') o.Name = o.Name.slice(0, 20);
      });
      return r;
    },
  },

  // ---------------------------------------------------------------- ID
  {
    id: 'uid-wrong-type',
    rule: 'ID-001',
    description: "task sessions' UIDs name the type TaskSession instead of BackupTaskSession",
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (typeof o.UID === 'string') o.UID = o.UID.replace(/^urn:veeam:BackupTaskSession:/, 'urn:veeam:TaskSession:');
      });
      return r;
    },
  },
  {
    id: 'uid-href-disagree',
    rule: 'ID-002',
    alsoBreaks: ['QRY-006'],
    description: "a resource read by its URL carries an Href naming another ID than its UID (so it differs from the same entity in query results)",
    result: (_op, r) => {
      const body = r.body as JsonObject | undefined;
      if (body && typeof body.UID === 'string' && typeof body.Href === 'string') body.Href = body.Href.replace(GUID, ELSEWHERE);
      return r;
    },
  },

  // ---------------------------------------------------------------- LINK
  {
    id: 'link-type-wrong',
    rule: 'LINK-001',
    description: "job sessions' Related links to restore points say Type RestorePoint, but lead to the reference",
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (o.Rel === 'Related' && o.Type === 'RestorePointReference') o.Type = 'RestorePoint';
      });
      return r;
    },
  },
  {
    id: 'alternate-elsewhere',
    rule: 'LINK-003',
    alsoBreaks: ['LINK-001'],
    description: 'the Alternate links between a reference and its entity point to a resource that does not exist (so they do not resolve)',
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (o.Rel === 'Alternate' && typeof o.Href === 'string' && !String(o.Type).endsWith('List')) o.Href = o.Href.replace(GUID, ELSEWHERE);
      });
      return r;
    },
  },
  {
    id: 'up-job-link-misnamed',
    rule: 'LINK-004',
    alsoBreaks: ['AGENT-005'],
    description: "sessions' Up links to their job carry another Name than the session's JobName (agent child sessions' too, whose link Name AGENT-005 fixes)",
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (o.Rel === 'Up' && o.Type === 'JobReference' && typeof o.Name === 'string') o.Name = `${o.Name} (job)`;
      });
      return r;
    },
  },
  {
    id: 'action-links-typed',
    rule: 'LINK-005',
    description: 'action links (Start, Stop, Retry, ToggleScheduleEnabled) carry Type Task',
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (typeof o.Rel === 'string' && ['Start', 'Stop', 'Retry', 'ToggleScheduleEnabled'].includes(o.Rel) && typeof o.Href === 'string') o.Type = 'Task';
      });
      return r;
    },
  },
  {
    id: 'task-session-without-server-link',
    rule: 'LINK-006',
    description: 'task sessions have no Up link to their backup server',
    result: (_op, r) => {
      dropLinks(r.body, (l, owner) => l.Type === 'BackupServerReference' && typeof owner.Type === 'string' && owner.Type.startsWith('BackupTaskSession'));
      return r;
    },
  },
  {
    id: 'stop-link-only-when-running',
    rule: 'LINK-007',
    description: 'finished job sessions have no Stop link',
    result: (_op, r) => {
      dropLinks(r.body, (l, owner) => l.Rel === 'Stop' && owner.Type === 'BackupJobSession' && owner.State === 'Stopped');
      return r;
    },
  },
  {
    id: 'agent-job-without-includes-link',
    rule: 'LINK-008',
    description: 'agent backup jobs have no Down link to their includes',
    result: (_op, r) => {
      dropLinks(r.body, (l, owner) => owner.Type === 'AgentBackupJob' && l.Rel === 'Down' && typeof l.Href === 'string' && /\/includes$/.test(l.Href));
      return r;
    },
  },

  // ---------------------------------------------------------------- QRY
  {
    id: 'query-unknown-type-empty',
    rule: 'QRY-001',
    alsoBreaks: ['ERR-004'],
    description: 'a query without a type or with an unknown type answers an empty result instead of 400',
    request: (req) =>
      withQuery(req, (q, path) => {
        if (!isQueryPath(path)) return;
        const type = param(q, 'type') ?? '';
        if (![...queryFields().keys()].some((t) => t.toLowerCase() === type.toLowerCase())) {
          setParam(q, 'type', 'BackupServer');
          setParam(q, 'filter', `UID==${ELSEWHERE}`);
        }
      }),
  },
  {
    id: 'query-references-as-entities',
    rule: 'QRY-002',
    description: 'format=References answers entities',
    request: (req) =>
      withQuery(req, (q, path) => {
        if (isQueryPath(path) && param(q, 'format')?.toLowerCase() === 'references') setParam(q, 'format', 'Entities');
      }),
  },
  {
    id: 'query-type-case-sensitive',
    rule: 'QRY-004',
    description: 'query type values are matched case-sensitively',
    request: (req) =>
      withQuery(req, (q, path) => {
        const type = param(q, 'type');
        if (isQueryPath(path) && type && !queryFields().has(type)) setParam(q, 'type', `Unknown${type}`);
      }),
  },
  {
    id: 'querysvc-page-size-10',
    rule: 'QRY-005',
    description: "the query service's preconfigured queries ask for pageSize=10 instead of 15",
    result: (op, r) => {
      if (op === 'getQueryService')
        eachObject(r.body, (o) => {
          if (o.Rel === 'Down' && typeof o.Href === 'string') o.Href = o.Href.replace(/pageSize=15/, 'pageSize=10');
        });
      return r;
    },
  },
  {
    id: 'query-thumbprint-lowercase',
    rule: 'QRY-006',
    description: 'backup servers in query results carry their certificate thumbprint in lower case, GET in upper case',
    result: (op, r) => {
      if (op === 'query')
        eachObject(r.body, (o) => {
          if (o.Type === 'BackupServer' && typeof o.VbrCertificateThumbprint === 'string') o.VbrCertificateThumbprint = o.VbrCertificateThumbprint.toLowerCase();
        });
      return r;
    },
  },

  // ---------------------------------------------------------------- FLT
  {
    id: 'filter-lt-as-le',
    rule: 'FLT-003',
    description: 'filter < is read as <=',
    request: (req) =>
      withQuery(req, (q, path) => {
        const f = param(q, 'filter');
        if (isQueryPath(path) && f) setParam(q, 'filter', outsideQuotes(f, (t) => t.replace(/<(?!=)/g, '<=')));
      }),
  },
  {
    id: 'filter-or-ignored',
    rule: 'FLT-005',
    alsoBreaks: ['FLT-016'],
    description: 'a filter keeps only the first alternative of a top-level OR',
    request: (req) =>
      withQuery(req, (q, path) => {
        const f = param(q, 'filter');
        if (isQueryPath(path) && f) setParam(q, 'filter', splitTop(f, ',')[0] ?? f);
      }),
  },
  {
    id: 'filter-fields-case-sensitive',
    rule: 'FLT-010',
    description: 'filter field names are matched case-sensitively',
    request: (req) =>
      withQuery(req, (q, path) => {
        const f = param(q, 'filter');
        const type = [...queryFields()].find(([t]) => t.toLowerCase() === (param(q, 'type') ?? '').toLowerCase());
        if (!isQueryPath(path) || !f || !type) return;
        const fields = type[1];
        setParam(q, 'filter', outsideQuotes(f, (t) => t.replace(/([A-Za-z_][A-Za-z0-9_]*)(?=\s*(?:==|!=|<=|>=|<|>))/g, (name) => (fields.includes(name) ? name : `Bad${name}`))));
      }),
  },
  {
    id: 'enums-compared-as-text',
    rule: 'FLT-011',
    alsoBreaks: ['FLT-003'],
    description: 'ordering comparisons on enum fields compare the text, not the documented order',
    domain: { limits: { enumOrder: 'text' } },
  },
  {
    id: 'filter-urn-rejected',
    rule: 'FLT-013',
    description: 'a UID field given the full quoted URN matches nothing',
    request: (req) =>
      withQuery(req, (q, path) => {
        const f = param(q, 'filter');
        if (isQueryPath(path) && f) setParam(q, 'filter', f.replace(/"urn:veeam:([A-Za-z]+):/gi, '"urn:veeam:$1:x'));
      }),
  },
  {
    id: 'filter-or-binds-tighter',
    rule: 'FLT-016',
    description: 'a;b,c is read as a;(b,c): comma binds tighter than semicolon',
    request: (req) =>
      withQuery(req, (q, path) => {
        const f = param(q, 'filter');
        if (!isQueryPath(path) || !f) return;
        const ands = splitTop(f, ';');
        if (ands.length > 1 && ands.some((a) => splitTop(a, ',').length > 1)) {
          const [first, ...rest] = ands;
          setParam(q, 'filter', `${first};(${rest.join(';')})`);
        }
      }),
  },
  {
    id: 'zoneless-dates-rejected',
    rule: 'FLT-018',
    description: 'a DateTime filter value without a zone designator is rejected',
    domain: { limits: { zonelessDates: 'reject' } },
  },

  // ---------------------------------------------------------------- SORT
  {
    id: 'sortasc-ignored',
    rule: 'SORT-001',
    alsoBreaks: ['SORT-004'],
    description: 'sortAsc is ignored (so pages read in sequence are not sorted either)',
    request: (req) =>
      withQuery(req, (q, path) => {
        if (isQueryPath(path)) setParam(q, 'sortAsc', null);
      }),
  },
  {
    id: 'sortdesc-ignored',
    rule: 'SORT-002',
    alsoBreaks: ['SORT-004'],
    description: 'sortDesc is ignored (so pages read in sequence are not sorted either)',
    request: (req) =>
      withQuery(req, (q, path) => {
        if (isQueryPath(path)) setParam(q, 'sortDesc', null);
      }),
  },

  // ---------------------------------------------------------------- PAGE
  {
    id: 'paging-numbers-as-strings',
    rule: 'PAGE-001',
    alsoBreaks: ['SCHEMA-002', 'JSON-008'],
    description: 'JSON PagingInfo numbers are strings ("PageNum": "1")',
    wire: (r) =>
      rewriteJson(r, (v) => {
        const p = isObject(v) && isObject(v.PagingInfo) ? v.PagingInfo : undefined;
        if (p) for (const k of ['PageNum', 'PageSize', 'PagesCount']) if (typeof p[k] === 'number') p[k] = String(p[k]);
        return v;
      }),
  },
  {
    id: 'default-page-size-50',
    rule: 'PAGE-002',
    description: 'the default page size is 50',
    domain: { limits: { defaultPageSize: 50 } },
  },
  {
    id: 'pagenum-always-1',
    rule: 'PAGE-003',
    description: 'PagingInfo reports PageNum 1 on every page',
    result: (op, r) => {
      const p = op === 'query' ? pagingOf(r) : undefined;
      if (p) p.PageNum = 1;
      return r;
    },
  },
  {
    id: 'pagescount-off-by-one',
    rule: 'PAGE-004',
    description: 'PagesCount is one more than the number of pages of a non-empty result',
    result: (op, r) => {
      const p = op === 'query' ? pagingOf(r) : undefined;
      const body = isObject(r.body) ? r.body : {};
      const nonEmpty = JSON.stringify([body.Refs ?? null, body.Entities ?? null, body.Resources ?? null]).includes('"Href"');
      if (p && typeof p.PagesCount === 'number' && nonEmpty) p.PagesCount += 1;
      return r;
    },
  },
  {
    id: 'empty-result-zero-pages',
    rule: 'PAGE-005',
    description: 'an empty result reports PagesCount 0 and a Last link to page 0',
    result: (op, r) => {
 const p = op === 'query' ? pagingOf(r) : undefined;
      const body = isObject(r.body) ? r.body : {};
      const empty = !JSON.stringify([body.Refs ?? null, body.Entities ?? null, body.Resources ?? null]).includes('"Href"');
      if (p && empty && p.PagesCount === 1) {
        p.PagesCount = 0;
        for (const l of linksOf(p)) if (l.Rel === 'Last' && typeof l.Href === 'string') l.Href = l.Href.replace(/([?&]page=)\d+/, '$10');
      }
      return r;
    },
  },
  {
    id: 'last-link-missing',
    rule: 'PAGE-006',
    description: 'PagingInfo has no Last link',
    result: (op, r) => {
      const p = op === 'query' ? pagingOf(r) : undefined;
      if (p) p.Links = linksOf(p).filter((l) => l.Rel !== 'Last');
      return r;
    },
  },
  {
    id: 'next-missing-on-middle-pages',
    rule: 'PAGE-007',
    description: 'pages between the first and the last have no Next link',
    result: (op, r) => {
      const p = op === 'query' ? pagingOf(r) : undefined;
      if (p && Number(p.PageNum) > 1 && Number(p.PageNum) < Number(p.PagesCount)) p.Links = linksOf(p).filter((l) => l.Rel !== 'Next');
      return r;
    },
  },
  {
    id: 'previous-link-to-first',
    rule: 'PAGE-008',
    description: 'the Previous link always leads to page 1',
    result: (op, r) => {
      const p = op === 'query' ? pagingOf(r) : undefined;
      if (p) for (const l of linksOf(p)) if (l.Rel === 'Previous' && typeof l.Href === 'string') l.Href = l.Href.replace(/([?&]page=)\d+/, '$11');
      return r;
    },
  },
  {
    id: 'paging-ampersands-unescaped',
    rule: 'PAGE-009',
    alsoBreaks: ['SCHEMA-001'],
    description: 'XML paging links write their & separators unescaped',
    wire: (r) => rewriteXml(r, (x) => (x.includes('<PagingInfo') ? x.replace(/(<Link [^>]*Rel="(?:First|Previous|Next|Last)"[^>]*>)/g, (link) => link.replace(/&amp;/g, '&')) : x)),
  },
  {
    id: 'pages-overlap',
    rule: 'PAGE-010',
    description: 'each page after the first repeats the last item of the page before',
    domain: { limits: { pageOverlap: 1 } },
  },

  // ---------------------------------------------------------------- WIN
  {
    id: 'window-ignored',
    rule: 'WIN-001',
    // REPORT-003 and REPORT-004 are stated against what /backupSessions lists, which now disagrees with the frames
    alsoBreaks: ['REPORT-003', 'REPORT-004'],
    description: 'GET /backupSessions lists every session, not the last 30 days',
    domain: { windows: { listBackupSessions: TEN_YEARS } },
  },
  {
    id: 'task-window-ignored',
    rule: 'WIN-002',
    // REPORT-006 is stated against what /backupTaskSessions lists
    alsoBreaks: ['REPORT-006'],
    description: 'GET /backupTaskSessions lists every task session, not the last 30 days',
    domain: { windows: { listBackupTaskSessions: TEN_YEARS } },
  },
  {
    id: 'agent-window-ignored',
    rule: 'WIN-003',
    description: 'GET /agents/backupSessions lists every agent session, not the last 30 days',
    domain: { windows: { listAgentBackupSessions: TEN_YEARS } },
  },

  // ---------------------------------------------------------------- AGENT
  {
    id: 'agent-children-share-job',
    rule: 'AGENT-001',
    description: 'the children listed under an AgentBackup session all name the first child\'s JobUid',
    result: (op, r) => {
      const list = op === 'listAgentManagementSessions' && isObject(r.body) ? r.body.BackupJobSessions : undefined;
      const first = Array.isArray(list) && isObject(list[0]) ? list[0].JobUid : undefined;
      if (Array.isArray(list) && first) for (const c of list) if (isObject(c)) c.JobUid = first;
      return r;
    },
  },
  {
    id: 'agent-children-404',
    rule: 'AGENT-002',
    description: 'agentManagementSessions of a session without agent children answers 404 instead of an empty list',
    result: (op, r) => {
      if (op === 'listAgentManagementSessions' && isObject(r.body) && Array.isArray(r.body.Refs) && r.body.Refs.length === 0) throw new MockHttpError(404, 'The session has no agent management sessions.');
      return r;
    },
  },
  {
    id: 'parent-link-to-self',
    rule: 'AGENT-003',
    description: "agent child sessions' Parent session link points to the child itself",
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        const up = linksOf(o).find((l) => l.Name === 'Parent session');
        if (up && typeof o.Href === 'string') up.Href = o.Href.split('?')[0] ?? o.Href;
      });
      return r;
    },
  },
  {
    id: 'agent-parent-without-children-link',
    rule: 'AGENT-004',
    description: 'AgentBackup sessions have no Alternate link to their children list',
    result: (_op, r) => {
      dropLinks(r.body, (l) => l.Rel === 'Alternate' && l.Type === 'BackupJobSessionReferenceList');
      return r;
    },
  },
  {
    id: 'agent-sessions-without-children',
    rule: 'AGENT-006',
    description: 'GET /agents/backupSessions leaves out the AgentManagement (child) sessions',
    result: (op, r) => {
      if (op !== 'listAgentBackupSessions' || !isObject(r.body)) return r;
      const isChild = (x: Json) => isObject(x) && linksOf(x).some((l) => l.Name === 'Parent session');
      for (const k of ['Refs', 'BackupJobSessions']) {
        const list = r.body[k];
        if (Array.isArray(list)) r.body[k] = list.filter((x) => !isChild(x));
      }
      return r;
    },
  },

  // ---------------------------------------------------------------- COLL
  {
    id: 'session-task-list-incomplete',
    rule: 'COLL-001',
    description: "a job session's taskSessions list leaves out its last task session",
    result: (op, r) => {
      if (op === 'listBackupSessionTaskSessions' && isObject(r.body)) for (const k of ['Refs', 'BackupTaskSessions']) if (Array.isArray(r.body[k]) && r.body[k].length > 1) r.body[k] = r.body[k].slice(0, -1);
      return r;
    },
  },
  {
    id: 'job-sessions-unfiltered',
    rule: 'COLL-002',
    description: "GET /jobs/{ID}/backupSessions of an existing job lists every job's sessions",
    // the jobs the mock has listed: an unknown ID still gets its 404
    result: (op, r) => rememberIds(op === 'listJobs', r, knownJobs),
    request: (req) => {
      const m = /^\/api\/jobs\/([^/?]+)\/backupSessions\/?(\?.*)?$/i.exec(req.url);
      if (m && knownJobs.has(m[1]!.toLowerCase())) req.url = `/api/backupSessions${m[2] ?? ''}`;
    },
  },
  {
    id: 'agent-job-sessions-unfiltered',
    rule: 'COLL-003',
    description: "GET /agents/jobs/{ID}/backupSessions of an existing agent job lists every agent job's sessions",
    result: (op, r) => rememberIds(op === 'listAgentJobs', r, knownAgentJobs),
    request: (req) => {
      const m = /^\/api\/agents\/jobs\/([^/?]+)\/backupSessions\/?(\?.*)?$/i.exec(req.url);
      if (m && knownAgentJobs.has(m[1]!.toLowerCase())) req.url = `/api/agents/backupSessions${m[2] ?? ''}`;
    },
  },
  {
    id: 'includes-under-another-job',
    rule: 'COLL-004',
    description: "an agent job's includes have Hrefs under another job",
    result: (op, r) => {
      if (op === 'listAgentJobIncludes')
        eachObject(r.body, (o) => {
          if (o.Type === 'ObjectInAgentBackupJob' && typeof o.Href === 'string') o.Href = o.Href.replace(GUID, ELSEWHERE);
        });
      return r;
    },
  },

  // ---------------------------------------------------------------- ACT
  {
    id: 'action-answers-200',
    rule: 'ACT-001',
    description: 'actions answer 200 OK instead of 202 Accepted',
    result: (_op, r) => (r.status === 202 && r.root === 'Task' ? { ...r, status: 200 } : r),
  },
  {
    id: 'task-without-result',
    rule: 'ACT-002',
    alsoBreaks: ['ACT-008'],
    description: 'finished tasks have no Result',
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (o.Type === 'Task' && o.State === 'Finished') o.Result = null;
      });
      return r;
    },
  },
  {
    id: 'task-operation-wrong',
    rule: 'ACT-003',
    description: "a task's Operation does not name the action",
    result: (_op, r) => {
      const body = r.body as JsonObject | undefined;
      if (r.root === 'Task' && body) body.Operation = 'Unknown';
      return r;
    },
  },
  {
    id: 'task-delete-200',
    rule: 'ACT-004',
    description: 'DELETE /tasks/{ID} answers 200 instead of 204',
    result: (op, r) => (op === 'deleteTask' && r.status === 204 ? { ...r, status: 200 } : r),
  },

  // ---------------------------------------------------------------- ERR
  {
    id: '401-without-body',
    rule: 'ERR-001',
    description: 'a 401 for a missing or unknown token has no body',
    wire: (r) => {
      // the logon's 401 (bad credentials) carries WWW-Authenticate; the token's 401 does not
      if (r.status === 401 && r.body && !Object.keys(r.headers).some((k) => k.toLowerCase() === 'www-authenticate')) {
        r.body = null;
        delete r.headers['Content-Type'];
      }
    },
  },
  {
    id: '403-as-401',
    rule: 'ERR-002',
    description: 'a request the account lacks the privileges for is answered 401 instead of 403',
    wire: (r) => {
      if (r.status === 403) r.status = 401;
    },
  },
  {
    id: 'not-found-is-200',
    rule: 'ERR-003',
    description: 'unknown IDs are answered 200 instead of 404',
    wire: (r) => {
      if (r.status === 404) r.status = 200;
    },
  },
  {
    id: '405-as-404',
    rule: 'ERR-005',
    description: 'a method the resource does not support is answered 404 instead of 405',
    wire: (r) => {
      if (r.status === 405) {
        r.status = 404;
        for (const k of Object.keys(r.headers)) if (k.toLowerCase() === 'allow') delete r.headers[k];
      }
    },
  },
  {
    id: '405-without-body',
    rule: 'ERR-006',
    description: 'a 405 answer has no Error body',
    wire: (r) => {
      if (r.status === 405) {
        r.body = null;
        delete r.headers['Content-Type'];
      }
    },
  },
  // ---------------------------------------------------------------- REPORT, MON (issue 8)
  {
    id: 'job-stats-finished-only',
    rule: 'REPORT-003',
    description: 'job statistics count only the finished runs in TotalJobRuns (running sessions left out of the total)',
    result: (op, r) => {
      if (op === 'getJobStatisticsReport' && isObject(r.body)) {
        const b = r.body;
        b.TotalJobRuns = Number(b.SuccessfulJobRuns) + Number(b.WarningsJobRuns) + Number(b.FailedJobRuns);
      }
      return r;
    },
  },
  {
    id: 'repository-period-used-space',
    rule: 'REPORT-005',
    description: "a repository Period's BackupSize is the space used on the volume (Capacity - FreeSpace), not the backup files stored there",
    result: (op, r) => {
      if (op === 'getRepositoryReport' && isObject(r.body) && Array.isArray(r.body.Periods))
        for (const p of r.body.Periods) if (isObject(p) && Number(p.Capacity) >= 0) p.BackupSize = Number(p.Capacity) - Number(p.FreeSpace);
      return r;
    },
  },
  {
    id: 'restore-point-files-empty',
    rule: 'MON-002',
    description: "a restore point's list of backup files (/restorePoints/{ID}/backupFiles) holds none of them",
    result: (op, r) => {
      if (op === 'listRestorePointBackupFiles' && isObject(r.body)) for (const [k, v] of Object.entries(r.body)) if (Array.isArray(v)) r.body[k] = [];
      return r;
    },
  },
  {
    id: 'repository-server-link-last',
    rule: 'MON-001',
    description: "repositories list their backup server's Up link last, so .Links[0].Name is the repository itself",
    result: (op, r) => {
      if (op === 'listRepositories' || op === 'getRepository')
        eachObject(r.body, (o) => {
          if (Array.isArray(o.Links) && o.Links.length > 1 && String(o.Type ?? '').startsWith('Repository')) o.Links = [...o.Links.slice(1), o.Links[0]!];
        });
      return r;
    },
  },
];

/**
 * The mutants `npm test` runs (tests/unit/mutation-sample.test.ts), with the suite restricted to the tests tagged
 * with each one's rule: at least one per rule family, chosen among those that need no long wait.
 */
export const CI_SAMPLE: readonly string[] = [
  'entry-requires-auth',
  'cookie-ignored',
  'xml-for-json',
  'timestamps-without-z',
  'camelcase-json',
  'format-entity-ignored',
  'uid-href-disagree',
  'alternate-elsewhere',
  'query-references-as-entities',
  'filter-or-ignored',
  'sortdesc-ignored',
  'pagescount-off-by-one',
  'window-ignored',
  'parent-link-to-self',
  'session-task-list-incomplete',
  'task-operation-wrong',
  'not-found-is-200',
  'job-stats-finished-only',
  'repository-server-link-last',
];

export function findMutant(id: string): Mutant {
  const m = MUTANTS.find((x) => x.id === id);
  if (!m) throw new RangeError(`unknown mutant '${id}'; --list-mutants shows them`);
  return m;
}
