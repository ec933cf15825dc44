/**
 * End to end through the HTTP layer and src/mock/domain/: log on, follow every Href the answers offer (breadth first,
 * bounded), and check every answer against the contract with validateResponse, in XML and JSON, for the v12 profile
 * (strict mapping) and the 9.5u4 profile (omit-absent mapping). Skipped while the domain does not exist.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startMock } from '../../src/mock/index.ts';
import { Router, parseTarget } from '../../src/mock/http/router.ts';
import { validateResponse } from '../../src/contract/validate.ts';
import type { JsonMapping } from '../../src/contract/json-schema.ts';
import { logon, send } from './mock-http-helpers.ts';

const DOMAIN = existsSync(fileURLToPath(new URL('../../src/mock/domain/index.ts', import.meta.url)));
const MAX_URLS = 120;

const router = Router.fromSpec();

function operationOf(url: string, base: string): string | undefined {
  if (!url.startsWith(base)) return undefined;
  try {
    const target = parseTarget(new URL(url).pathname + new URL(url).search, 8192);
    const m = router.match('GET', target.segments);
    return m.kind === 'found' ? m.operation.operationId : undefined;
  } catch {
    return undefined;
  }
}

function hrefs(body: string, json: boolean): string[] {
  if (json) {
    const out: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (k.toLowerCase() === 'href' && typeof x === 'string' ? out.push(x) : walk(x));
    };
    walk(JSON.parse(body));
    return out;
  }
  return [...body.matchAll(/Href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
}

describe.skipIf(!DOMAIN)('mock crawl through the domain', () => {
  for (const [profile, mapping] of [
    ['v12', 'strict'],
    ['9.5u4', 'omit-absent'],
  ] as const satisfies ReadonlyArray<readonly ['v12' | '9.5u4', JsonMapping]>) {
    it(`every answer reachable from the logon passes the contract (${profile}, ${mapping})`, async () => {
      const mock = await startMock({ port: 0, profile, seed: 11, sessions: 300 });
      try {
        const { token } = await logon(mock.url, profile === '9.5u4' ? { v: 'v1_4' } : {});
        // candidate URLs per operation; always visit the least visited operation next (breadth over depth)
        const candidates = new Map<string, string[]>();
        const seen = new Set<string>();
        const offer = (url: string): void => {
          const operationId = operationOf(url, mock.url);
          if (!operationId || seen.has(url)) return;
          seen.add(url);
          const list = candidates.get(operationId) ?? [];
          if (list.length < 20) list.push(url);
          candidates.set(operationId, list);
        };
        offer(`${mock.url}/`);
        offer(`${mock.url}/logonSessions`);
        offer(`${mock.url}/query?type=BackupJobSession&format=Entities&pageSize=5`);
        offer(`${mock.url}/query?type=BackupTaskSession&pageSize=5`);
        const byOperation = new Map<string, number>();
        const problems: string[] = [];
        for (let visits = 0; visits < MAX_URLS; visits++) {
          const next = [...candidates.entries()].filter(([, l]) => l.length).sort(([a], [b]) => (byOperation.get(a) ?? 0) - (byOperation.get(b) ?? 0))[0];
          if (!next) break;
          const [operationId, list] = next;
          const url = list.shift()!;
          byOperation.set(operationId, (byOperation.get(operationId) ?? 0) + 1);
          for (const accept of [undefined, 'application/json']) {
            const a = await send(url, { headers: { 'X-RestSvcSessionId': token, ...(accept ? { Accept: accept } : {}) } });
            const v = validateResponse({ operationId, status: a.status, headers: a.headers, body: a.body, accept: accept ?? null, mapping });
            if (a.status >= 500) problems.push(`${a.status} ${url}`);
            for (const x of v.slice(0, 3)) problems.push(`${operationId} ${accept ?? 'xml'} ${url}: ${x.message}`);
            if (a.status === 200) for (const h of hrefs(a.body, !!accept)) offer(h);
          }
        }
        if (process.env.EM_CRAWL_DEBUG) console.log(profile, Object.fromEntries(byOperation));
        expect(problems.slice(0, 20)).toEqual([]);
        // the crawl reached most of the contract's GET operations
        expect(byOperation.size).toBeGreaterThanOrEqual(20);
      } finally {
        await mock.close();
      }
    }, 120_000);
  }
});
