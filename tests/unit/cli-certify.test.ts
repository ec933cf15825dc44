// `em-conformance certify`: usage errors (exit 2, naming the option), the embedded mock certified with the documented
// flags (exit 0), a mutant and a mock with too little data not certified (exit 1), and targets that cannot be reached
// (refused, TLS, timeout) reported as errors of the target, apart from conformance failures.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/contract/paths.ts';
import { loadRules } from '../../src/contract/rules.ts';
import { startMock, type RunningMock } from '../../src/mock/index.ts';
import { parseCertifyArgs } from '../../src/cli/certify.ts';
import { certify as certifyReport, type Certificate } from '../../src/report/certificate.ts';
import { readReport, reportValidator } from './report-helpers.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'em-conformance.mjs');
const USER = 'certify-check';
const PASSWORD = 'C3rtify-Pa55-not-for-printing';
const USERS = { [USER]: PASSWORD, emoperator: { password: 'emoperator-password', role: 'RestoreOperator' as const } };

interface Run {
  code: number;
  out: string;
  dir: string;
}

/** Runs the CLI as a user would; EM_* of the caller are cleared so that only the options count. */
function certify(args: string[], env: Record<string, string> = {}, timeoutMs = 400_000): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'emc-certify-'));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EM_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'certify', '--out', dir, ...args], { cwd: REPO_ROOT, env: { ...clean, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, out: `${stdout}${stderr}`, dir });
    });
  });
}

