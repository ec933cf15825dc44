// The conformance rules catalogue (spec/rules.yaml): types, a validating loader and the family descriptions used by
// reports. Paths are resolved against the repository root, never the working directory.

import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Rule families, in report order, with a one-line description each. */
export const FAMILIES = {
  ENTRY: 'Entry point GET /api/: served without authentication, supported versions and their logon links',
  AUTH: 'Logon (201, token in header and cookie), token from header or cookie (cookie wins), idle expiry, logoff, 401 + WWW-Authenticate',
  NEG: 'Content negotiation: XML by default, JSON on Accept, Content-Type, Content-Length, XML declaration and namespace',
  SCHEMA: 'Bodies valid against the XSD and JSON Schema, root element as declared, Type attribute, UTC timestamps',
  JSON: 'The EM JSON mapping: no root, PascalCase keys, null for absent values, list nesting, link objects',
  FMT: 'Reference vs entity representations: format=Entity, EntityRef vs entity root, EntityReferences vs plural lists',
  ID: 'Identifiers: UID patterns, UID / Href / URL ID consistency, absolute Hrefs',
  LINK: 'Links resolve to their declared Type, Alternate round-trip, Up links agree with the Uid fields, action links',
  QRY: 'Query service basics: type required, format References / Entities, Entities wrapper names, querySvc links',
  FLT: 'Query filters: comparison and logical operators, grouping, quoting, UTC dates, case-insensitivity, enum order, UIDs',
  SORT: 'Query sorting: sortAsc / sortDesc on every documented field, stable order across pages',
  PAGE: 'Query paging: PagingInfo arithmetic, default page size, First / Previous / Next / Last links, pages join to the whole',
  WIN: 'The 30-day window of session collections; the query service and single resources are not limited',
  AGENT: 'Agent sessions: AgentBackup parents with one AgentManagement child per computer, parent / child links and names',
  COLL: 'Sub-collections: their members belong to the parent (task sessions, job sessions, includes)',
  ACT: 'Actions (writes): 202 + Task, task lifecycle, effects of start, stop, retry and toggleScheduleEnabled',
  ERR: 'Errors: 401 / 403 / 404 / 400 / 405 with an Error body in the negotiated format, StatusCode equal to the HTTP status',
  REPORT: 'The summary report and its frames: links to the five frames, EM field spellings, numbers that agree with the collections',
  MON: 'Monitoring resources: repositories, backup files, discovered computers and replica sessions, their links and identity',
} as const;

export type Family = keyof typeof FAMILIES;
export const FAMILY_NAMES = Object.keys(FAMILIES) as Family[];

/** Families whose checks modify the server (all others are checkable by a client that only reads). */
export const WRITE_FAMILIES: readonly Family[] = ['ACT'];

export const LEVELS = ['MUST', 'SHOULD'] as const;
export type Level = (typeof LEVELS)[number];

export const REPRESENTATIONS = ['xml', 'json'] as const;
export type Representation = (typeof REPRESENTATIONS)[number];

export interface RuleSource {
  /** File name in the documents folder (shared/em-docs). */
  doc: string;
  /** Verbatim excerpt of `doc` (matched after collapsing whitespace). */
  quote: string;
  note?: string;
}

export interface Rule {
  id: string;
  family: Family;
  title: string;
  statement: string;
  level: Level;
  source: RuleSource;
  /** operationIds of docs/architecture.md, or ['*'] for all operations. */
  operations: string[];
  representations: Representation[];
  /** Present when the rule rests on a choice we made where the documents say UNKNOWN. */
  choice?: string;
}

export const RULE_ID_PATTERN = /^[A-Z]+-\d{3}$/;

/** Absolute path of the repository root (with a trailing separator stripped). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');

/** Resolves a path relative to the repository root (absolute paths are returned unchanged). */
export function repoPath(path: string): string {
  return isAbsolute(path) ? path : resolve(REPO_ROOT, path);
}

/** The source documents folder: `EM_DOCS_DIR` if set (relative to the repo root), else `../shared/em-docs`. */
export function docsDir(): string {
  const fromEnv = process.env.EM_DOCS_DIR;
  return fromEnv ? repoPath(fromEnv) : resolve(REPO_ROOT, '../shared/em-docs');
}

/** Collapses every run of whitespace to one space and trims: the form in which quotes are matched. */
export function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** True when the rule's quote is found in its source document (whitespace-normalised). */
export function quoteFound(source: RuleSource, dir: string = docsDir()): boolean {
  const text = readFileSync(resolve(dir, source.doc), 'utf8');
  return normalizeWhitespace(text).includes(normalizeWhitespace(source.quote));
}

export class RulesError extends Error {
  override name = 'RulesError';
}

