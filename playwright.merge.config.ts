/**
 * Configuration of `playwright merge-reports` for sharded conformance runs: the same reports as a whole run
 * (reports/html, junit.xml, results.json, conformance/), from the blob reports of the shards.
 *
 *   npx playwright test --shard=1/3     # on each machine (i = 1…3): writes reports/blob-report/report-1-of-3.zip
 *   # gather the machines' zips in one folder (CI: download the shards' artifacts into it), then
 *   npx playwright merge-reports --config playwright.merge.config.ts all-blob-reports/
 */
import { fullReporters } from './src/report/reporters.ts';

export default {
  testDir: 'tests/conformance',
  reporter: fullReporters(),
};
