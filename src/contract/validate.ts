/**
 * The validation module shared by the mock's tests, the suite and the CLI: given what a server answered, return
 * every violation of the contract as a precise message (where, expected, actual).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import libxml from 'libxmljs2';
import { ParseOption, XmlDocument, XmlError, XmlLibError, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { EM_NAMESPACE, JSON_SCHEMA_FILE, JSON_SCHEMA_OMIT_ABSENT_FILE, XSD_FILE } from './paths.ts';
import { buildModel } from './schema-model.ts';
import { getOperation, loadSpec, refName, resolveRef, statusAllowed, type OperationInfo } from './spec.ts';
import type { JsonMapping } from './json-schema.ts';

export type CheckName =
  | 'status'
  | 'content-type'
  | 'content-length'
  | 'body-empty'
  | 'xml-wellformed'
  | 'xml-namespace'
  | 'xml-root'
  | 'xml-schema'
  | 'json-parse'
  | 'json-schema'
  | 'type-attribute';

export interface Violation {
  check: CheckName;
  where: string;
  expected: string;
  actual: string;
  message: string;
}

function violation(check: CheckName, where: string, expected: string, actual: string, message?: string): Violation {
  return { check, where, expected, actual, message: message ?? `${where}: expected ${expected}, got ${actual}` };
}

// ---------------------------------------------------------------- XML

/**
 * Two ways to the same libxml2 XSD validator, chosen by size. libxmljs2's `Document.validate(xsd)` compiles the
 * schema on every call: about 0.75 ms for schemas/em.xsd, sixteen times the parse and check of a small body, and most
 * bodies a run checks are small. libxml2-wasm's XsdValidator keeps the compiled schema, but parses and validates
 * more slowly than native code, which is what a large body costs: the two take the same time at about half a million
 * characters, and native code is ahead above (`npm run bench -- validation`, docs/benchmarks.md).
 */
export const NATIVE_FROM_CHARS = 500_000;

let xsdValidator: XsdValidator | undefined;
function compiledXsd(): XsdValidator {
  if (!xsdValidator) {
    const schema = XmlDocument.fromString(readFileSync(XSD_FILE, 'utf8'), { url: XSD_FILE, option: SAFE_WASM_PARSE });
    try {
      xsdValidator = XsdValidator.fromDoc(schema);
    } finally {
      schema.dispose();
    }
  }
  return xsdValidator;
}

let xsdDocument: libxml.Document | undefined;
function xsdForLibxmljs2(): libxml.Document {
  xsdDocument ??= libxml.parseXml(readFileSync(XSD_FILE, 'utf8'), { nonet: true });
  return xsdDocument;
}

/** No network, no external entities; the body is already text, so its declared encoding is not applied again. */
const SAFE_WASM_PARSE = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_IGNORE_ENC;

type SchemaError = { message: string; line?: number };

function libxmljs2SchemaErrors(doc: libxml.Document): SchemaError[] {
  return doc.validate(xsdForLibxmljs2()) ? [] : (doc.validationErrors as SchemaError[]);
}

/** The schema errors of a well-formed document parsed by libxml2-wasm (libxml2's messages, with their lines). */
function compiledSchemaErrors(doc: XmlDocument, body: string): SchemaError[] {
  try {
    compiledXsd().validate(doc);
    return [];
  } catch (err) {
    if (err instanceof XmlValidateError) return err.details.map((d) => ({ message: d.message, line: d.line }));
    // libxml2 stops with an internal error (no details through libxml2-wasm) on what its validator cannot process,
    // such as an entity reference left unexpanded: libxmljs2 reports that error with the others.
    if (err instanceof XmlError) return libxmljs2SchemaErrors(parseXmlSafely(body));
    throw err;
  }
}

function notWellFormed(err: unknown): Violation {
  const detail = err instanceof XmlLibError ? err.details[0] : undefined;
  const e = err as { message?: string; line?: number; column?: number };
  const line = detail?.line ?? e.line ?? '?';
  const column = detail?.col ?? e.column ?? '?';
  const message = tidyLibxmlMessage(detail?.message ?? e.message ?? String(err));
  return violation('xml-wellformed', `line ${line}:${column}`, 'well-formed XML', message, `body is not well-formed XML: ${message}`);
}

/** libxml2 writes qualified names as {namespace}Name; EM's namespace is implied everywhere, so drop it. */
function tidyLibxmlMessage(message: string): string {
  return message.replaceAll(`{${EM_NAMESPACE}}`, '').replace(/\s+$/, '');
}

/** Parses untrusted XML: no external entities, no network, no DTD loading. */
export function parseXmlSafely(body: string): libxml.Document {
  return libxml.parseXml(body, { nonet: true, noent: false, dtdload: false, dtdvalid: false, huge: false });
}

