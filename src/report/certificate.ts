/**
 * Certification of a server (typically a mock someone built) from a conformance report: certificate.json and
 * certificate.html. The policy (docs/reports.md):
 *
 * - every rule of spec/rules.yaml must pass;
 * - a failed rule, or a rule in error (the target could not be reached), refuses the certificate;
 * - a rule not exercised refuses it too, so that a server with too little data is not certified by accident: not run,
 *   or not applicable because the server holds nothing to check (`data`);
 * - a rule not applicable by configuration only (`config`: writes disabled, no restricted account, the 15-minute idle
 *   test) is accepted when waived with `--waive RULE`; the certificate lists it as waived.
 */
import type { Verdict } from './classify.ts';
import { esc, VERDICT_LABEL } from './html.ts';
import type { ConformanceReport, Counts, RuleResult } from './report.ts';
import type { TargetInfo } from './target.ts';

export const CERTIFICATE_SCHEMA_VERSION = 1;

export const POLICY =
  'Certified when every rule of spec/rules.yaml passes, except rules not applicable by configuration only (writes disabled, no restricted account, the idle test) that were waived. A failed rule, a rule in error (target unreachable), a rule not run, or a rule not applicable because the server holds nothing to check refuses the certificate.';

export interface RuleRef {
  id: string;
  family: string;
  title: string;
  level: string;
}

export interface NotExercised extends RuleRef {
  verdict: Extract<Verdict, 'not-applicable' | 'not-run'>;
  kind: 'data' | 'config' | null;
  reasons: string[];
  waived: boolean;
}

export interface Certificate {
  schemaVersion: number;
  generatedAt: string;
  certified: boolean;
  verdict: 'certified' | 'not certified';
  /** Why not, one sentence each (empty when certified). */
  reasons: string[];
  policy: string;
  target: Pick<TargetInfo, 'url' | 'emVersion' | 'apiVersions' | 'profile' | 'tlsInsecure' | 'allowWrites' | 'restrictedAccount'>;
  suite: { name: string; version: string };
  spec: { title: string; version: string };
  run: { startTime: string; durationMs: number; requests: number; tests: number; merged: boolean; shards: number | null };
  counts: Counts & { rules: number };
  failedRules: Array<RuleRef & { tests: number }>;
  errorRules: Array<RuleRef & { causes: string[] }>;
  notExercised: NotExercised[];
  waived: Array<RuleRef & { reasons: string[] }>;
  /** Waivers that were not needed (the rule passed) or not accepted (the rule failed, erred or lacked data). */
  unusedWaivers: Array<{ id: string; verdict: Verdict | 'unknown'; why: string }>;
  /** Path of the conformance report of the run, relative to the certificate. */
  report: string | null;
}

/** Rule IDs for a sentence: the first twelve, then how many more (all are listed on the certificate). */
function ids(list: Array<{ id: string }>): string {
  const shown = list.slice(0, 12).map((r) => r.id).join(', ');
  return list.length > 12 ? `${shown} and ${list.length - 12} more` : shown;
}

function ref(r: RuleResult): RuleRef {
  return { id: r.id, family: r.family, title: r.title, level: r.level };
}

