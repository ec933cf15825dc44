/**
 * index.html of the conformance report: one self-contained file (inline CSS and script, no network), rendered on the
 * server side so that it reads without script too; the script only adds the filters by verdict, area and text.
 */
import type { Verdict } from './classify.ts';
import type { EvidenceItem } from './evidence.ts';
import type { ConformanceReport, Failure, RuleResult } from './report.ts';

export const VERDICT_LABEL: Record<Verdict, string> = {
  pass: 'pass',
  fail: 'fail',
  error: 'error',
  'not-applicable': 'not applicable',
  'not-run': 'not run',
};

const VERDICT_HELP: Record<Verdict, string> = {
  pass: 'at least one test of the rule passed and none failed',
  fail: 'a test of the rule failed: the server does not conform',
  error: 'the tests of the rule could not reach the target (connection refused, timeout, TLS failure): an error of the target, not a conformance failure',
  'not-applicable': 'every test of the rule was skipped as not applicable, with a reason: nothing to check on this server (data) or not checked by configuration (config)',
  'not-run': 'no test of the rule ran (filtered out with --grep, or no test yet)',
};

const VERDICT_ORDER: readonly Verdict[] = ['fail', 'error', 'pass', 'not-applicable', 'not-run'];

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function badge(v: Verdict, extra = ''): string {
  return `<span class="badge v-${v}${extra ? ` ${extra}` : ''}" title="${esc(VERDICT_HELP[v])}">${esc(VERDICT_LABEL[v])}</span>`;
}

function fact(label: string, value: string, cls = ''): string {
  return `<div class="fact${cls ? ` ${cls}` : ''}"><dt>${esc(label)}</dt><dd>${value}</dd></div>`;
}

function header(r: ConformanceReport): string {
  const t = r.target;
  const verdictText =
    r.verdict === 'fail' ? `${plural(r.summary.fail, 'rule')} fail${r.summary.fail === 1 ? 's' : ''}` : r.verdict === 'error' ? `${plural(r.summary.error, 'rule')} not checked: errors of the target` : 'no rule fails';
  const date = new Date(r.run.startTime);
  const api = t.apiVersions.length ? `${esc(t.apiVersions.join(', '))}${t.apiVersion ? ` <span class="muted">(logged on with ${esc(t.apiVersion)})</span>` : ''}` : '<span class="muted">unknown</span>';
  const tls = t.tlsInsecure
    ? '<span class="warn-pill" title="EM_TLS_INSECURE=1: the certificate of the target was not verified">TLS verification OFF</span>'
    : t.url?.startsWith('https:')
      ? `verified${t.privateCa ? ' (private CA, EM_CA_FILE)' : ''}`
      : '<span class="muted">plain HTTP</span>';
  const shards = r.run.merged ? ` · merged from ${plural(r.run.shards ?? 0, 'shard')}` : '';
  return `
<header class="top">
  <div class="title">
    <h1>EM conformance report</h1>
    <p class="target-url"><code>${esc(t.url ?? 'unknown target')}</code>${t.embeddedMock ? ' <span class="pill">embedded mock</span>' : ''}</p>
  </div>
  <div class="verdict v-${r.verdict}" id="overall"><strong>${r.verdict === 'pass' ? 'PASS' : r.verdict === 'fail' ? 'FAIL' : 'ERROR'}</strong><span>${esc(verdictText)}</span></div>
</header>
<dl class="facts">
  ${fact('EM version', t.emVersion ? `${esc(t.emVersion)} <span class="muted">(inferred from GET /api/)</span>` : `<span class="muted">${t.error ? esc(`unknown: GET /api/ failed (${t.error.replace(/^apiRequestContext\.\w+:\s*/, '')})`) : 'unknown'}</span>`)}
  ${fact('API versions', api)}
  ${fact('Profile', t.profile ? `${esc(t.profile)}${t.jsonKeys ? ` <span class="muted">(${esc(t.jsonKeys)} JSON)</span>` : ''}` : '<span class="muted">unknown</span>')}
  ${fact('TLS', tls, t.tlsInsecure ? 'warn' : '')}
  ${fact('Suite', `${esc(r.suite.name)} ${esc(r.suite.version)}`)}
  ${fact('Spec', `${esc(r.spec.version)} <span class="muted">(spec/openapi.yaml)</span>`)}
  ${fact('Date', `<time datetime="${esc(r.run.startTime)}">${esc(date.toISOString().slice(0, 16).replace('T', ' '))} UTC</time>`)}
  ${fact('Duration', `${esc(duration(r.run.durationMs))}${esc(shards)}`)}
  ${fact('Requests', esc(r.run.requests.toLocaleString('en-US')))}
  ${fact('Tests', `${r.run.tests.total} <span class="muted">(${esc(r.run.projects.join(', '))})</span>`)}
  ${fact('Writes', t.allowWrites ? 'enabled' : t.allowWrites === false ? '<span class="muted">disabled</span>' : '<span class="muted">unknown</span>')}
  ${fact('Restricted account', t.restrictedAccount ? 'configured' : t.restrictedAccount === false ? '<span class="muted">none</span>' : '<span class="muted">unknown</span>')}
</dl>`;
}

