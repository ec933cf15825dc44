/**
 * XML validation throughput of the validation module (parse + XSD validate) on a 1 MB and a 10 MB QueryResult, side
 * by side with `xmllint --schema` on the same files (libxml2's own floor), and JSON validation throughput
 * (JSON.parse + ajv) on the same data. Then the two XML engines of validateXml on bodies from 1 KB to 1 MB: where
 * libxml2-wasm's compiled schema stops paying for its slower parse (NATIVE_FROM_CHARS in src/contract/validate.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codec, type JsonValue } from '../src/contract/codec.ts';
import { XSD_FILE } from '../src/contract/paths.ts';
import { buildModel, getType } from '../src/contract/schema-model.ts';
import { NATIVE_FROM_CHARS, validateJson, validateXml, validateXmlWith } from '../src/contract/validate.ts';
import { fmt, median, table, time } from './stats.ts';

function hex(n: number, len: number): string {
  return (n >>> 0).toString(16).padStart(8, '0').repeat(Math.ceil(len / 8)).slice(0, len);
}

function guid(i: number): string {
  return `${hex(i * 2654435761, 8)}-${hex(i * 40503, 4)}-4${hex(i * 7, 3)}-8${hex(i * 13, 3)}-${hex(i * 97, 12)}`;
}

function taskSession(i: number, base: string): JsonValue {
  const id = guid(i);
  const session = guid(i >> 3);
  const created = Date.UTC(2026, 10, 1) + i * 60_000;
  return {
    JobSessionUid: `urn:veeam:BackupJobSession:${session}`,
    CreationTimeUTC: new Date(created).toISOString(),
    EndTimeUTC: new Date(created + 45_000).toISOString(),
    State: 'Completed',
    Result: i % 17 === 0 ? 'Failed' : i % 5 === 0 ? 'Warning' : 'Success',
    Reason: i % 17 === 0 ? 'Error: There is not enough space on the disk.' : '',
    TotalSize: 12884901888 + i,
    VmUid: `urn:VMware:Vm:${guid(i % 500)}.vm-${1000 + (i % 500)}`,
    VmDisplayName: `vm-${i % 500}`,
    Name: `vm-${i % 500}@2026-11-01 00:00:00`,
    UID: `urn:veeam:BackupTaskSession:${id}`,
    Links: [
      { Rel: 'Up', Href: `${base}/backupServers/${guid(1)}`, Name: 'vbr01.tech.local', Type: 'BackupServerReference' },
      { Rel: 'Up', Href: `${base}/backupSessions/${session}`, Name: 'Backup Job 1@2026-11-01 00:00:00', Type: 'BackupJobSessionReference' },
      { Rel: 'Alternate', Href: `${base}/backupTaskSessions/${id}`, Name: `vm-${i % 500}@2026-11-01 00:00:00`, Type: 'BackupTaskSessionReference' },
    ],
    Href: `${base}/backupTaskSessions/${id}?format=Entity`,
    Type: 'BackupTaskSession',
  };
}

/** A QueryResult of BackupTaskSession entities of about `bytes` bytes of XML. */
function queryResult(bytes: number): JsonValue {
  const base = 'https://em.tech.local:9398/api';
  const model = buildModel();
  const entitiesType = getType(model, 'Entities');
  const entities: Record<string, JsonValue> = {};
  if (entitiesType.kind === 'object') for (const p of entitiesType.properties) entities[p.name] = null;
  const build = (count: number): JsonValue => {
    entities.BackupTaskSessions = { BackupTaskSessions: Array.from({ length: count }, (_, i) => taskSession(i, base)) };
    return wrap(count);
  };
  // Calibrate the item count on a small result, then scale to the wanted size.
  const probe = 200;
  const perItem = codec().toXml('QueryResult', build(probe)).length / probe;
  return build(Math.max(1, Math.round(bytes / perItem)));

  function wrap(count: number): JsonValue {
    return {
    Refs: null,
    Entities: entities,
    Resources: null,
    Links: null,
    PagingInfo: { PageNum: 1, PageSize: count, PagesCount: 1, Links: [{ Rel: 'First', Href: `${base}/query?type=BackupTaskSession&format=Entities&pageSize=${count}&page=1`, Name: null, Type: null }, { Rel: 'Last', Href: `${base}/query?type=BackupTaskSession&format=Entities&pageSize=${count}&page=1`, Name: null, Type: null }] },
    };
  }
}

/** Collects garbage before a timed run when node runs with --expose-gc (npm run bench does), so that documents of
 * earlier runs, which libxmljs2 frees only on GC, do not slow the next one: xmllint frees each document too. */
function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function serialisedQueryResult(bytes: number): { xml: string; json: string } {
  const value = queryResult(bytes);
  return { xml: codec().toXml('QueryResult', value), json: JSON.stringify(value) };
}

