/**
 * Checking option objects at creation: every key known (an unknown one is refused, with the nearest known
 * key or the place it belongs as a hint), every value of the type its option needs. One checker for every
 * entry point (the middleware, each store, the cookie, the key layout), so a mistake fails the same way
 * wherever it is made, and never silently (an ignored `secret: [...]` would leave cookies unsigned).
 *
 * @module
 */
import { SessionConfigError } from './errors.ts'

/** What one option accepts: a type, or a check of its own (which throws {@link SessionConfigError}). */
export type OptionRule =
  | 'boolean'
  | 'function'
  | 'string'
  | 'object'
  | 'any'
  | 'logger'
  | ((value: unknown, path: string) => void)

/**
 * The options of one entry point: each known key's rule, and hints for keys people give by mistake
 * (another library's name, or an option that belongs elsewhere).
 */
export interface OptionTable {
  readonly rules: Readonly<Record<string, OptionRule>>
  readonly hints?: Readonly<Record<string, string>>
}

/** The edit distance of two short strings (insertions, deletions, substitutions, transpositions). */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 0; j <= b.length; j++) (rows[0] as number[])[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[]
    const above = rows[i - 1] as number[]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1)
      }
      row[j] = best
    }
  }
  return (rows[a.length] as number[])[b.length] as number
}

/** The known key `key` most likely meant: the same letters in another case, or a typo away. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase()
  const sameLetters = known.find((k) => k.toLowerCase() === lower)
  if (sameLetters) return sameLetters
  let best: string | undefined
  let bestDistance = Math.min(3, Math.floor(key.length / 3) + 1)
  for (const candidate of known) {
    const d = distance(lower, candidate.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [candidate, d]
  }
  return best
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

function checkValue(rule: OptionRule, value: unknown, path: string): void {
  if (typeof rule === 'function') {
    rule(value, path)
    return
  }
  const fail = (what: string) => {
    throw new SessionConfigError(`${path} must be ${what}, not ${describe(value)}`)
  }
  switch (rule) {
    case 'any':
      return
    case 'boolean':
      if (typeof value !== 'boolean') fail('true or false')
      return
    case 'function':
      if (typeof value !== 'function') fail('a function')
      return
    case 'string':
      if (typeof value !== 'string') fail('a string')
      return
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('an object')
      return
    case 'logger': {
      const logger = value as { warn?: unknown; error?: unknown } | null
      if (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function') {
        fail('a logger with warn() and error() (console, or Powertools Logger)')
      } else if (typeof logger.error !== 'function') fail('a logger with warn() and error()')
      return
    }
  }
}

/**
 * Throws {@link SessionConfigError} unless `options` is an object whose every key `table` knows, each
 * present value passing its rule. `undefined` values are left to the caller (an option left out), except
 * for keys in `required`-when-present, which the caller checks. `path` names the object in messages
 * (`''` for the top level, `'store.'`, `'cookie.'`).
 *
 * @example
 * ```ts
 * checkOptions({ secret: ['…'] }, MIDDLEWARE_OPTIONS, '') // throws: "secret: did you mean secrets?"
 * ```
 */
export function checkOptions(options: unknown, table: OptionTable, path: string): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SessionConfigError(
      `${path ? path.slice(0, -1) : 'The options'} must be an object, not ${describe(options)}`,
    )
  }
  const known = Object.keys(table.rules)
  for (const [key, value] of Object.entries(options)) {
    const rule = Object.hasOwn(table.rules, key) ? table.rules[key] : undefined
    if (rule === undefined) {
      const hint = table.hints && Object.hasOwn(table.hints, key) ? table.hints[key] : undefined
      const guess = nearest(key, known)
      const advice = hint ?? (guess ? `did you mean ${path}${guess}?` : `known options: ${known.join(', ')}`)
      throw new SessionConfigError(`Unknown option ${path}${key}: ${advice}`)
    }
    if (value !== undefined) checkValue(rule, value, `${path}${key}`)
  }
}

/** A whole number from `min` up, for {@link OptionTable} rules. */
export function integerFrom(min: number): OptionRule {
  return (value, path) => {
    if (!Number.isInteger(value) || (value as number) < min) {
      throw new SessionConfigError(`${path} must be a whole number of ${min} or more, not ${describe(value)}`)
    }
  }
}
