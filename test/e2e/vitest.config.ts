import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * The browser tests: `vitest run --config test/e2e/vitest.config.ts`. They start their own dev server
 * (with an embedded DynamoDB Local) and drive Debian's Chromium (`/usr/bin/chromium`, or CHROMIUM_PATH).
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest-e2e.json' }]],
  },
})
