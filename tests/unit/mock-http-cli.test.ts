/** `em-conformance mock`: options, banner, clean shutdown on SIGINT/SIGTERM, exit 2 on bad options. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseMockArgs } from '../../src/cli/mock.ts';
import { send } from './mock-http-helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/em-conformance.mjs', import.meta.url));

describe('em-conformance mock: options', () => {
  afterEach(() => vi.restoreAllMocks());

  it('parses every option', () => {
    const { options, verbose } = parseMockArgs(['--port', '0', '--host', '::1', '--profile', 'v13', '--seed', '7', '--sessions', '50', '--tls', '--user', 'a:b', '--user', 'op:pw:with:colon:RestoreOperator', '-v']);
    expect(options).toEqual({ port: 0, host: '::1', profile: 'v13', seed: 7, sessions: 50, tls: true, users: { a: 'b', op: { password: 'pw:with:colon', role: 'RestoreOperator' } } });
    expect(verbose).toBe(true);
  });

  it.each([
    [['--bogus'], '--bogus'],
    [['--port'], '--port'],
    [['--port', 'abc'], '--port'],
    [['--port', '70000'], '--port'],
    [['--profile', 'v11'], '--profile'],
    [['--seed', '1.5'], '--seed'],
    [['--sessions', '-1'], '--sessions'],
    [['--data', '/nonexistent/estate.yaml'], '--data'],
    [['--cert', '/nonexistent/cert.pem'], '--key'],
    [['--key', 'k.pem'], '--cert'],
    [['--user', 'nopassword'], '--user'],
    [['extra'], 'extra'],
  ])('rejects %j naming the option (exit 2)', async (args, named) => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    expect(await main(['mock', ...args])).toBe(2);
    expect(errors.join('\n')).toContain(named);
  });

  it('is listed in the usage', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    expect(await main(['--help'])).toBe(0);
    expect(out.join('\n')).toMatch(/mock \[--port N\]/);
  });
});

function runCli(args: string[]): { child: ReturnType<typeof spawn>; banner: Promise<string>; exit: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [BIN, 'mock', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const banner = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 30_000);
    const check = (): void => {
      if (out.includes('Press Ctrl+C')) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', () => reject(new Error(`exited early: ${out}`)));
  });
  banner.catch(() => {}); // awaited by the tests that expect a banner
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, banner, exit, output: () => out };
}

describe('em-conformance mock: process', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`prints the URL and credentials, serves, and exits 0 on ${signal}`, async () => {
      const cli = runCli(['--port', '0', '--seed', '3', '--sessions', '20']);
      try {
        const banner = await cli.banner;
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/api)\//.exec(banner)?.[1];
        expect(url).toBeDefined();
        expect(banner).toContain('user emuser  password emuser-password');
        const a = await send(`${url}/`);
        expect(a.status).toBe(200);
        const logonAnswer = await send(`${url}/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('emuser:emuser-password').toString('base64')}` } });
        expect(logonAnswer.status).toBe(201);
        cli.child.kill(signal);
        expect(await cli.exit).toBe(0);
        expect(cli.output()).toContain(`${signal}: stopping`);
      } finally {
        cli.child.kill('SIGKILL');
      }
    }, 60_000);
  }

  it('exits 2 when the port is taken', async () => {
    const first = runCli(['--port', '0', '--sessions', '10']);
    try {
      const port = /127\.0\.0\.1:(\d+)/.exec(await first.banner)![1]!;
      const second = runCli(['--port', port, '--sessions', '10']);
      expect(await second.exit).toBe(2);
      expect(second.output()).toContain(`--port ${port}`);
    } finally {
      first.child.kill('SIGTERM');
      await first.exit;
    }
  }, 60_000);
});
