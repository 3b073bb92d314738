/**
 * `towerSessionsFormat()`: the {@link SessionFormat} that makes a `DynamoDBSessionStore` read and write
 * sessions exactly as `tower-sessions` 0.14 with `tower-sessions-dynamodb-store` 0.3 do, so that a Rust
 * service and a Lambda function share sessions: the same 22-character ids in the same `id` cookie, the same
 * item (`session_id`, `expire_at`, and `data` holding the whole MessagePack `Record`).
 *
 * @module
 */
import { SessionTooLargeError } from '../errors.ts'
import type { SessionFormat } from '../store/format.ts'
import { generateTowerSessionId, isTowerSessionId } from './id.ts'
import { encodeString, encodeValue } from './msgpack.ts'
import { type DecodedTowerRecord, decodeTowerRecord, encodeTowerRecord, tooManyKeys } from './record.ts'
import { assertTowerSessionValue, inspectTowerSessionValue, MAX_SESSION_KEYS } from './value.ts'

/**
 * The tower-sessions format, for `store: { format: towerSessionsFormat() }` (or
 * `new DynamoDBSessionStore({ format })`). Use it with the crate's table props (the defaults) and the same
 * cookie name on both sides (`id`, the default of both).
 *
 * - Ids are tower-sessions ids: 128 random bits, 22 base64url characters; other cookie values are never
 *   looked up.
 * - Items carry no version (the Rust crate would drop it): this library's writes are conditional on the
 *   stored `data` and `expire_at` themselves, which every Rust save changes, so a change the Rust side
 *   made meanwhile is detected like any concurrent change (merged if it touched other keys, a `409` if it
 *   touched the same ones). The Rust side writes unconditionally.
 * - Values are kept exact: a key this library did not change is written back with its stored bytes, so
 *   a `u64` beyond 2^53 or a float `2.0` stored by Rust survives a save; reading it gives the nearest
 *   JavaScript number.
 * - Any key Rust can store loads and saves (the empty key, `__proto__`, `constructor`...), and any finite
 *   number, with no DynamoDB number range (the data is one binary attribute).
 *
 * @example
 * ```ts
 * import { towerSessionsFormat } from 'middy-dynamodb-session/tower-sessions'
 *
 * export const handler = middy()
 *   .use(dynamoSession({ store: { tableName: 'TowerSessions', format: towerSessionsFormat() } }))
 *   .handler(async (event, context) => ({ statusCode: 200, body: String(await context.session.get('visits')) }))
 * ```
 */
export function towerSessionsFormat(): SessionFormat {
  return {
    name: 'tower-sessions',
    ids: { generate: generateTowerSessionId, isId: isTowerSessionId },
    versioned: false,
    encode(record, keep) {
      const loaded = keep?.loaded.state as DecodedTowerRecord | undefined
      const rawEntries = new Map<string, Uint8Array>()
      for (const key of keep?.keys ?? []) {
        const raw = loaded?.rawEntries.get(key)
        if (raw) rawEntries.set(key, raw)
      }
      return { B: encodeTowerRecord(record, { rawEntries }) }
    },
    decode(value, id) {
      if (value.B === undefined) throw new TypeError('tower-sessions data is not binary')
      const record = decodeTowerRecord(value.B)
      // tower-sessions saves a loaded session under the record's id: another id is not this session.
      if (record.id !== id) throw new TypeError('the tower-sessions record is for another session id')
      return { data: record.data, state: record }
    },
    check: (key, value) => assertTowerSessionValue(value, key),
    assertFits(size, room, data) {
      if (size > room) throw new SessionTooLargeError(size, room)
      const keys = Object.keys(data()).length
      if (keys > MAX_SESSION_KEYS) throw tooManyKeys(keys)
    },
    entrySize(key, value) {
      const { wideIntegers } = inspectTowerSessionValue(value, key)
      return encodeString(key).length + encodeValue(value, wideIntegers).length
    },
  }
}
