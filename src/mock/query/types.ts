/**
 * Shared types of the mock's query engine (`/api/query`): field and query-type definitions, limits and the one
 * error class every function of the engine throws.
 *
 * Sources: em-api-notes.md §3.3–§3.5, §8 item 11, §9; 002_270bb54a32ca9e9c.txt (BackupTaskSession query page).
 */

/** Field types of `x-em-query-types` (docs/architecture.md, "Query types"). */
export type FieldType = 'string' | 'uid' | 'datetime' | 'enum' | 'int' | 'long' | 'bool';

export const FIELD_TYPES: readonly FieldType[] = ['string', 'uid', 'datetime', 'enum', 'int', 'long', 'bool'];

/** A raw field value as read from a record. */
export type FieldValue = string | number | boolean | null | undefined;

export interface FieldDef<R> {
  /** Documented filter/sort name (e.g. `CreationTime`); looked up case-insensitively. */
  name: string;
  type: FieldType;
  /** Enum values in documented order (ascending); the filter compares enum values by index in this list. */
  values?: readonly string[];
  /**
   * Reads the field from a record:
   * - datetime: epoch milliseconds (a number; fractions allowed);
   * - uid: the bare id/GUID string (`urn:…:…:` prefixes are tolerated and stripped);
   * - enum: the value string (matched case-insensitively against `values`);
   * - int/long: a number; bool: a boolean; string: a string.
   * `null`/`undefined` (and, for numeric types, non-finite numbers) mean "no value".
   */
  get(record: R): FieldValue;
}

export interface QueryTypeDef<R> {
  /** Query type name (`BackupTaskSession`), matched case-insensitively by {@link findQueryType}. */
  name: string;
  fields: readonly FieldDef<R>[];
}

export interface QueryLimits {
  /** Maximum filter length in UTF-16 code units (default 4096). */
  maxFilterLength: number;
  /** Maximum accepted pageSize (default 10000). */
  maxPageSize: number;
  /** Maximum parenthesis nesting depth (default 32). */
  maxDepth: number;
  /** pageSize used when the request has none (default 100, observed on real servers: em-api-notes §3.5). */
  defaultPageSize: number;
  /** How string fields compare (default case-insensitive). */
  stringCompare: 'case-insensitive' | 'case-sensitive';
  /** How datetime filter values without a zone designator are read (default 'utc'). */
  zonelessDates: 'utc' | 'reject';
  /**
   * How ordering comparisons (< <= > >=) order enum values: by their documented index (default, EM's behaviour) or,
   * deliberately wrong, by their text (a mutant of src/mock/mutants.ts).
   */
  enumOrder: 'index' | 'text';
  /** Items each page after the first repeats from the end of the page before (default 0; > 0 only for a mutant). */
  pageOverlap: number;
}

// CHOICE: limits default to maxFilterLength 4096, maxPageSize 10000, maxDepth 32, defaultPageSize 100 (observed
// default, em-api-notes §3.5/§8.2), case-insensitive strings, zone-less dates read as UTC (em-api-notes §9 lists
// max pageSize and zone-less dates as UNKNOWN; all of these are configurable).
export const DEFAULT_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxFilterLength: 4096,
  maxPageSize: 10000,
  maxDepth: 32,
  defaultPageSize: 100,
  stringCompare: 'case-insensitive',
  zonelessDates: 'utc',
  enumOrder: 'index',
  pageOverlap: 0,
});

export type QueryErrorCode =
  | 'BadFilter'
  | 'UnknownField'
  | 'BadValue'
  | 'FilterTooLong'
  | 'TooDeep'
  | 'BadPageSize'
  | 'BadPage'
  | 'BadSort'
  | 'UnknownType'
  | 'BadFormat';

