import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  // The package's own entry points, as examples/testing imports them: the source, not dist/.
  resolve: {
    alias: [
      {
        find: /^middy-dynamodb-session(\/testing|\/tower-sessions|\/users)?$/,
        replacement: `${root}src$1/index.ts`,
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/testing/**/*.test.ts'],
    // test/e2e needs Chromium; it runs on its own through `npm run test:e2e` (and in .ci/run).
    exclude: ['test/e2e/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
})
