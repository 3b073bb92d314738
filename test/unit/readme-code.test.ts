/** The README doc test's block extraction (scripts/check-readme-code.ts). */
import { describe, expect, it } from 'vitest'
import { extractTypeScriptBlocks } from '../../scripts/check-readme-code.ts'

describe('extractTypeScriptBlocks', () => {
  it('takes ts and typescript blocks with the README line of their first code line, and nothing else', () => {
    const markdown = [
      '# Title', // 1
      '```ts', // 2
      "import a from 'a'", // 3
      '```', // 4
      '```sh', // 5
      'npm test', // 6
      '```', // 7
      '````typescript', // 8
      '```ts', // 9: inside a longer fence
      'const b = 2', // 10
      '````', // 11
      '```yaml', // 12
      'a: 1', // 13
      '```', // 14
    ].join('\n')
    expect(extractTypeScriptBlocks(markdown)).toEqual([
      { line: 3, code: "import a from 'a'\n" },
      { line: 9, code: '```ts\nconst b = 2\n' },
    ])
  })

  it('ignores an unclosed block', () => {
    expect(extractTypeScriptBlocks('```ts\nconst a = 1\n')).toEqual([])
  })
})
