/**
 * {@link MemoryStore}: a {@link SessionStore} in memory, for tests, with the observable semantics of
 * {@link DynamoDBSessionStore}. It keeps each session as the item the DynamoDB store would write (same
 * layout, same codec, same size limit) and applies every change, conflict check and expiry rule the
 * DynamoDB store's conditional writes apply, in one synchronous step per call: nothing else runs between
 * the check and the write.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { checkOptions, type OptionRule, type OptionTable } from '../config.ts'
import type { JsonValue, SessionData } from '../data.ts'
import {
  SessionConfigError,
  type SessionConflictError,
  type SessionDataError,
  SessionStoreError,
} from '../errors.ts'
import { sameExpiry } from '../expiry.ts'
import type { SessionIdScheme } from '../id.ts'
import { silentLogger } from '../logger.ts'
import { applyChange, conflictOf } from '../store/change.ts'
import { type jsonStringCodec, nativeMapCodec } from '../store/codec.ts'
import {
  DynamoDBSessionStore,
  type DynamoDBSessionStoreOptions,
  MAX_IN_PLACE_KEYS,
  MAX_SUCCESSORS,
  STORE_RULES,
  SUCCESSOR_SECONDS,
  storedAfter,
} from '../store/dynamodb-store.ts'
import { codecFormat } from '../store/format.ts'
import { type Item, ItemLayout, type ItemRevision, revisionOf, sameState } from '../store/item-layout.ts'
import type {
  NewSessionRecord,
  SaveResult,
  SessionChange,
  SessionRecord,
  SessionStore,
  UserSessionIndex,
} from '../store/types.ts'
import { readBinding, USER_ATTRIBUTES, type UserIndexOptions } from '../store/user-index.ts'
import { MemoryUserIndex, type UserEntries } from './memory-users.ts'

/** What a {@link MemoryTable} holds: the session items, and each user's entries. */
interface TableState {
  readonly items: Map<string, Item>
  readonly users: Map<string, UserEntries>
}

let stateOf: (table: MemoryTable) => TableState

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
  readonly #state: TableState = { items: new Map(), users: new Map() }

  static {
    stateOf = (table) => table.#state
  }

  /** Forgets every session (and every trace a `regenerate()` left), and which user had which. */
  clear(): void {
    this.#state.items.clear()
    this.#state.users.clear()
  }
}

/**
 * Options of a {@link MemoryStore}: those of {@link DynamoDBSessionStoreOptions} that mean something in
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
 * const capped: MemoryStoreOptions = { now: clock.now, users: { maxSessionsPerUser: 2 } }
 * ```
 */
export interface MemoryStoreOptions
  extends Pick<
    DynamoDBSessionStoreOptions,
    'codec' | 'format' | 'now' | 'generateId' | 'createAttempts' | 'maxConflictRetries'
  > {
  /** Where the sessions live. Default: a table of this store's own. */
  table?: MemoryTable | undefined
  /**
   * Sessions bound to users: the most sessions one user may have bound at once (default 100), and what a
   * bind past it does (default `'refuse'`).
   */
  users?: Pick<UserIndexOptions, 'maxSessionsPerUser' | 'whenFull'> | undefined
}

const IN_MEMORY =
  'a MemoryStore keeps its sessions in memory (share them between stores with table: new MemoryTable())'

/** The options of {@link MemoryStore}, and hints for the DynamoDB store's options that do not apply. */
const MEMORY_OPTIONS: OptionTable = {
  rules: {
    codec: STORE_RULES.codec,
    format: STORE_RULES.format,
    now: STORE_RULES.now,
    generateId: STORE_RULES.generateId,
    createAttempts: STORE_RULES.createAttempts,
    maxConflictRetries: STORE_RULES.maxConflictRetries,
    users: STORE_RULES.users,
    table: 'object',
  } satisfies Record<keyof MemoryStoreOptions, OptionRule>,
  hints: Object.fromEntries(
    ['tableName', 'client', 'consistentRead', 'timeoutMs', 'partitionKey', 'sortKey'].map((key) => [
      key,
      IN_MEMORY,
    ]),
  ),
}
const MEMORY_USERS: OptionTable = {
  rules: { maxSessionsPerUser: 'any', whenFull: 'any' },
  hints: { indexName: IN_MEMORY },
}

/** What a write stores of a session besides its id. */
type Stored = NewSessionRecord

