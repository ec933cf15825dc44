/**
 * `npm run bench -- suite`: the whole conformance suite against the embedded mock, as `npm run conformance` runs it,
 * several times in a row (issue 4: "the full run against the default mock takes under 20 s on the 2-core machine;
 * report the figure and the number of requests made"; "no flaky result over 5 consecutive runs").
 *
 * Each run is `playwright test` with every reporter of playwright.config.ts, against a mock started here with the
 * suite's embedded estate (EMBEDDED_MOCK_ESTATE) and the embedded configuration (writes allowed, the restricted
 * account), so that the mock can count every request it serves (the report counts only the tests' own, not the
 * crawl's and logons') and say how many logon sessions the suite left open. Wall time is the child's, spawn to exit
 * (runWholeSuite, src/mutation/suite.ts, as the mutation run spawns it).
 * BENCH_SUITE_RUNS (default 5).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startMock } from '../src/mock/index.ts';
import { runWholeSuite } from '../src/mutation/suite.ts';
import { EMBEDDED_MOCK_ESTATE, MOCK_DEFAULT_PASSWORD, MOCK_DEFAULT_USER, MOCK_RESTRICTED_PASSWORD, MOCK_RESTRICTED_USER } from '../src/suite/config.ts';
import { fmt, median, table } from './stats.ts';

interface SuiteRun {
  wallMs: number;
  exitCode: number;
  served: number;
  reportRequests: number;
  tests: { total: number; pass: number; fail: number; error: number; notApplicable: number; notRun: number };
  openSessions: number;
}

async function runOnce(): Promise<SuiteRun> {
  let served = 0;
  const mock = await startMock({ port: 0, ...EMBEDDED_MOCK_ESTATE, log: () => (served += 1) });
  try {
    let report: { run: { requests: number; tests: SuiteRun['tests'] } } | undefined;
    const outcome = await runWholeSuite({
      env: { EM_URL: mock.url, EM_USER: MOCK_DEFAULT_USER, EM_PASSWORD: MOCK_DEFAULT_PASSWORD, EM_ALLOW_WRITES: '1', EM_RESTRICTED_USER: MOCK_RESTRICTED_USER, EM_RESTRICTED_PASSWORD: MOCK_RESTRICTED_PASSWORD },
      readReports: (dir) => {
        report = JSON.parse(readFileSync(path.join(dir, 'conformance', 'conformance.json'), 'utf8'));
      },
    });
    if (!report) throw new Error(`the suite wrote no conformance report (exit ${outcome.exitCode}):\n${outcome.outputTail}`);
    return { wallMs: outcome.durationMs, exitCode: outcome.exitCode, served, reportRequests: report.run.requests, tests: report.run.tests, openSessions: mock.sessions() };
  } finally {
    await mock.close();
  }
}

export async function benchSuite(): Promise<string> {
  const n = Number(process.env.BENCH_SUITE_RUNS ?? 5);
  const runs: SuiteRun[] = [];
  for (let i = 0; i < n; i++) {
    const r = await runOnce();
    runs.push(r);
    console.error(`  [suite] run ${i + 1}/${n}: ${fmt(r.wallMs / 1000, 1)} s, exit ${r.exitCode}, ${r.tests.pass} passed, ${r.tests.fail} failed, ${r.tests.notApplicable} not applicable, ${r.served} requests served, ${r.openSessions} sessions left open`);
  }
  const rows = runs.map((r, i) => [i + 1, fmt(r.wallMs / 1000, 1), r.exitCode, r.tests.total, r.tests.pass, r.tests.fail + r.tests.error, r.tests.notApplicable, r.served, r.reportRequests, r.openSessions]);
  const walls = runs.map((r) => r.wallMs / 1000);
  return [
    `Whole suite against the embedded mock (${EMBEDDED_MOCK_ESTATE.sessions} task sessions, ${EMBEDDED_MOCK_ESTATE.taskDurationMs} ms tasks, writes on), ${n} consecutive runs:`,
    '',
    table(['run', 'wall s', 'exit', 'tests', 'passed', 'failed', 'not applicable', 'requests served', 'requests by tests', 'sessions left open'], rows),
    '',
    `median ${fmt(median(walls), 1)} s (min ${fmt(Math.min(...walls), 1)}, max ${fmt(Math.max(...walls), 1)}); target under 20 s: ${median(walls) < 20 ? 'met' : 'missed'}; ` +
      `flaky runs: ${runs.filter((r) => r.exitCode !== 0).length} of ${n}`,
  ].join('\n');
}
