/** Shared helpers of the mock-domain tests: request contexts and body validation against the contract. */
import { codec, type JsonValue } from '../../src/contract/codec.ts';
import { validateJson, validateXml } from '../../src/contract/validate.ts';
import { createDomain, type Domain, type DomainOptions } from '../../src/mock/domain/index.ts';
import { makeDateFormatter } from '../../src/mock/http/profiles.ts';
import type { HandlerResult, Profile, RequestContext, RequestUser } from '../../src/mock/types.ts';

export const NOW = new Date('2025-06-01T12:00:00.000Z');
export const BASE = 'https://em.tech.local:9398/api';

export const V12: Profile = { name: 'v12', versions: ['v1_5', 'v1_6', 'v1_7'], jsonKeys: 'PascalCase', jsonAbsent: 'null', timestampDigits: 3, trimFractionZeros: true };

export interface Clock {
  now: Date;
  (): Date;
}

/** A settable clock (starts at NOW). */
export function clock(start = NOW): Clock {
  const c = (() => c.now) as Clock;
  c.now = start;
  return c;
}

export function domain(opts: DomainOptions = {}): Domain & { clock: Clock } {
  const c = clock();
  const d = createDomain({ now: c, ...opts });
  return Object.assign(d, { clock: c });
}

export function ctx(
  d: Domain & { clock?: Clock },
  operationId: string,
  params: Record<string, string> = {},
  query = '',
  opts: { logonSessionId?: string; user?: RequestUser } = {},
): RequestContext {
  const out: RequestContext = {
    operationId,
    params,
    query: new URLSearchParams(query),
    baseUrl: BASE,
    now: d.clock ?? (() => NOW),
    profile: V12,
    formatDate: makeDateFormatter(V12),
    logonSessionId: opts.logonSessionId ?? 'logon-1',
  };
  if (opts.user) out.user = opts.user;
  return out;
}

export async function call(d: Domain & { clock?: Clock }, operationId: string, params: Record<string, string> = {}, query = '', opts: { logonSessionId?: string; user?: RequestUser } = {}): Promise<HandlerResult> {
  const h = d.handlers[operationId];
  if (!h) throw new Error(`no handler ${operationId}`);
  return await h(ctx(d, operationId, params, query, opts));
}

/** Every violation of the body against the JSON Schema and, serialised by the codec, against the XSD. */
export function violations(r: HandlerResult): string[] {
  if (!r.root) return ['no root'];
  const json = validateJson(JSON.parse(JSON.stringify(r.body)), r.root).map((v) => `json: ${v.message}`);
  const xml = validateXml(codec().toXml(r.root, r.body as JsonValue), { expectedRoots: [r.root] }).map((v) => `xml: ${v.message}`);
  return [...json, ...xml];
}

export function guidOf(href: string): string {
  const m = /\/([0-9a-f-]{36})(?:[/?]|$)/i.exec(href.replace(/\?.*$/, ''));
  if (!m) throw new Error(`no GUID in ${href}`);
  return m[1]!;
}

export type Obj = Record<string, any>;
