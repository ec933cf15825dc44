/**
 * Representation shapes, recorded from the responses a conformance run receives anyway (no extra requests), so that
 * two runs (today's EM and the upgrade candidate) can be compared for what changes for clients (src/compare/compare.ts).
 *
 * Per operation, status and media type the recorder keeps, for every path of the body (XML: elements and `@attributes`,
 * `BackupJobSession/Links/Link/@Rel`; JSON: keys, `[]` for array items, `Entities.BackupJobSessions.BackupJobSessions[]`):
 * how often it occurred (`n`), in how many instances of its parent it occurred (`in`, so that "always there" can be
 * told from "sometimes there"), the kinds of values (JSON types; for XML text: boolean, number, datetime, text, empty,
 * element), the values of enumerations only (enum-typed properties of the spec, `Rel` and `Type`), and for timestamps
 * the fractional-second digits and the zone suffix. Link relations and Types are recorded as pseudo paths
 * `…/Links/{Up BackupServerReference}` counted per Links container. Plus the default page size (PagingInfo of
 * responses whose request named no pageSize) and the API versions GET /api/ advertises.
 *
 * Nothing else of a value is kept: no IDs, names, Hrefs, session IDs or tokens. Sets are bounded (MAX_*).
 * The recording is generic: it reads whatever the server sends, and takes from the spec only which property names
 * are enumerations, so resources added to the spec are recorded with no change here.
 */
import { allProperties, buildModel, resolveTypeRef, type ObjectType } from '../contract/schema-model.ts';
import { compareApiVersions, parseEntryPoint } from '../report/target.ts';

export const SHAPES_VERSION = 1;

/** Bounds that keep the shape data small whatever the server sends. */
export const MAX_PATHS_PER_RECORD = 2000;
export const MAX_RECORDS = 600;
export const MAX_VALUES_PER_PATH = 40;

export interface PathStat {
  /** Occurrences. */
  n: number;
  /** Instances of the parent path that held it at least once (the parent's `n` is the number of instances). */
  in: number;
  /** Kinds of values seen (JSON: string number boolean null object array; XML: element text number boolean datetime empty). */
  kinds: string[];
  /** Values seen, for enumerations only (spec enum properties, Rel, Type). */
  values?: string[];
  /** Timestamps: fractional-second digits seen. */
  digits?: number[];
  /** Timestamps: zone suffixes seen (Z, offset, none). */
  zones?: string[];
}

export interface OperationShape {
  operationId: string;
  method: string;
  /** Path template of the operation (relative to /api). */
  path: string;
  status: number;
  mediaType: string;
  /** Responses recorded (the root path's number of instances). */
  responses: number;
  /** Path → statistics; '' is the document itself. */
  paths: Record<string, PathStat>;
  /** PageSize of PagingInfo in responses whose request named no pageSize. */
  defaultPageSize?: number[];
  /** More than MAX_PATHS_PER_RECORD paths: the rest were not recorded. */
  truncated?: boolean;
}

export interface ShapeData {
  version: number;
  /** Responses recorded in all. */
  responses: number;
  /** SupportedVersion names of GET /api/ (oldest first). */
  apiVersions: string[];
  operations: OperationShape[];
}

export interface ResponseToRecord {
  operationId: string;
  method: string;
  /** Path template of the operation. */
  route: string;
  url: string;
  status: number;
  contentType: string | undefined;
  text: string;
}

export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;
/** Values kept for enumerations look like identifiers; anything else (a GUID, a token, free text) is never kept. */
const ENUM_VALUE = /^[A-Za-z][A-Za-z0-9_.\- ]{0,47}$/;
const GUID_LIKE = /[0-9a-f]{8}-[0-9a-f]{4}/i;
/** A long run of letters and digits without spaces (a base64 session token): never an enumeration value. */
const TOKEN_LIKE = /^(?=[^ ]*\d)[^ ]{16,}$/;
const LINK_SEGMENT = /^\{.*\}$/;

