// Upgrade readiness end to end, as a user runs it: `upgrade-check` with the mock's EM 12 profile as the baseline and
// its EM 13 profile as the candidate reports the camelCase JSON keys and the microsecond timestamps as breaking, and
// nothing else (exit 1); `compare` of two runs against EM 12 mocks reports no change (exit 0). The suite runs are
// expensive (a minute or two each): the three runs are made once, in beforeAll, and shared by the tests.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from '../../src/compare/compare.ts';
import { REPO_ROOT } from '../../src/contract/paths.ts';
import { startMock, type RunningMock } from '../../src/mock/index.ts';
import { camelCaseKey } from '../../src/mock/http/profiles.ts';
import { readReport, reportValidator } from './report-helpers.ts';
import { runSuite } from './suite-runner.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'em-conformance.mjs');
const USER = 'upgrade-check';
const PASSWORD = 'Upgr4de-Pa55-not-for-any-file';
const USERS = { [USER]: PASSWORD };

interface Cli {
  code: number;
  out: string;
  ms: number;
}

/** The CLI as a user runs it, asynchronously (the mocks run in this process); EM_* of the caller cleared. */
function cli(args: string[], timeoutMs = 900_000): Promise<Cli> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EM_')));
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: clean, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, out: `${stdout}${stderr}`, ms: Date.now() - started });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function readComparison(dir: string): CompareResult {
  return JSON.parse(readFileSync(path.join(dir, 'compare.json'), 'utf8')) as CompareResult;
}

