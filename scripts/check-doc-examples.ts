/**
 * A docs gate: every symbol the package exports, from each of its entry points, must carry an `@example`
 * in its doc comment. Reads typedoc's JSON output: `typedoc --json site/api.json && node
 * scripts/check-doc-examples.ts site/api.json`. With one entry point the project's children are its
 * exports; with several (typedoc.json lists the root, `testing` and `tower-sessions`), each entry point is
 * a module whose children are its exports.
 */
import { readFileSync } from 'node:fs'
import { ReflectionKind } from 'typedoc'

interface Comment {
  blockTags?: { tag: string }[]
}
interface Reflection {
  name: string
  kind?: number
  variant?: string
  comment?: Comment
  signatures?: { comment?: Comment }[]
  children?: Reflection[]
}

/** The exported symbols under `parent`, by entry point (`''` when there is only one). */
function exportsByEntryPoint(parent: Reflection, entryPoint = ''): Map<string, Reflection[]> {
  const found = new Map<string, Reflection[]>([[entryPoint, []]])
  for (const child of parent.children ?? []) {
    if (child.kind === ReflectionKind.Module) {
      for (const [name, symbols] of exportsByEntryPoint(child, child.name)) found.set(name, symbols)
    } else if (child.variant !== 'reference') {
      // A reference re-exports a symbol documented where it is declared (`default`, or a type another
      // entry point exports too).
      found.get(entryPoint)?.push(child)
    }
  }
  if (found.get(entryPoint)?.length === 0) found.delete(entryPoint)
  return found
}

function hasExample(symbol: Reflection): boolean {
  const comments = [symbol.comment, ...(symbol.signatures ?? []).map((signature) => signature.comment)]
  return comments.some((comment) => comment?.blockTags?.some((tag) => tag.tag === '@example'))
}

const file = process.argv[2] ?? 'site/api.json'
const project = JSON.parse(readFileSync(file, 'utf8')) as Reflection
const entryPoints = exportsByEntryPoint(project)
const missing = [...entryPoints].flatMap(([entryPoint, symbols]) =>
  symbols
    .filter((symbol) => !hasExample(symbol))
    .map((symbol) => `${entryPoint}${entryPoint && '.'}${symbol.name}`),
)
if (entryPoints.size === 0) {
  console.error(`No exported symbols found in ${file}`)
  process.exit(1)
}
if (missing.length > 0) {
  console.error(`Exported without an @example: ${missing.join(', ')}`)
  process.exit(1)
}
const counts = [...entryPoints].map(
  ([entryPoint, symbols]) => `${entryPoint || 'the package'} ${symbols.length}`,
)
console.log(`Exported symbols, each with an @example: ${counts.join(', ')}`)
