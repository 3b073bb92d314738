/**
 * The "Testing your handlers" page's example (docs/testing.md) is examples/testing/counter.test.ts, byte for byte: the
 * file runs in `npm test`, so the README shows a test that passes.
 */
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { extractTypeScriptBlocks } from '../../../scripts/check-readme-code.ts'

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')

it("the docs' testing example is examples/testing/counter.test.ts, byte for byte", () => {
  const page = read('docs/testing.md')
  expect(page.startsWith('# Testing your handlers\n')).toBe(true)
  const [example] = extractTypeScriptBlocks(page)
  expect(example?.code).toBe(read('examples/testing/counter.test.ts'))
})
