/**
 * Load generators of the mock benchmarks, each in its own process: wrk (Debian's package, C, one thread: used when
 * installed, `apt-get install wrk`) or autocannon (npm, a devDependency: the fallback, always available). Both keep
 * `connections` keep-alive connections busy for a fixed duration and report requests/s and latency percentiles.
 * BENCH_LOADGEN=wrk|autocannon forces one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AUTOCANNON_BIN, spawnTracked, stop, toolVersion } from './mock-procs.ts';

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses with a status other than 2xx/3xx. */
  non2xx: number;
  /** Connect, read, write errors and time-outs. */
  errors: number;
}

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationS: number;
}

export interface LoadGenerator {
  name: string;
  version: string;
  run(spec: LoadSpec): Promise<LoadResult>;
}

/** Runs a tracked child to completion and returns its stdout (bounded by `timeoutMs`). */
async function runChild(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  const child = spawnTracked(cmd, args, { capture: true });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const timer = setTimeout(() => void stop(child, 1000), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${path.basename(cmd)} exited with ${code}: ${err.slice(0, 500)}`);
  return out;
}

// wrk's Lua hook: one JSON line with the totals and the latency percentiles (microseconds).
const WRK_SCRIPT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\n{"requests":%d,"duration_us":%d,"non2xx":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

function wrkGenerator(version: string): LoadGenerator {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'emc-wrk-'));
  const script = path.join(dir, 'report.lua');
  writeFileSync(script, WRK_SCRIPT);
  return {
    name: 'wrk',
    version,
    async run(spec) {
      const args = ['-t1', `-c${spec.connections}`, `-d${spec.durationS}s`, '--timeout', '5s', '-s', script];
      for (const [k, v] of Object.entries(spec.headers)) args.push('-H', `${k}: ${v}`);
      args.push(spec.url);
      const out = await runChild('wrk', args, (spec.durationS + 30) * 1000);
      const line = out.split('\n').reverse().find((l) => l.startsWith('{"requests"'));
      if (!line) throw new Error(`wrk printed no summary: ${out.slice(0, 500)}`);
      const j = JSON.parse(line) as { requests: number; duration_us: number; non2xx: number; errors: number; p50_us: number; p99_us: number };
      const seconds = j.duration_us / 1e6;
      return { requests: j.requests, seconds, rps: j.requests / seconds, p50Ms: j.p50_us / 1000, p99Ms: j.p99_us / 1000, non2xx: j.non2xx, errors: j.errors };
    },
  };
}

function autocannonGenerator(): LoadGenerator {
  return {
    name: 'autocannon',
    version: toolVersion(process.execPath, [AUTOCANNON_BIN, '--version'])?.replace(/^autocannon\s*/, '') ?? '?',
    async run(spec) {
      const args = [AUTOCANNON_BIN, '-c', String(spec.connections), '-d', String(spec.durationS), '-j', '-n'];
      for (const [k, v] of Object.entries(spec.headers)) args.push('-H', `${k}=${v}`);
      args.push(spec.url);
      const out = await runChild(process.execPath, args, (spec.durationS + 30) * 1000);
      const line = out.split('\n').reverse().find((l) => l.trim().startsWith('{'));
      if (!line) throw new Error(`autocannon printed no JSON: ${out.slice(0, 500)}`);
      const j = JSON.parse(line) as {
        requests: { total: number };
        duration: number;
        latency: { p50: number; p99: number };
        non2xx: number;
        errors: number;
        timeouts: number;
      };
      return {
        requests: j.requests.total,
        seconds: j.duration,
        rps: j.requests.total / j.duration,
        p50Ms: j.latency.p50,
        p99Ms: j.latency.p99,
        non2xx: j.non2xx,
        errors: j.errors + j.timeouts,
      };
    },
  };
}

/** wrk when installed (unless BENCH_LOADGEN says otherwise), else autocannon. */
export function loadGenerator(): LoadGenerator {
  const wanted = process.env.BENCH_LOADGEN;
  if (wanted && wanted !== 'wrk' && wanted !== 'autocannon') throw new Error(`BENCH_LOADGEN must be wrk or autocannon, got '${wanted}'`);
  const wrk = wanted === 'autocannon' ? undefined : toolVersion('wrk', ['-v']);
  if (wanted === 'wrk' && !wrk) throw new Error('BENCH_LOADGEN=wrk but wrk is not installed (apt-get install wrk)');
  return wrk ? wrkGenerator(wrk.replace(/^wrk\s*/, '').replace(/\s*\[.*$/, '')) : autocannonGenerator();
}
