/**
 * A docs gate: every relative link of the repository's Markdown pages resolves. A link to a file needs
 * the file (or directory); a link with `#anchor` into a Markdown page needs a heading with that anchor,
 * as GitHub makes them. Links with a scheme (`https:`, `mailto:`) are left alone, and so is anything
 * inside a fenced code block.
 *
 *   node scripts/check-links.ts [file.md ...]   (default: README.md, SECURITY.md, CONTRIBUTING.md,
 *                                                CHANGELOG.md and docs/*.md)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/**
 * The anchor GitHub gives a heading: lower case, punctuation dropped (letters, digits, `-` and `_` kept),
 * spaces as hyphens.
 *
 * @example
 * headingAnchor("A user's sessions: your devices") // 'a-users-sessions-your-devices'
 */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-')
}

/** The lines of `markdown` outside fenced code blocks, with their 1-based numbers. */
function prose(markdown: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = []
  let fence: string | undefined
  markdown.split('\n').forEach((text, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1]
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined
      return
    }
    if (fence === undefined) lines.push({ line: index + 1, text })
  })
  return lines
}

/**
 * The anchors of a Markdown page's headings (a repeated heading gets `-1`, `-2`... as on GitHub).
 *
 * @example
 * headingAnchors('# A\n## A\n') // Set { 'a', 'a-1' }
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const { text } of prose(markdown)) {
    const heading = /^#{1,6} (.*)$/.exec(text)?.[1]
    if (heading === undefined) continue
    const base = headingAnchor(heading.replace(/`/g, ''))
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  return anchors
}

/**
 * The links of a Markdown page outside code blocks: `[text](target)`, with their line.
 *
 * @example
 * markdownLinks('see [docs](docs/a.md#b)') // [{ line: 1, target: 'docs/a.md#b' }]
 */
export function markdownLinks(markdown: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = []
  for (const { line, text } of prose(markdown)) {
    for (const match of text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g))
      links.push({ line, target: match[1] as string })
  }
  return links
}

/** Problems with the relative links of `file` (a path), as `file:line: message`. */
export function brokenLinks(file: string): string[] {
  const problems: string[] = []
  const root = process.cwd()
  for (const { line, target } of markdownLinks(readFileSync(file, 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue
    const [path = '', anchor] = target.split('#')
    const resolved = path === '' ? file : resolve(dirname(file), decodeURI(path))
    const where = `${relative(root, file)}:${line}`
    if (!existsSync(resolved)) {
      problems.push(`${where}: ${target}: no such file`)
      continue
    }
    if (anchor && resolved.endsWith('.md') && !headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) {
      problems.push(`${where}: ${target}: no heading with the anchor #${anchor}`)
    }
  }
  return problems
}

function main(): number {
  const docs = existsSync('docs') ? readdirSync('docs').filter((f) => f.endsWith('.md')) : []
  const files =
    process.argv.length > 2
      ? process.argv.slice(2)
      : [
          'README.md',
          'SECURITY.md',
          'CONTRIBUTING.md',
          'CHANGELOG.md',
          ...docs.map((f) => join('docs', f)),
        ].filter((f) => existsSync(f))
  const problems = files.flatMap((file) => brokenLinks(resolve(file)))
  for (const problem of problems) console.error(problem)
  if (problems.length > 0) return 1
  console.log(`${files.length} Markdown pages: every relative link resolves`)
  return 0
}

if (import.meta.main) process.exit(main())
