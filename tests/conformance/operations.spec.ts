/**
 * Operation-level checks generated from spec/openapi.yaml: every GET operation is requested in its reference and,
 * where it has a format parameter, its entity representation, and the automatic checks of the `em` fixture (status,
 * Content-Type, Content-Length, schema, root element) apply. An operation added to the spec is tested here without
 * new code. IDs come from the link crawl (the `estate` fixture), never from fixtures.
 */
import { buildModel } from '../../src/contract/schema-model.ts';
import { listOperations, loadSpec, resolveRef, type OperationInfo } from '../../src/contract/spec.ts';
import { rootForType } from '../../src/contract/validate.ts';
import { expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';

interface Representations {
  reference?: string;
  entity?: string;
}

/** Root elements of the reference and entity representations the spec declares for a 200 response. */
function representations(op: OperationInfo): Representations {
  const response = resolveRef(loadSpec(), op.operation.responses?.['200']);
  const declared = response?.['x-em-representations'] as Record<string, string> | undefined;
  const model = buildModel();
  const rootOf = (component?: string) => {
    const t = component ? model.types.get(component) : undefined;
    return t && 'roots' in t ? t.roots[0] : undefined;
  };
  if (declared) {
    const out: Representations = {};
    const reference = rootOf(declared.reference);
    const entity = rootOf(declared.entity);
    if (reference) out.reference = reference;
    if (entity) out.entity = entity;
    return out;
  }
  const ref = response?.content?.['application/xml']?.schema?.$ref as string | undefined;
  const root = rootOf(ref?.split('/').pop());
  return root ? { reference: root } : {};
}

function hasFormatParameter(op: OperationInfo): boolean {
  const params = [...(op.operation.parameters ?? [])].map((p: unknown) => resolveRef(loadSpec(), p) as { name: string; in: string });
  return params.some((p) => p.in === 'query' && p.name === 'format');
}

const isCollection = (root?: string) => root === 'EntityReferences';

const GET_OPERATIONS = listOperations().filter((op) => op.method === 'GET' && op.operationId !== 'query' && op.operationId !== 'getEnterpriseManager');

for (const op of GET_OPERATIONS) {
  const reps = representations(op);
  const needsId = op.path.includes('{');

  test.describe(`${op.operationId} (${op.method} ${op.path})`, () => {
    test(`answers 200 with its ${reps.reference ?? 'documented'} representation`, rules('SCHEMA-001', 'SCHEMA-002', 'SCHEMA-003', 'NEG-003', 'NEG-004', ...(isCollection(reps.reference) ? ['FMT-003'] : reps.entity ? ['FMT-001'] : [])), async ({ em, estate }) => {
      const url = needsId ? estate.samples.get(op.operationId)?.[0]?.split('?')[0] : em.resolve(op.path);
      if (!url) notApplicable(`no ${op.path} resource was found on this server by the link crawl (budget EM_MAX_ITEMS)`);
      const r = await em.get(url!, reps.reference ? { expectedRoot: reps.reference } : {});
      expect(r).toHaveStatus(200);
      if (!r.isJson && reps.reference) expect(r.root).toBe(reps.reference);
    });

    if (reps.entity && hasFormatParameter(op)) {
      test(`answers 200 with its ${reps.entity} representation for format=Entity`, rules('SCHEMA-001', 'SCHEMA-002', 'SCHEMA-003', isCollection(reps.reference) ? 'FMT-004' : 'FMT-002'), async ({ em, estate }) => {
        const url = needsId ? estate.samples.get(op.operationId)?.[0]?.split('?')[0] : em.resolve(op.path);
        if (!url) notApplicable(`no ${op.path} resource was found on this server by the link crawl (budget EM_MAX_ITEMS)`);
        const r = await em.get(url!, { params: { format: 'Entity' }, expectedRoot: reps.entity! });
        expect(r).toHaveStatus(200);
        if (!r.isJson) expect(r.root).toBe(reps.entity);
        const body = r.body<Record<string, unknown>>();
        if (typeof body.Href === 'string') expect(body.Href, 'an entity Href ends with ?format=Entity').toMatch(/\?format=Entity$/);
        if (typeof body.Type === 'string') expect(rootForType(body.Type)).toBe(reps.entity);
        if (isCollection(reps.reference)) {
          // FMT-004: the same members, in the same order, as the reference collection (read again once, should a
          // live list have changed between the two requests)
          const members = (b: Record<string, unknown>) => ((Object.values(b).find(Array.isArray) ?? []) as Array<Record<string, unknown>>).map((i) => String(i.UID ?? i.Href).toLowerCase());
          let entities = members(body);
          let references = members((await em.get(url!)).body());
          if (entities.join() !== references.join()) {
            entities = members((await em.get(url!, { params: { format: 'Entity' } })).body());
            references = members((await em.get(url!)).body());
          }
          expect(entities, 'the members of the entity list, in order, are those of the reference collection').toEqual(references);
        }
      });
    }
  });
}
