/**
 * The mock's HTTP layer: node:http / node:https directly, one request pipeline, no framework.
 *
 *   Host (400) → declared body size (413) → target (400/414) → negotiation (406, opt-in) → route (404/405)
 *   → body read within the limit (413) → token (401) → handler (auth operations here, the rest in the domain) → bytes
 *
 * Every answer the pipeline gives has Content-Type (unless 204) and Content-Length, and every error is EM's Error
 * body in the negotiated representation. Requests node cannot parse (oversized headers, broken syntax, timeouts)
 * reach the `clientError` hook, which still writes an XML Error body before closing the connection.
 */
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { JsonValue } from '../../contract/codec.ts';
import { MockHttpError, type HandlerResult, type HandlerTable, type RequestContext } from '../types.ts';
import { enterpriseManagerBody, logonSessionBody, logonSessionListBody, logonVersion, requestToken, type Credentials, type LogonSession, type SessionStore } from './auth.ts';
import { statusName } from './errors.ts';
import { CONTENT_TYPES, negotiate, serialize, serializeError, type NotAcceptablePolicy, type Representation } from './negotiate.ts';
import { makeDateFormatter, type HttpProfile } from './profiles.ts';
import { parseTarget, truncate, type Router } from './router.ts';
import type { Mutant } from '../mutants.ts';

/** Limits of the HTTP layer (all configurable through startMock's `limits`). */
export interface HttpLimits {
  /** Request line + headers, bytes (node's maxHeaderSize; beyond it: 431). Default 16 KiB. */
  maxHeaderSize: number;
  /** Request body, bytes (beyond it: 413, connection closed). Default 64 KiB. */
  maxBodyBytes: number;
  /** Request target, characters (beyond it: 414). Default 8 KiB. */
  maxUrlLength: number;
  /** Whole request (headers and body) must arrive within this (beyond it: 408). Default 30 s. */
  requestTimeoutMs: number;
  /** Headers must arrive within this (beyond it: 408). Default 10 s. */
  headersTimeoutMs: number;
  /** Idle keep-alive connections are closed after this. Default 5 s. */
  keepAliveTimeoutMs: number;
  /** An asynchronous handler that has not answered after this gets a 500 (a domain bug, never input). Default 30 s. */
  handlerTimeoutMs: number;
  /** Open logon sessions kept at most (the least recently used go first). Default 10000. */
  maxSessions: number;
  /** Concurrent connections (node's server.maxConnections; beyond it new sockets are closed). Default unlimited. */
  maxConnections?: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxHeaderSize: 16 * 1024,
  maxBodyBytes: 64 * 1024,
  maxUrlLength: 8 * 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  handlerTimeoutMs: 30_000,
  maxSessions: 10_000,
});

export interface PipelineConfig {
  profile: HttpProfile;
  handlers: HandlerTable;
  router: Router;
  store: SessionStore;
  credentials: Credentials;
  now: () => Date;
  limits: HttpLimits;
  tls: boolean;
  /** Accept admitting neither XML nor JSON: XML (default, like EM) or 406. */
  notAcceptable?: NotAcceptablePolicy;
  /** Access log, one line per request (tokens and SessionIds redacted). */
  log?: (line: string) => void;
  /** Internal errors (bugs): the error and the operation; never request headers. */
  onInternalError?: (err: unknown, where: string) => void;
  /** A deliberate deviation from one rule (src/mock/mutants.ts), for measuring what the suite catches. */
  mutant?: Mutant;
}

/** Operations served without a logon session. */
const PUBLIC_OPERATIONS = new Set(['getEnterpriseManager', 'createLogonSession']);

// CHOICE: the 401 of a missing/unknown/expired token carries no WWW-Authenticate. The challenge belongs to the logon
// resource, whose scheme is Basic; other resources take the session token, which is no HTTP authentication scheme,
// and advertising Basic there would invite clients to retry the same request with Basic credentials (em-api-notes §9:
// whether EM accepts Basic on GETs is UNKNOWN; the mock does not).
const TOKEN_MISSING = 'The authorization header has been expected but not found (or found but is expired).';

const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

class Reply {
  constructor(
    readonly status: number,
    readonly headers: OutgoingHttpHeaders,
    readonly body: Buffer | null,
    readonly isError: boolean,
    /** Sent with chunked transfer coding instead of Content-Length (only a mutant asks for it). */
    readonly chunked = false,
  ) {}
}

