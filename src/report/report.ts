/**
 * The conformance report as data (written as conformance.json, described by schemas/conformance-report.schema.json):
 * built from the tests of a run, whatever ran them (a live run, merged shards, a results file).
 */
import { readFileSync } from 'node:fs';
import { FAMILIES, FAMILY_NAMES, RULE_ID_PATTERN, loadRules, repoPath, type Family, type Rule } from '../contract/rules.ts';
import { listOperations, loadSpec } from '../contract/spec.ts';
import { classifyTest, combine, targetErrorCause, VERDICTS, type Annotation, type NotApplicableKind, type Verdict } from './classify.ts';
import { buildEvidence, type Evidence } from './evidence.ts';
import type { ShapeData } from '../compare/shapes.ts';
import { scrub } from './scrub.ts';
import { emptyTarget, HARNESS_ANNOTATION, TARGET_ANNOTATION, type TargetInfo } from './target.ts';

export const REPORT_SCHEMA_VERSION = 1;

/** One test as the report reads it (from Playwright's TestCase + last TestResult). */
export interface TestRecord {
  title: string;
  /** Describe blocks and title, without project and file. */
  titlePath: string[];
  /** Path relative to the repository root. */
  file: string;
  line: number;
  project: string;
  tags: string[];
  annotations: Annotation[];
  status: string;
  errors: string[];
  attachments: Array<{ name: string; contentType?: string; body?: Buffer | string }>;
  durationMs: number;
}

export interface RunInfo {
  startTime: string;
  durationMs: number;
  /** Playwright's overall status: passed, failed, timedout, interrupted. */
  status: string;
  /** True when the report was written by `playwright merge-reports` from shards. */
  merged: boolean;
  /** Number of shards merged (null for a run that was not sharded). */
  shards: number | null;
}

export interface Counts {
  pass: number;
  fail: number;
  error: number;
  notApplicable: number;
  notRun: number;
}

export interface ReportTest {
  title: string;
  file: string;
  line: number;
  project: string;
  rules: string[];
  status: string;
  outcome: Verdict;
  durationMs: number;
  requests: number;
  reason?: string;
  naKind?: NotApplicableKind;
  /** Index in `failures` (failed tests and errors). */
  failure?: number;
}

export interface Failure extends Evidence {
  kind: 'fail' | 'error';
  /** Index in `tests`. */
  test: number;
  title: string;
  project: string;
  rules: string[];
  families: string[];
}

export interface NotApplicableNote {
  reason: string;
  kind: NotApplicableKind;
  project: string;
  test: string;
}

export interface RuleResult {
  id: string;
  family: Family;
  title: string;
  statement: string;
  level: string;
  source: { doc: string; quote: string; note?: string };
  choice?: string;
  operations: string[];
  representations: string[];
  verdict: Verdict;
  /** The verdict from the tests of each project (xml, json, cross) that has tests for the rule. */
  byProject: Record<string, Verdict>;
  counts: Counts;
  /** Reasons given by its not-applicable tests (distinct). */
  notApplicable: NotApplicableNote[];
  /** Kind of a not-applicable verdict: `config` only when every reason is a configuration one. */
  naKind?: NotApplicableKind;
  /** Indexes in `tests`. */
  tests: number[];
  /** Indexes in `failures`. */
  failures: number[];
}

export interface TargetErrorGroup {
  cause: string;
  tests: number;
  rules: string[];
  example: string;
}

export interface ConformanceReport {
  schemaVersion: number;
  generatedAt: string;
  suite: { name: string; version: string };
  spec: { title: string; version: string };
  run: RunInfo & { requests: number; projects: string[]; tests: Counts & { total: number } };
  target: TargetInfo;
  /** fail when a rule fails, else error when a rule could not be checked for errors of the target, else pass. */
  verdict: 'pass' | 'fail' | 'error';
  summary: Counts & { rules: number };
  families: Array<{ id: Family; description: string; rules: number } & Counts>;
  rules: RuleResult[];
  operations: Array<{ id: string; method: string; path: string }>;
  tests: ReportTest[];
  failures: Failure[];
  targetErrors: TargetErrorGroup[];
  /** Rule IDs tagged on tests but missing from spec/rules.yaml. */
  unknownRules: string[];
  /**
   * Representation shapes the run's responses showed, per operation, status and media type (src/compare/shapes.ts),
   * for `em-conformance compare`. Absent in reports of runs that recorded none.
   */
  shapes?: ShapeData;
}

