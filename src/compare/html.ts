/**
 * compare.html: the comparison of two conformance runs as one self-contained page (inline CSS, no script, nothing
 * loaded from the network), in the style of the conformance report (its style sheet is shared).
 */
import type { Verdict } from '../report/classify.ts';
import { CSS, esc, pageHead, VERDICT_LABEL } from '../report/html.ts';
import type { CompareResult, RuleChange, ShapeFinding, SideInfo } from './compare.ts';

const EXTRA_CSS = `
.sides{display:grid;grid-template-columns:1fr 1fr;gap:14px;margin:0 0 14px}
.side{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.side h3{margin:0 0 6px;font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.side dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}.side dt{color:var(--muted)}.side dd{margin:0;overflow-wrap:anywhere}
.verdict.v-compatible{color:var(--pass);background:var(--pass-bg);border-color:var(--pass)}
.verdict.v-breaking{color:var(--fail);background:var(--fail-bg);border-color:var(--fail)}
.verdict.v-inconclusive{color:var(--error);background:var(--error-bg);border-color:var(--error)}
ul.summary{margin:0;padding-left:20px}ul.summary li{margin:4px 0}
.cls{display:inline-block;border-radius:6px;padding:1px 8px;font-size:.78rem;font-weight:600;white-space:nowrap}
.cls.breaking{background:var(--fail);color:#fff}.cls.additive{background:var(--pass-bg);color:var(--pass)}
.arrow{color:var(--muted);margin:0 4px}
details.more summary{cursor:pointer;color:var(--accent)}
.examples{margin:4px 0 0;padding-left:18px;font-size:.88rem}
.warnings{border-color:var(--error);background:#fffaf5}
`;

function badge(v: Verdict | 'absent'): string {
  if (v === 'absent') return '<span class="badge v-not-run">absent</span>';
  return `<span class="badge v-${v}">${esc(VERDICT_LABEL[v])}</span>`;
}

function side(title: string, s: SideInfo, reportLink: string | null): string {
  const row = (label: string, value: string) => `<dt>${esc(label)}</dt><dd>${value}</dd>`;
  return `<div class="side"><h3>${esc(title)}</h3><dl>
${row('Target', `<code>${esc(s.url ?? 'unknown')}</code>`)}
${row('EM version', `${esc(s.emVersion ?? 'unknown')}${s.profile ? ` <span class="muted">(profile ${esc(s.profile)})</span>` : ''}`)}
${row('API versions', esc(s.apiVersions.join(', ') || 'unknown'))}
${row('Run', `${esc(s.startTime.slice(0, 16).replace('T', ' '))} UTC · ${s.tests} tests · ${s.requests.toLocaleString('en-US')} requests · verdict ${esc(s.verdict)}`)}
${row('Shapes', s.shapeResponses ? `${s.shapeResponses.toLocaleString('en-US')} responses recorded` : '<span class="muted">none recorded</span>')}
${row('Report', reportLink ? `<a href="${esc(reportLink)}">${esc(reportLink)}</a>` : `<code>${esc(s.source)}</code>`)}
</dl></div>`;
}

function rulesTable(rules: RuleChange[]): string {
  if (!rules.length) return '<p class="muted">Every rule has the same verdict on both servers.</p>';
  const rows = rules
    .map(
      (r) =>
        `<tr><td class="rid">${esc(r.id)}<span class="level l-${esc(r.level)}">${esc(r.level)}</span></td><td>${esc(r.title)}${r.reasons?.length ? `<div class="muted small">${esc(r.reasons.join('; '))}</div>` : ''}</td><td>${badge(r.baseline)}<span class="arrow">→</span>${badge(r.candidate)}</td><td>${r.projects.map((p) => `<span class="proj v-${p.candidate === 'absent' ? 'not-run' : p.candidate}">${esc(p.project)}</span>`).join('')}</td><td>${r.breaking ? '<span class="cls breaking">breaking</span>' : `<span class="muted">${esc(r.change.replace(/-/g, ' '))}</span>`}</td></tr>`,
    )
    .join('');
  return `<table class="grid"><tr><th>rule</th><th>title</th><th>baseline → candidate</th><th>projects changed</th><th></th></tr>${rows}</table>`;
}

