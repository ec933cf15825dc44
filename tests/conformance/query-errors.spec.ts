/**
 * Query service errors: a missing or unknown type, a filter that does not parse and a filter on a field the type
 * does not have are answered 400 with EM's Error body (QRY-001, FLT-014: the status is our documented choice).
 */
import { expect, rules, test } from '../../src/suite/fixtures.ts';
import { forEachQueryType, queryTypes, runQuery } from '../../src/suite/query-support.ts';

test.describe('query errors', () => {
  test('a query without type is rejected with 400', rules('QRY-001'), async ({ em }) => {
    const r = await em.get('/query', { params: { format: 'Entities' } });
    expect(r).toBeEmError(400);
  });

  test('a query with an unknown type is rejected with 400', rules('QRY-001'), async ({ em }) => {
    const r = await runQuery(em, { type: 'EmConformanceNoSuchType' });
    expect(r).toBeEmError(400);
  });

  test('an empty type is rejected with 400', rules('QRY-001'), async ({ em }) => {
    const r = await runQuery(em, { type: '' });
    expect(r).toBeEmError(400);
  });

  const first = queryTypes().find((t) => t.name === 'BackupJobSession') ?? queryTypes()[0];
  const nameField = first?.fields.find((f) => f.type === 'string')?.name ?? 'Name';
  const unparsable: Array<[string, string]> = [
    ['an unbalanced parenthesis', `(${nameField}=="x"`],
    ['an unterminated quoted value', `${nameField}=="x`],
    ['a condition without operator', `${nameField}`],
    ['a condition without field', `=="x"`],
    ['a dangling AND', `${nameField}=="x";`],
  ];

  test('filters that do not parse are rejected with 400', rules('FLT-014'), async ({ em }) => {
    test.skip(!first, 'the spec declares no query types yet');
    for (const [what, filter] of unparsable) {
      const r = await runQuery(em, { type: first!.name, filter });
      expect.soft(r, `${what}: filter=${filter}`).toBeEmError(400);
    }
  });

  test('a filter on a field the type does not have is rejected with 400', rules('FLT-014'), async ({ em }) => {
    await forEachQueryType(async (meta) => {
      const r = await runQuery(em, { type: meta.name, filter: 'EmConformanceNoSuchField=="x"' });
      expect.soft(r, `${meta.name}: filter=EmConformanceNoSuchField=="x"`).toBeEmError(400);
    });
  });
});
