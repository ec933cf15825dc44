/**
 * Mutation testing of the conformance suite: the whole suite runs against the clean mock and then against each mutant
 * of src/mock/mutants.ts (an in-process mock per run, a few runs at a time). A mutant is killed when a test tagged with
 * the rule it breaks fails; a failing test tagged with none of the rules the mutant breaks (its rule and `alsoBreaks`)
 * is a stray failure, and a mutant without stray failures is precise.
 *
 *   npm run mutation                          every mutant, 2 at a time, docs/mutation.md rewritten
 *   npm run mutation -- --only a,b --no-write  some mutants, nothing written
 *   options: --parallel N, --workers N (Playwright workers per run), --json FILE, --no-baseline, --out FILE
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../contract/paths.ts';
import { startMock } from '../mock/index.ts';
import { EMBEDDED_MOCK_ESTATE } from '../suite/config.ts';
import { MUTANTS, type Mutant } from '../mock/mutants.ts';
import { isFailure, runWholeSuite, type SuiteOutcome, type SuiteTest } from './suite.ts';
import { runIfScript } from '../cli/script.ts';

const USER = 'mutation-check';
const PASSWORD = 'Mutation-check-Pa55word';
const USERS = { [USER]: PASSWORD, emoperator: { password: 'emoperator-password', role: 'RestoreOperator' as const } };
/**
 * The mock's idle timeout during mutation runs, short enough for the suite's idle-expiry test (AUTH-008) to wait it
 * out: the test runs with EM_IDLE_TEST=1 and EM_IDLE_TIMEOUT_MS set to this value.
 */
export const MUTATION_IDLE_TIMEOUT_MS = 10_000;

export interface MutantVerdict {
  id: string;
  rule: string;
  alsoBreaks: string[];
  description: string;
  killed: boolean;
  /** Failing tests tagged with the mutant's rule. */
  killers: SuiteTest[];
  /** Failing tests tagged with none of the rules the mutant breaks. */
  stray: SuiteTest[];
  /** Every failing test. */
  failing: SuiteTest[];
  tests: number;
  durationMs: number;
  /** Set when the run produced no report. */
  problem?: string;
}

export interface MutationReport {
  date: string;
  durationMs: number;
  parallel: number;
  workers: number;
  cores: number;
  baseline?: { tests: number; failing: SuiteTest[]; durationMs: number; problem?: string };
  verdicts: MutantVerdict[];
}

function suiteEnv(url: string, workers: number): Record<string, string> {
  return {
    EM_URL: url,
    EM_USER: USER,
    EM_PASSWORD: PASSWORD,
    EM_ALLOW_WRITES: '1',
    EM_RESTRICTED_USER: 'emoperator',
    EM_RESTRICTED_PASSWORD: 'emoperator-password',
    EM_IDLE_TEST: '1',
    EM_IDLE_TIMEOUT_MS: String(MUTATION_IDLE_TIMEOUT_MS),
    EM_WORKERS: String(workers),
  };
}

async function runAgainst(mutant: string | undefined, workers: number): Promise<SuiteOutcome> {
  const mock = await startMock({ port: 0, users: USERS, idleTimeoutMs: MUTATION_IDLE_TIMEOUT_MS, ...EMBEDDED_MOCK_ESTATE, ...(mutant ? { mutant } : {}) });
  try {
    return await runWholeSuite({ env: suiteEnv(mock.url, workers) });
  } finally {
    await mock.close();
  }
}

/** The verdict on one mutant from the outcome of the suite against it. */
export function judge(m: Mutant, outcome: Pick<SuiteOutcome, 'tests' | 'durationMs' | 'exitCode' | 'outputTail'>): MutantVerdict {
  const breaks = new Set([m.rule, ...(m.alsoBreaks ?? [])]);
  const failing = outcome.tests.filter(isFailure);
  const verdict: MutantVerdict = {
    id: m.id,
    rule: m.rule,
    alsoBreaks: [...(m.alsoBreaks ?? [])],
    description: m.description,
    killers: failing.filter((t) => t.tags.includes(m.rule)),
    stray: failing.filter((t) => !t.tags.some((r) => breaks.has(r))),
    failing,
    killed: false,
    tests: outcome.tests.length,
    durationMs: outcome.durationMs,
  };
  verdict.killed = verdict.killers.length > 0;
  if (!outcome.tests.length) verdict.problem = `no report (exit ${outcome.exitCode}): ${outcome.outputTail.slice(-400)}`;
  return verdict;
}

async function pool<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return out;
}

