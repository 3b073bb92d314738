/**
 * An opt-in codec that gzips large sessions. DynamoDB bills a write unit per started KB and a read unit
 * per started 4 KB; session JSON compresses 3 to 6 times, so above about 1.5 KB of JSON gzip saves write
 * units (and above about 6 KB, read units), for about 0.1 ms of CPU per 10 KB (figures: bench/RESULTS.md).
 * It also lets a session larger than DynamoDB's 400 KB item limit fit, when it compresses.
 *
 * @module
 */
import { gunzipSync, gzipSync } from 'node:zlib'
import { SessionConfigError, SessionDataError, SessionTooLargeError } from '../errors.ts'
import { jsonEntrySize, nativeMapCodec, parseSessionJson, type SessionDataCodec } from './codec.ts'

/**
 * Options of {@link gzipCodec}.
 *
 * @example
 * ```ts
 * const options: GzipCodecOptions = { threshold: 4096, below: jsonStringCodec }
 * ```
 */
export interface GzipCodecOptions {
  /** Sessions whose JSON has at least this many bytes are gzipped. Default 1536. */
  threshold?: number | undefined
  /** How smaller sessions are stored. Default {@link nativeMapCodec} (readable in the console). */
  below?: SessionDataCodec | undefined
  /** The most bytes a stored session may inflate to, against corrupted or hostile items. Default 16 MiB. */
  maxInflatedBytes?: number | undefined
}

/**
 * A codec that stores sessions of `threshold` bytes of JSON or more as gzipped JSON in a binary attribute
 * (`B`), and smaller ones with `below`. It reads both, so it can be turned on for a table that already
 * holds sessions, and an item it cannot inflate counts as corrupted (no session, a logged warning).
 *
 * @example
 * ```ts
 * dynamoSession({ store: { tableName: 'Sessions', codec: gzipCodec() } })
 * ```
 */
export function gzipCodec(options: GzipCodecOptions = {}): SessionDataCodec {
  const threshold = options.threshold ?? 1536
  const below = options.below ?? nativeMapCodec
  const maxOutputLength = options.maxInflatedBytes ?? 16 * 1024 * 1024
  if (!(threshold >= 0) || !(maxOutputLength > 0)) {
    throw new SessionConfigError('gzipCodec needs a threshold of 0 or more and a positive maxInflatedBytes')
  }
  return {
    encode(data) {
      const json = JSON.stringify(data)
      return Buffer.byteLength(json) < threshold ? below.encode(data) : { B: gzipSync(json) }
    },
    decode(value) {
      if (value.B === undefined) return below.decode(value)
      return parseSessionJson(gunzipSync(value.B, { maxOutputLength }).toString('utf8'))
    },
    // A session may be stored either way as it grows and shrinks: it must suit `below` too.
    check: below.check,
    entrySize: jsonEntrySize,
    assertFits(size, room, data) {
      // `size` bounds the JSON text, which is what inflating gives back.
      if (size + 2 > maxOutputLength) {
        throw new SessionDataError(
          `Session data of about ${size} bytes of JSON exceeds this gzipCodec's maxInflatedBytes (${maxOutputLength}); it could not be read back`,
        )
      }
      // Below the threshold it is stored as `below` does, whose size the JSON text bounds.
      if (size < threshold) {
        if (size > room) throw new SessionTooLargeError(size, room)
        return
      }
      // Gzip adds at most about 0.1% and a few bytes to what it cannot compress: below that, it fits.
      if (size + 64 + (size >> 9) <= room) return
      const compressed = gzipSync(JSON.stringify(data())).length
      if (compressed > room) throw new SessionTooLargeError(compressed, room)
    },
  }
}
