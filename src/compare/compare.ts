/**
 * Upgrade readiness: compares two conformance reports (today's EM, the baseline, and the upgrade candidate) and says
 * what changes for clients — rule verdicts that change, and representation shapes (src/compare/shapes.ts) classified
 * breaking (removed, renamed, retyped, recased) or additive — with a summary a person can act on. docs/compare.md
 * describes compare.json.
 *
 * Two runs of the same server differ by the data they happened to read (an optional element present or not, an enum
 * value seen or not, a running session with a Stop link…). So absence only counts when it is certain: a path is
 * *removed* only when the baseline had it in every instance of its parent (seen at least MIN_INSTANCES times) and the
 * candidate has none in at least MIN_INSTANCES instances; otherwise it is *not seen* (unknown), never a change. The
 * same holds for *added*. Enum values within the documented enumeration, and operations exercised on one side only,
 * are never reported as changes.
 */
import type { Verdict } from '../report/classify.ts';
import type { ConformanceReport, RuleResult } from '../report/report.ts';
import { enumProperties, isLinkPath, lastName, parentPath, type OperationShape, type PathStat, type ShapeData } from './shapes.ts';

export const COMPARE_SCHEMA_VERSION = 1;

/** Instances of a parent each side must have shown before absence under it counts as removal (or addition). */
export const MIN_INSTANCES = 3;
/** Timestamps each side must have shown before a change of precision or zone counts. */
export const MIN_TIMESTAMPS = 5;

export type ChangeClass = 'breaking' | 'additive';

export type FindingKind =
  | 'recased'
  | 'removed'
  | 'renamed'
  | 'retyped'
  | 'added'
  | 'value-recased'
  | 'value-new'
  | 'timestamp-precision'
  | 'timestamp-zone'
  | 'default-page-size'
  | 'api-version-removed'
  | 'api-version-added'
  | 'media-type';

export interface OperationRef {
  operationId: string;
  method: string;
  path: string;
  status: number;
}

export interface ShapeFinding {
  class: ChangeClass;
  kind: FindingKind;
  /** What changed: a JSON key, an XML element or attribute, a link, a value… */
  subject: 'key' | 'element' | 'attribute' | 'link' | 'value' | 'timestamp' | 'page-size' | 'api-version' | 'media-type';
  /** Media type of the representation (null for findings about the server as a whole: API versions). */
  mediaType: string | null;
  operations: OperationRef[];
  /** Paths (or values) concerned. */
  count: number;
  /** One sentence: what changes and for whom. */
  message: string;
  /** Up to five examples, baseline → candidate (null where one side has nothing). */
  examples: Array<{ baseline: string | null; candidate: string | null }>;
  /** Recasings: the distinct key renames, with how many paths each concerns. */
  renames?: Array<{ from: string; to: string; paths: number }>;
}

export type RuleChangeKind = 'regressed' | 'fixed' | 'newly-not-applicable' | 'error' | 'other';

export interface RuleChange {
  id: string;
  title: string;
  family: string;
  level: string;
  baseline: Verdict | 'absent';
  candidate: Verdict | 'absent';
  change: RuleChangeKind;
  /** A rule that passed fails now (in some project). */
  breaking: boolean;
  /** Projects (xml, json, cross) whose verdict changed. */
  projects: Array<{ project: string; baseline: Verdict | 'absent'; candidate: Verdict | 'absent' }>;
  /** Why the candidate's tests were not applicable, for newly not-applicable rules. */
  reasons?: string[];
}

export interface SideInfo {
  /** Where the report was read from. */
  source: string;
  url: string | null;
  emVersion: string | null;
  profile: string | null;
  apiVersions: string[];
  suite: string;
  spec: string;
  startTime: string;
  verdict: ConformanceReport['verdict'];
  tests: number;
  requests: number;
  /** Responses whose shapes were recorded (0 when the report has no shape data). */
  shapeResponses: number;
}

export interface CompareResult {
  schemaVersion: number;
  generatedAt: string;
  baseline: SideInfo;
  candidate: SideInfo;
  /**
   * breaking: something clients rely on changes (exit 1); inconclusive: the comparison could not be made in full
   * (a report without shape data, rules in error on the candidate: exit 1); compatible: nothing breaks (exit 0).
   */
  verdict: 'compatible' | 'breaking' | 'inconclusive';
  /** Sentences a person can act on, most important first. */
  summary: string[];
  counts: {
    breaking: number;
    additive: number;
    rulesRegressed: number;
    rulesFixed: number;
    rulesNewlyNotApplicable: number;
    rulesInError: number;
    operationsCompared: number;
    pathsCompared: number;
  };
  rules: RuleChange[];
  findings: ShapeFinding[];
  /** Operations (with status and media type) exercised by one run only: not compared. */
  notCompared: Array<OperationRef & { mediaType: string; side: 'baseline' | 'candidate' }>;
  warnings: string[];
}

