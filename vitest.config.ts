import { defineConfig } from 'vitest/config';

// Project tests (contract, mock, CLI). The conformance suite itself runs under Playwright (playwright.config.ts).
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
