/**
 * GET entity throughput: GET /api/backupSessions/{ID}?format=Entity with a valid session token, in XML and in JSON,
 * 50 concurrent keep-alive connections, against the mock's CLI and against Prism 5.14.2 serving the same spec, each
 * server in its own process and the load generator in a third. Fixed duration after a warm-up; mock and Prism are
 * interleaved within each repetition and the medians over the repetitions are reported.
 */
import { loadGenerator, type LoadResult as RawLoadResult } from './mock-load.ts';

interface LoadResult extends RawLoadResult {
  /** Server CPU time (user + system, all threads) per request, µs: a throughput figure other processes' load hardly moves. */
  cpuUsPerRequest?: number;
  /** Server CPU time over wall time: below 1 (100% of a core) the server was waiting, for the scheduler or for requests. */
  cpuShare?: number;
  /** Share of the wall time the server's event-loop thread was runnable but waiting for a CPU (other processes). */
  waitShare?: number;
}
import { cpuMsOf, logon, runQueueWaitMsOf, PRISM_BIN, type Server, startMockProcess, startPrismProcess, stopAll, toolVersion } from './mock-procs.ts';
import { fmt, median, table } from './stats.ts';

export interface HttpBenchOptions {
  connections?: number;
  durationS?: number;
  warmupS?: number;
  reps?: number;
}

const ACCEPTS = ['application/xml', 'application/json'] as const;

function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new Error(`${name} must be a positive number, got '${v}'`);
  return n;
}

export function httpBenchOptions(): Required<HttpBenchOptions> {
  return {
    connections: envNumber('BENCH_CONNECTIONS', 50),
    durationS: envNumber('BENCH_DURATION', 10),
    warmupS: envNumber('BENCH_WARMUP', 2),
    reps: envNumber('BENCH_REPS', 3),
  };
}

/** One sample response (status, size, a body excerpt and Prism's sl-violations header) for the notes. */
async function probe(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; head: string; violations: string | null }> {
  const res = await fetch(url, { headers });
  const body = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(body), head: body.replace(/\s+/g, ' ').slice(0, 160), violations: res.headers.get('sl-violations') };
}

/** A backup session ID of the mock's estate (the first of GET /api/backupSessions). */
async function someSessionId(base: string, token: string): Promise<string> {
  const res = await fetch(`${base}/backupSessions`, { headers: { 'X-RestSvcSessionId': token, Accept: 'application/json' } });
  // EntityReferenceListType in JSON: { "Refs": [ { "UID": … } ] } (no double nesting outside QueryResult).
  const body = (await res.json()) as { Refs?: Array<{ UID?: string }> };
  const uid = body.Refs?.[0]?.UID;
  if (!uid) throw new Error('the mock lists no backup session');
  return uid.slice(uid.lastIndexOf(':') + 1);
}

