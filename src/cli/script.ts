import { pathToFileURL } from 'node:url';

/**
 * Runs `main` with the command-line arguments when `moduleUrl` (the caller's `import.meta.url`) is the script node
 * was started with, and exits with its code: 1, with the error printed, when it throws.
 */
export function runIfScript(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
