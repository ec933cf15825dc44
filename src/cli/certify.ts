/**
 * `em-conformance certify --url URL [--out DIR] [options]`: runs the conformance suite against a server and writes
 * certificate.json and certificate.html into DIR (default reports/certificate), with the run's reports under DIR/run/.
 * Exit code 0 only when certified, 1 when not, 2 on a usage error. Credentials come from the options or from
 * EM_USER / EM_PASSWORD (and EM_RESTRICTED_USER / EM_RESTRICTED_PASSWORD) in the environment or the repository's
 * .env; they are never printed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseDotenv } from 'dotenv';
import { REPO_ROOT } from '../contract/paths.ts';
import { loadRules } from '../contract/rules.ts';
import { certify, renderCertificateHtml, type Certificate } from '../report/certificate.ts';
import type { ConformanceReport } from '../report/report.ts';
import { scrub } from '../report/scrub.ts';
import { ConfigError, configSecrets, loadConfig } from '../suite/config.ts';
import { registerSecret } from '../suite/redact.ts';
import { UsageError } from './main.ts';

export const CERTIFY_USAGE =
  'certify --url URL [--out DIR] [--user U --password P] [--allow-writes] [--restricted-user U --restricted-password P] [--waive RULE]… [--ca-file F | --tls-insecure] [--idle-test] [--quiet]   run the suite and write a certificate';

const HELP = `usage: em-conformance certify --url URL [options]

Runs the conformance suite against URL and writes certificate.json and certificate.html into --out (default
reports/certificate; the run's reports go to <out>/run/). Exit code: 0 certified, 1 not certified, 2 usage error.

  --url URL                  base URL of the EM REST API, ending in /api (required)
  --out DIR                  folder of the certificate (default reports/certificate)
  --user U, --password P     the account (default: EM_USER, EM_PASSWORD from the environment or .env)
  --api-version V            version to log on with: latest (default) or v1_N
  --allow-writes             run the action rules (they start and stop jobs): needed to certify the ACT rules
  --restricted-user U, --restricted-password P
                             an account without the Portal Administrator role, for the 403 rule
                             (default: EM_RESTRICTED_USER, EM_RESTRICTED_PASSWORD)
  --waive RULE               accept a rule left not applicable by configuration (e.g. AUTH-008, the 15-minute idle
                             test); repeatable; listed on the certificate. Rules lacking data cannot be waived.
  --idle-test                run the 15-minute idle-expiry test (AUTH-008) instead of waiving it
  --ca-file F                trust this CA (PEM)
  --tls-insecure             do not verify the certificate (shown on the certificate)
  --json-mapping M           strict (default) or omit-absent (EM 9.5 U4)
  --max-items N              crawl budget per worker and representation (default 300)
  --timeout-ms N             per-request timeout (default 30000)
  --workers N                parallel workers (default 2)
  --grep PATTERN             run only the tests matching PATTERN (the other rules are then not run: no certificate)
  --quiet                    do not show the suite's progress

Certify the embedded mock:
  npx em-conformance mock --port 9398 &
  npx em-conformance certify --url http://127.0.0.1:9398/api --user emuser --password emuser-password \\
    --allow-writes --restricted-user emoperator --restricted-password emoperator-password --waive AUTH-008`;

export interface CertifyOptions {
  url: string;
  out: string;
  env: Record<string, string>;
  waive: string[];
  grep?: string;
  workers?: string;
  quiet: boolean;
}

function positive(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new UsageError(`--${name} must be a positive whole number, got '${value}'`);
  return value;
}

/** Option names for the environment variables the suite's configuration names in its problems. */
const OPTION_OF: Record<string, string> = {
  EM_URL: '--url',
  EM_USER: '--user',
  EM_PASSWORD: '--password',
  EM_API_VERSION: '--api-version',
  EM_CA_FILE: '--ca-file',
  EM_JSON_MAPPING: '--json-mapping',
  EM_RESTRICTED_USER: '--restricted-user',
  EM_RESTRICTED_PASSWORD: '--restricted-password',
  EM_MAX_ITEMS: '--max-items',
  EM_TIMEOUT_MS: '--timeout-ms',
};

