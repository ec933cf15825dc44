/**
 * `em-conformance compare BASELINE_DIR CANDIDATE_DIR [--out DIR]`: compares the conformance reports of two runs (today's
 * EM and the upgrade candidate) and writes compare.json and compare.html into DIR (default reports/compare).
 *
 * `em-conformance upgrade-check --baseline-url URL --candidate-url URL [options]`: runs the suite against both servers
 * (as certify does: read-only unless --allow-writes) and compares them; reports under DIR/baseline and DIR/candidate,
 * comparison in DIR (default reports/upgrade-check).
 *
 * Exit code: 0 nothing breaks, 1 something breaks (or the comparison is incomplete), 2 usage error.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compareReports, exitCodeOf, type CompareResult } from '../compare/compare.ts';
import { renderCompareHtml } from '../compare/html.ts';
import type { ConformanceReport } from '../report/report.ts';
import { scrub } from '../report/scrub.ts';
import { configSecrets, loadConfig } from '../suite/config.ts';
import { registerSecret } from '../suite/redact.ts';
import { environment, parseCertifyArgs, runSuite, SUITE_RUN_OPTIONS, type CertifyOptions } from './certify.ts';
import { UsageError } from './main.ts';

export const COMPARE_USAGE = 'compare BASELINE_DIR CANDIDATE_DIR [--out DIR]   compare two runs\' reports: what breaks for clients';
export const UPGRADE_CHECK_USAGE =
  'upgrade-check --baseline-url URL --candidate-url URL [--out DIR] [--user U --password P] [options]   run the suite against both servers and compare';

const COMPARE_HELP = `usage: em-conformance compare BASELINE_DIR CANDIDATE_DIR [--out DIR]

Compares the conformance reports of two runs of the suite — today's Enterprise Manager (baseline) and the upgrade
candidate — and writes compare.json and compare.html into --out (default reports/compare): rule verdicts that change,
and representation shapes (JSON keys, XML elements, value types, enum values, links, timestamps, page size, API
versions) classified breaking or additive, with a summary. Exit code: 0 nothing breaks, 1 something breaks or the
comparison is incomplete, 2 usage error.

BASELINE_DIR and CANDIDATE_DIR are reports folders (EM_REPORTS_DIR of the runs, holding conformance/conformance.json),
conformance folders, certify --out folders, or conformance.json files.`;

const UPGRADE_HELP = `usage: em-conformance upgrade-check --baseline-url URL --candidate-url URL [options]

Runs the conformance suite against the baseline (today's EM) and then the candidate (the upgraded EM, e.g. staging),
and compares them (see em-conformance compare --help). Read-only unless --allow-writes. Writes DIR/baseline/ and
DIR/candidate/ (each run's reports), DIR/compare.json and DIR/compare.html. Exit code: 0 nothing breaks, 1 something
breaks or the comparison is incomplete, 2 usage error.

  --baseline-url URL, --candidate-url URL   base URLs of the two EM REST APIs, ending in /api (required)
  --out DIR                   folder of the comparison (default reports/upgrade-check)
  --user U, --password P      the account on both servers (default: EM_USER, EM_PASSWORD from the environment or .env)
  --baseline-user U, --baseline-password P, --candidate-user U, --candidate-password P
                              a different account on one server
  --allow-writes              also run the action rules (they start and stop jobs) on both servers
  --restricted-user U, --restricted-password P   an account without the Portal Administrator role (the 403 rule)
  --api-version V             version to log on with: latest (default) or v1_N
  --ca-file F                 trust this CA (PEM; may hold the CAs of both servers)
  --tls-insecure              do not verify the certificates
  --json-mapping M            strict (default) or omit-absent
  --max-items N, --timeout-ms N, --workers N   as for certify
  --quiet                     do not show the suites' progress

Credentials are never printed or written to the reports.`;

/** Where a report lives under a folder given on the command line, in the order tried. */
function reportCandidates(arg: string): string[] {
  if (existsSync(arg) && statSync(arg).isFile()) return [arg];
  return ['conformance.json', path.join('conformance', 'conformance.json'), path.join('run', 'conformance', 'conformance.json')].map((f) => path.join(arg, f));
}

