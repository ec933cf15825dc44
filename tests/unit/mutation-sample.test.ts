// A fixed sample of mutants (CI_SAMPLE of src/mock/mutants.ts, every rule family) in `npm test`: for each, the suite,
// restricted to the tests tagged with the mutant's rule, runs against a mock serving it, and a test tagged with the
// rule must fail. The full mutation run (every mutant, the whole suite, precision) is `npm run mutation`
// (docs/mutation.md).
import { describe, expect, it } from 'vitest';
import { startMock } from '../../src/mock/index.ts';
import { CI_SAMPLE, findMutant } from '../../src/mock/mutants.ts';
import { runSuite } from './suite-runner.ts';

const USER = 'suite-check';
const PASSWORD = 'S3cr3t-Pa55-for-the-report-check';
const USERS = { [USER]: PASSWORD, emoperator: { password: 'emoperator-password', role: 'RestoreOperator' as const } };

describe('every rule family is seen to fail against a mutant breaking one of its rules', () => {
  for (const mutant of CI_SAMPLE.map(findMutant)) {
    it(`${mutant.id} (${mutant.rule}): a test tagged ${mutant.rule} fails`, async () => {
      const mock = await startMock({ port: 0, users: USERS, mutant: mutant.id });
      try {
        const run = await runSuite({
          env: { EM_URL: mock.url, EM_USER: USER, EM_PASSWORD: PASSWORD, EM_ALLOW_WRITES: '1', EM_RESTRICTED_USER: 'emoperator', EM_RESTRICTED_PASSWORD: 'emoperator-password' },
          args: ['--grep', `@${mutant.rule}\\b`],
        });
        const tagged = run.tests.filter((t) => t.tags.includes(mutant.rule));
        expect(tagged.length, run.output.slice(-2000)).toBeGreaterThan(0);
        const killed = tagged.filter((t) => t.status === 'failed' || t.status === 'timedOut');
        expect(killed.length, `mutant ${mutant.id} survived: no test tagged ${mutant.rule} failed`).toBeGreaterThan(0);
      } finally {
        await mock.close();
      }
    }, 180_000);
  }
});
