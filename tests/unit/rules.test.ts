import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RULES_DOC_COMMAND, RULES_DOC_PATH, renderRulesDoc } from '../../src/contract/rules-doc.ts';
import {
  FAMILIES,
  FAMILY_NAMES,
  RULE_ID_PATTERN,
  RulesError,
  docsDir,
  loadRules,
  normalizeWhitespace,
  parseRules,
  repoPath,
  rulesByFamily,
  rulesById,
  type Rule,
} from '../../src/contract/rules.ts';

const rules = loadRules();
const rawRules = parse(readFileSync(repoPath('spec/rules.yaml'), 'utf8')) as Array<Record<string, unknown>>;

/** operationIds of the "Operation IDs" table in docs/architecture.md. */
function architectureOperationIds(): Set<string> {
  const text = readFileSync(repoPath('docs/architecture.md'), 'utf8');
  const section = text.split(/^## Operation IDs\s*$/m)[1]?.split(/^## /m)[0] ?? '';
  const ids = new Set<string>();
  for (const line of section.split('\n')) {
    const match = /^\|\s*([A-Za-z]\w*)\s*\|\s*(GET|POST|PUT|DELETE|PATCH)\s/.exec(line);
    if (match?.[1]) ids.add(match[1]);
  }
  return ids;
}

/** operationIds declared under `paths` in spec/openapi.yaml (empty while the spec has no operations). */
function openapiOperationIds(): Set<string> {
  const path = repoPath('spec/openapi.yaml');
  const ids = new Set<string>();
  if (!existsSync(path)) return ids;
  const spec = parse(readFileSync(path, 'utf8')) as { paths?: Record<string, Record<string, unknown> | null> } | null;
  for (const item of Object.values(spec?.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']) {
      const op = item?.[method] as { operationId?: unknown } | undefined;
      if (typeof op?.operationId === 'string') ids.add(op.operationId);
    }
  }
  return ids;
}

const named = (list: Rule[]) => list.map((rule) => rule.id);

describe('rules catalogue (spec/rules.yaml)', () => {
  it('has unique IDs of the form FAMILY-NNN starting with their family', () => {
    const ids = rawRules.map((rule) => rule.id);
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(duplicates, 'duplicate rule IDs').toEqual([]);
    for (const rule of rules) {
      expect(rule.id, `${rule.id}: malformed ID`).toMatch(RULE_ID_PATTERN);
      expect(rule.id.startsWith(`${rule.family}-`), `${rule.id}: ID does not start with family ${rule.family}`).toBe(true);
    }
    expect(rulesById(rules).size).toBe(rules.length);
  });

  it('has at least 60 rules and at least 3 in every family', () => {
    expect(rules.length).toBeGreaterThanOrEqual(60);
    for (const [family, members] of rulesByFamily(rules)) {
      expect(members.length, `family ${family} has ${members.length} rules`).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(rules.map((rule) => rule.family))).toEqual(new Set(FAMILY_NAMES));
  });

  it('traces every rule to a verbatim quote (whitespace-normalised) of an existing document', () => {
    const dir = docsDir();
    const texts = new Map<string, string>();
    const problems: string[] = [];
    for (const rule of rules) {
      const file = resolve(dir, rule.source.doc);
      if (!existsSync(file)) {
        problems.push(`${rule.id}: document ${rule.source.doc} not found in ${dir}`);
        continue;
      }
      if (!texts.has(file)) texts.set(file, normalizeWhitespace(readFileSync(file, 'utf8')));
      const quote = normalizeWhitespace(rule.source.quote);
      if (!texts.get(file)?.includes(quote)) problems.push(`${rule.id}: quote not found in ${rule.source.doc}: ${JSON.stringify(quote)}`);
      if (quote.length < 20 || quote.length > 150) problems.push(`${rule.id}: quote is ${quote.length} characters (keep 20–150)`);
    }
    expect(problems).toEqual([]);
  });

  it('gives a choice to every rule whose quote is an UNKNOWN of the notes', () => {
    const missing = rules.filter((rule) => /UNKNOWN/.test(rule.source.quote) && !rule.choice);
    expect(named(missing)).toEqual([]);
  });

  it("names only operationIds of docs/architecture.md's table", () => {
    const known = architectureOperationIds();
    expect(known.size, 'no operationIds parsed from docs/architecture.md').toBeGreaterThan(20);
    const unknown = rules.flatMap((rule) => rule.operations.filter((op) => op !== '*' && !known.has(op)).map((op) => `${rule.id}: ${op}`));
    expect(unknown).toEqual([]);
  });

  const specOps = openapiOperationIds();
  it.skipIf(specOps.size === 0)('names only operationIds that spec/openapi.yaml defines', () => {
    const unknown = rules.flatMap((rule) => rule.operations.filter((op) => op !== '*' && !specOps.has(op)).map((op) => `${rule.id}: ${op}`));
    expect(unknown).toEqual([]);
  });

  it('has a description for every family', () => {
    for (const family of FAMILY_NAMES) expect(FAMILIES[family].length).toBeGreaterThan(10);
  });
});

describe('rules loader', () => {
  const valid = {
    id: 'PAGE-900',
    family: 'PAGE',
    title: 't',
    statement: 's',
    level: 'MUST',
    source: { doc: 'em-api-notes.md', quote: 'q' },
    operations: ['query'],
    representations: ['xml'],
  };
  const yamlOf = (...list: unknown[]) => JSON.stringify(list); // JSON is YAML

  it('accepts a well-formed rule', () => {
    expect(parseRules(yamlOf(valid))).toEqual([valid]);
  });

  it.each([
    [{ ...valid, level: 'MAY' }, /rule PAGE-900: field "level" must be MUST or SHOULD/],
    [{ ...valid, id: 'PAGE-1' }, /rule PAGE-1: field "id" must match/],
    [{ ...valid, id: 'FLT-900' }, /rule FLT-900: field "id" must start with its family "PAGE-"/],
    [{ ...valid, family: 'NOPE', id: 'NOPE-001' }, /rule NOPE-001: field "family" must be one of/],
    [{ ...valid, source: { doc: 'x.txt' } }, /rule PAGE-900: field "source.quote" must be a non-empty string/],
    [{ ...valid, operations: [] }, /rule PAGE-900: field "operations" must be a non-empty list/],
    [{ ...valid, operations: ['*', 'query'] }, /rule PAGE-900: field "operations" must be \['\*'\] alone/],
    [{ ...valid, representations: ['html'] }, /rule PAGE-900: field "representations" must contain only xml, json/],
    [{ ...valid, choice: '' }, /rule PAGE-900: field "choice" must be a non-empty string/],
    [{ ...valid, extra: 1 }, /rule PAGE-900: field "extra" is not a rule field/],
    [{ ...valid, title: undefined }, /rule PAGE-900: field "title" must be a non-empty string/],
  ])('rejects %j', (rule, message) => {
    expect(() => parseRules(yamlOf(rule))).toThrow(RulesError);
    expect(() => parseRules(yamlOf(rule))).toThrow(message);
  });

  it('rejects duplicate IDs and a non-list document', () => {
    expect(() => parseRules(yamlOf(valid, valid))).toThrow(/rule PAGE-900: field "id" duplicates rule #1/);
    expect(() => parseRules('rules: []')).toThrow(/expected a list of rules/);
  });
});

describe('docs/rules.md', () => {
  it('equals the rendering of spec/rules.yaml (drift test)', () => {
    const path = repoPath(RULES_DOC_PATH);
    const actual = existsSync(path) ? readFileSync(path, 'utf8') : '';
    expect(actual === renderRulesDoc(rules), `${RULES_DOC_PATH} is out of date: run \`${RULES_DOC_COMMAND}\``).toBe(true);
  });
});
