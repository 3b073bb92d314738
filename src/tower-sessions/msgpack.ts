/**
 * @msgpack/msgpack, set up to write session values exactly as rmp_serde writes a `serde_json::Value`, and to
 * turn value bytes that {@link scanRecord} has already checked into JavaScript values.
 *
 * What the library does as is: `nil`, booleans, strings (`a0`–`bf`, `d9`, `da`, `db` by UTF-8 length),
 * arrays and maps (`90`/`dc`/`dd`, `80`/`de`/`df` by length), safe integers in their smallest form, every
 * other number as float 64 (`cb`, never `ca`). What it cannot do, and the minimal help this module gives it:
 * - Integers beyond 2^53 that fit `i64`/`u64` (2^60, say): without bigints the library writes them as
 *   floats, and with `useBigInt64` it writes *safe* integers beyond 32 bits as floats too. A value holding
 *   such a number goes through the bigint encoder with every integer outside the 32-bit ranges turned into a
 *   bigint first, which gives the smallest form (`cf`/`d3`) for all of them.
 * - A map header without its entries (the record's data map is assembled around untouched values' original
 *   bytes) and maps in a chosen key order (rmp_serde's `BTreeMap` order is by UTF-8 bytes; the library's
 *   `sortKeys` sorts by UTF-16 code units, and plain objects put integer-like keys first): written here.
 * - `__proto__` keys, which the library refuses to decode: such values are decoded with every key prefixed
 *   by one character (so no key is `__proto__`), then rebuilt with own properties.
 * - Strings longer than 200 bytes lose a leading U+FEFF (the library's `TextDecoder` strips a byte order
 *   mark): values holding one are decoded with `rawStrings` and turned into strings here.
 * - 64-bit integers (read as bigints) become the nearest double; NaN and infinities, which serde_json reads
 *   as `null`, become `null`.
 *
 * @module
 */
import { Decoder, type DecoderOptions, Encoder } from '@msgpack/msgpack'
import { type JsonValue, setOwn } from '../data.ts'
import { MAX_VALUE_DEPTH } from './value.ts'

/** The library counts the value itself as depth 1; its innermost scalars sit one below the last container. */
const MAX_DEPTH = MAX_VALUE_DEPTH + 1

const plainEncoder = new Encoder({ ignoreUndefined: true, maxDepth: MAX_DEPTH })
const bigIntEncoder = new Encoder({ ignoreUndefined: true, maxDepth: MAX_DEPTH, useBigInt64: true })

const I64_MIN = -(2 ** 63)
const U64_END = 2 ** 64
const I32_MIN = -(2 ** 31)
const U32_END = 2 ** 32

/** Integers the bigint encoder must receive as bigints to write them as integers: outside i32/u32, inside i64/u64. */
function withBigInts(value: JsonValue): unknown {
  if (typeof value === 'number') {
    const wide = Number.isInteger(value) && (value < I32_MIN || value >= U32_END)
    return wide && value >= I64_MIN && value < U64_END ? BigInt(value) : value
  }
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(withBigInts)
  const copy: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value)) {
    if (child !== undefined) setOwn(copy, key, withBigInts(child))
  }
  return copy
}

/**
 * The MessagePack bytes of a session value, as rmp_serde writes the equal `serde_json::Value` (map order
 * aside). `wideIntegers` must be true when the value holds an integer beyond 2^53 that fits `i64`/`u64`
 * (`inspectTowerSessionValue` tells). The value must already be valid.
 *
 * @example
 * ```ts
 * encodeValue({ n: 1.5, big: 2 ** 60 }, true) // 82 a1 6e cb 3ff8... a3 626967 cf 1000000000000000
 * ```
 */
export function encodeValue(value: JsonValue, wideIntegers: boolean): Uint8Array {
  return wideIntegers ? bigIntEncoder.encode(withBigInts(value)) : plainEncoder.encode(value)
}

/**
 * A map header for `size` entries: `80|n`, `de`, `df`.
 *
 * @example
 * ```ts
 * mapHeader(16) // Uint8Array [0xde, 0x00, 0x10]
 * ```
 */
export function mapHeader(size: number): Uint8Array {
  if (size < 16) return Uint8Array.of(0x80 | size)
  if (size < 0x10000) return Uint8Array.of(0xde, size >>> 8, size & 0xff)
  return Uint8Array.of(0xdf, size >>> 24, (size >>> 16) & 0xff, (size >>> 8) & 0xff, size & 0xff)
}

function arrayHeader(size: number): Uint8Array {
  if (size < 16) return Uint8Array.of(0x90 | size)
  if (size < 0x10000) return Uint8Array.of(0xdc, size >>> 8, size & 0xff)
  return Uint8Array.of(0xdd, size >>> 24, (size >>> 16) & 0xff, (size >>> 8) & 0xff, size & 0xff)
}

