/**
 * What a session value can be in the tower-sessions format: JSON data, as `serde_json::Value` holds it.
 * Unlike the default format's DynamoDB map, the record is one binary attribute, so DynamoDB's limits on
 * numbers (1e-130 to 1e126), nesting (32 levels) and empty map keys do not apply; what the Rust side can
 * read does.
 *
 * @module
 */
import { type JsonValue, walkJsonValue } from '../data.ts'

/**
 * The deepest nesting of arrays and objects a session value may have. rmp_serde reads at most 1023 nested
 * containers; the record and its data map are two of them. `1` is a flat array or object.
 *
 * @example
 * ```ts
 * let value: JsonValue = []
 * for (let i = 1; i < MAX_VALUE_DEPTH; i++) value = [value]
 * assertTowerSessionValue(value, 'deep') // ok: 1021 levels; one more throws
 * ```
 */
export const MAX_VALUE_DEPTH = 1021

/**
 * The most keys a session's data may have in the tower-sessions format. A record with more is refused as
 * corrupt when read (from its map's header, before any of it is decoded), and `set()` of one more key
 * throws `SessionDataError`: decoding 57,000 keys took about 150 ms and 25 MB of heap, enough to push a
 * small Lambda out of memory, while 8,192 decode in about 30 ms and 9 MB (bench/RESULTS.md).
 *
 * @example
 * ```ts
 * if (Object.keys(data).length > MAX_SESSION_KEYS) console.log('too many keys for a tower-sessions record')
 * ```
 */
export const MAX_SESSION_KEYS = 8192

/** −2^63 and 2^64: the integers rmp_serde can hold as `i64` or `u64`. */
const I64_MIN = -(2 ** 63)
const U64_END = 2 ** 64

/**
 * Whether `value` is an integer beyond `Number.MAX_SAFE_INTEGER` that still fits Rust's `i64` or `u64`: it
 * is exact as a double (every double that large is an integer), and is written as a 64-bit integer.
 */
function isWideInteger(value: number): boolean {
  return Number.isInteger(value) && !Number.isSafeInteger(value) && value >= I64_MIN && value < U64_END
}

/**
 * What {@link inspectTowerSessionValue} found out about a valid value.
 *
 * @example
 * ```ts
 * const traits: ValueTraits = inspectTowerSessionValue([2 ** 60], 'ids') // { wideIntegers: true }
 * ```
 */
export interface ValueTraits {
  /** It holds an integer beyond 2^53 in magnitude that fits `i64` or `u64`: written as `cf` or `d3`. */
  wideIntegers: boolean
}

/**
 * Checks that `value` can be stored in the tower-sessions format and read back by the Rust side, and
 * reports what the encoder needs to know about it. Throws a `SessionDataError` otherwise (see
 * {@link assertTowerSessionValue}).
 *
 * @example
 * ```ts
 * inspectTowerSessionValue({ at: 2 ** 60 }, 'clock') // { wideIntegers: true }
 * ```
 */
export function inspectTowerSessionValue(value: unknown, key: string): ValueTraits {
  const traits: ValueTraits = { wideIntegers: false }
  walkJsonValue(value, key, {
    maxDepth: MAX_VALUE_DEPTH,
    onNumber: (number) => {
      if (isWideInteger(number)) traits.wideIntegers = true
    },
  })
  return traits
}

/**
 * Throws a `SessionDataError` unless `value` can be stored in the tower-sessions format: JSON data (`null`,
 * booleans, finite numbers of any magnitude, strings without lone surrogates, arrays, plain objects with any
 * keys, the empty key and `__proto__` included), nested at most {@link MAX_VALUE_DEPTH} levels, without
 * cycles. `undefined` object properties are dropped on save, as `JSON.stringify` drops them.
 *
 * @example
 * ```ts
 * assertTowerSessionValue({ '': 1, big: Number.MAX_VALUE }, 'prefs') // ok
 * assertTowerSessionValue('\uD800', 'name') // throws SessionDataError: not valid UTF-8
 * ```
 */
export function assertTowerSessionValue(value: unknown, key: string): asserts value is JsonValue {
  inspectTowerSessionValue(value, key)
}
