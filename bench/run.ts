/** `npm run bench [-- name…]`: runs the benchmarks and prints markdown tables (figures go in docs/benchmarks.md). */
import { benchMock, benchMockHttp, benchMockQuery, withMachineNote } from './mock.ts';
import { benchSuite } from './suite.ts';
import { benchValidation } from './validation.ts';

const BENCHES: Record<string, () => Promise<string>> = {
  validation: () => benchValidation(),
  mock: () => benchMock(),
  suite: () => withMachineNote(() => benchSuite()),
};
/** Parts of a benchmark above, run only when named. */
const SUB_BENCHES: Record<string, () => Promise<string>> = {
  'mock-http': () => withMachineNote(() => benchMockHttp()),
  'mock-query': () => withMachineNote(() => benchMockQuery()),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !BENCHES[w] && !SUB_BENCHES[w]);
if (unknown.length) {
  console.error(`unknown benchmark '${unknown[0]}'; available: ${[...Object.keys(BENCHES), ...Object.keys(SUB_BENCHES)].join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  console.log(`\n## ${name}\n`);
  console.log(await (BENCHES[name] ?? SUB_BENCHES[name])!());
}
