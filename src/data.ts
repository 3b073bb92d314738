/**
 * What a session can hold: JSON-compatible values. Checked when the handler calls `set()`, so a bad value
 * fails at the line that wrote it rather than later in the after hook.
 *
 * @module
 */
import { SessionDataError } from './errors.ts'

/**
 * A value a session can store: what `JSON.parse` can return, with finite numbers and valid Unicode
 * text. The codec in use may restrict it further (the default native map: DynamoDB's number range and
 * nesting depth, no empty or `"__proto__"` keys).
 *
 * @example
 * ```ts
 * const cart: JsonValue = { items: [{ sku: 'A-1', qty: 2 }], coupon: null }
 * ```
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/**
 * The shape of a session's data: a record of JSON-compatible values. Use your own type for the keys you
 * store: `dynamoSession<{ userId: string; cart: string[] }>()`.
 *
 * @example
 * ```ts
 * type Data = { userId?: string; visits: number }
 * const data: SessionData = { visits: 1 }
 * ```
 */
export type SessionData = Record<string, JsonValue>

/**
 * A sanity bound on nesting for every codec (it keeps validation and copying off deep recursion); codecs
 * may allow less (DynamoDB's native map: 30 levels).
 */
const MAX_DEPTH = 100

function fail(path: string, why: string): never {
  throw new SessionDataError(`Session value at ${path} cannot be stored: ${why}`)
}

/**
 * Walks `value` checking it is JSON data of valid Unicode text (finite numbers, plain objects and arrays,
 * no cycles, at most `maxDepth` levels), and hands every number to `onNumber` (a format's own rules).
 * Throws {@link SessionDataError} naming the path of the first bad value.
 *
 * @example
 * ```ts
 * walkJsonValue(value, 'cart', { maxDepth: 30, onNumber: (n, path) => checkRange(n, path) })
 * ```
 */
export function walkJsonValue(
  value: unknown,
  path: string,
  rules: { maxDepth: number; onNumber?: ((value: number, path: string) => void) | undefined },
): asserts value is JsonValue {
  walk(value, path, 0, new Set(), rules)
}

function walk(
  value: unknown,
  path: string,
  depth: number,
  seen: Set<object>,
  rules: { maxDepth: number; onNumber?: ((value: number, path: string) => void) | undefined },
): void {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) fail(path, 'the string has a lone surrogate (it is not valid Unicode text)')
      return
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) fail(path, `${value} is not a finite number`)
      rules.onNumber?.(value, path)
      return
    case 'object': {
      if (value === null) return
      if (depth >= rules.maxDepth) fail(path, `it is nested deeper than ${rules.maxDepth} levels`)
      if (seen.has(value)) fail(path, 'it contains a cycle')
      seen.add(value)
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) walk(value[i], `${path}[${i}]`, depth + 1, seen, rules)
      } else {
        const proto = Object.getPrototypeOf(value)
        if (proto !== Object.prototype && proto !== null) {
          fail(path, `a ${proto?.constructor?.name ?? 'class'} instance is not plain JSON data`)
        }
        for (const [key, child] of Object.entries(value)) {
          if (!key.isWellFormed()) fail(path, 'a key has a lone surrogate (it is not valid Unicode text)')
          if (child !== undefined) walk(child, `${path}.${key}`, depth + 1, seen, rules)
        }
      }
      seen.delete(value)
      return
    }
    default:
      fail(path, `a ${typeof value} is not JSON data`)
  }
}

/**
 * Throws {@link SessionDataError} unless `value` is a {@link JsonValue} made of valid Unicode text (no
 * lone surrogates, in keys or strings), finite numbers, plain objects and arrays, without cycles.
 * `undefined` object properties are allowed and dropped on save, as `JSON.stringify` drops them. The
 * codec in use may refuse more (its `check`).
 *
 * @example
 * ```ts
 * assertJsonValue({ a: [1, 'two', null] }, 'cart') // ok
 * assertJsonValue(new Map(), 'cart')                // throws SessionDataError
 * assertJsonValue('\ud800', 'name')                // throws SessionDataError: a lone surrogate
 * ```
 */
export function assertJsonValue(value: unknown, key: string): asserts value is JsonValue {
  if (typeof key !== 'string' || !key.isWellFormed()) {
    throw new SessionDataError('A session key must be a string of valid Unicode text')
  }
  walkJsonValue(value, key, { maxDepth: MAX_DEPTH })
}

/**
 * Sets an own property even for the key `__proto__` (plain assignment would replace the prototype).
 *
 * @example
 * ```ts
 * setOwn(data, '__proto__', 1) // data has an own "__proto__" key; its prototype is unchanged
 * ```
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** Deep structural equality of two JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b || Array.isArray(a) !== Array.isArray(b)) {
    return false
  }
  // Array indices count as keys, so arrays are compared by length and order.
  const entries = definedEntries(a)
  return (
    entries.length === definedEntries(b).length &&
    entries.every(([key, value]) => jsonEqual(value, ownValue(b, key)))
  )
}

/** `object[key]` if it is an own property (never an inherited one such as `__proto__` or `toString`). */
export function ownValue(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined
}

function definedEntries(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, child]) => child !== undefined)
}
