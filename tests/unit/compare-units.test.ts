// Shape recording (src/compare/shapes.ts) and the comparison (src/compare/compare.ts) on bodies and shape data made
// here, plus the usage errors of `compare` and `upgrade-check` (exit 2, naming the option or file). The end-to-end
// runs against the mock's v12 and v13 profiles are in compare-upgrade.test.ts.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareReports, compareRules, compareShapes, MIN_INSTANCES } from '../../src/compare/compare.ts';
import { mergeShapes, ShapeBook, type OperationShape, type ShapeData } from '../../src/compare/shapes.ts';
import { camelCaseKey } from '../../src/mock/http/profiles.ts';
import type { ConformanceReport, RuleResult } from '../../src/report/report.ts';
import { compareCommand, parseUpgradeCheckArgs } from '../../src/cli/compare.ts';
import { SHAPES_FOLDER } from '../../src/compare/recording.ts';
import { shapesOf } from '../../src/report/conformance-reporter.ts';
import ShardShapesReporter from '../../src/report/shapes-reporter.ts';
import { main } from '../../src/cli/main.ts';

const GUID = '0d281302-8e7d-42b9-98c3-43ee3ec3c475';
const TOKEN = Buffer.from('5b1c2c1e-6a51-4d5e-9d2c-3f0f7d6a1b2c').toString('base64');

function session(overrides: Record<string, unknown> = {}) {
  return {
    JobUid: `urn:veeam:Job:${GUID}`,
    JobName: 'Fileserver Backup',
    JobType: 'Backup',
    CreationTimeUTC: '2026-09-26T02:00:17.594Z',
    EndTimeUTC: '2026-09-26T02:20:14.44Z',
    State: 'Stopped',
    Result: 'Success',
    Progress: 100,
    FailureMessage: null,
    Name: 'Fileserver Backup@2026-09-26 02:00:17',
    UID: `urn:veeam:BackupJobSession:${GUID}`,
    Links: [
      { Rel: 'Up', Href: `http://em/api/backupServers/${GUID}`, Name: 'vbr03', Type: 'BackupServerReference' },
      { Rel: 'Alternate', Href: `http://em/api/backupSessions/${GUID}`, Name: 'x', Type: 'BackupJobSessionReference' },
    ],
    Href: `http://em/api/backupSessions/${GUID}?format=Entity`,
    Type: 'BackupJobSession',
    ...overrides,
  };
}

function queryBody(sessions: unknown[], pageSize = 100) {
  return { Refs: null, Entities: { BackupJobSessions: { BackupJobSessions: sessions } }, PagingInfo: { Links: [], PageNum: 1, PageSize: pageSize, PagesCount: 1 } };
}

function recordJson(book: ShapeBook, body: unknown, url = 'http://em/api/query?type=BackupJobSession&format=Entities', operationId = 'query') {
  book.record({ operationId, method: 'GET', route: '/query', url, status: 200, contentType: 'application/json; charset=utf-8', text: JSON.stringify(body) });
}

function opOf(data: ShapeData, operationId = 'query', mediaType = 'application/json'): OperationShape {
  return data.operations.find((o) => o.operationId === operationId && o.mediaType === mediaType)!;
}