function summaryBar(r: ConformanceReport): string {
  const total = r.summary.rules || 1;
  const values: Record<Verdict, number> = { pass: r.summary.pass, fail: r.summary.fail, error: r.summary.error, 'not-applicable': r.summary.notApplicable, 'not-run': r.summary.notRun };
  const segments = VERDICT_ORDER.filter((v) => values[v] > 0)
    .map((v) => `<span class="seg v-${v}" style="width:${((values[v] / total) * 100).toFixed(2)}%" title="${esc(`${values[v]} ${VERDICT_LABEL[v]}`)}"></span>`)
    .join('');
  return `<div class="bar" aria-hidden="true">${segments}</div>`;
}

function failedList(r: ConformanceReport): string {
  const line = (label: string, v: Verdict) => {
    const ids = r.rules.filter((x) => x.verdict === v);
    return ids.length ? `<p class="quick v-${v}"><b>${esc(label)}</b> ${ids.map((x) => `<a href="#rule-${esc(x.id)}" title="${esc(x.title)}">${esc(x.id)}</a>`).join(' ')}</p>` : '';
  };
  return line('Failed rules:', 'fail') + line('Rules in error:', 'error');
}

function toolbar(r: ConformanceReport): string {
  const values: Record<Verdict, number> = { pass: r.summary.pass, fail: r.summary.fail, error: r.summary.error, 'not-applicable': r.summary.notApplicable, 'not-run': r.summary.notRun };
  const buttons = VERDICT_ORDER.map(
    (v) =>
      `<button type="button" class="toggle v-${v}" data-filter-verdict="${v}" aria-pressed="true" title="${esc(`Show or hide rules that ${v === 'not-run' ? 'did not run' : `are ${VERDICT_LABEL[v]}`}: ${VERDICT_HELP[v]}`)}"><span class="dot"></span>${esc(VERDICT_LABEL[v])} <b>${values[v]}</b></button>`,
  ).join('');
  const areas = r.families
    .filter((f) => f.rules > 0)
    .map((f) => `<option value="${esc(f.id)}">${esc(f.id)} (${f.rules})${f.fail ? ` — ${f.fail} fail` : ''}</option>`)
    .join('');
  return `
<div class="toolbar" id="filters" role="search">
  <div class="toggles" role="group" aria-label="Verdicts">${buttons}</div>
  <label>Area <select id="filter-area"><option value="">all areas</option>${areas}</select></label>
  <label class="search">Find <input id="filter-text" type="search" placeholder="rule ID, title or operation" autocomplete="off"></label>
  <button type="button" id="filter-reset" class="link">reset</button>
  <span id="filter-count" class="muted" aria-live="polite">${r.rules.length} of ${r.rules.length} rules</span>
</div>`;
}

function targetErrors(r: ConformanceReport): string {
  if (!r.targetErrors.length) return '';
  const errors = r.failures.map((f, i) => ({ f, i })).filter(({ f }) => f.kind === 'error');
  const rows = r.targetErrors
    .map(
      (g) =>
        `<tr><td><code>${esc(g.cause)}</code></td><td class="num">${g.tests}</td><td>${g.rules.length ? g.rules.map((id) => `<a href="#rule-${esc(id)}">${esc(id)}</a>`).join(' ') : '<span class="muted">—</span>'}</td><td class="muted">${esc(g.example)}</td></tr>`,
    )
    .join('');
  return `
<section id="target-errors" class="panel errors">
  <h2>Errors of the target <span class="muted">— not conformance failures</span></h2>
  <p>These tests could not reach the server or got no answer in time (connection refused, timeout, TLS failure). The
  rules they check are reported as <em>error</em>: fix the connection (URL, network, EM_CA_FILE, EM_TIMEOUT_MS) and run again.</p>
  <table class="grid"><thead><tr><th>cause</th><th class="num">tests</th><th>rules</th><th>for example</th></tr></thead><tbody>${rows}</tbody></table>
  <details class="error-tests"><summary>the ${plural(errors.length, 'test')} and their messages</summary>${errors.map(({ f, i }) => failureCard(f, i, false)).join('')}</details>
</section>`;
}

