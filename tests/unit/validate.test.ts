// The fixed response checks of the validation module, each shown failing on a wrong response.
import { describe, expect, it } from 'vitest';
import { codec } from '../../src/contract/codec.ts';
import { NATIVE_FROM_CHARS, negotiatedMediaType, rootForType, rootStartTag, validateResponse, validateXml, validateXmlWith } from '../../src/contract/validate.ts';

const ref = { Links: null, UID: 'urn:veeam:BackupJobSession:d2b8d33e-32b5-43be-9d72-02b5d8b290d0', Name: 'Job@2025-01-01 00:00:00', Href: 'https://h:9398/api/backupSessions/d2b8d33e-32b5-43be-9d72-02b5d8b290d0', Type: 'BackupJobSessionReference' };
const refsJson = JSON.stringify({ Refs: [ref] });
const refsXml = codec().toXml('EntityReferences', { Refs: [ref] });
const len = (s: string) => String(Buffer.byteLength(s));

describe('validateResponse', () => {
  it('accepts a correct XML and JSON collection', () => {
    expect(validateResponse({ operationId: 'listBackupSessions', status: 200, headers: { 'content-type': 'application/xml; charset=utf-8', 'content-length': len(refsXml) }, body: refsXml })).toEqual([]);
    expect(validateResponse({ operationId: 'listBackupSessions', status: 200, accept: 'application/json', headers: { 'content-type': 'application/json', 'content-length': len(refsJson) }, body: refsJson })).toEqual([]);
  });
  it('flags a status the spec does not document', () => {
    const v = validateResponse({ operationId: 'listBackupSessions', status: 418, headers: { 'content-type': 'application/xml', 'content-length': len(refsXml) }, body: refsXml });
    expect(v.map((x) => x.check)).toContain('status');
  });
  it('flags XML served when JSON was asked for', () => {
    const v = validateResponse({ operationId: 'listBackupSessions', status: 200, accept: 'application/json', headers: { 'content-type': 'application/xml', 'content-length': len(refsXml) }, body: refsXml });
    expect(v.find((x) => x.check === 'content-type')?.message).toContain('expected application/json');
  });
  it('flags a missing or wrong Content-Length', () => {
    expect(validateResponse({ operationId: 'listBackupSessions', status: 200, headers: { 'content-type': 'application/xml' }, body: refsXml }).map((x) => x.check)).toContain('content-length');
    expect(validateResponse({ operationId: 'listBackupSessions', status: 200, headers: { 'content-type': 'application/xml', 'content-length': '3' }, body: refsXml }).map((x) => x.check)).toContain('content-length');
  });
  it('flags a body on 204', () => {
    const v = validateResponse({ operationId: 'deleteLogonSession', status: 204, headers: { 'content-length': '2' }, body: 'hi' });
    expect(v.map((x) => x.check)).toContain('body-empty');
  });
  it('flags a root element the operation does not return', () => {
    const xml = codec().toXml('EntityRef', ref);
    const v = validateResponse({ operationId: 'listBackupSessions', status: 200, headers: { 'content-type': 'application/xml', 'content-length': len(xml) }, body: xml });
    expect(v.map((x) => x.check)).toContain('xml-root');
  });
});