/**
 * Properties whose values are an enumeration, by lower-case name, with the values the spec documents (united over the
 * components that use the name; null for link `Rel` and resource `Type`, a vocabulary the spec does not list as an
 * enum). `mixed`: the name is also a free-text property elsewhere (`Name` is a day of the week in schedules, and the
 * name of anything else): then only documented values are kept, so that no name is ever recorded.
 */
export interface EnumProperty {
  documented: Set<string> | null;
  mixed: boolean;
}

let enumNames: Map<string, EnumProperty> | undefined;
export function enumProperties(): Map<string, EnumProperty> {
  if (enumNames) return enumNames;
  const names = new Map<string, EnumProperty>([
    ['rel', { documented: null, mixed: false }],
    ['type', { documented: null, mixed: false }],
  ]);
  const freeText = new Set<string>();
  const model = buildModel();
  for (const t of model.types.values()) {
    if (t.kind !== 'object') continue;
    for (const p of allProperties(model, t as ObjectType)) {
      const resolved = resolveTypeRef(model, p.type);
      const keys = [p.name.toLowerCase(), p.xmlName.toLowerCase()];
      if (resolved.kind !== 'simple') continue;
      if (!resolved.enum?.length) {
        if (resolved.base === 'string') for (const k of keys) freeText.add(k);
        continue;
      }
      for (const name of keys) {
        const entry = names.get(name) ?? { documented: new Set<string>(), mixed: false };
        entry.documented ??= new Set<string>();
        for (const v of resolved.enum) entry.documented.add(v);
        names.set(name, entry);
      }
    }
  }
  for (const [name, entry] of names) if (freeText.has(name) && entry.documented) entry.mixed = true;
  enumNames = names;
  return names;
}

/** Whether a value of an enum-named property may be kept: identifier-like, not a GUID or token, not a secret. */
function keepable(value: string, entry: EnumProperty, isSecret: (v: string) => boolean): boolean {
  if (!ENUM_VALUE.test(value) || GUID_LIKE.test(value) || TOKEN_LIKE.test(value) || isSecret(value)) return false;
  if (!entry.mixed) return true;
  const folded = value.toLowerCase();
  return [...entry.documented!].some((d) => d.toLowerCase() === folded);
}

export function mediaTypeOf(contentType: string | undefined, text: string): string {
  const declared = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (declared) return declared;
  const start = text.replace(/^\uFEFF/, '').trimStart()[0];
  return start === '{' || start === '[' ? 'application/json' : start === '<' ? 'application/xml' : 'none';
}

function isJsonMedia(mediaType: string, text: string): boolean {
  if (/json/.test(mediaType)) return true;
  if (/xml/.test(mediaType)) return false;
  const start = text.replace(/^\uFEFF/, '').trimStart()[0];
  return start === '{' || start === '[';
}

