/**
 * Typed filter values: parsing the value text of a comparison for each field type, and reading record values.
 * Sources: em-api-notes.md §3.3 (dates, UIDs, enum order), §8 item 11.
 */
import { foldEqualsFolded, foldString } from './fold.ts';
import { type FieldDef, type QueryLimits, QueryError } from './types.ts';

/** Result of parsing a value: the typed value and a canonical text (used to re-render the filter). */
export interface ParsedValue {
  value: string | number | boolean;
  text: string;
}

/** Value errors are QueryError BadValue; the filter parser re-throws them with the position and field name. */
function badValue(message: string): QueryError {
  return new QueryError('BadValue', message);
}

// ---------------------------------------------------------------------------------------------------------------
// datetime

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Parses a filter datetime to epoch milliseconds.
 *
 * Accepted: `YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]` and date-only `YYYY-MM-DD`.
 */
// CHOICE: datetime filter values accept `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` (documented), the same without `Z`
// (zone-less, seen in peekjef72: read as UTC, or rejected with zonelessDates='reject'), date-only `YYYY-MM-DD`
// (surfer190 fixture: midnight UTC, never rejected), seconds may be omitted, `t`/space for `T`, `z` for `Z`, `,` for
// the decimal point, and an explicit `±HH:MM` offset which is converted to UTC (docs say "only UTC"; an offset is
// unambiguous so we honour it). Fractions beyond milliseconds are kept as fractional milliseconds. Years
// 0001–9999; calendar-invalid dates (2025-02-30, 24:00:00, leap second :60) are BadValue.
export function parseDateTime(text: string, zoneless: QueryLimits['zonelessDates']): number {
  const m = DATE_RE.exec(text);
  if (m === null)
    throw badValue(
      `'${text}' is not a UTC date-time; expected e.g. 2025-08-14T12:31:30.389Z or 2025-08-14`,
    );
  const y = +m[1]!;
  const mo = +m[2]!;
  const d = +m[3]!;
  if (y < 1) throw badValue(`'${text}': year must be 0001-9999`);
  if (mo < 1 || mo > 12) throw badValue(`'${text}': month ${m[2]} is out of range`);
  if (d < 1 || d > daysInMonth(y, mo)) throw badValue(`'${text}': day ${m[3]} is out of range`);
  let ms = daysFromCivil(y, mo, d) * MS_PER_DAY;
  if (m[4] === undefined) return ms; // date-only: midnight UTC
  const h = +m[4];
  const mi = +m[5]!;
  const s = m[6] === undefined ? 0 : +m[6];
  if (h > 23) throw badValue(`'${text}': hour ${m[4]} is out of range`);
  if (mi > 59) throw badValue(`'${text}': minute ${m[5]} is out of range`);
  if (s > 59) throw badValue(`'${text}': second ${m[6]} is out of range`);
  ms += h * 3_600_000 + mi * 60_000 + s * 1000;
  const frac = m[7];
  if (frac !== undefined) ms += Number(frac) / 10 ** (frac.length - 3);
  const zone = m[8];
  if (zone === undefined) {
    if (zoneless === 'reject')
      throw badValue(`'${text}' has no time zone; only UTC date-times ending in 'Z' are accepted`);
    return ms;
  }
  if (zone === 'Z' || zone === 'z') return ms;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const oh = +digits.slice(0, 2);
  const om = +digits.slice(2);
  if (oh > 14 || om > 59) throw badValue(`'${text}': time zone offset ${zone} is out of range`);
  return ms - sign * (oh * 3_600_000 + om * 60_000);
}

// ---------------------------------------------------------------------------------------------------------------
// uid

const URN_RE = /^urn:[^:]*:[^:]*:(.+)$/i;
const ID_RE = /^[A-Za-z0-9._\-]+$/;
const URN_ID_RE = /^[A-Za-z0-9._:\-]+$/;

/**
 * Parses a UID filter value: a bare id/GUID or a URN `urn:veeam:Type:id`; returns the lower-cased id.
 */
