/**
 * The `data` attribute tower-sessions-dynamodb-store 0.3 writes: `rmp_serde::to_vec(&record)` of the whole
 * tower-sessions `Record`, not only its data map:
 * ```
 * 93                 a fixarray of 3: the struct as an array
 * c4 10 <16 bytes>   id: bin 8, the i128 big-endian
 * <map>              data: the session's keys and serde_json values
 * 99 <9 integers>    expiry_date: an OffsetDateTime as 9 integers
 * ```
 *
 * Numbers. JavaScript has doubles; a `serde_json::Value` has unsigned, signed and float numbers, and a Rust
 * service that stored an integer reads it back as one (`session.get::<i64>()` fails on a float). So this
 * encoder writes every integer from −2^63 up to (excluding) 2^64, safe or not, as a MessagePack integer in
 * its smallest form; every other number (fractions, and integers below −2^63 or from 2^64 on) as float 64.
 * `-0` is written as the integer 0 (as `JSON.stringify` writes it).
 *
 * What JavaScript cannot hold: a `u64`/`i64` beyond 2^53 that is not a double (`u64::MAX`, say) loads as
 * the nearest double; a float with an integral value (`2.0`, `-0.0`) loads as that number, which would be
 * written back as an integer; NaN or infinities load as `null` (serde_json reads them as null too). Such a
 * value is never changed by a save that did not touch it: {@link decodeTowerRecord} keeps every top-level
 * value's original bytes (`rawEntries`), and {@link encodeTowerRecord} writes them back as they were for the
 * keys the caller passes. A key whose value the caller changed is written from its new JavaScript value by
 * the rules above: `session.set('big', await session.get('big'))` turns `u64::MAX` into the float
 * 18446744073709551616.
 *
 * @module
 */
import type { JsonValue, SessionData } from '../data.ts'
import { setOwn } from '../data.ts'
import { SessionDataError } from '../errors.ts'
import {
  type ExpiryParts,
  epochSecondsFromExpiryParts,
  expiryPartsFromEpochSeconds,
  normalizeExpiryParts,
} from './expiry-date.ts'
import { towerIdFromRecordBytes, towerIdToRecordBytes } from './id.ts'
import {
  decodeValue,
  encodeBytes,
  encodeString,
  encodeValue,
  encodeValueSorted,
  mapHeader,
  sortByUtf8,
} from './msgpack.ts'
import { scanRecord } from './scan.ts'
import { inspectTowerSessionValue, MAX_SESSION_KEYS } from './value.ts'

/**
 * A tower-sessions record: the session id (cookie form), its data, and when it expires.
 *
 * @example
 * ```ts
 * const record: TowerRecord = { id: 'KgAAAAAAAAAAAAAAAAAAAA', data: { visits: 1 }, expiresAt: 1805036966 }
 * ```
 */
export interface TowerRecord {
  /** The session id in its 22-character cookie form (see `generateTowerSessionId`). */
  id: string
  /** The session data: top-level keys and JSON values. `undefined` values are left out. */
  data: SessionData
  /** The expiry in whole epoch seconds: what `expire_at` holds. */
  expiresAt: number
}

/**
 * A record as {@link decodeTowerRecord} read it: the record, plus what a faithful save needs.
 *
 * @example
 * ```ts
 * const { data, rawEntries, inexactKeys }: DecodedTowerRecord = decodeTowerRecord(bytes)
 * ```
 */
export interface DecodedTowerRecord extends TowerRecord {
  /** The expiry date as stored (offset and nanoseconds included), offset signs made consistent. */
  expiryParts: ExpiryParts
  /**
   * Each top-level key's value, as the MessagePack bytes it was stored as. Pass the entries of the keys
   * left unchanged to {@link encodeTowerRecord} to write them back exactly. Views into a private copy of
   * the decoded bytes: do not modify them.
   */
  rawEntries: ReadonlyMap<string, Uint8Array>
  /**
   * The top-level keys whose value JavaScript cannot hold exactly (see the module notes): written back
   * from `data`, they would change on the Rust side.
   */
  inexactKeys: ReadonlySet<string>
}

/**
 * Options of {@link encodeTowerRecord}.
 *
 * @example
 * ```ts
 * const options: EncodeTowerRecordOptions = { rawEntries: new Map([['big', loaded.rawEntries.get('big')!]]) }
 * ```
 */
