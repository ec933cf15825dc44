/**
 * Child processes of the mock benchmarks: the servers under test (the mock's CLI, Prism) and the load generators run
 * in their own processes, never on the benchmark's event loop. Every child is tracked and killed when the benchmark
 * ends, fails or is interrupted. Only loopback addresses are used.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const HOST = '127.0.0.1';
export const MOCK_BIN = path.join(ROOT, 'bin', 'em-conformance.mjs');
export const PRISM_BIN = path.join(ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
export const AUTOCANNON_BIN = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
export const SPEC = path.join(ROOT, 'spec', 'openapi.yaml');
export const USER = 'emuser';
export const PASSWORD = 'emuser-password';

const children = new Set<ChildProcess>();
let guardsInstalled = false;

/** Kills every child still running (SIGKILL: used on exit and on signals, where waiting is not possible). */
function killAllNow(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}

function installGuards(): void {
  if (guardsInstalled) return;
  guardsInstalled = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAllNow();
      process.exit(130);
    });
  }
}

/** Spawns a tracked child process (stdout and stderr go to /dev/null unless `capture`). */
export function spawnTracked(cmd: string, args: string[], opts: { capture?: boolean } = {}): ChildProcess {
  installGuards();
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', opts.capture ? 'pipe' : 'ignore', opts.capture ? 'pipe' : 'ignore'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stop(c)));
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200 (bounded by `timeoutMs`); returns the milliseconds since `since`. */
export async function waitFor200(url: string, child: ChildProcess, since: bigint, timeoutMs: number, intervalMs = 10): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${url}: the server exited (${child.exitCode ?? child.signalCode}) before answering`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return Number(process.hrtime.bigint() - since) / 1e6;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${url}: no 200 within ${timeoutMs} ms`);
}

/** Resident set size and its peak (MB) of a running process, from /proc (Linux). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: NaN, peakMb: NaN };
  }
}

let clockTicks: number | undefined;

/** CPU time (user + system, all threads) a running process has used so far, in ms, from /proc (Linux). */
export function cpuMsOf(pid: number): number {
  try {
    clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    // Fields after the command name (which may contain spaces) start at the state, field 3; utime and stime are 14, 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return NaN;
  }
}

/**
 * Milliseconds the process's main thread (the event loop) has spent runnable but waiting for a CPU, from
 * /proc/PID/schedstat (Linux): time lost to other processes, which shows up in tail latencies.
 */
export function runQueueWaitMsOf(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return NaN;
  }
}

export interface Server {
  name: string;
  child: ChildProcess;
  /** Base URL of the API (the mock serves under /api, Prism at the root). */
  base: string;
  port: number;
  /** Milliseconds from spawn to the first 200. */
  startupMs: number;
}

/** Starts the mock's CLI (`em-conformance mock`) in a child process and waits for the first 200 on GET /api/. */
export async function startMockProcess(args: string[] = [], timeoutMs = 180_000): Promise<Server> {
  const port = await freePort();
  const since = process.hrtime.bigint();
  const child = spawnTracked(process.execPath, [MOCK_BIN, 'mock', '--host', HOST, '--port', String(port), ...args]);
  try {
    const startupMs = await waitFor200(`http://${HOST}:${port}/api/`, child, since, timeoutMs);
    return { name: 'mock', child, base: `http://${HOST}:${port}/api`, port, startupMs };
  } catch (err) {
    await stop(child);
    throw err;
  }
}

/**
 * Starts Prism (`prism mock spec/openapi.yaml`) in a child process. Its per-request log is turned down to warnings
 * (the mock logs nothing by default either). Ready when GET / (the spec's entry point) answers 200.
 */
export async function startPrismProcess(timeoutMs = 120_000): Promise<Server> {
  const port = await freePort();
  const since = process.hrtime.bigint();
  const child = spawnTracked(process.execPath, [PRISM_BIN, 'mock', SPEC, '-h', HOST, '-p', String(port), '-v', 'warn']);
  try {
    const startupMs = await waitFor200(`http://${HOST}:${port}/`, child, since, timeoutMs, 50);
    return { name: 'Prism', child, base: `http://${HOST}:${port}`, port, startupMs };
  } catch (err) {
    await stop(child);
    throw err;
  }
}

/** Logs on to the mock (POST /api/sessionMngr/?v=latest, Basic auth) and returns the X-RestSvcSessionId token. */
export async function logon(base: string): Promise<string> {
  const res = await fetch(`${base}/sessionMngr/?v=latest`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
  });
  await res.arrayBuffer();
  const token = res.headers.get('x-restsvcsessionid');
  if (res.status !== 201 || !token) throw new Error(`logon to ${base}: ${res.status}, no token`);
  return token;
}

/** The version of an executable on PATH (first line of `cmd --version`), or undefined when it is not installed. */
export function toolVersion(cmd: string, args = ['--version']): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  if (r.error) return undefined;
  return `${r.stdout}${r.stderr}`.split('\n')[0]?.trim();
}
