/**
 * Playwright fixtures of the conformance suite: configuration, a worker-scoped logon session (logged off in
 * teardown, also after failures), the `em` client with the automatic response checks, and the crawl that discovers
 * the server's data. Tests import `test` and `expect` from here.
 */
import { test as base, expect as baseExpect, type TestInfo } from '@playwright/test';
import { createHttpClient, type HttpClient } from './http.ts';
import { EmClient, EmResponse, MEDIA_TYPE, type Representation } from './client.ts';
import { loadConfig, configSecrets, type SuiteConfig } from './config.ts';
import { crawl, type CrawlResult } from './crawl.ts';
import { redact, registerSecret } from './redact.ts';
import { matchers } from './matchers.ts';
import { failsTest } from './violation-rules.ts';
import { TARGET_ERROR_PREFIX } from '../report/classify.ts';
import { recordShape, writeWorkerShapes } from '../compare/recording.ts';

export interface Logon {
  token: string;
  sessionId: string;
  /** The LogonSession body (JSON form). */
  body: Record<string, any>;
  headers: Record<string, string>;
}

interface WorkerFixtures {
  representation: Representation;
  config: SuiteConfig;
  apiContext: HttpClient;
  logon: Logon;
  /** A client for work done outside any one test (discovery), whose checks are kept with the crawl. */
  workerEm: EmClient;
  estate: CrawlResult;
  /** Writes the representation shapes this worker's responses showed, for conformance.json (src/compare/recording.ts). */
  shapes: void;
}

