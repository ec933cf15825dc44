/**
 * The verdict counts of a conformance report as Markdown, for a CI job summary (`$GITHUB_STEP_SUMMARY`):
 * `npx em-conformance summary [reports/conformance/conformance.json] >> "$GITHUB_STEP_SUMMARY"`.
 */
import { VERDICT_LABEL } from './html.ts';
import type { ConformanceReport } from './report.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownSummary(r: ConformanceReport): string {
  const s = r.summary;
  const t = r.target;
  const lines = [
    `### EM conformance: ${r.verdict.toUpperCase()} — \`${cell(t.url ?? 'unknown target')}\``,
    '',
    `| verdict | rules |`,
    `| --- | ---: |`,
    `| ${VERDICT_LABEL.pass} | ${s.pass} |`,
    `| ${VERDICT_LABEL.fail} | ${s.fail} |`,
    `| ${VERDICT_LABEL.error} (target unreachable) | ${s.error} |`,
    `| ${VERDICT_LABEL['not-applicable']} | ${s.notApplicable} |`,
    `| ${VERDICT_LABEL['not-run']} | ${s.notRun} |`,
    `| **total** | **${s.rules}** |`,
    '',
  ];
  const failed = r.rules.filter((x) => x.verdict === 'fail');
  if (failed.length) lines.push(`**Failed rules:** ${failed.map((x) => `${x.id} (${cell(x.title)})`).join(', ')}`, '');
  if (r.targetErrors.length) lines.push(`**Errors of the target:** ${r.targetErrors.map((g) => `\`${cell(g.cause)}\` (${g.tests} tests)`).join(', ')}`, '');
  lines.push(
    `${r.run.tests.total} tests, ${r.run.requests} requests, ${Math.round(r.run.durationMs / 1000)} s${r.run.merged ? `, merged from ${r.run.shards} shards` : ''}; ` +
      `EM ${t.emVersion ?? 'unknown'} (API ${t.apiVersions.join(', ') || 'unknown'})${t.tlsInsecure ? '; **TLS verification off**' : ''}; ` +
      `${r.suite.name} ${r.suite.version}, spec ${r.spec.version}. The full report is reports/conformance/index.html in the artifacts.`,
    '',
  );
  return lines.join('\n');
}