describe('shape recording', () => {
  it('records JSON keys, presence per parent instance, kinds, enum values, links and timestamp precision', () => {
    const book = new ShapeBook();
    recordJson(book, queryBody([session(), session({ FailureMessage: 'disk full', Result: 'Failed' })]));
    const op = opOf(book.data());
    const item = 'Entities.BackupJobSessions.BackupJobSessions[]';
    expect(op.responses).toBe(1);
    expect(op.paths[item]).toMatchObject({ n: 2, in: 1, kinds: ['object'] });
    expect(op.paths[`${item}.JobName`]).toMatchObject({ n: 2, in: 2, kinds: ['string'] });
    expect(op.paths[`${item}.FailureMessage`]!.kinds).toEqual(['null', 'string']);
    expect(op.paths[`${item}.Result`]!.values).toEqual(['Failed', 'Success']);
    expect(op.paths[`${item}.State`]!.values).toEqual(['Stopped']);
    expect(op.paths[`${item}.CreationTimeUTC`]).toMatchObject({ digits: [3], zones: ['Z'] });
    expect(op.paths[`${item}.EndTimeUTC`]).toMatchObject({ digits: [2], zones: ['Z'] });
    // links: one pseudo path per Rel and Type, counted per Links array
    expect(op.paths[`${item}.Links.{Up BackupServerReference}`]).toMatchObject({ n: 2, in: 2 });
    expect(op.paths[`${item}.Links[].Type`]!.values).toEqual(['BackupJobSessionReference', 'BackupServerReference']);
    expect(op.defaultPageSize).toEqual([100]);
  });

  it('keeps no IDs, names, Hrefs, free text or registered secrets: values of enumerations only', () => {
    const book = new ShapeBook((v) => v === 'Secretive');
    recordJson(book, queryBody([session({ JobName: 'Payroll Backup', State: 'Secretive', Result: TOKEN })]));
    book.record({ operationId: 'createLogonSession', method: 'POST', route: '/sessionMngr/', url: 'http://em/api/sessionMngr/?v=latest', status: 201, contentType: 'application/json', text: JSON.stringify({ UserName: 'emuser', SessionId: GUID, Type: 'LogonSession' }) });
    const text = JSON.stringify(book.data());
    for (const secret of [GUID, TOKEN, 'Payroll', 'Fileserver', 'vbr03', 'emuser', 'Secretive', 'http://em']) expect(text).not.toContain(secret);
    expect(text).toContain('LogonSession');
  });

  it('records the default page size only for requests that named no pageSize', () => {
    const book = new ShapeBook();
    recordJson(book, queryBody([], 15), 'http://em/api/query?type=BackupJobSession&pageSize=15');
    expect(opOf(book.data()).defaultPageSize).toBeUndefined();
    recordJson(book, queryBody([], 100), 'http://em/api/query?type=BackupJobSession');
    expect(opOf(book.data()).defaultPageSize).toEqual([100]);
  });

  it('records XML elements, attributes, text kinds and links, and the API versions of GET /api/', () => {
    const book = new ShapeBook();
    const xml = `<?xml version="1.0" encoding="utf-8"?><EnterpriseManager xmlns="http://www.veeam.com/ent/v1.0"><Links><Link Href="http://em/api/logonSessions" Type="LogonSessionList" Rel="Down"/></Links><SupportedVersions><SupportedVersion Name="v1_5"/><SupportedVersion Name="v1_7"><Links/></SupportedVersion></SupportedVersions></EnterpriseManager>`;
    book.record({ operationId: 'getEnterpriseManager', method: 'GET', route: '/', url: 'http://em/api/', status: 200, contentType: 'application/xml', text: xml });
    book.record({ operationId: 'getBackupSession', method: 'GET', route: '/backupSessions/{ID}', url: 'http://em/api/backupSessions/x', status: 200, contentType: 'application/xml', text: '<BackupJobSession Type="BackupJobSession"><Progress>100</Progress><IsRetry>false</IsRetry><CreationTimeUTC>2026-06-16T06:33:10.659559Z</CreationTimeUTC><FailureMessage /></BackupJobSession>' });
    const data = book.data();
    expect(data.apiVersions).toEqual(['v1_5', 'v1_7']);
    const entry = opOf(data, 'getEnterpriseManager', 'application/xml');
    expect(entry.paths['EnterpriseManager/SupportedVersions/SupportedVersion']).toMatchObject({ n: 2, in: 1 });
    expect(entry.paths['EnterpriseManager/SupportedVersions/SupportedVersion/Links']).toMatchObject({ n: 1, in: 1, kinds: ['empty'] });
    expect(entry.paths['EnterpriseManager/Links/{Down LogonSessionList}']).toMatchObject({ n: 1, in: 1 });
    expect(entry.paths['EnterpriseManager/Links/Link/@Rel']!.values).toEqual(['Down']);
    expect(entry.paths['EnterpriseManager/Links/Link/@Href']!.values).toBeUndefined();
    const s = opOf(data, 'getBackupSession', 'application/xml').paths;
    expect(s['BackupJobSession/Progress']!.kinds).toEqual(['number']);
    expect(s['BackupJobSession/IsRetry']!.kinds).toEqual(['boolean']);
    expect(s['BackupJobSession/CreationTimeUTC']).toMatchObject({ kinds: ['datetime'], digits: [6] });
    expect(s['BackupJobSession/FailureMessage']!.kinds).toEqual(['empty']);
    expect(s['BackupJobSession']!.kinds).toEqual(['element']);
  });

  it('merges the data of several workers: counts add up, sets unite', () => {
    const a = new ShapeBook();
    const b = new ShapeBook();
    recordJson(a, queryBody([session()]));
    recordJson(b, queryBody([session({ Result: 'Warning' }), session()]));
    const merged = opOf(mergeShapes([a.data(), b.data()]));
    expect(merged.responses).toBe(2);
    expect(merged.paths['Entities.BackupJobSessions.BackupJobSessions[]']).toMatchObject({ n: 3, in: 2 });
    expect(merged.paths['Entities.BackupJobSessions.BackupJobSessions[].Result']!.values).toEqual(['Success', 'Warning']);
  });
});

