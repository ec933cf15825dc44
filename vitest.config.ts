import { defineConfig } from 'vitest/config';

// Project tests (contract, mock, CLI). The conformance suite itself runs under Playwright (playwright.config.ts).
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    env: {
      // The project's tests run the whole suite against mocks with writes enabled: one Playwright worker, so that the
      // action rules (which start and stop jobs) never run beside the paging and comparison rules they would disturb.
      EM_WORKERS: '1',
    },
  },
});