/** Reads the conformance report a command-line argument names; a UsageError names the argument and the files tried. */
export function loadReport(arg: string, name: string): { file: string; report: ConformanceReport } {
  if (!existsSync(arg)) throw new UsageError(`${name} '${arg}' does not exist`);
  const tried = reportCandidates(arg);
  const file = tried.find((f) => existsSync(f));
  if (!file) throw new UsageError(`${name} '${arg}' holds no conformance report (looked for ${tried.join(', ')})`);
  let report: ConformanceReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as ConformanceReport;
  } catch (err) {
    throw new UsageError(`${name} '${file}' is not JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!report || typeof report !== 'object' || !Array.isArray(report.rules) || !report.target || !report.run) {
    throw new UsageError(`${name} '${file}' is not a conformance report (no rules, target or run)`);
  }
  return { file, report };
}

/** The conformance report page next to a conformance.json, relative to the comparison's folder. */
function reportPageLink(reportFile: string, outDir: string): string | null {
  const page = path.join(path.dirname(reportFile), 'index.html');
  return existsSync(page) ? path.relative(outDir, page).split(path.sep).join('/') : null;
}

/** Compares, writes compare.json and compare.html, prints the summary; returns the exit code. */
function writeComparison(baseline: { file: string; report: ConformanceReport }, candidate: { file: string; report: ConformanceReport }, outDir: string): number {
  const result: CompareResult = compareReports(baseline.report, candidate.report, { baselineSource: path.relative(process.cwd(), baseline.file) || baseline.file, candidateSource: path.relative(process.cwd(), candidate.file) || candidate.file });
  mkdirSync(outDir, { recursive: true });
  // the reports are scrubbed already; the comparison adds only paths, kinds and enum values — scrubbed once more anyway
  writeFileSync(path.join(outDir, 'compare.json'), scrub(`${JSON.stringify(result, null, 2)}\n`));
  writeFileSync(path.join(outDir, 'compare.html'), scrub(renderCompareHtml(result, { baselineReport: reportPageLink(baseline.file, outDir), candidateReport: reportPageLink(candidate.file, outDir) })));
  const label = result.verdict === 'compatible' ? 'COMPATIBLE' : result.verdict === 'breaking' ? 'BREAKING' : 'INCONCLUSIVE';
  console.log(`\n${label}: ${scrub(result.baseline.url ?? 'baseline')} → ${scrub(result.candidate.url ?? 'candidate')} — ${result.counts.breaking} breaking, ${result.counts.additive} additive, ${result.counts.rulesRegressed} rules regressed, ${result.counts.rulesFixed} fixed`);
  for (const s of result.summary) console.log(`  - ${scrub(s)}`);
  for (const w of result.warnings) console.log(`  (warning: ${scrub(w)})`);
  const shown = path.relative(process.cwd(), path.join(outDir, 'compare.html'));
  console.log(`comparison: ${shown.startsWith('..') ? path.join(outDir, 'compare.html') : shown}`);
  return exitCodeOf(result);
}

/** parseArgs, its errors (an unknown option, a missing value) as usage errors. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
}

export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = usage(() => parseArgs({ args, allowPositionals: true, strict: true, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  if (values.help) {
    console.log(COMPARE_HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`expected two report folders, BASELINE_DIR and CANDIDATE_DIR, got ${positionals.length}${positionals.length > 2 ? `: ${positionals.join(' ')}` : ''}`);
  const baseline = loadReport(positionals[0]!, 'BASELINE_DIR');
  const candidate = loadReport(positionals[1]!, 'CANDIDATE_DIR');
  return writeComparison(baseline, candidate, path.resolve(typeof values.out === 'string' ? values.out : path.join('reports', 'compare')));
}

const SIDES = ['baseline', 'candidate'] as const;
type Side = (typeof SIDES)[number];

const UPGRADE_OPTIONS = {
  ...SUITE_RUN_OPTIONS,
  'baseline-url': { type: 'string' },
  'candidate-url': { type: 'string' },
  out: { type: 'string' },
  'baseline-user': { type: 'string' },
  'baseline-password': { type: 'string' },
  'candidate-user': { type: 'string' },
  'candidate-password': { type: 'string' },
} as const;

/** Options passed on to each side's suite as certify options (validated by certify's parser). */
const PASSED_ON = ['restricted-user', 'restricted-password', 'api-version', 'ca-file', 'json-mapping', 'max-items', 'timeout-ms', 'workers'] as const;
const PASSED_ON_FLAGS = ['allow-writes', 'tls-insecure', 'quiet'] as const;

export interface UpgradeCheckOptions {
  out: string;
  sides: Record<Side, CertifyOptions>;
}

export function parseUpgradeCheckArgs(args: string[], env: NodeJS.ProcessEnv = process.env): UpgradeCheckOptions | 'help' {
  const { values: v } = usage(() => parseArgs({ args, allowPositionals: false, strict: true, options: UPGRADE_OPTIONS }));
  if (v.help) return 'help';
  const out = path.resolve(typeof v.out === 'string' ? v.out : path.join('reports', 'upgrade-check'));
  const sides = {} as Record<Side, CertifyOptions>;
  for (const side of SIDES) {
    const url = v[`${side}-url`];
    if (typeof url !== 'string') throw new UsageError(`missing --${side}-url (the base URL of the ${side === 'baseline' ? "today's" : 'upgraded'} EM REST API, e.g. https://em.example.local:9398/api)`);
    const user = v[`${side}-user`] ?? v.user ?? env.EM_USER;
    const password = v[`${side}-password`] ?? v.password ?? env.EM_PASSWORD;
    if (typeof user !== 'string' || !user) throw new UsageError(`missing --user or --${side}-user (or EM_USER in the environment)`);
    if (typeof password !== 'string' || !password) throw new UsageError(`missing --password or --${side}-password (or EM_PASSWORD in the environment)`);
    const certifyArgs = ['--url', url, '--out', path.join(out, side), '--user', user, '--password', password];
    for (const name of PASSED_ON) if (typeof v[name] === 'string') certifyArgs.push(`--${name}`, v[name] as string);
    for (const name of PASSED_ON_FLAGS) if (v[name]) certifyArgs.push(`--${name}`);
    try {
      sides[side] = parseCertifyArgs(certifyArgs, env) as CertifyOptions;
    } catch (err) {
      // certify's messages name its --url; here each side has its own
      if (err instanceof UsageError) throw new UsageError(err.message.replace(/--url\b/g, `--${side}-url`));
      throw err;
    }
  }
  return { out, sides };
}

export async function upgradeCheckCommand(args: string[]): Promise<number> {
  const o = parseUpgradeCheckArgs(args, environment());
  if (o === 'help') {
    console.log(UPGRADE_HELP);
    return 0;
  }
  const loaded: Partial<Record<Side, { file: string; report: ConformanceReport }>> = {};
  for (const side of SIDES) {
    const s = o.sides[side];
    for (const secret of configSecrets(loadConfig(s.env))) registerSecret(secret);
    const reportsDir = path.join(o.out, side);
    rmSync(reportsDir, { recursive: true, force: true });
    mkdirSync(reportsDir, { recursive: true });
    console.log(`em-conformance upgrade-check: running the suite against the ${side} ${scrub(s.url)} (reports in ${path.relative(process.cwd(), reportsDir) || reportsDir})`);
    const started = Date.now();
    const code = await runSuite(s, reportsDir);
    const file = path.join(reportsDir, 'conformance', 'conformance.json');
    if (!existsSync(file)) {
      console.error(`em-conformance upgrade-check: the suite wrote no conformance report for the ${side} (playwright exited with ${code}); nothing to compare`);
      return 1;
    }
    console.log(`em-conformance upgrade-check: ${side} done in ${Math.round((Date.now() - started) / 1000)} s`);
    loaded[side] = { file, report: JSON.parse(readFileSync(file, 'utf8')) as ConformanceReport };
  }
  return writeComparison(loaded.baseline!, loaded.candidate!, o.out);
}
