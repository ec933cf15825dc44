// The conformance report as data, without running the suite: test outcomes (target errors apart from failures), rule
// verdicts, evidence, scrubbing, the JSON Schema of conformance.json, the certification policy and the HTML.
import { describe, expect, it } from 'vitest';
import { loadRules, type Rule } from '../../src/contract/rules.ts';
import { certify, renderCertificateHtml } from '../../src/report/certificate.ts';
import { classifyTest, combine, isTargetError } from '../../src/report/classify.ts';
import { buildEvidence, cleanMessage, excerpt, expectedActual, prettyXml } from '../../src/report/evidence.ts';
import { renderReportHtml } from '../../src/report/html.ts';
import { buildReport, type TestRecord } from '../../src/report/report.ts';
import { scrub } from '../../src/report/scrub.ts';
import { markdownSummary } from '../../src/report/summary.ts';
import { inferGeneration, parseEntryPoint } from '../../src/report/target.ts';
import { registerSecret } from '../../src/suite/redact.ts';
import { reportValidator } from './report-helpers.ts';

const RULES: Rule[] = loadRules().filter((r) => ['ENTRY-001', 'ENTRY-002', 'AUTH-008', 'ACT-001', 'AGENT-001', 'PAGE-002', 'ERR-002'].includes(r.id));

function rec(title: string, ruleIds: string[], status: string, extra: Partial<TestRecord> = {}): TestRecord {
  return {
    title,
    titlePath: [title],
    file: 'tests/conformance/x.spec.ts',
    line: 1,
    project: 'xml',
    tags: ruleIds.map((id) => `@${id}`),
    annotations: [...ruleIds.map((id) => ({ type: 'rule', description: id })), { type: 'requests', description: '3' }],
    status,
    errors: [],
    attachments: [],
    durationMs: 12,
    ...extra,
  };
}

const na = (reason: string, kind?: 'data' | 'config') => [{ type: 'not-applicable', description: reason }, ...(kind ? [{ type: 'not-applicable-kind', description: kind }] : [])];

const REFUSED = 'Error: apiRequestContext.fetch: connect ECONNREFUSED 127.0.0.1:9\nCall log:\n  - → GET http://127.0.0.1:9/api/';
const TLS = 'Error: EM target unreachable: logon POST https://127.0.0.1:4443/api/sessionMngr/?v=latest: apiRequestContext.post: self-signed certificate';
const ASSERT = '\u001b[2mexpect(\u001b[22mreceived).toBe(expected)\n\nExpected: \u001b[32m8\u001b[39m\nReceived: \u001b[31m9\u001b[39m\n\n> 105 |   expect.soft(x).toBe(8);\n      |                  ^\n    at /work/main/tests/conformance/query-paging.spec.ts:105:91';

describe('test outcomes', () => {
  it('tells errors of the target from conformance failures', () => {
    expect(isTargetError(REFUSED)).toBe(true);
    expect(isTargetError(TLS)).toBe(true);
    expect(isTargetError('apiRequestContext.get: Timeout 30000ms exceeded.')).toBe(true);
    expect(isTargetError('apiRequestContext.get: unable to verify the first certificate')).toBe(true);
    expect(isTargetError('Test timeout of 120000ms exceeded.')).toBe(true);
    expect(isTargetError(ASSERT)).toBe(false);
    // a body mentioning a certificate is no TLS failure
    expect(isTargetError('expected status 200, got 500\nGET https://h/api/jobs → 500\n<Error Message="certificate store"/>')).toBe(false);
  });

  it('classifies a test by status, errors and annotations', () => {
    expect(classifyTest('passed', [], []).outcome).toBe('pass');
    expect(classifyTest('failed', [ASSERT], []).outcome).toBe('fail');
    expect(classifyTest('failed', [REFUSED], [])).toMatchObject({ outcome: 'error', reason: 'connect ECONNREFUSED 127.0.0.1:9' });
    expect(classifyTest('timedOut', ['Test timeout of 120000ms exceeded.'], []).outcome).toBe('error');
    // a conformance failure next to a timeout is still a failure
    expect(classifyTest('timedOut', [ASSERT, 'Test timeout of 120000ms exceeded.'], []).outcome).toBe('fail');
    expect(classifyTest('skipped', [], na('no agent job'))).toEqual({ outcome: 'not-applicable', reason: 'no agent job', naKind: 'data' });
    expect(classifyTest('skipped', [], na('writes are disabled', 'config'))).toMatchObject({ naKind: 'config' });
    expect(classifyTest('skipped', [], [{ type: 'skip', description: 'later' }]).outcome).toBe('not-run');
    expect(classifyTest('interrupted', [], []).outcome).toBe('not-run');
  });

  it('combines the outcomes of a rule: fail > error > pass > not applicable > not run', () => {
    expect(combine(['pass', 'fail', 'error'])).toBe('fail');
    expect(combine(['pass', 'error'])).toBe('error');
    expect(combine(['pass', 'not-applicable', 'not-run'])).toBe('pass');
    expect(combine(['not-applicable', 'not-applicable'])).toBe('not-applicable');
    expect(combine([])).toBe('not-run');
  });
});

