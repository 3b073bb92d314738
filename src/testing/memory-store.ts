/**
 * {@link MemoryStore}: a {@link SessionStore} in memory, for tests: the DynamoDB store's own engine (the
 * same writes, conditions, conflicts, successors and users' items) over a table in memory, so the two
 * cannot differ in what they do. Imports nothing of the AWS SDK at run time.
 *
 * @module
 */
import { checkOptions, type OptionRule, type OptionTable } from '../config.ts'
import type { SessionConflictError, SessionDataError } from '../errors.ts'
import { silentLogger } from '../logger.ts'
import type { UsersPlugin } from '../store/binding.ts'
import type { jsonStringCodec } from '../store/codec.ts'
import { formatOf, SUCCESSOR_SECONDS } from '../store/engine.ts'
import { EngineStore } from '../store/engine-store.ts'
import type { Item } from '../store/item-layout.ts'
import { DEFAULT_STORE_PROPS, sessionIdFromKey } from '../store/props.ts'
import { SETTINGS_RULES, type StoreSettings } from '../store/settings-rules.ts'
import type { SessionRecord, SessionStore } from '../store/types.ts'
import { MapTable } from './map-table.ts'

let itemsOf: (table: MemoryTable) => Map<string, Item>

/**
 * The memory that {@link MemoryStore}s keep sessions in: one table, as a DynamoDB table is one. Every
 * store made with the same table sees the same sessions, so a test can run "two Lambdas" (two
 * middlewares, each with its own store and options) against one table. A store made without a table
 * gets one of its own.
 *
 * @example
 * ```ts
 * const table = new MemoryTable()
 * const first = new MemoryStore({ table, now: clock.now })
 * const second = new MemoryStore({ table, now: clock.now, maxConflictRetries: 0 })
 * // a session `first` creates, `second` loads, and the other way round
 * table.clear() // between tests: every session forgotten
 * ```
 */
export class MemoryTable {
  readonly #items = new Map<string, Item>()

  static {
    itemsOf = (table) => table.#items
  }

  /** Forgets every session (and every trace a `regenerate()` left), and every user's item. */
  clear(): void {
    this.#items.clear()
  }
}

/**
 * Options of a {@link MemoryStore}: those of the {@link StoreSettings} every store shares that mean something in
 * memory, with the same defaults (`codec` or `format`, `now`, `generateId`, `createAttempts`,
 * `maxConflictRetries`, `users.maxSessionsPerUser`), plus the table to share. Give the store and the middleware the same clock (e.g.
 * a {@link TestClock}'s `now`). In memory one retry on top of concurrent changes always succeeds, so of
 * `maxConflictRetries` only `0` changes anything: a write is then refused as `contention` wherever the
 * DynamoDB store's first attempt would fail (always with a whole-item codec such as
 * {@link jsonStringCodec}; with the native map codec only after `clear()` or when the expiry policy
 * changed meanwhile).
 *
 * @example
 * ```ts
 * const clock = testClock()
 * const options: MemoryStoreOptions = { now: clock.now, codec: jsonStringCodec, maxConflictRetries: 0 }
 * const capped: MemoryStoreOptions = { now: clock.now, users: userSessions({ maxSessionsPerUser: 2 }) }
 * ```
 */
export interface MemoryStoreOptions
  extends Pick<
    StoreSettings,
    'codec' | 'format' | 'now' | 'generateId' | 'createAttempts' | 'maxConflictRetries' | 'transactions'
  > {
  /** Where the sessions live. Default: a table of this store's own. */
  table?: MemoryTable | undefined
  /**
   * Sessions bound to users: the most sessions one user may have bound at once (default 100), and what a
   * bind past it does (default `'refuse'`).
   */
  users?: UsersPlugin | undefined
}

const IN_MEMORY =
  'a MemoryStore keeps its sessions in memory (share them between stores with table: new MemoryTable())'

/** The options of {@link MemoryStore}, and hints for the DynamoDB store's options that do not apply. */
const MEMORY_OPTIONS: OptionTable = {
  rules: {
    ...SETTINGS_RULES,
    table: 'object',
  } satisfies Record<keyof MemoryStoreOptions, OptionRule>,
  hints: Object.fromEntries(
    ['tableName', 'client', 'consistentRead', 'timeoutMs', 'partitionKey', 'sortKey'].map((key) => [
      key,
      IN_MEMORY,
    ]),
  ),
}

