// The mutant catalogue (src/mock/mutants.ts): at least 40 mutants, at least one per rule family, each naming one rule
// of spec/rules.yaml (and only catalogue rules in alsoBreaks), a CI sample covering every family, and the mutation
// run's verdict logic (killed only by a test tagged with the rule; stray = tagged with none of the rules broken).
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/contract/rules.ts';
import { listMutants } from '../../src/cli/mock.ts';
import { CI_SAMPLE, findMutant, MUTANTS } from '../../src/mock/mutants.ts';
import { judge, renderMarkdown, renderTable, score, type MutationReport } from '../../src/mutation/run.ts';
import { startMock } from '../../src/mock/index.ts';

const rules = loadRules();
const ids = new Set(rules.map((r) => r.id));
const families = new Set(rules.map((r) => r.family));

describe('the mutant catalogue', () => {
  it('has at least 40 mutants with unique ids, each breaking one catalogue rule', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
    for (const m of MUTANTS) {
      expect(ids.has(m.rule), `${m.id}: rule ${m.rule}`).toBe(true);
      expect(m.description.length, m.id).toBeGreaterThan(10);
      for (const r of m.alsoBreaks ?? []) {
        expect(ids.has(r), `${m.id}: alsoBreaks ${r}`).toBe(true);
        expect(r, `${m.id}: alsoBreaks repeats its rule`).not.toBe(m.rule);
      }
    }
  });

  it('covers every rule family, and so does the CI sample', () => {
    const familyOf = (rule: string) => rules.find((r) => r.id === rule)!.family;
    expect(new Set(MUTANTS.map((m) => familyOf(m.rule)))).toEqual(families);
    expect(new Set(CI_SAMPLE.map((id) => familyOf(findMutant(id).rule)))).toEqual(families);
  });

  it('is listed by `mock --list-mutants`, one line per mutant with its rule', () => {
    const lines = listMutants().split('\n');
    expect(lines).toHaveLength(MUTANTS.length);
    for (const m of MUTANTS) expect(lines.some((l) => l.startsWith(m.id) && l.includes(m.rule))).toBe(true);
  });

  it('every mutant starts, and findMutant refuses an unknown id', async () => {
    expect(() => findMutant('no-such-mutant')).toThrow(/unknown mutant/);
    for (const m of MUTANTS.filter((x) => x.domain || x.profile || x.auth)) {
      const mock = await startMock({ port: 0, mutant: m.id, sessions: 50 });
      try {
        expect((await fetch(`${mock.url}/`)).status, m.id).toBe(200);
      } finally {
        await mock.close();
      }
    }
  });
});

describe('the verdict on a mutant', () => {
  const m = { id: 'demo', rule: 'PAGE-004', alsoBreaks: ['SCHEMA-002'], description: 'a demonstration mutant' };
  const t = (title: string, tags: string[], status = 'failed') => ({ title, project: 'xml', tags, status });
  const outcome = (tests: ReturnType<typeof t>[]) => ({ tests, durationMs: 1, exitCode: 1, outputTail: '' });

  it('is killed only by a failing test tagged with the broken rule', () => {
    expect(judge(m, outcome([t('a', ['PAGE-004'])])).killed).toBe(true);
    expect(judge(m, outcome([t('a', ['PAGE-004'], 'passed'), t('b', ['SCHEMA-002'])])).killed).toBe(false);
    expect(judge(m, outcome([t('a', ['PAGE-004'], 'timedOut')])).killed).toBe(true);
    expect(judge(m, outcome([t('a', ['PAGE-004'], 'skipped')])).killed).toBe(false);
  });

  it('counts as stray a failing test tagged with none of the rules the mutant breaks', () => {
    const v = judge(m, outcome([t('a', ['PAGE-004']), t('b', ['SCHEMA-002', 'SCHEMA-001']), t('c', ['PAGE-003']), t('d', ['FLT-001'], 'passed')]));
    expect(v.stray.map((x) => x.title)).toEqual(['c']);
    expect(v.failing.map((x) => x.title)).toEqual(['a', 'b', 'c']);
  });

  it('renders a table and docs/mutation.md with the score', () => {
    const report: MutationReport = {
      date: '2026-01-01T00:00:00.000Z',
      durationMs: 60_000,
      parallel: 2,
      workers: 1,
      cores: 2,
      baseline: { tests: 10, failing: [], durationMs: 1000 },
      verdicts: [judge(m, outcome([t('a', ['PAGE-004'])])), judge({ ...m, id: 'survivor' }, outcome([t('c', ['PAGE-003'])]))],
    };
    expect(score(report)).toMatchObject({ total: 2, killed: 1, precise: 1, stray: 1, failing: 2 });
    expect(renderTable(report)).toMatch(/survivor\s+PAGE-004 \(\+SCHEMA-002\)\s+SURVIVED\s+1/);
    const md = renderMarkdown(report);
    expect(md).toContain('**Score: 1/2 killed (50 %), 1/2 precise (50 %)');
    expect(md).toContain('| `survivor` | PAGE-004 | SCHEMA-002 | **SURVIVED** | **1** | 0 / 1 |');
  });
});
