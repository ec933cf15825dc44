/**
 * Lenient reading of response bodies, for the tests that need a body's data to judge their own rule. A deviation
 * from the representation rules (a camelCase key, a list nested once instead of twice, a byte order mark, a root
 * wrapper, an unescaped `&` in XML) is reported by the tests of those rules, which read the exact bytes
 * (`EmResponse.text`, `EmResponse.rawJson()`) and by the automatic checks; the other tests read through it, as a
 * tolerant client would, so that a paging test does not fail because the JSON keys are camelCase. Normalisation
 * never invents data: it renames keys to the contract's spelling and moves lists to where the mapping puts them.
 */
import { codec, type JsonValue } from '../contract/codec.ts';
import { buildModel } from '../contract/schema-model.ts';

type Json = JsonValue;
type JsonObject = { [key: string]: Json };

let names: { keys: Map<string, string>; exact: Set<string>; roots: Set<string> } | undefined;

/** The contract's JSON keys by lower-case spelling, and its root element names. */
function contractNames(): { keys: Map<string, string>; exact: Set<string>; roots: Set<string> } {
  if (!names) {
    const model = buildModel();
    const keys = new Map<string, string>();
    const exact = new Set<string>();
    const roots = new Set<string>();
    for (const t of model.types.values()) {
      const spellings = t.kind === 'object' ? t.properties.map((p) => p.name) : t.kind === 'array' ? [t.itemXmlName] : [];
      for (const name of spellings) {
        keys.set(name.toLowerCase(), name);
        exact.add(name);
      }
    }
    for (const r of model.roots.keys()) roots.add(r);
    for (const r of roots) if (!keys.has(r.toLowerCase())) keys.set(r.toLowerCase(), r);
    for (const k of keys.values()) exact.add(k);
    names = { keys, exact, roots };
  }
  return names;
}

const isObject = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);

/** camelCase keys (EM 13's regression) back to the contract's PascalCase spelling, at any depth. */
export function pascalKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(pascalKeys);
  if (!isObject(v)) return v;
  const { keys, exact } = contractNames();
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    // EM 13 lowercases the leading capitals (CreationTimeUtc → creationTimeUtc, UID → uid): the first letter raised
    // back is the contract's key when the contract has it; otherwise the key spelled alike but for case
    // (CreationTimeUtc and CreationTimeUTC differ only in case, so the first rule comes first)
    const raised = k.charAt(0).toUpperCase() + k.slice(1);
    const key = /^[a-z]/.test(k) ? (exact.has(raised) ? raised : (keys.get(k.toLowerCase()) ?? raised)) : k;
    out[key] = pascalKeys(x);
  }
  return out;
}

/** The list name a bare top-level array stands for: Refs for references, else the plural of the items' Type. */
function listName(items: Json[]): string {
  const types = new Set(items.map((i) => (isObject(i) && typeof i.Type === 'string' ? i.Type : '')));
  if (!items.length || [...types].every((t) => t.endsWith('Reference'))) return 'Refs';
  const [type] = types;
  return type ? `${type}s` : 'Items';
}

/** Reads a JSON body: byte order mark dropped, keys in the contract's spelling, lists where the mapping puts them. */
export function lenientJson(text: string): any {
  let v = JSON.parse(text.replace(/^\uFEFF/, '')) as Json;
  if (Array.isArray(v)) v = { [listName(v)]: v };
  if (!isObject(v)) return v;
  if (Object.keys(v).some((k) => /^[a-z]/.test(k))) v = pascalKeys(v) as JsonObject;
  // A root wrapper ({"BackupJobSession": {...}}): the content of the root is the body.
  const only = Object.keys(v);
  if (only.length === 1 && contractNames().roots.has(only[0]!) && isObject(v[only[0]!])) v = v[only[0]!] as JsonObject;
  // QueryResult lists nested once: {"Refs": [...]} → {"Refs": {"Refs": [...]}}, same for Entities and Resources.
  if ('PagingInfo' in v) {
    if (Array.isArray(v.Refs)) v.Refs = { Refs: v.Refs };
    for (const container of ['Entities', 'Resources']) {
      const c = v[container];
      if (isObject(c)) for (const [k, x] of Object.entries(c)) if (Array.isArray(x)) c[k] = { [k]: x };
    }
  }
  return v;
}

/** `&` not starting an entity or character reference, the one well-formedness slip a reader can undo. */
const BARE_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g;

/** Reads an XML body through the documented mapping, undoing unescaped ampersands if it does not parse as sent. */
export function lenientXml(text: string): { root: string; value: Record<string, JsonValue> } {
  try {
    return codec().fromXml(text);
  } catch (err) {
    const repaired = text.replace(BARE_AMPERSAND, '&amp;');
    if (repaired === text) throw err;
    return codec().fromXml(repaired);
  }
}

/** Whether a body is JSON: by its media type when that names XML or JSON, else by its first character. */
export function looksJson(mediaType: string, text: string): boolean {
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return true;
  if (mediaType === 'application/xml' || mediaType === 'text/xml' || mediaType.endsWith('+xml')) return false;
  return /^\uFEFF?\s*[[{]/.test(text);
}