const KEY: Record<Verdict, keyof Counts> = { pass: 'pass', fail: 'fail', error: 'error', 'not-applicable': 'notApplicable', 'not-run': 'notRun' };

export function emptyCounts(): Counts {
  return { pass: 0, fail: 0, error: 0, notApplicable: 0, notRun: 0 };
}

function count(counts: Counts, v: Verdict): void {
  counts[KEY[v]] += 1;
}

/** Rule IDs of a test: its tags (`@AUTH-001`) and `rule` annotations. */
export function ruleIdsOf(tags: readonly string[], annotations: readonly Annotation[]): string[] {
  const ids = [...tags.map((t) => t.replace(/^@/, '')), ...annotations.filter((a) => a.type === 'rule').map((a) => a.description ?? '')];
  return [...new Set(ids.filter((id) => RULE_ID_PATTERN.test(id)))];
}

function requestsOf(annotations: readonly Annotation[]): number {
  return annotations.filter((a) => a.type === 'requests').reduce((n, a) => n + (Number(a.description) || 0), 0);
}

/** The target described by the tests' `em-target` annotations (a reachable probe wins), else `fallback`. */
export function targetOf(tests: readonly TestRecord[], fallback: Partial<TargetInfo> = {}): TargetInfo {
  const probes: TargetInfo[] = [];
  for (const t of tests) {
    for (const a of t.annotations) {
      if (a.type !== TARGET_ANNOTATION || !a.description) continue;
      try {
        probes.push({ ...emptyTarget(), ...(JSON.parse(a.description) as Partial<TargetInfo>) });
      } catch {
        /* a malformed annotation is ignored */
      }
    }
  }
  const chosen = probes.find((p) => p.reachable && p.apiVersions.length) ?? probes.find((p) => p.reachable) ?? probes[0] ?? { ...emptyTarget(), ...fallback };
  return { ...chosen, url: chosen.url === null ? null : scrub(chosen.url), error: chosen.error === null ? null : scrub(chosen.error) };
}

