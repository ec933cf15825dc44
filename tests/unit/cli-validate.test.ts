// `em-conformance validate` exit codes: 0 valid, 1 violations, 2 bad argument or unreadable file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/contract/paths.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'em-conformance.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'emc-validate-'));

function run(args: string[]): { status: number; out: string } {
  try {
    return { status: 0, out: execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { status: e.status, out: e.stdout + e.stderr };
  }
}

describe('em-conformance validate', () => {
  const good = path.join(dir, 'good.xml');
  writeFileSync(good, '<EntityReferences xmlns="http://www.veeam.com/ent/v1.0"><Ref UID="urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9" Name="n" Href="https://h/api/jobs/4856ab37-2235-45e8-affe-d515878b01a9" Type="JobReference"/></EntityReferences>');
  const bad = path.join(dir, 'bad.xml');
  writeFileSync(bad, '<EntityReferences xmlns="http://www.veeam.com/ent/v1.0"><Ref UID="not-a-uid" Name="n" Href="h" Type="JobReference"/></EntityReferences>');
  const json = path.join(dir, 'refs.json');
  writeFileSync(json, '{"refs":[]}');

  it('exits 0 on a valid body', () => expect(run(['validate', good])).toMatchObject({ status: 0 }));
  it('exits 1 and prints each violation', () => {
    const r = run(['validate', bad]);
    expect(r.status).toBe(1);
    expect(r.out).toContain("'not-a-uid'");
  });
  it('names camelCase JSON keys', () => {
    const r = run(['validate', json, '--type', 'EntityReferences']);
    expect(r.status).toBe(1);
    expect(r.out).toContain('unexpected key "refs"');
  });
  it('exits 2 when JSON comes without --type', () => expect(run(['validate', json])).toMatchObject({ status: 2 }));
  it('exits 2 on an unknown --type', () => expect(run(['validate', json, '--type', 'Nope']).status).toBe(2));
  it('exits 2 on an unreadable file', () => expect(run(['validate', path.join(dir, 'missing.xml')])).toMatchObject({ status: 2 }));
  it('exits 2 on an unknown option', () => expect(run(['validate', good, '--bogus']).status).toBe(2));
});
