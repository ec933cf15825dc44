// Every rule of spec/rules.yaml is checked by at least one conformance test, and every rule a test names exists.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, RULES_FILE } from '../../src/contract/paths.ts';

interface ListedSuite { suites?: ListedSuite[]; specs?: Array<{ title: string; tags?: string[] }> }

function listedTags(): Map<string, string[]> {
  const out = execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'playwright'), ['test', '--list', '--reporter=json'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const report = JSON.parse(out) as { suites: ListedSuite[]; errors?: Array<{ message: string }> };
  if (report.errors?.length) throw new Error(`playwright --list failed: ${report.errors.map((e) => e.message).join('\n')}`);
  const byRule = new Map<string, string[]>();
  const walk = (s: ListedSuite) => {
    for (const child of s.suites ?? []) walk(child);
    for (const spec of s.specs ?? []) for (const tag of spec.tags ?? []) byRule.set(tag.replace(/^@/, ''), [...(byRule.get(tag.replace(/^@/, '')) ?? []), spec.title]);
  };
  report.suites.forEach(walk);
  return byRule;
}

describe('rule coverage of the conformance suite', () => {
  const rules = (parse(readFileSync(RULES_FILE, 'utf8')) as Array<{ id: string }>).map((r) => r.id);
  const tags = listedTags();
  it('every rule in spec/rules.yaml has a test', () => {
    expect(rules.filter((id) => !tags.has(id)), 'rules without a test').toEqual([]);
  });
  it('every rule a test names exists in spec/rules.yaml', () => {
    const known = new Set(rules);
    expect([...tags.keys()].filter((t) => /^[A-Z]+-\d{3}$/.test(t) && !known.has(t)), 'unknown rule IDs in test tags').toEqual([]);
  });
});