function runXmllint(file: string): { parse: number; validate: number; wall: number; ok: boolean } | undefined {
  const start = process.hrtime.bigint();
  const r = spawnSync('xmllint', ['--noout', '--timing', '--schema', XSD_FILE, file], { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) return undefined;
  return { ...parseTiming(r.stderr), wall, ok: r.status === 0 };
}

function parseTiming(stderr: string): { parse: number; validate: number } {
  const grab = (label: RegExp) => Number(stderr.match(label)?.[1] ?? NaN);
  return { parse: grab(/Parsing took (\d+) ms/), validate: grab(/Validating took (\d+) ms/) };
}

export async function benchValidation(opts: { runs?: number } = {}): Promise<string> {
  const runs = opts.runs ?? 11;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'emc-bench-'));
  const rows: (string | number)[][] = [];
  const jsonRows: (string | number)[][] = [];
  for (const mb of [1, 10]) {
    // Only the serialised texts stay alive: a large JS heap would make libxmljs2's allocation accounting trigger
    // garbage collections in the middle of parsing, which measures V8 rather than validation.
    const { xml, json } = serialisedQueryResult(mb * 1024 * 1024);
    const file = path.join(dir, `query-result-${mb}mb.xml`);
    writeFileSync(file, xml);
    const size = Buffer.byteLength(xml) / 1024 / 1024;
    // Warm up: compiles the XSD and the JSON validator once, as a long-running suite does.
    if (validateXml(xml).length) throw new Error(`generated ${mb} MB QueryResult is not valid: ${validateXml(xml)[0]?.message}`);
    if (validateJson(json, 'QueryResult').length) throw new Error(`generated ${mb} MB QueryResult JSON is not valid`);
    // Interleaved, so that both sides see the same machine noise.
    const ours: number[] = [];
    const lint: Array<NonNullable<ReturnType<typeof runXmllint>>> = [];
    for (let i = 0; i < runs; i++) {
      settle();
      ours.push(time(() => validateXml(xml)).ms);
      const l = runXmllint(file);
      if (l) lint.push(l);
    }
    const lintParseValidate = lint.map((l) => l.parse + l.validate);
    const ourMed = median(ours);
    const lintMed = median(lintParseValidate);
    rows.push([
      `${fmt(size, 2)} MB`,
      fmt(ourMed),
      fmt(size / (ourMed / 1000)),
      lint.length ? fmt(lintMed) : 'xmllint not installed',
      lint.length ? fmt(median(lint.map((l) => l.wall))) : '',
      lint.length ? `${fmt(ourMed / lintMed, 2)}x` : '',
    ]);
    const jsonSize = Buffer.byteLength(json) / 1024 / 1024;
    const jsonTimes = Array.from({ length: runs }, () => {
      settle();
      return time(() => validateJson(json, 'QueryResult')).ms;
    });
    jsonRows.push([`${fmt(jsonSize, 2)} MB`, fmt(median(jsonTimes)), fmt(jsonSize / (median(jsonTimes) / 1000))]);
  }
  const engineRows: (string | number)[][] = [];
  for (const kb of [1, 16, 64, 128, 192, 256, 512, 1024]) {
    const xml = codec().toXml('QueryResult', queryResult(kb * 1024));
    const chars = xml.length;
    const median_ = (engine: 'native' | 'compiled') => {
      validateXmlWith(engine, xml);
      // enough repetitions for small bodies to be timed above the clock's resolution
      const reps = Math.max(1, Math.round(200_000 / chars));
      return median(
        Array.from({ length: runs }, () => {
          settle();
          return time(() => {
            for (let i = 0; i < reps; i++) validateXmlWith(engine, xml);
          }).ms / reps;
        }),
      );
    };
    const native = median_('native');
    const compiled = median_('compiled');
    engineRows.push([chars.toLocaleString('en-US'), fmt(native, 3), fmt(compiled, 3), `${fmt(native / compiled, 2)}x`, chars >= NATIVE_FROM_CHARS ? 'native' : 'compiled']);
  }
  return [
    `### XML validation (median of ${runs} runs; parse + XSD validation; xmllint's figure is its own --timing parse + validate, its wall time includes process start and schema compilation)`,
    '',
    table(['file', 'em-conformance ms', 'MB/s', 'xmllint --schema ms', 'xmllint wall ms', 'ratio (ours / xmllint)'], rows),
    '',
    `### JSON validation (median of ${runs} runs; JSON.parse + ajv, strict mapping)`,
    '',
    table(['file', 'ms', 'MB/s'], jsonRows),
    '',
    `### The two XML engines by body size (median ms per validateXml of ${runs} runs; native: libxmljs2, which compiles the schema on every call; compiled: libxml2-wasm with the schema compiled once)`,
    '',
    table(['characters', 'native ms', 'compiled ms', 'native / compiled', 'validateXml uses'], engineRows),
  ].join('\n');
}