describe('shapes across workers and shards', () => {
  it('the reporter merges the workers\' files of a run; a shard leaves its merged file beside its blob for merge-reports', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emc-shapes-'));
    const projects = ['xml', 'json'].map((name) => ({ outputDir: path.join(dir, name, 'test-results') }));
    projects.forEach((p, i) => {
      const book = new ShapeBook();
      recordJson(book, queryBody([session({ Result: i ? 'Failed' : 'Success' })]));
      mkdirSync(path.join(p.outputDir, SHAPES_FOLDER), { recursive: true });
      writeFileSync(path.join(p.outputDir, SHAPES_FOLDER, `worker-${i}.json`), JSON.stringify(book.data()));
    });
    const live = shapesOf({ projects } as never, false)!;
    expect(live.responses).toBe(2);
    expect(opOf(live).paths['Entities.BackupJobSessions.BackupJobSessions[].Result']!.values).toEqual(['Failed', 'Success']);

    const blobs = path.join(dir, 'all-blob-reports');
    for (const shard of [1, 2]) {
      const reporter = new ShardShapesReporter({ outputFile: path.join(blobs, `em-shapes-${shard}-of-2.json`) });
      reporter.onBegin({ projects: [projects[shard - 1]] } as never);
      reporter.onEnd();
    }
    expect(readdirSync(blobs).sort()).toEqual(['em-shapes-1-of-2.json', 'em-shapes-2-of-2.json']);
    const merged = shapesOf({ projects: [] } as never, true, ['node', 'playwright', 'merge-reports', '--config', 'playwright.merge.config.ts', blobs])!;
    expect(merged).toEqual(live);
  });
});

/** Shape data of `responses` query responses, each with the sessions `make(i)` returns. */
function shapes(responses: number, make: (i: number) => unknown[], camel = false, extra?: (book: ShapeBook) => void): ShapeData {
  const book = new ShapeBook();
  for (let i = 0; i < responses; i++) {
    const body = queryBody(make(i));
    recordJson(book, camel ? camelCase(body) : body);
  }
  extra?.(book);
  return book.data();
}

function camelCase(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelCase);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [camelCaseKey(k), camelCase(x)]));
  return v;
}