// ---------------------------------------------------------------- rules

function projectVerdicts(r: RuleResult | undefined): Record<string, Verdict> {
  return r?.byProject ?? {};
}

export function compareRules(baseline: ConformanceReport, candidate: ConformanceReport): RuleChange[] {
  const b = new Map(baseline.rules.map((r) => [r.id, r]));
  const c = new Map(candidate.rules.map((r) => [r.id, r]));
  const ids = [...new Set([...b.keys(), ...c.keys()])];
  const out: RuleChange[] = [];
  for (const id of ids) {
    const br = b.get(id);
    const cr = c.get(id);
    const bv = br?.verdict ?? 'absent';
    const cv = cr?.verdict ?? 'absent';
    const bp = projectVerdicts(br);
    const cp = projectVerdicts(cr);
    const projects = [...new Set([...Object.keys(bp), ...Object.keys(cp)])]
      .sort()
      .map((project) => ({ project, baseline: bp[project] ?? ('absent' as const), candidate: cp[project] ?? ('absent' as const) }))
      .filter((p) => p.baseline !== p.candidate);
    if (bv === cv && !projects.some((p) => p.baseline === 'pass' && p.candidate === 'fail')) continue;
    const regressed = (bv === 'pass' && cv === 'fail') || projects.some((p) => p.baseline === 'pass' && p.candidate === 'fail');
    let change: RuleChangeKind;
    if (regressed) change = 'regressed';
    else if (bv === 'fail' && cv === 'pass') change = 'fixed';
    else if (cv === 'not-applicable') change = 'newly-not-applicable';
    else if (cv === 'error') change = 'error';
    else change = 'other';
    const rule = cr ?? br!;
    const entry: RuleChange = { id, title: rule.title, family: rule.family, level: rule.level, baseline: bv, candidate: cv, change, breaking: regressed, projects };
    if (change === 'newly-not-applicable') entry.reasons = [...new Set((cr?.notApplicable ?? []).map((n) => n.reason))].slice(0, 5);
    out.push(entry);
  }
  const order: RuleChangeKind[] = ['regressed', 'error', 'newly-not-applicable', 'fixed', 'other'];
  return out.sort((x, y) => order.indexOf(x.change) - order.indexOf(y.change) || x.id.localeCompare(y.id));
}

// ---------------------------------------------------------------- shapes

const fold = (s: string) => s.toLowerCase();
const isJsonMedia = (m: string) => /json/.test(m);
const MEDIA_LABEL = (m: string) => (isJsonMedia(m) ? 'JSON' : /xml/.test(m) ? 'XML' : m);

function opRef(op: OperationShape): OperationRef {
  return { operationId: op.operationId, method: op.method, path: op.path, status: op.status };
}

function recordKey(op: Pick<OperationShape, 'operationId' | 'status' | 'mediaType'>): string {
  return `${op.operationId}\u0000${op.status}\u0000${op.mediaType}`;
}

/** Path as a reader sees it: JSON `Entities.BackupJobSessions`, XML `QueryResult/Entities/@Type`. */
function subjectOf(p: string, json: boolean): ShapeFinding['subject'] {
  if (isLinkPath(p)) return 'link';
  if (json) return 'key';
  return lastName(p) !== (p.split('/').pop() ?? '') ? 'attribute' : 'element';
}

function linkLabel(p: string): string {
  const seg = p.split(/[./]/).pop() ?? '';
  const [rel, type] = seg.slice(1, -1).split(' ');
  return `link Rel="${rel}"${type && type !== '-' ? ` Type="${type}"` : ' (no Type)'}`;
}

function valueKinds(s: PathStat): string[] {
  return s.kinds.filter((k) => k !== 'null' && k !== 'empty' && k !== 'link');
}

/** The candidate path matching a baseline path exactly, or else by letter case; undefined when the candidate has neither. */
function matcher(c: OperationShape) {
  const byFold = new Map<string, string[]>();
  for (const p of Object.keys(c.paths)) byFold.set(fold(p), [...(byFold.get(fold(p)) ?? []), p]);
  return (p: string): string | undefined => (c.paths[p] ? p : byFold.get(fold(p))?.[0]);
}

interface PathPairs {
  recased: Array<[string, string]>;
  removed: string[];
  added: string[];
  retyped: Array<[string, string, PathStat, PathStat]>;
  valueRecased: Array<[string, string, string]>;
  valueNew: Array<[string, string]>;
  compared: number;
}

