import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, SPEC_FILE } from './paths.ts';

/** A JSON Schema / OpenAPI schema object as it appears in spec/openapi.yaml. */
export type SchemaObject = Record<string, any>;

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, SchemaObject>; parameters?: Record<string, any>; responses?: Record<string, any>; headers?: Record<string, any> };
  [extension: `x-${string}`]: unknown;
}

export const HTTP_METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

export interface OperationInfo {
  operationId: string;
  method: string;
  /** Path template relative to the API base, e.g. `/backupSessions/{ID}`. */
  path: string;
  operation: Record<string, any>;
}

let cached: { file: string; doc: OpenApiDocument } | undefined;

/**
 * Parsed YAML, cached as JSON under node_modules/.cache keyed by the text's hash: every suite worker, the mock and the
 * CLI read the 270 KB spec, and parsing it as YAML takes about 300 ms where JSON takes 15. A changed file has another
 * hash, so the cache never serves stale content; when the folder is not writable, the YAML is parsed every time.
 */
export function parseYamlCached(text: string): unknown {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
  const dir = path.join(REPO_ROOT, 'node_modules', '.cache', 'em-conformance');
  const file = path.join(dir, `${hash}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    const value = parse(text) as unknown;
    try {
      mkdirSync(dir, { recursive: true });
      // write then rename: a concurrent reader sees the whole file or none
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(value));
      renameSync(tmp, file);
    } catch {
      /* read-only install: parse each time */
    }
    return value;
  }
}

/** Loads spec/openapi.yaml once per process (the contract is read-only at run time). */
export function loadSpec(file = SPEC_FILE): OpenApiDocument {
  if (cached?.file === file) return cached.doc;
  const doc = parseYamlCached(readFileSync(file, 'utf8')) as OpenApiDocument;
  cached = { file, doc };
  return doc;
}

/** Follows a local `$ref` (`#/components/...`) inside the spec. */
export function resolveRef<T = any>(doc: OpenApiDocument, value: any): T {
  let current = value;
  for (let depth = 0; current && typeof current === 'object' && typeof current.$ref === 'string'; depth++) {
    if (depth > 32) throw new Error(`$ref cycle at ${value.$ref}`);
    const ref: string = current.$ref;
    if (!ref.startsWith('#/')) throw new Error(`only local $ref is supported: ${ref}`);
    current = ref
      .slice(2)
      .split('/')
      .reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    if (current === undefined) throw new Error(`unresolved $ref ${ref}`);
  }
  return current as T;
}

export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

export function listOperations(doc = loadSpec()): OperationInfo[] {
  const out: OperationInfo[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item?.[method];
      if (operation?.operationId) out.push({ operationId: operation.operationId, method: method.toUpperCase(), path, operation });
    }
  }
  return out;
}

export function getOperation(operationId: string, doc = loadSpec()): OperationInfo {
  const found = listOperations(doc).find((op) => op.operationId === operationId);
  if (!found) throw new Error(`unknown operationId '${operationId}' (not in spec/openapi.yaml)`);
  return found;
}

/** The status codes an operation documents, as strings ('200', '4XX', 'default' kept verbatim). */
export function documentedStatuses(op: OperationInfo): string[] {
  return Object.keys(op.operation.responses ?? {});
}

export function statusAllowed(op: OperationInfo, status: number): boolean {
  const codes = documentedStatuses(op);
  return codes.includes(String(status)) || codes.includes(`${String(status)[0]}XX`) || codes.includes('default');
}
