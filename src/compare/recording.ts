/**
 * The suite's side of shape recording (src/compare/shapes.ts): every response the suite's clients check passes through
 * `recordShape` (src/suite/fixtures.ts), and each worker process writes what it saw to one file when it ends,
 * `<project outputDir>/em-shapes/worker-<pid>.json`. Workers are separate processes; the conformance reporter merges
 * their files into conformance.json (`readShapes`). Playwright empties the output folder when a run starts, so the
 * files of an earlier run never mix in.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listOperations } from '../contract/spec.ts';
import type { EmResponse } from '../suite/client.ts';
import { containsSecret } from '../suite/redact.ts';
import { mergeShapes, ShapeBook, SHAPES_VERSION, type ShapeData } from './shapes.ts';

export const SHAPES_FOLDER = 'em-shapes';

// Registered secrets (tokens, SessionIds, passwords) are never kept, even where an enumeration was expected.
const book = new ShapeBook(containsSecret);
let routes: Map<string, string> | undefined;

function routeOf(operationId: string): string {
  routes ??= new Map(listOperations().map((op) => [op.operationId, op.path]));
  return routes.get(operationId) ?? '';
}

/** Records the shape of a response of a spec operation. Never throws: recording must not change a test's outcome. */
export function recordShape(r: EmResponse): void {
  if (!r.operationId) return;
  try {
    book.record({ operationId: r.operationId, method: r.method, route: routeOf(r.operationId), url: r.url, status: r.status, contentType: r.headers['content-type'], text: r.text });
  } catch {
    /* a body the walker cannot read is simply not recorded */
  }
}

/** Writes this worker's shapes under `outputDir` (called once, when the worker ends). */
export function writeWorkerShapes(outputDir: string): string | undefined {
  if (!book.size) return undefined;
  const dir = path.join(outputDir, SHAPES_FOLDER);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `worker-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(book.data()));
  return file;
}

/** Shape data files (`*.json` holding ShapeData) directly in `dir`. */
function shapeFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f));
}

function readShapeFile(file: string): ShapeData | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as ShapeData;
    return data && data.version === SHAPES_VERSION && Array.isArray(data.operations) ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Merges the shape files found in the given folders (worker files, or the files of shards); undefined when none. */
export function readShapes(folders: readonly string[]): ShapeData | undefined {
  const parts = [...new Set(folders)].flatMap(shapeFiles).map(readShapeFile).filter((d): d is ShapeData => d !== undefined);
  return parts.length ? mergeShapes(parts) : undefined;
}
