import { fileURLToPath } from 'node:url'
import { defineConfig, mergeConfig, type Plugin } from 'vitest/config'
import base from '../../vitest.config.ts'
import { mutations } from './list.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Applies the mutation named by `MUTATION` (an id of ./list.ts) to its file as vitest loads it; nothing
 * on disk changes. Without `MUTATION`, loads the code as it is (the gate's baseline run).
 */
function mutate(): Plugin {
  const id = process.env.MUTATION
  const mutation = id ? mutations.find((m) => m.id === id) : undefined
  if (id && !mutation) throw new Error(`No mutation named ${id}`)
  const target = mutation && `${root}${mutation.file}`
  return {
    name: 'mutate',
    enforce: 'pre',
    transform(source, path) {
      if (!mutation || path.split('?')[0] !== target) return undefined
      const parts = source.split(mutation.find)
      if (parts.length !== 2)
        throw new Error(`Mutation ${mutation.id}: its text occurs ${parts.length - 1} times`)
      return parts.join(mutation.replace)
    },
  }
}

const config = mergeConfig(
  base,
  defineConfig({
    plugins: [mutate()],
    // No transformed module is read from or written to the cache the ordinary runs share: a mutant
    // must never be served to `npm test`, and every mutation must be transformed afresh.
    test: { typecheck: { enabled: false }, fsModuleCache: false },
  }),
)
// Its own report only (merging would keep the suite's reporters, and overwrite its report). One run of
// each named test, over the AWS SDK: not the suite's second project (the fetch transport).
config.test = {
  ...config.test,
  projects: undefined,
  include: ['test/**/*.test.ts', 'examples/testing/**/*.test.ts'],
  reporters: [['json', { outputFile: process.env.MUTATION_REPORT ?? 'test-results/mutation.json' }]],
}
export default config
