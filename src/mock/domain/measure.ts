/**
 * Manual measurement of the domain's build time and memory (not run by the tests):
 *
 *   node --expose-gc --import tsx src/mock/domain/measure.ts 10000 100000 1000000
 *
 * Each size is built in a fresh child process so that the figures do not add up.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchDomain } from './index.ts';

const MB = 1048576;

function measureOne(n: number): Record<string, unknown> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const d = benchDomain(n);
  const buildMs = performance.now() - t0;
  gc?.();
  const after = process.memoryUsage();
  const ctx = (query: string, params: Record<string, string> = {}) => ({
    operationId: 'x',
    params,
    query: new URLSearchParams(query),
    baseUrl: 'https://localhost:9398/api',
    now: () => new Date('2025-06-01T12:00:00Z'),
    profile: { name: 'v12', versions: [], jsonKeys: 'PascalCase' as const, jsonAbsent: 'null' as const, timestampDigits: 3 as const, trimFractionZeros: true },
    formatDate: (ms: number) => new Date(Math.floor(ms)).toISOString(),
    logonSessionId: 'measure',
  });
  const t1 = performance.now();
  d.handlers.query!(ctx('type=BackupTaskSession&format=Entities&filter=Result==Failed;VmDisplayName==dbserver01&sortDesc=CreationTime&pageSize=3&page=1'));
  const queryMs = performance.now() - t1;
  const t2 = performance.now();
  d.handlers.query!(ctx('type=BackupTaskSession&sortAsc=Name&pageSize=100&page=50'));
  const sortByNameMs = performance.now() - t2;
  const t3 = performance.now();
  d.handlers.getBackupTaskSession!(ctx('format=Entity', { ID: d.store.taskId(Math.floor(n / 2)) }));
  const getMs = performance.now() - t3;
  return {
    taskSessions: n,
    jobSessions: d.store.sessionCount,
    createDomainMs: Math.round(buildMs),
    generateMs: d.stats().buildMs,
    heapUsedMB: +((after.heapUsed - before.heapUsed) / MB).toFixed(1),
    arrayBuffersMB: +((after.arrayBuffers - before.arrayBuffers) / MB).toFixed(1),
    columnMB: +(d.stats().columnBytes / MB).toFixed(1),
    rssMB: +(after.rss / MB).toFixed(1),
    queryFilterSortPageMs: Math.round(queryMs),
    querySortByNameMs: Math.round(sortByNameMs),
    getEntityMs: +getMs.toFixed(2),
  };
}

const args = process.argv.slice(2);
if (args[0] === '--one') {
  process.stdout.write(JSON.stringify(measureOne(Number(args[1]))) + '\n');
} else {
  const self = fileURLToPath(import.meta.url);
  for (const n of (args.length ? args : ['10000', '100000', '1000000']).map(Number)) {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--one', String(n)], { encoding: 'utf8' });
    process.stdout.write(out);
  }
}
