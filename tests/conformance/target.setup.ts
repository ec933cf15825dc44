/**
 * Harness, not a rule (project `target`, run first): probes the target once and attaches what GET /api/ answered
 * (annotation `em-target`: URL, API versions, generation, TLS and write settings) for the report's header; the report
 * leaves this entry out of its test counts. It asserts nothing on purpose: the read projects depend on it, and a
 * failure here would skip them all, while an unreachable target must show as errors of the target in every rule.
 * Its teardown project, `actions`, runs the tests that change the server once every read test is done.
 */
import { HARNESS_ANNOTATION, TARGET_ANNOTATION } from '../../src/report/target.ts';
import { test } from '../../src/suite/fixtures.ts';

test('probe the target for the report', { annotation: { type: HARNESS_ANNOTATION, description: 'records the target; checks no rule' } }, async ({ target }, testInfo) => {
  testInfo.annotations.push({ type: TARGET_ANNOTATION, description: JSON.stringify(target) });
});