/** Keys of a session a write leaves as they were: a format may write their stored form back. */
type Keep = { readonly revision: ItemRevision; readonly keys: ReadonlySet<string> }

/** One write attempt: done, or its condition failed (`ending`: the write meant to end the session). */
type Attempt = { readonly done: SaveResult } | { readonly failed: true; readonly ending: boolean }

/**
 * Sessions in memory, for tests: a drop-in {@link SessionStore} for `dynamoSession({ store })` that
 * needs no DynamoDB, no Java and no network, and answers in microseconds. It keeps the DynamoDB store's
 * promises, and the two pass the same contract suite:
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
export class MemoryStore implements SessionStore {
  /** The table this store keeps its sessions in: pass it to another store to share them. */
  readonly table: MemoryTable
  /** The shape of this store's ids (its format's). */
  readonly ids: SessionIdScheme
  /**
   * The sessions of each user, as `DynamoDBSessionStore`'s: list them, end one by its handle, end all
   * (optionally but one).
   */
  readonly users: UserSessionIndex
  /** See {@link SessionStore.entrySize}; present when the codec tells sizes. */
  readonly entrySize?: (key: string, value: JsonValue) => number
  readonly #items: Map<string, Item>
  readonly #users: MemoryUserIndex
  /** A DynamoDB store with the same options, never sent anything: it checks them, and guards entries and sizes. */
  readonly #rules: DynamoDBSessionStore
  readonly #layout: ItemLayout
  readonly #now: () => number
  readonly #generateId: () => string
  readonly #createAttempts: number
  readonly #maxConflictRetries: number

  constructor(options: MemoryStoreOptions = {}) {
    checkOptions(options, MEMORY_OPTIONS, '')
    checkOptions(options.users, MEMORY_USERS, 'users.')
    const { table, ...storeOptions } = options
    this.#rules = new DynamoDBSessionStore(storeOptions)
    const format = options.format ?? codecFormat(options.codec ?? nativeMapCodec)
    this.ids = this.#rules.ids
    this.table = table ?? new MemoryTable()
    const state = stateOf(this.table)
    this.#items = state.items
    this.#now = options.now ?? Date.now
    this.#generateId = options.generateId ?? format.ids.generate
    this.#createAttempts = options.createAttempts ?? 6
    this.#maxConflictRetries = options.maxConflictRetries ?? 10
    this.#layout = new ItemLayout(this.#rules.props, format, silentLogger, this.#now)
    if (this.#rules.entrySize) this.entrySize = this.#rules.entrySize
    this.#users = new MemoryUserIndex(
      {
        items: () => [...this.#items.keys()].flatMap((id) => this.#boundItem(id)),
        follow: (id) => this.#follow(id),
        destroy: (id) => this.#destroy(id),
        remove: (id) => this.#items.delete(id),
        props: this.#layout.props,
        now: () => this.#now(),
      },
      state.users,
      this.#rules.users,
    )
    this.users = this.#users
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
    return [...this.#items.keys()].flatMap((id) => this.#read(id) ?? [])
  }

  async load(id: string): Promise<SessionRecord | undefined> {
    return this.ids.isId(id) ? this.#read(id) : undefined
  }

  async create(record: NewSessionRecord): Promise<SessionRecord> {
    const id = this.#unusedId('PutItem')
    const step = { from: undefined, to: record.user, fromId: id, toId: id }
    this.#users.admit(step)
    const created = this.#put(id, record, this.#layout.nextVersion(undefined))
    this.#users.apply(step)
    return created
  }

  async save(change: SessionChange): Promise<SaveResult> {
    return this.#rebasing(change, (base, whole) => this.#saveOnce(change, base, whole))
  }

  async regenerate(change: SessionChange): Promise<SaveResult> {
    return this.#rebasing(change, (base) => this.#regenerateOnce(change, base))
  }

  async touch(base: SessionRecord, expiresAt: number): Promise<SessionRecord | undefined> {
    const current = this.#read(base.id)
    if (!current || !sameState(revisionOf(current), revisionOf(base))) return undefined
    // Never backward: a session already touched further (by a concurrent request) counts as touched.
    if (current.expiresAt >= expiresAt)
      return { ...base, expiresAt: current.expiresAt, revision: current.revision }
    const item = this.#items.get(base.id)
    if (!item || !this.#unchanged(base, this.#nowSeconds())) return undefined
    const touched = { ...item, [this.#layout.props.expiryName]: { N: String(expiresAt) } }
    // A bound session's last use, for its user's list of sessions.
    if (base.user) touched[USER_ATTRIBUTES.lastUsed] = { N: String(this.#now()) }
    this.#items.set(base.id, touched)
    return { ...base, expiresAt, revision: this.#layout.revision(touched, revisionOf(current).loaded) }
  }

  async destroy(id: string): Promise<void> {
    this.#destroy(id)
  }

  checkEntry(key: string, value: JsonValue): void {
    this.#rules.checkEntry(key, value)
  }

  assertFits(size: number, data: () => SessionData): void {
    this.#rules.assertFits(size, data)
  }

  #nowSeconds(): number {
    return Math.floor(this.#now() / 1000)
  }

  /** A logout: deletes `id` and the sessions it was regenerated into, and takes them off their users. */
  #destroy(id: string): void {
    let next: string | undefined = id
    for (let hop = 0; next !== undefined && hop < MAX_SUCCESSORS; hop++) {
      // A regenerated session's old item stays (until it expires) so a later logout still finds the new one.
      const item = this.#item(next)
      const successor = this.#layout.successorOf(item)
      if (successor === undefined) {
        this.#items.delete(next)
        const binding = item && readBinding(item)
        if (binding) this.#users.apply({ from: binding, to: undefined, fromId: next, toId: next })
      }
      next = this.ids.isId(successor) ? successor : undefined
    }
  }

  /** The live item `id` leads to: its own, or, for a regenerated session's old id, its successor's. */
  #follow(id: string): Item | undefined {
    let item = this.#item(id)
    for (let hop = 0; hop < MAX_SUCCESSORS; hop++) {
      const successor = this.#layout.successorOf(item)
      if (successor === undefined) return item
      item = this.#item(successor)
    }
    return item
  }

  /** The live item `id` with its id, when it is a session bound to a user (for the user index). */
  #boundItem(id: string): [string, Item][] {
    const item = this.#item(id)
    return item?.[USER_ATTRIBUTES.user] ? [[id, item]] : []
  }

  /** The item stored under `id`; one past its expiry is deleted first, as TTL would (at once, here). */
  #item(id: string): Item | undefined {
    const item = this.#items.get(id)
    if (item && Number(item[this.#layout.props.expiryName]?.N) <= this.#nowSeconds()) {
      this.#items.delete(id)
      return undefined
    }
    return item
  }

  /** The live session `id`, decoded: a copy. */
  #read(id: string): SessionRecord | undefined {
    return this.#layout.read(id, this.#item(id))
  }

  /** An id no item has, from `generateId`; throws after `createAttempts` collisions. */
  #unusedId(operation: string): string {
    for (let attempt = 1; attempt <= this.#createAttempts; attempt++) {
      const id = this.#generateId()
      if (!this.ids.isId(id)) throw new SessionConfigError('generateId returned an id of the wrong shape')
      if (!this.#item(id)) return id
    }
    throw new SessionStoreError(operation, `No unused session id found in ${this.#createAttempts} attempts`)
  }

  /**
   * Stores session `id` as the DynamoDB store would write it, size-checked (a session too large throws and
   * nothing is written), and resolves the record read back from it.
   */
  #put(id: string, fields: Stored, version: AttributeValue | undefined, keep?: Keep): SessionRecord {
    const item = this.#layout.item(id, fields, version, { M: {} }, keep)
    this.#items.set(id, item)
    const loaded = this.#layout.format.decode(item[this.#layout.props.dataName] as AttributeValue, id)
    const { expiresAt, expiry } = fields
    const record = { id, data: loaded.data, expiresAt, expiry, revision: this.#layout.revision(item, loaded) }
    const user = readBinding(item)
    return user ? { ...record, user } : record
  }

  /** The keys of `current` that `change` leaves as they are: a format may write them back as stored. */
  #keep(change: SessionChange, current: SessionRecord): Keep {
    const keys = change.cleared ? [] : Object.keys(current.data).filter((key) => !change.entries.has(key))
    return { revision: revisionOf(current), keys: new Set(keys) }
  }

  /**
   * The session as it is now, if it is still as `base` was loaded (the same version; for a format without
   * one, the same stored data and expiry) and has not expired at `now`.
   */
  #unchanged(base: SessionRecord, now: number): SessionRecord | undefined {
    const current = this.#read(base.id)
    if (!current || current.expiresAt <= now) return undefined
    const [was, is] = [revisionOf(base), revisionOf(current)]
    const sameExpireAt =
      this.#layout.format.versioned ||
      JSON.stringify(was.stored.expiresAt) === JSON.stringify(is.stored.expiresAt)
    return sameState(was, is) && sameExpireAt ? current : undefined
  }

  /**
   * The DynamoDB store's retry loop, in memory: `attempt` on the session as loaded, and, when its
   * condition fails on concurrent changes that do not collide with `change`, again on the session as it
   * now is. Nothing runs between that read and the second attempt, so the second always succeeds.
   */
  #rebasing(change: SessionChange, attempt: (base: SessionRecord, whole: boolean) => Attempt): SaveResult {
    let base = change.base
    for (let tries = 0; ; tries++) {
      const outcome = attempt(base, tries > 0)
      if ('done' in outcome) return outcome.done
      const current = this.#read(base.id)
      if (!current) return { status: outcome.ending ? 'ended' : 'gone' }
      const reason = conflictOf(change, current)
      if (reason) return { status: 'conflict', reason }
      if (tries >= this.#maxConflictRetries) return { status: 'conflict', reason: 'contention' }
      base = current
    }
  }

  /** Deletes the session if it is still as `base` was loaded: the change emptied it (or it expired). */
  #end(base: SessionRecord, now: number): Attempt {
    if (!this.#unchanged(base, now)) return { failed: true, ending: true }
    this.#items.delete(base.id)
    return { done: { status: 'ended' } }
  }

  /**
   * A save as the DynamoDB store makes it: with the native map codec, only the changed keys, if each
   * still holds what `base` had and the expiry policy is unchanged (so changes of other keys meanwhile
   * are kept); otherwise (`whole`, `clear()`, other codecs, many keys, a bind or an unbind) the whole
   * session, if unchanged, and its users' entries in the same step.
   */
  #saveOnce(change: SessionChange, base: SessionRecord, whole: boolean): Attempt {
    const after = storedAfter(change, base)
    if (!after) return this.#end(base, change.now)
    const inPlace =
      !whole &&
      !change.user &&
      revisionOf(base).inPlace &&
      !change.cleared &&
      change.entries.size <= MAX_IN_PLACE_KEYS
    const current = inPlace ? this.#sameKeys(change, base) : this.#unchanged(base, change.now)
    if (!current) return { failed: true, ending: false }
    const data = applyChange(current.data, change)
    // An in-place write leaves the binding as it is now.
    const user = change.user ? after.user : current.user
    const step = { from: current.user, to: user, fromId: base.id, toId: base.id }
    this.#users.admit(step)
    const version = this.#layout.nextVersion(revisionOf(current))
    const record = this.#put(base.id, { ...after, data, user }, version, this.#keep(change, current))
    this.#users.apply(step)
    return { done: { status: 'saved', record } }
  }

  /** The session as it is now, if every key `change` touches and the expiry policy are as `base` had them. */
  #sameKeys(change: SessionChange, base: SessionRecord): SessionRecord | undefined {
    const current = this.#read(base.id)
    if (!current || current.expiresAt <= change.now || !revisionOf(current).inPlace) return undefined
    return !conflictOf(change, current) && sameExpiry(base.expiry, current.expiry) ? current : undefined
  }

  /**
   * The new session under a fresh id and, in the same step, the old one replaced by an item that names
   * the new id for {@link SUCCESSOR_SECONDS}, if the session is still as `base` was loaded. A bound
   * session's entry follows it to the new id, unless it was ended meanwhile (then it is gone).
   */
  #regenerateOnce(change: SessionChange, base: SessionRecord): Attempt {
    const after = storedAfter(change, base)
    if (!after) return this.#end(base, change.now)
    const id = this.#unusedId('TransactWriteItems')
    const current = this.#unchanged(base, change.now)
    if (!current) return { failed: true, ending: false }
    const step = { from: current.user, to: after.user, fromId: base.id, toId: id }
    if (this.#users.admit(step) === 'gone') return { done: { status: 'gone' } }
    const record = this.#put(id, after, this.#layout.nextVersion(undefined), this.#keep(change, current))
    const version = this.#layout.nextVersion(revisionOf(current))
    this.#items.set(base.id, this.#layout.tombstone(base.id, id, version, change.now + SUCCESSOR_SECONDS))
    this.#users.apply(step)
    return { done: { status: 'saved', record } }
  }
}