function certificateOf(run: Run): Certificate {
  return JSON.parse(readFileSync(path.join(run.dir, 'certificate.json'), 'utf8')) as Certificate;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const credentials = ['--user', USER, '--password', PASSWORD];

describe('certify: usage errors exit 2 and name the option', () => {
  const url = ['--url', 'http://127.0.0.1:9/api'];
  const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['no --url', [...credentials], {}, /missing --url/],
    ['a URL not ending in /api', ['--url', 'http://127.0.0.1:9/', ...credentials], {}, /--url must end in \/api/],
    ['a URL that is no URL', ['--url', 'em.example', ...credentials], {}, /--url is not a URL/],
    ['no password, none in the environment', [...url, '--user', USER], {}, /missing --password \(or EM_PASSWORD/],
    ['a restricted user without password', [...url, ...credentials, '--restricted-user', 'op'], {}, /--restricted-user needs --restricted-password/],
    ['an unknown option', [...url, ...credentials, '--colour'], {}, /--colour/],
    ['a waiver for no rule', [...url, ...credentials, '--waive', 'NOPE-001'], {}, /--waive: 'NOPE-001' is not a rule/],
    ['a bad --workers', [...url, ...credentials, '--workers', 'two'], {}, /--workers must be a positive whole number/],
    ['a bad --api-version', [...url, ...credentials, '--api-version', '7'], {}, /--api-version must be 'latest' or v1_N/],
    ['both --ca-file and --tls-insecure', [...url, ...credentials, '--ca-file', 'x.pem', '--tls-insecure'], {}, /exclude each other/],
  ];
  it.each(cases)('%s', (_name, args, env, message) => {
    expect(() => parseCertifyArgs(['--out', os.tmpdir(), ...args], env)).toThrow(message);
  });

  it('exits 2 from the command line, printing the message and no password', async () => {
    const r = await certify(['--url', 'http://127.0.0.1:9/', ...credentials]);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(/em-conformance certify: --url must end in \/api/);
    expect(r.out).not.toContain(PASSWORD);
  });

  it('takes the credentials from EM_USER / EM_PASSWORD', async () => {
    expect(parseCertifyArgs(['--url', 'http://127.0.0.1:9/api'], { EM_USER: USER, EM_PASSWORD: PASSWORD })).toMatchObject({ env: { EM_USER: USER, EM_PASSWORD: PASSWORD } });
    // past the usage checks, against a target that refuses connections: not certified (1), not a usage error (2)
    const r = await certify(['--url', `http://127.0.0.1:${await closedPort()}/api`, '--grep', '@ENTRY-001', '--quiet'], { EM_USER: USER, EM_PASSWORD: PASSWORD });
    expect(r.code, r.out).toBe(1);
  });
});

/** A port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('certify: targets that cannot be reached are errors of the target, not failures', () => {
  const grep = ['--grep', '@ENTRY-00[12]|@AUTH-001', '--quiet'];
  let tls: RunningMock;
  let silent: net.Server;
  const sockets = new Set<net.Socket>();
  beforeAll(async () => {
    tls = await startMock({ port: 0, users: USERS, tls: true });
    silent = net.createServer((s) => sockets.add(s)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    silent?.close();
    await tls?.close();
  });

  async function expectTargetErrors(run: Run, cause: RegExp) {
    expect(run.code, run.out).toBe(1);
    const report = readReport(path.join(run.dir, 'run'));
    expect(report.summary.fail).toBe(0);
    expect(report.summary.error).toBe(3);
    expect(report.failures.every((f) => f.kind === 'error')).toBe(true);
    expect(report.targetErrors.length).toBeGreaterThan(0);
    expect(report.targetErrors[0]!.cause).toMatch(cause);
    expect(report.verdict).toBe('error');
    const c = certificateOf(run);
    expect(c.certified).toBe(false);
    expect(c.failedRules).toEqual([]);
    expect(c.errorRules.map((r) => r.id).sort()).toEqual(['AUTH-001', 'ENTRY-001', 'ENTRY-002']);
    expect(c.reasons.join('\n')).toMatch(/errors of the target/);
    expect(readFileSync(path.join(run.dir, 'run', 'conformance', 'index.html'), 'utf8')).toContain('Errors of the target');
    return report;
  }

  it('connection refused', async () => {
    await expectTargetErrors(await certify(['--url', `http://127.0.0.1:${await closedPort()}/api`, ...credentials, ...grep]), /ECONNREFUSED/);
  }, 120_000);

  it('a certificate that cannot be verified', async () => {
    await expectTargetErrors(await certify(['--url', tls.url, ...credentials, ...grep]), /self[- ]signed certificate/i);
  }, 120_000);

  it('no answer in time', async () => {
    const port = (silent.address() as net.AddressInfo).port;
    await expectTargetErrors(await certify(['--url', `http://127.0.0.1:${port}/api`, ...credentials, '--timeout-ms', '1500', ...grep]), /Timeout 1500ms exceeded|timeout/i);
  }, 120_000);

  it('the same server with its CA trusted answers', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emc-ca-'));
    writeFileSync(path.join(dir, 'ca.pem'), tls.certificate!);
    const run = await certify(['--url', tls.url, ...credentials, '--ca-file', path.join(dir, 'ca.pem'), ...grep]);
    const report = readReport(path.join(run.dir, 'run'));
    expect(report.summary).toMatchObject({ pass: 3, fail: 0, error: 0 });
    expect(report.target).toMatchObject({ privateCa: true, tlsInsecure: false, reachable: true });
    // a run restricted by --grep leaves rules not run: never a certificate
    expect(run.code).toBe(1);
    // every rule but the three the grep selects
    expect(certificateOf(run).notExercised.length).toBe(loadRules().length - 3);
  }, 120_000);
});

describe('certify: the embedded mock', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startMock({ port: 0, users: USERS });
  });
  afterAll(() => mock?.close());

  it('is certified with the documented flags (writes, restricted account, the idle test waived)', async () => {
    const run = await certify([
      '--url', mock.url, ...credentials,
      '--allow-writes', '--restricted-user', 'emoperator', '--restricted-password', 'emoperator-password',
      '--waive', 'AUTH-008', '--quiet',
    ]);
    const c = certificateOf(run);
    expect(c.reasons).toEqual([]);
    expect(run.code, run.out.slice(-3000)).toBe(0);
    expect(c).toMatchObject({ certified: true, verdict: 'certified', failedRules: [], errorRules: [] });
    expect(c.waived.map((w) => w.id)).toEqual(['AUTH-008']);
    expect(c.counts.pass).toBe(c.counts.rules - 1);
    expect(c.target).toMatchObject({ url: mock.url, allowWrites: true, restrictedAccount: true, profile: 'v12' });
    expect(readFileSync(path.join(run.dir, 'certificate.html'), 'utf8')).toContain('CERTIFIED');
    expect(reportValidator()(readReport(path.join(run.dir, 'run')))).toBe(true);
    expect(run.out).toMatch(/^CERTIFIED: /m);
    // the password is in no output and no file
    expect(run.out).not.toContain(PASSWORD);
    for (const file of filesUnder(run.dir)) expect(readFileSync(file).toString('latin1').includes(PASSWORD), file).toBe(false);
    // the same run without the waiver is not certified, naming the rule left by configuration
    const unwaived = certifyReport(readReport(path.join(run.dir, 'run')));
    expect(unwaived.certified).toBe(false);
    expect(unwaived.notExercised).toMatchObject([{ id: 'AUTH-008', verdict: 'not-applicable', kind: 'config', waived: false }]);
    expect(unwaived.reasons).toEqual(['1 rule was not checked by configuration and not waived (enable them, or waive with --waive): AUTH-008']);
  }, 400_000);

});

describe('certify: not certified', () => {
  it('a mutant: the broken rule is listed as failed', async () => {
    const mock = await startMock({ port: 0, users: USERS, mutant: 'pagescount-off-by-one' });
    try {
      const run = await certify(['--url', mock.url, ...credentials, '--grep', '@PAGE-004', '--quiet']);
      expect(run.code, run.out.slice(-2000)).toBe(1);
      const c = certificateOf(run);
      expect(c.failedRules.map((r) => r.id)).toContain('PAGE-004');
      expect(c.reasons[0]).toMatch(/failed: .*PAGE-004/);
      expect(readFileSync(path.join(run.dir, 'certificate.html'), 'utf8')).toContain('NOT CERTIFIED');
    } finally {
      await mock.close();
    }
  }, 120_000);

  it('a mock with too little data: rules with nothing to check are not exercised, not passed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emc-tiny-'));
    const data = path.join(dir, 'tiny.yaml');
    writeFileSync(data, ['sessions: 1', 'backupServers:', '  - name: vbr-tiny.local', 'jobs:', '  - name: Only Job', '    vms: [vm-one]', 'agentJobs: []', ''].join('\n'));
    const mock = await startMock({ port: 0, users: USERS, data });
    try {
      const run = await certify(['--url', mock.url, ...credentials, '--grep', '@AGENT-', '--waive', 'AGENT-001', '--quiet']);
      expect(run.code).toBe(1);
      const c = certificateOf(run);
      const agent = c.notExercised.filter((n) => n.id.startsWith('AGENT-'));
      expect(agent.length).toBeGreaterThan(0);
      expect(agent.every((n) => n.verdict === 'not-applicable' && n.kind === 'data' && !n.waived)).toBe(true);
      expect(c.reasons.join('\n')).toMatch(/nothing to check them with/);
      // a waiver cannot cover missing data
      expect(c.unusedWaivers.find((w) => w.id === 'AGENT-001')?.why).toMatch(/lack of data/);
    } finally {
      await mock.close();
    }
  }, 120_000);
});
