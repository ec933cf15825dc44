/**
 * The conformance reporter (Playwright custom reporter): after a run — or in `playwright merge-reports` over the blob
 * reports of shards — writes `<folder>/conformance.json` (schemas/conformance-report.schema.json) and
 * `<folder>/index.html`, where folder is the `outputFolder` option, default `${EM_REPORTS_DIR ?? 'reports'}/conformance`.
 *
 *   reporter: [['./src/report/conformance-reporter.ts', { outputFolder: 'reports/conformance' }]]
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { REPO_ROOT } from '../contract/paths.ts';
import { readShapes, SHAPES_FOLDER } from '../compare/recording.ts';
import type { ShapeData } from '../compare/shapes.ts';
import { loadConfig } from '../suite/config.ts';
import type { Annotation } from './classify.ts';
import { renderReportHtml } from './html.ts';
import { buildReport, targetOf, type ConformanceReport, type TestRecord } from './report.ts';
import { registerConfigSecrets } from './scrub.ts';
import { emptyTarget, type TargetInfo } from './target.ts';

export interface ConformanceReporterOptions {
  /** Folder for conformance.json and index.html (relative to the working directory). */
  outputFolder?: string;
  /** Print one summary line at the end (default true). */
  quiet?: boolean;
}

export function defaultOutputFolder(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.EM_REPORTS_DIR ?? 'reports', 'conformance');
}

function uniqueAnnotations(list: readonly Annotation[]): Annotation[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const key = `${a.type}\u0000${a.description ?? ''}`;
    // `requests` annotations are counted, never merged: two clients of one test each report theirs
    if (a.type !== 'requests' && seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function attachmentBody(a: TestResult['attachments'][number]): Buffer | undefined {
  if (a.body) return a.body;
  if (a.path && existsSync(a.path) && a.contentType === 'application/json') {
    try {
      return readFileSync(a.path);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** One test case, as the report reads it (the last result: retries are off in the suite). */
export function toRecord(test: TestCase): TestRecord {
  const result = test.results[test.results.length - 1];
  const annotations = uniqueAnnotations(result?.annotations?.length ? result.annotations : test.annotations);
  const titlePath = test.titlePath().slice(3); // '', project, file
  return {
    title: test.title,
    titlePath: titlePath.length ? titlePath : [test.title],
    file: path.relative(REPO_ROOT, test.location.file).split(path.sep).join('/'),
    line: test.location.line,
    project: test.parent.project()?.name ?? '',
    tags: test.tags,
    annotations,
    status: result?.status ?? 'skipped',
    errors: (result?.errors ?? []).map((e) => e.message ?? e.value ?? String(e.stack ?? '')),
    attachments: (result?.attachments ?? []).filter((a) => a.name === 'em-evidence').map((a) => ({ name: a.name, contentType: a.contentType, body: attachmentBody(a) })),
    durationMs: result?.duration ?? 0,
  };
}

/** What the configuration says about the target, for a run whose tests carry no `em-target` annotation. */
function targetFromEnv(): Partial<TargetInfo> {
  try {
    const c = loadConfig();
    return { ...emptyTarget(), url: c.url, embeddedMock: c.embeddedMock, tlsInsecure: c.tlsInsecure, privateCa: Boolean(c.caFile), apiVersion: c.apiVersion, allowWrites: c.allowWrites, restrictedAccount: Boolean(c.restrictedUser), jsonMapping: c.jsonMapping };
  } catch {
    return {};
  }
}

/**
 * The representation shapes of the run (src/compare/shapes.ts): in a live run the files the workers wrote under the
 * projects' output folder; in `merge-reports` the `em-shapes-*.json` files the shards left beside their blob reports
 * in the merged folder (src/report/shapes-reporter.ts; merge-reports itself reads only the zips).
 */
export function shapesOf(config: Pick<FullConfig, 'projects'>, merged: boolean, argv: readonly string[] = process.argv): ShapeData | undefined {
  if (!merged) return readShapes(config.projects.map((p) => path.join(p.outputDir, SHAPES_FOLDER)));
  const at = argv.indexOf('merge-reports');
  const folders = argv.slice(at + 1).filter((a) => !a.startsWith('-') && existsSync(a) && statSync(a).isDirectory());
  return readShapes(folders);
}

/**
 * conformance.json: indented, but the shape data one operation per line — indented it would be twice the size of the
 * rest of the report (thousands of small path records), and nobody reads it by eye.
 */
export function reportJson(report: ConformanceReport): string {
  const { shapes, ...rest } = report;
  const text = JSON.stringify(rest, null, 2);
  if (!shapes) return `${text}\n`;
  const { operations, ...head } = shapes;
  const ops = operations.map((op) => `      ${JSON.stringify(op)}`).join(',\n');
  const headText = Object.entries(head).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)},\n`).join('');
  return `${text.slice(0, -2)},\n  "shapes": {\n${headText}    "operations": [${ops ? `\n${ops}\n    ` : ''}]\n  }\n}\n`;
}

export default class ConformanceReporter implements Reporter {
  private suite: Suite | undefined;
  private config: FullConfig | undefined;
  private readonly outputFolder: string;
  private readonly quiet: boolean;
  /** The report written last (for tests). */
  report: ConformanceReport | undefined;

  constructor(options: ConformanceReporterOptions = {}) {
    this.outputFolder = options.outputFolder ?? defaultOutputFolder();
    this.quiet = options.quiet ?? false;
    registerConfigSecrets();
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.config = config;
    this.suite = suite;
  }

  async onEnd(result: FullResult): Promise<void> {
    if (!this.suite || !this.config) return;
    const tests = this.suite.allTests().map(toRecord);
    // playwright.config.ts gives each shard a metadata key `em-conformance-shard-<i>`; merge-reports merges them
    const merged = process.argv.some((a) => a === 'merge-reports');
    const shardKeys = Object.keys(this.config.metadata ?? {}).filter((k) => k.startsWith('em-conformance-shard-')).length;
    const shards = merged ? Math.max(1, shardKeys) : this.config.shard ? this.config.shard.total : null;
    const report = buildReport({
      tests,
      run: { startTime: result.startTime.toISOString(), durationMs: Math.round(result.duration), status: result.status, merged, shards: merged || this.config.shard ? shards : null },
      target: targetOf(tests, targetFromEnv()),
      shapes: shapesOf(this.config, merged),
    });
    this.report = report;
    const folder = path.resolve(this.outputFolder);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'conformance.json'), reportJson(report));
    writeFileSync(path.join(folder, 'index.html'), renderReportHtml(report));
    if (!this.quiet) {
      const s = report.summary;
      const shown = path.relative(process.cwd(), path.join(folder, 'index.html'));
      console.log(`\nConformance report: ${shown.startsWith('..') ? path.join(folder, 'index.html') : shown} — ${s.rules} rules: ${s.pass} pass, ${s.fail} fail, ${s.error} error, ${s.notApplicable} not applicable, ${s.notRun} not run`);
    }
  }
}
