import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SPEC_FILE } from './paths.ts';

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

/** Loads spec/openapi.yaml once per process (the contract is read-only at run time). */
export function loadSpec(file = SPEC_FILE): OpenApiDocument {
  if (cached?.file === file) return cached.doc;
  const doc = parse(readFileSync(file, 'utf8')) as OpenApiDocument;
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
