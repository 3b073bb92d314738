/**
 * The user feature of a {@link MemoryStore}: `store.users`. The DynamoDB store's two structures, in
 * memory: each user's entries (handle → session id, as its per-user item holds them), kept in step by
 * every write of a bound session in the same synchronous step, and the sessions' own binding attributes,
 * which a list reads as the DynamoDB store's index does.
 *
 * @module
 */
import { TooManySessionsError } from '../errors.ts'
import type { Item } from '../store/item-layout.ts'
import type { ResolvedStoreProps } from '../store/props.ts'
import type { UserSessionIndex, UserSessionPage } from '../store/types.ts'
import {
  assertUserNamespace,
  type BindingStep,
  bindingPlan,
  boundKey,
  listLimit,
  readBinding,
  roomPlan,
  sessionInfo,
  USER_ATTRIBUTES,
  type UserPolicy,
} from '../store/user-index.ts'
import { assertBindable } from '../user-binding.ts'

/** One user's entries: handle → the id of the session it names, and when it was bound (epoch ms). */
export type UserEntries = Map<string, { readonly sid: string; readonly since: number }>

/** What the user index needs of its {@link MemoryStore}. */
export interface MemoryUserHost {
  /** Every live session item (expiry checked, as on a read), with its id. */
  items(): Iterable<readonly [string, Item]>
  /** The live item `id` leads to: its own, or its successor's after a `regenerate()` (followed). */
  follow(id: string): Item | undefined
  /** A logout of `id`: its item deleted, and any session it was regenerated into. */
  destroy(id: string): void
  /** Deletes the item `id` as it is (no successor followed). */
  remove(id: string): void
  /** The table layout (the expiry attribute, and the key prefix user items need). */
  readonly props: ResolvedStoreProps
  /** The clock, epoch milliseconds. */
  now(): number
}

/**
 * A {@link UserSessionIndex} in memory, with the semantics of the DynamoDB store's: lists newest binding
 * first, paged with a cursor that is a time and a handle; ends one session by its handle, or every
 * session bound so far (nothing runs in between, so none escapes); past `maxSessionsPerUser`, drops the
 * entries of sessions that provably no longer exist, then refuses the bind or ends the least recently
 * used session, as the policy says.
 */
export class MemoryUserIndex implements UserSessionIndex {
  /** The most sessions per user. */
  readonly maxSessions: number
  readonly #policy: UserPolicy
  readonly #host: MemoryUserHost
  readonly #users: Map<string, UserEntries>

  constructor(host: MemoryUserHost, users: Map<string, UserEntries>, policy: UserPolicy) {
    this.#host = host
    this.#users = users
    this.#policy = policy
    this.maxSessions = policy.maxSessions
  }

  /** The start of every user call: the user id, and a key layout that gives users' items their own keys. */
  #check(userId: string): void {
    assertBindable(userId, undefined)
    assertUserNamespace(this.#host.props)
  }

  async list(
    userId: string,
    options: { limit?: number | undefined; cursor?: string | undefined; current?: string | undefined } = {},
  ): Promise<UserSessionPage> {
    this.#check(userId)
    const { cursor, current } = options
    const bound: { key: string; item: Item }[] = []
    for (const [, item] of this.#host.items()) {
      const binding = readBinding(item)
      if (binding?.userId !== userId) continue
      const key = boundKey(binding)
      if (cursor === undefined || cursor === '' || key < cursor) bound.push({ key, item })
    }
    bound.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0))
    const page = bound.slice(0, listLimit(options.limit))
    const sessions = page.flatMap(
      ({ item }) => sessionInfo(item, userId, this.#host.props.expiryName, current) ?? [],
    )
    // As a query stopped by its limit: the sort key of the last session read, never a session id.
    const last = page.length === listLimit(options.limit) ? page.at(-1)?.key : undefined
    return last ? { sessions, cursor: last } : { sessions }
  }

  async end(userId: string, handle: string): Promise<boolean> {
    this.#check(userId)
    return this.#end(userId, handle)
  }

  #end(userId: string, handle: string): boolean {
    if (typeof handle !== 'string' || handle.length === 0) return false
    const entries = this.#users.get(userId)
    const entry = entries?.get(handle)
    if (!entries || !entry) return false
    entries.delete(handle)
    this.#host.destroy(entry.sid)
    return true
  }

  async endAll(userId: string, options: { except?: string | undefined } = {}): Promise<number> {
    this.#check(userId)
    const entries = this.#users.get(userId)
    if (!entries) return 0 // the user never bound a session
    const ended = [...entries].filter(([handle]) => handle !== options.except)
    for (const [handle, { sid }] of ended) {
      this.#host.remove(sid)
      entries.delete(handle)
    }
    return ended.length
  }

  /**
   * Whether the users' entries can follow a session write of `step`: `'gone'` when a regenerated
   * session's entry was ended meanwhile (so the session was, too). Throws `SessionDataError` when a new
   * binding's user has no room, even once the entries of sessions that no longer exist are dropped.
   *
   * @internal
   */
  admit(step: BindingStep): 'ok' | 'gone' {
    const { follow, add, drop } = bindingPlan(step)
    if (follow || add || drop) assertUserNamespace(this.#host.props)
    if (follow) return this.#users.get(follow.binding.userId)?.has(follow.binding.handle) ? 'ok' : 'gone'
    if (add) this.#makeRoom(add.binding.userId)
    return 'ok'
  }

  async checkRoom(userId: string): Promise<void> {
    this.#check(userId)
    this.#makeRoom(userId)
  }

  /**
   * Room for one more session of `userId`: when full, the entries of sessions that provably no longer
   * exist (no item, or expired; successors followed) are dropped; with none, the least recently used
   * session is ended (`'end-least-recent'`) or `TooManySessionsError` thrown.
   */
  #makeRoom(userId: string): void {
    const entries = this.#entries(userId)
    if (entries.size < this.maxSessions) return
    const { stale, leastRecent } = roomPlan(
      [...entries].map(([handle, { sid }]) => {
        const item = this.#host.follow(sid)
        const lastUsed = Number(item?.[USER_ATTRIBUTES.lastUsed]?.N ?? 0)
        return [handle, { gone: item === undefined, lastUsed }] as const
      }),
    )
    for (const handle of stale) entries.delete(handle)
    if (stale.length > 0) return
    if (this.#policy.whenFull === 'refuse' || leastRecent === undefined) {
      throw new TooManySessionsError(this.maxSessions)
    }
    this.#end(userId, leastRecent)
  }

  /**
   * Applies a session write of `step` to the users' entries: after {@link MemoryUserIndex.admit} and the
   * write itself, in the same synchronous step.
   *
   * @internal
   */
  apply(step: BindingStep): void {
    const { follow, add, drop } = bindingPlan(step)
    const followed = follow && this.#users.get(follow.binding.userId)?.get(follow.binding.handle)
    if (follow && followed) {
      this.#entries(follow.binding.userId).set(follow.binding.handle, { ...followed, sid: follow.toId })
    }
    if (add) {
      const entries = this.#entries(add.binding.userId)
      entries.set(add.binding.handle, { sid: add.toId, since: add.binding.since })
      if (add.replacing) entries.delete(add.replacing)
    }
    if (drop) this.#users.get(drop.userId)?.delete(drop.handle)
  }

  #entries(userId: string): UserEntries {
    let entries = this.#users.get(userId)
    if (!entries) {
      entries = new Map()
      this.#users.set(userId, entries)
    }
    return entries
  }
}