export function createPipeline(cfg: PipelineConfig): (req: IncomingMessage, res: ServerResponse) => void {
  const formatDate = makeDateFormatter(cfg.profile);
  const limits = cfg.limits;

  const errorReply = (rep: Representation, err: MockHttpError): Reply => {
    const body = serializeError(rep, err.status, err.message, cfg.profile);
    return new Reply(err.status, { ...err.headers, 'Content-Type': CONTENT_TYPES[rep] }, body, true);
  };

  const internalError = (rep: Representation, err: unknown, where: string): Reply => {
    try {
      cfg.onInternalError?.(err, where);
    } catch {
      /* a broken logger must not break the answer */
    }
    return errorReply(rep, new MockHttpError(500, 'An internal error occurred in the mock server.'));
  };

  const baseUrlOf = (req: IncomingMessage): string => {
    let proto = cfg.tls ? 'https' : 'http';
    // CHOICE: X-Forwarded-Proto and X-Forwarded-Host are honoured (first value, when well-formed), so that Hrefs
    // work behind a proxy; the mock is a test tool and trusts them.
    const fp = headerValue(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim().toLowerCase();
    if (fp === 'http' || fp === 'https') proto = fp;
    const fh = headerValue(req.headers['x-forwarded-host'])?.split(',')[0]?.trim();
    let host = fh && HOST_RE.test(fh) ? fh : req.headers.host;
    if (!host) {
      const sock = req.socket;
      const addr = sock.localAddress ?? '127.0.0.1';
      host = `${addr.includes(':') ? `[${addr}]` : addr}:${sock.localPort ?? 0}`;
    }
    return `${proto}://${host}/api`;
  };

  const run = async (req: IncomingMessage, rep: Representation | null): Promise<Reply> => {
    const method = req.method ?? 'GET';
    const host = req.headers.host;
    if (host === undefined ? req.httpVersionMajor === 1 && req.httpVersionMinor >= 1 : !HOST_RE.test(host)) {
      throw new MockHttpError(400, 'The request has a missing or invalid Host header.');
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limits.maxBodyBytes) throw new BodyError(413, `The request body is larger than ${limits.maxBodyBytes} bytes.`);
    const target = parseTarget(req.url ?? '/', limits.maxUrlLength);
    if (rep === null) throw new MockHttpError(406, 'The Accept header admits neither application/xml nor application/json.');
    const match = cfg.router.match(method, target.segments);
    if (match.kind === 'none') throw new MockHttpError(404, `The resource '/api/${truncate(target.segments.join('/'), 200)}' was not found.`);
    if (match.kind === 'method') {
      throw new MockHttpError(405, `The method '${truncate(method, 20)}' is not allowed for this resource. Allowed: ${match.allow.join(', ')}.`, { Allow: match.allow.join(', ') });
    }
    await consumeBody(req, limits.maxBodyBytes);

    const op = match.operation;
    const now = cfg.now();
    const nowMs = now.getTime();
    let session: LogonSession | undefined;
    if (!PUBLIC_OPERATIONS.has(op.operationId)) {
      // The header-wins mutant reads the header before the cookie.
      const headers = req.headers as { cookie?: string };
      const token = cfg.mutant?.auth?.headerWins ? (requestToken({ 'x-restsvcsessionid': req.headers['x-restsvcsessionid'] }) ?? requestToken(headers)) : requestToken(headers);
      session = token ? cfg.store.authenticate(token, nowMs) : undefined;
      if (!session) throw new MockHttpError(401, TOKEN_MISSING);
    }
    const base = baseUrlOf(req);
    const result = await dispatch(op.operationId, match.params, target.query, base, now, session, req);
    return toReply(cfg.mutant?.result ? cfg.mutant.result(op.operationId, result, { query: target.query, method }) : result, rep);
  };

  const dispatch = async (
    operationId: string,
    params: Record<string, string>,
    query: URLSearchParams,
    base: string,
    now: Date,
    session: LogonSession | undefined,
    req: IncomingMessage,
  ): Promise<HandlerResult> => {
    const nowMs = now.getTime();
    switch (operationId) {
      case 'getEnterpriseManager':
        return { status: 200, root: 'EnterpriseManager', body: enterpriseManagerBody(base, cfg.profile) };
      case 'createLogonSession': {
        const version = logonVersion(query, cfg.profile);
        const user = cfg.credentials.check(headerValue(req.headers.authorization));
        const s = cfg.store.create(user, version, nowMs);
        return {
          status: 201,
          root: 'LogonSession',
          body: logonSessionBody(base, s),
          headers: { 'X-RestSvcSessionId': s.token, 'Set-Cookie': `X-RestSvcSessionId=${s.token}; Path=/api`, Location: `${base}/logonSessions/${s.id}` },
        };
      }
      case 'listLogonSessions': {
        // CHOICE: a caller sees only its own user's sessions, its own first (surfer190/veeam logs off
        // `LogonSessions[0]`, em-api-notes §7.4), then the others oldest first.
        const own = session!;
        const others = cfg.store.ofUser(own.userName, nowMs).filter((s) => s.id !== own.id);
        return { status: 200, root: 'LogonSessions', body: logonSessionListBody(base, [own, ...others]) };
      }
      case 'getLogonSession':
      case 'deleteLogonSession': {
        const target = cfg.store.get(params.ID ?? '', nowMs);
        // CHOICE: another user's session is indistinguishable from an unknown one (404).
        if (!target || target.userName !== session!.userName) throw new MockHttpError(404, 'The logon session was not found.');
        if (operationId === 'getLogonSession') return { status: 200, root: 'LogonSession', body: logonSessionBody(base, target) };
        if (!cfg.mutant?.auth?.keepOnLogoff) cfg.store.delete(target);
        return { status: 204 };
      }
    }
    const handler = cfg.handlers[operationId];
    if (!handler) throw new MockHttpError(501, `The operation '${operationId}' is not implemented by the mock.`);
    const ctx: RequestContext = {
      operationId,
      params,
      query,
      baseUrl: base,
      now: cfg.now,
      profile: cfg.profile,
      formatDate,
      logonSessionId: session?.id ?? '',
      ...(session ? { user: { name: session.userName, role: session.role } } : {}),
    };
    const out = handler(ctx);
    return isPromise(out) ? withTimeout(out, limits.handlerTimeoutMs, operationId) : out;
  };

  const toReply = (result: HandlerResult, rep: Representation): Reply => {
    const headers: OutgoingHttpHeaders = { ...result.headers };
    if (result.status === 204 || result.body === undefined) return new Reply(result.status, headers, null, false);
    if (!result.root) throw new Error(`handler answered ${result.status} with a body but no root element`);
    headers['Content-Type'] = CONTENT_TYPES[rep];
    return new Reply(result.status, headers, serialize(rep, result.root, result.body as JsonValue, cfg.profile), result.status >= 400);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = cfg.log ? performance.now() : 0;
    if (cfg.mutant?.request) {
      const target = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
      cfg.mutant.request(target);
      req.url = target.url;
    }
    const negotiated = negotiate(headerValue(req.headers.accept));
    const rep = negotiated ?? (cfg.notAcceptable === '406' ? null : 'xml');
    const errRep: Representation = rep ?? 'xml';
    let reply: Reply;
    try {
      reply = await run(req, rep);
    } catch (err) {
      if (err instanceof MockHttpError) {
        // The domain may throw 5xx deliberately (e.g. 501); anything under 400 thrown as an error is a bug.
        reply = err.status >= 400 && err.status <= 599 ? errorReply(errRep, err) : internalError(errRep, err, req.method ?? '');
      } else if (err instanceof BodyError) {
        reply = errorReply(errRep, new MockHttpError(err.status, err.message, { Connection: 'close' }));
        lingerOnClose(req.socket);
      } else if (err instanceof ClientGone) {
        return;
      } else {
        reply = internalError(errRep, err, `${req.method ?? ''} ${redact(req.url ?? '')}`);
      }
    }
    if (cfg.mutant?.wire) {
      const wire = { status: reply.status, headers: reply.headers, body: reply.body, chunked: false };
      cfg.mutant.wire(wire, { method: req.method ?? 'GET', url: req.url ?? '/' });
      reply = new Reply(wire.status, wire.headers, wire.body, reply.isError, wire.chunked);
    }
    write(req, res, reply);
    if (cfg.log) cfg.log(`${req.method ?? '-'} ${truncate(redact(req.url ?? ''), 300)} ${reply.status} ${(performance.now() - started).toFixed(1)}ms`);
  };

  return (req, res) => {
    req.on('error', noop);
    res.on('error', noop);
    handle(req, res).catch((err) => {
      // Only reachable if writing the answer itself failed.
      try {
        cfg.onInternalError?.(err, 'response');
      } catch {
        /* ignore */
      }
      if (!res.headersSent) res.destroy();
    });
  };
}

function write(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed || req.socket.destroyed) return;
  const headers = reply.headers;
  if (reply.chunked && reply.body) {
    delete headers['Content-Length'];
    headers['Transfer-Encoding'] = 'chunked';
  }
  else headers['Content-Length'] = reply.body ? reply.body.length : 0;
  if (reply.isError) res.writeHead(reply.status, statusName(reply.status), headers);
  else res.writeHead(reply.status, headers);
  if (reply.body && req.method !== 'HEAD') res.end(reply.body);
  else res.end();
}