export function textKind(text: string): string {
  const t = text.trim();
  if (!t) return 'empty';
  if (t === 'true' || t === 'false') return 'boolean';
  if (/^-?\d+(\.\d+)?$/.test(t)) return 'number';
  if (ISO_DATE_TIME.test(t)) return 'datetime';
  return 'text';
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Parent of a recorded path ('' for a top-level one). XML separates with '/', JSON with '.' and '[]'. */
export function parentPath(p: string, json: boolean): string {
  if (json) {
    if (p.endsWith('[]')) return p.slice(0, -2);
    const i = p.lastIndexOf('.');
    return i < 0 ? '' : p.slice(0, i);
  }
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** Last key or element name of a path (an attribute without its '@'). */
export function lastName(p: string): string {
  const seg = p.split(/[./]/).pop() ?? '';
  return seg.replace(/\[\]$/, '').replace(/^@/, '');
}

export function isLinkPath(p: string): boolean {
  return LINK_SEGMENT.test(p.split(/[./]/).pop() ?? '');
}

interface MutableStat {
  n: number;
  in: number;
  kinds: Set<string>;
  /** What a value of this path may keep, worked out once per path (the walk is on every response of a run). */
  scalar?: { enumEntry: EnumProperty | undefined; pageSize: boolean };
  values?: Set<string>;
  digits?: Set<number>;
  zones?: Set<string>;
}

type MutableRecord = Omit<OperationShape, 'paths' | 'defaultPageSize'> & {
  paths: Map<string, MutableStat>;
  defaultPageSize?: Set<number>;
};

/** One record per operation, status and media type; `record()` per response, `data()` to serialise. */
export class ShapeBook {
  private readonly records = new Map<string, MutableRecord>();
  private readonly apiVersions = new Set<string>();
  private responses = 0;

  constructor(private readonly isSecret: (value: string) => boolean = () => false) {}

  get size(): number {
    return this.responses;
  }

  record(r: ResponseToRecord): void {
    const mediaType = mediaTypeOf(r.contentType, r.text);
    const key = `${r.operationId}\u0000${r.status}\u0000${mediaType}`;
    let rec = this.records.get(key);
    if (!rec) {
      if (this.records.size >= MAX_RECORDS) return;
      rec = { operationId: r.operationId, method: r.method, path: r.route, status: r.status, mediaType, responses: 0, paths: new Map() };
      this.records.set(key, rec);
    }
    this.responses += 1;
    rec.responses += 1;
    if (r.operationId === 'getEnterpriseManager' && r.status === 200) for (const v of parseEntryPoint(r.text).apiVersions) this.apiVersions.add(v);
    const text = r.text.replace(/^\uFEFF/, '');
    if (!text.trim()) return;
    let pageSizeNamed = false;
    try {
      pageSizeNamed = [...new URL(r.url).searchParams.keys()].some((k) => k.toLowerCase() === 'pagesize');
    } catch {
      /* a relative or odd URL: treat as unnamed */
    }
    const walker = new Walker(rec, this.isSecret, pageSizeNamed);
    if (isJsonMedia(mediaType, text)) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        walker.stat('', 'unparsable');
        return;
      }
      walker.json(value);
    } else {
      walker.xml(text);
    }
  }

  data(): ShapeData {
    const operations = [...this.records.values()].map(serialiseRecord);
    return { version: SHAPES_VERSION, responses: this.responses, apiVersions: [...this.apiVersions].sort(compareApiVersions), operations: sortOperations(operations) };
  }
}

function sortOperations(ops: OperationShape[]): OperationShape[] {
  return ops.sort((a, b) => a.operationId.localeCompare(b.operationId) || a.status - b.status || a.mediaType.localeCompare(b.mediaType));
}

function serialiseRecord(rec: MutableRecord): OperationShape {
  const paths: Record<string, PathStat> = {};
  for (const p of [...rec.paths.keys()].sort()) {
    const s = rec.paths.get(p)!;
    const out: PathStat = { n: s.n, in: s.in, kinds: [...s.kinds].sort() };
    if (s.values?.size) out.values = [...s.values].sort();
    if (s.digits?.size) out.digits = [...s.digits].sort((a, b) => a - b);
    if (s.zones?.size) out.zones = [...s.zones].sort();
    paths[p] = out;
  }
  const out: OperationShape = { operationId: rec.operationId, method: rec.method, path: rec.path, status: rec.status, mediaType: rec.mediaType, responses: rec.responses, paths };
  if (rec.defaultPageSize?.size) out.defaultPageSize = [...rec.defaultPageSize].sort((a, b) => a - b);
  if (rec.truncated) out.truncated = true;
  return out;
}

/** Walks one body into a record. */
class Walker {
  private readonly enums = enumProperties();

  private isJson = false;

  constructor(
    private readonly rec: MutableRecord,
    private readonly isSecret: (value: string) => boolean,
    private readonly pageSizeNamed: boolean,
  ) {}

  /** Counts one occurrence of a path (with a kind, when known yet); undefined when the record is full. */
  stat(p: string, kind?: string): MutableStat | undefined {
    let s = this.rec.paths.get(p);
    if (!s) {
      if (this.rec.paths.size >= MAX_PATHS_PER_RECORD) {
        this.rec.truncated = true;
        return undefined;
      }
      s = { n: 0, in: 0, kinds: new Set() };
      this.rec.paths.set(p, s);
    }
    s.n += 1;
    if (kind) s.kinds.add(kind);
    return s;
  }

