/**
 * Reading a resource's entity representation for a rule that needs its data (links, JobUid, State…). A server that
 * answers `?format=Entity` with something else breaks FMT-002, which operations.spec.ts reports; the tests that only
 * need the entity's data are then not applicable (with that reason) instead of failing a rule that may well hold.
 */
import type { EmClient } from './client.ts';
import { expect, notApplicable } from './fixtures.ts';

/** GET `href?format=Entity`, expecting 200 and an entity (its Type names no reference); its body in JSON form. */
export async function entityAt(em: EmClient, href: string): Promise<Record<string, any>> {
  const r = await em.get(href, { params: { format: 'Entity' } });
  expect(r, `GET ${href}?format=Entity`).toHaveStatus(200);
  const body = r.body<Record<string, any>>();
  const isReference = (!r.isJson && r.root === 'EntityRef') || (typeof body.Type === 'string' && body.Type.endsWith('Reference'));
  if (isReference) notApplicable(`GET ${href}?format=Entity answered the reference (${String(body.Type)}), not the entity this rule needs (FMT-002)`);
  return body;
}
