/**
 * For sharded runs: a shard writes a blob report only, and blob reports do not carry the representation shapes the
 * workers recorded (src/compare/recording.ts). This reporter merges the shard's worker files into one
 * `em-shapes-<i>-of-<n>.json` beside the shard's zip; gathered with the zips, the conformance reporter of
 * `playwright merge-reports` reads them from the merged folder (merge-reports itself reads only the zips).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, Reporter } from '@playwright/test/reporter';
import { readShapes, SHAPES_FOLDER } from '../compare/recording.ts';

export default class ShardShapesReporter implements Reporter {
  private config: FullConfig | undefined;

  constructor(private readonly options: { outputFile: string }) {}

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig): void {
    this.config = config;
  }

  onEnd(): void {
    if (!this.config) return;
    const shapes = readShapes(this.config.projects.map((p) => path.join(p.outputDir, SHAPES_FOLDER)));
    if (!shapes) return;
    const file = path.resolve(this.options.outputFile);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(shapes));
  }
}