// CHOICE: UID filter values are a bare id (GUID or other id of [A-Za-z0-9._-]) or a URN `urn:<ns>:<Type>:<id>`
// (the id is everything after the third colon, so vCloud ids containing colons survive); an id in braces `{guid}` is
// accepted; comparison is on the id only, case-insensitive (em-api-notes §3.3: both forms seen). URN namespace and
// Type are not checked against the field.
export function parseUid(text: string): string {
  let id = text;
  const m = URN_RE.exec(text);
  if (m !== null) {
    id = m[1]!;
    if (!URN_ID_RE.test(id)) throw badValue(`'${text}' is not a valid UID (bad id part '${id}')`);
  } else {
    if (id.length > 2 && id.charCodeAt(0) === 123 /* { */ && id.charCodeAt(id.length - 1) === 125 /* } */)
      id = id.slice(1, -1);
    if (!ID_RE.test(id))
      throw badValue(`'${text}' is not a valid UID; expected a GUID or urn:veeam:<Type>:<GUID>`);
  }
  return id.toLowerCase();
}

/** Record-side UID: strips a `urn:…:…:` prefix if a getter returns the full URN (not lower-cased: compare folds). */
export function recordUid(x: string): string {
  const c = x.charCodeAt(0);
  if ((c === 117 || c === 85) /* u U */ && x.length > 4 && x.charCodeAt(3) === 58 /* : */) {
    const m = URN_RE.exec(x);
    if (m !== null) return m[1]!;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------------------------
// enum

const enumIndexers = new WeakMap<FieldDef<any>, (x: string) => number>();

/** Returns a function mapping a value string to its index in `field.values` (case-insensitive), or -1. */
export function enumIndexer(field: FieldDef<any>): (x: string) => number {
  let f = enumIndexers.get(field);
  if (f !== undefined) return f;
  const values = field.values ?? [];
  const exact = new Map<string, number>();
  const folded: string[] = [];
  values.forEach((v, i) => {
    if (!exact.has(v)) exact.set(v, i);
    folded.push(foldString(v));
  });
  f = (x: string): number => {
    const i = exact.get(x);
    if (i !== undefined) return i;
    for (let j = 0; j < folded.length; j++) if (foldEqualsFolded(x, folded[j]!)) return j;
    return -1;
  };
  enumIndexers.set(field, f);
  return f;
}

// ---------------------------------------------------------------------------------------------------------------
// integers

const INT_RE = /^[+-]?\d+$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// CHOICE: int/long filter values are decimal integers with optional sign (no fraction, exponent or hex); int must
// fit Int32 and long Int64, else BadValue. Long values beyond ±2^53 are compared as the nearest double.
function parseInteger(text: string, type: 'int' | 'long'): number {
  if (!INT_RE.test(text)) throw badValue(`'${text}' is not an integer`);
  if (type === 'int') {
    const n = Number(text);
    if (n < INT32_MIN || n > INT32_MAX) throw badValue(`'${text}' is out of range for an int (32-bit)`);
    return n;
  }
  const b = BigInt(text);
  if (b < INT64_MIN || b > INT64_MAX) throw badValue(`'${text}' is out of range for a long (64-bit)`);
  return Number(b);
}

// ---------------------------------------------------------------------------------------------------------------

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Trims space, tab, CR, LF (a loop: the regex `[ \t]+$` is quadratic on long inner runs of spaces). */
function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * Parses the value text of a comparison for `field`.
 * `text` is the unescaped value (quotes removed, `""` → `"`; unquoted values already have spaces stripped).
 */
// CHOICE: for non-string types, whitespace around a quoted value is trimmed (`"  2025-01-01 "`); string values are
// taken verbatim when quoted.
export function parseFilterValue(field: FieldDef<any>, text: string, limits: QueryLimits): ParsedValue {
  switch (field.type) {
    case 'string':
      return { value: text, text };
    case 'uid': {
      const t = trimWs(text);
      return { value: parseUid(t), text: t };
    }
    case 'datetime': {
      const t = trimWs(text);
      return { value: parseDateTime(t, limits.zonelessDates), text: t };
    }
    case 'enum': {
      const t = trimWs(text);
      const values = field.values ?? [];
      const i = enumIndexer(field)(t);
      if (i < 0)
        throw badValue(`'${t}' is not a valid value of ${field.name}; valid values: ${values.join(', ')}`);
      return { value: i, text: values[i]! };
    }
    case 'int':
    case 'long': {
      const t = trimWs(text);
      return { value: parseInteger(t, field.type), text: t };
    }
    case 'bool': {
      const t = trimWs(text).toLowerCase();
      // CHOICE: bool filter values are `true`/`false`, case-insensitive; `1`/`0` are BadValue (as .NET bool.Parse).
      if (t === 'true') return { value: true, text: 'true' };
      if (t === 'false') return { value: false, text: 'false' };
      throw badValue(`'${text}' is not a boolean; expected true or false`);
    }
    default:
      throw badValue(`field ${(field as FieldDef<any>).name} has an unsupported type`);
  }
}