  private present(p: string): void {
    const s = this.rec.paths.get(p);
    if (s) s.in += 1;
  }

  /** A scalar value: enumerations keep their value, timestamps their precision, PagingInfo its default PageSize. */
  private scalar(s: MutableStat | undefined, p: string, value: string): void {
    if (!s) return;
    if (!s.scalar) {
      const name = lastName(p).toLowerCase();
      s.scalar = { enumEntry: this.enums.get(name), pageSize: name === 'pagesize' && lastName(parentPath(p, this.isJson)).toLowerCase() === 'paginginfo' };
    }
    const entry = s.scalar.enumEntry;
    if (entry && keepable(value, entry, this.isSecret)) {
      s.values ??= new Set();
      if (s.values.size < MAX_VALUES_PER_PATH) s.values.add(value);
    }
    const m = value.length >= 19 && value.charCodeAt(10) === 84 /* T */ ? ISO_DATE_TIME.exec(value) : null;
    if (m) {
      (s.digits ??= new Set()).add(m[1]?.length ?? 0);
      (s.zones ??= new Set()).add(m[2] === undefined ? 'none' : m[2] === 'Z' ? 'Z' : 'offset');
    }
    if (s.scalar.pageSize && !this.pageSizeNamed && /^\d+$/.test(value)) {
      (this.rec.defaultPageSize ??= new Set()).add(Number(value));
    }
  }

  json(value: unknown): void {
    this.isJson = true;
    this.jsonValue(value, '');
  }

  private jsonValue(value: unknown, p: string): void {
    const s = this.stat(p, jsonKind(value));
    if (value === null || s === undefined) return;
    if (Array.isArray(value)) {
      const item = `${p}[]`;
      const links = new Map<string, number>();
      for (const v of value) {
        this.jsonValue(v, item);
        const pair = linkPair(v);
        if (pair) links.set(pair, (links.get(pair) ?? 0) + 1);
      }
      if (value.length) this.present(item);
      this.linkStats(p ? `${p}.` : '', links);
      return;
    }
    if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const child = p ? `${p}.${k}` : k;
        this.jsonValue(v, child);
        this.present(child);
      }
      return;
    }
    if (typeof value === 'string' || typeof value === 'number') this.scalar(s, p, String(value));
  }

  private linkStats(prefix: string, links: Map<string, number>): void {
    for (const [pair, count] of links) {
      const s = this.stat(`${prefix}{${pair}}`, 'link');
      if (!s) continue;
      s.n += count - 1;
      s.in += 1;
    }
  }

  xml(text: string): void {
    interface Frame {
      path: string;
      children: Set<string>;
      text: string;
      elements: boolean;
      links: Map<string, number>;
    }
    const doc: Frame = { path: '', children: new Set(), text: '', elements: false, links: new Map() };
    this.isJson = false;
    this.stat('', 'element');
    const stack: Frame[] = [doc];
    const close = (f: Frame) => {
      const kind = f.elements ? 'element' : textKind(decodeEntities(f.text));
      const s = this.rec.paths.get(f.path);
      if (s) {
        s.kinds.add(kind);
        if (!f.elements) this.scalar(s, f.path, decodeEntities(f.text).trim());
      }
      this.linkStats(`${f.path}/`, f.links);
    };
    let i = 0;
    while (i < text.length) {
      const lt = text.indexOf('<', i);
      const top = stack[stack.length - 1]!;
      if (lt < 0) break;
      if (lt > i) top.text += text.slice(i, lt);
      if (text.startsWith('<!--', lt)) {
        const end = text.indexOf('-->', lt);
        i = end < 0 ? text.length : end + 3;
        continue;
      }
      if (text.startsWith('<![CDATA[', lt)) {
        const end = text.indexOf(']]>', lt);
        top.text += text.slice(lt + 9, end < 0 ? text.length : end);
        i = end < 0 ? text.length : end + 3;
        continue;
      }
      const gt = text.indexOf('>', lt);
      if (gt < 0) break;
      const tag = text.slice(lt + 1, gt);
      i = gt + 1;
      if (tag.startsWith('?') || tag.startsWith('!')) continue;
      if (tag.startsWith('/')) {
        if (stack.length > 1) close(stack.pop()!);
        continue;
      }
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const name = /^[^\s/]+/.exec(body)?.[0] ?? '';
      if (!name) continue;
      const p = top.path ? `${top.path}/${name}` : name;
      top.elements = true;
      this.stat(p); // its kind is known when it closes
      if (!top.children.has(name)) {
        top.children.add(name);
        this.present(p);
      }
      const attrs: Record<string, string> = {};
      for (const m of body.slice(name.length).matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const attr = m[1]!;
        if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
        const value = decodeEntities(m[2] ?? m[3] ?? '');
        attrs[attr] = value;
        const ap = `${p}/@${attr}`;
        const s = this.stat(ap, textKind(value));
        this.present(ap);
        this.scalar(s, ap, value);
      }
      const pair = linkPair(attrs);
      if (pair) top.links.set(pair, (top.links.get(pair) ?? 0) + 1);
      const frame: Frame = { path: p, children: new Set(), text: '', elements: false, links: new Map() };
      if (selfClosing) close(frame);
      else stack.push(frame);
    }
    while (stack.length > 1) close(stack.pop()!);
  }
}

