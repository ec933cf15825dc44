/**
 * Request-target parsing and routing. The spec's paths (listOperations) are compiled once into a segment trie;
 * matching a request is one walk over its path segments.
 *
 * Path handling (CHOICEs, em-api-notes §10 asks to tolerate `//sessionMngr` and a missing `?v=`):
 * - the base path is `/api`; runs of slashes collapse (`/api//sessionMngr`) and a trailing slash is ignored, so
 *   `/api`, `/api/`, `/api/sessionMngr` and `/api/sessionMngr/` all route;
 * - literal segments match case-insensitively, as WCF's UriTemplate does (`/API/BackupSessions` routes);
 * - each segment is percent-decoded on its own; a malformed escape, a decoded `/` or `\`, a NUL or other control
 *   character, or a dot segment (`.`, `..`, `%2e%2e`) is rejected with 400: the mock never resolves dot segments;
 * - a request target longer than `maxUrlLength` is 414; absolute-form targets (`http://host/api/…`) are accepted,
 *   anything else that does not start with `/` (`*`, garbage) is 400.
 */
import { listOperations, type OperationInfo } from '../../contract/spec.ts';
import { httpError } from './errors.ts';

/** The five operations the HTTP layer implements itself (auth and the entry point; docs/architecture.md). */
export const AUTH_OPERATIONS: ReadonlyArray<{ operationId: string; method: string; path: string }> = [
  { operationId: 'getEnterpriseManager', method: 'GET', path: '/' },
  { operationId: 'createLogonSession', method: 'POST', path: '/sessionMngr/' },
  { operationId: 'listLogonSessions', method: 'GET', path: '/logonSessions' },
  { operationId: 'getLogonSession', method: 'GET', path: '/logonSessions/{ID}' },
  { operationId: 'deleteLogonSession', method: 'DELETE', path: '/logonSessions/{ID}' },
];

export const BASE_PATH = '/api';

export interface RouteOperation {
  operationId: string;
  method: string;
  /** Path template relative to /api, as in the spec. */
  path: string;
  /** Names of the template's parameters, in order. */
  paramNames: string[];
}

interface Node {
  literals: Map<string, Node>;
  param?: { name: string; node: Node };
  methods: Map<string, RouteOperation>;
}

function newNode(): Node {
  return { literals: new Map(), methods: new Map() };
}

export type RouteMatch =
  | { kind: 'found'; operation: RouteOperation; params: Record<string, string> }
  | { kind: 'method'; allow: string[] }
  | { kind: 'none' };

export class Router {
  private readonly root = newNode();
  readonly operations: RouteOperation[] = [];

  constructor(ops: Iterable<{ operationId: string; method: string; path: string }>) {
    for (const op of ops) this.add(op);
  }

  /** Routes of the spec, plus the auth operations when the spec does not (yet) define them. */
  static fromSpec(specOps: OperationInfo[] = safeListOperations()): Router {
    const ids = new Set(specOps.map((o) => o.operationId));
    return new Router([...specOps, ...AUTH_OPERATIONS.filter((o) => !ids.has(o.operationId))]);
  }

  private add(op: { operationId: string; method: string; path: string }): void {
    let node = this.root;
    const paramNames: string[] = [];
    for (const seg of op.path.split('/').filter(Boolean)) {
      const m = /^\{([^}]+)\}$/.exec(seg);
      if (m) {
        const name = m[1]!;
        if (node.param && node.param.name !== name) throw new Error(`conflicting path parameters {${node.param.name}} and {${name}} at ${op.path}`);
        node.param ??= { name, node: newNode() };
        node = node.param.node;
        paramNames.push(name);
      } else {
        const key = seg.toLowerCase();
        let next = node.literals.get(key);
        if (!next) node.literals.set(key, (next = newNode()));
        node = next;
      }
    }
    const method = op.method.toUpperCase();
    if (node.methods.has(method)) throw new Error(`two operations for ${method} ${op.path}`);
    const route: RouteOperation = { operationId: op.operationId, method, path: op.path, paramNames };
    node.methods.set(method, route);
    this.operations.push(route);
  }

  /** Matches decoded path segments (relative to /api). Literal segments win over parameters. */
  match(method: string, segments: readonly string[]): RouteMatch {
    const params: string[] = [];
    const node = walk(this.root, segments, 0, params);
    if (!node || node.methods.size === 0) return { kind: 'none' };
    const op = node.methods.get(method);
    if (!op) return { kind: 'method', allow: [...node.methods.keys()].sort() };
    const named: Record<string, string> = {};
    op.paramNames.forEach((name, i) => (named[name] = params[i]!));
    return { kind: 'found', operation: op, params: named };
  }
}

function walk(node: Node, segments: readonly string[], i: number, params: string[]): Node | undefined {
  if (i === segments.length) return node;
  const seg = segments[i]!;
  const literal = node.literals.get(seg.toLowerCase());
  if (literal) {
    const found = walk(literal, segments, i + 1, params);
    if (found && found.methods.size) return found;
  }
  if (node.param) {
    params.push(seg);
    const found = walk(node.param.node, segments, i + 1, params);
    if (found && found.methods.size) return found;
    params.pop();
  }
  return undefined;
}

function safeListOperations(): OperationInfo[] {
  return listOperations();
}

// ---------------------------------------------------------------- request target

export interface ParsedTarget {
  /** Decoded path segments after /api. */
  segments: string[];
  /** The raw query string (without `?`), '' when none. */
  rawQuery: string;
  query: URLSearchParams;
}

/** Parses and checks a request target; throws MockHttpError (400, 404, 414) for what cannot be routed. */
export function parseTarget(url: string, maxUrlLength: number): ParsedTarget {
  if (url.length > maxUrlLength) throw httpError.uriTooLong(`The request URI is longer than ${maxUrlLength} characters.`);
  let target = url;
  if (!target.startsWith('/')) {
    const abs = /^https?:\/\/[^/?#]*/i.exec(target);
    if (!abs) throw httpError.badRequest('The request URI is not valid.');
    target = target.slice(abs[0].length) || '/';
    if (!target.startsWith('/') && !target.startsWith('?')) throw httpError.badRequest('The request URI is not valid.');
  }
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  const rawQuery = q >= 0 ? target.slice(q + 1) : '';
  const raw = rawPath.split('/').filter((s) => s !== '');
  const segments: string[] = [];
  for (const s of raw) segments.push(decodeSegment(s));
  const base = segments.shift();
  if (base === undefined || base.toLowerCase() !== 'api') throw httpError.notFound(`The resource '${truncate(rawPath, 200)}' was not found: the API is served under /api/.`);
  return { segments, rawQuery, query: new URLSearchParams(rawQuery) };
}

function decodeSegment(raw: string): string {
  let s = raw;
  if (raw.includes('%')) {
    try {
      s = decodeURIComponent(raw);
    } catch {
      throw httpError.badRequest('The request URI is not valid: malformed percent-encoding.');
    }
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(s)) throw httpError.badRequest('The request URI is not valid: a path segment contains a slash, a backslash or a control character.');
  if (s === '.' || s === '..') throw httpError.badRequest('The request URI is not valid: dot segments are not allowed.');
  return s;
}

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
