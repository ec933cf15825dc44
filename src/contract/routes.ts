/** Maps a request (method + URL) to the spec operation it exercises, from the path templates of spec/openapi.yaml. */
import { listOperations, loadSpec, type OpenApiDocument, type OperationInfo } from './spec.ts';

export interface RouteMatch {
  op: OperationInfo;
  params: Record<string, string>;
}

interface CompiledRoute {
  op: OperationInfo;
  regex: RegExp;
  names: string[];
  /** Literal segments count: more specific templates win (`/agents/jobs` before `/agents/{x}`). */
  literals: number;
}

const compiled = new WeakMap<OpenApiDocument, CompiledRoute[]>();

function compile(doc: OpenApiDocument): CompiledRoute[] {
  let routes = compiled.get(doc);
  if (!routes) {
    routes = listOperations(doc).map((op) => {
      const names: string[] = [];
      const pattern = op.path
        .split('/')
        .map((seg) =>
          seg.replace(/\{([^}]+)\}|[^{]+/g, (m, name?: string) => {
            if (name) {
              names.push(name);
              return '([^/]+)';
            }
            return m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          }),
        )
        .join('/');
      // Trailing slashes are not significant (`/sessionMngr/` and `/sessionMngr` are one resource).
      const regex = new RegExp(`^${pattern.replace(/\/$/, '')}/?$`);
      return { op, regex, names, literals: op.path.split('/').filter((s) => s && !s.includes('{')).length };
    });
    routes.sort((a, b) => b.literals - a.literals);
    compiled.set(doc, routes);
  }
  return routes;
}

/**
 * Finds the operation for a method and a path relative to the API base (`/backupSessions/abc`), or for an absolute
 * URL given with the API base (`https://h:9398/api`).
 */
export function matchOperation(method: string, pathOrUrl: string, apiBase?: string, doc: OpenApiDocument = loadSpec()): RouteMatch | undefined {
  let path = pathOrUrl;
  if (apiBase && path.startsWith(apiBase)) path = path.slice(apiBase.length);
  else if (/^https?:\/\//i.test(path)) path = new URL(path).pathname.replace(/^\/api(?=\/|$)/, '');
  path = path.split(/[?#]/)[0] ?? '';
  if (path === '') path = '/';
  path = path.replace(/\/{2,}/g, '/');
  const upper = method.toUpperCase();
  for (const route of compile(doc)) {
    if (route.op.method !== upper) continue;
    const m = route.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { op: route.op, params };
  }
  return undefined;
}

/** True when some operation (any method) serves this path: used to tell a wrong method (405) from an unknown path (404). */
export function pathKnown(pathOrUrl: string, apiBase?: string, doc: OpenApiDocument = loadSpec()): boolean {
  return ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].some((m) => matchOperation(m, pathOrUrl, apiBase, doc));
}
