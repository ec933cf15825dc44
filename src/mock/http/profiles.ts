/**
 * Server generations the mock can imitate, as data. A profile states only how it differs from EM 12 (the default);
 * XML is the same for every profile (em-api-notes §4.1 rule 10: the v13 regression is JSON-only).
 *
 * Sources: em-api-notes §1.2–§1.3 (advertised versions), §4.1 rules 5, 7, 10 (nulls, timestamps, v13 camelCase),
 * §8.7 (v13 microseconds), §8.18 (version lists), §2.3 (the one captured 9.5 U4 JSON Error keeps its nulls).
 */
import type { Profile } from '../types.ts';

export type ProfileName = 'v12' | 'v13' | '9.5u4';

export const PROFILE_NAMES: readonly ProfileName[] = ['v12', 'v13', '9.5u4'];

export interface HttpProfile extends Profile {
  name: ProfileName;
  /**
   * How a JSON Error body treats absent values. The only captured 9.5 U4 JSON Error (em-api-notes §2.3) sends
   * `"FirstChanceExceptionMessage":null,…,"StackTrace":null` although U4 omits absent link keys elsewhere (§4.1 rule 5).
   */
  errorJsonAbsent: 'null' | 'omit';
}

/** EM 12 (and 10/11): API v1_5–v1_7, PascalCase JSON with nulls, millisecond timestamps with trailing zeros trimmed. */
const V12: HttpProfile = Object.freeze({
  name: 'v12',
  versions: Object.freeze(['v1_5', 'v1_6', 'v1_7']) as string[],
  jsonKeys: 'PascalCase',
  jsonAbsent: 'null',
  timestampDigits: 3,
  trimFractionZeros: true,
  errorJsonAbsent: 'null',
}) as HttpProfile;

/** The differences from EM 12, one entry per profile. */
const DIFFERENCES: Record<ProfileName, Partial<HttpProfile>> = {
  v12: {},
  // EM 13: same versions (§1.3: v1_7 covers 12–13), camelCase JSON keys (§4.1 rule 10), µs timestamps (§4.1 rule 7).
  // CHOICE: the camelCase regression applies to Error bodies too (its casing is UNKNOWN, em-api-notes §9; the .NET
  // serializer change is global, so we assume it reaches errors as well).
  v13: { jsonKeys: 'camelCase', timestampDigits: 6, trimFractionZeros: false },
  // EM 9.5 U4: API v1–v1_4 (§1.2 "a 9.5-era doc listing v1…v1_4"), absent keys omitted (§4.1 rule 5), whole seconds.
  '9.5u4': {
    versions: ['v1', 'v1_1', 'v1_2', 'v1_3', 'v1_4'],
    jsonAbsent: 'omit',
    timestampDigits: 0,
    trimFractionZeros: false,
  },
};

export const PROFILES: Readonly<Record<ProfileName, HttpProfile>> = Object.freeze(
  Object.fromEntries(PROFILE_NAMES.map((name) => [name, Object.freeze({ ...V12, ...DIFFERENCES[name], name })])) as Record<ProfileName, HttpProfile>,
);

export function isProfileName(value: unknown): value is ProfileName {
  return typeof value === 'string' && (PROFILE_NAMES as readonly string[]).includes(value);
}

export function getProfile(name: ProfileName = 'v12'): HttpProfile {
  return PROFILES[name];
}

// ---------------------------------------------------------------- timestamps

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Formats an instant (epoch milliseconds, fractions allowed for sub-millisecond precision) the way the profile's
 * server generation does: `2026-06-15T05:50:44.62Z` (v12), `2026-06-16T06:33:10.659559Z` (v13),
 * `2019-07-01T04:00:16Z` (9.5 U4). Fractions are truncated, never rounded up into the next second.
 */
export function makeDateFormatter(profile: Pick<Profile, 'timestampDigits' | 'trimFractionZeros'>): (epochMs: number) => string {
  const digits = profile.timestampDigits;
  const trim = profile.trimFractionZeros;
  return (epochMs: number): string => {
    if (!Number.isFinite(epochMs)) throw new RangeError(`not a finite instant: ${epochMs}`);
    const wholeMs = Math.floor(epochMs);
    // µs within the millisecond, rounded to the nearest µs (float64 holds epoch ms to ~0.2 µs), then truncated by digits
    const subMs = Math.min(999, Math.round((epochMs - wholeMs) * 1000));
    const seconds = Math.floor(wholeMs / 1000);
    const d = new Date(seconds * 1000);
    const year = d.getUTCFullYear();
    const head =
      `${year < 0 ? '-' + pad(-year, 6) : year > 9999 ? '+' + pad(year, 6) : pad(year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
      `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
    if (digits === 0) return `${head}Z`;
    let fraction = (pad(wholeMs - seconds * 1000, 3) + pad(subMs, 3)).slice(0, digits);
    if (trim) fraction = fraction.replace(/0+$/, '');
    return fraction ? `${head}.${fraction}Z` : `${head}Z`;
  };
}

// ---------------------------------------------------------------- JSON key casing and absent values

const camelCache = new Map<string, string>();

/**
 * System.Text.Json's `JsonNamingPolicy.CamelCase` (what EM 13 switched to): lower-case the leading run of capitals,
 * except the last one of the run when a lower-case letter follows it. `UID`→`uid`, `NASJobs`→`nasJobs`,
 * `VAppRestorePoints`→`vAppRestorePoints`, `CreationTimeUTC`→`creationTimeUTC` (em-api-notes §4.1 rule 10).
 */
export function camelCaseKey(key: string): string {
  let out = camelCache.get(key);
  if (out !== undefined) return out;
  const chars = [...key];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (i === 1 && !isUpper(c)) break;
    const next = chars[i + 1];
    if (i > 0 && next !== undefined && !isUpper(next)) {
      if (next === ' ') chars[i] = c.toLowerCase();
      break;
    }
    chars[i] = c.toLowerCase();
  }
  out = chars.join('');
  if (camelCache.size < 10_000) camelCache.set(key, out);
  return out;
}

function isUpper(c: string): boolean {
  return c !== c.toLowerCase() && c === c.toUpperCase();
}

/**
 * Applies a profile's JSON differences to a JSON-form value (PascalCase keys, null for absent values). Returns the
 * same object when the profile is EM 12's mapping (no copy on the hot path).
 */
export function applyJsonProfile(value: unknown, keys: Profile['jsonKeys'], absent: Profile['jsonAbsent']): unknown {
  if (keys === 'PascalCase' && absent === 'null') return value;
  const camel = keys === 'camelCase';
  const omit = absent === 'omit';
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(walk);
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (child === undefined || (omit && child === null)) continue;
      out[camel ? camelCaseKey(k) : k] = walk(child);
    }
    return out;
  };
  return walk(value);
}