describe('upgrade readiness: EM 12 → EM 13 (mock profiles), and EM 12 → EM 12', () => {
  let v12: RunningMock;
  let v12again: RunningMock;
  let v13: RunningMock;
  let upgrade: Cli;
  let same: Cli;
  let upgradeDir: string;
  let sameDir: string;
  let secondRunDir: string;

  beforeAll(async () => {
    [v12, v12again, v13] = await Promise.all([startMock({ port: 0, users: USERS }), startMock({ port: 0, users: USERS }), startMock({ port: 0, users: USERS, profile: 'v13' })]);
    upgradeDir = mkdtempSync(path.join(os.tmpdir(), 'emc-upgrade-'));
    upgrade = await cli(['upgrade-check', '--baseline-url', v12.url, '--candidate-url', v13.url, '--user', USER, '--password', PASSWORD, '--out', upgradeDir, '--workers', '1', '--quiet']);
    // a second, separate run against another EM 12 (the same read-only options as upgrade-check's runs)
    const second = await runSuite({ env: { EM_URL: v12again.url, EM_USER: USER, EM_PASSWORD: PASSWORD, EM_ALLOW_WRITES: '0' } });
    secondRunDir = second.reportsDir;
    sameDir = mkdtempSync(path.join(os.tmpdir(), 'emc-same-'));
    same = await cli(['compare', path.join(upgradeDir, 'baseline'), secondRunDir, '--out', sameDir]);
    console.log(`upgrade-check (two suite runs and the comparison): ${Math.round(upgrade.ms / 1000)} s; compare alone: ${same.ms} ms`);
  }, 1_800_000);

  afterAll(async () => {
    await Promise.all([v12?.close(), v12again?.close(), v13?.close()]);
  });

  it('EM 12 → EM 13: exit 1, breaking', () => {
    expect(upgrade.code, upgrade.out.slice(-3000)).toBe(1);
    expect(upgrade.out).toMatch(/^BREAKING: /m);
    const c = readComparison(upgradeDir);
    expect(c.verdict).toBe('breaking');
    expect(c).toMatchObject({ baseline: { profile: 'v12', emVersion: '10–12' }, candidate: { profile: 'v13', emVersion: '13' } });
    expect(c.warnings).toEqual([]);
  });

  it('EM 12 → EM 13: the camelCase JSON keys and the microsecond timestamps are breaking, and nothing else', () => {
    const c = readComparison(upgradeDir);
    const breaking = c.findings.filter((f) => f.class === 'breaking');
    expect(new Set(breaking.map((f) => f.kind))).toEqual(new Set(['recased', 'timestamp-precision']));
    expect(c.findings.filter((f) => f.class === 'additive')).toEqual([]);
    // every recasing is of JSON keys, and exactly EM 13's camelCase of the EM 12 key
    const recased = breaking.filter((f) => f.kind === 'recased');
    expect(recased.length).toBeGreaterThan(20);
    for (const f of recased) {
      expect(f.mediaType).toBe('application/json');
      for (const r of f.renames!) expect(r.to, `${f.operations[0]!.operationId}: ${r.from}`).toBe(camelCaseKey(r.from));
    }
    // JSON and XML timestamps: milliseconds (trailing zeros trimmed) to microseconds
    const precision = breaking.filter((f) => f.kind === 'timestamp-precision');
    expect(precision.map((f) => f.mediaType).sort()).toEqual(['application/json', 'application/xml']);
    for (const f of precision) expect(f.message).toMatch(/the baseline sends 0–3 fractional-second digits \(milliseconds, trailing zeros trimmed\), the candidate 6 \(microseconds\)/);
    // the rules that fail on EM 13 fail only where JSON is read (json, and cross, which compares XML and JSON): the
    // recased keys; XML, the same on both, fails nothing
    expect(c.rules.length).toBeGreaterThan(0);
    for (const r of c.rules) {
      expect(r.change, r.id).toBe('regressed');
      expect(r.projects.length, r.id).toBeGreaterThan(0);
      for (const p of r.projects) expect(['json', 'cross'], r.id).toContain(p.project);
    }
    expect(c.rules.map((r) => r.id)).toContain('JSON-002');
  });

  it('EM 12 → EM 13: the summary names what clients read and what they get instead', () => {
    const c = readComparison(upgradeDir);
    expect(c.summary[0]).toMatch(/^Clients reading the JSON key Entities\.BackupJobSessions break: the candidate answers entities\.backupJobSessions\. JSON keys are recased \(PascalCase → camelCase\) in \d+ operations/);
    expect(c.summary.some((s) => /^JSON timestamps change precision/.test(s))).toBe(true);
    expect(c.summary.some((s) => /^XML timestamps change precision/.test(s))).toBe(true);
    expect(c.summary.some((s) => /rules? that pass(es)? on the baseline fail.*JSON-002.*All in the JSON representation \(or the comparison of XML and JSON\), none in XML: consistent with the recased JSON keys/.test(s))).toBe(true);
    // one grouped sentence for the recasing, not one per key
    expect(c.summary.length).toBeLessThan(8);
    expect(upgrade.out).toContain('Clients reading the JSON key Entities.BackupJobSessions break: the candidate answers entities.backupJobSessions');
    const html = readFileSync(path.join(upgradeDir, 'compare.html'), 'utf8');
    expect(html).toContain('BREAKING');
    expect(html).toContain('entities.backupJobSessions');
    expect(html).toContain('href="baseline/conformance/index.html"');
    expect(html).not.toMatch(/<script\b[^>]*\bsrc=|<link\b[^>]*stylesheet|https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
  });

  it('each run records its shapes in conformance.json, valid against the report schema, with no extra requests', () => {
    const validate = reportValidator();
    for (const side of ['baseline', 'candidate']) {
      const report = readReport(path.join(upgradeDir, side));
      expect(validate(report), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      expect(report.shapes!.operations.length).toBeGreaterThan(40);
      expect(report.shapes!.apiVersions).toEqual(['v1_5', 'v1_6', 'v1_7']);
      // recorded responses are responses the tests and the crawl received anyway
      expect(report.shapes!.responses).toBeGreaterThan(report.run.requests * 0.5);
      const query = report.shapes!.operations.find((o) => o.operationId === 'query' && o.status === 200 && o.mediaType === 'application/json')!;
      expect(query.defaultPageSize).toEqual([100]);
      const shapeBytes = JSON.stringify(report.shapes).length;
      const reportBytes = statSync(path.join(upgradeDir, side, 'conformance', 'conformance.json')).size;
      console.log(`${side}: ${report.shapes!.responses} responses recorded, shape data ${Math.round(shapeBytes / 1024)} KiB of a ${Math.round(reportBytes / 1024)} KiB conformance.json`);
    }
  });

  it('no password or session token is written anywhere', () => {
    expect(upgrade.out).not.toContain(PASSWORD);
    for (const file of [...filesUnder(upgradeDir), ...filesUnder(sameDir)]) {
      const text = readFileSync(file).toString('latin1');
      expect(text.includes(PASSWORD), file).toBe(false);
      expect(text.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')), file).toBe(false);
    }
    const shapes = JSON.stringify(readReport(path.join(upgradeDir, 'baseline')).shapes);
    // no IDs, names or Hrefs either: values are kept for enumerations only
    expect(shapes).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|https?:\/\/|urn:veeam|tech\.local/);
  });

  it('EM 12 → EM 12 (two separate runs): exit 0, no change at all', () => {
    expect(same.code, same.out.slice(-3000)).toBe(0);
    const c = readComparison(sameDir);
    expect(c.verdict).toBe('compatible');
    expect(c.findings).toEqual([]);
    expect(c.rules).toEqual([]);
    expect(c.counts.operationsCompared).toBeGreaterThan(40);
    expect(c.summary[0]).toMatch(/^Nothing breaks/);
    expect(same.out).toMatch(/^COMPATIBLE: /m);
  });
});
