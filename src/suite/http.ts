/**
 * The suite's HTTP transport: undici (Node's own HTTP client) with one keep-alive pool per worker.
 *
 * Why not Playwright's APIRequestContext: every call through it is a reported step with a captured, source-mapped
 * stack and a message to the runner process, which cost more worker CPU than the request itself (a profile of the xml
 * project: about a fifth of the worker's time). The suite keeps its own evidence of every response (fixtures.ts), so
 * the steps add nothing, and undici sends exactly the headers it is given: no cookie jar, so a cookie EM sets on
 * logon never rides along unless a test sends it.
 */
import { Agent, request } from 'undici';
import { TARGET_ERROR_PREFIX } from '../report/classify.ts';

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined by ", ", Set-Cookie lines by "\n" (as Playwright's headers()). */
  headers: Record<string, string>;
  text: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  data?: string;
}

export interface HttpClient {
  fetch(url: string, options?: HttpOptions): Promise<HttpResponse>;
  close(): Promise<void>;
}

function joinHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    out[key] = Array.isArray(value) ? value.join(key === 'set-cookie' ? '\n' : ', ') : value;
  }
  return out;
}

/**
 * A client for the target. `insecure` (EM_TLS_INSECURE=1) accepts any certificate; a private CA (EM_CA_FILE) reaches
 * the TLS defaults through NODE_EXTRA_CA_CERTS, set before the workers start. Redirects are never followed: a 3xx is
 * an answer to check.
 */
export function createHttpClient(opts: { insecure: boolean; timeoutMs: number }): HttpClient {
  const agent = new Agent({
    connect: { rejectUnauthorized: !opts.insecure },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    keepAliveTimeout: 4_000,
  });
  return {
    async fetch(url, options = {}) {
      const method = options.method ?? 'GET';
      try {
        const response = await request(url, {
          method: method as 'GET',
          headers: options.headers ?? {},
          ...(options.data !== undefined ? { body: options.data } : {}),
          dispatcher: agent,
        });
        // bytes decoded as UTF-8 with a byte order mark kept: undici's text() drops it, and a BOM is NEG-007's to
        // report (and counts in Content-Length)
        const text = Buffer.from(await response.body.arrayBuffer()).toString('utf8');
        return { status: response.statusCode, headers: joinHeaders(response.headers), text };
      } catch (err) {
        throw targetError(method, url, err, opts.timeoutMs);
      }
    },
    close: () => agent.close(),
  };
}

/**
 * A request that got no HTTP answer (refused, reset, TLS, timeout) is an error of the target, not a conformance
 * failure: the message carries the prefix the report classifies by (src/report/classify.ts), the request line and
 * the cause (never a header, so never a token or credential).
 */
function targetError(method: string, url: string, err: unknown, timeoutMs: number): Error {
  const e = err as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const timedOut = e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT';
  const cause = timedOut ? `Timeout ${timeoutMs}ms exceeded (no answer)` : [e.message ?? String(err), e.cause?.message].filter(Boolean).join(': ');
  return new Error(`${TARGET_ERROR_PREFIX} ${method} ${url}: ${cause}`, { cause: err });
}
