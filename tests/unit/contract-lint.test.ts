// The spec passes an OpenAPI 3.1 linter (Redocly) with the project's ruleset (redocly.yaml).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/contract/paths.ts';

it('spec/openapi.yaml passes redocly lint', () => {
  const cli = path.join(REPO_ROOT, 'node_modules', '.bin', 'redocly');
  let output = '';
  let status = 0;
  try {
    output = execFileSync(cli, ['lint', 'spec/openapi.yaml', '--config', 'redocly.yaml', '--format', 'stylish'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    status = e.status;
    output = `${e.stdout}\n${e.stderr}`;
  }
  expect(status, output).toBe(0);
}, 120_000);
