/**
 * Session ids as tower-sessions 0.14 makes them: an `i128`, shown in the cookie as the URL-safe base64 (no
 * padding) of its 16 **little-endian** bytes, always 22 characters; stored inside the MessagePack record as
 * the same number's 16 **big-endian** bytes. The cookie form is this module's id: it is what the browser
 * sends, what the partition key holds, and what these functions take and return.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'

const ID_BYTES = 16
/**
 * What `Id::from_str` accepts (base64 0.22, `URL_SAFE_NO_PAD`): 22 characters of the URL-safe alphabet, no
 * padding, and the last character's 4 unused bits zero (`A`, `Q`, `g` or `w`). Anything else is a new
 * session on the Rust side, and must be here too.
 */
const COOKIE_SHAPE = /^[A-Za-z0-9_-]{21}[AQgw]$/

const I128_MIN = -(2n ** 127n)
const I128_MAX = 2n ** 127n - 1n

/**
 * A new random session id in its cookie form: 16 bytes from the platform CSPRNG, URL-safe base64 without
 * padding. As uniform as tower-sessions' own `Id::default()` (all 2^128 values, negative ids included).
 *
 * @example
 * ```ts
 * const id = generateTowerSessionId() // e.g. 'KgAAAAAAAAAAAAAAAAAAAA': 22 characters
 * isTowerSessionId(id) // true
 * ```
 */
export function generateTowerSessionId(): string {
  return randomBytes(ID_BYTES).toString('base64url')
}

/**
 * Whether `value` is a cookie value tower-sessions accepts as a session id (`Id::from_str`): exactly the
 * canonical 22-character form. Padding, `+` or `/`, other lengths and non-zero trailing bits are refused, as
 * the Rust side refuses them (it starts a new session). The value is the one after cookie parsing (trimmed
 * and percent-decoded).
 *
 * @example
 * ```ts
 * isTowerSessionId('KgAAAAAAAAAAAAAAAAAAAA') // true
 * isTowerSessionId('KgAAAAAAAAAAAAAAAAAAAB') // false: non-zero trailing bits
 * isTowerSessionId('KgAAAAAAAAAAAAAAAAAAAA==') // false: padding
 * ```
 */
export function isTowerSessionId(value: unknown): value is string {
  return typeof value === 'string' && COOKIE_SHAPE.test(value)
}

function assertId(id: string): void {
  if (!isTowerSessionId(id))
    throw new TypeError('not a tower-sessions id (22 canonical base64url characters)')
}

/**
 * The 16 bytes a record stores for the id (`Record.id`: rmp_serde writes an `i128` big-endian), from the
 * cookie form. Throws a `TypeError` for anything {@link isTowerSessionId} refuses.
 *
 * @example
 * ```ts
 * towerIdToRecordBytes('KgAAAAAAAAAAAAAAAAAAAA') // Uint8Array [0, 0, ..., 0, 0x2a]: the id 42
 * ```
 */
export function towerIdToRecordBytes(id: string): Uint8Array {
  assertId(id)
  return new Uint8Array(Buffer.from(id, 'base64url').reverse())
}

/**
 * The cookie form of the id a record stores as 16 big-endian bytes. Throws a `TypeError` unless `bytes` has
 * exactly 16 bytes.
 *
 * @example
 * ```ts
 * const bytes = new Uint8Array(16)
 * bytes[15] = 42
 * towerIdFromRecordBytes(bytes) // 'KgAAAAAAAAAAAAAAAAAAAA'
 * ```
 */
export function towerIdFromRecordBytes(bytes: Uint8Array): string {
  if (bytes.length !== ID_BYTES) throw new TypeError('a record id has 16 bytes')
  return Buffer.from(bytes).reverse().toString('base64url')
}

/**
 * The id as the signed 128-bit integer tower-sessions holds (`Id(pub i128)`), in decimal: what Rust's
 * `id.0.to_string()` prints. For tests and logs of mixed deployments.
 *
 * @example
 * ```ts
 * towerIdToDecimal('KgAAAAAAAAAAAAAAAAAAAA') // '42'
 * towerIdToDecimal('1v___________________w') // '-42'
 * ```
 */
export function towerIdToDecimal(id: string): string {
  const bigEndian = Buffer.from(towerIdToRecordBytes(id)).toString('hex')
  return BigInt.asIntN(128, BigInt(`0x${bigEndian}`)).toString()
}

/**
 * The cookie form of a signed 128-bit integer id given in decimal (or as a `bigint`). Throws a `TypeError`
 * for anything that is not an integer in the `i128` range.
 *
 * @example
 * ```ts
 * towerIdFromDecimal('42') // 'KgAAAAAAAAAAAAAAAAAAAA'
 * towerIdFromDecimal(-1n) // '_____________________w'
 * ```
 */
export function towerIdFromDecimal(decimal: string | bigint): string {
  let value: bigint
  if (typeof decimal === 'bigint') value = decimal
  else if (typeof decimal === 'string' && /^-?\d{1,40}$/.test(decimal)) value = BigInt(decimal)
  else throw new TypeError('not a decimal integer')
  if (value < I128_MIN || value > I128_MAX) throw new TypeError('outside the i128 range')
  const bigEndian = Buffer.from(BigInt.asUintN(128, value).toString(16).padStart(32, '0'), 'hex')
  return towerIdFromRecordBytes(bigEndian)
}