const utf8Encoder = new TextEncoder()

/**
 * `keys` in the order of their UTF-8 bytes: Rust's `String` order, in which `BTreeMap` (and so
 * `serde_json::Map`) writes them.
 *
 * @example
 * ```ts
 * sortByUtf8(['\uFFFF', '😀', 'b', 'a']) // ['a', 'b', '\uFFFF', '😀'] (UTF-16 order puts '😀' first)
 * ```
 */
export function sortByUtf8(keys: string[]): string[] {
  const encoded = keys.map((key) => ({ key, bytes: utf8Encoder.encode(key) }))
  encoded.sort((a, b) => Buffer.compare(a.bytes, b.bytes))
  return encoded.map(({ key }) => key)
}

/**
 * Like {@link encodeValue}, with every map's keys in UTF-8 byte order (what rmp_serde writes for a
 * `serde_json::Map` without `preserve_order`), as a list of chunks. For reproducible output: tests and
 * fixtures.
 *
 * @example
 * ```ts
 * Buffer.concat(encodeValueSorted({ b: 1, a: 2 }, false)) // 82 a1 61 02 a1 62 01
 * ```
 */
export function encodeValueSorted(
  value: JsonValue,
  wideIntegers: boolean,
  chunks: Uint8Array[] = [],
): Uint8Array[] {
  if (value === null || typeof value !== 'object') {
    chunks.push(encodeValue(value, wideIntegers))
  } else if (Array.isArray(value)) {
    chunks.push(arrayHeader(value.length))
    for (const item of value) encodeValueSorted(item, wideIntegers, chunks)
  } else {
    const keys = sortByUtf8(Object.keys(value).filter((key) => value[key] !== undefined))
    chunks.push(mapHeader(keys.length))
    for (const key of keys) {
      chunks.push(plainEncoder.encode(key))
      encodeValueSorted(value[key] as JsonValue, wideIntegers, chunks)
    }
  }
  return chunks
}

/**
 * The MessagePack bytes of a byte string: bin 8, 16 or 32 (the record's id is bin 8 of 16 bytes).
 *
 * @example
 * ```ts
 * encodeBytes(new Uint8Array(16)) // c4 10 00 00 ... 00
 * ```
 */
export function encodeBytes(bytes: Uint8Array): Uint8Array {
  return plainEncoder.encode(bytes)
}

/**
 * The MessagePack bytes of a string (a map key).
 *
 * @example
 * ```ts
 * encodeString('id') // Uint8Array [0xa2, 0x69, 0x64]
 * ```
 */
export function encodeString(text: string): Uint8Array {
  return plainEncoder.encode(text)
}

/** Strict UTF-8 (the bytes were validated already), keeping a leading U+FEFF. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Binary map keys (serde reads one as a `String` when it is valid UTF-8) become strings. */
function keyToString(key: unknown): string {
  if (typeof key === 'string') return key
  if (key instanceof Uint8Array) return utf8.decode(key)
  throw new TypeError('unexpected map key')
}

const plainDecoder = new Decoder({ mapKeyConverter: keyToString })

/** Prefixed to every key by the careful decoder, so that no key it hands the library is `__proto__`. */
const KEY_PREFIX = '~'
const prefixedKeys: NonNullable<DecoderOptions['keyDecoder']> = {
  canBeCached: () => true,
  decode: (bytes, offset, length) => KEY_PREFIX + utf8.decode(bytes.subarray(offset, offset + length)),
}
const carefulDecoder = new Decoder({
  useBigInt64: true,
  rawStrings: true,
  keyDecoder: prefixedKeys,
  mapKeyConverter: (key) => (typeof key === 'string' ? key : KEY_PREFIX + keyToString(key)),
})

/** The careful decoder's output as JSON data: keys unprefixed (own properties), strings, doubles, nulls. */
function rebuild(value: unknown): JsonValue {
  if (value instanceof Uint8Array) return utf8.decode(value)
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (Array.isArray(value)) return value.map(rebuild)
  if (value !== null && typeof value === 'object') {
    const object: Record<string, JsonValue> = {}
    for (const [key, child] of Object.entries(value))
      setOwn(object, key.slice(KEY_PREFIX.length), rebuild(child))
    return object
  }
  return value as boolean | null
}

/**
 * A session value from bytes that `scanRecord` accepted as one `serde_json::Value`. `careful` must be true
 * when the scan found something the library does not decode as serde_json would (see the module notes).
 *
 * @example
 * ```ts
 * decodeValue(Uint8Array.of(0x81, 0xa1, 0x61, 0x01), false) // { a: 1 }
 * ```
 */
export function decodeValue(bytes: Uint8Array, careful: boolean): JsonValue {
  return careful ? rebuild(carefulDecoder.decode(bytes)) : (plainDecoder.decode(bytes) as JsonValue)
}