describe('shape comparison', () => {
  it('the same shapes, whatever optional data each run happened to read, are no change', () => {
    const a = shapes(4, (i) => [session({ FailureMessage: i === 0 ? 'x' : null, Result: i === 1 ? 'Warning' : 'Success' })]);
    const b = shapes(5, (i) => [session({ State: i === 2 ? 'Working' : 'Stopped' }), session()]);
    expect(compareShapes(a, b).findings).toEqual([]);
  });

  it('groups recased keys per operation, naming the key a client reads and what the candidate answers', () => {
    const result = compareShapes(shapes(4, () => [session()]), shapes(4, () => [session()], true));
    expect(result.findings.map((f) => f.kind)).toEqual(['recased']);
    const f = result.findings[0]!;
    expect(f).toMatchObject({ class: 'breaking', mediaType: 'application/json' });
    expect(f.message).toContain('clients reading the JSON key Entities.BackupJobSessions break: the candidate answers entities.backupJobSessions');
    for (const r of f.renames!) expect(r.to).toBe(camelCaseKey(r.from));
    expect(f.renames!.map((r) => r.from)).toEqual(expect.arrayContaining(['Entities', 'BackupJobSessions', 'UID', 'CreationTimeUTC', 'Rel']));
  });

  it('reports a key removed only when the baseline always sent it and the candidate answered often enough without it', () => {
    const without = (i: number) => [Object.fromEntries(Object.entries(session()).filter(([k]) => k !== 'Progress' || i < 0))];
    const removed = compareShapes(shapes(MIN_INSTANCES, () => [session()]), shapes(MIN_INSTANCES, without)).findings;
    expect(removed).toMatchObject([{ class: 'breaking', kind: 'removed', examples: [{ baseline: 'Entities.BackupJobSessions.BackupJobSessions[].Progress', candidate: null }] }]);
    // the candidate read fewer sessions than MIN_INSTANCES: not seen is unknown, not removed
    expect(compareShapes(shapes(MIN_INSTANCES, () => [session()]), shapes(MIN_INSTANCES - 1, without)).findings).toEqual([]);
    // the baseline did not always send it: optional, so its absence says nothing
    const sometimes = shapes(MIN_INSTANCES + 1, (i) => (i === 0 ? without(i) : [session()]));
    expect(compareShapes(sometimes, shapes(MIN_INSTANCES, without)).findings).toEqual([]);
  });

  it('pairs a removed and an added key under one parent as renamed, and reports retyped values and recased enum values', () => {
    const renamed = (i: number) => [Object.fromEntries(Object.entries(session({ Progress: i % 2 ? 'Full' : 'Half', State: 'stopped' })).map(([k, v]) => [k === 'JobName' ? 'JobTitle' : k, v]))];
    const findings = compareShapes(shapes(4, () => [session()]), shapes(4, renamed)).findings;
    expect(findings.map((f) => f.kind).sort()).toEqual(['renamed', 'retyped', 'value-recased']);
    expect(findings.find((f) => f.kind === 'renamed')!.examples).toEqual([{ baseline: 'Entities.BackupJobSessions.BackupJobSessions[].JobName', candidate: 'Entities.BackupJobSessions.BackupJobSessions[].JobTitle' }]);
    expect(findings.find((f) => f.kind === 'retyped')!.message).toContain('as number break: the candidate sends string');
    expect(findings.find((f) => f.kind === 'value-recased')!.message).toContain('with "Stopped" break: the candidate sends "stopped"');
  });

  it('classifies a key always present on the candidate only as additive, and removed links as breaking', () => {
    const more = shapes(4, () => [session({ Platform: 'HyperV', Links: [session().Links[1]] })]);
    const findings = compareShapes(shapes(4, () => [session()]), more).findings;
    expect(findings.map((f) => [f.class, f.kind, f.subject])).toEqual([
      ['breaking', 'removed', 'link'],
      ['additive', 'added', 'key'],
    ]);
    expect(findings[0]!.message).toContain('link Rel="Up" Type="BackupServerReference"');
  });

  it('reports a change of timestamp precision and of the default page size, and a removed API version', () => {
    const micro = (i: number) => [session({ CreationTimeUTC: `2026-09-26T02:00:1${i}.594000Z`, EndTimeUTC: '2026-09-26T02:20:14.440000Z' })];
    const withVersions = (versions: string[]) => (book: ShapeBook) => book.record({ operationId: 'getEnterpriseManager', method: 'GET', route: '/', url: 'http://em/api/', status: 200, contentType: 'application/json', text: JSON.stringify({ SupportedVersions: { SupportedVersions: versions.map((Name) => ({ Name })) } }) });
    const base = shapes(4, () => [session(), session({ EndTimeUTC: '2026-09-26T02:20:14Z' })], false, withVersions(['v1_5', 'v1_6', 'v1_7']));
    const cand = shapes(4, micro, false, withVersions(['v1_7', 'v1_8']));
    const kinds = compareShapes(base, cand).findings.map((f) => `${f.class} ${f.kind}`);
    expect(kinds).toEqual(['breaking api-version-removed', 'breaking timestamp-precision', 'additive api-version-added']);
    const findings = compareShapes(base, cand).findings;
    expect(findings[0]!.message).toBe('clients logging on with ?v=v1_5, ?v=v1_6 break: the candidate supports only v1_7, v1_8');
    expect(findings[1]!.message).toContain('the baseline sends 0–3 fractional-second digits (milliseconds, trailing zeros trimmed), the candidate 6 (microseconds)');
    const pages = (size: number) => {
      const book = new ShapeBook();
      for (let i = 0; i < 3; i++) recordJson(book, queryBody([], size));
      return book.data();
    };
    expect(compareShapes(pages(100), pages(50)).findings.map((f) => f.kind)).toEqual(['default-page-size']);
  });

  it('reports an operation answered in another media type as breaking', () => {
    const xmlOnly = new ShapeBook();
    for (let i = 0; i < 3; i++) xmlOnly.record({ operationId: 'query', method: 'GET', route: '/query', url: 'http://em/api/query', status: 200, contentType: 'application/xml', text: '<QueryResult/>' });
    const f = compareShapes(shapes(3, () => []), xmlOnly.data()).findings;
    expect(f.map((x) => x.kind)).toEqual(['media-type']);
    expect(f[0]!.message).toContain('clients expecting application/json break: the candidate answers application/xml');
  });
});

