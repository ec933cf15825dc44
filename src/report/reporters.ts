/**
 * The reporters of a conformance run, shared by playwright.config.ts (a whole run) and playwright.merge.config.ts
 * (`playwright merge-reports` over the blob reports of shards), so that both write the same reports:
 * reports/html, reports/junit.xml, reports/results.json and reports/conformance/{conformance.json,index.html}.
 */
import type { ReporterDescription } from '@playwright/test';

export const CONFORMANCE_REPORTER = './src/report/conformance-reporter.ts';
export const SHARD_SHAPES_REPORTER = './src/report/shapes-reporter.ts';

/** Folder of the reports: EM_REPORTS_DIR, default `reports` (the project's tests point it at a temporary folder). */
export function reportsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EM_REPORTS_DIR ?? 'reports';
}

export function fullReporters(dir = reportsDir()): ReporterDescription[] {
  return [
    ['list'],
    ['html', { outputFolder: `${dir}/html`, open: 'never' }],
    ['junit', { outputFile: `${dir}/junit.xml` }],
    ['json', { outputFile: `${dir}/results.json` }],
    [CONFORMANCE_REPORTER, { outputFolder: `${dir}/conformance` }],
  ];
}

/** The `--shard=i/n` of the command line, if any (read from argv: the configuration is loaded before the CLI applies it). */
export function shardOf(argv: readonly string[] = process.argv): { current: number; total: number } | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = a.startsWith('--shard=') ? a.slice('--shard='.length) : a === '--shard' ? argv[i + 1] : undefined;
    const m = value?.match(/^(\d+)\/(\d+)$/);
    if (m) return { current: Number(m[1]), total: Number(m[2]) };
  }
  return null;
}

/**
 * A shard writes a blob report only (`<dir>/blob-report/report-<i>-of-<n>.zip`, plus the list on the console): its
 * own HTML or conformance report would show the other shards' rules as not run. Like any Playwright blob reporter it
 * empties its folder first: shards run on their own machines (or with their own EM_REPORTS_DIR), and their zips are
 * gathered in one folder to merge with `npx playwright merge-reports --config playwright.merge.config.ts <folder>`.
 */
export function shardReporters(shard: { current: number; total: number }, dir = reportsDir()): ReporterDescription[] {
  return [
    ['list'],
    ['blob', { outputDir: `${dir}/blob-report`, fileName: `report-${shard.current}-of-${shard.total}.zip` }],
    // the representation shapes of the shard, beside its zip (blob reports do not carry them)
    [SHARD_SHAPES_REPORTER, { outputFile: `${dir}/blob-report/em-shapes-${shard.current}-of-${shard.total}.json` }],
  ];
}
