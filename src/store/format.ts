/**
 * A session format: the ids of a store and how a record's data becomes its `data` attribute and back. The
 * default wraps a {@link SessionDataCodec} (this library's 32-character ids, data only, items versioned);
 * the opt-in tower-sessions format writes the Rust crate's ids and whole-record MessagePack blob instead.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import type { JsonValue, SessionData } from '../data.ts'
import { DEFAULT_ID_SCHEME, type SessionIdScheme } from '../id.ts'
import type { SessionDataCodec } from './codec.ts'

/**
 * What a format read from a `data` attribute: the data, and whatever else it needs to write that record
 * back faithfully (opaque to the store).
 *
 * @example
 * ```ts
 * const loaded: FormatLoaded = format.decode(item.data, id)
 * ```
 */
export interface FormatLoaded {
  /** The session data. */
  readonly data: SessionData
  /** The format's own notes on the stored form (e.g. the exact bytes of each value). */
  readonly state?: unknown
}

/**
 * The record a format writes: its id, data and expiry (epoch seconds).
 *
 * @example
 * ```ts
 * const value = format.encode({ id, data: { visits: 1 }, expiresAt: nowSeconds + 3600 })
 * ```
 */
export interface FormatRecord {
  readonly id: string
  readonly data: SessionData
  readonly expiresAt: number
}

/**
 * How a store lays out sessions: its id scheme, and its `data` attribute. Pass one as
 * `store: { format }` (the tower-sessions format), or a `codec` for data-only encodings.
 *
 * @example
 * ```ts
 * import { towerSessionsFormat } from 'middy-dynamodb-session/tower-sessions'
 * dynamoSession({ store: { tableName: 'sessions', format: towerSessionsFormat() } })
 * ```
 */
export interface SessionFormat {
  /** A name for messages, e.g. `'tower-sessions'`. */
  readonly name: string
  /** The session ids of this format. */
  readonly ids: SessionIdScheme
  /**
   * Whether items carry this library's `version` attribute. A format shared with a writer that drops it
   * (the Rust crate rewrites whole items) says `false`: writes are then conditional on the stored data and
   * expiry themselves.
   */
  readonly versioned: boolean
  /**
   * The `data` attribute for `record`. With `keep`, the values of `keep.keys` are unchanged since
   * `keep.loaded` was read: a format may write their stored form back as it was.
   */
  encode(record: FormatRecord, keep?: { loaded: FormatLoaded; keys: ReadonlySet<string> }): AttributeValue
  /** The `data` attribute of session `id`'s item; throws on anything unreadable (the item is then no session). */
  decode(value: AttributeValue, id: string): FormatLoaded
  /** See {@link SessionDataCodec.check}. */
  check?(key: string, value: JsonValue): void
  /** See {@link SessionDataCodec.entrySize}. */
  entrySize?(key: string, value: JsonValue): number
  /** See {@link SessionDataCodec.assertFits}. */
  assertFits?(size: number, room: number, data: () => SessionData): void
  /** See {@link SessionDataCodec.encodeEntry}: enables per-key updates in place. */
  encodeEntry?(value: JsonValue): AttributeValue
}

/**
 * The format of a data codec: this library's ids, items versioned, the data as the codec stores it.
 *
 * @example
 * ```ts
 * const format = codecFormat(jsonStringCodec)
 * ```
 */
export function codecFormat(codec: SessionDataCodec): SessionFormat {
  const { check, entrySize, assertFits, encodeEntry } = codec
  return {
    name: 'codec',
    ids: DEFAULT_ID_SCHEME,
    versioned: true,
    encode: (record) => codec.encode(record.data),
    decode: (value) => ({ data: codec.decode(value) }),
    ...(check && { check }),
    ...(entrySize && { entrySize }),
    ...(assertFits && { assertFits }),
    ...(encodeEntry && { encodeEntry }),
  }
}
