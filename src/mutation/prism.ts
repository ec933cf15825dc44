/**
 * A mock written elsewhere, to certify: Stoplight Prism (devDependency @stoplight/prism-cli) mocking our contract,
 * `prism mock spec/openapi.yaml`. Prism serves the spec's paths at its root, while EM (and the suite's EM_URL) has them
 * under /api, so a pass-through proxy mounts Prism at /api: it strips the prefix from the request path and changes
 * nothing else (method, headers, body and the whole answer go through as they are).
 *
 *   npx tsx src/mutation/prism.ts                 Prism at http://127.0.0.1:<port>/api until Ctrl+C
 *   npx tsx src/mutation/prism.ts --certify DIR   …then `em-conformance certify` against it, certificate in DIR
 *
 * docs/prism-certification.md records what the certificate says and why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../contract/paths.ts';
import { runIfScript } from '../cli/script.ts';

const PRISM_BIN = path.join(REPO_ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
const HOST = '127.0.0.1';

export interface RunningPrism {
  /** Base URL of the API as the suite sees it, ending in /api. */
  url: string;
  /** Prism's own address (the spec's paths at its root). */
  prismUrl: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPrism(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr?.on('data', (d) => (output = (output + d).slice(-4000)));
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prism exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`prism did not answer ${url} within ${timeoutMs} ms:\n${output}`);
}

/** Starts `prism mock spec/openapi.yaml` and a proxy mounting it at /api. */
export async function startPrism(opts: { port?: number } = {}): Promise<RunningPrism> {
  const prismPort = await freePort();
  const child = spawn(process.execPath, [PRISM_BIN, 'mock', path.join(REPO_ROOT, 'spec', 'openapi.yaml'), '-h', HOST, '-p', String(prismPort), '-v', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prismUrl = `http://${HOST}:${prismPort}`;
  try {
    await waitForPrism(`${prismUrl}/`, child, 120_000);
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  const proxy: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const stripped = url.replace(/^\/api(?=\/|\?|$)/, '') || '/';
    const target = stripped.startsWith('/') ? stripped : `/${stripped}`;
    const upstream = request({ host: HOST, port: prismPort, method: req.method, path: target, headers: { ...req.headers, host: `${HOST}:${prismPort}` } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
      up.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(opts.port ?? 0, HOST, resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}/api`,
    prismUrl,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      child.kill('SIGTERM');
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { certify: { type: 'string' }, port: { type: 'string' } } });
  const prism = await startPrism(values.port ? { port: Number(values.port) } : {});
  console.error(`prism mock spec/openapi.yaml at ${prism.prismUrl}, mounted at ${prism.url}`);
  if (!values.certify) {
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await prism.close();
    return 0;
  }
  // Prism checks no password: any account will do. Writes are allowed (nothing real behind it).
  const args = [path.join(REPO_ROOT, 'bin', 'em-conformance.mjs'), 'certify', '--url', prism.url, '--out', values.certify, '--user', 'prism-user', '--password', 'prism-password', '--allow-writes', '--restricted-user', 'prism-operator', '--restricted-password', 'prism-operator-password', '--waive', 'AUTH-008'];
  const code = await new Promise<number>((resolve) => {
    const c = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: 'inherit' });
    c.on('close', (n) => resolve(n ?? 1));
  });
  await prism.close();
  try {
    console.log(summarise(path.join(values.certify, 'run', 'conformance', 'conformance.json')));
  } catch (err) {
    console.error(`no conformance report to summarise: ${(err as Error).message}`);
  }
  return code;
}

interface ReportRule {
  id: string;
  family: string;
  verdict: string;
  byProject: Record<string, string>;
}
interface ReportFailure {
  kind: string;
  title: string;
  project: string;
  rules: string[];
  items: Array<{ message?: string; expected?: unknown; actual?: unknown }>;
}

/** Verdicts per family and, per failed rule, the first piece of evidence (for docs/prism-certification.md). */
export function summarise(file: string): string {
  const report = JSON.parse(readFileSync(file, 'utf8')) as { summary: Record<string, number>; rules: ReportRule[]; failures: ReportFailure[] };
  const out = [`summary: ${JSON.stringify(report.summary)}`, '', 'family     pass fail error n/a not-run'];
  const families = [...new Set(report.rules.map((r) => r.family))];
  for (const f of families) {
    const rs = report.rules.filter((r) => r.family === f);
    const n = (v: string) => rs.filter((r) => r.verdict === v).length;
    out.push(`${f.padEnd(10)} ${String(n('pass')).padStart(4)} ${String(n('fail')).padStart(4)} ${String(n('error')).padStart(5)} ${String(n('not-applicable')).padStart(3)} ${String(n('not-run')).padStart(7)}   passing: ${rs.filter((r) => r.verdict === 'pass').map((r) => r.id).join(', ') || '—'}`);
  }
  out.push('');
  const clip = (v: unknown) => String(v ?? '').replace(/\s+/g, ' ').slice(0, 240);
  for (const r of report.rules) {
    if (r.verdict !== 'fail' && r.verdict !== 'error') continue;
    const f = report.failures.find((x) => x.rules.includes(r.id) && x.kind === r.verdict) ?? report.failures.find((x) => x.rules.includes(r.id));
    const item = f?.items[0];
    out.push(`${r.id} ${r.verdict} ${JSON.stringify(r.byProject)} — [${f?.project ?? '?'}] ${f?.title ?? '?'}: ${clip(item?.message)}${item?.expected !== undefined ? ` | expected ${clip(item.expected)} | actual ${clip(item.actual)}` : ''}`);
  }
  return out.join('\n');
}

runIfScript(import.meta.url, main);
