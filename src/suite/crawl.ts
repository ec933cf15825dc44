/**
 * Link crawl: starting from the logon session and the top-level collections, follows the navigational links found
 * in bodies (breadth first, within the EM_MAX_ITEMS budget) and records what each one resolved to. The suite uses it
 * twice: to discover the server's data (IDs are never assumed) and to check the LINK rules.
 */
import { matchOperation } from '../contract/routes.ts';
import type { EmClient, EmResponse } from './client.ts';

/** Link relations that navigate to a representation; action relations (Start, Stop, Delete…) are never followed. */
export const NAVIGATION_RELS = new Set(['Up', 'Down', 'Alternate', 'Related', 'First', 'Previous', 'Next', 'Last']);

export interface LinkRecord {
  Rel: string;
  Href: string;
  Name: string | null;
  Type: string | null;
}

export interface Visit {
  url: string;
  operationId: string | undefined;
  status: number;
  /** XML root element (XML) or undefined (JSON). */
  root: string | undefined;
  /** The link that led here (undefined for the seeds). */
  via?: { from: string; link: LinkRecord };
  response: EmResponse;
}

export interface CrawlResult {
  visits: Visit[];
  /** operationId → concrete URLs that exercised it (seen in links), in discovery order. */
  samples: Map<string, string[]>;
  /** Links not followed because their target is outside the contract (no operation in the spec). */
  outsideContract: LinkRecord[];
  /** Links not followed because the budget ran out. */
  unvisited: number;
  /** Links whose Href could not be fetched at all (e.g. a host that does not resolve: ID-004, LINK-001). */
  unreachable: Array<{ url: string; via?: Visit['via']; error: string }>;
  /**
   * Every navigation link inside the contract found in a visited body, not only the first to reach its target (`via`):
   * a second link to a resource already queued can still declare the wrong Type (LINK-001).
   */
  links: Array<{ from: string; link: LinkRecord }>;
}

/** The key under which the crawl knows a URL (a trailing slash does not make another resource). */
export const urlKey = (url: string): string => url.replace(/\/+$/, '');

/** Every Link object in a JSON-form body, at any depth (Links arrays of the body, of Refs, of entities, PagingInfo). */
export function collectLinks(value: unknown, out: LinkRecord[] = []): LinkRecord[] {
  if (Array.isArray(value)) {
    for (const v of value) collectLinks(v, out);
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.Rel === 'string' && typeof obj.Href === 'string') {
      out.push({ Rel: obj.Rel, Href: obj.Href, Name: (obj.Name as string | null) ?? null, Type: (obj.Type as string | null) ?? null });
    } else {
      for (const v of Object.values(obj)) collectLinks(v, out);
    }
  }
  return out;
}

/** The seeds: collections and services that need no ID. */
export const SEED_PATHS = ['/', '/logonSessions', '/backupSessions', '/backupTaskSessions', '/jobs', '/backupServers', '/agents', '/agents/jobs', '/agents/backupSessions', '/querySvc'];

export async function crawl(em: EmClient, opts: { budget: number; perOperation?: number; seeds?: string[] }): Promise<CrawlResult> {
  const perOperation = opts.perOperation ?? 4;
  const queue: Array<{ url: string; via?: Visit['via'] }> = [];
  const seen = new Set<string>();
  const visits: Visit[] = [];
  const samples = new Map<string, string[]>();
  const outsideContract: LinkRecord[] = [];
  const perOpCount = new Map<string, number>();
  let unvisited = 0;
  const unreachable: CrawlResult['unreachable'] = [];

  const links: CrawlResult['links'] = [];
  const enqueue = (url: string, via?: Visit['via']) => {
    const key = urlKey(url);
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(via ? { url, via } : { url });
  };
  for (const seed of opts.seeds ?? SEED_PATHS) enqueue(em.resolve(seed));

  while (queue.length) {
    const next = queue.shift()!;
    const match = matchOperation('GET', next.url, em.apiBase);
    const opId = match?.op.operationId;
    if (visits.length >= opts.budget) {
      unvisited += 1;
      continue;
    }
    // Spread the budget over operations: a few instances of each kind are enough to check every link shape.
    if (opId && next.via && (perOpCount.get(opId) ?? 0) >= perOperation) continue;
    if (opId) perOpCount.set(opId, (perOpCount.get(opId) ?? 0) + 1);
    let response: EmResponse;
    try {
      response = await em.get(next.url);
    } catch (err) {
      // the Href names a host or port that does not answer: recorded for the link rules, the crawl goes on
      unreachable.push({ url: next.url, ...(next.via ? { via: next.via } : {}), error: (err as Error).message.split('\n')[0] ?? String(err) });
      continue;
    }
    const visit: Visit = { url: next.url, operationId: opId, status: response.status, root: response.root === undefined && !response.isJson ? undefined : response.isJson ? undefined : safeRoot(response), response };
    if (next.via) visit.via = next.via;
    visits.push(visit);
    // a sample is a resource that was there: links that do not resolve are LINK-001's to report
    if (opId && response.status === 200) samples.set(opId, [...(samples.get(opId) ?? []), next.url]);
    if (response.status !== 200) continue;
    let body: unknown;
    try {
      body = response.body();
    } catch {
      continue;
    }
    for (const link of collectLinks(body)) {
      if (!NAVIGATION_RELS.has(link.Rel)) continue;
      if (!matchOperation('GET', link.Href, em.apiBase)) {
        outsideContract.push(link);
        continue;
      }
      links.push({ from: next.url, link });
      enqueue(link.Href, { from: next.url, link });
    }
  }
  return { visits, samples, outsideContract, unvisited, unreachable, links };
}

function safeRoot(r: EmResponse): string | undefined {
  try {
    return r.root;
  } catch {
    return undefined;
  }
}