export async function runMutation(opts: { mutants?: readonly Mutant[]; parallel?: number; workers?: number; baseline?: boolean; log?: (line: string) => void } = {}): Promise<MutationReport> {
  const started = Date.now();
  const mutants = opts.mutants ?? MUTANTS;
  const parallel = opts.parallel ?? 2;
  const workers = opts.workers ?? (parallel > 1 ? 1 : 2);
  const log = opts.log ?? (() => undefined);
  const report: MutationReport = { date: new Date().toISOString(), durationMs: 0, parallel, workers, cores: os.availableParallelism(), verdicts: [] };
  if (opts.baseline !== false) {
    const clean = await runAgainst(undefined, Math.max(workers, parallel));
    report.baseline = { tests: clean.tests.length, failing: clean.tests.filter(isFailure), durationMs: clean.durationMs };
    if (!clean.tests.length) report.baseline.problem = `no report (exit ${clean.exitCode}): ${clean.outputTail.slice(-400)}`;
    log(`clean mock: ${clean.tests.length} tests, ${report.baseline.failing.length} failing (${Math.round(clean.durationMs / 1000)} s)`);
    for (const t of report.baseline.failing) log(`  false positive: ${testName(t)}: ${t.error ?? ''}`);
  }
  let done = 0;
  report.verdicts = await pool([...mutants], parallel, async (m) => {
    const v = judge(m, await runAgainst(m.id, workers));
    done += 1;
    log(`[${done}/${mutants.length}] ${m.id} (${m.rule}): ${v.killed ? 'killed' : 'SURVIVED'}, ${v.failing.length} failing, ${v.stray.length} stray (${Math.round(v.durationMs / 1000)} s)${v.problem ? ` — ${v.problem}` : ''}`);
    for (const t of v.stray) log(`  stray: ${testName(t)} {${t.tags.join(', ')}}: ${t.error ?? ''}`);
    return v;
  });
  report.durationMs = Date.now() - started;
  return report;
}

// ------------------------------------------------------------------------------------------------ rendering

const testName = (t: SuiteTest): string => `[${t.project}] ${t.title}`;

/** Failing tests grouped by title, projects joined: `title [xml, json]`. */
function grouped(tests: SuiteTest[]): string[] {
  const byTitle = new Map<string, string[]>();
  for (const t of tests) byTitle.set(t.title, [...(byTitle.get(t.title) ?? []), t.project]);
  return [...byTitle].map(([title, projects]) => `${title.replace(/^[^›]*\.spec\.ts › /, '')} [${projects.join(', ')}]`);
}

export function score(report: MutationReport): { total: number; killed: number; precise: number; failing: number; stray: number } {
  const v = report.verdicts;
  return {
    total: v.length,
    killed: v.filter((x) => x.killed).length,
    precise: v.filter((x) => x.stray.length === 0).length,
    failing: v.reduce((n, x) => n + x.failing.length, 0),
    stray: v.reduce((n, x) => n + x.stray.length, 0),
  };
}

export function renderTable(report: MutationReport): string {
  const rows = report.verdicts.map((v) => [v.id, v.rule + (v.alsoBreaks.length ? ` (+${v.alsoBreaks.join(', ')})` : ''), v.killed ? 'killed' : 'SURVIVED', String(v.stray.length), `${v.failing.length}: ${grouped(v.failing).join('; ')}`]);
  const head = ['mutant', 'rule', 'verdict', 'stray', 'failing tests'];
  const width = head.map((h, i) => Math.min(44, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(width[i]!))).join('  ');
  const s = score(report);
  return [
    line(head),
    ...rows.map((r) => line([...r.slice(0, 4), r[4]!.length > 160 ? `${r[4]!.slice(0, 157)}…` : r[4]!])),
    '',
    `killed ${s.killed}/${s.total}; precise ${s.precise}/${s.total} (stray failing tests ${s.stray} of ${s.failing})`,
  ].join('\n');
}

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');

