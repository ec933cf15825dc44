// The suite's configuration (src/suite/config.ts): every bad value is named, all at once, before any test runs.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/suite/config.ts';

const remote = { EM_URL: 'https://em.example.local:9398/api', EM_USER: 'u', EM_PASSWORD: 'p' };

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('loadConfig', () => {
  it('defaults to the embedded mock, two workers and the documented values', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ embeddedMock: true, apiVersion: 'latest', maxItems: 300, timeoutMs: 30_000, workers: 2, jsonMapping: 'strict', allowWrites: true });
    expect(loadConfig({ ...remote, EM_WORKERS: '6' })).toMatchObject({ embeddedMock: false, url: remote.EM_URL, workers: 6, allowWrites: false });
  });

  it.each([
    ['EM_URL', { EM_URL: 'not a url' }, /EM_URL is not a URL/],
    ['EM_URL', { EM_URL: 'https://em:9398/api/v2' }, /EM_URL must end in \/api/],
    ['EM_USER', { EM_URL: remote.EM_URL, EM_PASSWORD: 'p' }, /EM_USER is required/],
    ['EM_API_VERSION', { ...remote, EM_API_VERSION: '12' }, /EM_API_VERSION must be 'latest' or v1_N/],
    ['EM_TLS_INSECURE', { ...remote, EM_TLS_INSECURE: 'yes' }, /EM_TLS_INSECURE must be 1 or 0, got 'yes'/],
    ['EM_MAX_ITEMS', { ...remote, EM_MAX_ITEMS: '0' }, /EM_MAX_ITEMS must be a positive whole number, got '0'/],
    ['EM_WORKERS', { ...remote, EM_WORKERS: 'two' }, /EM_WORKERS must be a positive whole number, got 'two'/],
    ['EM_JSON_MAPPING', { ...remote, EM_JSON_MAPPING: 'loose' }, /EM_JSON_MAPPING must be strict or omit-absent/],
    ['EM_CA_FILE', { ...remote, EM_CA_FILE: '/nonexistent/ca.pem' }, /EM_CA_FILE '\/nonexistent\/ca.pem' cannot be read/],
  ])('names %s when its value is bad', (_name, env, message) => {
    expect(problems(env).join('\n')).toMatch(message);
  });

  it('reports every problem at once', () => {
    expect(problems({ ...remote, EM_WORKERS: '-1', EM_TIMEOUT_MS: 'soon', EM_ALLOW_WRITES: 'maybe' })).toHaveLength(3);
  });

  it('stops `playwright test` before any test, exit code 2, naming the variable', () => {
    const r = spawnSync('npx', ['playwright', 'test', '--list'], { encoding: 'utf8', env: { ...process.env, EM_WORKERS: 'two' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("EM_WORKERS must be a positive whole number, got 'two'");
    expect(r.stdout).not.toMatch(/Total: \d+ tests/);
  });
});
