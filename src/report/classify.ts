/**
 * From Playwright test results to the report's outcomes. A test passes, fails, errs (the target could not be reached
 * or did not answer in time: connection refused, timeouts, TLS failures — an error of the target, not a conformance
 * failure), is not applicable (skipped through notApplicable(), with its reason and kind) or did not run.
 */
import { stripAnsi } from './scrub.ts';

export type Verdict = 'pass' | 'fail' | 'error' | 'not-applicable' | 'not-run';
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'error', 'not-applicable', 'not-run'];
export type NotApplicableKind = 'data' | 'config';

/** Prefix of the suite's own messages for a target that could not be reached (src/suite/fixtures.ts). */
export const TARGET_ERROR_PREFIX = 'EM target unreachable:';

/** Network-level failures of Playwright's API requests (Node's error codes and messages, TLS verification). */
const NETWORK = new RegExp(
  [
    'ECONNREFUSED',
    'ECONNRESET',
    'ECONNABORTED',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'EHOSTDOWN',
    'ENETUNREACH',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EPIPE',
    'EPROTO',
    'socket hang up',
    'Timeout \\d+ms exceeded',
    'Request timed out',
    'read ECONN',
    'self[- ]signed certificate',
    'unable to (?:verify|get local issuer)',
    'certificate (?:has expired|is not yet valid|signature failure|verify failed)',
    "Hostname/IP does not match certificate's altnames",
    'CERT_[A-Z_]+',
    'ERR_TLS_[A-Z_]+',
    'ERR_SSL_[A-Z_]+',
    'SSL routines',
    'wrong version number',
  ].join('|'),
  'i',
);

/** Playwright's own timeouts: of the test, of a fixture, of a request. */
const TIMEOUT = /Test timeout of \d+ms exceeded|Fixture ".*" timeout of \d+ms exceeded|timeout of \d+ms exceeded/i;

/** True when the message says the target could not be reached, not that it answered wrongly. */
export function isTargetError(message: string): boolean {
  const text = stripAnsi(message);
  if (text.includes(TARGET_ERROR_PREFIX)) return true;
  if (TIMEOUT.test(text)) return true;
  // a network failure of a request made through Playwright (apiRequestContext.get/fetch/…), or of a plain fetch
  return /apiRequestContext\.\w+:|fetch failed|request to .* failed/i.test(text) && NETWORK.test(text);
}

/** The short cause of a target error, for grouping: "connect ECONNREFUSED 127.0.0.1:1", "Test timeout of 120000ms exceeded". */
export function targetErrorCause(message: string): string {
  const text = stripAnsi(message);
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => NETWORK.test(l) || TIMEOUT.test(l) || l.includes(TARGET_ERROR_PREFIX)) ?? text.split('\n')[0]!.trim();
  const network = line.match(NETWORK);
  // the suite's transport says "EM target unreachable: [logon] METHOD URL: cause"; Playwright's "apiRequestContext.get: cause"
  const afterPrefix = line
    .replace(/^Error:\s*/, '')
    .replace(/^.*?apiRequestContext\.\w+:\s*/, '')
    .replace(new RegExp(`^.*?${TARGET_ERROR_PREFIX}\\s*(?:logon\\s+)?[A-Z]+ \\S+:\\s*`), '');
  return (network && afterPrefix.length > 200 ? network[0] : afterPrefix).slice(0, 200);
}

export interface Annotation {
  type: string;
  description?: string;
}

export interface TestOutcome {
  outcome: Verdict;
  /** Not applicable: the reason; not run: why (the skip reason, or the status). */
  reason?: string;
  naKind?: NotApplicableKind;
}

/** The outcome of one test from its final status, errors and annotations. */
export function classifyTest(status: string, errors: string[], annotations: readonly Annotation[]): TestOutcome {
  if (status === 'passed') return { outcome: 'pass' };
  if (status === 'skipped') {
    const na = annotations.find((a) => a.type === 'not-applicable');
    if (na) {
      const kind = annotations.find((a) => a.type === 'not-applicable-kind')?.description === 'config' ? 'config' : 'data';
      return { outcome: 'not-applicable', reason: na.description ?? '', naKind: kind };
    }
    const skip = annotations.find((a) => a.type === 'skip' || a.type === 'fixme');
    return { outcome: 'not-run', reason: skip?.description ? `skipped: ${skip.description}` : 'skipped' };
  }
  if (status === 'interrupted') return { outcome: 'not-run', reason: 'interrupted (the run was stopped)' };
  // failed or timedOut: a conformance failure unless every error is an error of the target
  if (status === 'timedOut' && errors.every((e) => isTargetError(e))) return { outcome: 'error', reason: targetErrorCause(errors[0] ?? 'Test timeout exceeded') };
  if (errors.length && errors.every((e) => isTargetError(e))) return { outcome: 'error', reason: targetErrorCause(errors[0]!) };
  return { outcome: 'fail' };
}

/** A rule's verdict from the outcomes of its tests: fail > error > pass > not applicable > not run. */
export function combine(outcomes: readonly Verdict[]): Verdict {
  for (const v of ['fail', 'error', 'pass', 'not-applicable'] as const) if (outcomes.includes(v)) return v;
  return 'not-run';
}