function decodeEntities(s: string): string {
  return s.includes('&') ? s.replace(/&(lt|gt|amp|quot|apos);/g, (_m, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!) : s;
}

/** `Rel Type` of a link object or Link element (any key casing), undefined for anything else. */
export function linkPair(v: unknown): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  let rel: unknown;
  let type: unknown;
  let href = false;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const key = k.toLowerCase();
    if (key === 'rel') rel = x;
    else if (key === 'type') type = x;
    else if (key === 'href') href = true;
  }
  if (!href || typeof rel !== 'string' || !ENUM_VALUE.test(rel)) return undefined;
  return `${rel} ${typeof type === 'string' && ENUM_VALUE.test(type) ? type : '-'}`;
}

/** Merges the shape data of several workers or shards: counts add up, sets unite. */
export function mergeShapes(parts: readonly ShapeData[]): ShapeData {
  const byKey = new Map<string, OperationShape>();
  const versions = new Set<string>();
  let responses = 0;
  for (const part of parts) {
    responses += part.responses;
    for (const v of part.apiVersions) versions.add(v);
    for (const op of part.operations) {
      const key = `${op.operationId}\u0000${op.status}\u0000${op.mediaType}`;
      const into = byKey.get(key);
      if (!into) {
        byKey.set(key, structuredClone(op));
        continue;
      }
      into.responses += op.responses;
      if (op.truncated) into.truncated = true;
      if (op.defaultPageSize) into.defaultPageSize = union(into.defaultPageSize, op.defaultPageSize).sort((a, b) => a - b);
      for (const [p, s] of Object.entries(op.paths)) {
        const t = into.paths[p];
        if (!t) {
          if (Object.keys(into.paths).length < MAX_PATHS_PER_RECORD) into.paths[p] = structuredClone(s);
          else into.truncated = true;
          continue;
        }
        t.n += s.n;
        t.in += s.in;
        t.kinds = union(t.kinds, s.kinds).sort();
        if (s.values) t.values = union(t.values, s.values).sort().slice(0, MAX_VALUES_PER_PATH);
        if (s.digits) t.digits = union(t.digits, s.digits).sort((a, b) => a - b);
        if (s.zones) t.zones = union(t.zones, s.zones).sort();
      }
    }
  }
  for (const op of byKey.values()) op.paths = Object.fromEntries(Object.entries(op.paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { version: SHAPES_VERSION, responses, apiVersions: [...versions].sort(compareApiVersions), operations: sortOperations([...byKey.values()]) };
}

function union<T>(a: readonly T[] | undefined, b: readonly T[]): T[] {
  return [...new Set([...(a ?? []), ...b])];
}
