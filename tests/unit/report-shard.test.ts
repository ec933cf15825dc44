// Sharding: the suite split over 3 shards (`--shard=i/3`, each writing a blob report) and merged by
// `playwright merge-reports --config playwright.merge.config.ts` gives the same rule verdicts as one unsharded run,
// with one HTML report and one conformance report.
import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../src/mock/index.ts';
import type { ConformanceReport } from '../../src/report/report.ts';
import { playwright, readReport, reportValidator, sharedMutantRun, suiteEnv, USERS, verdicts } from './report-helpers.ts';
import { runSuite } from './suite-runner.ts';

const MUTANT = 'pagescount-off-by-one';

describe(`a 3-shard run against mutant ${MUTANT}, merged`, () => {
  let mock: RunningMock;
  let whole: ConformanceReport;
  let merged: ConformanceReport;
  let mergedDir: string;
  const shardCodes: number[] = [];
  const shardBlobs: string[] = [];
  let mergeOutput = '';

  beforeAll(async () => {
    mock = await startMock({ port: 0, users: USERS, mutant: MUTANT });
    // the whole run (shared with the browser test) is against another mock of the same kind: the mock is deterministic
    whole = readReport((await sharedMutantRun(MUTANT)).reportsDir);
    // each shard as on its own machine (its own reports folder); their blobs gathered in one folder, as CI's
    // download of the shards' artifacts does
    const blobs = mkdtempSync(path.join(os.tmpdir(), 'emc-blobs-'));
    for (let i = 1; i <= 3; i++) {
      const run = await runSuite({ env: suiteEnv(mock), args: [`--shard=${i}/3`] });
      shardCodes.push(run.exitCode);
      shardBlobs.push(...readdirSync(path.join(run.reportsDir, 'blob-report')));
      for (const f of readdirSync(path.join(run.reportsDir, 'blob-report'))) copyFileSync(path.join(run.reportsDir, 'blob-report', f), path.join(blobs, f));
    }
    mergedDir = mkdtempSync(path.join(os.tmpdir(), 'emc-merged-'));
    const merge = await playwright(['merge-reports', '--config', 'playwright.merge.config.ts', blobs], { EM_REPORTS_DIR: mergedDir });
    mergeOutput = merge.output;
    merged = readReport(mergedDir);
  }, 600_000);

  afterAll(() => mock?.close());

  it('each shard writes a blob report (and its shapes beside it) and fails like the whole run (the mutant breaks PAGE-004)', () => {
    expect(shardBlobs.sort()).toEqual(['em-shapes-1-of-3.json', 'em-shapes-2-of-3.json', 'em-shapes-3-of-3.json', 'report-1-of-3.zip', 'report-2-of-3.zip', 'report-3-of-3.zip']);
    expect(shardCodes.filter((c) => c !== 0).length, 'the failing tests sit in at least one shard').toBeGreaterThan(0);
    expect(whole.rules.find((r) => r.id === 'PAGE-004')!.verdict).toBe('fail');
  });

  it('merges to the same verdict for every rule', () => {
    expect(merged.run.merged).toBe(true);
    expect(merged.run.shards).toBe(3);
    expect(verdicts(merged)).toEqual(verdicts(whole));
    expect(merged.summary).toEqual(whole.summary);
    expect(merged.verdict).toBe('fail');
  });

  it('merges every test once, with its annotations (requests, not-applicable reasons, the target)', () => {
    expect(merged.run.tests.total).toBe(whole.run.tests.total);
    const key = (r: ConformanceReport) => r.tests.map((t) => `${t.project}|${t.file}:${t.line}|${t.title}|${t.outcome}`).sort();
    const a = key(merged);
    const b = key(whole);
    expect({ onlyMerged: a.filter((k) => !b.includes(k)), onlyWhole: b.filter((k) => !a.includes(k)) }).toEqual({ onlyMerged: [], onlyWhole: [] });
    expect(merged.run.requests).toBeGreaterThan(whole.run.requests * 0.8);
    const reasons = (r: ConformanceReport) => r.rules.map((x) => `${x.id}:${x.notApplicable.map((n) => `${n.kind}/${n.reason}`).sort().join(';')}`);
    expect(reasons(merged)).toEqual(reasons(whole));
    expect(merged.target).toMatchObject({ url: mock.url, reachable: true, profile: 'v12' });
    expect(whole.target).toMatchObject({ reachable: true, profile: 'v12' });
    expect(merged.failures.filter((f) => f.kind === 'fail').length).toBe(whole.failures.filter((f) => f.kind === 'fail').length);
  });

  it('writes one HTML report and one conformance report, valid against the schema', () => {
    expect(existsSync(path.join(mergedDir, 'html', 'index.html')), mergeOutput.slice(-2000)).toBe(true);
    expect(readdirSync(path.join(mergedDir, 'conformance')).sort()).toEqual(['conformance.json', 'index.html']);
    const validate = reportValidator();
    expect(validate(merged), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });
});