function bodyWithHighlight(body: string, highlight: [number, number] | null): string {
  if (!highlight) return esc(body);
  const [a, b] = highlight;
  return `${esc(body.slice(0, a))}<mark>${esc(body.slice(a, b))}</mark>${esc(body.slice(b))}`;
}

function evidenceItem(e: EvidenceItem, n: number, of: number): string {
  const request = e.request
    ? `<div class="request"><span class="method">${esc(e.request.method)}</span> <code class="url">${esc(e.request.url)}</code>${e.request.status !== null ? ` <span class="status s${String(e.request.status)[0]}">${e.request.status}</span>` : ''}</div>`
    : '';
  const ea =
    e.expected !== null || e.actual !== null
      ? `<div class="ea"><div class="expected"><h4>Expected</h4><pre>${esc(e.expected ?? '—')}</pre></div><div class="actual"><h4>Actual</h4><pre>${esc(e.actual ?? '—')}</pre></div></div>`
      : '';
  const body =
    e.body !== null
      ? `<details class="body"${n === 0 ? ' open' : ''}><summary>Response body${e.highlight ? ' — the actual value is highlighted' : ' (excerpt)'}</summary><pre>${bodyWithHighlight(e.body, e.highlight)}</pre></details>`
      : '';
  return `<div class="item">${of > 1 ? `<h4 class="inum">error ${n + 1} of ${of}</h4>` : ''}${request}${ea}<pre class="message">${esc(e.message)}</pre>${body}</div>`;
}

function failureCard(f: Failure, index: number, open: boolean): string {
  const rules = f.rules.length ? f.rules.map((id) => `<a class="rule-ref" href="#rule-${esc(id)}">${esc(id)}</a>`).join(' ') : '<span class="muted">no rule tag</span>';
  const total = f.items.length + f.moreErrors;
  const violations = f.violations.length
    ? `<table class="grid violations"><thead><tr><th>request</th><th>check</th><th>where</th><th>expected</th><th>actual</th></tr></thead><tbody>${f.violations
        .map((v) => `<tr><td><code>${esc(v.request)}</code></td><td><code>${esc(v.check)}</code></td><td><code>${esc(v.where)}</code></td><td>${esc(v.expected)}</td><td>${esc(v.actual)}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return `
<details class="failure v-${f.kind}" id="failure-${index}" data-verdict="${f.kind}" data-families="${esc(f.families.join(' '))}" data-search="${esc(`${f.rules.join(' ')} ${f.title}`.toLowerCase())}"${open ? ' open' : ''}>
  <summary>${badge(f.kind)} ${rules} <span class="ftitle">${esc(f.title)}</span> <span class="project">${esc(f.project)}</span> <span class="fnum muted">#${index + 1}</span></summary>
  <div class="fbody">
    ${f.items[0] ? evidenceItem(f.items[0], 0, total) : ''}
    ${f.items.length > 1 ? `<details class="more"><summary>${f.items.length === 2 ? 'error 2' : `errors 2–${f.items.length}`} of ${total}</summary>${f.items.slice(1).map((e, n) => evidenceItem(e, n + 1, total)).join('')}</details>` : ''}
    ${f.moreErrors ? `<p class="muted">… and ${plural(f.moreErrors, 'more error')} (see the Playwright HTML report)</p>` : ''}
    ${violations}
    <p class="muted small">${esc(f.location ?? '')}</p>
  </div>
</details>`;
}

/** Failure cards grouped by their first rule; the first card of each rule opens (up to 12). */
function cards(list: Array<{ f: Failure; i: number }>): string {
  const sorted = [...list].sort((a, b) => (a.f.rules[0] ?? '~').localeCompare(b.f.rules[0] ?? '~', 'en', { numeric: true }) || a.i - b.i);
  const seen = new Set<string>();
  return sorted
    .map(({ f, i }) => {
      const key = f.rules[0] ?? '';
      const open = !seen.has(key) && seen.size < 12;
      seen.add(key);
      return failureCard(f, i, open);
    })
    .join('');
}

function failuresSection(r: ConformanceReport): string {
  const fails = r.failures.map((f, i) => ({ f, i })).filter(({ f }) => f.kind === 'fail');
  if (!fails.length) return '';
  return `
<section id="failures" class="panel">
  <h2>Failures <span class="muted">— ${plural(fails.length, 'failed test')}, with the evidence</span></h2>
  <p class="muted">For every failed test: the request, its status, expected vs actual as the assertion states them, and the
  part of the response body concerned (the last response the test received, when the assertion names no request).
  Secrets and session tokens are redacted.</p>
  ${cards(fails)}
</section>`;
}

