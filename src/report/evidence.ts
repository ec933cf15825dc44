/**
 * The evidence of a failure, from the assertion message and the `em-evidence` attachment of the suite's fixtures
 * (the last responses of the test and the automatic-check violations): request line, status, the offending part of
 * the body, expected vs actual. Everything passes through scrub().
 */
import { scrub, stripAnsi } from './scrub.ts';

export interface EvidenceResponse {
  /** Order of receipt within the worker. */
  seq?: number;
  /** Indexes of the test's errors this was the last response before. */
  forErrors?: number[];
  /** The test's last response. */
  last?: boolean;
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  body: string;
}

export interface EvidenceViolation {
  request: string;
  status: number;
  check: string;
  where: string;
  expected: string;
  actual: string;
  message: string;
}

/** The evidence of one error of a test. */
export interface EvidenceItem {
  /** The assertion message without code frames and stack. */
  message: string;
  expected: string | null;
  actual: string | null;
  /** The request the error is about: named in the message, else the last response received before the error. */
  request: { method: string; url: string; status: number | null } | null;
  /** The part of the response body to look at (cut around the actual value when it is found). */
  body: string | null;
  /** Where `actual` sits in `body` ([start, end) character offsets), for highlighting. */
  highlight: [number, number] | null;
}

export interface Evidence {
  /** One entry per error of the test (the first MAX_ITEMS). */
  items: EvidenceItem[];
  /** Errors beyond `items`. */
  moreErrors: number;
  violations: EvidenceViolation[];
  /** Source location of the test. */
  location: string | null;
}

export const MAX_ITEMS = 5;

