/** `em-conformance validate <file> [--type NAME]`: checks a captured XML or JSON body against the contract. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UnknownTypeError, validateJson, validateXml, type Violation } from '../contract/validate.ts';
import type { JsonMapping } from '../contract/json-schema.ts';
import { UsageError } from './main.ts';

function parse(args: string[]): { file: string; type?: string; mapping: JsonMapping } {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { type: { type: 'string' }, mapping: { type: 'string', default: 'strict' } } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file) throw new UsageError('missing <file>');
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const mapping = parsed.values.mapping;
  if (mapping !== 'strict' && mapping !== 'omit-absent') throw new UsageError(`--mapping must be strict or omit-absent, got '${mapping}'`);
  return { file, ...(parsed.values.type ? { type: parsed.values.type } : {}), mapping };
}

export async function validateCommand(args: string[]): Promise<number> {
  const { file, type, mapping } = parse(args);
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const looksJson = /^\uFEFF?\s*[[{]/.test(body);
  let violations: Violation[];
  if (looksJson) {
    if (!type) throw new UsageError(`${file} is JSON, which has no root element: name its type with --type (e.g. --type BackupJobSession)`);
    try {
      violations = validateJson(body, type, { mapping });
    } catch (err) {
      if (err instanceof UnknownTypeError) throw new UsageError(err.message);
      throw err;
    }
  } else {
    violations = validateXml(body, type ? { expectedRoots: [type] } : {});
  }
  for (const v of violations) console.log(`${file}: ${v.message}`);
  if (violations.length) {
    console.log(`${file}: ${violations.length} violation${violations.length === 1 ? '' : 's'}`);
    return 1;
  }
  console.log(`${file}: valid`);
  return 0;
}
