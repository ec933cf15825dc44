/**
 * `npm run bench -- mock`: the embedded mock's performance targets (issue 3) in one run.
 *   - mock-http (bench/mock-http.ts): GET entity req/s and p50/p99 with 50 connections, XML and JSON, mock vs Prism.
 *   - mock-query (bench/mock-query.ts): query latency, start-up time and RSS at 10k, 100k and 1M task sessions.
 * Servers and load generators run in child processes, all killed at the end (bench/mock-procs.ts).
 *
 * Environment knobs: BENCH_LOADGEN=wrk|autocannon (default: wrk when installed — `apt-get install wrk` — else the
 * autocannon devDependency), BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2), BENCH_REPS (default 3),
 * BENCH_CONNECTIONS (default 50), BENCH_SIZES (default 10000,100000,1000000), BENCH_QUERIES (default 200),
 * BENCH_QUERY_WARMUP (default 20), BENCH_QUERY_REPS (default 3).
 */
import os from 'node:os';
import { benchMockHttp } from './mock-http.ts';
import { benchMockQuery } from './mock-query.ts';

export { benchMockHttp, benchMockQuery };

/** The machine and its load while a benchmark ran (other work on a shared machine shows in the tail latencies). */
export async function withMachineNote(run: () => Promise<string>): Promise<string> {
  const before = os.loadavg();
  const started = Date.now();
  const out = await run();
  const after = os.loadavg();
  const cpu = os.cpus();
  const note =
    `_${new Date(started).toISOString().slice(0, 10)}, node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ` +
    `load average ${before[0]!.toFixed(1)} before and ${after[0]!.toFixed(1)} after (${Math.round((Date.now() - started) / 1000)} s)._`;
  return `${note}\n\n${out}`;
}

export async function benchMock(): Promise<string> {
  return withMachineNote(async () => [await benchMockHttp(), '', await benchMockQuery()].join('\n'));
}