export async function benchMockHttp(opts: HttpBenchOptions = {}): Promise<string> {
  const o = { ...httpBenchOptions(), ...opts };
  const gen = loadGenerator();
  const samples = new Map<string, LoadResult[]>();
  const key = (server: string, accept: string): string => `${server} ${accept}`;
  let mock: Server | undefined;
  let prism: Server | undefined;
  const notes: string[] = [];
  try {
    mock = await startMockProcess();
    prism = await startPrismProcess();
    const token = await logon(mock.base);
    const id = await someSessionId(mock.base, token);
    const path = `/backupSessions/${id}?format=Entity`;
    const servers = [mock, prism];
    for (const s of servers) {
      for (const accept of ACCEPTS) {
        const p = await probe(`${s.base}${path}`, { 'X-RestSvcSessionId': token, Accept: accept });
        if (p.status !== 200) throw new Error(`${s.name} ${accept}: GET ${path} answered ${p.status}: ${p.head}`);
        notes.push(`- ${s.name}, ${accept}: ${p.status}, ${p.bytes} bytes: \`${p.head.slice(0, 110)}…\`${p.violations ? `; sl-violations: ${summariseViolations(p.violations)}` : ''}`);
      }
    }
    for (let rep = 0; rep < o.reps; rep++) {
      for (const accept of ACCEPTS) {
        // Alternate which server goes first, so that neither always follows the other's load.
        const order = rep % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) {
          const spec = { url: `${s.base}${path}`, headers: { 'X-RestSvcSessionId': token, Accept: accept }, connections: o.connections };
          await gen.run({ ...spec, durationS: o.warmupS });
          const cpuBefore = cpuMsOf(s.child.pid!);
          const waitBefore = runQueueWaitMsOf(s.child.pid!);
          const r: LoadResult = await gen.run({ ...spec, durationS: o.durationS });
          const cpuMs = cpuMsOf(s.child.pid!) - cpuBefore;
          r.cpuUsPerRequest = (cpuMs * 1000) / r.requests;
          r.cpuShare = cpuMs / (r.seconds * 1000);
          r.waitShare = (runQueueWaitMsOf(s.child.pid!) - waitBefore) / (r.seconds * 1000);
          if (r.non2xx || r.errors) throw new Error(`${s.name} ${accept}: ${r.non2xx} non-2xx responses and ${r.errors} errors under load`);
          const k = key(s.name, accept);
          samples.set(k, [...(samples.get(k) ?? []), r]);
          process.stderr.write(`  [mock-http] rep ${rep + 1}/${o.reps} ${k}: ${fmt(r.rps, 0)} req/s, p50 ${fmt(r.p50Ms, 2)} ms, p99 ${fmt(r.p99Ms, 2)} ms, server CPU ${fmt(r.cpuUsPerRequest, 0)} µs/request, ${fmt(100 * r.cpuShare, 0)}% of a core, waited for a CPU ${fmt(100 * r.waitShare, 0)}% of the time\n`);
        }
      }
    }
  } finally {
    await stopAll();
  }

  const rows: (string | number)[][] = [];
  const cpuRows: (string | number)[][] = [];
  const verdicts: string[] = [];
  const range = (xs: number[]): string => `${fmt(Math.min(...xs), 1)}–${fmt(Math.max(...xs), 1)}`;
  for (const accept of ACCEPTS) {
    const m = samples.get(key('mock', accept))!;
    const p = samples.get(key('Prism', accept))!;
    const mRps = median(m.map((r) => r.rps));
    const pRps = median(p.map((r) => r.rps));
    const mP99 = median(m.map((r) => r.p99Ms));
    const ratio = mRps / pRps;
    rows.push([
      accept,
      fmt(mRps, 0),
      fmt(median(m.map((r) => r.p50Ms)), 2),
      `${fmt(mP99, 2)} (${range(m.map((r) => r.p99Ms))})`,
      fmt(pRps, 0),
      fmt(median(p.map((r) => r.p50Ms)), 2),
      `${fmt(median(p.map((r) => r.p99Ms)), 1)} (${range(p.map((r) => r.p99Ms))})`,
      `${fmt(ratio, 1)}x`,
    ]);
    const mCpu = median(m.map((r) => r.cpuUsPerRequest ?? NaN));
    const pCpu = median(p.map((r) => r.cpuUsPerRequest ?? NaN));
    cpuRows.push([
      accept,
      fmt(mCpu, 0),
      `${fmt(100 * median(m.map((r) => r.cpuShare ?? NaN)), 0)}%`,
      `${fmt(100 * median(m.map((r) => r.waitShare ?? NaN)), 0)}%`,
      fmt(pCpu, 0),
      `${fmt(100 * median(p.map((r) => r.cpuShare ?? NaN)), 0)}%`,
      `${fmt(100 * median(p.map((r) => r.waitShare ?? NaN)), 0)}%`,
      `${fmt(pCpu / mCpu, 1)}x`,
    ]);
    verdicts.push(`- ${accept}: mock/Prism ${fmt(ratio, 1)}x (target ≥ 5x: ${ratio >= 5 ? 'met' : 'MISSED'}), mock p99 ${fmt(mP99, 2)} ms (target < 10 ms: ${mP99 < 10 ? 'met' : 'MISSED'})`);
  }
  const prismVersion = toolVersion(process.execPath, [PRISM_BIN, '--version']) ?? '?';
  return [
    `### GET entity, ${o.connections} connections (${gen.name} ${gen.version}; ${o.warmupS} s warm-up + ${o.durationS} s per measurement; median of ${o.reps} interleaved repetitions)`,
    '',
    'GET /backupSessions/{ID}?format=Entity with X-RestSvcSessionId; the mock from its CLI, Prism ' + prismVersion + ' as `prism mock spec/openapi.yaml -v warn`.',
    '',
    table(['Accept', 'mock req/s', 'mock p50 ms', 'mock p99 ms (range)', 'Prism req/s', 'Prism p50 ms', 'Prism p99 ms (range)', 'mock / Prism req/s'], rows),
    '',
    'Server CPU time (user + system, all threads, from /proc/PID/stat) per request and as a share of one core during the measurement, ' +
      'and the share of the time its event-loop thread was runnable but waiting for a CPU (/proc/PID/schedstat: time taken by other processes):',
    '',
    table(['Accept', 'mock CPU µs/request', 'mock CPU share', 'mock waited for a CPU', 'Prism CPU µs/request', 'Prism CPU share', 'Prism waited for a CPU', 'Prism / mock CPU per request'], cpuRows),
    '',
    ...verdicts,
    '',
    'What each answered (one probe before the load):',
    '',
    ...notes,
  ].join('\n');
}

/** Prism's sl-violations header, shortened to its distinct messages. */
function summariseViolations(header: string): string {
  try {
    const list = JSON.parse(header) as Array<{ message: string; location: string[] }>;
    const distinct = [...new Set(list.map((v) => `${v.location.join('.')}: ${v.message}`))];
    return distinct.join('; ');
  } catch {
    return header.slice(0, 200);
  }
}
