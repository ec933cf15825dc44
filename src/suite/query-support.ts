/**
 * Helpers of the query-service tests (tests/conformance/query-*.spec.ts): the query metadata of the spec
 * (`x-em-query-types` on the `query` operation, docs/architecture.md "Query types"), reading a field's value from an
 * entity through its `source`, comparing values by field type (enums by their documented order), building filter
 * conditions that know both their text and how to evaluate themselves on an entity, and fetching results and pages.
 *
 * Everything here is data-agnostic: values are read from the server's own responses, never assumed.
 */
import { getOperation, loadSpec, resolveRef } from '../contract/spec.ts';
import type { EmClient, EmResponse } from './client.ts';
import { notApplicable, test } from './fixtures.ts';

// ------------------------------------------------------------------------------------------------ metadata

export type FieldType = 'string' | 'uid' | 'datetime' | 'enum' | 'int' | 'long' | 'bool';

export type FieldSource =
  | { property: string }
  | { link: { Rel: string; Type: string }; attribute: 'Name' | 'uid' }
  | null;

export interface QueryField {
  /** Documented filter/sort name (`CreationTime`). */
  name: string;
  type: FieldType;
  /** Enum component name (`SessionResult`). */
  enumName?: string;
  /** Enum values in documented (ascending) order. */
  enumValues?: string[];
  source: FieldSource;
}

export interface QueryTypeMeta {
  /** Query type name (`BackupTaskSession`). */
  name: string;
  /** Entity component name. */
  entity: string;
  /** Property of `Entities` holding the list (`BackupTaskSessions`; `AgentBackupJob` for agent jobs); null when the
   * items are resources (Task). */
  entitiesProperty: string | null;
  /** Property of `Resources` holding the list when the items are resources (`Tasks`), else null. */
  resourcesProperty: string | null;
  /** Type of the Refs of a References result (`BackupTaskSessionReference`); null when the type has no references. */
  referenceType: string | null;
  fields: QueryField[];
}

/** Query types the suite always covers: when the spec lacks one, the shapes test reports it. */
export const REQUIRED_QUERY_TYPES = ['BackupJobSession', 'BackupTaskSession', 'AgentBackupJob', 'Job', 'BackupServer', 'Task'] as const;

let metaCache: Map<string, QueryTypeMeta> | undefined;

function enumValuesOf(enumName: string | undefined): string[] | undefined {
  if (!enumName) return undefined;
  const doc = loadSpec();
  const schema = resolveRef<Record<string, any>>(doc, doc.components?.schemas?.[enumName] ?? {});
  const values = schema?.enum ?? schema?.anyOf?.find((s: any) => Array.isArray(s?.enum))?.enum;
  return Array.isArray(values) ? values.map(String) : undefined;
}

/** Every query type of `x-em-query-types`, in spec order (empty when the spec declares none yet). */
export function queryTypes(): QueryTypeMeta[] {
  if (!metaCache) {
    metaCache = new Map();
    let raw: Record<string, any> = {};
    try {
      raw = (getOperation('query').operation['x-em-query-types'] ?? {}) as Record<string, any>;
    } catch {
      raw = {};
    }
    for (const [name, def] of Object.entries(raw)) {
      if (!def || typeof def !== 'object') continue;
      const fields: QueryField[] = Object.entries((def.fields ?? {}) as Record<string, any>).map(([fname, f]) => {
        const field: QueryField = { name: fname, type: f?.type as FieldType, source: (f?.source ?? null) as FieldSource };
        if (f?.enum) {
          field.enumName = String(f.enum);
          const values = enumValuesOf(field.enumName);
          if (values) field.enumValues = values;
        }
        return field;
      });
      const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
      metaCache.set(name, {
        name,
        entity: String(def.entity ?? name),
        entitiesProperty: str(def.entitiesProperty),
        resourcesProperty: str(def.resourcesProperty),
        referenceType: str(def.referenceType),
        fields,
      });
    }
  }
  return [...metaCache.values()];
}

export function findQueryType(name: string): QueryTypeMeta | undefined {
  queryTypes();
  return metaCache!.get(name);
}

export function queryType(name: string): QueryTypeMeta {
  const meta = findQueryType(name);
  if (!meta) throw new Error(`spec/openapi.yaml: the query operation's x-em-query-types has no entry for '${name}'`);
  return meta;
}

/** Declared types, plus the required ones the spec does not (yet) declare. */
export function queryTypeNames(): string[] {
  const names = queryTypes().map((t) => t.name);
  for (const r of REQUIRED_QUERY_TYPES) if (!names.includes(r)) names.push(r);
  return names;
}

