/** Helpers of the mock HTTP layer's tests: an HTTP client with full control of headers, and a raw-socket client. */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { expect } from 'vitest';
import { validateResponse, validateXml, validateJson } from '../../src/contract/validate.ts';
import type { JsonMapping } from '../../src/contract/json-schema.ts';

export interface Answer {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  raw: Buffer;
}

export const BASIC = (user = 'emuser', password = 'emuser-password'): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** One request through node:http (no keep-alive), any header allowed (Host, Cookie…). */
export function send(
  url: string,
  opts: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer; ca?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      {
        method: opts.method ?? 'GET',
        hostname: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        headers: opts.headers ?? {},
        agent: false,
        ...(opts.ca ? { ca: opts.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: raw.toString('utf8'), raw });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export function header(a: Answer, name: string): string | undefined {
  const v = a.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Logs on and returns the token and the LogonSession's SessionId. */
export async function logon(base: string, opts: { user?: string; password?: string; v?: string } = {}): Promise<{ token: string; sessionId: string; answer: Answer }> {
  const answer = await send(`${base}/sessionMngr/?v=${opts.v ?? 'latest'}`, { method: 'POST', headers: { Authorization: BASIC(opts.user, opts.password), Accept: 'application/json' } });
  expect(answer.status).toBe(201);
  const token = header(answer, 'x-restsvcsessionid')!;
  const sessionId = (JSON.parse(answer.body) as { SessionId: string }).SessionId;
  return { token, sessionId, answer };
}

/** Asserts that a response satisfies the contract for its operation. */
export function expectValid(operationId: string, a: Answer, accept?: string | null, mapping?: JsonMapping): void {
  const violations = validateResponse({ operationId, status: a.status, headers: a.headers, body: a.body, accept: accept ?? null, ...(mapping ? { mapping } : {}) });
  expect(violations.map((v) => v.message)).toEqual([]);
}

/** Asserts an EM Error body with StatusCode = status in the representation (for answers outside any operation). */
export function expectErrorBody(a: Answer, rep: 'xml' | 'json', mapping: JsonMapping = 'strict'): void {
  expect(Number(header(a, 'content-length'))).toBe(a.raw.length);
  if (rep === 'xml') {
    expect(header(a, 'content-type')).toBe('application/xml');
    expect(validateXml(a.body, { expectedRoots: ['Error'] })).toEqual([]);
    expect(a.body).toMatch(new RegExp(`StatusCode="${a.status}"`));
  } else {
    expect(header(a, 'content-type')).toBe('application/json');
    expect(validateJson(a.body, 'Error', { mapping })).toEqual([]);
    expect((JSON.parse(a.body) as { StatusCode: number }).StatusCode).toBe(a.status);
  }
}

// ---------------------------------------------------------------- raw sockets

export interface RawAnswer {
  /** 'answer' when a complete response was read, 'closed' when the server closed/reset without one. */
  kind: 'answer' | 'closed';
  status?: number;
  reason?: string;
  headers: Record<string, string>;
  body: Buffer;
  error?: string;
}

/**
 * Writes raw bytes and reads one HTTP/1.1 response (framed by Content-Length). Fails the test on a hang: no answer
 * and no close within `timeoutMs`.
 */
export function rawRequest(port: number, data: Buffer | string, opts: { timeoutMs?: number; head?: boolean } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (v: RawAnswer | Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const timer = setTimeout(() => finish(new Error(`hang: no answer within ${opts.timeoutMs ?? 10_000} ms`)), opts.timeoutMs ?? 10_000);
    const tryParse = (final: boolean, error?: string): void => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (final) finish({ kind: 'closed', headers: {}, body: buf, ...(error ? { error } : {}) });
        return;
      }
      const head = buf.subarray(0, end).toString('latin1').split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(head[0] ?? '');
      if (!m) return finish(new Error(`not an HTTP response: ${JSON.stringify(head[0])}`));
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) {
          const k = line.slice(0, i).trim().toLowerCase();
          headers[k] = headers[k] !== undefined ? `${headers[k]}, ${line.slice(i + 1).trim()}` : line.slice(i + 1).trim();
        }
      }
      const status = Number(m[1]);
      if (status === 100) {
        buf = buf.subarray(end + 4);
        return tryParse(final, error);
      }
      const length = opts.head || status === 204 || status === 304 ? 0 : Number(headers['content-length'] ?? NaN);
      const body = buf.subarray(end + 4);
      if (Number.isNaN(length)) return finish(new Error(`response without Content-Length: ${head[0]}`));
      if (body.length >= length) return finish({ kind: 'answer', status, reason: m[2] ?? '', headers, body: body.subarray(0, length) });
      if (final) finish(new Error(`truncated response: ${body.length}/${length} bytes`));
    };
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    socket.on('error', (err: NodeJS.ErrnoException) => tryParse(true, err.code ?? err.message));
    socket.on('connect', () => {
      socket.write(data, (err) => {
        if (err) tryParse(true, (err as NodeJS.ErrnoException).code ?? err.message);
      });
    });
  });
}
