/**
 * Mutants: realistic deviations from one rule each, switched on with `em-conformance mock --mutant ID`. A conformance
 * suite is worth the deviations it catches: the project's tests run the suite against each mutant and require that a
 * test tagged with the broken rule fails (tests/unit/suite-sensitivity.test.ts).
 *
 * A mutant works at one of four places of the mock's pipeline: the request as it arrives, the handler's result
 * (JSON-form body, before serialisation), the bytes on the wire, or the options of the domain and profile.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { JsonValue } from '../contract/codec.ts';
import { MockHttpError, type HandlerResult, type Profile } from './types.ts';

export interface WireReply {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer | null;
}

export interface Mutant {
  id: string;
  /** The rule the deviation breaks (spec/rules.yaml). */
  rule: string;
  description: string;
  /** Rewrites the request target and headers before anything reads them. */
  request?(req: { url: string; headers: IncomingHttpHeaders }): void;
  /** Rewrites a handler's result before serialisation; may throw MockHttpError. */
  result?(operationId: string, result: HandlerResult): HandlerResult;
  /** Rewrites the status, headers or bytes of the answer. */
  wire?(reply: WireReply): void;
  /** Options of the domain (e.g. a wider session window). */
  domain?: { windowMs?: number };
  /** Profile changes (e.g. camelCase JSON keys). */
  profile?: Partial<Profile>;
}

type Json = JsonValue;
type JsonObject = { [key: string]: Json };

/** Applies `fn` to every object in a JSON-form body, depth first. */
function eachObject(value: Json | undefined, fn: (o: JsonObject) => void): void {
  if (Array.isArray(value)) value.forEach((v) => eachObject(v, fn));
  else if (value && typeof value === 'object') {
    fn(value);
    for (const v of Object.values(value)) eachObject(v, fn);
  }
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** A GUID that names nothing, to send a link or an ID elsewhere. */
const ELSEWHERE = '00000000-0000-4000-8000-00000000dead';

function withQuery(req: { url: string }, change: (q: URLSearchParams, path: string) => void): void {
  const [path = '', query = ''] = req.url.split(/\?(.*)/s, 2);
  const params = new URLSearchParams(query);
  change(params, path);
  const text = params.toString();
  req.url = text ? `${path}?${text}` : path;
}

const isQueryPath = (path: string) => /\/api\/query\/?$/i.test(path);

/** The first alternative of a top-level OR (`a,b` → `a`), respecting quotes and parentheses. */
function firstAlternative(filter: string): string {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') return filter.slice(0, i);
  }
  return filter;
}

export const MUTANTS: readonly Mutant[] = [
  {
    id: 'entry-requires-auth',
    rule: 'ENTRY-001',
    description: 'GET /api/ demands a session token',
    result: (op, r) => {
      if (op === 'getEnterpriseManager') throw new MockHttpError(401, 'The authorization header has been expected but not found.');
      return r;
    },
  },
  {
    id: 'cookie-ignored',
    rule: 'AUTH-006',
    description: 'the X-RestSvcSessionId cookie is ignored; only the header authenticates',
    request: (req) => {
      delete req.headers.cookie;
    },
  },
  {
    id: 'xml-for-json',
    rule: 'NEG-002',
    description: 'XML is served when JSON was asked for',
    request: (req) => {
      delete req.headers.accept;
    },
  },
  {
    id: 'timestamps-without-z',
    rule: 'SCHEMA-005',
    description: 'UTC timestamps are written without the trailing Z',
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        for (const [k, v] of Object.entries(o)) if (/UTC$/.test(k) && typeof v === 'string') o[k] = v.replace(/Z$/, '');
      });
      return r;
    },
  },
  {
    id: 'camelcase-json',
    rule: 'JSON-002',
    description: 'JSON keys are camelCase (the EM 13 regression)',
    profile: { jsonKeys: 'camelCase' },
  },
  {
    id: 'format-entity-ignored',
    rule: 'FMT-002',
    description: 'format=Entity is ignored on resources and collections',
    request: (req) =>
      withQuery(req, (q, path) => {
        if (!isQueryPath(path)) for (const k of [...q.keys()]) if (k.toLowerCase() === 'format') q.delete(k);
      }),
  },
  {
    id: 'uid-href-disagree',
    rule: 'ID-002',
    description: "a resource's Href names another ID than its UID",
    result: (_op, r) => {
      const body = r.body as JsonObject | undefined;
      if (body && typeof body.UID === 'string' && typeof body.Href === 'string') body.Href = body.Href.replace(GUID, ELSEWHERE);
      return r;
    },
  },
  {
    id: 'alternate-elsewhere',
    rule: 'LINK-003',
    description: 'Alternate links point to another resource',
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (o.Rel === 'Alternate' && typeof o.Href === 'string') o.Href = o.Href.replace(GUID, ELSEWHERE);
      });
      return r;
    },
  },
  {
    id: 'query-entities-ignored',
    rule: 'QRY-002',
    description: 'the query service answers references even for format=Entities',
    request: (req) =>
      withQuery(req, (q, path) => {
        if (isQueryPath(path)) for (const k of [...q.keys()]) if (k.toLowerCase() === 'format') q.delete(k);
      }),
  },
  {
    id: 'filter-or-ignored',
    rule: 'FLT-005',
    description: 'a filter keeps only the first alternative of a top-level OR',
    request: (req) =>
      withQuery(req, (q, path) => {
        const f = q.get('filter');
        if (isQueryPath(path) && f) q.set('filter', firstAlternative(f));
      }),
  },
  {
    id: 'sortdesc-ignored',
    rule: 'SORT-002',
    description: 'sortDesc is ignored',
    request: (req) =>
      withQuery(req, (q, path) => {
        if (isQueryPath(path)) for (const k of [...q.keys()]) if (k.toLowerCase() === 'sortdesc') q.delete(k);
      }),
  },
  {
    id: 'pagescount-off-by-one',
    rule: 'PAGE-004',
    description: 'PagesCount is one more than the number of pages',
    result: (op, r) => {
      const paging = (r.body as JsonObject | undefined)?.PagingInfo as JsonObject | undefined;
      if (op === 'query' && paging && typeof paging.PagesCount === 'number') paging.PagesCount += 1;
      return r;
    },
  },
  {
    id: 'window-ignored',
    rule: 'WIN-001',
    description: 'session collections list every session, not the last 30 days',
    domain: { windowMs: 10 * 365 * 86_400_000 },
  },
  {
    id: 'parent-link-elsewhere',
    rule: 'AGENT-003',
    description: 'agent child sessions link to the wrong parent session',
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (o.Name === 'Parent session' && typeof o.Href === 'string') o.Href = o.Href.replace(GUID, ELSEWHERE);
      });
      return r;
    },
  },
  {
    id: 'task-session-parent-elsewhere',
    rule: 'COLL-001',
    description: "task sessions' JobSessionUid names another job session",
    result: (_op, r) => {
      eachObject(r.body, (o) => {
        if (typeof o.JobSessionUid === 'string') o.JobSessionUid = o.JobSessionUid.replace(GUID, ELSEWHERE);
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
    id: 'not-found-is-200',
    rule: 'ERR-003',
    description: 'unknown IDs are answered 200 instead of 404',
    wire: (reply) => {
      if (reply.status === 404) reply.status = 200;
    },
  },
];

export function findMutant(id: string): Mutant {
  const m = MUTANTS.find((x) => x.id === id);
  if (!m) throw new RangeError(`unknown mutant '${id}'; --list-mutants shows them`);
  return m;
}
