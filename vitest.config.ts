import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * The suites that go through the fault proxy (contracts, races, faults, retries) and the counter's, run a
 * second time with the `lite` subpath's HTTP transport in place of the AWS SDK (test/support/transport.ts).
 * The transport's own tests (test/integration/lite.test.ts) are part of the first run.
 */
const OVER_LITE = [
  'test/integration/store-contract.test.ts',
  'test/integration/user-contract.test.ts',
  'test/integration/races.test.ts',
  'test/integration/races-stress.test.ts',
  'test/integration/renewal-races.test.ts',
  'test/integration/blind-write-races.test.ts',
  'test/integration/conflict-outcome.test.ts',
  'test/integration/concurrency.test.ts',
  'test/integration/user-attacks.test.ts',
  'test/integration/replicated-conflicts.test.ts',
  'test/integration/store-calls.test.ts',
  'test/integration/faults.test.ts',
  'test/integration/user-sessions.test.ts',
  'test/integration/tower-sessions.test.ts',
  'test/integration/mrsc-plan.test.ts',
  'test/integration/mrsc-users.test.ts',
  'test/integration/counter.test.ts',
  'test/integration/counter-signin.test.ts',
]

export default defineConfig({
  // The package's own entry points, as examples/testing imports them: the source, not dist/.
  resolve: {
    alias: [
      {
        find: /^middy-dynamodb-session(\/testing|\/tower-sessions|\/users|\/lite)?$/,
        replacement: `${root}src$1/index.ts`,
      },
    ],
  },
  test: {
    // test/e2e needs Chromium; it runs on its own through `npm run test:e2e` (and in .ci/run).
    exclude: ['test/e2e/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // Three test files at a time on these 2-core machines (vitest's default is one fewer than the cores):
    // most of a file's time is spent waiting on DynamoDB Local, a proxy's hold or a lease.
    maxWorkers: 3,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'sdk',
          include: ['test/**/*.test.ts', 'examples/testing/**/*.test.ts'],
          typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      { extends: true, test: { name: 'lite', include: OVER_LITE, env: { SESSION_TRANSPORT: 'lite' } } },
    ],
  },
})