describe('evidence', () => {
  it('strips code frames and colours and reads expected vs actual', () => {
    expect(cleanMessage(ASSERT)).not.toMatch(/\u001b|105 \||at \//);
    expect(expectedActual(ASSERT)).toEqual({ expected: '8', actual: '9' });
    expect(expectedActual('expected status 200, got 404\nGET http://h/api/x → 404')).toEqual({ expected: '200', actual: '404' });
  });

  it('cuts the body around the actual value and marks it', () => {
    const body = `${'x'.repeat(3000)} PagesCount="9" ${'y'.repeat(3000)}`;
    const cut = excerpt(body, '9');
    expect(cut.text.length).toBeLessThan(1600);
    expect(cut.text.slice(...cut.highlight!)).toBe('9');
    // a short value found twice is not pointed at (it would be a guess)
    expect(excerpt('a 9 b 9', '9').highlight).toBeNull();
  });

  it('takes, for each error, the last response received before it', () => {
    const attachment = {
      name: 'em-evidence',
      body: JSON.stringify({
        responses: [
          { seq: 4, forErrors: [0], method: 'GET', url: 'http://h/api/query?type=BackupJobSession', status: 200, contentType: 'application/xml', body: '<QueryResult><PagingInfo PagesCount="9"/></QueryResult>' },
          { seq: 9, forErrors: [], last: true, method: 'GET', url: 'http://h/api/query?type=Task', status: 200, contentType: 'application/xml', body: '<QueryResult/>' },
        ],
        violations: [],
      }),
    };
    const e = buildEvidence([ASSERT, ASSERT.replace('Received: \u001b[31m9', 'Received: \u001b[31m7')], [attachment], 'x.spec.ts:1');
    expect(e.items).toHaveLength(2);
    expect(e.items[0]!.request).toEqual({ method: 'GET', url: 'http://h/api/query?type=BackupJobSession', status: 200 });
    expect(e.items[0]!.body!.slice(...e.items[0]!.highlight!)).toBe('9');
    expect(e.items[1]!.request!.url).toContain('type=Task');
  });

  it('indents one-line XML', () => {
    expect(prettyXml('<a><b x="1"/><c>t</c></a>')).toBe('<a>\n  <b x="1"/>\n  <c>t</c>\n</a>');
  });

  it('scrubs secrets and anything token-shaped', () => {
    registerSecret('Pa55-word-of-the-test');
    const token = Buffer.from('0d6b3b36-8b5a-4a43-9a6d-2c5f0c9e7c11').toString('base64');
    const text = scrub(`password Pa55-word-of-the-test token ${token} X-RestSvcSessionId: ${token} /logonSessions/0d6b3b36-8b5a-4a43-9a6d-2c5f0c9e7c11 Basic dXNlcjpwYXNzd29yZDEyMw== Basic authentication`);
    expect(text).not.toContain('Pa55-word');
    expect(text).not.toContain(token);
    expect(text).not.toContain('dXNlcjpwYXNzd29yZDEyMw');
    expect(text).not.toContain('0d6b3b36-8b5a');
    expect(text).toContain('Basic authentication');
  });
});

describe('the entry point tells the generation', () => {
  it('reads versions and key casing', () => {
    const v12 = parseEntryPoint('{"SupportedVersions":{"SupportedVersions":[{"Name":"v1_7"},{"Name":"v1_5"},{"Name":"v1_6"}]},"Links":[]}');
    expect(v12).toEqual({ apiVersions: ['v1_5', 'v1_6', 'v1_7'], jsonKeys: 'PascalCase' });
    expect(inferGeneration(v12.apiVersions, v12.jsonKeys)).toEqual({ emVersion: '10–12', profile: 'v12' });
    const v13 = parseEntryPoint('{"supportedVersions":{"supportedVersions":[{"name":"v1_7"}]}}');
    expect(inferGeneration(v13.apiVersions, v13.jsonKeys).profile).toBe('v13');
    const old = parseEntryPoint('<EnterpriseManager><SupportedVersions><SupportedVersion Name="v1_4"/><SupportedVersion Name="v1"/></SupportedVersions></EnterpriseManager>');
    expect(old.apiVersions).toEqual(['v1', 'v1_4']);
    expect(inferGeneration(old.apiVersions, old.jsonKeys).profile).toBe('9.5u4');
  });
});

/** A run covering every verdict: ENTRY-001 pass, ENTRY-002 fail, PAGE-002 error, AGENT-001 not applicable (data), AUTH-008 and ACT-001 (config), ERR-002 not run. */
function sampleTests(): TestRecord[] {
  const target = { type: 'em-target', description: JSON.stringify({ url: 'https://em.example/api', reachable: true, apiVersions: ['v1_5', 'v1_6', 'v1_7'], latestApiVersion: 'v1_7', emVersion: '10–12', profile: 'v12', jsonKeys: 'PascalCase', tlsInsecure: true }) };
  const failed = rec('supported versions', ['ENTRY-002'], 'failed', {
    errors: ['Error: expected status 200, got 500\nGET https://em.example/api/ → 500 (application/xml)\n<Error StatusCode="500" Message="boom"/>'],
  });
  return [
    rec('entry point', ['ENTRY-001'], 'passed', { annotations: [{ type: 'rule', description: 'ENTRY-001' }, { type: 'requests', description: '2' }, target] }),
    { ...rec('entry point', ['ENTRY-001'], 'passed'), project: 'json' },
    failed,
    rec('paging', ['PAGE-002'], 'failed', { errors: [REFUSED] }),
    rec('agents', ['AGENT-001'], 'skipped', { annotations: [{ type: 'rule', description: 'AGENT-001' }, ...na('no agent backup job on this server')] }),
    rec('idle', ['AUTH-008'], 'skipped', { annotations: [{ type: 'rule', description: 'AUTH-008' }, ...na('needs 15 minutes', 'config')] }),
    rec('actions', ['ACT-001'], 'skipped', { annotations: [{ type: 'rule', description: 'ACT-001' }, ...na('writes are disabled', 'config')] }),
    rec('untagged helper', [], 'passed'),
    rec('ghost', ['ZZZ-999'], 'passed'),
  ];
}

function sampleReport() {
  return buildReport({ tests: sampleTests(), run: { startTime: '2026-11-23T01:00:00.000Z', durationMs: 61_000, status: 'failed', merged: false, shards: null }, rules: RULES, now: new Date('2026-11-23T01:01:01Z') });
}

describe('rule verdicts and the report', () => {
  const report = sampleReport();
  const verdict = (id: string) => report.rules.find((r) => r.id === id)?.verdict;

  it('gives every rule its verdict', () => {
    expect(verdict('ENTRY-001')).toBe('pass');
    expect(verdict('ENTRY-002')).toBe('fail');
    expect(verdict('PAGE-002')).toBe('error');
    expect(verdict('AGENT-001')).toBe('not-applicable');
    expect(report.rules.find((r) => r.id === 'AGENT-001')!.naKind).toBe('data');
    expect(report.rules.find((r) => r.id === 'AUTH-008')!.naKind).toBe('config');
    expect(verdict('ERR-002')).toBe('not-run');
    expect(report.summary).toEqual({ rules: 7, pass: 1, fail: 1, error: 1, notApplicable: 3, notRun: 1 });
    expect(report.verdict).toBe('fail');
    expect(report.unknownRules).toEqual(['ZZZ-999']);
    expect(report.run.requests).toBe(2 + 3 * 5);
    expect(report.rules.find((r) => r.id === 'ENTRY-001')!.byProject).toEqual({ xml: 'pass', json: 'pass' });
  });

  it('keeps errors of the target apart from failures, with the cause', () => {
    expect(report.failures.map((f) => f.kind)).toEqual(['fail', 'error']);
    expect(report.targetErrors).toEqual([{ cause: 'connect ECONNREFUSED 127.0.0.1:9', tests: 1, rules: ['PAGE-002'], example: 'paging [xml]' }]);
  });

  it('carries the evidence of a failure: request line, status, body, expected vs actual', () => {
    const item = report.failures[0]!.items[0]!;
    expect(item.request).toEqual({ method: 'GET', url: 'https://em.example/api/', status: 500 });
    expect(item).toMatchObject({ expected: '200', actual: '500' });
    expect(item.body).toContain('Message="boom"');
  });

  it('reads the target from the em-target annotation', () => {
    expect(report.target).toMatchObject({ url: 'https://em.example/api', emVersion: '10–12', profile: 'v12', tlsInsecure: true });
  });

  it('is valid against schemas/conformance-report.schema.json', () => {
    const validate = reportValidator();
    expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors, null, 1)).toBe(true);
    // and the schema is not a rubber stamp
    expect(validate({ ...report, verdict: 'maybe' })).toBe(false);
    expect(validate({ ...report, rules: [{ ...report.rules[0], verdict: 'passed' }] })).toBe(false);
  });

  it('sums up the verdicts in Markdown for a CI job summary', () => {
    const md = markdownSummary(report);
    expect(md).toContain('### EM conformance: FAIL');
    expect(md).toMatch(/\| fail \| 1 \|/);
    expect(md).toContain('**Failed rules:** ENTRY-002');
    expect(md).toContain('`connect ECONNREFUSED 127.0.0.1:9` (1 tests)');
    expect(md).toContain('**TLS verification off**');
  });

  it('renders one self-contained page', () => {
    const html = renderReportHtml(report);
    // nothing that loads: no external stylesheet, image, frame, script source, CSS url() or @import
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b|\bsrc\s*=|url\(|@import/i);
    expect(html).toContain('TLS verification OFF');
    expect(html).toContain('id="target-errors"');
    expect(html).toContain('id="rule-ENTRY-002"');
    expect(html).toContain('data-chip');
  });
});

