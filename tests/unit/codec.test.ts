// The XML ⇄ JSON mapping: every documented XML example maps to JSON that the JSON Schema accepts, and back to XML
// that the XSD accepts, losslessly. This ties the three generated artefacts (XSD, JSON Schema, codec) together.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { codec } from '../../src/contract/codec.ts';
import { REPO_ROOT } from '../../src/contract/paths.ts';
import { validateJson, validateXml } from '../../src/contract/validate.ts';

const EXAMPLES = path.join(REPO_ROOT, 'spec', 'examples');
const xmlFixtures = (parse(readFileSync(path.join(EXAMPLES, 'index.yaml'), 'utf8')) as Array<{ file: string; type: string }>).filter((f) => f.file.endsWith('.xml'));

describe('XML examples through the documented JSON mapping', () => {
  for (const f of xmlFixtures) {
    it(`${f.file}: XML → JSON is valid JSON, and JSON → XML round-trips`, () => {
      const { root, value } = codec().fromXml(readFileSync(path.join(EXAMPLES, f.file), 'utf8'));
      expect(root).toBe(f.type);
      expect(validateJson(value, root).map((v) => v.message)).toEqual([]);
      const xml = codec().toXml(root, value);
      expect(validateXml(xml, { expectedRoots: [root] }).map((v) => v.message)).toEqual([]);
      expect(codec().fromXml(xml).value).toEqual(value);
    });
  }
});

describe('serialisation details', () => {
  it('writes the XML declaration and the namespaces real EM declares', () => {
    const xml = codec().toXml('EntityReferences', { Refs: [] });
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<EntityReferences ')).toBe(true);
    expect(xml).toContain('xmlns="http://www.veeam.com/ent/v1.0"');
    expect(xml).toContain('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"');
  });
  it('escapes & in attribute values (paging links carry &amp; on the wire)', () => {
    const xml = codec().toXml('EntityRef', { Links: [{ Rel: 'Next', Href: 'https://h/api/query?type=Job&page=2', Name: null, Type: null }], UID: 'urn:veeam:Job:1', Name: 'a<b', Href: 'https://h/api/jobs/1', Type: 'JobReference' });
    expect(xml).toContain('Href="https://h/api/query?type=Job&amp;page=2"');
    expect(xml).toContain('Name="a&lt;b"');
    expect(xml).not.toContain(' Name=""');
  });
});
