/**
 * The embedded Enterprise Manager: `startMock()` starts an HTTP(S) server that speaks EM's REST API at `<url>/api`.
 *
 *   const mock = await startMock({ port: 0 });           // ephemeral port, EM 12 profile, user emuser/emuser-password
 *   const res = await fetch(`${mock.url}/`);              // the EnterpriseManager entry point
 *   await mock.close();
 *
 * The HTTP layer (src/mock/http/) does routing, auth, negotiation, profiles and limits; the domain
 * (src/mock/domain/, loaded when present) serves every other operation through the HandlerTable seam
 * (src/mock/types.ts).
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Credentials, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_USERS, SessionStore, type UserSpec } from './http/auth.ts';
import { getProfile, isProfileName, PROFILE_NAMES, type HttpProfile, type ProfileName } from './http/profiles.ts';
import { Router } from './http/router.ts';
import { createPipeline, DEFAULT_HTTP_LIMITS, installConnectionGuards, type HttpLimits } from './http/server.ts';
import { readTlsFiles, selfSignedCertificate, type TlsMaterial } from './http/tls.ts';
import type { HandlerTable } from './types.ts';
import { createDomain } from './domain/index.ts';
import { findMutant, type Mutant } from './mutants.ts';

export { DEFAULT_USERS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_HTTP_LIMITS, PROFILE_NAMES };
export type { HttpLimits, ProfileName, UserSpec };

export interface MockOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Server generation to imitate (default v12). */
  profile?: ProfileName;
  /** Seed of the generated estate (passed to the domain). */
  seed?: number;
  /** Number of backup sessions to generate (passed to the domain). */
  sessions?: number;
  /** Estate file to load instead of generating one (passed to the domain). */
  data?: string;
  /** How long an action's Task stays Running before it finishes (passed to the domain; default 2 s). */
  taskDurationMs?: number;
  /** HTTPS: true for a self-signed certificate made at start-up, or PEM cert and key (file paths or PEM text). */
  tls?: boolean | { cert: string; key: string };
  /**
   * Accounts: name → password (Portal Administrator), or name → { password, role }. Default: emuser / emuser-password
   * (Portal Administrator) and emoperator / emoperator-password (Restore Operator).
   */
  users?: Record<string, UserSpec>;
  /** The mock's clock (default: the system clock); idle expiry and the domain's "now" follow it. */
  now?: () => Date;
  /** HTTP limits (src/mock/http/server.ts HttpLimits); other keys are passed on to the domain (query limits). */
  limits?: Partial<HttpLimits> & Record<string, unknown>;
  /** An Accept admitting neither XML nor JSON (e.g. text/html alone): served XML (default, like EM) or 406. */
  notAcceptable?: 'xml' | '406';
  /** Idle timeout of logon sessions (default 15 minutes, em-api-notes §1.6). */
  idleTimeoutMs?: number;
  /** Serve these handlers instead of the domain's (tests of the HTTP layer). */
  handlers?: HandlerTable;
  /** Access log, one line per request, tokens and SessionIds redacted. */
  log?: (line: string) => void;
  /** Called with internal errors (bugs); default: one line on stderr without request headers. */
  onInternalError?: (err: unknown, where: string) => void;
  /** Serve with one deliberate deviation (src/mock/mutants.ts), to see the suite catch it. */
  mutant?: string;
}

export interface RunningMock {
  /** Base URL, ending with /api (e.g. http://127.0.0.1:40123/api). */
  url: string;
  port: number;
  profile: HttpProfile;
  /** The clock the mock runs on. */
  clock: () => Date;
  /** Number of open (unexpired) logon sessions. */
  sessions(): number;
  /** The domain's statistics, when it offers them. */
  stats(): unknown;
  /** PEM certificate served (HTTPS only), e.g. to trust it in a client. */
  certificate?: string;
  close(): Promise<void>;
}

interface LoadedDomain {
  handlers: HandlerTable;
  stats?: () => unknown;
}

/** The domain (data, store, handlers) the HTTP layer serves, on the mock's one clock. */
function loadDomain(opts: MockOptions, now: () => Date, mutant: Mutant['domain'] = {}): LoadedDomain {
  const { limits: mutantLimits, ...extra } = mutant;
  const limits = mutantLimits ? { ...opts.limits, ...mutantLimits } : opts.limits;
  return createDomain({
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.sessions !== undefined ? { sessions: opts.sessions } : {}),
    ...(opts.data !== undefined ? { data: opts.data } : {}),
    ...(opts.taskDurationMs !== undefined ? { taskDurationMs: opts.taskDurationMs } : {}),
    ...(limits !== undefined ? { limits } : {}),
    // one clock for idle expiry, task progress and the generated history
    now,
    ...extra,
  });
}