export const isReadable = (f: QueryField): boolean => f.source !== null && f.source !== undefined;
export const readableFields = (meta: QueryTypeMeta, ...types: FieldType[]): QueryField[] =>
  meta.fields.filter((f) => isReadable(f) && (types.length === 0 || types.includes(f.type)));
export const hasFieldOfType = (meta: QueryTypeMeta, ...types: FieldType[]): boolean => readableFields(meta, ...types).length > 0;

// ------------------------------------------------------------------------------------------------ values

/** A typed value: string (string, uid as lower-case bare id, enum canonical name), number (datetime ms, int, long), boolean. */
export type Value = string | number | boolean;

/** The id part of a UID URN (`urn:veeam:Job:<guid>` → `<guid>`), lower-cased; a bare id is lower-cased only. */
export function bareId(uid: string): string {
  const m = /^urn:[^:]*:[^:]*:(.+)$/i.exec(uid.trim());
  return (m ? m[1]! : uid.trim()).toLowerCase();
}

/** The last path segment of an Href (the resource ID), lower-cased. */
export function idFromHref(href: string): string {
  const path = href.split(/[?#]/)[0]!.replace(/\/+$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)).toLowerCase();
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses an ISO date-time into epoch milliseconds, keeping sub-millisecond digits as a fraction. */
export function parseDateMs(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  let ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0);
  if (m[7]) ms += Number(`0.${m[7]}`) * 1000;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (+digits.slice(0, 2) * 3_600_000 + +digits.slice(2) * 60_000);
  }
  return ms;
}

/** Index of an enum value in the documented order (case-insensitive), or -1. */
export function enumIndex(field: QueryField, value: string): number {
  const lower = value.toLowerCase();
  return (field.enumValues ?? []).findIndex((v) => v.toLowerCase() === lower);
}

function getPath(obj: any, path: string): unknown {
  let cur = obj;
  for (const key of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = cur[key];
  }
  return cur;
}

/** The raw value a source points at in an entity (JSON form), or undefined when absent. */
export function rawSourceValue(entity: Record<string, any>, source: NonNullable<FieldSource>): unknown {
  if ('property' in source) return getPath(entity, source.property);
  const links: any[] = Array.isArray(entity.Links) ? entity.Links : [];
  const link = links.find((l) => l?.Rel === source.link.Rel && l?.Type === source.link.Type);
  if (!link) return undefined;
  return source.attribute === 'uid' ? (typeof link.Href === 'string' ? idFromHref(link.Href) : undefined) : link.Name;
}

/** Converts a raw representation value to the field's typed value; null when absent or unreadable as that type. */
export function typedValue(field: QueryField, raw: unknown): Value | null {
  if (raw === null || raw === undefined) return null;
  switch (field.type) {
    case 'string':
      return String(raw);
    case 'uid':
      return String(raw) === '' ? null : bareId(String(raw));
    case 'datetime':
      return typeof raw === 'string' ? (parseDateMs(raw) ?? null) : null;
    case 'enum': {
      const s = String(raw);
      const i = enumIndex(field, s);
      return i < 0 ? s : field.enumValues![i]!;
    }
    case 'int':
    case 'long': {
      const n = typeof raw === 'number' ? raw : String(raw).trim() === '' ? NaN : Number(raw);
      return Number.isFinite(n) ? n : null;
    }
    case 'bool':
      return raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : null;
    default:
      return null;
  }
}

/**
 * The field's value in an entity: `{readable: false}` when the spec says the representation does not show it
 * (source null), else the typed value or null.
 */
export function fieldValue(entity: Record<string, any>, field: QueryField): { readable: false } | { readable: true; value: Value | null } {
  if (!isReadable(field)) return { readable: false };
  return { readable: true, value: typedValue(field, rawSourceValue(entity, field.source!)) };
}

/** The value or null (callers use this only on readable fields). */
export function valueOf(entity: Record<string, any>, field: QueryField): Value | null {
  const v = fieldValue(entity, field);
  return v.readable ? v.value : null;
}

/** Case-insensitive ordinal comparison (the fold of the default string collation). */
export function foldCompare(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

const COLLATOR = new Intl.Collator('en', { sensitivity: 'base', numeric: false });

/**
 * Comparison of two non-null values of a field: enums by documented index (values outside the list after them),
 * datetimes and numbers numerically, bools false < true, UIDs by bare id, strings case-insensitively
 * (`collation` 'ordinal' or 'culture': the documents do not say which collation EM uses).
 */
export function compareValues(field: QueryField, a: Value, b: Value, collation: 'ordinal' | 'culture' = 'ordinal'): number {
  switch (field.type) {
    case 'enum': {
      const ia = enumIndex(field, String(a));
      const ib = enumIndex(field, String(b));
      return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib) || 0;
    }
    case 'datetime':
    case 'int':
    case 'long':
      return Number(a) - Number(b);
    case 'bool':
      return Number(a === true) - Number(b === true);
    case 'uid':
      return foldCompare(String(a), String(b));
    default:
      return collation === 'culture' ? COLLATOR.compare(String(a), String(b)) : foldCompare(String(a), String(b));
  }
}

/**
 * Checks that values are ordered in `dir` with nulls in one block at either end (the documents do not say where
 * nulls sort). Strings pass when ordered under either the case-insensitive ordinal or the culture-aware
 * case-insensitive collation. Returns a problem description or undefined.
 */
export function sortProblem(field: QueryField, values: Array<Value | null>, dir: 'asc' | 'desc'): string | undefined {
  const nullIdx = values.map((v, i) => (v === null ? i : -1)).filter((i) => i >= 0);
  if (nullIdx.length) {
    const atStart = nullIdx.every((i, k) => i === k);
    const atEnd = nullIdx.every((i, k) => i === values.length - nullIdx.length + k);
    if (!atStart && !atEnd) return `null values are not in one block at the start or the end (null at positions ${nullIdx.join(', ')})`;
  }
  // Values the rules do not judge (UNJUDGED_ENUM_VALUES) may sit anywhere.
  const present = values.filter((v): v is Value => v !== null && !(field.type === 'enum' && unjudged(field, v)));
  const collations: Array<'ordinal' | 'culture'> = field.type === 'string' ? ['ordinal', 'culture'] : ['ordinal'];
  let first: string | undefined;
  for (const collation of collations) {
    const bad = present.findIndex((v, i) => {
      if (i === 0) return false;
      const c = compareValues(field, present[i - 1]!, v, collation);
      return dir === 'asc' ? c > 0 : c < 0;
    });
    if (bad < 0) return undefined;
    first ??= `not sorted ${dir} by ${field.name}: ${show(field, present[bad - 1]!)} comes before ${show(field, present[bad]!)}`;
  }
  return first;
}

/** A value as text for messages (datetimes as ISO). */
export function show(field: QueryField, v: Value | null): string {
  if (v === null) return 'null';
  if (field.type === 'datetime' && typeof v === 'number') return new Date(Math.floor(v)).toISOString();
  return JSON.stringify(v);
}

// ------------------------------------------------------------------------------------------------ filters

export type Op = '==' | '!=' | '<' | '>' | '<=' | '>=';

/** Three-valued evaluation: true/false, or undefined when the suite cannot decide (unreadable, null, boundary). */
export type Truth = boolean | undefined;

export interface Condition {
  /** The filter text (unencoded). */
  text: string;
  /** Evaluates the condition on an entity (JSON form). */
  test(entity: Record<string, any>): Truth;
  /** Whether every leaf reads a field shown in the representation (else results cannot be verified). */
  verifiable: boolean;
}

/** Quotes a string value for a filter, doubling inner double quotes (em-api-notes §3.1). */
export function quote(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** ISO text of an epoch-ms time: with milliseconds, or truncated to whole seconds. */
export function isoDate(ms: number, fraction = true): string {
  const iso = new Date(Math.floor(ms)).toISOString();
  return fraction ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** The filter literal for a typed value: strings and datetimes quoted, uids bare, enums by name. */
export function literal(field: QueryField, v: Value): string {
  switch (field.type) {
    case 'string':
      return quote(String(v));
    case 'datetime':
      return quote(isoDate(Number(v)));
    case 'bool':
      return v ? 'true' : 'false';
    default:
      return String(v);
  }
}

/** Tolerance around a datetime literal within which the suite does not decide (servers may keep more precision). */
const DATE_TOLERANCE_MS = 1;

/**
 * Enum values the spec appends by its own choice and the rules do not judge (FLT-011 note: SessionResult None, for
 * running sessions, sorts after Failed by our choice). Ordering comparisons involving them decide nothing.
 */
export const UNJUDGED_ENUM_VALUES: Record<string, string[]> = { SessionResult: ['None'] };

export function unjudged(field: QueryField, v: Value): boolean {
  return (UNJUDGED_ENUM_VALUES[field.enumName ?? ''] ?? []).some((u) => u.toLowerCase() === String(v).toLowerCase());
}

function compareOp(field: QueryField, op: Op, actual: Value | null, expected: Value): Truth {
  if (actual === null) return op === '==' ? false : undefined;
  if (field.type === 'string') {
    const a = String(actual);
    const e = String(expected);
    // The case sensitivity of string values is UNKNOWN (em-api-notes §8.11): a value that differs only in case decides nothing.
    const ciEqual = a.toLowerCase() === e.toLowerCase();
    if (op === '==') return a === e ? true : ciEqual ? undefined : false;
    if (op === '!=') return a === e ? false : ciEqual ? undefined : true;
    return undefined; // string ordering: collation not documented
  }
  if (field.type === 'enum' && (enumIndex(field, String(actual)) < 0 || enumIndex(field, String(expected)) < 0)) return undefined;
  if (field.type === 'enum' && op !== '==' && op !== '!=' && (unjudged(field, actual) || unjudged(field, expected))) return undefined;
  const c = compareValues(field, actual, expected);
  if (field.type === 'datetime' && Math.abs(Number(actual) - Number(expected)) < DATE_TOLERANCE_MS) return undefined;
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    case '>=':
      return c >= 0;
  }
}

/**
 * A comparison `<name><op><literal>`. `name` defaults to the field name (pass another spelling to test case
 * insensitivity), `text` to the typed literal (pass a URN, an unquoted or lower-case spelling…).
 */
export function cmp(field: QueryField, op: Op, value: Value, opts: { name?: string; text?: string } = {}): Condition {
  const text = `${opts.name ?? field.name}${op}${opts.text ?? literal(field, value)}`;
  return {
    text,
    verifiable: isReadable(field),
    test: (entity) => {
      const v = fieldValue(entity, field);
      return v.readable ? compareOp(field, op, v.value, value) : undefined;
    },
  };
}

export function and(...cs: Condition[]): Condition {
  return {
    text: cs.map((c) => c.text).join(';'),
    verifiable: cs.every((c) => c.verifiable),
    test: (e) => {
      const r = cs.map((c) => c.test(e));
      return r.includes(false) ? false : r.every((x) => x === true) ? true : undefined;
    },
  };
}

export function or(...cs: Condition[]): Condition {
  return {
    text: cs.map((c) => c.text).join(','),
    verifiable: cs.every((c) => c.verifiable),
    test: (e) => {
      const r = cs.map((c) => c.test(e));
      return r.includes(true) ? true : r.every((x) => x === false) ? false : undefined;
    },
  };
}

export function group(c: Condition): Condition {
  return { ...c, text: `(${c.text})` };
}

// ------------------------------------------------------------------------------------------------ responses

export interface PagingInfo {
  PageNum: number;
  PageSize: number;
  PagesCount: number;
  Links: Array<{ Rel: string; Href: string; Name: string | null; Type: string | null }>;
}

export function pagingInfo(body: any): PagingInfo | undefined {
  const p = body?.PagingInfo;
  if (!p || typeof p !== 'object') return undefined;
  return { PageNum: p.PageNum, PageSize: p.PageSize, PagesCount: p.PagesCount, Links: Array.isArray(p.Links) ? p.Links : [] };
}

export function pagingLink(info: PagingInfo | undefined, rel: string): string | undefined {
  return info?.Links.find((l) => l.Rel === rel)?.Href;
}

/** The `page` parameter of a paging link (parameter name matched case-insensitively). */
export function pageOfHref(href: string): number | undefined {
  const url = new URL(href, 'http://x/');
  for (const [k, v] of url.searchParams) if (k.toLowerCase() === 'page') return Number(v);
  return undefined;
}

/** The Refs of a References result, or undefined when the result holds none. */
export function refsOf(body: any): any[] | undefined {
  const refs = body?.Refs;
  if (refs === null || refs === undefined) return undefined;
  return Array.isArray(refs.Refs) ? refs.Refs : Array.isArray(refs) ? refs : [];
}

/** Where the items of a format=Entities result live: `Entities.<entitiesProperty>`, or `Resources.<resourcesProperty>`. */
export function listLocation(meta: QueryTypeMeta): { container: 'Entities' | 'Resources'; property: string } {
  if (meta.entitiesProperty) return { container: 'Entities', property: meta.entitiesProperty };
  if (meta.resourcesProperty) return { container: 'Resources', property: meta.resourcesProperty };
  return { container: 'Entities', property: `${meta.name}s` };
}

/**
 * The items of an Entities result (`Entities.<entitiesProperty>.<entitiesProperty>`, or the Resources list for
 * types whose items are resources), or undefined when the list is absent.
 */
export function entitiesOf(body: any, meta: QueryTypeMeta): any[] | undefined {
  const { container, property } = listLocation(meta);
  let wrapper = body?.[container]?.[property];
  // A wrapper under another name (QRY-003 and JSON-006 check the name): the container's one non-null member.
  if (wrapper === null || wrapper === undefined) {
    const members = Object.values((body?.[container] ?? {}) as Record<string, unknown>).filter((v) => v !== null && v !== undefined);
    if (members.length !== 1) return undefined;
    wrapper = members[0];
  }
  if (Array.isArray(wrapper)) return wrapper;
  // The list component's array property: usually named like the wrapper (BackupJobSessions.BackupJobSessions), but
  // not always (Entities.AgentBackupJob holds AgentBackupJobs: the spec's choice for the uncaptured inner key).
  const list = Array.isArray(wrapper[property]) ? wrapper[property] : Object.values(wrapper).find(Array.isArray);
  return Array.isArray(list) ? list : [];
}

/** Items of a QueryResult whatever the format (entities, else refs, else empty). */
export function itemsOf(body: any, meta: QueryTypeMeta): any[] {
  return entitiesOf(body, meta) ?? refsOf(body) ?? [];
}

/** Identity of an item: its UID's bare id, else its Href path (Task has no UID). */
export function keyOf(item: Record<string, any>): string {
  if (typeof item.UID === 'string' && item.UID) return bareId(item.UID);
  if (typeof item.Href === 'string') return `href:${idFromHref(item.Href)}`;
  return JSON.stringify(item);
}

export function keysOf(items: Array<Record<string, any>>): string[] {
  return items.map(keyOf);
}

export function duplicates(keys: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const k of keys) (seen.has(k) ? dup : seen).add(k);
  return [...dup];
}

export type QueryParams = Record<string, string | number>;

/** GET /query with these parameters (the `em` client checks the response against the contract). */
export function runQuery(em: EmClient, params: QueryParams): Promise<EmResponse> {
  return em.get('/query', { params });
}

export interface Fetched {
  items: any[];
  /** True when the items are the whole result (one page held everything). */
  complete: boolean;
  response: EmResponse;
  paging: PagingInfo | undefined;
}

/**
 * Page size of filter results: a result that fits one page is complete and checked for completeness; larger
 * results are checked item by item on their first page only (requests stay small and fast).
 */
export const RESULT_PAGE = 50;
/** Size of the universe: the sample of entities values are taken from and completeness is checked against. */
export const UNIVERSE_PAGE = 60;

/** One page of `type` entities, whatever the status (items empty unless 200). */
export async function queryEntities(em: EmClient, meta: QueryTypeMeta, extra: QueryParams = {}, pageSize = RESULT_PAGE): Promise<Fetched> {
  const response = await runQuery(em, { type: meta.name, format: 'Entities', pageSize, ...extra });
  if (response.status !== 200) return { items: [], complete: false, response, paging: undefined };
  const body = response.body();
  const paging = pagingInfo(body);
  const items = entitiesOf(body, meta) ?? [];
  return { items, complete: Number(paging?.PagesCount) === 1 && Number(paging?.PageNum) === 1, response, paging };
}

/**
 * One page of `type` entities (default: RESULT_PAGE items). Throws with the evidence when the server does not
 * answer 200.
 */
export async function fetchEntities(em: EmClient, meta: QueryTypeMeta, extra: QueryParams = {}, pageSize = RESULT_PAGE): Promise<Fetched> {
  const fetched = await queryEntities(em, meta, extra, pageSize);
  if (fetched.response.status !== 200) throw new Error(`expected 200 from the query, got ${fetched.response.status}\n${fetched.response.evidence(1200)}`);
  return fetched;
}

const universes = new Map<string, Promise<Fetched>>();

/**
 * The universe of a type: its first UNIVERSE_PAGE entities, a sample of the server's data. Values are picked from
 * it, and every universe item that satisfies a condition must be in the condition's result when that result is
 * complete (a sample suffices: the sample's items are items of the server). Fetched once per worker and
 * representation (the suite does not change the server's data unless EM_ALLOW_WRITES, and then only through
 * actions that add sessions and tasks); tasks belong to the logon session and change, so they are never cached.
 */
export function fetchUniverse(em: EmClient, meta: QueryTypeMeta): Promise<Fetched> {
  const key = `${em.apiBase}|${em.representation}|${meta.name}`;
  if (meta.entitiesProperty === null) return fetchEntities(em, meta, {}, UNIVERSE_PAGE);
  let u = universes.get(key);
  if (!u) {
    u = fetchEntities(em, meta, {}, UNIVERSE_PAGE);
    universes.set(key, u);
    u.catch(() => universes.delete(key));
  }
  return u;
}

/**
 * Number of items a query matches, read from References pages of 100: the first, and the last non-empty one (found
 * from PagesCount, then stepping, so that a wrong PagesCount, PAGE-004's to report, does not make the count wrong).
 */
export async function countMatches(em: EmClient, meta: QueryTypeMeta, extra: QueryParams = {}): Promise<number> {
  const size = 100;
  const itemsOn = async (page: number): Promise<number> => {
    const r = await runQuery(em, { type: meta.name, pageSize: size, page, ...extra });
    if (r.status !== 200) throw new Error(`expected 200 from the query, got ${r.status}\n${r.evidence(800)}`);
    return itemsOf(r.body(), meta).length;
  };
  const first = await runQuery(em, { type: meta.name, pageSize: size, ...extra });
  if (first.status !== 200) throw new Error(`expected 200 from the query, got ${first.status}\n${first.evidence(800)}`);
  const n1 = itemsOf(first.body(), meta).length;
  if (n1 < size) return n1;
  // one big page when the server allows it: no PagesCount, no page offsets (PAGE-004's and PAGE-010's to check)
  const whole = await countOnOnePage(em, meta, extra);
  if (whole !== undefined) return whole;
  let page = Math.max(2, Number(pagingInfo(first.body())?.PagesCount) || 2);
  for (let steps = 0; steps < 200; steps++) {
    const n = await itemsOn(page);
    if (n === size) {
      const after = await itemsOn(page + 1);
      if (after < size) return page * size + after;
      page += 2;
    } else if (n === 0 && page > 2) page -= 1;
    else return (page - 1) * size + n;
  }
  throw new Error(`could not count the ${meta.name} items: the pages do not end`);
}

/**
 * Number of items a query matches, from a one-item References page: its PagesCount when the page it names holds the
 * last item (PAGE-004 checks that arithmetic on its own), else counted by countMatches; 0 when the page is empty.
 */
export async function quickCount(em: EmClient, meta: QueryTypeMeta, extra: QueryParams = {}): Promise<number> {
  const r = await runQuery(em, { type: meta.name, pageSize: 1, ...extra });
  if (r.status !== 200) throw new Error(`expected 200 from the query, got ${r.status}\n${r.evidence(800)}`);
  if (itemsOf(r.body(), meta).length === 0) return 0;
  const claimed = Number(pagingInfo(r.body())?.PagesCount);
  // Trust PagesCount only when page `claimed` holds an item and the page after it none: the tests that count must
  // not fail for a wrong PagesCount, which is PAGE-004's to report.
  if (Number.isInteger(claimed) && claimed >= 1) {
    const [last, after] = await Promise.all([claimed, claimed + 1].map((page) => runQuery(em, { type: meta.name, pageSize: 1, page, ...extra })));
    if (last!.status === 200 && after!.status === 200 && itemsOf(last!.body(), meta).length === 1 && itemsOf(after!.body(), meta).length === 0) return claimed;
  }
  return countMatches(em, meta, extra);
}

/** Items a query matches when they fit one page of BIG_PAGE (no paging arithmetic involved); undefined otherwise. */
const BIG_PAGE = 5000;
async function countOnOnePage(em: EmClient, meta: QueryTypeMeta, extra: QueryParams): Promise<number | undefined> {
  const r = await runQuery(em, { type: meta.name, pageSize: BIG_PAGE, ...extra });
  if (r.status !== 200) return undefined;
  const n = itemsOf(r.body(), meta).length;
  return n < BIG_PAGE ? n : undefined;
}

/**
 * The `n`-th value (1-based, nulls skipped) of a readable field in `dir` order as the server sorts it: a pivot that
 * cuts off about n items, so that `<`/`<=` (asc) or `>`/`>=` (desc) results are small enough to check whole. Also
 * returns the entities read, which callers may add to their universe (they are items of the server too).
 */
export async function edgeOf(em: EmClient, meta: QueryTypeMeta, field: QueryField, dir: 'asc' | 'desc', n: number): Promise<{ value: Value | undefined; items: any[] }> {
  const page = await queryEntities(em, meta, { [dir === 'asc' ? 'sortAsc' : 'sortDesc']: field.name }, Math.max(n * 2, 20));
  const values = page.items.map((i) => valueOf(i, field)).filter((v): v is Value => v !== null);
  return { value: values[Math.min(n, values.length) - 1], items: page.items };
}

export async function edgeValue(em: EmClient, meta: QueryTypeMeta, field: QueryField, dir: 'asc' | 'desc', n: number): Promise<Value | undefined> {
  return (await edgeOf(em, meta, field, dir, n)).value;
}

/** A universe extended with more items of the server (duplicates dropped). */
export function widen(universe: Fetched, ...more: any[][]): Fetched {
  const seen = new Set(keysOf(universe.items));
  const items = [...universe.items];
  for (const item of more.flat()) {
    const k = keyOf(item);
    if (!seen.has(k)) {
      seen.add(k);
      items.push(item);
    }
  }
  return { ...universe, items };
}

/** Distinct non-null values of a readable field in a set of entities, most frequent first. */
export function distinctValues(items: any[], field: QueryField): Value[] {
  const counts = new Map<string, { v: Value; n: number }>();
  for (const item of items) {
    const v = valueOf(item, field);
    if (v === null) continue;
    const k = typeof v === 'string' ? `s:${v}` : `${typeof v}:${v}`;
    const c = counts.get(k);
    if (c) c.n += 1;
    else counts.set(k, { v, n: 1 });
  }
  return [...counts.values()].sort((a, b) => b.n - a.n).map((c) => c.v);
}

/**
 * A value that discriminates: held by some items but not all, the rarest such (small results can be checked whole);
 * falls back to any value. `prefer` restricts the candidates (e.g. strings with a space).
 */
export function pickValue(items: any[], field: QueryField, prefer?: (v: Value) => boolean): Value | undefined {
  const values = distinctValues(items, field);
  const candidates = prefer ? values.filter(prefer) : values;
  if (!candidates.length) return undefined;
  const total = items.filter((i) => valueOf(i, field) !== null).length;
  const count = (v: Value) => items.filter((i) => valueOf(i, field) === v).length;
  const discriminating = candidates.filter((v) => count(v) < total);
  return discriminating.length ? discriminating[discriminating.length - 1] : candidates[0];
}

/** Sorted distinct values (ascending) of a readable field. */
export function sortedValues(items: any[], field: QueryField): Value[] {
  return distinctValues(items, field).sort((a, b) => compareValues(field, a, b));
}

export interface FilterCheck {
  /** Returned items the condition rejects (soundness). */
  wrong: string[];
  /** Universe items the condition accepts that were not returned (completeness; only when the result is complete). */
  missing: string[];
  /** The missing items themselves (for a re-check against their current state). */
  missingItems: any[];
  /** Items returned. */
  returned: any[];
  /** Whether completeness could be checked. */
  completenessChecked: boolean;
  /** Items whose truth the suite could not decide. */
  undecided: number;
}

/**
 * Runs a filter and checks the result against the condition: every returned item satisfies it, and (when the
 * result fits one page) every universe item that satisfies it was returned.
 */
export async function checkFilter(em: EmClient, meta: QueryTypeMeta, universe: Fetched, cond: Condition, extra: QueryParams = {}): Promise<FilterCheck> {
  return recheckMissing(em, meta, cond, evaluateFilter(universe, cond, await fetchEntities(em, meta, { filter: cond.text, ...extra }), meta));
}

/** Checks a fetched filter result against the condition (see checkFilter). */
export function evaluateFilter(universe: Fetched, cond: Condition, result: Fetched, meta: QueryTypeMeta): FilterCheck {
  const wrong: string[] = [];
  let undecided = 0;
  for (const item of result.items) {
    const t = cond.test(item);
    if (t === false) wrong.push(describeItem(meta, item));
    if (t === undefined) undecided += 1;
  }
  const missingItems: any[] = [];
  // The universe is a sample of the server's items: any of them that satisfies the condition must be in a complete result.
  const completenessChecked = result.complete;
  if (completenessChecked) {
    const got = new Set(keysOf(result.items));
    for (const item of universe.items) if (cond.test(item) === true && !got.has(keyOf(item))) missingItems.push(item);
  }
  return { wrong, missing: missingItems.map((i) => describeItem(meta, i)), missingItems, returned: result.items, completenessChecked, undecided };
}

/**
 * The universe may be older than the result (it is fetched once per worker), and a live server's sessions change
 * (a running session ends). A missing item is reported only if its current representation (GET of its Href) still
 * satisfies the condition.
 */
export async function recheckMissing(em: EmClient, meta: QueryTypeMeta, cond: Condition, check: FilterCheck): Promise<FilterCheck> {
  if (!check.missingItems.length) return check;
  const still: any[] = [];
  for (const item of check.missingItems.slice(0, 5)) {
    const fresh = typeof item.Href === 'string' ? await em.get(item.Href, { expectedRoot: meta.entity }) : undefined;
    const current = fresh?.status === 200 ? fresh.body() : item;
    if (cond.test(current) === true) still.push(current);
  }
  still.push(...check.missingItems.slice(5));
  return { ...check, missingItems: still, missing: still.map((i) => describeItem(meta, i)) };
}

/** An item for messages: its name and the values of the readable fields. */
export function describeItem(meta: QueryTypeMeta, item: any): string {
  const values = readableFields(meta)
    .slice(0, 8)
    .map((f) => `${f.name}=${show(f, valueOf(item, f))}`)
    .join(' ');
  return `${item?.Name ?? keyOf(item)} (${values})`;
}

/** Walks Next links from a first response, up to `maxPages` pages in all. */
export async function followNext(em: EmClient, first: EmResponse, maxPages: number): Promise<EmResponse[]> {
  const pages = [first];
  let current = first;
  while (pages.length < maxPages) {
    const next = pagingLink(pagingInfo(current.body()), 'Next');
    if (!next) break;
    current = await em.get(next);
    if (current.status !== 200) throw new Error(`GET of the Next link failed: ${current.status}\n${current.evidence(800)}`);
    pages.push(current);
  }
  return pages;
}

/** A page size giving about `target` pages (at least 1) for `total` items. */
export function pageSizeFor(total: number, target = 4): number {
  return Math.max(1, Math.ceil(total / target));
}

/** A GUID that no server holds (for empty results). */
export const NO_SUCH_GUID = '00000000-0000-0000-0000-0000000000ee';

/** A syntactically valid literal for a field whose values the suite cannot read (FLT-015 / SORT-003). */
export function placeholderLiteral(field: QueryField): string {
  switch (field.type) {
    case 'uid':
      return NO_SUCH_GUID;
    case 'datetime':
      return quote('2000-01-01T00:00:00Z');
    case 'enum':
      return field.enumValues?.[0] ?? 'x';
    case 'int':
    case 'long':
      return '0';
    case 'bool':
      return 'true';
    default:
      return quote('em-conformance no such value');
  }
}

// ------------------------------------------------------------------------------------------------ test helpers

/** Picks the first readable field of the given kinds that has a usable value in the universe. */
export function chooseField(
  meta: QueryTypeMeta,
  items: any[],
  kinds: FieldType[],
  prefer?: (v: Value, f: QueryField) => boolean,
): { field: QueryField; value: Value } | undefined {
  for (const field of readableFields(meta, ...kinds)) {
    const value = pickValue(items, field, prefer ? (v) => prefer(v, field) : undefined);
    if (value !== undefined) return { field, value };
  }
  return undefined;
}

/** The enum value at the middle of the documented order that the universe brackets best (a pivot for < and >). */
export function enumPivot(field: QueryField, items: any[]): string | undefined {
  const values = (field.enumValues ?? []).filter((v) => !unjudged(field, v));
  const present = new Set(distinctValues(items, field).map(String));
  if (!values.length || !present.size) return undefined;
  // Prefer a documented value with present values on both sides, else one that is present.
  const idx = values.map((_, i) => i);
  const both = idx.find((i) => values.slice(0, i).some((v) => present.has(v)) && values.slice(i + 1).some((v) => present.has(v)));
  if (both !== undefined) return values[both];
  const some = idx.find((i) => present.has(values[i]!));
  return some !== undefined ? values[some] : undefined;
}

/** The median of the distinct values of a readable field. */
export function medianValue(items: any[], field: QueryField): Value | undefined {
  const sorted = sortedValues(items, field);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : undefined;
}

/** The URN of a UID value: the entity's own URN for a property source, else built from the link's reference Type. */
export function urnFor(field: QueryField, item: Record<string, any>): string | undefined {
  if (!field.source) return undefined;
  if ('property' in field.source) {
    const raw = rawSourceValue(item, field.source);
    return typeof raw === 'string' && /^urn:/i.test(raw) ? raw : undefined;
  }
  const id = rawSourceValue(item, field.source);
  if (typeof id !== 'string') return undefined;
  return `urn:veeam:${field.source.link.Type.replace(/Reference$/, '')}:${id}`;
}

/**
 * Runs `check` for every query type of the spec, in one test (type-independent machinery: paging, shapes). A check
 * returns a reason when the server has nothing of that type to check; those types are noted on the test, and the
 * test is not applicable when no type had anything. Assertions inside should be soft and name the type.
 */
export async function forEachQueryType(check: (meta: QueryTypeMeta) => Promise<string | void>, types: QueryTypeMeta[] = queryTypes()): Promise<void> {
  const skipped: string[] = [];
  for (const meta of types) {
    const reason = await check(meta);
    if (typeof reason === 'string') skipped.push(`${meta.name}: ${reason}`);
  }
  if (skipped.length === types.length) notApplicable(skipped.join('; ') || 'the spec declares no query types');
  if (skipped.length) test.info().annotations.push({ type: 'note', description: `not checked: ${skipped.join('; ')}` });
}
