// The conformance suite run end to end against the embedded mock: clean (every test passes or is not applicable
// with a reason, reports hold no secret, no logon session is left open), on a tiny estate (rules with nothing to
// check are not applicable, not failed). The mutants: tests/unit/mutation-sample.test.ts and `npm run mutation`.
import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../src/mock/index.ts';
import { runSuite, type SuiteRun } from './suite-runner.ts';

const USER = 'suite-check';
const PASSWORD = 'S3cr3t-Pa55-for-the-report-check';

function suiteEnv(mock: RunningMock): Record<string, string> {
  return {
    EM_URL: mock.url,
    EM_USER: USER,
    EM_PASSWORD: PASSWORD,
    EM_ALLOW_WRITES: '1',
    EM_RESTRICTED_USER: 'emoperator',
    EM_RESTRICTED_PASSWORD: 'emoperator-password',
  };
}

const USERS = { [USER]: PASSWORD, emoperator: { password: 'emoperator-password', role: 'RestoreOperator' as const } };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Base64 strings that decode to a GUID: the shape of an EM session token (em-api-notes §1.5). */
function tokensIn(text: string): string[] {
  return (text.match(/[A-Za-z0-9+/]{48}/g) ?? []).filter((c) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(Buffer.from(c, 'base64').toString('latin1')));
}

function failures(run: SuiteRun): string[] {
  return run.tests.filter((t) => t.status === 'failed' || t.status === 'timedOut').map((t) => `[${t.project}] ${t.title}: ${t.error?.split('\n')[0] ?? ''}`);
}

describe('the suite against the clean mock', () => {
  let mock: RunningMock;
  let run: SuiteRun;
  beforeAll(async () => {
    mock = await startMock({ port: 0, users: USERS });
    run = await runSuite({ env: suiteEnv(mock) });
  }, 300_000);
  afterAll(() => mock?.close());

  it('every test passes, or is not applicable with a reason', () => {
    expect(run.tests.length, run.output.slice(-3000)).toBeGreaterThan(100);
    expect(failures(run)).toEqual([]);
    const skippedWithoutReason = run.tests.filter((t) => t.status === 'skipped' && !t.annotations.some((a) => a.type === 'not-applicable' && a.description));
    expect(skippedWithoutReason.map((t) => t.title)).toEqual([]);
    expect(run.exitCode).toBe(0);
  });

  it('leaves no logon session open on the server', () => {
    expect(mock.sessions()).toBe(0);
  });

  it('writes no password, Basic credential or session token under the reports folder', () => {
    const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    const files = filesUnder(run.reportsDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(file).toString('latin1');
      expect(text.includes(PASSWORD), `${file} holds the password`).toBe(false);
      expect(text.includes(basic), `${file} holds the Basic credential`).toBe(false);
      expect(tokensIn(text), `${file} holds session tokens`).toEqual([]);
    }
  });
});

describe('the suite against a tiny estate', () => {
  let mock: RunningMock;
  let run: SuiteRun;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emc-tiny-'));
    const data = path.join(dir, 'tiny.yaml');
    writeFileSync(data, ['sessions: 1', 'backupServers:', '  - name: vbr-tiny.local', 'jobs:', '  - name: Only Job', '    vms: [vm-one]', 'agentJobs: []', ''].join('\n'));
    mock = await startMock({ port: 0, users: USERS, data });
    run = await runSuite({ env: suiteEnv(mock) });
  }, 300_000);
  afterAll(() => mock?.close());

  it('reports the rules it cannot check as not applicable, with reasons, instead of failing', () => {
    expect(failures(run)).toEqual([]);
    const na = run.tests.filter((t) => t.annotations.some((a) => a.type === 'not-applicable'));
    expect(na.length, 'some rules have nothing to check on one session and no agent jobs').toBeGreaterThan(5);
    expect(na.some((t) => /agent/i.test(t.annotations.find((a) => a.type === 'not-applicable')?.description ?? ''))).toBe(true);
  });
});