function findingRow(f: ShapeFinding): string {
  const ops = f.operations.length > 3 ? `${f.operations.slice(0, 3).map((o) => esc(o.operationId)).join(', ')} and ${f.operations.length - 3} more` : f.operations.map((o) => esc(o.operationId)).join(', ');
  const examples = f.examples.length ? `<ul class="examples">${f.examples.map((e) => `<li><code>${esc(e.baseline ?? '—')}</code><span class="arrow">→</span><code>${esc(e.candidate ?? '—')}</code></li>`).join('')}</ul>` : '';
  const renames = f.renames?.length
    ? `<details class="more"><summary>${f.renames.length} distinct key${f.renames.length === 1 ? '' : 's'} recased</summary><ul class="examples">${f.renames
        .slice(0, 200)
        .map((r) => `<li><code>${esc(r.from)}</code><span class="arrow">→</span><code>${esc(r.to)}</code> <span class="muted">(${r.paths} path${r.paths === 1 ? '' : 's'})</span></li>`)
        .join('')}</ul></details>`
    : '';
  return `<tr><td><span class="cls ${f.class}">${esc(f.class)}</span></td><td>${esc(f.kind.replace(/-/g, ' '))}</td><td>${esc(f.mediaType ?? 'any')}</td><td>${ops || '<span class="muted">—</span>'}</td><td class="num">${f.count}</td><td>${esc(f.message)}${examples}${renames}</td></tr>`;
}

function findingsTable(findings: ShapeFinding[], empty: string): string {
  if (!findings.length) return `<p class="muted">${esc(empty)}</p>`;
  return `<table class="grid"><tr><th>class</th><th>change</th><th>media type</th><th>operations</th><th class="num">paths</th><th>what changes</th></tr>${findings.map(findingRow).join('')}</table>`;
}

export interface CompareHtmlLinks {
  baselineReport?: string | null;
  candidateReport?: string | null;
}

export function renderCompareHtml(r: CompareResult, links: CompareHtmlLinks = {}): string {
  const label = r.verdict === 'compatible' ? 'COMPATIBLE' : r.verdict === 'breaking' ? 'BREAKING' : 'INCONCLUSIVE';
  const sub = r.verdict === 'compatible' ? 'nothing breaks' : r.verdict === 'breaking' ? `${r.counts.breaking} breaking change${r.counts.breaking === 1 ? '' : 's'}` : 'comparison incomplete';
  const breaking = r.findings.filter((f) => f.class === 'breaking');
  const additive = r.findings.filter((f) => f.class === 'additive');
  return `${pageHead(`EM upgrade check — ${label} — ${r.candidate.url ?? ''}`, CSS + EXTRA_CSS, "default-src 'none'; style-src 'unsafe-inline'")}
<body>
<main>
<header class="top">
  <div class="title"><h1>EM upgrade check</h1><p class="target-url"><code>${esc(r.baseline.url ?? 'baseline')}</code><span class="arrow">→</span><code>${esc(r.candidate.url ?? 'candidate')}</code></p></div>
  <div class="verdict v-${r.verdict}" id="overall"><strong>${label}</strong><span>${esc(sub)}</span></div>
</header>
<div class="sides">${side('Baseline (today)', r.baseline, links.baselineReport ?? null)}${side('Candidate (upgrade)', r.candidate, links.candidateReport ?? null)}</div>
<section class="panel" id="summary"><h2>What changes for clients</h2><ul class="summary">${r.summary.map((s) => `<li>${esc(s)}</li>`).join('')}</ul></section>
${r.warnings.length ? `<section class="panel warnings" id="warnings"><h2>Warnings</h2><ul>${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></section>` : ''}
<section class="panel" id="rules"><h2>Rule verdicts that change <span class="muted">(${r.rules.length})</span></h2>${rulesTable(r.rules)}</section>
<section class="panel" id="breaking"><h2>Breaking representation changes <span class="muted">(${breaking.length})</span></h2>${findingsTable(breaking, 'No breaking change in the representations both runs read.')}</section>
<section class="panel" id="additive"><h2>Additive representation changes <span class="muted">(${additive.length})</span></h2>${findingsTable(additive, 'No additive change.')}</section>
<section class="panel" id="coverage"><h2>Coverage</h2><p>${r.counts.operationsCompared} operation answers (operation, status, media type) compared, ${r.counts.pathsCompared.toLocaleString('en-US')} paths. Paths seen in one run only, or sometimes absent, are treated as unknown rather than removed or added: two runs read different data.</p>
${r.notCompared.length ? `<details class="more"><summary>${r.notCompared.length} operation answers seen in one run only (not compared)</summary><ul class="examples">${r.notCompared.map((n) => `<li>${esc(n.side)} only: <code>${esc(`${n.method} ${n.path}`)}</code> ${esc(n.operationId)} ${n.status} ${esc(n.mediaType)}</li>`).join('')}</ul></details>` : ''}</section>
<footer>generated ${esc(r.generatedAt)} · machine-readable: <a href="compare.json">compare.json</a> · see docs/compare.md</footer>
</main>
</body>
</html>
`;
}