function ruleRow(rule: RuleResult, report: ConformanceReport): string {
  const projects = report.run.projects
    .filter((p) => rule.byProject[p])
    .map((p) => `<span class="proj v-${rule.byProject[p]}" title="${esc(`${p}: ${VERDICT_LABEL[rule.byProject[p]!]}`)}">${esc(p)}</span>`)
    .join('');
  const na = rule.notApplicable.length
    ? `<ul class="na">${rule.notApplicable.map((n) => `<li><span class="kind k-${n.kind}">${n.kind}</span> ${esc(n.reason)} <span class="muted">(${esc(n.project)})</span></li>`).join('')}</ul>`
    : '';
  const failures = rule.failures.length
    ? `<p class="flinks">evidence: ${rule.failures.map((i) => `<a href="#failure-${i}" title="${esc(report.failures[i]!.title)}">${esc(report.failures[i]!.kind === 'error' ? 'error' : 'failure')} #${i + 1} <span class="muted">(${esc(report.failures[i]!.project)})</span></a>`).join(' ')}</p>`
    : '';
  const ops = rule.operations.join(' ');
  const source = `<details class="source"><summary>source: ${esc(rule.source.doc)}</summary><blockquote>${esc(rule.source.quote)}</blockquote>${rule.source.note ? `<p class="muted">${esc(rule.source.note)}</p>` : ''}${rule.choice ? `<p class="choice"><b>Choice:</b> ${esc(rule.choice)}</p>` : ''}<p class="muted small">operations: ${esc(rule.operations.join(', '))} · representations: ${esc(rule.representations.join(', '))}</p></details>`;
  return `
<tr class="rule v-${rule.verdict}" id="rule-${esc(rule.id)}" data-rule-row data-verdict="${rule.verdict}" data-family="${esc(rule.family)}" data-search="${esc(`${rule.id} ${rule.title} ${ops}`.toLowerCase())}">
  <td class="vcell">${badge(rule.verdict)}${rule.naKind ? `<span class="kind k-${rule.naKind}">${rule.naKind}</span>` : ''}</td>
  <td class="idcell"><a href="#rule-${esc(rule.id)}" class="rid">${esc(rule.id)}</a><span class="level l-${esc(rule.level)}">${esc(rule.level)}</span></td>
  <td class="text"><div class="rtitle">${esc(rule.title)}</div><div class="statement">${esc(rule.statement)}</div>${na}${failures}${source}</td>
  <td class="projects">${projects || '<span class="muted">no test in this run</span>'}<div class="tcount muted">${plural(rule.tests.length, 'test')}</div></td>
</tr>`;
}

function rulesSection(r: ConformanceReport): string {
  const groups = r.families
    .filter((f) => f.rules > 0)
    .map((f) => {
      const rows = r.rules.filter((x) => x.family === f.id).map((x) => ruleRow(x, r)).join('');
      const counts = VERDICT_ORDER.map((v) => ({ v, n: f[v === 'not-applicable' ? 'notApplicable' : v === 'not-run' ? 'notRun' : v] }))
        .filter((c) => c.n > 0)
        .map((c) => `<span class="count v-${c.v}">${c.n} ${esc(VERDICT_LABEL[c.v])}</span>`)
        .join('');
      return `
<details class="family" id="family-${esc(f.id)}" data-family-group="${esc(f.id)}" open>
  <summary><span class="fid">${esc(f.id)}</span> <span class="fdesc">${esc(f.description)}</span> <span class="counts">${counts}</span></summary>
  <table class="rules"><colgroup><col class="c-v"><col class="c-id"><col><col class="c-p"></colgroup><tbody>${rows}</tbody></table>
</details>`;
    })
    .join('');
  return `
<section id="rules" class="panel">
  <h2>Rules <span class="muted">— ${r.summary.rules} rules of spec/rules.yaml, by area</span></h2>
  ${groups}
  <p id="no-rules" class="empty" hidden>No rule matches the filters.</p>
</section>`;
}