function noop(): void {}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown })?.then === 'function';
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`handler ${what} did not answer within ${ms} ms`)), ms);
        timer.unref();
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Removes what identifies a logon session from a URL before it is logged (`/logonSessions/{SessionId}`). */
export function redact(url: string): string {
  return url.replace(/(\/logonsessions\/)[^/?#]*/gi, '$1<redacted>');
}

// ---------------------------------------------------------------- request bodies

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class ClientGone extends Error {}

/**
 * Reads and discards a request body within the limit (no operation of the contract takes one: a logon's LoginSpec
 * and stray bodies on GET are ignored). A declared length over the limit is refused before reading.
 */
function consumeBody(req: IncomingMessage, max: number): Promise<void> | void {
  const te = req.headers['transfer-encoding'];
  const cl = req.headers['content-length'];
  if (te === undefined && (cl === undefined || cl === '0')) return;
  if (cl !== undefined && Number(cl) > max) throw new BodyError(413, `The request body is larger than ${max} bytes.`);
  if (req.complete) return;
  return new Promise<void>((resolve, reject) => {
    let seen = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > max) {
        cleanup();
        req.resume(); // discard the rest while the 413 goes out
        reject(new BodyError(413, `The request body is larger than ${max} bytes.`));
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => {
      cleanup();
      if (req.complete) resolve();
      else reject(new ClientGone());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}

/**
 * Closes a connection gently after an early answer (413 while the client may still be sending its body): half-close
 * our side, keep reading and discarding for a while, then close. Closing a socket with unread input makes the kernel
 * send RST, and the client could lose the 413 before reading it ("lingering close").
 */
function lingerOnClose(socket: Socket, ms = 2_000, maxBytes = 8 * 1024 * 1024): void {
  const s = socket as Socket & { destroySoon?: () => void };
  s.destroySoon = () => {
    if (s.destroyed) return;
    s.end();
    let seen = 0;
    const timer = setTimeout(() => s.destroy(), ms);
    timer.unref();
    s.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) s.destroy();
    });
    s.once('end', () => s.destroy());
    s.once('close', () => clearTimeout(timer));
    s.resume();
  };
}

// ---------------------------------------------------------------- connection-level answers

/** A complete HTTP/1.1 error response with an XML Error body, for answers written straight to the socket. */
export function rawErrorResponse(status: number, message: string, profile: HttpProfile, extraHeaders: string[] = []): Buffer {
  const body = serializeError('xml', status, message, profile);
  const head = [`HTTP/1.1 ${status} ${statusName(status)}`, `Content-Type: ${CONTENT_TYPES.xml}`, `Content-Length: ${body.length}`, ...extraHeaders, 'Connection: close', '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * Answers what node rejects before a request exists: 431 for oversized headers, 408 for timeouts, 413 for oversized
 * chunk extensions, 405 for an unknown method token, 400 for the rest; an Error body in XML (no Accept was parsed),
 * then the connection closes.
 */
export function installConnectionGuards(server: Server, profile: HttpProfile): void {
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    const msg = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || msg?.headersSent) {
      socket.destroy();
      return;
    }
    let status = 400;
    let message = 'The request could not be parsed.';
    switch (err.code) {
      case 'HPE_HEADER_OVERFLOW':
        status = 431;
        message = 'The request headers are too large.';
        break;
      case 'ERR_HTTP_REQUEST_TIMEOUT':
        status = 408;
        message = 'The request was not received in time.';
        break;
      case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
        status = 413;
        message = 'The request chunk extensions are too large.';
        break;
      case 'HPE_INVALID_METHOD':
        if (err.rawPacket && /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32} /.test(err.rawPacket.subarray(0, 40).toString('latin1'))) {
          status = 405;
          message = 'The method is not allowed.';
        }
        break;
    }
    socket.end(rawErrorResponse(status, message, profile));
    socket.destroySoon?.();
  });
  // CONNECT is not a method of this API: answer 405 instead of node's silent close.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.on('error', noop);
    socket.end(rawErrorResponse(405, "The method 'CONNECT' is not allowed.", profile));
  });
}
