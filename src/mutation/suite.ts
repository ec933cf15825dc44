/**
 * Runs the whole conformance suite (Playwright, every project, no --grep) against a server and reads the outcome of
 * every test from its JSON report. Used by the mutation run (src/mutation/run.ts) and the suite benchmark
 * (bench/suite.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../contract/paths.ts';

export interface SuiteTest {
  /** File › describe › title. */
  title: string;
  project: string;
  /** Rule IDs the test is tagged with (without @). */
  tags: string[];
  /** passed, failed, timedOut, skipped, interrupted */
  status: string;
  /** First line of the error, when the test failed. */
  error?: string;
}

export interface SuiteOutcome {
  exitCode: number;
  tests: SuiteTest[];
  /** The tail of Playwright's output (for diagnosing a run that produced no report). */
  outputTail: string;
  durationMs: number;
}

interface JsonSpec {
  title: string;
  tags?: string[];
  tests: Array<{ projectName: string; results: Array<{ status: string; error?: { message?: string } }> }>;
}
interface JsonSuite {
  title: string;
  suites?: JsonSuite[];
  specs?: JsonSpec[];
}

export const isFailure = (t: { status: string }): boolean => t.status === 'failed' || t.status === 'timedOut' || t.status === 'interrupted';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Every test of a Playwright JSON report, one entry per project. */
export function readReport(file: string): SuiteTest[] {
  const report = JSON.parse(readFileSync(file, 'utf8')) as { suites: JsonSuite[] };
  const tests: SuiteTest[] = [];
  const walk = (s: JsonSuite, trail: string[]): void => {
    const here = [...trail, s.title].filter(Boolean);
    for (const c of s.suites ?? []) walk(c, here);
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests) {
        const last = t.results[t.results.length - 1];
        const test: SuiteTest = { title: [...here, spec.title].join(' › '), project: t.projectName, tags: (spec.tags ?? []).map((x) => x.replace(/^@/, '')), status: last?.status ?? 'skipped' };
        const message = last?.error?.message?.replace(ANSI, '').split('\n').find((l) => l.trim() !== '');
        if (message) test.error = message.trim().slice(0, 300);
        tests.push(test);
      }
    }
  };
  for (const s of report.suites) walk(s, []);
  return tests;
}

/**
 * Runs `playwright test` with its reports in a temporary folder, removed afterwards; `readReports` reads what else
 * the caller needs from that folder first (the benchmark: conformance.json's request counts).
 */
export async function runWholeSuite(opts: { env: Record<string, string>; timeoutMs?: number; readReports?: (dir: string) => void }): Promise<SuiteOutcome> {
  const started = Date.now();
  const reportsDir = mkdtempSync(path.join(os.tmpdir(), 'emc-mutation-'));
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules', '@playwright', 'test', 'cli.js'), 'test'], {
    cwd: REPO_ROOT,
    env: { ...process.env, CI: '', EM_REPORTS_DIR: reportsDir, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer): void => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30 * 60_000);
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  clearTimeout(timer);
  let tests: SuiteTest[] = [];
  try {
    tests = readReport(path.join(reportsDir, 'results.json'));
  } catch {
    /* no report: the caller sees the exit code and the output */
  }
  try {
    opts.readReports?.(reportsDir);
  } finally {
    rmSync(reportsDir, { recursive: true, force: true });
  }
  return { exitCode, tests, outputTail: output.slice(-3000), durationMs: Date.now() - started };
}
