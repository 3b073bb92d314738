/**
 * How session data becomes a DynamoDB attribute and back. The default stores a native map (`M`), readable
 * as-is in the AWS console; {@link jsonStringCodec} stores one JSON string (`S`). Both reject what they
 * cannot read back by throwing, which the store reports as a corrupted item.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import type { JsonValue, SessionData } from '../data.ts'
import { SessionDataError } from '../errors.ts'

/**
 * Turns session data into one DynamoDB attribute value and back. `decode` throws on anything it did not
 * write; the store then treats the item as no session and logs a warning.
 *
 * The optional members let `session.set()` refuse, at the line that wrote it, what this codec could not
 * store or read back: without them, only the JSON rules every codec shares are checked there, and an
 * oversized session is refused when the request ends.
 *
 * @example
 * ```ts
 * const codec: SessionDataCodec = {
 *   encode: (data) => ({ S: JSON.stringify(data) }),
 *   decode: (value) => JSON.parse(value.S ?? 'null'),
 * }
 * ```
 */
export interface SessionDataCodec {
  /** Session data to the attribute value stored under `dataName`. */
  encode(data: SessionData): AttributeValue
  /** The stored attribute value back to session data; throws on anything unreadable. */
  decode(value: AttributeValue): SessionData
  /** Throws `SessionDataError` for an entry this codec cannot store and read back as it is. */
  check?(key: string, value: JsonValue): void
  /** An upper bound of the bytes the entry `key: value` adds to the stored attribute. */
  entrySize?(key: string, value: JsonValue): number
  /**
   * Throws `SessionDataError` when data whose entries add up to `size` bytes cannot be stored in `room`
   * bytes. Default: a `SessionTooLargeError` when `size > room`.
   */
  assertFits?(size: number, room: number, data: () => SessionData): void
  /**
   * Map codecs only: one value as stored under its key inside the map. With it the store updates the
   * keys a request changed in place, so requests that change different keys never conflict.
   */
  encodeEntry?(value: JsonValue): AttributeValue
}

function toAttribute(value: JsonValue): AttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value }
    case 'number':
      return { N: String(value) }
    case 'boolean':
      return { BOOL: value }
  }
  if (value === null) return { NULL: true }
  return Array.isArray(value) ? { L: value.map(toAttribute) } : { M: toAttributeMap(value) }
}

// Object.fromEntries defines own properties, so a "__proto__" key stays data and never sets a prototype.
function toAttributeMap(value: Record<string, JsonValue | undefined>): Record<string, AttributeValue> {
  const entries: [string, AttributeValue][] = []
  for (const [key, child] of Object.entries(value)) {
    if (child !== undefined) entries.push([key, toAttribute(child)])
  }
  return Object.fromEntries(entries)
}

function toNumber(text: string): number {
  const number = Number(text)
  if (!Number.isFinite(number)) throw new TypeError('unreadable number')
  return number
}

function fromAttribute(value: AttributeValue): JsonValue {
  if (value.S !== undefined) return value.S
  if (value.N !== undefined) return toNumber(value.N)
  if (value.BOOL !== undefined) return value.BOOL
  if (value.NULL !== undefined) return null
  if (value.L) return value.L.map(fromAttribute)
  if (value.M) return fromAttributeMap(value.M)
  if (value.SS) return [...value.SS]
  if (value.NS) return value.NS.map(toNumber)
  throw new TypeError('binary or unknown attribute type')
}

function fromAttributeMap(map: Record<string, AttributeValue>): { [key: string]: JsonValue } {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, fromAttribute(value)]))
}

/** DynamoDB numbers hold magnitudes from 1e-130 up to (but excluding) 1e126. */
const MAX_NUMBER = 1e126
const MIN_NUMBER = 1e-130
// DynamoDB nests documents up to 32 levels, the item's data map included: 30 levels are left for a value.
const MAX_MAP_DEPTH = 30

function refuse(path: string, why: string): never {
  throw new SessionDataError(`Session value at ${path} cannot be stored in a DynamoDB map: ${why}`)
}

function checkMapKey(key: string, path: string): void {
  if (key === '') refuse(path, 'an empty key cannot be a DynamoDB map key')
  // The SDK cannot read back an item with such a key when a conditional write fails (it sets a
  // prototype instead), so a concurrent request would fail on it: refused here, at set().
  if (key === '__proto__') refuse(path, 'a "__proto__" key cannot be read back by the AWS SDK')
}

