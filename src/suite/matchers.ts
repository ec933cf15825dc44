/** expect.extend matchers that read better than raw assertions and carry redacted evidence in their messages. */
import type { EmResponse } from './client.ts';
import { redact } from './redact.ts';

type MatcherResult = { pass: boolean; message: () => string; name?: string; expected?: unknown; actual?: unknown };

function errorBodyOf(r: EmResponse): Record<string, unknown> | undefined {
  try {
    const body = r.body<Record<string, unknown>>();
    if (r.isJson) return body;
    return r.root === 'Error' ? body : undefined;
  } catch {
    return undefined;
  }
}

export const matchers = {
  /** The response has this status; on failure the message shows the request line and the body. */
  toHaveStatus(r: EmResponse, status: number): MatcherResult {
    const pass = r.status === status;
    return { pass, name: 'toHaveStatus', expected: status, actual: r.status, message: () => redact(`expected status ${pass ? 'not ' : ''}${status}, got ${r.status}\n${r.evidence(1200)}`) };
  },

  /**
   * Every response of a list has this status: one assertion for the requests of a loop (each expect is a reported
   * step with a source-mapped stack, a few tenths of a millisecond of the worker's time); on failure the message
   * names each request that had another status, with the body of the first few.
   */
  toAllHaveStatus(responses: EmResponse[], status: number): MatcherResult {
    const wrong = responses.filter((r) => r.status !== status);
    const pass = wrong.length === 0;
    const shown = wrong.slice(0, 3).map((r) => r.evidence(600));
    const more = wrong.length > shown.length ? `\n… and ${wrong.length - shown.length} more: ${wrong.slice(shown.length).map((r) => `${r.describe()} → ${r.status}`).join('; ')}` : '';
    return {
      pass,
      name: 'toAllHaveStatus',
      message: () => redact(pass ? `expected some of ${responses.length} responses not to have status ${status}` : `expected status ${status} for each of ${responses.length} responses, ${wrong.length} had another:\n${shown.join('\n\n')}${more}`),
    };
  },

  /** EM's Error body in the negotiated format, with StatusCode equal to the HTTP status (em-api-notes §2.3). */
  toBeEmError(r: EmResponse, status: number): MatcherResult {
    const problems: string[] = [];
    if (r.status !== status) problems.push(`status ${r.status}, expected ${status}`);
    const body = errorBodyOf(r);
    if (!body) problems.push(r.isJson ? 'JSON body is not an object' : `root element is <${safe(() => r.root)}>, expected <Error>`);
    else {
      if (typeof body.Message !== 'string' || body.Message === '') problems.push('Error has no Message');
      if (Number(body.StatusCode) !== r.status) problems.push(`Error StatusCode ${String(body.StatusCode)} differs from the HTTP status ${r.status}`);
    }
    const pass = problems.length === 0;
    return { pass, name: 'toBeEmError', message: () => redact(pass ? `expected no EM Error ${status}\n${r.evidence(800)}` : `expected EM's Error body with status ${status}: ${problems.join('; ')}\n${r.evidence(1200)}`) };
  },

  /** Values are in ascending or descending order under `compare`. */
  toBeSortedWith(values: unknown[], dir: 'asc' | 'desc', compare: (a: any, b: any) => number): MatcherResult {
    for (let i = 1; i < values.length; i++) {
      const c = compare(values[i - 1], values[i]);
      if ((dir === 'asc' && c > 0) || (dir === 'desc' && c < 0)) {
        return { pass: false, name: 'toBeSortedWith', message: () => `not sorted ${dir}: item ${i - 1} (${JSON.stringify(values[i - 1])}) comes before item ${i} (${JSON.stringify(values[i])})` };
      }
    }
    return { pass: true, name: 'toBeSortedWith', message: () => `expected values not to be sorted ${dir}` };
  },
};

function safe(fn: () => unknown): string {
  try {
    return String(fn());
  } catch {
    return '?';
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace PlaywrightTest {
    interface Matchers<R> {
      toHaveStatus(status: number): R;
      toAllHaveStatus(status: number): R;
      toBeEmError(status: number): R;
      toBeSortedWith(dir: 'asc' | 'desc', compare: (a: any, b: any) => number): R;
    }
  }
}