export function renderMarkdown(report: MutationReport): string {
  const s = score(report);
  const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
  const out: string[] = [
    '# Mutation testing of the conformance suite',
    '',
    '<!-- Generated by `npm run mutation` (src/mutation/run.ts); do not edit by hand. -->',
    '',
    `Generated ${report.date.slice(0, 10)} (${report.date}) — ${report.verdicts.length} mutants, ${minutes(report.durationMs)} on ${report.cores} cores (${report.parallel} runs at a time, ${report.workers} Playwright worker${report.workers === 1 ? '' : 's'} each).`,
    '',
    `**Score: ${s.killed}/${s.total} killed (${((100 * s.killed) / Math.max(1, s.total)).toFixed(0)} %), ${s.precise}/${s.total} precise (${((100 * s.precise) / Math.max(1, s.total)).toFixed(0)} %); ${s.stray} stray failing test(s) of ${s.failing}.**`,
    '',
    'Each mutant (src/mock/mutants.ts, `npx em-conformance mock --list-mutants`) is one realistic deviation from one rule of',
    'spec/rules.yaml. The whole suite (every test, both representations, no `--grep`) runs against an in-process mock',
    'serving the mutant. A mutant is **killed** when a test tagged with its rule fails. A failing test tagged with none',
    'of the rules the mutant breaks (its rule, and the rules listed in `alsoBreaks` when the deviation necessarily breaks',
    'them too) is a **stray** failure: the suite blamed a rule that holds. A mutant is **precise** when it causes no stray',
    'failure. The suite runs with `EM_IDLE_TEST=1` against a mock whose idle timeout is',
    `${MUTATION_IDLE_TIMEOUT_MS / 1000} s, so that the idle-expiry rule (AUTH-008) is exercised.`,
    '',
  ];
  if (report.baseline) {
    out.push(
      `Baseline: the clean mock passes ${report.baseline.tests - report.baseline.failing.length} of ${report.baseline.tests} tests` +
        (report.baseline.failing.length ? ` — **${report.baseline.failing.length} false positive(s)**: ${report.baseline.failing.map(testName).map(md).join('; ')}` : ' (the rest not applicable): no false positive.') +
        ` (${minutes(report.baseline.durationMs)})`,
      '',
    );
  }
  out.push('| mutant | rule broken | also breaks | verdict | stray | failing tests (tagged with the rule / all) |', '|---|---|---|---|---|---|');
  for (const v of report.verdicts) {
    out.push(`| \`${v.id}\` | ${v.rule} | ${v.alsoBreaks.join(', ') || '—'} | ${v.killed ? 'killed' : '**SURVIVED**'} | ${v.stray.length ? `**${v.stray.length}**` : '0'} | ${v.killers.length} / ${v.failing.length} |`);
  }
  out.push('', '## Per mutant', '');
  for (const v of report.verdicts) {
    out.push(`### \`${v.id}\` — ${v.rule}${v.alsoBreaks.length ? ` (also ${v.alsoBreaks.join(', ')})` : ''}`, '', md(v.description) + '.', '');
    if (v.problem) out.push(`Run problem: ${md(v.problem)}`, '');
    out.push(`${v.killed ? 'Killed' : '**Survived**'} in ${Math.round(v.durationMs / 1000)} s. Failing tests:`, '');
    for (const g of grouped(v.failing)) out.push(`- ${md(g)}`);
    if (!v.failing.length) out.push('- none');
    if (v.stray.length) {
      out.push('', 'Stray failures (tagged with none of the rules the mutant breaks):', '');
      for (const t of v.stray) out.push(`- ${md(testName(t))} {${t.tags.join(', ')}}: ${md(t.error ?? '')}`);
    }
    out.push('');
  }
  out.push(ciNote(report));
  return out.join('\n');
}

function ciNote(report: MutationReport): string {
  const minutes = Math.round(report.durationMs / 60_000);
  return `## In CI

CI (\`.ci/run\`: \`npm ci\`, then \`npm test\`) has 90 minutes on 2 cores. The full run above took ${minutes} minutes on
${report.cores} cores for ${report.verdicts.length} mutants (the whole suite once per mutant, which is what the precision
measure needs, plus the clean baseline); with the install and \`npm test\` around it, that leaves no safe margin, and it
grows with every mutant and every test. So CI runs a fixed sample instead, and the full run stays a script
(\`npm run mutation\`, which rewrites this file):

- \`npm test\` runs tests/unit/mutation-sample.test.ts: the mutants of \`CI_SAMPLE\` (src/mock/mutants.ts, one or
  more per rule family), each against its own in-process mock, the suite restricted by \`--grep\` to the tests tagged
  with the mutant's rule; a test tagged with the rule must fail. That proves every family is seen to fail, in a few
  minutes, but measures no precision.
- tests/unit/mutation-catalogue.test.ts checks the catalogue itself (at least 40 mutants, every family, rules that
  exist) and the verdict logic of this report.

Run \`npm run mutation\` after changing a conformance test, the suite's harness (src/suite/) or a mutant:
\`npm run mutation -- --only id1,id2 --no-write\` re-checks some mutants without rewriting this file.
`;
}

// ------------------------------------------------------------------------------------------------ CLI

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      'baseline-only': { type: 'boolean' },
      parallel: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean' },
      'no-baseline': { type: 'boolean' },
    },
  });
  let mutants: readonly Mutant[] = MUTANTS;
  if (values.only) {
    const ids = values.only.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = ids.filter((id) => !MUTANTS.some((m) => m.id === id));
    if (unknown.length) {
      console.error(`unknown mutant(s): ${unknown.join(', ')} (npx em-conformance mock --list-mutants)`);
      return 2;
    }
    mutants = MUTANTS.filter((m) => ids.includes(m.id));
  }
  if (values['baseline-only']) mutants = [];
  const parallel = values.parallel ? Number(values.parallel) : 2;
  const workers = values.workers ? Number(values.workers) : undefined;
  const report = await runMutation({ mutants, parallel, ...(workers ? { workers } : {}), baseline: !values['no-baseline'], log: (l) => console.error(l) });
  console.log(renderTable(report));
  if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
  if (!values['no-write']) {
    const file = values.out ?? path.join(REPO_ROOT, 'docs', 'mutation.md');
    writeFileSync(file, renderMarkdown(report));
    console.error(`written ${path.relative(process.cwd(), file)}`);
  }
  const s = score(report);
  const clean = !report.baseline || report.baseline.failing.length === 0;
  return s.killed === s.total && clean ? 0 : 1;
}

runIfScript(import.meta.url, main);
