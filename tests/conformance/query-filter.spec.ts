/**
 * Filter semantics of the query service, per query type of the spec (x-em-query-types): each operator on a field of
 * each kind, AND / OR / parentheses, quoting, UTC dates, case-insensitive names and enum values, enum order and UID
 * forms. Values are discovered from the server (its first page of entities, the "universe"); every returned item
 * must satisfy the filter (fields readable through their `source`), and when the universe and the result each fit
 * one page, every universe item satisfying the filter must be returned.
 */
import { expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';
import type { EmClient } from '../../src/suite/client.ts';
import {
  and,
  checkFilter,
  chooseField,
  cmp,
  distinctValues,
  evaluateFilter,
  enumIndex,
  enumPivot,
  fetchEntities,
  fetchUniverse,
  group,
  hasFieldOfType,
  isoDate,
  isReadable,
  keyOf,
  keysOf,
  medianValue,
  or,
  queryEntities,
  placeholderLiteral,
  queryTypes,
  quote,
  readableFields,
  urnFor,
  valueOf,
  type Condition,
  type FieldType,
  type Fetched,
  type FilterCheck,
  type Op,
  type QueryField,
  type QueryTypeMeta,
} from '../../src/suite/query-support.ts';

/** Kinds whose values compare exactly (no precision question): usable for == in combinations. */
const EXACT: FieldType[] = ['enum', 'bool', 'string', 'uid', 'int', 'long'];

async function universeOf(em: EmClient, meta: QueryTypeMeta): Promise<Fetched> {
  const u = await fetchUniverse(em, meta);
  if (!u.items.length) notApplicable(`the server has no ${meta.name} to filter`);
  if (!u.complete) test.info().annotations.push({ type: 'note', description: `more ${meta.name} than one page: only the returned items are checked (no completeness check)` });
  return u;
}

function expectFilter(check: FilterCheck, cond: Condition, soft = true): void {
  const e = soft ? expect.soft : expect;
  e(check.wrong, `filter=${cond.text}: returned items that do not satisfy it`).toEqual([]);
  e(check.missing, `filter=${cond.text}: items that satisfy it but were not returned`).toEqual([]);
}

async function verify(em: EmClient, meta: QueryTypeMeta, universe: Fetched, cond: Condition, soft = true): Promise<FilterCheck> {
  const check = await checkFilter(em, meta, universe, cond);
  expectFilter(check, cond, soft);
  return check;
}

/** Two items with non-null values in two exact-kind fields, the second item differing from the first in field 1. */
function twoItemsTwoFields(meta: QueryTypeMeta, items: any[]): { f1: QueryField; f2: QueryField; x: any; y: any } | undefined {
  const fields = EXACT.flatMap((k) => readableFields(meta, k));
  for (const f1 of fields) {
    const values = distinctValues(items, f1);
    if (values.length < 2) continue;
    for (const f2 of fields) {
      if (f2 === f1) continue;
      const x = items.find((i) => valueOf(i, f1) !== null && valueOf(i, f2) !== null);
      if (!x) continue;
      const y = items.find((i) => valueOf(i, f1) !== null && valueOf(i, f2) !== null && valueOf(i, f1) !== valueOf(x, f1));
      if (y) return { f1, f2, x, y };
    }
  }
  return undefined;
}

for (const meta of queryTypes()) {
  test.describe(`query type ${meta.name}: filter`, () => {
    if (hasFieldOfType(meta, 'string')) {
      test('== on a string field returns exactly the entities holding the value', rules('FLT-001'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const pick = chooseField(meta, u.items, ['string']);
        if (!pick) notApplicable(`no ${meta.name} has a value in a string field`);
        const check = await verify(em, meta, u, cmp(pick.field, '==', pick.value), false);
        expect(check.returned.length, 'items returned for a value taken from the server').toBeGreaterThan(0);
      });

      test('!= on a string field returns the complement of ==', rules('FLT-002'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const pick = chooseField(meta, u.items, ['string']);
        if (!pick) notApplicable(`no ${meta.name} has a value in a string field`);
        const eq = await checkFilter(em, meta, u, cmp(pick.field, '==', pick.value));
        const ne = await verify(em, meta, u, cmp(pick.field, '!=', pick.value));
        const eqKeys = new Set(keysOf(eq.returned));
        const both = keysOf(ne.returned).filter((k) => eqKeys.has(k));
        expect(both, 'items returned for both == and !=').toEqual([]);
        if (u.complete && eq.missing.length + ne.missing.length === 0) {
          const union = new Set([...eqKeys, ...keysOf(ne.returned)]);
          const decidable = u.items.filter((i) => valueOf(i, pick.field) !== null && (String(valueOf(i, pick.field)) === String(pick.value) || String(valueOf(i, pick.field)).toLowerCase() !== String(pick.value).toLowerCase()));
          const lost = decidable.filter((i) => !union.has(keyOf(i))).map((i) => i.Name ?? keyOf(i));
          expect(lost, 'items with a value returned by neither == nor !=').toEqual([]);
        }
      });

      test('a quoted value with spaces is compared whole', rules('FLT-007'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const pick = chooseField(meta, u.items, ['string'], (v) => / /.test(String(v).trim()));
        if (!pick) notApplicable(`no ${meta.name} has a string value containing a space`);
        const check = await verify(em, meta, u, cmp(pick.field, '==', pick.value), false);
        expect(check.returned.length, `items returned for ${pick.field.name}==${quote(String(pick.value))}`).toBeGreaterThan(0);
      });

      test('a doubled quote inside a quoted value stands for one quote', rules('FLT-008'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const withQuote = chooseField(meta, u.items, ['string'], (v) => String(v).includes('"'));
        if (withQuote) {
          // A real value holding a quote: found by its doubled-quote spelling.
          const check = await verify(em, meta, u, cmp(withQuote.field, '==', withQuote.value), false);
          expect(check.returned.length).toBeGreaterThan(0);
          return;
        }
        // No value holds a quote: `"<v>"""` is the value v followed by one quote, which matches nothing that equals v.
        const pick = chooseField(meta, u.items, ['string']);
        if (!pick) notApplicable(`no ${meta.name} has a value in a string field`);
        const value = `${String(pick.value)}"`;
        const check = await verify(em, meta, u, cmp(pick.field, '==', value), false);
        expect(check.returned.map((i) => valueOf(i, pick.field)), `${pick.field.name}==${quote(value)} returned items holding the value without the quote`).not.toContain(pick.value);
      });
    }

    if (hasFieldOfType(meta, 'enum')) {
      test('== and != on an enum field select by value', rules('FLT-001', 'FLT-002'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const pick = chooseField(meta, u.items, ['enum'], (v, f) => enumIndex(f, String(v)) >= 0);
        if (!pick) notApplicable(`no ${meta.name} has a documented value in an enum field`);
        await verify(em, meta, u, cmp(pick.field, '==', pick.value));
        await verify(em, meta, u, cmp(pick.field, '!=', pick.value));
      });

      test('<, >, <= and >= on an enum field compare by documented index', rules('FLT-003', 'FLT-011'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const field = readableFields(meta, 'enum').find((f) => enumPivot(f, u.items) !== undefined);
        if (!field) notApplicable(`no ${meta.name} has a documented value in an enum field`);
        const pivot = enumPivot(field, u.items)!;
        for (const op of ['<', '>', '<=', '>='] as Op[]) await verify(em, meta, u, cmp(field, op, pivot));
      });

      const result = readableFields(meta, 'enum').find((f) => (f.enumName === 'SessionResult' || f.name === 'Result') && (f.enumValues?.length ?? 0) > 1);
      if (result) {
        const [lowest, ...higher] = result.enumValues!;
        test(`${result.name}>${lowest} returns only ${higher.join(' and ')} entities`, rules('FLT-011', 'FLT-003'), async ({ em }) => {
          const u = await universeOf(em, meta);
          if (!u.items.some((i) => enumIndex(result, String(valueOf(i, result) ?? '')) > 0)) notApplicable(`no ${meta.name} has ${result.name} ${higher.join(' or ')}`);
          const check = await verify(em, meta, u, cmp(result, '>', lowest!), false);
          const got = new Set(check.returned.map((i) => String(valueOf(i, result))));
          expect([...got].filter((v) => !higher.includes(v)), `${result.name} values returned by ${result.name}>${lowest}`).toEqual([]);
          expect(got.size, `${result.name}>${lowest} returned nothing`).toBeGreaterThan(0);
        });
      }

      test('field names and enum values are matched case-insensitively', rules('FLT-010'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const pick = chooseField(meta, u.items, ['enum'], (v, f) => enumIndex(f, String(v)) >= 0);
        if (!pick) notApplicable(`no ${meta.name} has a documented value in an enum field`);
        const canonical = await fetchEntities(em, meta, { filter: `${pick.field.name}==${pick.value}` });
        const keys = keysOf(canonical.items).sort();
        for (const text of [
          `${pick.field.name.toLowerCase()}==${String(pick.value).toLowerCase()}`,
          `${pick.field.name.toUpperCase()}==${String(pick.value).toUpperCase()}`,
        ]) {
          const r = await queryEntities(em, meta, { filter: text });
          expect.soft(r.response, `filter=${text}`).toHaveStatus(200);
          if (r.response.status === 200) expect.soft(keysOf(r.items).sort(), `filter=${text} vs ${pick.field.name}==${pick.value}`).toEqual(keys);
        }
      });
    } else if (hasFieldOfType(meta, 'string')) {
      test('field names are matched case-insensitively', rules('FLT-010'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const pick = chooseField(meta, u.items, ['string']);
        if (!pick) notApplicable(`no ${meta.name} has a value in a string field`);
        const canonical = keysOf((await fetchEntities(em, meta, { filter: cmp(pick.field, '==', pick.value).text })).items).sort();
        const lower = cmp(pick.field, '==', pick.value, { name: pick.field.name.toLowerCase() });
        expect(keysOf((await fetchEntities(em, meta, { filter: lower.text })).items).sort(), `filter=${lower.text}`).toEqual(canonical);
      });
    }

    if (hasFieldOfType(meta, 'datetime')) {
      test('<, >, <= and >= on a date-time field compare chronologically', rules('FLT-003', 'FLT-009'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const field = readableFields(meta, 'datetime').find((f) => distinctValues(u.items, f).length > 0);
        if (!field) notApplicable(`no ${meta.name} has a value in a date-time field`);
        const pivot = medianValue(u.items, field)!;
        for (const op of ['<', '>', '<=', '>='] as Op[]) await verify(em, meta, u, cmp(field, op, pivot));
      });

      test('UTC date-time values are accepted with and without fractional seconds', rules('FLT-009'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const field = readableFields(meta, 'datetime').find((f) => distinctValues(u.items, f).length > 0);
        if (!field) notApplicable(`no ${meta.name} has a value in a date-time field`);
        const pivot = Number(medianValue(u.items, field));
        const seconds = Math.floor(pivot / 1000) * 1000;
        const ms = isoDate(pivot);
        await verify(em, meta, u, cmp(field, '>=', seconds, { text: quote(isoDate(seconds, false)) }));
        await verify(em, meta, u, cmp(field, '<', pivot, { text: quote(ms) }));
        // Seven fraction digits (.NET's precision): the same instant as the millisecond spelling.
        await verify(em, meta, u, cmp(field, '>', pivot, { text: quote(ms.replace(/Z$/, '0000Z')) }));
      });
    }

    if (hasFieldOfType(meta, 'int', 'long')) {
      test('==, < and >= on a number field compare numerically', rules('FLT-001', 'FLT-003'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const pick = chooseField(meta, u.items, ['int', 'long']);
        if (!pick) notApplicable(`no ${meta.name} has a value in a number field`);
        const pivot = medianValue(u.items, pick.field)!;
        await verify(em, meta, u, cmp(pick.field, '==', pick.value));
        await verify(em, meta, u, cmp(pick.field, '<', pivot));
        await verify(em, meta, u, cmp(pick.field, '>=', pivot));
      });
    }

    if (hasFieldOfType(meta, 'bool')) {
      test('== and != on a boolean field select by value', rules('FLT-001', 'FLT-002'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const pick = chooseField(meta, u.items, ['bool']);
        if (!pick) notApplicable(`no ${meta.name} has a value in a boolean field`);
        await verify(em, meta, u, cmp(pick.field, '==', pick.value));
        await verify(em, meta, u, cmp(pick.field, '!=', pick.value));
      });
    }

    if (hasFieldOfType(meta, 'uid')) {
      const uidFields = (): QueryField[] => {
        const all = readableFields(meta, 'uid');
        return [...all.filter((f) => f.name.toLowerCase() === 'uid'), ...all.filter((f) => f.name.toLowerCase() !== 'uid')].slice(0, 2);
      };

      test('a UID field matches the bare GUID', rules('FLT-012'), async ({ em }) => {
        const u = await universeOf(em, meta);
        let checked = 0;
        for (const field of uidFields()) {
          const value = chooseField({ ...meta, fields: [field] }, u.items, ['uid'])?.value;
          if (value === undefined) continue;
          checked += 1;
          const check = await verify(em, meta, u, cmp(field, '==', value));
          expect.soft(check.returned.length, `${field.name}==${value} returned nothing`).toBeGreaterThan(0);
        }
        if (!checked) notApplicable(`no ${meta.name} has a value in a UID field`);
      });

      test('a UID field matches the quoted URN like the bare GUID', rules('FLT-013'), async ({ em }) => {
        const u = await universeOf(em, meta);
        let checked = 0;
        for (const field of uidFields()) {
          const item = u.items.find((i) => urnFor(field, i) !== undefined && valueOf(i, field) !== null);
          if (!item) continue;
          checked += 1;
          const value = valueOf(item, field)!;
          const bare = await fetchEntities(em, meta, { filter: `${field.name}==${value}` });
          const urn = urnFor(field, item)!;
          const check = await verify(em, meta, u, cmp(field, '==', value, { text: quote(urn) }));
          expect.soft(keysOf(check.returned).sort(), `${field.name}==${quote(urn)} vs ${field.name}==${value}`).toEqual(keysOf(bare.items).sort());
        }
        if (!checked) notApplicable(`no ${meta.name} shows a UID field as a URN`);
      });
    }

    if (EXACT.flatMap((k) => readableFields(meta, k)).length >= 2) {
      test('; combines conditions with AND', rules('FLT-004'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const p = twoItemsTwoFields(meta, u.items);
        if (!p) notApplicable(`no two ${meta.name} with values in two fields to combine`);
        const cond = and(cmp(p.f1, '==', valueOf(p.x, p.f1)!), cmp(p.f2, '==', valueOf(p.x, p.f2)!));
        const check = await verify(em, meta, u, cond, false);
        expect(keysOf(check.returned), `filter=${cond.text} returns the item the values were taken from`).toContain(keyOf(p.x));
      });

      test(', combines conditions with OR', rules('FLT-005'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const p = twoItemsTwoFields(meta, u.items);
        if (!p) notApplicable(`no two ${meta.name} with different values in a field`);
        const sameField = or(cmp(p.f1, '==', valueOf(p.x, p.f1)!), cmp(p.f1, '==', valueOf(p.y, p.f1)!));
        const check = await verify(em, meta, u, sameField);
        expect.soft(keysOf(check.returned), `filter=${sameField.text}`).toEqual(expect.arrayContaining([keyOf(p.x), keyOf(p.y)]));
        await verify(em, meta, u, or(cmp(p.f1, '==', valueOf(p.x, p.f1)!), cmp(p.f2, '==', valueOf(p.y, p.f2)!)));
      });

      test('parentheses group conditions', rules('FLT-006', 'FLT-004', 'FLT-005'), async ({ em }) => {
        const u = await universeOf(em, meta);
        const p = twoItemsTwoFields(meta, u.items);
        if (!p) notApplicable(`no two ${meta.name} with different values in a field`);
        const a = cmp(p.f1, '==', valueOf(p.x, p.f1)!);
        const b = cmp(p.f2, '==', valueOf(p.x, p.f2)!);
        const c = cmp(p.f1, '==', valueOf(p.y, p.f1)!);
        const d = cmp(p.f2, '==', valueOf(p.y, p.f2)!);
        const check = await verify(em, meta, u, or(group(and(a, b)), group(and(c, d))));
        expect.soft(keysOf(check.returned)).toEqual(expect.arrayContaining([keyOf(p.x), keyOf(p.y)]));
        // a;(b,d) differs from (a;b),d: y satisfies d but not a, so it must not be returned.
        const grouped = and(a, group(or(b, d)));
        const g = await verify(em, meta, u, grouped);
        expect.soft(keysOf(g.returned), `filter=${grouped.text} must not return ${p.y.Name ?? keyOf(p.y)}`).not.toContain(keyOf(p.y));
      });
    }

    test('every documented field is accepted in a filter, and the result satisfies it where the field is visible', rules('FLT-015', 'FLT-001'), async ({ em }) => {
      const u = await universeOf(em, meta);
      const unverifiable: string[] = [];
      for (const field of meta.fields) {
        let cond: Condition;
        const values = isReadable(field) ? distinctValues(u.items, field) : [];
        if (values.length) {
          const value = field.type === 'datetime' ? medianValue(u.items, field)! : values[0]!;
          cond = cmp(field, field.type === 'datetime' ? '>=' : '==', value);
        } else {
          cond = { text: `${field.name}==${placeholderLiteral(field)}`, verifiable: false, test: () => undefined };
          if (!isReadable(field)) unverifiable.push(field.name);
        }
        const result = await queryEntities(em, meta, { filter: cond.text });
        expect.soft(result.response, `filter=${cond.text}`).toHaveStatus(200);
        if (result.response.status === 200 && values.length) expectFilter(evaluateFilter(u, cond, result, meta), cond);
      }
      if (unverifiable.length) {
        test.info().annotations.push({ type: 'note', description: `not visible in the ${meta.name} representation (source null), accepted but not verifiable: ${unverifiable.join(', ')}` });
      }
    });
  });
}
