// The XSD, the JSON Schemas and the TypeScript types are generated from spec/openapi.yaml; they must not drift.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateAll } from '../../src/contract/generate.ts';
import { REPO_ROOT } from '../../src/contract/paths.ts';

describe('generated contract files', async () => {
  const generated = await generateAll();
  for (const [file, content] of Object.entries(generated)) {
    it(`${path.relative(REPO_ROOT, file)} is up to date (run \`npm run generate\` if not)`, () => {
      expect(readFileSync(file, 'utf8') === content, `${path.relative(REPO_ROOT, file)} is stale: run npm run generate`).toBe(true);
    });
  }
});