/** Compares the paths of one operation (status, media type) on both sides. */
function comparePaths(b: OperationShape, c: OperationShape): PathPairs {
  const json = isJsonMedia(b.mediaType);
  const out: PathPairs = { recased: [], removed: [], added: [], retyped: [], valueRecased: [], valueNew: [], compared: 0 };
  const inCandidate = matcher(c);
  const inBaseline = matcher(b);
  const enums = enumProperties();
  /** Whether a path was in every one of at least MIN_INSTANCES instances of its parent on that side. */
  const always = (side: OperationShape, p: string) => {
    const s = side.paths[p];
    const parent = side.paths[parentPath(p, json)];
    const parentN = parent ? parent.n : side.responses;
    return Boolean(s) && parentN >= MIN_INSTANCES && s!.in >= parentN;
  };
  /** Instances of the parent of `p` (a path of the other side) on this side, matched exactly or by letter case. */
  const parentInstances = (side: OperationShape, match: (p: string) => string | undefined, p: string) => {
    const parent = parentPath(p, json);
    if (!parent) return side.responses;
    const m = match(parent);
    return m ? side.paths[m]!.n : 0;
  };
  for (const [p, bs] of Object.entries(b.paths)) {
    if (!p) continue;
    const q = inCandidate(p);
    if (q === undefined) {
      if (always(b, p) && parentInstances(c, inCandidate, p) >= MIN_INSTANCES) out.removed.push(p);
      continue;
    }
    out.compared += 1;
    if (q !== p) {
      if (!b.paths[q]) out.recased.push([p, q]);
      continue;
    }
    const cs = c.paths[q]!;
    const bk = valueKinds(bs);
    const ck = valueKinds(cs);
    if (bk.length && ck.length && !bk.some((k) => ck.includes(k))) out.retyped.push([p, q, bs, cs]);
    if (cs.values) {
      const documented = enums.get(lastName(p).toLowerCase())?.documented;
      const seen = new Set(bs.values ?? []);
      const seenFolded = new Map((bs.values ?? []).map((v) => [fold(v), v]));
      for (const v of cs.values) {
        if (seen.has(v)) continue;
        const was = seenFolded.get(fold(v)) ?? [...(documented ?? [])].find((d) => fold(d) === fold(v) && d !== v);
        if (was !== undefined && was !== v) out.valueRecased.push([p, was, v]);
        else if (documented && !documented.has(v)) out.valueNew.push([p, v]);
      }
    }
  }
  for (const q of Object.keys(c.paths)) {
    if (!q || inBaseline(q) !== undefined) continue;
    if (always(c, q) && parentInstances(b, inBaseline, q) >= MIN_INSTANCES) out.added.push(q);
  }
  return out;
}

/** Drops paths whose parent is in the list too (a removed element's descendants), keeping how many were folded in. */
function topMost(paths: string[], json: boolean): Array<{ path: string; within: number }> {
  const set = new Set(paths);
  const top = new Map<string, number>();
  for (const p of paths) {
    let root = p;
    for (let parent = parentPath(p, json); parent && set.has(parent); parent = parentPath(parent, json)) root = parent;
    top.set(root, (top.get(root) ?? 0) + (root === p ? 0 : 1));
  }
  return [...top].map(([path, within]) => ({ path, within }));
}

function segments(p: string): string[] {
  return p.split(/[./]/);
}

/** PascalCase → camelCase, camelCase → PascalCase, or another change of letter case. */
function casingChange(from: string, to: string): string {
  const lower = (s: string) => s[0] !== undefined && s[0] === s[0].toLowerCase() && s[0] !== s[0].toUpperCase();
  const upper = (s: string) => s[0] !== undefined && s[0] === s[0].toUpperCase() && s[0] !== s[0].toLowerCase();
  if (upper(from) && lower(to)) return 'PascalCase → camelCase';
  if (lower(from) && upper(to)) return 'camelCase → PascalCase';
  return 'letter case changed';
}