const RULE_KEYS = new Set(['id', 'family', 'title', 'statement', 'level', 'source', 'operations', 'representations', 'choice']);
const SOURCE_KEYS = new Set(['doc', 'quote', 'note']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** Validates parsed YAML as a rules list; throws a RulesError naming the file, the rule and the field. */
export function validateRules(data: unknown, origin = 'spec/rules.yaml'): Rule[] {
  if (!Array.isArray(data)) throw new RulesError(`${origin}: expected a list of rules at the top level, got ${show(data)}`);
  const seen = new Map<string, number>();
  return data.map((raw, index) => {
    const label = isRecord(raw) && typeof raw.id === 'string' ? `rule ${raw.id}` : `rule #${index + 1}`;
    const fail = (field: string, message: string): never => {
      throw new RulesError(`${origin}: ${label}: field "${field}" ${message}`);
    };
    if (!isRecord(raw)) throw new RulesError(`${origin}: ${label}: expected a mapping, got ${show(raw)}`);
    for (const key of Object.keys(raw)) if (!RULE_KEYS.has(key)) fail(key, 'is not a rule field');

    const text = (field: string, value: unknown): string => {
      if (typeof value !== 'string' || value.trim() === '') fail(field, `must be a non-empty string, got ${show(value)}`);
      return value as string;
    };

    const id = text('id', raw.id);
    if (!RULE_ID_PATTERN.test(id)) fail('id', `must match ${RULE_ID_PATTERN.source}, got ${show(id)}`);
    const family = text('family', raw.family);
    if (!(family in FAMILIES)) fail('family', `must be one of ${FAMILY_NAMES.join(', ')}, got ${show(family)}`);
    if (!id.startsWith(`${family}-`)) fail('id', `must start with its family "${family}-", got ${show(id)}`);
    const first = seen.get(id);
    if (first !== undefined) fail('id', `duplicates rule #${first + 1}`);
    seen.set(id, index);

    const title = text('title', raw.title);
    const statement = text('statement', raw.statement);
    const level = text('level', raw.level);
    if (!(LEVELS as readonly string[]).includes(level)) fail('level', `must be ${LEVELS.join(' or ')}, got ${show(level)}`);

    if (!isRecord(raw.source)) fail('source', `must be a mapping with doc and quote, got ${show(raw.source)}`);
    const rawSource = raw.source as Record<string, unknown>;
    for (const key of Object.keys(rawSource)) if (!SOURCE_KEYS.has(key)) fail(`source.${key}`, 'is not a source field');
    const source: RuleSource = { doc: text('source.doc', rawSource.doc), quote: text('source.quote', rawSource.quote) };
    if (/[\\/]/.test(source.doc)) fail('source.doc', `must be a bare file name in the documents folder, got ${show(source.doc)}`);
    if (rawSource.note !== undefined) source.note = text('source.note', rawSource.note);

    const list = (field: string, value: unknown): string[] => {
      if (!Array.isArray(value) || value.length === 0) fail(field, `must be a non-empty list, got ${show(value)}`);
      const items = value as unknown[];
      items.forEach((item, i) => {
        if (typeof item !== 'string' || item === '') fail(`${field}[${i}]`, `must be a non-empty string, got ${show(item)}`);
      });
      const strings = items as string[];
      const dup = strings.find((item, i) => strings.indexOf(item) !== i);
      if (dup !== undefined) fail(field, `lists ${show(dup)} twice`);
      return strings;
    };

    const operations = list('operations', raw.operations);
    if (operations.includes('*') && operations.length > 1) fail('operations', `must be ['*'] alone or operationIds, got ${show(operations)}`);
    const representations = list('representations', raw.representations);
    for (const r of representations) {
      if (!(REPRESENTATIONS as readonly string[]).includes(r)) fail('representations', `must contain only ${REPRESENTATIONS.join(', ')}, got ${show(r)}`);
    }

    const rule: Rule = {
      id,
      family: family as Family,
      title,
      statement,
      level: level as Level,
      source,
      operations,
      representations: representations as Representation[],
    };
    if (raw.choice !== undefined) rule.choice = text('choice', raw.choice);
    return rule;
  });
}

/** Parses rules YAML text and validates it (see validateRules). */
export function parseRules(yamlText: string, origin = 'spec/rules.yaml'): Rule[] {
  let data: unknown;
  try {
    data = parse(yamlText);
  } catch (error) {
    throw new RulesError(`${origin}: not valid YAML: ${(error as Error).message}`);
  }
  return validateRules(data, origin);
}

/** Loads and validates the rules catalogue; `path` is relative to the repository root. */
export function loadRules(path = 'spec/rules.yaml'): Rule[] {
  return parseRules(readFileSync(repoPath(path), 'utf8'), path);
}

/** The rules keyed by ID, in catalogue order. */
export function rulesById(rules: readonly Rule[] = loadRules()): Map<string, Rule> {
  return new Map(rules.map((rule) => [rule.id, rule]));
}

/** The rules grouped by family, every family present (possibly empty), in FAMILIES order. */
export function rulesByFamily(rules: readonly Rule[] = loadRules()): Map<Family, Rule[]> {
  const groups = new Map<Family, Rule[]>(FAMILY_NAMES.map((family) => [family, []]));
  for (const rule of rules) groups.get(rule.family)?.push(rule);
  return groups;
}
