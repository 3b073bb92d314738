/**
 * What a session can hold: JSON-compatible values. Checked when the handler calls `set()`, so a bad value
 * fails at the line that wrote it rather than later in the after hook.
 *
 * @module
 */
import { SessionDataError } from './errors.ts'

/**
 * A value a session can store: what `JSON.parse` can return, with numbers finite and within DynamoDB's
 * number range (magnitude below 1e126).
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

/** DynamoDB numbers hold magnitudes from 1e-130 up to (but excluding) 1e126. */
const MAX_NUMBER = 1e126
const MIN_NUMBER = 1e-130
// DynamoDB nests documents up to 32 levels, the item's data map included: 30 levels are left for a value.
const MAX_DEPTH = 30

function fail(path: string, why: string): never {
  throw new SessionDataError(`Session value at ${path} cannot be stored: ${why}`)
}

function check(value: unknown, path: string, depth: number, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number': {
      if (!Number.isFinite(value)) fail(path, `${value} is not a finite number`)
      const magnitude = Math.abs(value)
      if (magnitude >= MAX_NUMBER || (magnitude !== 0 && magnitude < MIN_NUMBER)) {
        fail(path, 'the number is outside the range DynamoDB can store')
      }
      return
    }
    case 'object': {
      if (value === null) return
      if (depth >= MAX_DEPTH) fail(path, `it is nested deeper than ${MAX_DEPTH} levels`)
      if (seen.has(value)) fail(path, 'it contains a cycle')
      seen.add(value)
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) check(value[i], `${path}[${i}]`, depth + 1, seen)
      } else {
        const proto = Object.getPrototypeOf(value)
        if (proto !== Object.prototype && proto !== null) {
          fail(path, `a ${proto?.constructor?.name ?? 'class'} instance is not plain JSON data`)
        }
        for (const [key, child] of Object.entries(value)) {
          if (key === '') fail(path, 'an empty key cannot be a DynamoDB map key')
          if (child !== undefined) check(child, `${path}.${key}`, depth + 1, seen)
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
 * Throws {@link SessionDataError} unless `value` is a {@link JsonValue}. `undefined` object properties are
 * allowed and dropped on save, as `JSON.stringify` drops them.
 *
 * @example
 * ```ts
 * assertJsonValue({ a: [1, 'two', null] }, 'cart') // ok
 * assertJsonValue(new Map(), 'cart')                // throws SessionDataError
 * ```
 */
export function assertJsonValue(value: unknown, key: string): asserts value is JsonValue {
  check(value, key, 0, new Set())
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
  const other = b as Record<string, unknown>
  return (
    entries.length === definedEntries(b).length &&
    entries.every(([key, value]) => jsonEqual(value, other[key]))
  )
}

function definedEntries(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, child]) => child !== undefined)
}