export function certify(report: ConformanceReport, opts: { waive?: readonly string[]; reportPath?: string | null; now?: Date } = {}): Certificate {
  const waivers = new Set(opts.waive ?? []);
  const failedRules = report.rules.filter((r) => r.verdict === 'fail').map((r) => ({ ...ref(r), tests: r.counts.fail }));
  const errorRules = report.rules
    .filter((r) => r.verdict === 'error')
    .map((r) => ({ ...ref(r), causes: [...new Set(report.targetErrors.filter((g) => g.rules.includes(r.id)).map((g) => g.cause))] }));
  const notExercised: NotExercised[] = report.rules
    .filter((r): r is RuleResult & { verdict: 'not-applicable' | 'not-run' } => r.verdict === 'not-applicable' || r.verdict === 'not-run')
    .map((r) => ({
      ...ref(r),
      verdict: r.verdict,
      kind: r.verdict === 'not-applicable' ? (r.naKind ?? 'data') : null,
      reasons: r.verdict === 'not-applicable' ? [...new Set(r.notApplicable.map((n) => n.reason))] : [r.tests.length ? 'its tests did not run (filtered out, or skipped without a reason)' : 'no test of the suite checks it'],
      waived: r.verdict === 'not-applicable' && r.naKind === 'config' && waivers.has(r.id),
    }));
  const blocking = notExercised.filter((n) => !n.waived);
  const byId = new Map(report.rules.map((r) => [r.id, r]));
  const unusedWaivers = [...waivers]
    .filter((id) => !notExercised.some((n) => n.id === id && n.waived))
    .map((id) => {
      const r = byId.get(id);
      if (!r) return { id, verdict: 'unknown' as const, why: 'not a rule of spec/rules.yaml' };
      const why =
        r.verdict === 'pass'
          ? 'not needed: the rule passed'
          : r.verdict === 'not-applicable'
            ? 'not accepted: the rule is not applicable for lack of data, which no waiver covers'
            : `not accepted: a waiver covers only rules not applicable by configuration, and this rule is ${VERDICT_LABEL[r.verdict]}`;
      return { id, verdict: r.verdict, why };
    });

  const reasons: string[] = [];
  if (failedRules.length) reasons.push(`${failedRules.length} rule${failedRules.length === 1 ? '' : 's'} failed: ${ids(failedRules)}`);
  if (errorRules.length) reasons.push(`${errorRules.length} rule${errorRules.length === 1 ? ' was' : 's were'} not checked because of errors of the target (connection refused, timeout, TLS): ${ids(errorRules)}`);
  const data = blocking.filter((n) => n.kind === 'data');
  const config = blocking.filter((n) => n.kind === 'config');
  const notRun = blocking.filter((n) => n.verdict === 'not-run');
  if (data.length) reasons.push(`${data.length} rule${data.length === 1 ? ' was' : 's were'} not exercised because the server holds nothing to check them with (give it more data): ${ids(data)}`);
  if (config.length) reasons.push(`${config.length} rule${config.length === 1 ? ' was' : 's were'} not checked by configuration and not waived (enable them, or waive with --waive): ${ids(config)}`);
  if (notRun.length) reasons.push(`${notRun.length} rule${notRun.length === 1 ? ' was' : 's were'} not run: ${ids(notRun)}`);
  const certified = reasons.length === 0;
  const t = report.target;
  return {
    schemaVersion: CERTIFICATE_SCHEMA_VERSION,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    certified,
    verdict: certified ? 'certified' : 'not certified',
    reasons,
    policy: POLICY,
    target: { url: t.url, emVersion: t.emVersion, apiVersions: t.apiVersions, profile: t.profile, tlsInsecure: t.tlsInsecure, allowWrites: t.allowWrites, restrictedAccount: t.restrictedAccount },
    suite: report.suite,
    spec: report.spec,
    run: { startTime: report.run.startTime, durationMs: report.run.durationMs, requests: report.run.requests, tests: report.run.tests.total, merged: report.run.merged, shards: report.run.shards },
    counts: report.summary,
    failedRules,
    errorRules,
    notExercised,
    waived: notExercised.filter((n) => n.waived).map((n) => ({ id: n.id, family: n.family, title: n.title, level: n.level, reasons: n.reasons })),
    unusedWaivers,
    report: opts.reportPath ?? null,
  };
}

function list<T>(title: string, items: T[], render: (item: T) => string, cls = ''): string {
  if (!items.length) return '';
  return `<section class="${cls}"><h2>${esc(title)} <span class="n">${items.length}</span></h2><ul>${items.map((i) => `<li>${render(i)}</li>`).join('')}</ul></section>`;
}

