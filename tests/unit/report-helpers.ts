/** Helpers of the report tests: the mock's accounts, the suite's environment, merge-reports, and a PNG reader. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { REPO_ROOT } from '../../src/contract/paths.ts';
import type { ConformanceReport } from '../../src/report/report.ts';
import { startMock, type RunningMock } from '../../src/mock/index.ts';
import { runSuite } from './suite-runner.ts';

export const USER = 'report-check';
export const PASSWORD = 'R3port-Pa55-never-in-a-file';
export const USERS = { [USER]: PASSWORD, emoperator: { password: 'emoperator-password', role: 'RestoreOperator' as const } };

/** The suite against a running mock; writes off (the run is then deterministic: no action races a comparison). */
export function suiteEnv(mock: RunningMock, extra: Record<string, string> = {}): Record<string, string> {
  return { EM_URL: mock.url, EM_USER: USER, EM_PASSWORD: PASSWORD, EM_ALLOW_WRITES: '0', EM_RESTRICTED_USER: 'emoperator', EM_RESTRICTED_PASSWORD: 'emoperator-password', ...extra };
}

/** A validator of conformance.json (schemas/conformance-report.schema.json). */
export function reportValidator() {
  const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas', 'conformance-report.schema.json'), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

/**
 * One whole run of the suite against a mutant mock, shared by the test files of one vitest run (the browser test and
 * the shard test read the same reports): the first file to ask runs it, the others wait for it. Files run in forks of
 * one vitest process, so its pid names the run.
 */
export async function sharedMutantRun(mutant: string): Promise<{ reportsDir: string; exitCode: number }> {
  const dir = path.join(os.tmpdir(), `emc-shared-${process.ppid}`);
  mkdirSync(dir, { recursive: true });
  const done = path.join(dir, `${mutant}.json`);
  try {
    mkdirSync(path.join(dir, `${mutant}.lock`));
  } catch {
    const deadline = Date.now() + 600_000;
    while (!existsSync(done)) {
      if (Date.now() > deadline) throw new Error(`gave up waiting for the shared run against ${mutant} (${done})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const result = JSON.parse(readFileSync(done, 'utf8')) as { reportsDir?: string; exitCode?: number; error?: string };
    if (result.error || !result.reportsDir || !existsSync(result.reportsDir)) throw new Error(`the shared run against ${mutant} failed: ${result.error ?? 'no reports'}`);
    return { reportsDir: result.reportsDir, exitCode: result.exitCode ?? -1 };
  }
  try {
    const mock = await startMock({ port: 0, users: USERS, mutant });
    try {
      const run = await runSuite({ env: suiteEnv(mock) });
      writeFileSync(done, JSON.stringify({ reportsDir: run.reportsDir, exitCode: run.exitCode }));
      return { reportsDir: run.reportsDir, exitCode: run.exitCode };
    } finally {
      await mock.close();
    }
  } catch (err) {
    writeFileSync(done, JSON.stringify({ error: String(err) }));
    throw err;
  }
}

export function readReport(reportsDir: string): ConformanceReport {
  return JSON.parse(readFileSync(path.join(reportsDir, 'conformance', 'conformance.json'), 'utf8')) as ConformanceReport;
}

/** Runs a Playwright CLI command in the repository (merge-reports…), returning exit code and output. */
export async function playwright(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<{ code: number; output: string }> {
  const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'playwright'), args, { cwd: REPO_ROOT, env: { ...process.env, CI: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  return { code, output };
}

/** The verdict of every rule, for comparing two reports. */
export function verdicts(report: ConformanceReport): Record<string, string> {
  return Object.fromEntries(report.rules.map((r) => [r.id, r.verdict]));
}

export interface Png {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  pixels: Buffer;
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes for screenshots). */
export function decodePng(file: Buffer): Png {
  if (file.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const data = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      colorType = data[9]!;
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || data[12] !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour type ${colorType}, interlace ${data[12]})`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const channels = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(width * height * 4);
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? line[x - channels]! : 0;
      const b = previous[x]!;
      const c = x >= channels ? previous[x - channels]! : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[x] = (line[x]! + add) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = line[x * channels + k]!;
      out[(y * width + x) * 4 + 3] = channels === 4 ? line[x * channels + 3]! : 255;
    }
    previous = line;
  }
  return { width, height, pixels: out };
}

/** Distinct colours and the share of pixels that differ from the most common one (the background). */
export function colourStats(png: Png): { distinct: number; nonBackground: number } {
  const counts = new Map<number, number>();
  for (let i = 0; i < png.pixels.length; i += 4) {
    const key = png.pixels.readUInt32BE(i);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const background = Math.max(...counts.values());
  const total = png.width * png.height;
  return { distinct: counts.size, nonBackground: (total - background) / total };
}