export interface EncodeTowerRecordOptions {
  /**
   * Original value bytes (from {@link DecodedTowerRecord.rawEntries}) to write instead of encoding
   * `data[key]`, for keys whose value has not changed since it was loaded. Only keys present in `data` are
   * written: an entry for a deleted key is ignored. The caller vouches that each value is unchanged.
   */
  rawEntries?: ReadonlyMap<string, Uint8Array>
  /**
   * The expiry date to write instead of `expiresAt` in UTC: for instance a loaded record's own date, with
   * its offset and nanoseconds. It must denote `expiresAt` (whole seconds); otherwise a `RangeError`.
   */
  expiryParts?: ExpiryParts
  /**
   * Write every map's keys in UTF-8 byte order, as Rust's `BTreeMap` does (serde_json's default `Map`),
   * for byte-for-byte comparisons. Rust reads any order; the default is the data's own key order.
   */
  sortKeys?: boolean
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let length = 0
  for (const chunk of chunks) length += chunk.length
  const bytes = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

function expiryOf(record: TowerRecord, parts: ExpiryParts | undefined): ExpiryParts {
  if (parts === undefined) return expiryPartsFromEpochSeconds(record.expiresAt)
  let normalized: ExpiryParts
  try {
    normalized = normalizeExpiryParts(parts)
  } catch (error) {
    throw new RangeError('expiryParts is not a valid expiry date', { cause: error })
  }
  if (epochSecondsFromExpiryParts(normalized) !== record.expiresAt) {
    throw new RangeError('expiryParts does not denote expiresAt')
  }
  return normalized
}

/** The refusal of a session of `keys` keys, more than the format holds. */
export function tooManyKeys(keys: number): SessionDataError {
  return new SessionDataError(
    `A tower-sessions session holds at most ${MAX_SESSION_KEYS} keys; this one would have ${keys}`,
  )
}

/**
 * The bytes tower-sessions-dynamodb-store stores in `data` for this record: exactly what
 * `rmp_serde::to_vec(&record)` writes for the same id, data and expiry date (map order aside: with
 * `sortKeys`, byte for byte what it writes for sorted maps), with nothing after it.
 *
 * Throws a `SessionDataError` for data the Rust side could not read (see `assertTowerSessionValue`), a
 * `TypeError` for an id that is not a tower-sessions id, a `RangeError` for an expiry outside years ±9999.
 *
 * @example
 * ```ts
 * const bytes = encodeTowerRecord({ id: 'KgAAAAAAAAAAAAAAAAAAAA', data: { visits: 1 }, expiresAt: 1805036966 })
 * Buffer.from(bytes).toString('hex')
 * // '93c4100000000000000000000000000000002a81a67669736974730199cd07eb490f091a00000000'
 *
 * // Saving a loaded record: untouched keys keep their exact bytes (a u64 beyond 2^53, say).
 * const loaded = decodeTowerRecord(bytes)
 * const untouched = new Map([...loaded.rawEntries].filter(([key]) => key !== 'visits'))
 * encodeTowerRecord({ ...loaded, data: { ...loaded.data, visits: 2 } }, { rawEntries: untouched })
 * ```
 */
export function encodeTowerRecord(record: TowerRecord, options: EncodeTowerRecordOptions = {}): Uint8Array {
  const { rawEntries, sortKeys = false } = options
  const idBytes = encodeBytes(towerIdToRecordBytes(record.id))
  const expiry = encodeValue([...expiryOf(record, options.expiryParts)], false)
  const data = record.data
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new SessionDataError('Session data cannot be stored: it is not an object')
  }
  let keys = Object.keys(data).filter((key) => data[key] !== undefined)
  if (keys.length > MAX_SESSION_KEYS) throw tooManyKeys(keys.length)
  if (sortKeys) keys = sortByUtf8(keys)
  const chunks: Uint8Array[] = [Uint8Array.of(0x93), idBytes, mapHeader(keys.length)]
  for (const key of keys) {
    if (!key.isWellFormed()) throw new SessionDataError('Session key cannot be stored: it is not valid UTF-8')
    chunks.push(encodeString(key))
    const raw = rawEntries?.get(key)
    if (raw !== undefined) {
      chunks.push(raw)
      continue
    }
    const value = data[key] as JsonValue
    const { wideIntegers } = inspectTowerSessionValue(value, key)
    if (sortKeys) encodeValueSorted(value, wideIntegers, chunks)
    else chunks.push(encodeValue(value, wideIntegers))
  }
  chunks.push(expiry)
  return concat(chunks)
}

/**
 * Reads the `data` attribute of a tower-sessions item: any bytes `rmp_serde::from_slice::<Record>` accepts
 * (the struct as an array or as a map of field names, the id as bin 8 or as an integer, integers of any
 * width, float 32 or 64, maps in any order, bytes after the record), and nothing it refuses: binary or
 * extension values in the data, non-string keys, invalid UTF-8, truncated or otherwise malformed input
 * all throw a `TypeError` (the store treats the item as no session). The message never quotes the data.
 *
 * Keys such as `__proto__` or `constructor` become own properties of plain objects, never prototypes. For
 * numbers JavaScript cannot hold exactly, see the module notes: `data` holds the nearest double (or the
 * integer a `2.0` equals, or `null` for NaN), `rawEntries` the exact bytes, `inexactKeys` which keys these
 * are. `expiresAt` comes from the record's own expiry date; the item's `expire_at` is what decides
 * whether it loads.
 *
 * @example
 * ```ts
 * const record = decodeTowerRecord(Buffer.from('k8QQAAAAAAAAAAAAAAAAAAAAKoGmdmlzaXRzAZnNB+tJDwkaAAAAAA==', 'base64'))
 * record.id // 'KgAAAAAAAAAAAAAAAAAAAA'
 * record.data // { visits: 1 }
 * record.expiresAt // 1805036966
 * ```
 */
export function decodeTowerRecord(bytes: Uint8Array): DecodedTowerRecord {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('not a tower-sessions record: not binary')
  // A copy (`Buffer#slice` would not copy): the raw entries are views into it.
  const own = new Uint8Array(bytes)
  const scanned = scanRecord(own)
  const expiryParts = normalizeExpiryParts(scanned.expiry)
  const data: SessionData = {}
  const rawEntries = new Map<string, Uint8Array>()
  const inexactKeys = new Set<string>()
  for (const [key, entry] of scanned.entries) {
    const raw = own.subarray(entry.start, entry.end)
    let value: JsonValue
    try {
      value = decodeValue(raw, entry.careful)
    } catch (error) {
      throw new TypeError('not a tower-sessions record: undecodable value', { cause: error })
    }
    setOwn(data, key, value)
    rawEntries.set(key, raw)
    if (entry.inexact) inexactKeys.add(key)
  }
  return {
    id: towerIdFromRecordBytes(scanned.id),
    data,
    expiresAt: epochSecondsFromExpiryParts(expiryParts),
    expiryParts,
    rawEntries,
    inexactKeys,
  }
}
