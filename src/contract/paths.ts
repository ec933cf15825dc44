import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repository root, resolved from this file so that commands work from any working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const SPEC_FILE = path.join(REPO_ROOT, 'spec', 'openapi.yaml');
export const RULES_FILE = path.join(REPO_ROOT, 'spec', 'rules.yaml');
export const SCHEMAS_DIR = path.join(REPO_ROOT, 'schemas');
export const XSD_FILE = path.join(SCHEMAS_DIR, 'em.xsd');
export const JSON_SCHEMA_FILE = path.join(SCHEMAS_DIR, 'em.schema.json');
export const JSON_SCHEMA_OMIT_ABSENT_FILE = path.join(SCHEMAS_DIR, 'em-omit-absent.schema.json');
export const TYPES_FILE = path.join(REPO_ROOT, 'src', 'contract', 'openapi-types.ts');

/** The EM documents the contract is derived from (shared/ beside the repository), overridable for other layouts. */
export const DOCS_DIR = process.env.EM_DOCS_DIR ?? path.resolve(REPO_ROOT, '..', 'shared', 'em-docs');

export const EM_NAMESPACE = 'http://www.veeam.com/ent/v1.0';
