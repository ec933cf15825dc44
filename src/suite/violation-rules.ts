/**
 * Which rules of spec/rules.yaml an automatic-check violation (src/contract/validate.ts) breaks. The `em` fixture
 * fails a test for a violation only when the test is tagged with one of these rules: a paging test does not fail
 * because a timestamp lacks its Z (SCHEMA-005), the tests tagged SCHEMA-005 do. Violations of other rules are kept
 * with the test as evidence (annotation `other-rule-violations`), and the tests of those rules report them: every
 * response kind is also checked by a test tagged with the schema rules (operations.spec.ts per operation, the link
 * crawl in links.spec.ts, error answers in errors.spec.ts).
 *
 * `status` violations (a status the spec does not document for the operation) are the request's own outcome and
 * fail whichever test made the request: OWN.
 */
import type { Violation } from '../contract/validate.ts';

export const OWN = '*';

const UTC_KEY = /UTC\b/;

export function violationRules(v: Violation, accept: string | null): string[] {
  switch (v.check) {
    case 'status':
      return [OWN];
    case 'content-type': {
      // The representation asked for (NEG-001 for XML, NEG-002 for JSON); NEG-003 too when the Content-Type names
      // neither of the two media types (then it cannot name the representation sent).
      const asked = /json/i.test(accept ?? '') ? 'NEG-002' : 'NEG-001';
      const media = v.actual.split(';')[0]!.trim().toLowerCase();
      return media === 'application/xml' || media === 'application/json' ? [asked] : ['NEG-003', asked];
    }
    case 'content-length':
    case 'body-empty':
      return ['NEG-004'];
    case 'xml-wellformed':
      return ['SCHEMA-001'];
    case 'xml-namespace':
      return ['NEG-005'];
    case 'xml-root':
      return ['SCHEMA-003'];
    case 'xml-schema':
      return UTC_KEY.test(v.message) ? ['SCHEMA-001', 'SCHEMA-005'] : ['SCHEMA-001'];
    case 'json-parse':
      return v.actual === 'U+FEFF' ? ['NEG-007'] : ['SCHEMA-002'];
    case 'json-schema': {
      const rules = ['SCHEMA-002'];
      const key = /unexpected key "([^"]*)"/.exec(v.actual)?.[1];
      if (key !== undefined && /^[a-z]/.test(key)) rules.push('JSON-002');
      if (v.actual === 'missing') rules.push('JSON-003');
      if (/\/Links(\/|$)/.test(v.where)) rules.push('JSON-007');
      if (UTC_KEY.test(v.where) || /date-time/.test(v.message)) rules.push('SCHEMA-005');
      return rules;
    }
    case 'type-attribute':
      return ['SCHEMA-004'];
  }
}

/** Whether a violation fails a test tagged with `tags` (rule IDs, with or without @). */
export function failsTest(v: Violation, accept: string | null, tags: readonly string[]): boolean {
  const own = new Set(tags.map((t) => t.replace(/^@/, '')));
  return violationRules(v, accept).some((r) => r === OWN || own.has(r));
}
