/** `em-conformance <command>`: the command-line entry point. Each command returns its exit code. */
import { CERTIFY_USAGE, certifyCommand } from './certify.ts';
import { COMPARE_USAGE, compareCommand, UPGRADE_CHECK_USAGE, upgradeCheckCommand } from './compare.ts';
import { MOCK_USAGE, mockCommand } from './mock.ts';
import { SUMMARY_USAGE, summaryCommand } from './summary.ts';
import { validateCommand } from './validate.ts';

export class UsageError extends Error {}

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  validate: { run: validateCommand, summary: 'validate <file> [--type NAME] [--mapping strict|omit-absent]   check a captured XML or JSON body' },
  mock: { run: mockCommand, summary: MOCK_USAGE },
  certify: { run: certifyCommand, summary: CERTIFY_USAGE },
  summary: { run: summaryCommand, summary: SUMMARY_USAGE },
  compare: { run: compareCommand, summary: COMPARE_USAGE },
  'upgrade-check': { run: upgradeCheckCommand, summary: UPGRADE_CHECK_USAGE },
};

function usage(): string {
  return ['usage: em-conformance <command> [options]', '', 'commands:', ...Object.values(COMMANDS).map((c) => `  ${c.summary}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`em-conformance: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`em-conformance ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