function describeOp(op: OperationRef): string {
  return `${op.method} ${op.path} (${op.operationId}${op.status !== 200 ? `, ${op.status}` : ''})`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function shortestFirst(a: [string, string], b: [string, string]): number {
  return segments(a[0]).length - segments(b[0]).length || a[0].length - b[0].length;
}

/** The shape findings of one operation present on both sides. */
function operationFindings(b: OperationShape, c: OperationShape, pairs: PathPairs): ShapeFinding[] {
  const json = isJsonMedia(b.mediaType);
  const media = MEDIA_LABEL(b.mediaType);
  const ops = [opRef(b)];
  const where = describeOp(opRef(b));
  const out: ShapeFinding[] = [];
  if (pairs.recased.length) {
    const renames = new Map<string, { from: string; to: string; paths: number }>();
    for (const [p, q] of pairs.recased) {
      const ps = segments(p);
      const qs = segments(q);
      ps.forEach((s, i) => {
        if (s !== qs[i] && !/^\{/.test(s)) {
          const key = `${s}\u0000${qs[i]}`;
          const r = renames.get(key) ?? { from: s.replace(/\[\]$/, ''), to: (qs[i] ?? '').replace(/\[\]$/, ''), paths: 0 };
          r.paths += 1;
          renames.set(key, r);
        }
      });
    }
    const list = [...renames.values()].sort((x, y) => y.paths - x.paths || x.from.localeCompare(y.from));
    // examples: first the two-level containers clients read most (Entities.BackupJobSessions), then the shortest paths
    const weight = new Map<string, number>();
    for (const [p, s] of Object.entries(b.paths)) {
      const top = segments(p).slice(0, 2).join(json ? '.' : '/');
      if (top !== p) weight.set(top, (weight.get(top) ?? 0) + s.n);
    }
    const container = ([p]: [string, string]) => (segments(p).length === 2 && !p.includes('[]') && b.paths[p]!.kinds.includes('object') ? (weight.get(p) ?? 0) : -1);
    const examples = [...pairs.recased].filter(([p]) => !isLinkPath(p)).sort((x, y) => container(y) - container(x) || shortestFirst(x, y));
    const first = examples[0] ?? pairs.recased[0]!;
    out.push({
      class: 'breaking',
      kind: 'recased',
      subject: json ? 'key' : 'element',
      mediaType: b.mediaType,
      operations: ops,
      count: pairs.recased.length,
      message: `${where}: clients reading the ${media} ${json ? 'key' : 'name'} ${first[0]} break: the candidate answers ${first[1]} (${plural(pairs.recased.length, 'path')}, ${plural(list.length, 'distinct key')} recased, ${casingChange(list[0]?.from ?? '', list[0]?.to ?? '')})`,
      examples: examples.slice(0, 5).map(([p, q]) => ({ baseline: p, candidate: q })),
      renames: list,
    });
  }
  // a removed path and an added one under the same parent, of the same kinds: one renamed path
  const removed = topMost(pairs.removed, json);
  const added = topMost(pairs.added, json);
  const renamed: Array<[string, string]> = [];
  for (const r of removed) {
    if (isLinkPath(r.path)) continue;
    const parent = fold(parentPath(r.path, json));
    const siblingsRemoved = removed.filter((x) => fold(parentPath(x.path, json)) === parent && !isLinkPath(x.path));
    const siblingsAdded = added.filter((x) => fold(parentPath(x.path, json)) === parent && !isLinkPath(x.path));
    if (siblingsRemoved.length !== 1 || siblingsAdded.length !== 1) continue;
    const a = siblingsAdded[0]!;
    const bk = valueKinds(b.paths[r.path]!);
    const ck = valueKinds(c.paths[a.path]!);
    if (bk.length && ck.length && !bk.some((k) => ck.includes(k))) continue;
    renamed.push([r.path, a.path]);
  }
  const renamedFrom = new Set(renamed.map(([p]) => p));
  const renamedTo = new Set(renamed.map(([, q]) => q));
  const label = (p: string) => (isLinkPath(p) ? `${linkLabel(p)} under ${parentPath(p, json) || 'the document'}` : p);
  for (const [p, q] of renamed) {
    out.push({ class: 'breaking', kind: 'renamed', subject: subjectOf(p, json), mediaType: b.mediaType, operations: ops, count: 1, message: `${where}: clients reading the ${media} ${subjectOf(p, json)} ${p} break: the candidate sends ${q} instead`, examples: [{ baseline: p, candidate: q }] });
  }
  for (const r of removed.filter((x) => !renamedFrom.has(x.path))) {
    const subject = subjectOf(r.path, json);
    out.push({
      class: 'breaking',
      kind: 'removed',
      subject,
      mediaType: b.mediaType,
      operations: ops,
      count: 1 + r.within,
      message: `${where}: clients reading the ${media} ${subject === 'link' ? label(r.path) : `${subject} ${r.path}`} break: the baseline always sent it, the candidate never does${r.within ? ` (with ${plural(r.within, 'path')} inside it)` : ''}`,
      examples: [{ baseline: r.path, candidate: null }],
    });
  }
  for (const a of added.filter((x) => !renamedTo.has(x.path))) {
    const subject = subjectOf(a.path, json);
    out.push({ class: 'additive', kind: 'added', subject, mediaType: b.mediaType, operations: ops, count: 1 + a.within, message: `${where}: the candidate also sends the ${media} ${subject === 'link' ? label(a.path) : `${subject} ${a.path}`}`, examples: [{ baseline: null, candidate: a.path }] });
  }
  for (const [p, , bs, cs] of pairs.retyped) {
    out.push({ class: 'breaking', kind: 'retyped', subject: subjectOf(p, json), mediaType: b.mediaType, operations: ops, count: 1, message: `${where}: clients reading the ${media} ${subjectOf(p, json)} ${p} as ${valueKinds(bs).join(' or ')} break: the candidate sends ${valueKinds(cs).join(' or ')}`, examples: [{ baseline: `${p}: ${valueKinds(bs).join('|')}`, candidate: `${p}: ${valueKinds(cs).join('|')}` }] });
  }
  for (const [p, was, now] of pairs.valueRecased) {
    out.push({ class: 'breaking', kind: 'value-recased', subject: 'value', mediaType: b.mediaType, operations: ops, count: 1, message: `${where}: clients comparing ${p} with "${was}" break: the candidate sends "${now}"`, examples: [{ baseline: `${p} = ${was}`, candidate: `${p} = ${now}` }] });
  }
  for (const [p, v] of pairs.valueNew) {
    out.push({ class: 'additive', kind: 'value-new', subject: 'value', mediaType: b.mediaType, operations: ops, count: 1, message: `${where}: the candidate sends ${p} = "${v}", a value outside the documented enumeration (clients with an exhaustive switch should expect it)`, examples: [{ baseline: null, candidate: `${p} = ${v}` }] });
  }
  const bSize = b.defaultPageSize ?? [];
  const cSize = c.defaultPageSize ?? [];
  if (bSize.length && cSize.length && !bSize.some((n) => cSize.includes(n))) {
    out.push({ class: 'breaking', kind: 'default-page-size', subject: 'page-size', mediaType: b.mediaType, operations: ops, count: 1, message: `${where}: clients that do not page break: without pageSize the baseline answers ${bSize.join(' or ')} items per page, the candidate ${cSize.join(' or ')}`, examples: [{ baseline: `PageSize ${bSize.join('|')}`, candidate: `PageSize ${cSize.join('|')}` }] });
  }
  return out;
}

interface TimestampStats {
  digits: Set<number>;
  zones: Set<string>;
  count: number;
  /** Example path per digit count. */
  example: Map<number, string>;
  ops: Map<string, { ref: OperationRef; digits: Set<number> }>;
}

function timestampStats(ops: OperationShape[]): Map<string, TimestampStats> {
  const byMedia = new Map<string, TimestampStats>();
  for (const op of ops) {
    const media = MEDIA_LABEL(op.mediaType);
    const t = byMedia.get(media) ?? { digits: new Set(), zones: new Set(), count: 0, example: new Map(), ops: new Map() };
    byMedia.set(media, t);
    for (const [p, s] of Object.entries(op.paths)) {
      if (!s.digits) continue;
      t.count += s.n;
      const perOp = t.ops.get(op.operationId) ?? { ref: opRef(op), digits: new Set<number>() };
      t.ops.set(op.operationId, perOp);
      for (const d of s.digits) {
        t.digits.add(d);
        perOp.digits.add(d);
        if (!t.example.has(d)) t.example.set(d, p);
      }
      for (const z of s.zones ?? []) t.zones.add(z);
    }
  }
  return byMedia;
}

function range(set: Set<number>): string {
  const sorted = [...set].sort((a, b) => a - b);
  if (!sorted.length) return 'none';
  return sorted[0] === sorted[sorted.length - 1] ? String(sorted[0]) : `${sorted[0]}–${sorted[sorted.length - 1]}`;
}

function precisionName(max: number): string {
  return max === 0 ? 'whole seconds' : max <= 3 ? 'milliseconds' : max <= 6 ? 'microseconds' : '100-nanosecond ticks';
}

/** Timestamp precision and zone suffix, per media type, over the operations both runs exercised. */
function timestampFindings(b: OperationShape[], c: OperationShape[]): ShapeFinding[] {
  const bs = timestampStats(b);
  const cs = timestampStats(c);
  const out: ShapeFinding[] = [];
  for (const [media, bt] of bs) {
    const ct = cs.get(media);
    if (!ct || bt.count < MIN_TIMESTAMPS || ct.count < MIN_TIMESTAMPS) continue;
    const bMax = Math.max(...bt.digits);
    const cMax = Math.max(...ct.digits);
    const mediaType = b.find((op) => MEDIA_LABEL(op.mediaType) === media)!.mediaType;
    if (bMax !== cMax) {
      const affected = [...ct.ops.values()].filter((o) => {
        const was = bt.ops.get(o.ref.operationId);
        return was && Math.max(...was.digits) !== Math.max(...o.digits);
      });
      const bEx = bt.example.get(bMax)!;
      const cEx = ct.example.get(cMax)!;
      out.push({
        class: 'breaking',
        kind: 'timestamp-precision',
        subject: 'timestamp',
        mediaType,
        operations: affected.map((o) => o.ref),
        count: ct.count,
        message: `${media} timestamps change precision: the baseline sends ${range(bt.digits)} fractional-second digits (${precisionName(bMax)}${bt.digits.size > 1 ? ', trailing zeros trimmed' : ''}), the candidate ${range(ct.digits)} (${precisionName(cMax)}), e.g. ${bEx}; clients parsing timestamps with a fixed format, or comparing them as text, break (${plural(affected.length, 'operation')})`,
        examples: [{ baseline: `${bEx}: ${range(bt.digits)} digits`, candidate: `${cEx}: ${range(ct.digits)} digits` }],
      });
    }
    const bz = [...bt.zones].sort();
    const cz = [...ct.zones].sort();
    if (bz.join() !== cz.join()) {
      out.push({ class: 'breaking', kind: 'timestamp-zone', subject: 'timestamp', mediaType, operations: [], count: ct.count, message: `${media} timestamps change their zone suffix: the baseline sends ${bz.join(', ')}, the candidate ${cz.join(', ')}; clients reading them as UTC may shift times`, examples: [{ baseline: bz.join(', '), candidate: cz.join(', ') }] });
    }
  }
  return out;
}

function apiVersionFindings(b: string[], c: string[]): ShapeFinding[] {
  if (!b.length || !c.length) return [];
  const out: ShapeFinding[] = [];
  const gone = b.filter((v) => !c.includes(v));
  const fresh = c.filter((v) => !b.includes(v));
  const entry: OperationRef = { operationId: 'getEnterpriseManager', method: 'GET', path: '/', status: 200 };
  if (gone.length) out.push({ class: 'breaking', kind: 'api-version-removed', subject: 'api-version', mediaType: null, operations: [entry], count: gone.length, message: `clients logging on with ${gone.map((v) => `?v=${v}`).join(', ')} break: the candidate supports only ${c.join(', ')}`, examples: gone.map((v) => ({ baseline: v, candidate: null })) });
  if (fresh.length) out.push({ class: 'additive', kind: 'api-version-added', subject: 'api-version', mediaType: null, operations: [entry], count: fresh.length, message: `the candidate also supports API ${fresh.join(', ')}`, examples: fresh.map((v) => ({ baseline: null, candidate: v })) });
  return out;
}

export interface ShapeComparison {
  findings: ShapeFinding[];
  notCompared: CompareResult['notCompared'];
  operationsCompared: number;
  pathsCompared: number;
}

export function compareShapes(b: ShapeData, c: ShapeData): ShapeComparison {
  const cByKey = new Map(c.operations.map((op) => [recordKey(op), op]));
  const bByKey = new Map(b.operations.map((op) => [recordKey(op), op]));
  const findings: ShapeFinding[] = [];
  const notCompared: CompareResult['notCompared'] = [];
  const bothB: OperationShape[] = [];
  const bothC: OperationShape[] = [];
  let pathsCompared = 0;
  for (const bop of b.operations) {
    const cop = cByKey.get(recordKey(bop));
    if (!cop) {
      // the same operation and status answered in another media type only: the negotiation changed
      const others = c.operations.filter((o) => o.operationId === bop.operationId && o.status === bop.status && !bByKey.has(recordKey(o)));
      if (others.length && bop.responses >= MIN_INSTANCES) {
        findings.push({ class: 'breaking', kind: 'media-type', subject: 'media-type', mediaType: bop.mediaType, operations: [opRef(bop)], count: bop.responses, message: `${describeOp(opRef(bop))}: clients expecting ${bop.mediaType} break: the candidate answers ${others.map((o) => o.mediaType).join(' or ')}`, examples: [{ baseline: bop.mediaType, candidate: others.map((o) => o.mediaType).join(', ') }] });
      } else notCompared.push({ ...opRef(bop), mediaType: bop.mediaType, side: 'baseline' });
      continue;
    }
    bothB.push(bop);
    bothC.push(cop);
    const pairs = comparePaths(bop, cop);
    pathsCompared += pairs.compared;
    findings.push(...operationFindings(bop, cop, pairs));
  }
  for (const cop of c.operations) if (!bByKey.has(recordKey(cop)) && !findings.some((f) => f.kind === 'media-type' && f.operations[0]!.operationId === cop.operationId && f.operations[0]!.status === cop.status)) notCompared.push({ ...opRef(cop), mediaType: cop.mediaType, side: 'candidate' });
  findings.push(...timestampFindings(bothB, bothC));
  findings.push(...apiVersionFindings(b.apiVersions, c.apiVersions));
  const order: FindingKind[] = ['api-version-removed', 'media-type', 'recased', 'timestamp-precision', 'timestamp-zone', 'renamed', 'removed', 'retyped', 'value-recased', 'default-page-size', 'added', 'value-new', 'api-version-added'];
  findings.sort((x, y) => (x.class === y.class ? 0 : x.class === 'breaking' ? -1 : 1) || order.indexOf(x.kind) - order.indexOf(y.kind));
  return { findings, notCompared, operationsCompared: bothB.length, pathsCompared };
}

// ---------------------------------------------------------------- summary

function sideInfo(r: ConformanceReport, source: string): SideInfo {
  return {
    source,
    url: r.target.url,
    emVersion: r.target.emVersion,
    profile: r.target.profile,
    apiVersions: r.shapes?.apiVersions.length ? r.shapes.apiVersions : r.target.apiVersions,
    suite: `${r.suite.name} ${r.suite.version}`,
    spec: r.spec.version,
    startTime: r.run.startTime,
    verdict: r.verdict,
    tests: r.run.tests.total,
    requests: r.run.requests,
    shapeResponses: r.shapes?.responses ?? 0,
  };
}

/** One sentence per family of recasings: all operations whose keys recase the same way, with one example. */
function recasingSummary(findings: ShapeFinding[]): string[] {
  const groups = new Map<string, ShapeFinding[]>();
  for (const f of findings.filter((x) => x.kind === 'recased')) {
    const key = `${MEDIA_LABEL(f.mediaType ?? '')}\u0000${casingChange(f.renames?.[0]?.from ?? '', f.renames?.[0]?.to ?? '')}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups].map(([key, list]) => {
    const [media, change] = key.split('\u0000');
    const keys = new Set(list.flatMap((f) => (f.renames ?? []).map((r) => `${r.from}\u0000${r.to}`)));
    const paths = list.reduce((n, f) => n + f.count, 0);
    // the example: a two-level key, where most clients start reading (Entities.BackupJobSessions)
    const first = [...list].sort((x, y) => y.count - x.count)[0]!;
    const example = first.examples[0]!;
    return `Clients reading the ${media} ${media === 'JSON' ? 'key' : 'name'} ${example.baseline} break: the candidate answers ${example.candidate}. ${media} keys are recased (${change}) in ${plural(new Set(list.flatMap((f) => f.operations.map((o) => o.operationId))).size, 'operation')} (${plural(paths, 'key path')}, ${plural(keys.size, 'distinct key')}); update the clients' key names or normalise the casing when reading.`;
  });
}

function ruleSentence(changes: RuleChange[], kind: RuleChangeKind, text: (ids: string) => string): string[] {
  const list = changes.filter((r) => r.change === kind);
  if (!list.length) return [];
  const ids = list.slice(0, 12).map((r) => `${r.id} (${r.title}${r.projects.length ? `; ${r.projects.map((p) => p.project).join(', ')}` : ''})`).join(', ');
  return [text(`${ids}${list.length > 12 ? ` and ${list.length - 12} more` : ''}`)];
}

export interface CompareOptions {
  baselineSource?: string;
  candidateSource?: string;
  now?: Date;
}

export function compareReports(baseline: ConformanceReport, candidate: ConformanceReport, opts: CompareOptions = {}): CompareResult {
  const warnings: string[] = [];
  const rules = compareRules(baseline, candidate);
  let shapes: ShapeComparison = { findings: [], notCompared: [], operationsCompared: 0, pathsCompared: 0 };
  const missing = [!baseline.shapes && 'baseline', !candidate.shapes && 'candidate'].filter(Boolean);
  if (missing.length) warnings.push(`no representation shapes in the ${missing.join(' and the ')} report (written by a suite before shape recording, or a run that received nothing): only rule verdicts were compared`);
  else shapes = compareShapes(baseline.shapes!, candidate.shapes!);
  if (baseline.spec.version !== candidate.spec.version || baseline.suite.version !== candidate.suite.version) {
    warnings.push(`the runs used different suites or specs (baseline ${baseline.suite.version} / spec ${baseline.spec.version}, candidate ${candidate.suite.version} / spec ${candidate.spec.version}): some differences may come from the suite, not the servers`);
  }
  if (shapes.notCompared.length) {
    const b = shapes.notCompared.filter((n) => n.side === 'baseline').length;
    const c = shapes.notCompared.length - b;
    warnings.push(`${plural(shapes.notCompared.length, 'operation answer')} (operation, status, media type) were seen in one run only and not compared (${b} baseline only, ${c} candidate only): the runs read different data`);
  }
  const breakingFindings = shapes.findings.filter((f) => f.class === 'breaking');
  const additive = shapes.findings.filter((f) => f.class === 'additive');
  const regressed = rules.filter((r) => r.change === 'regressed');
  const inError = rules.filter((r) => r.change === 'error');

  const summary: string[] = [];
  summary.push(...breakingFindings.filter((f) => f.kind === 'api-version-removed' || f.kind === 'media-type').map((f) => capitalise(f.message)));
  summary.push(...recasingSummary(breakingFindings));
  summary.push(...breakingFindings.filter((f) => f.kind.startsWith('timestamp')).map((f) => capitalise(f.message)));
  const rest = breakingFindings.filter((f) => !['api-version-removed', 'media-type', 'recased', 'timestamp-precision', 'timestamp-zone'].includes(f.kind));
  summary.push(...rest.slice(0, 15).map((f) => capitalise(f.message)));
  if (rest.length > 15) summary.push(`${plural(rest.length - 15, 'more breaking change')} below.`);
  const recasedJson = breakingFindings.some((f) => f.kind === 'recased' && isJsonMedia(f.mediaType ?? ''));
  summary.push(
    ...ruleSentence(rules, 'regressed', (ids) => {
      // projects of the suite: json reads JSON, cross compares the XML and the JSON of a resource, xml reads XML
      const noXml = regressed.every((r) => r.projects.length > 0 && r.projects.every((p) => p.project === 'json' || p.project === 'cross'));
      return `${plural(regressed.length, 'rule')} that pass${regressed.length === 1 ? 'es' : ''} on the baseline fail${regressed.length === 1 ? 's' : ''} on the candidate: ${ids}.${noXml && recasedJson ? ' All in the JSON representation (or the comparison of XML and JSON), none in XML: consistent with the recased JSON keys.' : ''} The candidate's conformance report has the evidence.`;
    }),
  );
  summary.push(...ruleSentence(rules, 'error', (ids) => `${plural(inError.length, 'rule')} could not be checked on the candidate (errors of the target: connection, timeout, TLS): ${ids}. Fix the connection and run again before trusting this comparison.`));
  summary.push(...ruleSentence(rules, 'newly-not-applicable', (ids) => `Not checked on the candidate any more (not applicable there): ${ids}; give the candidate the data or configuration the baseline had.`));
  summary.push(...ruleSentence(rules, 'fixed', (ids) => `Fixed on the candidate (fail → pass): ${ids}.`));
  if (additive.length) summary.push(`${plural(additive.length, 'additive change')} (new keys, elements, links, values or API versions): safe for clients that ignore what they do not know.`);
  const breaking = breakingFindings.length + regressed.length;
  const inconclusive = missing.length > 0 || inError.length > 0;
  const verdict: CompareResult['verdict'] = breaking ? 'breaking' : inconclusive ? 'inconclusive' : 'compatible';
  if (verdict === 'compatible') summary.unshift(`Nothing breaks: the same rule verdicts${rules.length ? ' for the rules clients rely on' : ''}, and no representation changes in the ${plural(shapes.operationsCompared, 'operation answer')} compared (${plural(shapes.pathsCompared, 'path')}).`);
  if (verdict === 'inconclusive' && !breaking) summary.unshift('Nothing was found to break, but the comparison is incomplete (see the warnings).');
  return {
    schemaVersion: COMPARE_SCHEMA_VERSION,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    baseline: sideInfo(baseline, opts.baselineSource ?? ''),
    candidate: sideInfo(candidate, opts.candidateSource ?? ''),
    verdict,
    summary,
    counts: {
      breaking,
      additive: additive.length,
      rulesRegressed: regressed.length,
      rulesFixed: rules.filter((r) => r.change === 'fixed').length,
      rulesNewlyNotApplicable: rules.filter((r) => r.change === 'newly-not-applicable').length,
      rulesInError: inError.length,
      operationsCompared: shapes.operationsCompared,
      pathsCompared: shapes.pathsCompared,
    },
    rules,
    findings: shapes.findings,
    notCompared: shapes.notCompared,
    warnings,
  };
}

function capitalise(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : s;
}

/** Exit code of compare and upgrade-check: 0 nothing breaks, 1 something breaks or the comparison is incomplete. */
export function exitCodeOf(result: CompareResult): number {
  return result.verdict === 'compatible' ? 0 : 1;
}