function validateOptions(opts: MockOptions): void {
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port <= 65535)) throw new RangeError(`port must be an integer 0–65535, got ${opts.port}`);
  if (opts.profile !== undefined && !isProfileName(opts.profile)) throw new RangeError(`profile must be one of ${PROFILE_NAMES.join(', ')}, got '${String(opts.profile)}'`);
  if (opts.notAcceptable !== undefined && opts.notAcceptable !== 'xml' && opts.notAcceptable !== '406') throw new RangeError(`notAcceptable must be 'xml' or '406', got '${String(opts.notAcceptable)}'`);
  if (opts.idleTimeoutMs !== undefined && !(opts.idleTimeoutMs > 0)) throw new RangeError(`idleTimeoutMs must be positive, got ${opts.idleTimeoutMs}`);
  for (const [k, v] of Object.entries(opts.limits ?? {})) {
    if (k in DEFAULT_HTTP_LIMITS || k === 'maxConnections') {
      if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new RangeError(`limits.${k} must be a positive number, got ${String(v)}`);
    }
  }
}

function pickHttpLimits(limits: MockOptions['limits']): HttpLimits {
  const out: HttpLimits = { ...DEFAULT_HTTP_LIMITS };
  for (const key of [...Object.keys(DEFAULT_HTTP_LIMITS), 'maxConnections'] as Array<keyof HttpLimits>) {
    const v = limits?.[key];
    if (typeof v === 'number') out[key] = v;
  }
  // node requires headersTimeout <= requestTimeout
  out.headersTimeoutMs = Math.min(out.headersTimeoutMs, out.requestTimeoutMs);
  return out;
}

async function tlsMaterial(tls: MockOptions['tls'], host: string): Promise<TlsMaterial | undefined> {
  if (!tls) return undefined;
  if (tls === true) return selfSignedCertificate(host);
  const pem = (s: string): boolean => s.includes('-----BEGIN');
  if (pem(tls.cert) && pem(tls.key)) return { cert: tls.cert, key: tls.key, selfSigned: false };
  return readTlsFiles(tls.cert, tls.key);
}

export async function startMock(opts: MockOptions = {}): Promise<RunningMock> {
  validateOptions(opts);
  const host = opts.host ?? '127.0.0.1';
  const mutant = opts.mutant ? findMutant(opts.mutant) : undefined;
  const profile = { ...getProfile(opts.profile ?? 'v12'), ...mutant?.profile } as HttpProfile;
  const limits = pickHttpLimits(opts.limits);
  const now = opts.now ?? (() => new Date());
  const credentials = new Credentials(opts.users ?? DEFAULT_USERS);
  // The idle-expiry mutant keeps sessions alive however long they idle.
  const idleTimeoutMs = mutant?.auth?.idleExpiry === false ? Number.MAX_SAFE_INTEGER : (opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  const store = new SessionStore(idleTimeoutMs, limits.maxSessions);
  const domain = opts.handlers ? { handlers: opts.handlers } : loadDomain(opts, now, mutant?.domain);
  const tls = await tlsMaterial(opts.tls, host);

  const pipeline = createPipeline({
    profile,
    handlers: domain?.handlers ?? {},
    router: Router.fromSpec(),
    store,
    credentials,
    now,
    limits,
    tls: !!tls,
    ...(opts.notAcceptable ? { notAcceptable: opts.notAcceptable } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(mutant ? { mutant } : {}),
    onInternalError:
      opts.onInternalError ??
      ((err, where) => {
        const e = err as Error;
        process.stderr.write(`[em-mock] internal error (${where}): ${e?.stack ?? String(err)}\n`);
      }),
  });

  const serverOptions = {
    maxHeaderSize: limits.maxHeaderSize,
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(250, Math.min(1_000, limits.headersTimeoutMs / 4)),
    requireHostHeader: false, // the pipeline answers a missing Host with an Error body instead of node's empty 400
    noDelay: true,
  };
  const server: Server = tls ? createHttpsServer({ ...serverOptions, cert: tls.cert, key: tls.key }, pipeline) : createHttpServer(serverOptions, pipeline);
  if (limits.maxConnections !== undefined) server.maxConnections = limits.maxConnections;
  installConnectionGuards(server, profile);
  if (tls) server.on('tlsClientError', (_err: Error, socket: { destroy(): void }) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ port: opts.port ?? 0, host }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => process.stderr.write(`[em-mock] server error: ${err.message}\n`));

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    url: `${tls ? 'https' : 'http'}://${urlHost}:${port}/api`,
    port,
    profile,
    clock: now,
    sessions: () => store.count(now().getTime()),
    stats: () => domain?.stats?.(),
    ...(tls ? { certificate: tls.cert } : {}),
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