describe('XML safety and the Type attribute', () => {
  it('does not expand external entities', () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><EntityReferences xmlns="http://www.veeam.com/ent/v1.0"><Ref UID="urn:veeam:A:1" Name="&x;" Href="h" Type="T"/></EntityReferences>';
    const out = JSON.stringify(validateXml(xml));
    expect(out).not.toContain('root:');
  });
  it('maps link Types to root elements by the documented rules', () => {
    expect(rootForType('BackupJobSessionReferenceList')).toBe('EntityReferences');
    expect(rootForType('BackupJobSessionReference')).toBe('EntityRef');
    expect(rootForType('LogonSessionList')).toBe('LogonSessions');
    expect(rootForType('RepositoryList')).toBe('Repositories');
    expect(rootForType('QueryService')).toBe('QuerySvc');
    expect(rootForType('BackupJobSession')).toBe('BackupJobSession');
  });
  it('flags a Type attribute that does not match the root element', () => {
    const xml = codec().toXml('EntityRef', { ...ref, Type: 'BackupJobSession' });
    expect(validateXml(xml).map((x) => x.check)).toContain('type-attribute');
  });
  it('negotiates XML unless JSON is asked for', () => {
    expect(negotiatedMediaType(undefined)).toBe('application/xml');
    expect(negotiatedMediaType('*/*')).toBe('application/xml');
    expect(negotiatedMediaType('application/json')).toBe('application/json');
  });
});

describe('rootStartTag (the root read from the text, without libxmljs2 node wrappers)', () => {
  it('reads name, default namespace and attributes after a prolog', () => {
    const r = rootStartTag('\uFEFF<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE x [<!ENTITY a "b">]>\n<EntityRef Type=\'A&amp;B\' xmlns="http://www.veeam.com/ent/v1.0" UID="urn:veeam:Job:1">');
    expect(r).toEqual({ name: 'EntityRef', namespace: 'http://www.veeam.com/ent/v1.0', attributes: { Type: 'A&B', xmlns: 'http://www.veeam.com/ent/v1.0', UID: 'urn:veeam:Job:1' } });
  });
  it('resolves a prefixed root against its prefix declaration', () => {
    expect(rootStartTag('<em:Error xmlns:em="urn:x" xmlns="urn:y"/>')).toMatchObject({ name: 'Error', namespace: 'urn:x' });
  });
  it('reports no namespace when none is declared', () => {
    expect(rootStartTag('<Error Message="m"/>')?.namespace).toBeNull();
  });
});

describe('the two XML validator engines (validateXml: libxml2-wasm with the compiled schema below NATIVE_FROM_CHARS, libxmljs2 above)', () => {
  // The same collection, small and past the threshold: valid, with an unexpected element at its end, and cut short.
  const collection = (n: number) => codec().toXml('EntityReferences', { Refs: Array.from({ length: n }, () => ref) });
  const bodies = [2, 2500].flatMap((n) => {
    const xml = collection(n);
    return [
      { name: `${n} Refs, valid`, body: xml },
      { name: `${n} Refs, an unexpected element`, body: xml.replace(/<\/EntityReferences>\s*$/, '<Bogus /></EntityReferences>') },
      { name: `${n} Refs, cut short`, body: xml.slice(0, -20) },
    ];
  });
  const messages = (v: ReturnType<typeof validateXml>) => v.map((x) => `${x.check}: ${x.actual}`);

  // Well-formedness messages differ between the libxml2 versions of the two packages (the first error found, or where
  // the parser gave up): for a body cut short, the engines agree on the check.
  it.each(bodies)('report the same for $name', ({ name, body }) => {
    const [native, compiled] = (['native', 'compiled'] as const).map((engine) => validateXmlWith(engine, body));
    const view = name.endsWith('cut short') ? (v: ReturnType<typeof validateXml>) => v.map((x) => x.check) : messages;
    expect(view(compiled!)).toEqual(view(native!));
    expect(view(validateXml(body))).toEqual(view(native!));
  });
  it('see what each body is', () => {
    expect(collection(2).length).toBeLessThan(NATIVE_FROM_CHARS);
    expect(collection(2500).length).toBeGreaterThanOrEqual(NATIVE_FROM_CHARS);
    const checks = (b: string) => validateXml(b).map((v) => v.check);
    expect(bodies.map((b) => checks(b.body))).toEqual([[], ['xml-schema'], ['xml-wellformed'], [], ['xml-schema'], ['xml-wellformed']]);
    expect(messages(validateXml(bodies[1]!.body))[0]).toMatch(/^xml-schema: Element 'Bogus': This element is not expected/);
  });
});
