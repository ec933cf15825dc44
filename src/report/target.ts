/**
 * What the report says about the target: the suite's configuration (URL, TLS, writes…) and what GET /api/ tells
 * without authentication (the supported API versions, from which the EM generation and the matching mock profile are
 * inferred: EM does not state its product version in the entry point).
 *
 * A worker of the suite probes the target once (src/suite/fixtures.ts) and attaches the result to its first test as an
 * annotation `{ type: 'em-target', description: JSON }`, so the reporter finds it in a live run and in merged shards.
 */
import type { HttpClient } from '../suite/http.ts';
import type { SuiteConfig } from '../suite/config.ts';

export const TARGET_ANNOTATION = 'em-target';
/** Marks a harness step that runs as a test (the target probe): the report reads its annotations but does not count it. */
export const HARNESS_ANNOTATION = 'em-harness';

export interface TargetInfo {
  /** Base URL of the API (ending in /api). */
  url: string | null;
  /** True when the suite started its embedded mock (no EM_URL). */
  embeddedMock: boolean | null;
  /** EM_TLS_INSECURE: certificate verification switched off. */
  tlsInsecure: boolean;
  /** EM_CA_FILE: a private CA was trusted. */
  privateCa: boolean;
  /** API version the suite logs on with (EM_API_VERSION). */
  apiVersion: string | null;
  allowWrites: boolean | null;
  restrictedAccount: boolean | null;
  jsonMapping: string | null;
  /** GET /api/ answered. */
  reachable: boolean;
  /** Why GET /api/ could not be read (connection refused, TLS…), scrubbed. */
  error: string | null;
  /** Status of GET /api/. */
  status: number | null;
  /** SupportedVersion names of the entry point, oldest first. */
  apiVersions: string[];
  latestApiVersion: string | null;
  /** EM generation inferred from the API versions and JSON key casing (EM does not state it). */
  emVersion: string | null;
  /** The mock profile (v12, v13, 9.5u4) whose behaviour the entry point matches. */
  profile: string | null;
  /** Key casing of the JSON entry point. */
  jsonKeys: 'PascalCase' | 'camelCase' | null;
  /** The Server header, when sent. */
  server: string | null;
}

export function emptyTarget(): TargetInfo {
  return {
    url: null,
    embeddedMock: null,
    tlsInsecure: false,
    privateCa: false,
    apiVersion: null,
    allowWrites: null,
    restrictedAccount: null,
    jsonMapping: null,
    reachable: false,
    error: null,
    status: null,
    apiVersions: [],
    latestApiVersion: null,
    emVersion: null,
    profile: null,
    jsonKeys: null,
    server: null,
  };
}

/** v1 < v1_1 < … < v1_7 (the numeric parts compared as numbers). */
export function compareApiVersions(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/i, '').split('_').map(Number);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Reads the SupportedVersion names and the key casing from the entry point body (JSON, or XML if sent instead). */
export function parseEntryPoint(body: string): { apiVersions: string[]; jsonKeys: TargetInfo['jsonKeys'] } {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text.startsWith('{')) {
    try {
      const doc = JSON.parse(text) as Record<string, any>;
      const camel = 'supportedVersions' in doc && !('SupportedVersions' in doc);
      const outer = camel ? doc.supportedVersions : doc.SupportedVersions;
      const list = (camel ? outer?.supportedVersions : outer?.SupportedVersions) ?? [];
      const names = (Array.isArray(list) ? list : []).map((v: any) => String((camel ? v?.name : v?.Name) ?? '')).filter(Boolean);
      return { apiVersions: [...new Set(names)].sort(compareApiVersions), jsonKeys: camel ? 'camelCase' : 'PascalCase' };
    } catch {
      return { apiVersions: [], jsonKeys: null };
    }
  }
  const names = [...text.matchAll(/<SupportedVersion\b[^>]*\bName="([^"]+)"/g)].map((m) => m[1]!);
  return { apiVersions: [...new Set(names)].sort(compareApiVersions), jsonKeys: null };
}

/**
 * The EM generation and mock profile the entry point matches (em-api-notes §1.2–§1.3, §4.1 rule 10): API up to v1_4 is
 * EM 9.5 U4; v1_7 with camelCase JSON is EM 13; v1_5–v1_7 with PascalCase JSON is EM 10–12.
 */
export function inferGeneration(apiVersions: string[], jsonKeys: TargetInfo['jsonKeys']): { emVersion: string | null; profile: string | null } {
  const latest = apiVersions[apiVersions.length - 1];
  if (!latest) return { emVersion: null, profile: null };
  if (compareApiVersions(latest, 'v1_4') <= 0) return { emVersion: '9.5 Update 4 or earlier', profile: '9.5u4' };
  if (jsonKeys === 'camelCase') return { emVersion: '13', profile: 'v13' };
  return { emVersion: '10–12', profile: 'v12' };
}

/** One unauthenticated GET /api/ (Accept: JSON), never throwing: failures are recorded in `error`. */
export async function probeTarget(request: HttpClient, config: SuiteConfig): Promise<TargetInfo> {
  const info: TargetInfo = {
    ...emptyTarget(),
    url: config.url,
    embeddedMock: config.embeddedMock,
    tlsInsecure: config.tlsInsecure,
    privateCa: Boolean(config.caFile),
    apiVersion: config.apiVersion,
    allowWrites: config.allowWrites,
    restrictedAccount: Boolean(config.restrictedUser),
    jsonMapping: config.jsonMapping,
  };
  try {
    const response = await request.fetch(`${config.url}/`, { headers: { Accept: 'application/json' } });
    info.status = response.status;
    info.reachable = true;
    info.server = response.headers['server'] ?? null;
    if (response.status >= 200 && response.status < 300) {
      const { apiVersions, jsonKeys } = parseEntryPoint(response.text);
      Object.assign(info, { apiVersions, latestApiVersion: apiVersions[apiVersions.length - 1] ?? null, jsonKeys }, inferGeneration(apiVersions, jsonKeys));
    }
  } catch (err) {
    info.error = String((err as Error).message ?? err).split('\n')[0]!.slice(0, 300);
  }
  return info;
}