describe('certification', () => {
  const report = sampleReport();

  it('refuses failures, errors, data gaps and unwaived configuration gaps, naming them', () => {
    const c = certify(report);
    expect(c.certified).toBe(false);
    expect(c.failedRules.map((r) => r.id)).toEqual(['ENTRY-002']);
    expect(c.errorRules.map((r) => r.id)).toEqual(['PAGE-002']);
    expect(c.notExercised.map((r) => `${r.id}:${r.kind}`)).toEqual(['AUTH-008:config', 'ACT-001:config', 'AGENT-001:data', 'ERR-002:null'].sort((a, b) => RULES.findIndex((r) => a.startsWith(r.id)) - RULES.findIndex((r) => b.startsWith(r.id))));
    expect(c.reasons.join('\n')).toMatch(/ENTRY-002[\s\S]*PAGE-002[\s\S]*AGENT-001[\s\S]*AUTH-008, ACT-001|ACT-001, AUTH-008/);
  });

  it('accepts configuration gaps that are waived, never data gaps', () => {
    const passing = buildReport({
      tests: sampleTests().filter((t) => !['supported versions', 'paging', 'agents', 'ghost'].includes(t.title)),
      run: { startTime: '2026-11-23T01:00:00.000Z', durationMs: 1000, status: 'passed', merged: false, shards: null },
      rules: RULES.filter((r) => ['ENTRY-001', 'AUTH-008', 'ACT-001'].includes(r.id)),
    });
    expect(certify(passing).certified).toBe(false);
    const c = certify(passing, { waive: ['AUTH-008', 'ACT-001', 'ENTRY-001'] });
    expect(c.certified).toBe(true);
    expect(c.waived.map((w) => w.id).sort()).toEqual(['ACT-001', 'AUTH-008']);
    expect(c.unusedWaivers).toEqual([{ id: 'ENTRY-001', verdict: 'pass', why: 'not needed: the rule passed' }]);
    expect(renderCertificateHtml(c)).toContain('CERTIFIED');
    const data = certify(report, { waive: ['AGENT-001'] });
    expect(data.notExercised.find((n) => n.id === 'AGENT-001')!.waived).toBe(false);
    expect(data.unusedWaivers[0]!.why).toMatch(/lack of data/);
  });
});
