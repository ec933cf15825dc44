/**
 * Query latency at 10k, 100k and 1M task sessions: the mock's CLI started with `--sessions N` in a child process,
 * then sequential GET /api/query?type=BackupTaskSession&format=Entities&filter=…&sortDesc=…&pageSize=100&page=…
 * requests over one keep-alive connection, with filters varied by a seeded generator. Also start-up time (spawn to
 * the first 200 on GET /api/) and resident memory after start-up and after the query load. Sizes are interleaved
 * within each repetition and medians over the repetitions are reported.
 */
import { Agent, request } from 'node:http';
import { logon, memoryOf, type Server, startMockProcess, stop, stopAll } from './mock-procs.ts';
import { fmt, median, percentile, table } from './stats.ts';

export interface QueryBenchOptions {
  sizes?: number[];
  queries?: number;
  warmup?: number;
  reps?: number;
  seed?: number;
}

function envList(name: string): number[] | undefined {
  const v = process.env[name];
  if (!v) return undefined;
  const list = v.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !(Number.isInteger(n) && n > 0))) throw new Error(`${name} must be a comma-separated list of positive integers, got '${v}'`);
  return list;
}

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`${name} must be a positive integer, got '${v}'`);
  return n;
}

export function queryBenchOptions(): Required<QueryBenchOptions> {
  return {
    sizes: envList('BENCH_SIZES') ?? [10_000, 100_000, 1_000_000],
    queries: envInt('BENCH_QUERIES', 200),
    warmup: envInt('BENCH_QUERY_WARMUP', 20),
    reps: envInt('BENCH_QUERY_REPS', 3),
    seed: 42,
  };
}

/** mulberry32: a small seeded PRNG, so every size and repetition sees the same request mix. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const iso = (ms: number): string => `"${new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')}"`;

/**
 * The request mix: `count` query strings, each a filter + sortDesc + page over BackupTaskSession, with dates drawn
 * inside the 60-day history ending at `now`. Accept alternates between XML and JSON.
 */
export function queryMix(count: number, now: number, seed: number): Array<{ path: string; accept: string }> {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const daysAgo = (lo: number, hi: number): number => now - int(lo * 24, hi * 24) * (DAY_MS / 24);
  const templates: Array<() => { filter: string; sortDesc: string }> = [
    () => ({ filter: `Result>=Warning;CreationTime>=${iso(daysAgo(1, 59))}`, sortDesc: 'CreationTime' }),
    () => ({ filter: `Result==Failed;CreationTime>=${iso(daysAgo(1, 59))}`, sortDesc: 'CreationTime' }),
    () => {
      const from = daysAgo(2, 59);
      return { filter: `CreationTime>=${iso(from)};CreationTime<${iso(from + int(1, 7) * DAY_MS)}`, sortDesc: 'EndTime' };
    },
    () => ({ filter: `(Result==Failed,Result==Warning);TotalSize>${int(1, 200)}000000000`, sortDesc: 'CreationTime' }),
    () => ({ filter: `Result!=Success;CreationTime>=${iso(daysAgo(1, 59))}`, sortDesc: 'TotalSize' }),
    () => ({ filter: `State==Completed;Result>=Warning;EndTime>=${iso(daysAgo(1, 59))}`, sortDesc: 'EndTime' }),
  ];
  const out: Array<{ path: string; accept: string }> = [];
  for (let i = 0; i < count; i++) {
    const { filter, sortDesc } = templates[i % templates.length]!();
    const q = new URLSearchParams({ type: 'BackupTaskSession', format: 'Entities', filter, sortDesc, pageSize: '100', page: String(int(1, 3)) });
    out.push({ path: `/query?${q.toString()}`, accept: i % 2 === 0 ? 'application/xml' : 'application/json' });
  }
  return out;
}

