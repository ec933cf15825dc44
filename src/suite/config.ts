/**
 * Suite configuration from the environment (and a .env file, through dotenv). Every problem is reported at once,
 * naming the variable, before any test runs.
 */
import { accessSync, constants, readFileSync } from 'node:fs';

export const MOCK_DEFAULT_USER = 'emuser';
export const MOCK_DEFAULT_PASSWORD = 'emuser-password';
/** The embedded mock's account without the Portal Administrator role (a Restore Operator), for the 403 rule. */
export const MOCK_RESTRICTED_USER = 'emoperator';
export const MOCK_RESTRICTED_PASSWORD = 'emoperator-password';

export interface SuiteConfig {
  /** Base URL ending in /api, without a trailing slash. */
  url: string;
  /** True when the suite started the embedded mock (no EM_URL). */
  embeddedMock: boolean;
  user: string;
  password: string;
  apiVersion: string;
  caFile?: string;
  tlsInsecure: boolean;
  allowWrites: boolean;
  maxItems: number;
  timeoutMs: number;
  /** Playwright workers (EM_WORKERS); each read project gets half of them (playwright.config.ts). */
  workers: number;
  jsonMapping: 'strict' | 'omit-absent';
  /** An account without the Portal Administrator role (optional: the 403 rule is not applicable without it). */
  restrictedUser?: string;
  restrictedPassword?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`em-conformance configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n(see README.md, "Running against a real Enterprise Manager", and .env.example)`);
  }
}

function flag(env: NodeJS.ProcessEnv, name: string, problems: string[]): boolean {
  const v = env[name];
  if (v === undefined || v === '' || v === '0' || v.toLowerCase() === 'false') return false;
  if (v === '1' || v.toLowerCase() === 'true') return true;
  problems.push(`${name} must be 1 or 0, got '${v}'`);
  return false;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) <= 0) {
    problems.push(`${name} must be a positive whole number, got '${v}'`);
    return fallback;
  }
  return Number(v);
}

/**
 * The estate of the suite's embedded mock (playwright.config.ts) and of the mutation runs (src/mutation/run.ts):
 * 300 task sessions (the mock CLI's default is 2000) are enough for every rule the suite checks (the same rules are not
 * applicable with either size), and tasks that finish after 20 ms instead of 2 s, since the action tests wait for a
 * dozen of them.
 */
export const EMBEDDED_MOCK_ESTATE = { sessions: 300, taskDurationMs: 20 } as const;

/** Port the suite's embedded mock listens on when EM_URL is not set. */
export function embeddedMockPort(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.EM_MOCK_PORT ?? 39398);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SuiteConfig {
  const problems: string[] = [];
  const embeddedMock = !env.EM_URL;
  let url = env.EM_URL ?? `http://127.0.0.1:${embeddedMockPort(env)}/api`;
  if (!embeddedMock) {
    url = url.replace(/\/+$/, '');
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      problems.push(`EM_URL is not a URL: '${url}' (expected e.g. https://em.example.local:9398/api)`);
    }
    if (parsed && !/^https?:$/.test(parsed.protocol)) problems.push(`EM_URL must use http or https, got '${parsed.protocol}'`);
    if (parsed && !parsed.pathname.replace(/\/+$/, '').endsWith('/api')) problems.push(`EM_URL must end in /api (e.g. https://${parsed.host}/api), got '${url}'`);
    if (parsed && (parsed.username || parsed.password)) problems.push('EM_URL must not carry credentials: use EM_USER and EM_PASSWORD');
  }
  const user = env.EM_USER ?? (embeddedMock ? MOCK_DEFAULT_USER : '');
  const password = env.EM_PASSWORD ?? (embeddedMock ? MOCK_DEFAULT_PASSWORD : '');
  if (!user) problems.push('EM_USER is required when EM_URL is set');
  if (!password) problems.push('EM_PASSWORD is required when EM_URL is set');
  const apiVersion = env.EM_API_VERSION || 'latest';
  if (!/^(latest|v1(_\d+)?)$/.test(apiVersion)) problems.push(`EM_API_VERSION must be 'latest' or v1_N (e.g. v1_7), got '${apiVersion}'`);
  const caFile = env.EM_CA_FILE || undefined;
  if (caFile) {
    try {
      accessSync(caFile, constants.R_OK);
      if (!readFileSync(caFile, 'utf8').includes('-----BEGIN CERTIFICATE-----')) problems.push(`EM_CA_FILE '${caFile}' holds no PEM certificate`);
    } catch {
      problems.push(`EM_CA_FILE '${caFile}' cannot be read`);
    }
  }
  const jsonMapping = env.EM_JSON_MAPPING || 'strict';
  if (jsonMapping !== 'strict' && jsonMapping !== 'omit-absent') problems.push(`EM_JSON_MAPPING must be strict or omit-absent, got '${jsonMapping}'`);
  const config: SuiteConfig = {
    url,
    embeddedMock,
    user,
    password,
    apiVersion,
    tlsInsecure: flag(env, 'EM_TLS_INSECURE', problems),
    // The embedded mock is the suite's own: writes change nothing real, so its write rules always run.
    allowWrites: flag(env, 'EM_ALLOW_WRITES', problems) || embeddedMock,
    maxItems: positiveInt(env, 'EM_MAX_ITEMS', 300, problems),
    timeoutMs: positiveInt(env, 'EM_TIMEOUT_MS', 30_000, problems),
    workers: positiveInt(env, 'EM_WORKERS', 2, problems),
    jsonMapping: jsonMapping as SuiteConfig['jsonMapping'],
  };
  if (caFile) config.caFile = caFile;
  const restrictedUser = env.EM_RESTRICTED_USER ?? (embeddedMock ? MOCK_RESTRICTED_USER : undefined);
  const restrictedPassword = env.EM_RESTRICTED_PASSWORD ?? (embeddedMock ? MOCK_RESTRICTED_PASSWORD : undefined);
  if (restrictedUser && !restrictedPassword) problems.push('EM_RESTRICTED_PASSWORD is required with EM_RESTRICTED_USER');
  if (restrictedUser && restrictedPassword) Object.assign(config, { restrictedUser, restrictedPassword });
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Every secret the suite holds, for redaction of anything it writes. */
export function configSecrets(config: SuiteConfig): string[] {
  const secrets = [config.password, Buffer.from(`${config.user}:${config.password}`).toString('base64')];
  if (config.restrictedUser && config.restrictedPassword) secrets.push(config.restrictedPassword, Buffer.from(`${config.restrictedUser}:${config.restrictedPassword}`).toString('base64'));
  return secrets.filter((s) => s.length >= 4);
}
