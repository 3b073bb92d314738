/**
 * Session ids: 24 random bytes from the platform CSPRNG (192 bits), base64url-encoded to exactly
 * 32 characters with no padding.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'

const ID_BYTES = 24
const ID_SHAPE = /^[A-Za-z0-9_-]{32}$/

/**
 * A new random session id.
 *
 * @example
 * ```ts
 * const id = generateSessionId() // e.g. 'q3Jz0m2b4uWk1yC8XvQ9dNfH7sLpTaRe'
 * ```
 */
export function generateSessionId(): string {
  return randomBytes(ID_BYTES).toString('base64url')
}

/**
 * Whether `value` has the shape of an id this library issues. Checked before any I/O: anything else
 * (wrong length, alphabet or type) never reaches DynamoDB.
 *
 * @example
 * ```ts
 * isSessionId(generateSessionId()) // true
 * isSessionId('SESSIONS::TOWER::x') // false
 * ```
 */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && ID_SHAPE.test(value)
}

/**
 * How a store's session ids look: how a fresh one is made, and the shape a cookie value must have to be
 * looked up at all (checked before any I/O). The default is this library's 32-character ids; the
 * tower-sessions format brings its own.
 *
 * @example
 * ```ts
 * const ids: SessionIdScheme = { generate: generateSessionId, isId: isSessionId }
 * if (ids.isId(cookieValue)) await store.load(cookieValue)
 * ```
 */
export interface SessionIdScheme {
  /** A fresh random id, from a CSPRNG. */
  generate(): string
  /** Whether `value` has this scheme's shape. */
  isId(value: unknown): value is string
}

/**
 * This library's own ids: 24 random bytes as 32 base64url characters (`generateSessionId`), and that
 * shape checked before any lookup (`isSessionId`).
 *
 * @example
 * ```ts
 * DEFAULT_ID_SCHEME.isId(DEFAULT_ID_SCHEME.generate()) // true
 * ```
 */
export const DEFAULT_ID_SCHEME: SessionIdScheme = Object.freeze({
  generate: generateSessionId,
  isId: isSessionId,
})
