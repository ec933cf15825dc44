// Every documentation example validates; every negative fixture fails for its stated reason.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/contract/paths.ts';
import { loadSpec } from '../../src/contract/spec.ts';
import { validateJson, validateXml } from '../../src/contract/validate.ts';

interface Fixture { file: string; type: string; source?: string; reason?: string; expect?: string; mapping?: 'strict' | 'omit-absent' }

const EXAMPLES = path.join(REPO_ROOT, 'spec', 'examples');

function load(dir: string): Fixture[] {
  return parse(readFileSync(path.join(dir, 'index.yaml'), 'utf8')) as Fixture[];
}

function check(dir: string, f: Fixture) {
  const body = readFileSync(path.join(dir, f.file), 'utf8');
  return f.file.endsWith('.json')
    ? validateJson(body, f.type, f.mapping ? { mapping: f.mapping } : {})
    : validateXml(body, { expectedRoots: [f.type] });
}

describe('documentation examples validate', () => {
  const fixtures = load(EXAMPLES);
  it('there are fixtures for every document example', () => expect(fixtures.length).toBeGreaterThanOrEqual(10));
  for (const f of fixtures) {
    it(`${f.file} (${f.source ?? 'no source'})`, () => {
      expect(f.source, 'every fixture names its source').toBeTruthy();
      expect(check(EXAMPLES, f).map((v) => v.message)).toEqual([]);
    });
  }
});

describe('negative fixtures fail for their stated reason', () => {
  const dir = path.join(EXAMPLES, 'negative');
  for (const f of load(dir)) {
    it(`${f.file}: ${f.reason}`, () => {
      const messages = check(dir, f).map((v) => v.message);
      expect(messages.length, 'expected at least one violation').toBeGreaterThan(0);
      expect(messages.join('\n')).toContain(f.expect);
    });
  }
});

describe('spec examples are the fixtures', () => {
  // components.examples in spec/openapi.yaml repeats the fixture files for OpenAPI tools; they must not drift apart.
  const examples = (loadSpec().components as { examples?: Record<string, { value?: unknown }> }).examples ?? {};
  const files = new Set(load(EXAMPLES).map((f) => f.file));
  it('every example in the spec names a fixture file', () => {
    expect(Object.keys(examples).filter((k) => !files.has(k))).toEqual([]);
  });
  for (const [name, example] of Object.entries(examples)) {
    it(`${name} equals spec/examples/${name}`, () => {
      const file = readFileSync(path.join(EXAMPLES, name), 'utf8');
      const value = typeof example.value === 'string' ? example.value : JSON.stringify(example.value);
      const normalise = (s: string) => (name.endsWith('.json') ? JSON.stringify(JSON.parse(s)) : s.trim());
      expect(normalise(value)).toBe(normalise(file));
    });
  }
});