/** Options of a suite run, shared with upgrade-check (src/cli/compare.ts), which runs the suite twice. */
export const SUITE_RUN_OPTIONS = {
  user: { type: 'string' },
  password: { type: 'string' },
  'api-version': { type: 'string' },
  'allow-writes': { type: 'boolean' },
  'restricted-user': { type: 'string' },
  'restricted-password': { type: 'string' },
  'ca-file': { type: 'string' },
  'tls-insecure': { type: 'boolean' },
  'json-mapping': { type: 'string' },
  'max-items': { type: 'string' },
  'timeout-ms': { type: 'string' },
  workers: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseCertifyArgs(args: string[], env: NodeJS.ProcessEnv = process.env): CertifyOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        ...SUITE_RUN_OPTIONS,
        url: { type: 'string' },
        out: { type: 'string' },
        waive: { type: 'string', multiple: true },
        'idle-test': { type: 'boolean' },
        grep: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (!v.url) throw new UsageError('missing --url (the base URL of the EM REST API, e.g. https://em.example.local:9398/api)');
  const user = v.user ?? env.EM_USER;
  const password = v.password ?? env.EM_PASSWORD;
  if (!user) throw new UsageError('missing --user (or EM_USER in the environment)');
  if (!password) throw new UsageError('missing --password (or EM_PASSWORD in the environment)');
  const restrictedUser = v['restricted-user'] ?? env.EM_RESTRICTED_USER;
  const restrictedPassword = v['restricted-password'] ?? env.EM_RESTRICTED_PASSWORD;
  if (restrictedUser && !restrictedPassword) throw new UsageError('--restricted-user needs --restricted-password (or EM_RESTRICTED_PASSWORD)');
  if (v['ca-file'] && v['tls-insecure']) throw new UsageError('--ca-file and --tls-insecure exclude each other');
  const known = new Set(loadRules().map((r) => r.id));
  const waive = [...new Set(v.waive ?? [])];
  for (const id of waive) if (!known.has(id)) throw new UsageError(`--waive: '${id}' is not a rule of spec/rules.yaml`);

  // the suite's environment: nothing from the caller's EM_* settings leaks in but the credentials defaults above
  const suiteEnv: Record<string, string> = { EM_URL: v.url, EM_USER: user, EM_PASSWORD: password, EM_ALLOW_WRITES: v['allow-writes'] ? '1' : '0', EM_TLS_INSECURE: v['tls-insecure'] ? '1' : '0', EM_IDLE_TEST: v['idle-test'] ? '1' : '0' };
  if (v['api-version']) suiteEnv.EM_API_VERSION = v['api-version'];
  if (v['ca-file']) suiteEnv.EM_CA_FILE = path.resolve(v['ca-file']);
  if (v['json-mapping']) suiteEnv.EM_JSON_MAPPING = v['json-mapping'];
  const maxItems = positive('max-items', v['max-items']);
  if (maxItems) suiteEnv.EM_MAX_ITEMS = maxItems;
  const timeout = positive('timeout-ms', v['timeout-ms']);
  if (timeout) suiteEnv.EM_TIMEOUT_MS = timeout;
  if (restrictedUser && restrictedPassword) Object.assign(suiteEnv, { EM_RESTRICTED_USER: restrictedUser, EM_RESTRICTED_PASSWORD: restrictedPassword });
  try {
    loadConfig(suiteEnv);
  } catch (err) {
    if (err instanceof ConfigError) {
      const problem = err.problems[0]!.replace(/\bEM_[A-Z_]+\b/g, (name) => OPTION_OF[name] ?? name);
      throw new UsageError(problem);
    }
    throw err;
  }
  const options: CertifyOptions = { url: v.url, out: path.resolve(v.out ?? path.join('reports', 'certificate')), env: suiteEnv, waive, quiet: Boolean(v.quiet) };
  if (v.grep) options.grep = v.grep;
  const workers = positive('workers', v.workers);
  if (workers) options.workers = workers;
  return options;
}

/** Variables of the caller that would change the run behind the options' back. */
const SCRUBBED_ENV = /^(EM_|PLAYWRIGHT_)/;

/** Runs the suite (Playwright) with the options' environment; output passes through scrub(). Shared with upgrade-check. */
export async function runSuite(o: CertifyOptions, reportsDir: string): Promise<number> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SCRUBBED_ENV.test(k)));
  Object.assign(env, o.env, { EM_REPORTS_DIR: reportsDir, CI: process.env.CI ?? '' });
  if (o.workers) env.EM_WORKERS = o.workers;
  const args = ['test', ...(o.grep ? ['--grep', o.grep] : [])];
  const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'playwright'), args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pass = (stream: NodeJS.ReadableStream, to: NodeJS.WriteStream) => {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (!o.quiet) for (const line of lines) to.write(`${scrub(line)}\n`);
    });
    stream.on('end', () => {
      if (!o.quiet && pending) to.write(`${scrub(pending)}\n`);
    });
  };
  pass(child.stdout, process.stdout);
  pass(child.stderr, process.stderr);
  return new Promise<number>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code ?? -1));
  });
}

/** The environment with the repository's .env under it (as the suite reads it: dotenv never overrides). */
export function environment(): NodeJS.ProcessEnv {
  const file = path.join(REPO_ROOT, '.env');
  return { ...(existsSync(file) ? parseDotenv(readFileSync(file)) : {}), ...process.env };
}

export async function certifyCommand(args: string[]): Promise<number> {
  const o = parseCertifyArgs(args, environment());
  if (o === 'help') {
    console.log(HELP);
    return 0;
  }
  for (const s of configSecrets(loadConfig(o.env))) registerSecret(s);
  const runDir = path.join(o.out, 'run');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  console.log(`em-conformance certify: running the suite against ${scrub(o.url)} (reports in ${path.relative(process.cwd(), runDir) || runDir})`);
  const code = await runSuite(o, runDir);
  const reportFile = path.join(runDir, 'conformance', 'conformance.json');
  if (!existsSync(reportFile)) {
    console.error(`em-conformance certify: the suite wrote no conformance report (playwright exited with ${code}); not certified`);
    return 1;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ConformanceReport;
  const certificate: Certificate = certify(report, { waive: o.waive, reportPath: 'run/conformance/index.html' });
  writeFileSync(path.join(o.out, 'certificate.json'), `${JSON.stringify(certificate, null, 2)}\n`);
  writeFileSync(path.join(o.out, 'certificate.html'), renderCertificateHtml(certificate));
  const c = certificate.counts;
  console.log(`\n${certificate.certified ? 'CERTIFIED' : 'NOT CERTIFIED'}: ${scrub(o.url)} — ${c.rules} rules: ${c.pass} pass, ${c.fail} fail, ${c.error} error, ${c.notApplicable} not applicable, ${c.notRun} not run; ${certificate.waived.length} waived`);
  for (const r of certificate.reasons) console.log(`  - ${r}`);
  for (const w of certificate.unusedWaivers) console.log(`  (waiver ${w.id} ${w.why})`);
  console.log(`certificate: ${path.join(path.relative(process.cwd(), o.out) || '.', 'certificate.html')}`);
  return certificate.certified ? 0 : 1;
}