function matrixSection(r: ConformanceReport): string {
  const order = ['xml', 'json', 'cross', 'actions'];
  const rank = (p: string) => (order.includes(p) ? order.indexOf(p) : order.length);
  const projects = (r.run.projects.length ? [...r.run.projects] : order.slice(0, 3)).sort((a, b) => rank(a) - rank(b));
  const rows = [{ id: '*', method: '', path: 'every operation' }, ...r.operations].map((op) => {
    const rules = r.rules.filter((x) => (op.id === '*' ? x.operations.includes('*') : x.operations.includes(op.id)));
    if (!rules.length) return '';
    const chip = (x: RuleResult, v: Verdict) =>
      `<a class="chip v-${v}" href="#rule-${esc(x.id)}" data-chip data-verdict="${v}" data-family="${esc(x.family)}" data-search="${esc(`${x.id} ${x.title} ${op.id}`.toLowerCase())}" title="${esc(`${x.id} ${x.title} — ${VERDICT_LABEL[v]}`)}">${esc(x.id)}</a>`;
    const cells = projects.map((p) => `<td>${rules.filter((x) => x.byProject[p]).map((x) => chip(x, x.byProject[p]!)).join('')}</td>`).join('');
    const untested = rules.filter((x) => !Object.keys(x.byProject).length);
    const head = op.id === '*' ? `<th scope="row"><span class="op">* every operation</span><span class="muted small">rules that apply to all</span></th>` : `<th scope="row"><span class="op"><b>${esc(op.method)}</b> ${esc(op.path)}</span><span class="muted small">${esc(op.id)}</span></th>`;
    return `<tr data-op="${esc(op.id)}">${head}${cells}<td>${untested.map((x) => chip(x, 'not-run')).join('')}</td></tr>`;
  });
  return `
<section id="matrix" class="panel">
  <h2>Matrix <span class="muted">— operations × rules × representation</span></h2>
  <p class="muted">Each operation lists the rules that concern it (spec/rules.yaml <code>operations</code>), per project: <b>xml</b> and
  <b>json</b> run the same tests in each representation, <b>cross</b> compares the two, <b>actions</b> changes the server
  (when writes are enabled) after every read test. A chip is the rule's verdict from
  that project's tests; click it for the rule.</p>
  <div class="matrix-wrap"><table class="matrix"><thead><tr><th>operation</th>${projects.map((p) => `<th>${esc(p)}</th>`).join('')}<th>no test</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>
</section>`;
}

function legend(): string {
  return `
<section id="legend" class="panel legend">
  <h2>How to read this report</h2>
  <dl>${VERDICT_ORDER.map((v) => `<div>${badge(v)}<dd>${esc(VERDICT_HELP[v])}.</dd></div>`).join('')}</dl>
  <p class="muted">A test names its rules with tags (<code>@PAGE-002</code>). A rule <b>fails</b> if any of its tests failed; it is in <b>error</b>
  when its tests could not reach the target; it <b>passes</b> if at least one of its tests passed and none failed; it is <b>not applicable</b>
  if all its tests were skipped as not applicable. Not-applicable reasons are of two kinds: <span class="kind k-data">data</span> (the server
  holds nothing to check) and <span class="kind k-config">config</span> (the run was configured not to check it). The machine-readable
  form of this page is <code>conformance.json</code> beside it (schema: <code>schemas/conformance-report.schema.json</code>).</p>
</section>`;
}

