/** Runs the conformance suite (Playwright) as a user would, against a given server, and reads its JSON results. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/contract/paths.ts';

export interface SuiteTestResult {
  title: string;
  project: string;
  tags: string[];
  /** passed, failed, timedOut, skipped, interrupted */
  status: string;
  annotations: Array<{ type: string; description?: string }>;
  error?: string;
}

export interface SuiteRun {
  exitCode: number;
  reportsDir: string;
  tests: SuiteTestResult[];
  output: string;
}

interface JsonSuite {
  suites?: JsonSuite[];
  specs?: Array<{ title: string; tags?: string[]; tests: Array<{ projectName: string; annotations?: Array<{ type: string; description?: string }>; results: Array<{ status: string; error?: { message?: string } }> }> }>;
}

export async function runSuite(opts: { env: Record<string, string>; args?: string[]; timeoutMs?: number }): Promise<SuiteRun> {
  const reportsDir = mkdtempSync(path.join(os.tmpdir(), 'emc-reports-'));
  const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'playwright'), ['test', ...(opts.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, CI: '', EM_REPORTS_DIR: reportsDir, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  clearTimeout(timer);
  const tests: SuiteTestResult[] = [];
  try {
    const report = JSON.parse(readFileSync(path.join(reportsDir, 'results.json'), 'utf8')) as { suites: JsonSuite[] };
    const walk = (s: JsonSuite) => {
      for (const c of s.suites ?? []) walk(c);
      for (const spec of s.specs ?? []) {
        for (const t of spec.tests) {
          const last = t.results[t.results.length - 1];
          const result: SuiteTestResult = { title: spec.title, project: t.projectName, tags: (spec.tags ?? []).map((x) => x.replace(/^@/, '')), status: last?.status ?? 'skipped', annotations: t.annotations ?? [] };
          if (last?.error?.message) result.error = last.error.message;
          tests.push(result);
        }
      }
    };
    report.suites.forEach(walk);
  } catch {
    /* no report: the caller sees exitCode and output */
  }
  return { exitCode, reportsDir, tests, output };
}
