/**
 * Harness, not a rule (project `target`, run first): probes the target once and attaches what GET /api/ answered
 * (annotation `em-target`: URL, API versions, generation, TLS and write settings) for the report's header; the report
 * leaves this entry out of its test counts. It asserts nothing on purpose: the read projects depend on it, and a
 * failure here would skip them all, while an unreachable target must show as errors of the target in every rule.
 * Its teardown project, `actions`, runs the tests that change the server once every read test is done.
 *
 * It imports Playwright's own `test`, not the suite's fixtures: everything else waits for this worker, which then
 * starts in a fraction of the time (no contract, validators or logon).
 */
import { test } from '@playwright/test';
import { HARNESS_ANNOTATION, probeTarget, TARGET_ANNOTATION } from '../../src/report/target.ts';
import { loadConfig } from '../../src/suite/config.ts';
import { createHttpClient } from '../../src/suite/http.ts';

test('probe the target for the report', { annotation: { type: HARNESS_ANNOTATION, description: 'records the target; checks no rule' } }, async ({}, testInfo) => {
  const config = loadConfig();
  const http = createHttpClient({ insecure: config.tlsInsecure, timeoutMs: config.timeoutMs });
  try {
    testInfo.annotations.push({ type: TARGET_ANNOTATION, description: JSON.stringify(await probeTarget(http, config)) });
  } finally {
    await http.close();
  }
});