/**
 * Sessions in memory, for tests: a drop-in {@link SessionStore} for `dynamoSession({ store })` that
 * needs no DynamoDB, no Java and no network, and answers in microseconds. It is the same engine as the
 * DynamoDB store's, over a table in memory whose every call is one synchronous step (as each DynamoDB
 * call is atomic) and whose TTL runs at once; the two pass the same contract suites:
 * - a change is refused with a `conflict` (so the middleware throws the same {@link SessionConflictError})
 *   when another request changed one of its keys, or the expiry policy, since the session was loaded;
 *   changes of different keys are both kept;
 * - expiry is checked on every read against `now`, and a session past it is gone for good (as if TTL
 *   had deleted it at once);
 * - a touch moves the expiry forward only, and only while the session is unchanged since loaded;
 * - `create()` retries an id collision with fresh ids, `createAttempts` times in all;
 * - `destroy()` is final, and also ends the session a `regenerate()` of that id created within
 *   {@link SUCCESSOR_SECONDS}; `regenerate()` moves the session to a new id in one step;
 * - the codec's (or format's) size and content rules apply (`checkEntry`, `entrySize`, `assertFits`),
 *   with the room a DynamoDB item has; with `format: towerSessionsFormat()`, ids and items are those of
 *   tower-sessions;
 * - sessions bound to users (`session.bindUser()`) are bound in the same step as their write, and
 *   `store.users` lists a user's live sessions (newest binding first, paged, never showing a session id),
 *   ends one by its handle, or ends all of them, completely and for good; a bind past
 *   `users.maxSessionsPerUser` throws the same {@link SessionDataError}.
 *
 * Data is copied in and out (it is stored as the codec or format encodes it): changing a record a method
 * returned, or an object after storing it, never changes the store. Errors name the DynamoDB operation the DynamoDB
 * store would have used (`'PutItem'`, `'TransactWriteItems'`).
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { dynamoSession } from 'middy-dynamodb-session'
 * import { MemoryStore, testClock } from 'middy-dynamodb-session/testing'
 *
 * const clock = testClock()
 * const store = new MemoryStore({ now: clock.now })
 * const handler = middy().use(dynamoSession({ store, now: clock.now })).handler(app)
 * // ... requests ...
 * expect(store.sessions()).toHaveLength(1)
 * expect(await store.users.endAll('u-42')).toBe(1) // "sign out everywhere" of a user one request bound
 * ```
 */
export class MemoryStore extends EngineStore {
  /** The table this store keeps its sessions in: pass it to another store to share them. */
  readonly table: MemoryTable

  constructor(options: MemoryStoreOptions = {}) {
    checkOptions(options, MEMORY_OPTIONS, '')
    const shared = options.table ?? new MemoryTable()
    const props = DEFAULT_STORE_PROPS
    const now = options.now ?? Date.now
    super(
      () =>
        new MapTable([props.partitionKey.name], {
          items: itemsOf(shared),
          ttl: { attribute: props.expiryName, now },
          // Without transactions, the table refuses them, as an MRSC global table does.
          transactions: options.transactions ?? true,
        }),
      {
        props,
        format: formatOf(options),
        logger: silentLogger,
        now,
        generateId: options.generateId,
        createAttempts: options.createAttempts,
        maxConflictRetries: options.maxConflictRetries,
        users: options.users,
        transactions: options.transactions,
      },
    )
    this.table = shared
  }

  /**
   * The live sessions of the table (neither expired at `now`, nor left behind by `regenerate()`), as
   * `load()` returns them: copies, in the order they were first stored.
   *
   * @example
   * ```ts
   * await handler(httpEvent('http-api-v2', { path: '/api/count', jar }), context)
   * expect(store.sessions().map((session) => session.data)).toEqual([{ count: 1 }])
   * ```
   */
  sessions(): SessionRecord[] {
    const { props } = this.layout
    return (this.storeTable as MapTable).items().flatMap((item) => {
      const id = sessionIdFromKey(props, item[props.partitionKey.name]?.S ?? '')
      return id !== undefined && this.ids.isId(id) ? (this.layout.read(id, item) ?? []) : []
    })
  }
}