/** The DynamoDB rules JSON does not have; returns the value's attribute size (as {@link attributeSize}). */
function mapValueSize(value: JsonValue, path: string, depth: number): number {
  switch (typeof value) {
    case 'string':
      return Buffer.byteLength(value)
    case 'boolean':
      return 1
    case 'number': {
      const magnitude = Math.abs(value)
      if (magnitude >= MAX_NUMBER || (magnitude !== 0 && magnitude < MIN_NUMBER)) {
        refuse(path, 'the number is outside the range DynamoDB can store')
      }
      return numberSize(String(value))
    }
  }
  if (value === null) return 1
  if (depth >= MAX_MAP_DEPTH) refuse(path, `it is nested deeper than ${MAX_MAP_DEPTH} levels`)
  let size = 3
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      size += 1 + mapValueSize(value[i] ?? null, `${path}[${i}]`, depth + 1)
    }
    return size
  }
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue
    checkMapKey(key, path)
    size += Buffer.byteLength(key) + 1 + mapValueSize(child, `${path}.${key}`, depth + 1)
  }
  return size
}

/** The bytes `key: value` adds to a map attribute; throws `SessionDataError` for what a map cannot hold. */
function mapEntrySize(key: string, value: JsonValue): number {
  checkMapKey(key, key)
  return Buffer.byteLength(key) + 1 + mapValueSize(value, key, 0)
}

/**
 * The default codec: session data as a native DynamoDB map (`M`), each value with its natural type
 * (strings `S`, numbers `N`, booleans `BOOL`, `null` `NULL`, arrays `L`, objects `M`). It is the one codec
 * with per-key updates: requests that change different keys of one session never conflict. It refuses
 * what a DynamoDB map cannot hold or the SDK cannot read back: numbers outside 1e-130..1e126 in
 * magnitude, values nested deeper than 30 levels, empty keys and `"__proto__"` keys.
 *
 * @example
 * ```ts
 * nativeMapCodec.encode({ count: 1 }) // { M: { count: { N: '1' } } }
 * ```
 */
export const nativeMapCodec: SessionDataCodec = {
  encode: (data) => ({ M: toAttributeMap(data) }),
  decode: (value) => {
    if (value.M === undefined) throw new TypeError('session data is not a map')
    return fromAttributeMap(value.M)
  },
  check: (key, value) => void mapEntrySize(key, value),
  entrySize: mapEntrySize,
  encodeEntry: toAttribute,
}

/**
 * Session data as one JSON string (`S`): faster to encode and decode for large, deeply nested data, but
 * about a quarter more capacity units than the native map (JSON's quotes, colons and commas count), and
 * harder to read in the console.
 *
 * @example
 * ```ts
 * new DynamoDBSessionStore({ codec: jsonStringCodec })
 * ```
 */
export const jsonStringCodec: SessionDataCodec = {
  encode: (data) => ({ S: JSON.stringify(data) }),
  decode: (value) => {
    if (value.S === undefined) throw new TypeError('session data is not a string')
    return parseSessionJson(value.S)
  },
  entrySize: jsonEntrySize,
}

/** The bytes `"key":value,` adds to the JSON text of session data (the braces aside). */
export function jsonEntrySize(key: string, value: JsonValue): number {
  return Buffer.byteLength(JSON.stringify(key)) + Buffer.byteLength(JSON.stringify(value)) + 2
}

/** Parses JSON text that must hold session data (an object); throws otherwise. */
export function parseSessionJson(text: string): SessionData {
  const data: unknown = JSON.parse(text)
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TypeError('session data is not a JSON object')
  }
  return data as SessionData
}

/** DynamoDB counts a number as 1 byte per two significant digits, plus 1 (plus 1 here for a sign, to stay an upper bound). */
function numberSize(text: string): number {
  const mantissa = text.replace(/[eE].*$/, '')
  const significant = mantissa.replace(/[-+.]/g, '').replace(/^0+|0+$/g, '')
  return Math.ceil(Math.max(significant.length, 1) / 2) + 1 + (mantissa.startsWith('-') ? 1 : 0)
}

/**
 * An upper bound of an attribute value's size as DynamoDB counts it toward the 400 KB item limit:
 * strings by UTF-8 bytes, numbers by significant digits, maps and lists at 3 bytes plus 1 per element.
 */
export function attributeSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S)
  if (value.N !== undefined) return numberSize(value.N)
  if (value.B) return value.B.length
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1
  if (value.L) return value.L.reduce((size, child) => size + 1 + attributeSize(child), 3)
  if (value.M) return itemSize(value.M) + 3 + Object.keys(value.M).length
  let size = 0
  for (const text of value.SS ?? []) size += Buffer.byteLength(text)
  for (const number of value.NS ?? []) size += numberSize(number)
  for (const bytes of value.BS ?? []) size += bytes.length
  return size
}

/** An upper bound of an item's size: attribute names plus values, as DynamoDB counts them. */
export function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + attributeSize(value)
  return size
}