interface TestFixtures {
  em: EmClient;
  /** A client without a token, for the entry point, logon and the 401 rules. */
  anonymous: EmClient;
  /** Opens a second logon session for a test that must end one; logged off in teardown if still open. */
  newLogon: () => Promise<Logon & { client: EmClient }>;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A connection pool of its own (src/suite/http.ts keeps no cookies, so a logon's cookie never rides along). */
function newContext(config: SuiteConfig): HttpClient {
  return createHttpClient({ insecure: config.tlsInsecure, timeoutMs: config.timeoutMs });
}

/** Logs on in a throwaway context, so that the session cookie never rides along on the suite's other requests. */
async function logOn(config: SuiteConfig, representation: Representation): Promise<Logon> {
  const url = `${config.url}/sessionMngr/?v=${config.apiVersion}`;
  const context = newContext(config);
  let response;
  try {
    response = await context.fetch(url, { method: 'POST', headers: { Authorization: basicAuth(config.user, config.password), Accept: MEDIA_TYPE[representation] } });
  } catch (err) {
    // connection refused, timeout, TLS failure: an error of the target, not a conformance failure (the transport's
    // message already says so; it gains the word logon)
    const message = (err as Error).message;
    throw new Error(redact(message.includes(TARGET_ERROR_PREFIX) ? message.replace(TARGET_ERROR_PREFIX, `${TARGET_ERROR_PREFIX} logon`) : `${TARGET_ERROR_PREFIX} logon POST ${url}: ${message}`));
  } finally {
    await context.close();
  }
  const { status, text, headers } = response;
  if (status !== 201) {
    throw new Error(redact(`logon failed: POST ${url} → ${status}\n${text.slice(0, 500)}`));
  }
  const token = headers['x-restsvcsessionid'];
  if (!token) throw new Error(`logon: POST ${url} → 201 without an X-RestSvcSessionId header`);
  registerSecret(token);
  // Read like any response (src/suite/client.ts): by what was sent, whatever was asked for.
  const parsed = new EmResponse('POST', url, 201, headers, text, MEDIA_TYPE[representation], 'createLogonSession', []).body<Record<string, any>>();
  const sessionId = String(parsed.SessionId ?? parsed.sessionId ?? '');
  registerSecret(sessionId);
  return { token, sessionId, body: parsed, headers };
}

async function logOff(context: HttpClient, config: SuiteConfig, logon: Logon): Promise<void> {
  await context.fetch(`${config.url}/logonSessions/${logon.sessionId}`, { method: 'DELETE', headers: { 'X-RestSvcSessionId': logon.token } }).catch(() => undefined);
}

/** Order of responses across the clients of a worker, so the report can tell which came last before an error. */
let responseSeq = 0;
const SEQ = new WeakMap<EmResponse, number>();
/** At most this many assertion errors of one test get their response recorded. */
const EVIDENCE_ERRORS = 5;

/**
 * Evidence of a failed test as a JSON attachment `em-evidence` (read by the report), redacted: for each of its first
 * errors the last response received before the error was raised (soft assertions fail while the test goes on), the
 * last response of the test, and the automatic-check violations.
 */
async function attachEvidence(testInfo: TestInfo, atError: Array<EmResponse | undefined>, last: EmResponse | undefined, found: Array<{ response: EmResponse }>): Promise<void> {
  const failed = testInfo.errors.length > 0 || (testInfo.status !== undefined && testInfo.status !== testInfo.expectedStatus && testInfo.status !== 'skipped');
  if (!failed || (!last && !found.length)) return;
  const entries = new Map<EmResponse, { forErrors: number[]; last: boolean }>();
  atError.forEach((r, j) => {
    if (r) entries.set(r, { forErrors: [...(entries.get(r)?.forErrors ?? []), j], last: false });
  });
  if (last) entries.set(last, { forErrors: entries.get(last)?.forErrors ?? [], last: true });
  const responses = [...entries].map(([r, e]) => ({
    seq: SEQ.get(r) ?? 0,
    forErrors: e.forErrors,
    last: e.last,
    method: r.method,
    url: redact(r.url),
    status: r.status,
    contentType: r.headers['content-type'] ?? null,
    body: redact(r.text.length > 4000 ? `${r.text.slice(0, 4000)}… (${r.text.length} bytes)` : r.text),
  }));
  const violations = found.flatMap((f) => f.response.violations.map((v) => ({ request: f.response.describe(), status: f.response.status, check: v.check, where: redact(v.where), expected: redact(v.expected), actual: redact(v.actual), message: redact(v.message) })));
  await testInfo.attach('em-evidence', { body: JSON.stringify({ responses, violations: violations.slice(0, 50) }), contentType: 'application/json' });
}

/** Collects the automatic-check violations of one test and fails it with the evidence, secrets redacted. */
function violationCollector(testInfo: TestInfo) {
  const found: Array<{ response: EmResponse; messages: string[] }> = [];
  const atError: Array<EmResponse | undefined> = [];
  let last: EmResponse | undefined;
  let requests = 0;
  // errors raised since the previous response belong to it
  const sync = () => {
    while (atError.length < Math.min(testInfo.errors.length, EVIDENCE_ERRORS)) atError.push(last);
  };
  return {
    onResponse(r: EmResponse) {
      recordShape(r);
      requests += 1;
      sync();
      SEQ.set(r, ++responseSeq);
      last = r;
      if (r.violations.length) found.push({ response: r, messages: r.violations.map((v) => v.message) });
    },
    async finish() {
      testInfo.annotations.push({ type: 'requests', description: String(requests) });
      sync();
      await attachEvidence(testInfo, atError, last, found);
      if (!found.length) return;
      // A violation fails the test only when the test is tagged with a rule it breaks (src/suite/violation-rules.ts);
      // the others are kept as evidence and fail the tests of their own rules.
      const elsewhere = found.flatMap((f) => f.response.violations.filter((v) => !failsTest(v, f.response.accept, testInfo.tags)).map((v) => `${f.response.describe()}: ${v.message}`));
      if (elsewhere.length) testInfo.annotations.push({ type: 'other-rule-violations', description: redact(elsewhere.slice(0, 10).join('\n')) });
      const mine = found
        .map((f) => ({ response: f.response, messages: f.response.violations.filter((v) => failsTest(v, f.response.accept, testInfo.tags)).map((v) => v.message) }))
        .filter((f) => f.messages.length);
      if (!mine.length) return;
      const text = mine.map((f) => `${f.response.describe()}\n${f.messages.map((m) => `  - ${m}`).join('\n')}`).join('\n');
      await testInfo.attach('contract-violations', { body: redact(mine.map((f) => `${f.response.evidence()}\n${f.messages.join('\n')}`).join('\n\n')), contentType: 'text/plain' });
      throw new Error(redact(`responses broke the contract (automatic checks: status, Content-Type, Content-Length, schema):\n${text}`));
    },
  };
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  representation: ['xml', { option: true, scope: 'worker' }],

  shapes: [
    async ({}, use, workerInfo) => {
      await use();
      writeWorkerShapes(workerInfo.project.outputDir);
    },
    { scope: 'worker', auto: true },
  ],

  config: [
    async ({}, use) => {
      const config = loadConfig();
      for (const s of configSecrets(config)) registerSecret(s);
      await use(config);
    },
    { scope: 'worker' },
  ],

  apiContext: [
    async ({ config }, use) => {
      const context = newContext(config);
      await use(context);
      await context.close();
    },
    { scope: 'worker' },
  ],

  logon: [
    async ({ apiContext, config, representation }, use) => {
      const logon = await logOn(config, representation);
      try {
        await use(logon);
      } finally {
        await logOff(apiContext, config, logon);
      }
    },
    { scope: 'worker' },
  ],

  workerEm: [
    async ({ apiContext, config, logon, representation }, use) => {
      // the crawl's responses are recorded too: they are most of what a run reads
      await use(new EmClient({ request: apiContext, apiBase: config.url, representation, token: logon.token, jsonMapping: config.jsonMapping, onResponse: recordShape }));
    },
    { scope: 'worker' },
  ],

  estate: [
    async ({ workerEm, config }, use) => {
      await use(await crawl(workerEm, { budget: config.maxItems }));
    },
    { scope: 'worker', timeout: 120_000 },
  ],


  em: async ({ apiContext, config, logon, representation }, use, testInfo) => {
    const collector = violationCollector(testInfo);
    await use(new EmClient({ request: apiContext, apiBase: config.url, representation, token: logon.token, jsonMapping: config.jsonMapping, onResponse: collector.onResponse }));
    await collector.finish();
  },

  // A fresh context per test: a logon done through this client must not leave its cookie for the next test.
  anonymous: async ({ config, representation }, use, testInfo) => {
    const collector = violationCollector(testInfo);
    const context = newContext(config);
    try {
      await use(new EmClient({ request: context, apiBase: config.url, representation, jsonMapping: config.jsonMapping, onResponse: collector.onResponse }));
    } finally {
      await context.close();
    }
    await collector.finish();
  },

  newLogon: async ({ apiContext, config, representation }, use) => {
    const opened: Logon[] = [];
    await use(async () => {
      const logon = await logOn(config, representation);
      opened.push(logon);
      return { ...logon, client: new EmClient({ request: apiContext, apiBase: config.url, representation, token: logon.token, jsonMapping: config.jsonMapping }) };
    });
    for (const l of opened) await logOff(apiContext, config, l);
  },
});

export const expect = baseExpect.extend(matchers);

/** Test details naming the rules a test checks: `test('…', rules('PAGE-004', 'PAGE-005'), async …)`. */
export function rules(...ids: string[]): { tag: string[]; annotation: Array<{ type: string; description: string }> } {
  return { tag: ids.map((id) => `@${id}`), annotation: ids.map((id) => ({ type: 'rule', description: id })) };
}

/**
 * Why a test is not applicable: `data` — the server holds nothing to check (no agent job, one session…), so the rule
 * is not exercised; `config` — the run was configured not to check it (writes disabled, no restricted account, the
 * 15-minute idle test). Certification (docs/reports.md) refuses rules left unexercised by data, and accepts those left
 * by configuration only when waived.
 */
export type NotApplicableKind = 'data' | 'config';

/**
 * Marks the running test not applicable on this server, with the reason (reported as such, neither passed nor
 * failed). Call before any assertion.
 */
export function notApplicable(reason: string, kind: NotApplicableKind = 'data'): never {
  test.info().annotations.push({ type: 'not-applicable', description: reason });
  test.info().annotations.push({ type: 'not-applicable-kind', description: kind });
  test.skip(true, `not applicable: ${reason}`);
  throw new Error('unreachable');
}