const REQUEST_LINE = /\b(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (https?:\/\/\S+) → (\d{3})/;

/** The message without ANSI codes, code frames (`> 12 | …`), carets and stack lines, trimmed to `maxLines`. */
export function cleanMessage(raw: string, maxLines = 40): string {
  const lines = stripAnsi(raw)
    .split('\n')
    .filter((l) => !/^\s*>?\s*\d+\s\|/.test(l) && !/^\s*\|\s*\^/.test(l) && !/^\s+at\s/.test(l));
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const cut = lines.length > maxLines ? [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`] : lines;
  return cut.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^Error:\s*/, '');
}

function unquote(v: string): string {
  const t = v.trim();
  return /^".*"$/.test(t) ? t.slice(1, -1) : t;
}

/** Expected and actual as the assertion states them (expect's Expected/Received, the suite's matchers, a diff). */
export function expectedActual(message: string): { expected: string | null; actual: string | null } {
  const text = stripAnsi(message);
  const status = text.match(/expected status (\d{3}), got (\d{3})/);
  if (status) return { expected: status[1]!, actual: status[2]! };
  const expected = text.match(/^\s*Expected(?: [\w ]+)?: (.*)$/m);
  const received = text.match(/^\s*Received(?: [\w ]+)?: (.*)$/m);
  if (expected || received) return { expected: expected ? expected[1]!.trim() : null, actual: received ? received[1]!.trim() : null };
  // toEqual-style diff: "- Expected  - 1 / + Received  + 1" then lines starting with - / +
  if (/^- Expected/m.test(text) && /^\+ Received/m.test(text)) {
    const body = text.split('\n').filter((l) => /^[-+] /.test(l) && !/^[-+] (Expected|Received)/.test(l));
    return { expected: body.filter((l) => l.startsWith('- ')).map((l) => l.slice(2)).join('\n') || null, actual: body.filter((l) => l.startsWith('+ ')).map((l) => l.slice(2)).join('\n') || null };
  }
  const toBeEm = text.match(/expected EM's Error body with status (\d{3}): ([^\n]*)/);
  if (toBeEm) return { expected: `status ${toBeEm[1]} with EM's Error body`, actual: toBeEm[2]!.trim() };
  return { expected: null, actual: null };
}

/** Indents a one-line XML body, one element per line (text-only elements stay on their line). */
export function prettyXml(xml: string): string {
  const lines = xml.replace(/>\s*</g, '>\n<').split('\n');
  let depth = 0;
  const out: string[] = [];
  for (const line of lines) {
    const closing = line.startsWith('</');
    if (closing) depth = Math.max(0, depth - 1);
    out.push(`${'  '.repeat(depth)}${line}`);
    const opening = line.startsWith('<') && !closing && !/^<[?!]/.test(line) && !line.endsWith('/>') && !line.includes('</');
    if (opening) depth += 1;
  }
  return out.join('\n');
}

/** A body made readable: JSON re-indented, one-line XML indented; anything else (or a cut JSON) as it is. */
export function prettyBody(body: string): string {
  const text = body.trim();
  if (/^[{[]/.test(text)) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return body;
    }
  }
  if (text.startsWith('<') && text.split('\n').length <= 2) return prettyXml(text);
  return body;
}

/** A window of `body` around `needle` (or its head), with the needle's offsets in the window. */
export function excerpt(body: string, needle: string | null, radius = 700): { text: string; highlight: [number, number] | null } {
  const value = needle ? unquote(needle) : '';
  const at = value.length >= 1 && value.length < 400 ? findValue(body, value) : -1;
  // a short value (a digit, `1`) is only pointed at when it occurs once: elsewhere the highlight would be a guess
  if (at < 0) return { text: body.length > radius * 2 ? `${body.slice(0, radius * 2)}…` : body, highlight: null };
  const start = Math.max(0, at - radius);
  const end = Math.min(body.length, at + value.length + radius);
  const prefix = start > 0 ? '…' : '';
  const text = `${prefix}${body.slice(start, end)}${end < body.length ? '…' : ''}`;
  return { text, highlight: [prefix.length + at - start, prefix.length + at - start + value.length] };
}

/** Finds a value as a whole token (not inside a longer number or word). */
function findValue(body: string, value: string): number {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const matches = [...body.matchAll(new RegExp(`(?<![\\w.-])${escaped}(?![\\w-])`, 'g'))];
  if (!matches.length || (value.length < 3 && matches.length > 1)) return -1;
  return matches[0]!.index!;
}

function parseAttachment(body: Buffer | string | undefined): { responses: EvidenceResponse[]; violations: EvidenceViolation[] } {
  if (body === undefined) return { responses: [], violations: [] };
  try {
    const data = JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as { responses?: EvidenceResponse[]; violations?: EvidenceViolation[] };
    return { responses: Array.isArray(data.responses) ? data.responses : [], violations: Array.isArray(data.violations) ? data.violations : [] };
  } catch {
    return { responses: [], violations: [] };
  }
}

/** The latest of the responses (by order of receipt). */
function latest(list: EvidenceResponse[]): EvidenceResponse | undefined {
  return list.reduce<EvidenceResponse | undefined>((best, r) => (!best || (r.seq ?? 0) > (best.seq ?? 0) ? r : best), undefined);
}

function item(raw: string, response: EvidenceResponse | undefined, responses: EvidenceResponse[], fallback: { expected: string | null; actual: string | null }): EvidenceItem {
  const text = stripAnsi(raw);
  let { expected, actual } = expectedActual(text);
  if (expected === null && actual === null) ({ expected, actual } = fallback);
  let request: EvidenceItem['request'] = null;
  let body: string | null = null;
  const inMessage = text.match(REQUEST_LINE);
  if (inMessage) {
    // the suite's matchers name the request and show the body after it
    request = { method: inMessage[1]!, url: inMessage[2]!, status: Number(inMessage[3]) };
    const match = responses.find((r) => r.method === request!.method && r.url === request!.url);
    body = match ? match.body : cleanMessage(text.slice(inMessage.index! + inMessage[0].length).replace(/^[^\n]*\n/, ''), 60) || null;
  } else if (response) {
    request = { method: response.method, url: response.url, status: response.status };
    body = response.body;
  }
  let highlight: EvidenceItem['highlight'] = null;
  if (body !== null) {
    const cut = excerpt(prettyBody(scrub(body)), actual);
    body = cut.text;
    highlight = cut.highlight;
  }
  // the matcher hint and the Expected/Received lines are shown as expected vs actual
  let message = cleanMessage(raw).replace(/^\s*expect\(.*\)\.\w+\(.*\)(?: \/\/.*)?$/m, '');
  if (expected !== null && actual !== null) message = message.replace(/^\s*(Expected|Received)(?: [\w ]+)?: .*$/gm, '');
  message = message.replace(/\n{3,}/g, '\n\n').trim();
  return {
    message: scrub(message),
    expected: expected === null ? null : scrub(expected),
    actual: actual === null ? null : scrub(actual),
    request: request ? { ...request, url: scrub(request.url) } : null,
    body,
    highlight,
  };
}

/** The evidence of one failed test from its error messages and `em-evidence` attachments. */
export function buildEvidence(errors: string[], attachments: Array<{ name: string; body?: Buffer | string }>, location: string | null): Evidence {
  const parsed = attachments.filter((a) => a.name === 'em-evidence').map((a) => parseAttachment(a.body));
  const responses = parsed.flatMap((p) => p.responses);
  const violations = parsed
    .flatMap((p) => p.violations)
    .slice(0, 20)
    .map((v) => ({ ...v, request: scrub(v.request), where: scrub(v.where), expected: scrub(v.expected), actual: scrub(v.actual), message: scrub(v.message) }));
  const first = violations[0];
  const fromViolation = { expected: first?.expected ?? null, actual: first?.actual ?? null };
  const messages = errors.filter((e) => e.trim() !== '');
  const lastResponse = latest(responses.filter((r) => r.last));
  const items = messages.slice(0, MAX_ITEMS).map((raw, j) => {
    const before = latest(responses.filter((r) => r.forErrors?.includes(j)));
    const fallback = /responses broke the contract/.test(raw) || messages.length === 1 ? fromViolation : { expected: null, actual: null };
    return item(raw, before ?? (j === messages.length - 1 ? lastResponse : undefined), responses, fallback);
  });
  return { items, moreErrors: Math.max(0, messages.length - MAX_ITEMS), violations, location };
}
