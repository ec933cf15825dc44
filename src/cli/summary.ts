/** `em-conformance summary [FILE]`: the verdict counts of a conformance report as Markdown (for CI job summaries). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConformanceReport } from '../report/report.ts';
import { markdownSummary } from '../report/summary.ts';
import { UsageError } from './main.ts';

export const SUMMARY_USAGE = 'summary [reports/conformance/conformance.json]   the verdict counts as Markdown (e.g. >> "$GITHUB_STEP_SUMMARY")';

export async function summaryCommand(args: string[]): Promise<number> {
  if (args.length > 1 || args.some((a) => a.startsWith('-'))) throw new UsageError(`unexpected argument '${args.find((a) => a.startsWith('-')) ?? args[1]}' (usage: ${SUMMARY_USAGE.split('  ')[0]})`);
  const file = args[0] ?? path.join(process.env.EM_REPORTS_DIR ?? 'reports', 'conformance', 'conformance.json');
  let report: ConformanceReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as ConformanceReport;
  } catch (err) {
    throw new UsageError(`cannot read '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!report || typeof report !== 'object' || !report.summary || !Array.isArray(report.rules)) throw new UsageError(`'${file}' is not a conformance report (conformance.json)`);
  console.log(markdownSummary(report));
  return 0;
}
