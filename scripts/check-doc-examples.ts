/**
 * A docs gate: every symbol the package exports must carry an `@example` in its doc comment.
 * Reads typedoc's JSON output: `typedoc --json docs/api.json && node scripts/check-doc-examples.ts docs/api.json`.
 */
import { readFileSync } from 'node:fs'

interface Comment {
  blockTags?: { tag: string }[]
}
interface Reflection {
  name: string
  variant?: string
  comment?: Comment
  signatures?: { comment?: Comment }[]
}

const file = process.argv[2] ?? 'docs/api.json'
const project = JSON.parse(readFileSync(file, 'utf8')) as { children?: Reflection[] }
const exported = (project.children ?? []).filter((child) => child.variant !== 'reference') // `default` re-export
const missing = exported.filter((child) => {
  const comments = [child.comment, ...(child.signatures ?? []).map((signature) => signature.comment)]
  return !comments.some((comment) => comment?.blockTags?.some((tag) => tag.tag === '@example'))
})
if (missing.length > 0) {
  console.error(`Exported without an @example: ${missing.map((child) => child.name).join(', ')}`)
  process.exit(1)
}
console.log(`${exported.length} exported symbols, each with an @example`)