export function renderCertificateHtml(c: Certificate): string {
  const ok = c.certified;
  const date = c.run.startTime.slice(0, 16).replace('T', ' ');
  const rule = (r: RuleRef) => `<code>${esc(r.id)}</code> ${esc(r.title)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(`${ok ? 'Certified' : 'Not certified'} — ${c.target.url ?? ''}`)}</title>
<style>
*{box-sizing:border-box}body{margin:0;background:#f6f8fa;color:#1f2328;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif}
main{max-width:920px;margin:24px auto;background:#fff;border:1px solid #d1d9e0;border-radius:12px;padding:32px 40px}
.seal{display:flex;align-items:center;gap:20px;border-radius:10px;padding:18px 22px;margin-bottom:22px;border:2px solid}
.seal.ok{background:#dafbe1;border-color:#1a7f37;color:#1a7f37}.seal.no{background:#ffebe9;border-color:#cf222e;color:#cf222e}
.seal b{font-size:2rem;letter-spacing:.04em}.seal span{color:#1f2328}
h1{margin:0 0 4px;font-size:1.1rem;color:#59636e;font-weight:600;text-transform:uppercase;letter-spacing:.08em}
h2{font-size:1.05rem;margin:22px 0 8px}.n{display:inline-block;background:#eaeef2;border-radius:999px;padding:0 8px;font-size:.85rem;color:#59636e}
code{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0}dt{color:#59636e}dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse}td,th{padding:4px 14px 4px 0;text-align:left}th{color:#59636e;font-weight:500}
.counts td{font-variant-numeric:tabular-nums;font-weight:600}
ul{margin:0;padding-left:20px}li{margin:2px 0}.muted{color:#59636e}
.fail h2{color:#cf222e}.error h2{color:#bc4c00}.why li{margin:4px 0}
footer{margin-top:26px;color:#59636e;font-size:.85rem;border-top:1px solid #d1d9e0;padding-top:12px}
.warn{color:#7d4e00;font-weight:600}
</style>
</head>
<body>
<main>
<h1>em-conformance certificate</h1>
<div class="seal ${ok ? 'ok' : 'no'}" id="verdict"><b>${ok ? 'CERTIFIED' : 'NOT CERTIFIED'}</b><span>${ok ? 'This server conforms to every rule of the EM REST API contract checked by the suite' : esc(`${c.reasons.length} reason${c.reasons.length === 1 ? '' : 's'} below`)}${c.waived.length ? esc(`, with ${c.waived.length} waived rule${c.waived.length === 1 ? '' : 's'}`) : ''}.</span></div>
<dl>
<dt>Target</dt><dd><code>${esc(c.target.url ?? 'unknown')}</code></dd>
<dt>EM version</dt><dd>${esc(c.target.emVersion ?? 'unknown')} <span class="muted">(inferred from GET /api/; API ${esc(c.target.apiVersions.join(', ') || 'unknown')}${c.target.profile ? `; profile ${esc(c.target.profile)}` : ''})</span></dd>
<dt>Date</dt><dd>${esc(date)} UTC</dd>
<dt>Suite</dt><dd>${esc(c.suite.name)} ${esc(c.suite.version)}, spec ${esc(c.spec.version)}</dd>
<dt>Run</dt><dd>${c.run.tests} tests, ${c.run.requests.toLocaleString('en-US')} requests, ${Math.round(c.run.durationMs / 1000)} s${c.run.merged ? `, merged from ${c.run.shards} shards` : ''}; writes ${c.target.allowWrites ? 'enabled' : 'disabled'}, restricted account ${c.target.restrictedAccount ? 'configured' : 'none'}${c.target.tlsInsecure ? '; <span class="warn">TLS verification was OFF</span>' : ''}</dd>
</dl>
<h2>Rules</h2>
<table class="counts"><tr><th>rules</th><th>pass</th><th>fail</th><th>error</th><th>not applicable</th><th>not run</th><th>waived</th></tr>
<tr><td>${c.counts.rules}</td><td>${c.counts.pass}</td><td>${c.counts.fail}</td><td>${c.counts.error}</td><td>${c.counts.notApplicable}</td><td>${c.counts.notRun}</td><td>${c.waived.length}</td></tr></table>
${c.reasons.length ? `<section class="why"><h2>Why not certified</h2><ul>${c.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul></section>` : ''}
${list('Failed rules', c.failedRules, (r) => `${rule(r)} <span class="muted">(${r.tests} failed test${r.tests === 1 ? '' : 's'})</span>`, 'fail')}
${list('Rules in error (target unreachable)', c.errorRules, (r) => `${rule(r)}${r.causes.length ? ` <span class="muted">— ${esc(r.causes.join('; '))}</span>` : ''}`, 'error')}
${list(
  'Rules not exercised',
  c.notExercised.filter((n) => !n.waived),
  (n) => `${rule(n)} <span class="muted">— ${esc(n.verdict === 'not-run' ? 'not run' : `not applicable (${n.kind})`)}: ${esc(n.reasons.join('; '))}</span>`,
)}
${list('Waived rules', c.waived, (w) => `${rule(w)} <span class="muted">— ${esc(w.reasons.join('; '))}</span>`)}
${list('Waivers not used', c.unusedWaivers, (w) => `<code>${esc(w.id)}</code> <span class="muted">— ${esc(w.why)}</span>`)}
<footer><p>${esc(c.policy)}</p><p>Generated ${esc(c.generatedAt)}.${c.report ? ` The full conformance report of the run: <a href="${esc(c.report)}">${esc(c.report)}</a>.` : ''} Machine-readable: certificate.json.</p></footer>
</main>
</body>
</html>
`;
}