function rule(id: string, verdict: RuleResult['verdict'], byProject: Record<string, RuleResult['verdict']>): RuleResult {
  return { id, family: id.split('-')[0] as RuleResult['family'], title: `title of ${id}`, statement: '', level: 'MUST', source: { doc: '', quote: '' }, operations: [], representations: [], verdict, byProject, counts: { pass: 0, fail: 0, error: 0, notApplicable: 0, notRun: 0 }, notApplicable: verdict === 'not-applicable' ? [{ reason: 'no agent job', kind: 'data', project: 'xml', test: 't' }] : [], tests: [], failures: [] };
}

function report(rules: RuleResult[], shapeData?: ShapeData): ConformanceReport {
  return {
    schemaVersion: 1,
    generatedAt: '2026-01-01T00:00:00Z',
    suite: { name: 'em-conformance', version: '0.1.0' },
    spec: { title: 'EM', version: '1' },
    run: { startTime: '2026-01-01T00:00:00Z', durationMs: 1, status: 'passed', merged: false, shards: null, requests: 1, projects: ['xml', 'json'], tests: { total: 1, pass: 1, fail: 0, error: 0, notApplicable: 0, notRun: 0 } },
    target: { url: 'http://em/api', embeddedMock: false, tlsInsecure: false, privateCa: false, apiVersion: 'latest', allowWrites: false, restrictedAccount: false, jsonMapping: 'strict', reachable: true, error: null, status: 200, apiVersions: ['v1_7'], latestApiVersion: 'v1_7', emVersion: '10–12', profile: 'v12', jsonKeys: 'PascalCase', server: null },
    verdict: 'pass',
    summary: { rules: rules.length, pass: 0, fail: 0, error: 0, notApplicable: 0, notRun: 0 },
    families: [],
    rules,
    operations: [],
    tests: [],
    failures: [],
    targetErrors: [],
    unknownRules: [],
    ...(shapeData ? { shapes: shapeData } : {}),
  };
}

describe('rule verdict changes', () => {
  it('tells regressions (per project), fixes and rules newly not applicable apart', () => {
    const changes = compareRules(
      report([rule('JSON-002', 'pass', { xml: 'pass', json: 'pass' }), rule('PAGE-001', 'fail', { xml: 'fail', json: 'fail' }), rule('AGENT-001', 'pass', { xml: 'pass' }), rule('FMT-001', 'fail', { xml: 'fail', json: 'pass' }), rule('AUTH-001', 'pass', { xml: 'pass' })]),
      report([rule('JSON-002', 'fail', { xml: 'pass', json: 'fail' }), rule('PAGE-001', 'pass', { xml: 'pass', json: 'pass' }), rule('AGENT-001', 'not-applicable', { xml: 'not-applicable' }), rule('FMT-001', 'fail', { xml: 'pass', json: 'fail' }), rule('AUTH-001', 'pass', { xml: 'pass' })]),
    );
    expect(changes.map((c) => [c.id, c.change, c.breaking])).toEqual([
      ['FMT-001', 'regressed', true],
      ['JSON-002', 'regressed', true],
      ['AGENT-001', 'newly-not-applicable', false],
      ['PAGE-001', 'fixed', false],
    ]);
    expect(changes[1]!.projects).toEqual([{ project: 'json', baseline: 'pass', candidate: 'fail' }]);
    expect(changes[2]!.reasons).toEqual(['no agent job']);
  });

  it('the verdict and exit code: compatible only when nothing breaks and both reports carry shapes', async () => {
    const same = shapes(3, () => [session()]);
    expect(compareReports(report([rule('A-001', 'pass', { xml: 'pass' })], same), report([rule('A-001', 'pass', { xml: 'pass' })], same)).verdict).toBe('compatible');
    expect(compareReports(report([rule('A-001', 'pass', { xml: 'pass' })], same), report([rule('A-001', 'fail', { xml: 'fail' })], same)).verdict).toBe('breaking');
    const noShapes = compareReports(report([], same), report([]));
    expect(noShapes.verdict).toBe('inconclusive');
    expect(noShapes.warnings[0]).toMatch(/no representation shapes in the candidate report/);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'emc-compare-'));
    for (const [name, r] of [['a', report([], same)], ['b', report([], same)], ['c', report([], shapes(3, () => [session()], true))]] as const) writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(r));
    expect(await compareCommand([path.join(dir, 'a.json'), path.join(dir, 'b.json'), '--out', path.join(dir, 'ab')])).toBe(0);
    expect(await compareCommand([path.join(dir, 'a.json'), path.join(dir, 'c.json'), '--out', path.join(dir, 'ac')])).toBe(1);
  });
});