/** The only error the query engine throws for bad input. `position` is a 0-based offset into the filter text. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    public readonly code: QueryErrorCode,
    message: string,
    public readonly position?: number,
  ) {
    super(message);
  }
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
}

/** Merges partial limits over the defaults. Invalid limit values are a programming error (plain `TypeError`). */
export function resolveLimits(limits?: Partial<QueryLimits>): QueryLimits {
  if (limits === undefined) return DEFAULT_LIMITS as QueryLimits;
  const l: QueryLimits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(limits)) if (v !== undefined) (l as unknown as Record<string, unknown>)[k] = v;
  if (!isPositiveInt(l.maxFilterLength)) throw new TypeError(`QueryLimits.maxFilterLength must be a positive integer`);
  if (!isPositiveInt(l.maxPageSize)) throw new TypeError(`QueryLimits.maxPageSize must be a positive integer`);
  if (!isPositiveInt(l.maxDepth)) throw new TypeError(`QueryLimits.maxDepth must be a positive integer`);
  if (!isPositiveInt(l.defaultPageSize)) throw new TypeError(`QueryLimits.defaultPageSize must be a positive integer`);
  if (l.stringCompare !== 'case-insensitive' && l.stringCompare !== 'case-sensitive')
    throw new TypeError(`QueryLimits.stringCompare must be 'case-insensitive' or 'case-sensitive'`);
  if (l.zonelessDates !== 'utc' && l.zonelessDates !== 'reject')
    throw new TypeError(`QueryLimits.zonelessDates must be 'utc' or 'reject'`);
  if (l.enumOrder !== 'index' && l.enumOrder !== 'text') throw new TypeError(`QueryLimits.enumOrder must be 'index' or 'text'`);
  if (!(Number.isInteger(l.pageOverlap) && l.pageOverlap >= 0)) throw new TypeError(`QueryLimits.pageOverlap must be a non-negative integer`);
  return l;
}

const fieldIndex = new WeakMap<QueryTypeDef<any>, Map<string, FieldDef<any>>>();

/** Case-insensitive field lookup (first definition wins when two names differ only in case). */
export function findField<R>(type: QueryTypeDef<R>, name: string): FieldDef<R> | undefined {
  let m = fieldIndex.get(type);
  if (m === undefined) {
    m = new Map();
    for (const f of type.fields) {
      const k = f.name.toLowerCase();
      if (!m.has(k)) m.set(k, f);
    }
    fieldIndex.set(type, m);
  }
  return m.get(name.toLowerCase()) as FieldDef<R> | undefined;
}

/** `"UID, Name, CreationTime"` — for error messages. */
export function fieldList(type: QueryTypeDef<any>): string {
  return type.fields.map((f) => f.name).join(', ');
}

/**
 * Resolves the `type` query parameter (case-insensitive, em-api-notes §3.1: docs use `type=job`, `type=backupServer`).
 * Throws QueryError `UnknownType` when missing or unknown.
 */
export function findQueryType<T extends QueryTypeDef<any>>(types: Iterable<T>, name: string | null | undefined): T {
  if (name === undefined || name === null || name === '')
    throw new QueryError('UnknownType', `The query parameter 'type' is required`);
  if (typeof name !== 'string') throw new QueryError('UnknownType', `The query parameter 'type' must be given once`);
  const k = name.toLowerCase();
  const names: string[] = [];
  for (const t of types) {
    if (t.name.toLowerCase() === k) return t;
    names.push(t.name);
  }
  throw new QueryError('UnknownType', `Unknown query type '${name}'; supported types: ${names.join(', ')}`);
}

export type QueryFormat = 'References' | 'Entities';

/**
 * Resolves the `format` query parameter: `References` (default) or `Entities`, case-insensitive
 * (em-api-notes §3.2: docs write both `Entities` and `entities`).
 */
// CHOICE: `format` accepts only References/Entities (case-insensitive); anything else (including `Entity`,
// `Resources`) is QueryError BadFormat; absent or empty means References.
export function parseFormat(format: string | null | undefined): QueryFormat {
  if (format === undefined || format === null || format === '') return 'References';
  if (typeof format !== 'string') throw new QueryError('BadFormat', `The query parameter 'format' must be given once`);
  const k = format.toLowerCase();
  if (k === 'references') return 'References';
  if (k === 'entities') return 'Entities';
  throw new QueryError('BadFormat', `Unknown query format '${format}'; supported formats: References, Entities`);
}