/**
 * The document element's name, namespace and attributes, read from its start tag. libxmljs2 makes every node
 * wrapper it creates cost time proportional to the document (a 10 MB body: about 250 ms for `doc.root()`), so the
 * validator reads the one element it needs from the text, after libxml2 has found the document well-formed.
 */
export function rootStartTag(body: string): { name: string; namespace: string | null; attributes: Record<string, string> } | undefined {
  const prolog = /^\uFEFF?(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>)*<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/;
  const m = prolog.exec(body);
  if (!m) return undefined;
  const qname = m[1]!;
  const attributes: Record<string, string> = {};
  for (const a of (m[2] ?? '').matchAll(/([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attributes[a[1]!] = decodeXmlText(a[2] ?? a[3] ?? '');
  const colon = qname.indexOf(':');
  const prefix = colon >= 0 ? qname.slice(0, colon) : '';
  const namespace = (prefix ? attributes[`xmlns:${prefix}`] : attributes.xmlns) ?? null;
  return { name: colon >= 0 ? qname.slice(colon + 1) : qname, namespace, attributes };
}

function decodeXmlText(value: string): string {
  return value.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

export type XmlValidatorEngine = 'native' | 'compiled';

export interface XmlCheckOptions {
  expectedRoots?: string[];
  /** Receives libxmljs2's document of a well-formed body, for a caller that reads the body too. */
  onDocument?: (doc: libxml.Document) => void;
}

/**
 * Validates an XML body. `onDocument` receives the parsed document (libxmljs2's) when the body is well-formed, so
 * that a caller reading the body too (the suite's client) does not parse it a second time.
 */
export function validateXml(body: string, opts: XmlCheckOptions = {}): Violation[] {
  return validateXmlWith(body.length >= NATIVE_FROM_CHARS ? 'native' : 'compiled', body, opts);
}

/** validateXml through one engine: `native` (libxmljs2) or `compiled` (libxml2-wasm); the benchmark compares them. */
export function validateXmlWith(engine: XmlValidatorEngine, body: string, opts: XmlCheckOptions = {}): Violation[] {
  if (engine === 'native') {
    let doc: libxml.Document;
    try {
      doc = parseXmlSafely(body);
      opts.onDocument?.(doc);
    } catch (err) {
      return [notWellFormed(err)];
    }
    return checkDocument(body, opts.expectedRoots, () => libxmljs2SchemaErrors(doc));
  }
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(Buffer.from(body, 'utf8'), { option: SAFE_WASM_PARSE });
  } catch (err) {
    if (err instanceof XmlLibError) return [notWellFormed(err)];
    throw err;
  }
  try {
    if (opts.onDocument) {
      try {
        opts.onDocument(parseXmlSafely(body));
      } catch (err) {
        return [notWellFormed(err)];
      }
    }
    return checkDocument(body, opts.expectedRoots, () => compiledSchemaErrors(doc, body));
  } finally {
    doc.dispose();
  }
}

function checkDocument(body: string, expectedRoots: string[] | undefined, schemaErrors: () => SchemaError[]): Violation[] {
  const root = rootStartTag(body);
  if (!root) return [violation('xml-wellformed', '/', 'a root element', 'none')];
  const out: Violation[] = [];
  const ns = root.namespace ?? '(no namespace)';
  if (ns !== EM_NAMESPACE) out.push(violation('xml-namespace', `/${root.name}`, `namespace ${EM_NAMESPACE}`, ns, `root element <${root.name}> is in namespace ${ns}, expected ${EM_NAMESPACE}`));
  if (expectedRoots?.length && !expectedRoots.includes(root.name)) {
    out.push(violation('xml-root', '/', `root element ${expectedRoots.join(' or ')}`, root.name, `root element is <${root.name}>, expected <${expectedRoots.join('> or <')}>`));
  }
  if (!buildModel().roots.has(root.name)) {
    out.push(violation('xml-root', '/', 'a root element the contract defines', root.name, `<${root.name}> is not a representation defined by the contract`));
    return out;
  }
  if (ns !== EM_NAMESPACE) return out;
  for (const e of schemaErrors()) {
    const msg = tidyLibxmlMessage(e.message);
    out.push(violation('xml-schema', `line ${e.line ?? '?'}`, 'valid against schemas/em.xsd', msg, `XSD: line ${e.line ?? '?'}: ${msg}`));
  }
  out.push(...checkTypeAttribute(root.name, root.attributes.Type ?? null, `/${root.name}/@Type`));
  return out;
}

// ---------------------------------------------------------------- Type attribute ↔ root element

interface LinkTypeTable {
  byType: Record<string, string>;
  byTarget: Array<{ operationId: string; type?: string; root: string }>;
}

/** The spec's `x-em-link-types` table: the Types the documented rules do not derive, and per-target exceptions. */
function linkTypeTable(): LinkTypeTable {
  const table = loadSpec()['x-em-link-types'] as Partial<LinkTypeTable> | undefined;
  return { byType: table?.byType ?? {}, byTarget: table?.byTarget ?? [] };
}

/**
 * The XML root element a link or resource Type maps to (S-DUMP link_types_and_xml_schema rules 1–4), or, when the
 * operation the link targets is known, the root that documented link serves.
 */
export function rootForType(type: string, targetOperationId?: string): string {
  const table = linkTypeTable();
  if (targetOperationId) {
    const hit = table.byTarget.find((t) => t.operationId === targetOperationId && (t.type === undefined || t.type === type));
    if (hit) return hit.root;
  }
  const direct = table.byType[type];
  if (direct) return direct;
  if (type.endsWith('ReferenceList')) return 'EntityReferences';
  if (type.endsWith('Reference')) return 'EntityRef';
  if (type.endsWith('List')) {
    const stem = type.slice(0, -4);
    return /[^aeiou]y$/.test(stem) ? `${stem.slice(0, -1)}ies` : `${stem}s`;
  }
  return type;
}

function checkTypeAttribute(root: string, type: string | null, where: string): Violation[] {
  if (type === null || type === '') return [];
  const expectedRoot = rootForType(type);
  if (expectedRoot === root) return [];
  return [violation('type-attribute', where, `a Type that maps to <${root}>`, type, `Type="${type}" maps to <${expectedRoot}>, but the root element is <${root}>`)];
}

// ---------------------------------------------------------------- JSON

const validators = new Map<string, ValidateFunction>();
let ajvs: Partial<Record<JsonMapping, Ajv2020>> = {};

function ajvFor(mapping: JsonMapping): Ajv2020 {
  let ajv = ajvs[mapping];
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats.default(ajv);
    const file = mapping === 'strict' ? JSON_SCHEMA_FILE : JSON_SCHEMA_OMIT_ABSENT_FILE;
    ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')), mapping);
    ajvs = { ...ajvs, [mapping]: ajv };
  }
  return ajv;
}

function jsonValidator(component: string, mapping: JsonMapping): ValidateFunction {
  const key = `${mapping}:${component}`;
  let v = validators.get(key);
  if (!v) {
    v = ajvFor(mapping).getSchema(`${mapping}#/$defs/${component}`);
    if (!v) throw new Error(`no JSON Schema definition for ${component}`);
    validators.set(key, v);
  }
  return v;
}

function describeAjvError(e: ErrorObject): Violation {
  const where = e.instancePath || '/';
  switch (e.keyword) {
    case 'unevaluatedProperties': {
      const key = String((e.params as { unevaluatedProperty?: string }).unevaluatedProperty);
      return violation('json-schema', `${where}`, 'only the keys the contract defines (PascalCase)', `unexpected key "${key}"`, `${where}: unexpected key "${key}"`);
    }
    case 'required': {
      const key = String((e.params as { missingProperty?: string }).missingProperty);
      return violation('json-schema', where, `key "${key}" present (null when absent)`, 'missing', `${where}: missing key "${key}" (EM sends null for absent values)`);
    }
    case 'enum':
      return violation('json-schema', where, `one of ${JSON.stringify((e.params as { allowedValues?: unknown[] }).allowedValues)}`, 'another value', `${where}: ${e.message ?? 'not an allowed value'}`);
    default:
      return violation('json-schema', where, `${e.keyword} ${JSON.stringify(e.params)}`, 'a value that does not match', `${where}: ${e.message ?? e.keyword}`);
  }
}

/** Parses a JSON body; a UTF-8 BOM is reported (real EM sends none, em-api-notes §2.1). */
export function parseJsonBody(body: string): { value?: unknown; violations: Violation[] } {
  if (body.charCodeAt(0) === 0xfeff) {
    return { violations: [violation('json-parse', 'byte 0', 'no byte order mark', 'U+FEFF', 'JSON body starts with a byte order mark')] };
  }
  try {
    return { value: JSON.parse(body), violations: [] };
  } catch (err) {
    return { violations: [violation('json-parse', '/', 'valid JSON', (err as Error).message, `body is not valid JSON: ${(err as Error).message}`)] };
  }
}

/**
 * Validates a JSON value as the representation whose XML root element is `typeName`
 * (BackupJobSession, QueryResult, EntityReferences, Error…).
 */
export function validateJson(body: string | unknown, typeName: string, opts: { mapping?: JsonMapping } = {}): Violation[] {
  let value = body;
  if (typeof body === 'string') {
    const parsed = parseJsonBody(body);
    if (parsed.violations.length) return parsed.violations;
    value = parsed.value;
  }
  const component = buildModel().roots.get(typeName);
  if (!component) throw new UnknownTypeError(typeName);
  const validate = jsonValidator(component, opts.mapping ?? 'strict');
  if (validate(value)) return [];
  return dedupe((validate.errors ?? []).map(describeAjvError));
}

export class UnknownTypeError extends Error {
  constructor(readonly typeName: string) {
    super(`unknown type '${typeName}': expected one of ${[...buildModel().roots.keys()].sort().join(', ')}`);
  }
}

function dedupe(list: Violation[]): Violation[] {
  const seen = new Set<string>();
  return list.filter((v) => (seen.has(v.message) ? false : (seen.add(v.message), true)));
}

// ---------------------------------------------------------------- whole responses

export type MediaType = 'application/xml' | 'application/json';

/** What the server should answer for this Accept header (XML unless JSON is asked for: em-api-notes §2.1, §10). */
export function negotiatedMediaType(accept: string | undefined | null): MediaType {
  return accept && /application\/json/i.test(accept) ? 'application/json' : 'application/xml';
}

/** The root elements a response may have, read from its schema in the spec (a $ref, or oneOf of $refs). */
export function responseRoots(op: OperationInfo, status: number, mediaType: MediaType): string[] {
  const responses = op.operation.responses ?? {};
  const response = resolveRef(loadSpec(), responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default);
  const schema = response?.content?.[mediaType]?.schema;
  if (!schema) return [];
  const refs: string[] = [];
  const collect = (s: any): void => {
    if (!s) return;
    if (typeof s.$ref === 'string') refs.push(refName(s.$ref));
    for (const alt of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) collect(alt);
  };
  collect(schema);
  const model = buildModel();
  return refs.flatMap((component) => {
    const type = model.types.get(component);
    return type && 'roots' in type ? type.roots : [];
  });
}

export interface ResponseToCheck {
  operationId: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The Accept header that was sent. */
  accept?: string | null;
  /** Narrows the expected representation when the caller knows it (e.g. EntityRef vs BackupJobSession). */
  expectedRoot?: string;
  mapping?: JsonMapping;
  /** Receives the parsed XML document of a well-formed XML body (see validateXml). */
  onXmlDocument?: (doc: libxml.Document) => void;
}

function header(headers: ResponseToCheck['headers'], name: string): string | undefined {
  const direct = headers[name] ?? headers[name.toLowerCase()] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  return Array.isArray(direct) ? direct.join(', ') : direct;
}

/** The fixed set of response checks (status, Content-Type, Content-Length, body against the schema). */
export function validateResponse(r: ResponseToCheck): Violation[] {
  const op = getOperation(r.operationId);
  const out: Violation[] = [];
  if (!statusAllowed(op, r.status)) {
    out.push(violation('status', `${op.method} ${op.path}`, `one of ${Object.keys(op.operation.responses ?? {}).join(', ')}`, String(r.status), `status ${r.status} is not documented for ${op.operationId}`));
  }
  const length = header(r.headers, 'content-length');
  const bytes = Buffer.byteLength(r.body, 'utf8');
  if (length === undefined) out.push(violation('content-length', 'Content-Length', String(bytes), 'absent', 'response has no Content-Length header'));
  else if (Number(length) !== bytes) out.push(violation('content-length', 'Content-Length', String(bytes), length, `Content-Length ${length} does not match the body length ${bytes}`));
  if (r.status === 204) {
    if (bytes > 0) out.push(violation('body-empty', 'body', 'no body', `${bytes} bytes`, '204 response has a body'));
    return out;
  }
  const expectedMedia = negotiatedMediaType(r.accept);
  const contentType = header(r.headers, 'content-type');
  const actualMedia = contentType?.split(';')[0]?.trim().toLowerCase();
  if (actualMedia !== expectedMedia) {
    out.push(violation('content-type', 'Content-Type', expectedMedia, contentType ?? 'absent', `Content-Type is ${contentType ?? 'absent'}, expected ${expectedMedia} for Accept: ${r.accept ?? '(none)'}`));
  }
  const roots = r.expectedRoot ? [r.expectedRoot] : responseRoots(op, r.status, expectedMedia);
  if (actualMedia === 'application/json' || (actualMedia !== 'application/xml' && expectedMedia === 'application/json')) {
    const parsed = parseJsonBody(r.body);
    if (parsed.violations.length) return [...out, ...parsed.violations];
    if (!roots.length) return out;
    // Without a known root, the body must match one of the documented representations: report the closest.
    const attempts = roots.map((root) => validateJson(parsed.value, root, r.mapping ? { mapping: r.mapping } : {}));
    if (attempts.some((a) => a.length === 0)) return out;
    return [...out, ...attempts.reduce((best, a) => (a.length < best.length ? a : best))];
  }
  return [...out, ...validateXml(r.body, { expectedRoots: roots, ...(r.onXmlDocument ? { onDocument: r.onXmlDocument } : {}) })];
}
