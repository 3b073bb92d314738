/**
 * The README's "Testing your handlers" example is examples/testing/counter.test.ts, byte for byte: the
 * file runs in `npm test`, so the README shows a test that passes.
 */
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { extractTypeScriptBlocks } from '../../../scripts/check-readme-code.ts'

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')

it("the README's testing example is examples/testing/counter.test.ts, byte for byte", () => {
  const readme = read('README.md')
  const section = readme.indexOf('\n## Testing your handlers\n')
  expect(section).toBeGreaterThan(0)
  const [example] = extractTypeScriptBlocks(readme.slice(section))
  expect(example?.code).toBe(read('examples/testing/counter.test.ts'))
})