export function suiteVersion(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

export function specVersion(): { title: string; version: string } {
  const info = loadSpec().info as { title?: string; version?: string };
  return { title: String(info.title ?? ''), version: String(info.version ?? '') };
}

export interface BuildOptions {
  tests: TestRecord[];
  run: RunInfo;
  rules?: Rule[];
  operations?: Array<{ id: string; method: string; path: string }>;
  target?: TargetInfo;
  now?: Date;
  shapes?: ShapeData | undefined;
}

/**
 * One record per test. Merged shards hold a test twice when Playwright ran it in each shard (the teardown project
 * `actions` runs in every shard and skips itself outside shard 1): the run that did not skip wins.
 */
function onePerTest(tests: TestRecord[]): TestRecord[] {
  const byKey = new Map<string, TestRecord>();
  for (const t of tests) {
    const key = `${t.project}|${t.file}:${t.line}|${t.titlePath.join(' › ')}`;
    const seen = byKey.get(key);
    if (!seen || (seen.status === 'skipped' && t.status !== 'skipped')) byKey.set(key, t);
  }
  const kept = new Set(byKey.values());
  return kept.size === tests.length ? tests : tests.filter((t) => kept.has(t));
}

export function buildReport(opts: BuildOptions): ConformanceReport {
  const rules = opts.rules ?? loadRules();
  const known = new Set(rules.map((r) => r.id));
  const operations = opts.operations ?? listOperations().map((op) => ({ id: op.operationId, method: op.method, path: op.path }));
  const tests: ReportTest[] = [];
  const failures: Failure[] = [];
  const unknown = new Set<string>();
  const byRule = new Map<string, number[]>(rules.map((r) => [r.id, []]));
  const projects: string[] = [];
  const totals = emptyCounts();
  let requests = 0;

  // harness steps that run as tests (the target probe) are read for the target, not counted
  const records = onePerTest(opts.tests.filter((t) => !t.annotations.some((a) => a.type === HARNESS_ANNOTATION)));
  records.forEach((t, index) => {
    const ids = ruleIdsOf(t.tags, t.annotations);
    for (const id of ids) {
      if (known.has(id)) byRule.get(id)!.push(index);
      else unknown.add(id);
    }
    if (!projects.includes(t.project)) projects.push(t.project);
    const { outcome, reason, naKind } = classifyTest(t.status, t.errors, t.annotations);
    count(totals, outcome);
    const n = requestsOf(t.annotations);
    requests += n;
    const entry: ReportTest = { title: t.titlePath.join(' › '), file: t.file, line: t.line, project: t.project, rules: ids, status: t.status, outcome, durationMs: Math.round(t.durationMs), requests: n };
    if (reason !== undefined) entry.reason = scrub(reason);
    if (naKind) entry.naKind = naKind;
    if (outcome === 'fail' || outcome === 'error') {
      entry.failure = failures.length;
      const location = `${t.file}:${t.line}`;
      failures.push({
        kind: outcome,
        test: index,
        title: entry.title,
        project: t.project,
        rules: ids,
        families: [...new Set(ids.map((id) => id.replace(/-\d+$/, '')))],
        ...buildEvidence(t.errors, t.attachments, location),
      });
    }
    tests.push(entry);
  });

  const ruleResults: RuleResult[] = rules.map((rule) => {
    const indexes = byRule.get(rule.id) ?? [];
    const counts = emptyCounts();
    const perProject = new Map<string, Verdict[]>();
    const notes = new Map<string, NotApplicableNote>();
    for (const i of indexes) {
      const t = tests[i]!;
      count(counts, t.outcome);
      perProject.set(t.project, [...(perProject.get(t.project) ?? []), t.outcome]);
      if (t.outcome === 'not-applicable') {
        const key = `${t.naKind}|${t.reason}`;
        if (!notes.has(key)) notes.set(key, { reason: t.reason ?? '', kind: t.naKind ?? 'data', project: t.project, test: t.title });
      }
    }
    const verdict = combine(indexes.map((i) => tests[i]!.outcome));
    const result: RuleResult = {
      id: rule.id,
      family: rule.family,
      title: rule.title,
      statement: rule.statement,
      level: rule.level,
      source: { ...rule.source },
      operations: rule.operations,
      representations: rule.representations,
      verdict,
      byProject: Object.fromEntries([...perProject].map(([p, outcomes]) => [p, combine(outcomes)])),
      counts,
      notApplicable: [...notes.values()],
      tests: indexes,
      failures: indexes.map((i) => tests[i]!.failure).filter((f): f is number => f !== undefined),
    };
    if (rule.choice) result.choice = rule.choice;
    if (verdict === 'not-applicable') result.naKind = [...notes.values()].every((n) => n.kind === 'config') ? 'config' : 'data';
    return result;
  });

  const summary = { rules: ruleResults.length, ...emptyCounts() };
  for (const r of ruleResults) count(summary, r.verdict);
  const families = FAMILY_NAMES.map((id) => {
    const own = ruleResults.filter((r) => r.family === id);
    const c = emptyCounts();
    for (const r of own) count(c, r.verdict);
    return { id, description: FAMILIES[id], rules: own.length, ...c };
  });

  const groups = new Map<string, TargetErrorGroup>();
  for (const f of failures.filter((x) => x.kind === 'error')) {
    const t = records[f.test]!;
    const cause = scrub(targetErrorCause(t.errors[0] ?? 'timeout'));
    const g = groups.get(cause) ?? { cause, tests: 0, rules: [], example: `${f.title} [${f.project}]` };
    g.tests += 1;
    for (const id of f.rules) if (!g.rules.includes(id)) g.rules.push(id);
    groups.set(cause, g);
  }

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    suite: suiteVersion(),
    spec: specVersion(),
    run: { ...opts.run, requests, projects, tests: { total: tests.length, ...totals } },
    target: opts.target ?? targetOf(opts.tests),
    verdict: summary.fail ? 'fail' : summary.error ? 'error' : 'pass',
    summary,
    families,
    rules: ruleResults,
    operations,
    tests,
    failures,
    targetErrors: [...groups.values()].sort((a, b) => b.tests - a.tests),
    unknownRules: [...unknown].sort(),
    ...(opts.shapes ? { shapes: opts.shapes } : {}),
  };
}

export { VERDICTS };