/** The report's style sheet, shared with compare.html (src/compare/html.ts) so both look alike. */
export const CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;
--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--error:#bc4c00;--error-bg:#fff1e5;
--na:#57606a;--na-bg:#eaeef2;--nr:#8c959f;--nr-bg:#f6f8fa;--accent:#0969da}
*{box-sizing:border-box}
html{font-size:14px}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif}
main{max-width:1280px;margin:0 auto;padding:20px 24px 48px}
code,pre,.url{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.muted{color:var(--muted)}.small{font-size:.85em}
h1{font-size:1.6rem;margin:0}h2{font-size:1.2rem;margin:0 0 10px}h4{margin:0 0 4px;font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.top{display:flex;justify-content:space-between;align-items:center;gap:16px;margin-bottom:14px}
.target-url{margin:4px 0 0;font-size:1.05rem}
.pill,.warn-pill{display:inline-block;border-radius:999px;padding:1px 8px;font-size:.8rem;background:var(--na-bg);color:var(--na)}
.warn-pill{background:#fff8c5;color:#7d4e00;border:1px solid #d4a72c;font-weight:600}
.verdict{display:flex;flex-direction:column;align-items:center;border-radius:10px;padding:10px 22px;min-width:170px;border:2px solid}
.verdict strong{font-size:1.7rem;letter-spacing:.06em}.verdict span{font-size:.9rem}
.verdict.v-pass{color:var(--pass);background:var(--pass-bg);border-color:var(--pass)}
.verdict.v-fail{color:var(--fail);background:var(--fail-bg);border-color:var(--fail)}
.verdict.v-error{color:var(--error);background:var(--error-bg);border-color:var(--error)}
.facts{display:grid;grid-template-columns:repeat(6,1fr);gap:1px;margin:0 0 14px;background:var(--line);border:1px solid var(--line);border-radius:8px;overflow:hidden}
.fact{background:var(--card);padding:8px 12px}.fact dt{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}.fact dd{margin:2px 0 0;overflow-wrap:anywhere}
.fact.warn{background:#fffbe6}
.bar{display:flex;height:12px;border-radius:6px;overflow:hidden;background:var(--line);margin:0 0 10px}
.seg{display:block;height:100%}
.seg.v-pass{background:var(--pass)}.seg.v-fail{background:var(--fail)}.seg.v-error{background:var(--error)}.seg.v-not-applicable{background:#8c959f}.seg.v-not-run{background:#d1d9e0}
.quick{margin:0 0 6px;font-size:.92rem}.quick a{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;margin-right:6px}.quick.v-fail b{color:var(--fail)}.quick.v-error b{color:var(--error)}
.toolbar{position:sticky;top:0;z-index:5;display:flex;flex-wrap:wrap;align-items:center;gap:10px 16px;background:rgba(246,248,250,.96);backdrop-filter:blur(4px);padding:10px 0;border-bottom:1px solid var(--line);margin-bottom:16px}
.toggles{display:flex;flex-wrap:wrap;gap:6px}
.toggle{display:inline-flex;align-items:center;gap:6px;border:1px solid var(--line);background:var(--card);border-radius:999px;padding:4px 12px;font:inherit;cursor:pointer;color:var(--fg)}
.toggle b{font-variant-numeric:tabular-nums}
.toggle .dot{width:10px;height:10px;border-radius:50%;background:currentColor}
.toggle.v-pass .dot{background:var(--pass)}.toggle.v-fail .dot{background:var(--fail)}.toggle.v-error .dot{background:var(--error)}.toggle.v-not-applicable .dot{background:#8c959f}.toggle.v-not-run .dot{background:#d1d9e0;border:1px solid #8c959f}
.toggle[aria-pressed=false]{opacity:.45;text-decoration:line-through;background:transparent}
.toolbar label{display:inline-flex;align-items:center;gap:6px;color:var(--muted)}
.toolbar select,.toolbar input{font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}
.toolbar input{width:190px}
.toggles{gap:5px}.toggle{padding:4px 10px}
#filter-count{margin-left:auto}
tr.rule,details.failure,details.family,section.panel{scroll-margin-top:64px}
button.link{border:0;background:none;color:var(--accent);cursor:pointer;font:inherit;padding:0}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin-bottom:18px}
.panel>p{margin:0 0 12px}
.errors{border-color:var(--error);background:#fffaf5}.errors h2{color:var(--error)}
details.error-tests{margin-top:10px}details.error-tests>summary{cursor:pointer;color:var(--accent);margin-bottom:8px}
table{border-collapse:collapse;width:100%}
.grid th,.grid td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
.grid th{font-size:.8rem;color:var(--muted);font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;min-width:92px;text-align:center;border-radius:6px;padding:2px 8px;font-size:.8rem;font-weight:600;white-space:nowrap}
.badge.v-pass{background:var(--pass-bg);color:var(--pass)}.badge.v-fail{background:var(--fail);color:#fff}.badge.v-error{background:var(--error);color:#fff}
.badge.v-not-applicable{background:var(--na-bg);color:var(--na)}.badge.v-not-run{background:var(--nr-bg);color:var(--nr);border:1px dashed var(--nr)}
.kind{display:inline-block;border-radius:4px;padding:0 5px;font-size:.72rem;margin-left:4px;border:1px solid var(--line);color:var(--muted)}
.kind.k-config{border-color:#8250df;color:#8250df}
details.family{border-top:1px solid var(--line)}
details.family>summary{cursor:pointer;padding:10px 4px;display:flex;gap:10px;align-items:baseline;list-style:none}
details.family>summary::-webkit-details-marker{display:none}
details.family>summary::before{content:"▸";color:var(--muted);width:10px}details.family[open]>summary::before{content:"▾"}
.fid{font-weight:700;min-width:64px}.fdesc{color:var(--muted);flex:1;font-size:.92rem}
.counts{display:flex;gap:6px;flex-wrap:wrap;justify-content:flex-end}
.count{font-size:.75rem;border-radius:999px;padding:1px 8px;white-space:nowrap}
.count.v-pass{background:var(--pass-bg);color:var(--pass)}.count.v-fail{background:var(--fail);color:#fff}.count.v-error{background:var(--error);color:#fff}.count.v-not-applicable{background:var(--na-bg);color:var(--na)}.count.v-not-run{background:var(--nr-bg);color:var(--nr);border:1px dashed var(--nr)}
table.rules{table-layout:fixed;margin-bottom:8px}
col.c-v{width:128px}col.c-id{width:104px}col.c-p{width:170px}
tr.rule>td{border-top:1px solid #eef1f4;padding:8px 6px;vertical-align:top}
tr.rule.v-fail{background:#fff8f7}tr.rule.v-error{background:#fffaf5}
tr.rule:target{outline:2px solid var(--accent);outline-offset:-2px}
.rid{font-weight:600;font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace}
.level{display:block;font-size:.7rem;color:var(--muted)}.level.l-MUST{color:#953800}
.rtitle{font-weight:600}.statement{color:#3d444d;font-size:.92rem;margin-top:2px}
.na{margin:6px 0 0;padding-left:18px;font-size:.88rem;color:var(--na)}
.flinks{margin:6px 0 0;font-size:.88rem}.flinks a{display:inline-block;margin-right:10px}
details.source{margin-top:4px;font-size:.85rem}details.source summary{cursor:pointer;color:var(--muted)}
blockquote{margin:6px 0;padding:4px 10px;border-left:3px solid var(--line);color:#3d444d;white-space:pre-wrap}
.choice{color:#8250df;margin:4px 0}
.projects{text-align:right}
.proj{display:inline-block;font-size:.75rem;border-radius:4px;padding:1px 6px;margin:0 0 3px 4px;font-family:ui-monospace,monospace}
.proj.v-pass{background:var(--pass-bg);color:var(--pass)}.proj.v-fail{background:var(--fail);color:#fff}.proj.v-error{background:var(--error);color:#fff}.proj.v-not-applicable{background:var(--na-bg);color:var(--na)}.proj.v-not-run{color:var(--nr);border:1px dashed var(--nr)}
.tcount{font-size:.75rem}
details.failure{border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:8px;margin:0 0 10px;background:#fff}
details.failure.v-error{border-left-color:var(--error)}
details.failure>summary{cursor:pointer;padding:8px 12px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.ftitle{font-weight:600;flex:1;min-width:240px}.project{font-family:ui-monospace,monospace;font-size:.8rem;background:var(--na-bg);border-radius:4px;padding:1px 6px}
.rule-ref{font-family:ui-monospace,monospace;font-weight:600}
.fbody{padding:0 14px 12px}
.item+.item{border-top:1px dashed var(--line);margin-top:12px;padding-top:10px}
.inum{margin:0 0 6px}
details.more{margin-top:10px}details.more>summary{cursor:pointer;color:var(--accent);font-size:.9rem}details.more .item{border-top:1px dashed var(--line);margin-top:10px;padding-top:10px}
.request{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin-bottom:10px;overflow-wrap:anywhere}
.method{font-weight:700;font-family:ui-monospace,monospace}
.status{display:inline-block;border-radius:4px;padding:0 6px;font-weight:700;font-family:ui-monospace,monospace;background:var(--na-bg)}
.status.s2{background:var(--pass-bg);color:var(--pass)}.status.s4,.status.s5{background:var(--fail-bg);color:var(--fail)}
.ea{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin-bottom:10px}
.ea>div{border-radius:6px;padding:6px 10px}.ea pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:180px;overflow:auto}
.expected{background:var(--pass-bg)}.actual{background:var(--fail-bg)}
pre.message{background:#fbfbfc;border:1px solid #eef1f4;border-radius:6px;padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:260px;overflow:auto;margin:0 0 10px}
details.body summary{cursor:pointer;color:var(--muted);font-size:.85rem}
details.body pre{background:#0d1117;color:#e6edf3;border-radius:6px;padding:10px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:320px;overflow:auto;margin:6px 0 0}
mark{background:#ffd33d;color:#1f2328;border-radius:2px;padding:0 1px;outline:2px solid #ffd33d}
.violations{margin-bottom:10px;font-size:.88rem}
.matrix-wrap{overflow-x:auto}
table.matrix{table-layout:fixed;min-width:900px}
table.matrix th,table.matrix td{border:1px solid var(--line);padding:6px;vertical-align:top;text-align:left}
table.matrix thead th{background:#f6f8fa;font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
table.matrix thead th:first-child{width:250px}
table.matrix th[scope=row]{font-weight:400}
.op{display:block;font-family:ui-monospace,monospace;font-size:.85rem;overflow-wrap:anywhere}
.chip{display:inline-block;font-family:ui-monospace,monospace;font-size:.72rem;border-radius:4px;padding:1px 5px;margin:1px 2px}
.chip.v-pass{background:var(--pass-bg);color:var(--pass)}.chip.v-fail{background:var(--fail);color:#fff}.chip.v-error{background:var(--error);color:#fff}.chip.v-not-applicable{background:var(--na-bg);color:var(--na)}.chip.v-not-run{color:var(--nr);border:1px dashed var(--nr)}
.legend dl{display:grid;grid-template-columns:1fr;gap:4px;margin:0 0 10px}.legend dl>div{display:flex;gap:10px;align-items:baseline}.legend dd{margin:0}
.empty{color:var(--muted);font-style:italic}
footer{color:var(--muted);font-size:.85rem;text-align:center;margin-top:24px}
[hidden]{display:none!important}
@media (max-width:1100px){.facts{grid-template-columns:repeat(4,1fr)}}
@media (max-width:900px){.facts{grid-template-columns:repeat(2,1fr)}col.c-p{width:90px}.ea{grid-template-columns:1fr}.verdict{min-width:0}}
@media print{.toolbar{display:none}details{open:true}}
`;

const SCRIPT = `
(function(){
  var verdicts = new Set(Array.prototype.map.call(document.querySelectorAll('[data-filter-verdict]'), function(b){return b.dataset.filterVerdict;}));
  var area = document.getElementById('filter-area');
  var text = document.getElementById('filter-text');
  var countEl = document.getElementById('filter-count');
  function matches(el, verdict){
    var q = text.value.trim().toLowerCase();
    var fam = area.value;
    var famOk = !fam || (el.dataset.family ? el.dataset.family === fam : (' ' + (el.dataset.families || '') + ' ').indexOf(' ' + fam + ' ') >= 0);
    return verdicts.has(verdict) && famOk && (!q || (el.dataset.search || '').indexOf(q) >= 0);
  }
  function apply(){
    var rows = document.querySelectorAll('[data-rule-row]'), shown = 0;
    rows.forEach(function(r){ var ok = matches(r, r.dataset.verdict); r.hidden = !ok; if (ok) shown++; });
    document.querySelectorAll('[data-family-group]').forEach(function(g){ g.hidden = !g.querySelector('[data-rule-row]:not([hidden])'); });
    document.querySelectorAll('[data-chip]').forEach(function(c){ c.hidden = !matches(c, c.dataset.verdict); });
    document.querySelectorAll('details.failure').forEach(function(f){ f.hidden = !matches(f, f.dataset.verdict === 'error' ? 'error' : 'fail'); });
    var none = document.getElementById('no-rules'); if (none) none.hidden = shown > 0;
    countEl.textContent = shown + ' of ' + rows.length + ' rules';
  }
  document.querySelectorAll('[data-filter-verdict]').forEach(function(b){
    b.addEventListener('click', function(){
      var v = b.dataset.filterVerdict;
      if (verdicts.has(v)) verdicts.delete(v); else verdicts.add(v);
      b.setAttribute('aria-pressed', verdicts.has(v) ? 'true' : 'false');
      apply();
    });
  });
  area.addEventListener('change', apply);
  text.addEventListener('input', apply);
  document.getElementById('filter-reset').addEventListener('click', function(){
    document.querySelectorAll('[data-filter-verdict]').forEach(function(b){ verdicts.add(b.dataset.filterVerdict); b.setAttribute('aria-pressed', 'true'); });
    area.value = ''; text.value = ''; apply();
  });
  // following a link shows its target: filters reset if it is hidden, closed sections around it opened
  function reveal(){
    var el = location.hash && document.getElementById(location.hash.slice(1));
    if (!el) return;
    if (el.hidden || (el.closest('[hidden]'))) document.getElementById('filter-reset').click();
    for (var d = el; d; d = d.parentElement) if (d.tagName === 'DETAILS') d.open = true;
    el.scrollIntoView();
  }
  window.addEventListener('hashchange', reveal);
  apply();
  reveal();
})();
`;

/** The head of a self-contained page (inline style, nothing from the network), shared with compare.html. */
export function pageHead(title: string, css: string, contentSecurityPolicy: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<title>${esc(title)}</title>
<style>${css}</style>
</head>`;
}

export function renderReportHtml(r: ConformanceReport): string {
  const title = `EM conformance — ${r.verdict.toUpperCase()} — ${r.target.url ?? 'unknown target'}`;
  return `${pageHead(title, CSS, "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:")}
<body>
<main>
${header(r)}
${summaryBar(r)}
${failedList(r)}
${toolbar(r)}
${targetErrors(r)}
${failuresSection(r)}
${rulesSection(r)}
${matrixSection(r)}
${legend()}
${r.unknownRules.length ? `<p class="muted">Tests tag rules missing from spec/rules.yaml: ${esc(r.unknownRules.join(', '))}</p>` : ''}
<footer>${esc(r.suite.name)} ${esc(r.suite.version)} · spec ${esc(r.spec.version)} · generated ${esc(r.generatedAt)} · machine-readable: <a href="conformance.json">conformance.json</a></footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