/** One GET over the keep-alive agent; resolves with the status, the size and the time to the last byte. */
function timedGet(agent: Agent, url: URL, headers: Record<string, string>): Promise<{ status: number; bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request(url, { agent, headers, timeout: 30_000 }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url.pathname}: no answer within 30 s`)));
    req.on('error', reject);
    req.end();
  });
}

interface SizeSample {
  startupMs: number;
  rssStartMb: number;
  rssAfterMb: number;
  peakMb: number;
  p50: number;
  p99: number;
  meanBytes: number;
}

async function measureSize(n: number, o: Required<QueryBenchOptions>, rep: number): Promise<SizeSample> {
  let server: Server | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    server = await startMockProcess(['--sessions', String(n), '--seed', String(o.seed)]);
    const pid = server.child.pid!;
    const started = memoryOf(pid);
    const token = await logon(server.base);
    // The mock's history ends at its clock at start-up: the dates of the mix are drawn before that.
    const mix = queryMix(o.warmup + o.queries, Date.now(), o.seed + rep);
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < mix.length; i++) {
      const { path, accept } = mix[i]!;
      const r = await timedGet(agent, new URL(`${server.base}${path}`), { 'X-RestSvcSessionId': token, Accept: accept });
      if (r.status !== 200) throw new Error(`${n} sessions: GET ${path} answered ${r.status}`);
      if (i >= o.warmup) {
        times.push(r.ms);
        bytes += r.bytes;
      }
    }
    const after = memoryOf(pid);
    return {
      startupMs: server.startupMs,
      rssStartMb: started.rssMb,
      rssAfterMb: after.rssMb,
      peakMb: after.peakMb,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      meanBytes: bytes / times.length,
    };
  } finally {
    agent.destroy();
    if (server) await stop(server.child);
  }
}

const nLogN = (n: number): number => n * Math.log2(n);

export async function benchMockQuery(opts: QueryBenchOptions = {}): Promise<string> {
  const o = { ...queryBenchOptions(), ...opts };
  const samples = new Map<number, SizeSample[]>();
  try {
    for (let rep = 0; rep < o.reps; rep++) {
      for (const n of o.sizes) {
        const s = await measureSize(n, o, rep);
        samples.set(n, [...(samples.get(n) ?? []), s]);
        process.stderr.write(
          `  [mock-query] rep ${rep + 1}/${o.reps} ${n}: start ${fmt(s.startupMs, 0)} ms, p50 ${fmt(s.p50, 2)} ms, p99 ${fmt(s.p99, 2)} ms, RSS ${fmt(s.rssStartMb, 0)} → ${fmt(s.rssAfterMb, 0)} MB\n`,
        );
      }
    }
  } finally {
    await stopAll();
  }

  const med = (n: number, f: (s: SizeSample) => number): number => median(samples.get(n)!.map(f));
  const latencyRows: (string | number)[][] = [];
  const memRows: (string | number)[][] = [];
  const verdicts: string[] = [];
  let prev: number | undefined;
  for (const n of o.sizes) {
    const p50 = med(n, (s) => s.p50);
    const growth = prev === undefined ? '' : `${fmt(p50 / med(prev, (s) => s.p50), 2)}x`;
    const bound = prev === undefined ? '' : `${fmt(nLogN(n) / nLogN(prev), 2)}x`;
    latencyRows.push([n.toLocaleString('en-US'), fmt(p50, 2), fmt(med(n, (s) => s.p99), 2), growth, bound, fmt(med(n, (s) => s.meanBytes) / 1024, 1)]);
    memRows.push([n.toLocaleString('en-US'), fmt(med(n, (s) => s.startupMs), 0), fmt(med(n, (s) => s.rssStartMb), 0), fmt(med(n, (s) => s.rssAfterMb), 0), fmt(med(n, (s) => s.peakMb), 0)]);
    if (prev !== undefined) {
      const g = p50 / med(prev, (s) => s.p50);
      const b = nLogN(n) / nLogN(prev);
      verdicts.push(`- growth ${prev.toLocaleString('en-US')} → ${n.toLocaleString('en-US')}: ${fmt(g, 2)}x against n log n ${fmt(b, 2)}x (${g <= b ? 'met' : 'MISSED'})`);
    }
    if (n === 100_000) verdicts.push(`- p50 at 100,000: ${fmt(p50, 2)} ms (target < 20 ms: ${p50 < 20 ? 'met' : 'MISSED'})`);
    if (n === 1_000_000) {
      const rss = Math.max(med(n, (s) => s.rssAfterMb), med(n, (s) => s.peakMb));
      verdicts.push(`- memory at 1,000,000: peak RSS ${fmt(rss, 0)} MB (target < 500 MB: ${rss < 500 ? 'met' : 'MISSED'})`);
    }
    prev = n;
  }
  return [
    `### Query latency (filter + sortDesc + page; ${o.queries} sequential requests after ${o.warmup} warm-up ones, one keep-alive connection; median of ${o.reps} repetitions)`,
    '',
    'GET /api/query?type=BackupTaskSession&format=Entities&filter=…&sortDesc=…&pageSize=100&page=1..3, six filter shapes ' +
      '(e.g. `Result>=Warning;CreationTime>="<date>"`, `(Result==Failed,Result==Warning);TotalSize>…`, a CreationTime range) ' +
      'with dates drawn over the 60-day history, sorted by CreationTime, EndTime or TotalSize; Accept alternates XML/JSON. ' +
      'Latency is measured by the client to the last byte.',
    '',
    table(['task sessions', 'p50 ms', 'p99 ms', 'p50 growth', 'n log n growth', 'mean body KiB'], latencyRows),
    '',
    '### Start-up and memory (the CLI: `em-conformance mock --sessions N`)',
    '',
    table(['task sessions', 'start-up ms (spawn → first 200 on GET /api/)', 'RSS after start-up MB', 'RSS after the queries MB', 'peak RSS MB'], memRows),
    '',
    ...verdicts,
  ].join('\n');
}