describe('usage errors exit 2 and name the option or file', () => {
  it('compare', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emc-compare-usage-'));
    writeFileSync(path.join(dir, 'broken.json'), '{"rules": 1');
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(report([])));
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      expect(await main(['compare', dir])).toBe(2);
      expect(await main(['compare', good, path.join(dir, 'missing')])).toBe(2);
      expect(await main(['compare', good, path.join(dir, 'broken.json')])).toBe(2);
      expect(await main(['compare', dir, dir, '--colour'])).toBe(2);
      expect(await main(['compare', dir, dir])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors[0]).toMatch(/expected two report folders, BASELINE_DIR and CANDIDATE_DIR, got 1/);
    expect(errors[1]).toMatch(/CANDIDATE_DIR '.*missing' does not exist/);
    expect(errors[2]).toMatch(/CANDIDATE_DIR '.*broken\.json' is not JSON/);
    expect(errors[3]).toMatch(/--colour/);
    expect(errors[4]).toMatch(/BASELINE_DIR '.*' holds no conformance report \(looked for .*conformance\/conformance\.json/);
  });

  it('upgrade-check', () => {
    const ok = ['--baseline-url', 'http://em12:9398/api', '--candidate-url', 'http://em13:9398/api', '--user', 'u', '--password', 'p'];
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [ok.slice(2), {}, /missing --baseline-url/],
      [[...ok.slice(0, 2), ...ok.slice(4)], {}, /missing --candidate-url/],
      [ok.slice(0, 4), {}, /missing --user or --baseline-user \(or EM_USER/],
      [[...ok.slice(0, 6)], {}, /missing --password or --baseline-password/],
      [['--baseline-url', 'http://em12:9398/', ...ok.slice(2)], {}, /--baseline-url must end in \/api/],
      [['--baseline-url', 'http://em12:9398/api', '--candidate-url', 'em13', ...ok.slice(4)], {}, /--candidate-url is not a URL/],
      [[...ok, '--workers', 'two'], {}, /--workers must be a positive whole number/],
      [[...ok, '--colour'], {}, /--colour/],
    ];
    for (const [args, env, message] of cases) expect(() => parseUpgradeCheckArgs(args, env), message.source).toThrow(message);
    // credentials from the environment, and a different account on one side
    const parsed = parseUpgradeCheckArgs([...ok.slice(0, 4), '--candidate-user', 'c', '--candidate-password', 'cp'], { EM_USER: 'eu', EM_PASSWORD: 'ep' });
    expect(parsed).not.toBe('help');
    if (parsed === 'help') return;
    expect(parsed.sides.baseline.env).toMatchObject({ EM_URL: 'http://em12:9398/api', EM_USER: 'eu', EM_PASSWORD: 'ep', EM_ALLOW_WRITES: '0' });
    expect(parsed.sides.candidate.env).toMatchObject({ EM_URL: 'http://em13:9398/api', EM_USER: 'c', EM_PASSWORD: 'cp' });
  });
});
