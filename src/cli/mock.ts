/**
 * `em-conformance mock [--port N] [--host H] [--profile v12|v13|9.5u4] [--seed N] [--sessions N] [--data FILE]
 *  [--tls] [--cert F --key F] [--user NAME:PASSWORD[:ROLE]]… [--verbose]`: runs the embedded Enterprise Manager until
 * SIGINT or SIGTERM (then exits 0).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_USERS, PROFILE_NAMES, startMock, type MockOptions, type ProfileName, type RunningMock, type UserSpec } from '../mock/index.ts';
import { EM_ROLES } from '../mock/http/auth.ts';
import type { EmRole } from '../mock/types.ts';
import { UsageError } from './main.ts';
import { findMutant, MUTANTS } from '../mock/mutants.ts';

export const MOCK_USAGE =
  'mock [--port N] [--host H] [--profile v12|v13|9.5u4] [--seed N] [--sessions N] [--data FILE] [--task-duration MS] [--tls] [--cert F --key F] [--user NAME:PASSWORD[:ROLE]] [--mutant ID] [--list-mutants] [--verbose]   run the mock Enterprise Manager';

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?[0-9]+$/.test(value)) throw new UsageError(`--${name} must be an integer, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return n;
}

export function parseMockArgs(args: string[]): { options: MockOptions; verbose: boolean; listMutants: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        profile: { type: 'string' },
        seed: { type: 'string' },
        sessions: { type: 'string' },
        data: { type: 'string' },
        'task-duration': { type: 'string' },
        tls: { type: 'boolean' },
        cert: { type: 'string' },
        key: { type: 'string' },
        user: { type: 'string', multiple: true },
        verbose: { type: 'boolean', short: 'v' },
        mutant: { type: 'string' },
        'list-mutants': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  const options: MockOptions = {};
  const port = integer('port', v.port, 0, 65535);
  if (port !== undefined) options.port = port;
  if (v.host !== undefined) {
    if (v.host.trim() === '') throw new UsageError('--host must not be empty');
    options.host = v.host;
  }
  if (v.profile !== undefined) {
    if (!(PROFILE_NAMES as readonly string[]).includes(v.profile)) throw new UsageError(`--profile must be one of ${PROFILE_NAMES.join(', ')}, got '${v.profile}'`);
    options.profile = v.profile as ProfileName;
  }
  const seed = integer('seed', v.seed, -(2 ** 31), 2 ** 32 - 1);
  if (seed !== undefined) options.seed = seed;
  const sessions = integer('sessions', v.sessions, 0, 10_000_000);
  if (sessions !== undefined) options.sessions = sessions;
  const taskDurationMs = integer('task-duration', v['task-duration'], 0, 3_600_000);
  if (taskDurationMs !== undefined) options.taskDurationMs = taskDurationMs;
  if (v.data !== undefined) {
    if (!existsSync(v.data)) throw new UsageError(`--data: cannot read '${v.data}'`);
    options.data = v.data;
  }
  if ((v.cert === undefined) !== (v.key === undefined)) throw new UsageError(v.cert === undefined ? '--key needs --cert' : '--cert needs --key');
  if (v.cert !== undefined && v.key !== undefined) {
    for (const [name, file] of [['cert', v.cert], ['key', v.key]] as const) if (!existsSync(file)) throw new UsageError(`--${name}: cannot read '${file}'`);
    options.tls = { cert: v.cert, key: v.key };
  } else if (v.tls) {
    options.tls = true;
  }
  if (v.user?.length) {
    const users: Record<string, UserSpec> = {};
    for (const spec of v.user) {
      const m = /^([^:]+):(.*?)(?::(PortalAdministrator|PortalUser|RestoreOperator))?$/.exec(spec);
      if (!m || !m[2]) throw new UsageError(`--user must be NAME:PASSWORD or NAME:PASSWORD:ROLE (ROLE one of ${EM_ROLES.join(', ')}), got '${spec}'`);
      users[m[1]!] = m[3] ? { password: m[2], role: m[3] as EmRole } : m[2];
    }
    options.users = users;
  }
  if (v.mutant !== undefined) {
    if (!MUTANTS.some((m) => m.id === v.mutant)) throw new UsageError(`--mutant: unknown mutant '${v.mutant}' (--list-mutants shows them)`);
    options.mutant = v.mutant;
  }
  return { options, verbose: !!v.verbose, listMutants: !!v['list-mutants'] };
}

/** `--list-mutants`: one line per mutant, the rule it breaks and what it does. */
export function listMutants(): string {
  const width = Math.max(...MUTANTS.map((m) => m.id.length));
  return MUTANTS.map((m) => `${m.id.padEnd(width)}  ${m.rule.padEnd(10)}  ${m.description}`).join('\n');
}

function banner(mock: RunningMock, options: MockOptions): string {
  const users = options.users ?? DEFAULT_USERS;
  const [firstUser, firstSpec] = Object.entries(users)[0] ?? ['emuser', 'emuser-password'];
  const firstPassword = typeof firstSpec === 'string' ? firstSpec : firstSpec.password;
  const lines = [
    `em-conformance mock: Enterprise Manager (${mock.profile.name} profile) listening on ${mock.url}/`,
    '',
    '  credentials (HTTP Basic, POST /api/sessionMngr/?v=latest):',
    ...Object.entries(users).map(([name, spec]) => `    user ${name}  password ${typeof spec === 'string' ? spec : spec.password}${typeof spec === 'string' || !spec.role ? '' : `  role ${spec.role}`}`),
    '',
    '  try:',
    `    curl ${mock.certificate ? '-k ' : ''}${mock.url}/`,
    `    curl ${mock.certificate ? '-k ' : ''}-i -X POST -u '${firstUser}:${firstPassword}' '${mock.url}/sessionMngr/?v=latest'`,
    `    curl ${mock.certificate ? '-k ' : ''}-H 'X-RestSvcSessionId: <token>' -H 'Accept: application/json' ${mock.url}/backupSessions`,
  ];
  if (options.mutant) lines.push('', `  MUTANT ${options.mutant}: this mock deviates from EM on purpose (${findMutant(options.mutant).description}).`);
  lines.push('', 'Press Ctrl+C to stop.');
  return lines.join('\n');
}

export async function mockCommand(args: string[]): Promise<number> {
  const { options, verbose, listMutants: list } = parseMockArgs(args);
  if (list) {
    console.log(listMutants());
    return 0;
  }
  if (verbose) options.log = (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  let mock: RunningMock;
  try {
    mock = await startMock(options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new UsageError(`--port ${options.port}: the address is already in use`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new UsageError(`--host ${options.host}: cannot listen on this address`);
    if (e.code === 'EACCES') throw new UsageError(`--port ${options.port}: permission denied`);
    if (options.tls && typeof options.tls === 'object' && /TLS|certificate|key|PEM|asn1|decoder/i.test(e.message ?? '')) throw new UsageError(`--cert/--key: ${e.message}`);
    if (options.data !== undefined && (e.name === 'EstateError' || e.constructor?.name === 'EstateError')) throw new UsageError(`--data ${options.data}: ${e.message}`);
    throw err;
  }
  console.log(banner(mock, options));
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      console.log(`\n${signal}: stopping the mock…`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await mock.close();
  return 0;
}
