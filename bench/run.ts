/** `npm run bench [-- name…]`: runs the benchmarks and prints markdown tables (figures go in docs/benchmarks.md). */
import { benchValidation } from './validation.ts';

const BENCHES: Record<string, () => Promise<string>> = {
  validation: () => benchValidation(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !BENCHES[w]);
if (unknown.length) {
  console.error(`unknown benchmark '${unknown[0]}'; available: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  console.log(`\n## ${name}\n`);
  console.log(await BENCHES[name]!());
}
