/**
 * A docs gate: every TypeScript code block (```ts or ```typescript) of README.md and the docs/ pages
 * compiles.
 *
 * Each block is written to its own module under `test-results/readme-code/` and type-checked with the
 * repository's compiler and strict settings (tsconfig.json). `middy-dynamodb-session` resolves to
 * `src/index.ts` (and a subpath `middy-dynamodb-session/x` to `src/x/index.ts`); every other import resolves as it would for a user (from node_modules). A block is a
 * complete module: it imports what it uses. A block whose first line is a path comment (`// src/handler.ts`)
 * is written at that path, next to the page's other such blocks, so one can import another
 * (`'../src/handler.ts'`). Errors are reported at their page's line.
 *
 *   node scripts/check-readme-code.ts [README.md docs/page.md ...]
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

export interface CodeBlock {
  /** The README line of the block's first code line (1-based). */
  line: number
  code: string
}

/**
 * The TypeScript code blocks of a Markdown text.
 *
 * @example
 * extractTypeScriptBlocks('text\n```ts\nconst a = 1\n```\n') // [{ line: 3, code: 'const a = 1\n' }]
 */
export function extractTypeScriptBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = []
  const lines = markdown.split('\n')
  let open: { fence: string; line: number; ts: boolean; code: string[] } | undefined
  lines.forEach((text, index) => {
    if (!open) {
      const start = /^(`{3,}|~{3,})\s*([\w-]*)/.exec(text)
      if (start?.[1])
        open = {
          fence: start[1],
          line: index + 2,
          ts: ['ts', 'typescript'].includes(start[2] ?? ''),
          code: [],
        }
      return
    }
    if (text.trim().startsWith(open.fence) && text.trim().replaceAll(open.fence[0] ?? '`', '') === '') {
      if (open.ts) blocks.push({ line: open.line, code: `${open.code.join('\n')}\n` })
      open = undefined
      return
    }
    open.code.push(text)
  })
  return blocks
}

function main(): number {
  const root = resolve(import.meta.dirname, '..')
  const pages = process.argv.length > 2 ? process.argv.slice(2) : [join(root, 'README.md')]
  const dir = join(root, 'test-results', 'readme-code')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const files = new Map<string, CodeBlock & { page: string }>()
  pages.forEach((path, index) => {
    const page = relative(root, resolve(path))
    for (const block of extractTypeScriptBlocks(readFileSync(resolve(path), 'utf8'))) {
      const named = /^\/\/ ([\w./-]+\.ts)\n/.exec(block.code)?.[1]
      const file = named ? `page-${index}/${named}` : `page-${index}-line-${block.line}.ts`
      files.set(file, { ...block, page })
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      writeFileSync(join(dir, file), block.code)
    }
  })
  writeFileSync(
    join(dir, 'tsconfig.json'),
    `${JSON.stringify(
      {
        extends: '../../tsconfig.json',
        compilerOptions: {
          noEmit: true,
          // A block without import or export is still a module of its own.
          moduleDetection: 'force',
          paths: {
            'middy-dynamodb-session': ['../../src/index.ts'],
            'middy-dynamodb-session/*': ['../../src/*/index.ts'],
          },
        },
        include: ['**/*.ts'],
      },
      null,
      2,
    )}\n`,
  )
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'],
    { cwd: root, encoding: 'utf8' },
  )
  const where = pages.map((path) => relative(root, resolve(path))).join(', ')
  // `test-results/readme-code/page-0-line-12.ts(3,5): error TS...` → `README.md:14:5: error TS...`
  const output = `${tsc.stdout}${tsc.stderr}`.replace(
    /^(?:.*readme-code[/\\])?(page-\d+(?:-line-\d+\.ts|\/[\w./-]+\.ts))\((\d+),(\d+)\)/gm,
    (match, file: string, line: string, column: string) => {
      const block = files.get(file)
      return block ? `${block.page}:${block.line + Number(line) - 1}:${column}` : match
    },
  )
  if (tsc.status !== 0) {
    process.stderr.write(output)
    console.error(`${where}: the TypeScript blocks do not compile (${files.size} blocks checked)`)
    return 1
  }
  console.log(`${where}: ${files.size} TypeScript blocks compile`)
  return 0
}

if (import.meta.main) process.exit(main())
