/**
 * The conformance suite. Without EM_URL it starts the embedded mock Enterprise Manager (webServer); with EM_URL
 * (environment or .env) it runs against that server. Projects `xml` and `json` run the same tests in each
 * representation; `cross` runs the tests that compare the two, once. `target` probes the server first, and its
 * teardown project `actions` runs the tests that change the server (start and stop jobs) after every read test has
 * finished, whatever their outcome: a job started while another worker pages through the sessions would make the
 * reading test measure the traffic instead of the server.
 */
import 'dotenv/config';
import { defineConfig } from '@playwright/test';
import type { Representation } from './src/suite/client.ts';
import { ConfigError, EMBEDDED_MOCK_ESTATE, embeddedMockPort, loadConfig } from './src/suite/config.ts';
import { fullReporters, shardOf, shardReporters } from './src/report/reporters.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
// A private CA for the target: workers are separate processes and read this when they start.
if (config.caFile) process.env.NODE_EXTRA_CA_CERTS = config.caFile;

const port = embeddedMockPort();
/** Where reports go (default reports/); the project's tests point it at a temporary folder. */
const reports = process.env.EM_REPORTS_DIR ?? 'reports';
const CROSS = /\.cross\.spec\.ts$/;
const WRITES = /\.writes\.spec\.ts$/;
const TARGET = /target\.setup\.ts$/;
const shard = shardOf();
const workers = config.workers;
/**
 * Workers of each read project: half of them, so that with the default two the xml tests take one worker and the
 * cross and json tests the other. A worker then starts once per project, and every query result a project caches is
 * read once, instead of once in each of two workers of that project.
 */
const perProject = Math.max(1, Math.floor(workers / 2));

export default defineConfig<object, { representation: Representation }>({
  testDir: 'tests/conformance',
  outputDir: `${reports}/test-results`,
  // Tests of a file run in one worker, in order: the query tests of a file share the worker's cached query results
  // (src/suite/query-support.ts) instead of each of two workers reading every type's whole result again, and the
  // worker takes a file at a time instead of a test at a time. Measured: 20% less CPU, a fifth off the run
  // (docs/benchmarks.md).
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers,
  timeout: config.timeoutMs * 4,
  // list, HTML, JUnit, JSON and the conformance report (src/report/reporters.ts); a shard (--shard=i/n) writes a blob
  // report to merge with playwright.merge.config.ts
  reporter: shard ? shardReporters(shard, reports) : fullReporters(reports),
  // one key per shard: merge-reports merges the shards' metadata, so the conformance report can count them
  metadata: shard ? { [`em-conformance-shard-${shard.current}`]: `${shard.current}/${shard.total}` } : {},
  // API tests only: no browser, and no traces (they would record the session token in headers).
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  projects: [
    { name: 'target', testMatch: TARGET, teardown: 'actions', use: { representation: 'xml' } },
    // cross first: its few long tests then run beside the many short ones instead of after them
    { name: 'cross', testMatch: CROSS, dependencies: ['target'], workers: perProject, use: { representation: 'xml' } },
    { name: 'xml', testIgnore: [CROSS, WRITES], dependencies: ['target'], workers: perProject, use: { representation: 'xml' } },
    { name: 'json', testIgnore: [CROSS, WRITES], dependencies: ['target'], workers: perProject, use: { representation: 'json' } },
    { name: 'actions', testMatch: WRITES, use: { representation: 'xml' } },
  ],
  ...(config.embeddedMock
    ? {
        // The suite's embedded mock (EMBEDDED_MOCK_ESTATE, src/suite/config.ts); EM_MOCK_ARGS adds options (e.g.
        // --sessions 2000: the last occurrence of an option wins).
        webServer: {
          command: `node bin/em-conformance.mjs mock --host 127.0.0.1 --port ${port} --sessions ${EMBEDDED_MOCK_ESTATE.sessions} --task-duration ${EMBEDDED_MOCK_ESTATE.taskDurationMs}${process.env.EM_MOCK_ARGS ? ` ${process.env.EM_MOCK_ARGS}` : ''}`,
          url: `http://127.0.0.1:${port}/api/`,
          // ready as soon as it says so (Playwright polls the URL at 0.1, 0.35, 0.85, 1.85 s…: a mock ready after 0.86 s
          // would wait a second more)
          wait: { stdout: /listening on/ },
          reuseExistingServer: false,
          timeout: 60_000,
          stdout: 'ignore',
          stderr: 'pipe',
        },
      }
    : {}),
});
