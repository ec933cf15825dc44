/**
 * Checks that hold for every representation, whatever the operation: identity (UID, Href, ID), Type naming and
 * link shapes. Each returns a list of problems (empty when the body conforms), phrased as evidence.
 */
import type { LinkRecord } from './crawl.ts';

export interface ResourceNode {
  /** JSON-pointer-like location in the body. */
  where: string;
  UID: string;
  Href: string;
  Type: string | null;
  Name: string | null;
  Links: LinkRecord[] | null;
  [key: string]: unknown;
}

/** Every object in a body that is a reference or an entity (it has UID and Href). */
export function resources(value: unknown, where = ''): ResourceNode[] {
  const out: ResourceNode[] = [];
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}/${i}`));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.UID === 'string' && typeof o.Href === 'string') out.push({ ...(o as object), where: at || '/' } as ResourceNode);
      for (const [k, x] of Object.entries(o)) if (k !== 'Links') walk(x, `${at}/${k}`);
    }
  };
  walk(value, where);
  return out;
}

/** The entity type a Type names: `BackupJobSessionReference` → `BackupJobSession`. */
export function entityTypeOf(type: string): string {
  return type.replace(/Reference$/, '');
}

const UID = /^urn:veeam:([A-Za-z_0-9-]+):([A-Za-z_0-9.-]+)$/;

/** ID-001, ID-002: UID names the entity type and its ID is the last path segment of the Href. */
export function identityProblems(node: ResourceNode): string[] {
  const problems: string[] = [];
  const m = UID.exec(node.UID);
  if (!m) return [`${node.where}: UID '${node.UID}' is not urn:veeam:<Type>:<id>`];
  if (node.Type && m[1] !== entityTypeOf(node.Type)) problems.push(`${node.where}: UID '${node.UID}' names type ${m[1]}, but Type is ${node.Type}`);
  const lastSegment = node.Href.split('?')[0]!.replace(/\/+$/, '').split('/').pop() ?? '';
  if (lastSegment.toLowerCase() !== m[2]!.toLowerCase()) problems.push(`${node.where}: Href '${node.Href}' ends in '${lastSegment}', but the UID's ID is '${m[2]}'`);
  return problems;
}

/** ID-003, ID-004: an Href is absolute, under /api/, and on the server the client asked. */
export function hrefProblems(href: string, apiBase: string, where: string): string[] {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return [`${where}: Href '${href}' is not an absolute URL`];
  }
  const base = new URL(apiBase);
  const problems: string[] = [];
  if (!/^https?:$/.test(url.protocol)) problems.push(`${where}: Href '${href}' is not http or https`);
  if (!url.pathname.startsWith('/api/')) problems.push(`${where}: Href '${href}' is not under /api/`);
  if (url.origin !== base.origin) problems.push(`${where}: Href '${href}' points to ${url.origin}, not to ${base.origin} (the server that was asked)`);
  return problems;
}

/** SCHEMA-004: an entity's Type is its root element; a reference's Type is <Entity>Reference. */
export function typeProblems(root: string | undefined, body: Record<string, unknown>): string[] {
  if (!root || typeof body.Type !== 'string') return [];
  if (root === 'EntityRef' && !body.Type.endsWith('Reference')) return [`EntityRef has Type '${body.Type}', expected <Entity>Reference`];
  if (root !== 'EntityRef' && typeof body.UID === 'string' && body.Type !== root) return [`<${root}> has Type '${body.Type}', expected '${root}'`];
  return [];
}

export function linksOf(node: { Links?: unknown }): LinkRecord[] {
  return Array.isArray(node.Links) ? (node.Links as LinkRecord[]) : [];
}

export function findLink(node: { Links?: unknown }, rel: string, type?: string | null): LinkRecord | undefined {
  return linksOf(node).find((l) => l.Rel === rel && (type === undefined || l.Type === type));
}

/** The ID at the end of an Href (query string removed). */
export function idOfHref(href: string): string {
  return href.split('?')[0]!.replace(/\/+$/, '').split('/').pop() ?? '';
}

/** The ID part of a UID (`urn:veeam:Job:<id>` → `<id>`), lower-cased. */
export function idOfUid(uid: string | null | undefined): string {
  return (uid ?? '').split(':').pop()?.toLowerCase() ?? '';
}

/**
 * The items of a QueryResult in JSON form, whatever the format: Refs.Refs, or the one non-null member of Entities
 * (or Resources) and the list inside it (e.g. Entities.BackupJobSessions.BackupJobSessions).
 */
export function queryItems(body: Record<string, any>): Array<Record<string, any>> {
  if (Array.isArray(body.Refs?.Refs)) return body.Refs.Refs;
  for (const container of [body.Entities, body.Resources]) {
    if (!container) continue;
    for (const member of Object.values(container)) {
      if (!member || typeof member !== 'object') continue;
      const list = Object.values(member as object).find(Array.isArray);
      if (list) return list as Array<Record<string, any>>;
    }
  }
  return [];
}
