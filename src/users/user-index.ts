/**
 * A user's sessions, on DynamoDB. Two structures, each for what it does best:
 *
 * - **A per-user item** (`USER#<user id>` under the store's key prefix) maps each bound session's handle to
 *   its id. Every bind, rebind and regenerate of a bound session updates it with the session: in the same
 *   transaction, or without transactions (MRSC) in an order that never lets a bound session be live
 *   before the item names it (./binding-writes.ts). So a strongly consistent read of it knows every session
 *   bound so far: "sign out everywhere" takes its list from there, under a short lease that makes a
 *   concurrent bind wait, and is complete.
 * - **A sparse global secondary index** on the sessions' `bound_user` attribute lists a user's live
 *   sessions in one query, paged, with their expiry and last use as the sessions themselves hold them. It
 *   is eventually consistent: a session bound a moment ago may be missing from a list for a moment, never
 *   from a revocation ("sign out everywhere" also ends whatever the index still shows, as a second net).
 *
 * Anonymous sessions carry none of the attributes; bound sessions carry a few bytes more, and an ordinary
 * request of a bound session makes no extra call. The argument for completeness is in SECURITY.md.
 *
 * @module
 */
import type { SessionData } from '../data.ts'
import { SessionConfigError } from '../errors.ts'
import {
  type BindingRefusal,
  type BindingStep,
  readBinding,
  type StoreUsers,
  USER_ATTRIBUTES,
  type UserIndexHost,
  type UserWrite,
} from '../store/binding.ts'
import { type Path, when } from '../store/table.ts'
import type { UserBinding, UserSessionInfo, UserSessionPage } from '../store/types.ts'
import { assertBindable, nextBinding, USER_LIMITS } from '../user-binding.ts'
import { bindingWrites, entryMoveWrite, steppedBindingWrites } from './binding-writes.ts'
import { Room } from './room.ts'
import { SignOut } from './sign-out.ts'
import {
  assertUserNamespace,
  bindingRefusal,
  entryOf,
  type Item,
  MAX_ROUNDS,
  UserItems,
  type UserPolicy,
  type WhenUserFull,
  waitLimit,
} from './user-items.ts'

export {
  assertUserNamespace,
  USER_ITEM_SECONDS,
  USER_LEASE_MS,
  type UserPolicy,
  userItemKey,
  type WhenUserFull,
} from './user-items.ts'

/**
 * The default name of the global secondary index that lists a user's sessions.
 *
 * @example
 * ```ts
 * new DynamoDBSessionStore({ users: userSessions({ indexName: USER_INDEX_NAME }) }) // the default
 * ```
 */
export const USER_INDEX_NAME = 'user-sessions'

/**
 * Options of the users' feature: `userSessions(options)`, on either store.
 *
 * @example
 * ```ts
 * const users: UserIndexOptions = { indexName: 'sessions-by-user', maxSessionsPerUser: 20 }
 * ```
 */
export interface UserIndexOptions {
  /** The global secondary index on `bound_user` (sort key `bound_key`). Default `"user-sessions"`. */
  indexName?: string | undefined
  /** The most sessions one user may have bound at once. Default 100. */
  maxSessionsPerUser?: number | undefined
  /** What a bind past `maxSessionsPerUser` does (see {@link WhenUserFull}). Default `'refuse'`. */
  whenFull?: WhenUserFull | undefined
}

/**
 * Checks and resolves the options every store's user feature shares, with {@link SessionConfigError}.
 *
 * @example
 * ```ts
 * userPolicy({ maxSessionsPerUser: 5 }) // { maxSessions: 5, whenFull: 'refuse' }
 * ```
 */
export function userPolicy(options: UserIndexOptions = {}): UserPolicy {
  const maxSessions = options.maxSessionsPerUser ?? USER_LIMITS.sessionsPerUser
  if (!Number.isInteger(maxSessions) || maxSessions < 1) {
    throw new SessionConfigError('users.maxSessionsPerUser must be a positive integer')
  }
  const whenFull = options.whenFull ?? 'refuse'
  if (whenFull !== 'refuse' && whenFull !== 'end-least-recent') {
    throw new SessionConfigError("users.whenFull must be 'refuse' or 'end-least-recent'")
  }
  return { maxSessions, whenFull }
}

/** How many sessions a page of a user's list evaluates: `limit`, 1 to 1000, default 50. */
export function listLimit(limit: number | undefined): number {
  return Math.min(Math.max(1, Math.floor(limit ?? 50)), 1000)
}

/**
 * What a user's list shows of a bound session item (or of its index entry: no session id in either),
 * `current` naming the handle of the session that asks; `undefined` when the item carries no binding.
 */
export function sessionInfo(
  item: Item,
  userId: string,
  expiryName: string,
  current: string | undefined,
): UserSessionInfo | undefined {
  const binding = readBinding({ ...item, [USER_ATTRIBUTES.user]: { S: userId } })
  if (!binding) return undefined
  return {
    handle: binding.handle,
    createdAt: new Date(binding.since),
    lastUsedAt: new Date(Number(item[USER_ATTRIBUTES.lastUsed]?.N ?? binding.since)),
    expiresAt: new Date(Number(item[expiryName]?.N) * 1000),
    current: binding.handle === current,
    meta: binding.meta ?? {},
  }
}

/**
 * The {@link UserSessionIndex} of a store, over its table: `store.users`.
 *
 * @example
 * ```ts
 * const store = new DynamoDBSessionStore({ tableName: 'Sessions', users: userSessions() })
 * await store.users.endAll('u-42') // a password reset: every session of that user ends
 * ```
 */
export class DynamoDBUserIndex implements StoreUsers {
  /** The index name. */
  readonly indexName: string
  /** The most sessions per user. */
  readonly maxSessions: number
  /** What a bind past the limit does. */
  readonly whenFull: WhenUserFull
  readonly #items: UserItems
  readonly #room: Room
  readonly #signOut: SignOut

  /** @internal The store makes it: `store.users`. */
  constructor(host: UserIndexHost, options: UserIndexOptions = {}) {
    this.indexName = options.indexName ?? USER_INDEX_NAME
    const policy = userPolicy(options)
    ;({ maxSessions: this.maxSessions, whenFull: this.whenFull } = policy)
    if (typeof this.indexName !== 'string' || this.indexName.length < 3) {
      throw new SessionConfigError('users.indexName must be the name of a global secondary index')
    }
    this.#items = new UserItems(host, this.indexName)
    this.#room = new Room(this.#items, policy, (userId, handle) => this.end(userId, handle))
    this.#signOut = new SignOut(this.#items)
  }

  writes(step: BindingStep, nowMs: number): UserWrite[] {
    const writes = bindingWrites(this.#items.host.props, step, nowMs, this.maxSessions)
    if (writes.length > 0) assertUserNamespace(this.#items.host.props)
    return writes
  }
  async addBefore(step: BindingStep, deadline: number | undefined, attempt: number): Promise<boolean> {
    const { host } = this.#items
    const nowMs = host.now()
    const { before } = steppedBindingWrites(host.props, step, nowMs, this.maxSessions)
    if (!before) return true
    assertUserNamespace(host.props)
    const written = await this.#items.table.write(before.write)
    if (written.made) return true
    await this.prepare(before.userId, this.refusal(written.current, nowMs), deadline, attempt)
    return false
  }
  async dropAfter(step: BindingStep): Promise<void> {
    const { host, table } = this.#items
    const { after } = steppedBindingWrites(host.props, step, host.now(), this.maxSessions)
    for (const { write } of after) await table.write(write).catch(() => undefined)
  }
  async moveEntry(binding: UserBinding, fromId: string, toId: string, deadline?: number): Promise<boolean> {
    const { host, table } = this.#items
    assertUserNamespace(host.props)
    const limit = waitLimit(deadline)
    for (let attempt = 0; ; attempt++) {
      const nowMs = host.now()
      const written = await table.write(entryMoveWrite(host.props, binding, fromId, toId, nowMs).write)
      if (written.made) return true
      // Being signed out everywhere: wait, then see whether this session was among those it ended.
      const until = Number(written.current?.[USER_ATTRIBUTES.revoking]?.N)
      if (!(until >= nowMs) || attempt >= MAX_ROUNDS) return false
      await this.#items.waitOut(until, limit, 'UpdateItem', attempt)
    }
  }
  refusal(item: Item | undefined, nowMs: number): BindingRefusal {
    return bindingRefusal(item, nowMs, this.maxSessions)
  }
  async list(
    userId: string,
    options: { limit?: number | undefined; cursor?: string | undefined; current?: string | undefined } = {},
  ): Promise<UserSessionPage> {
    this.#items.check(userId)
    const { key, handle, meta, lastUsed } = USER_ATTRIBUTES
    const { expiryName } = this.#items.host.props
    const page = await this.#items.query(userId, {
      cursor: options.cursor,
      filter: when.gt([expiryName], { N: String(this.#items.nowSeconds()) }),
      attributes: [key, handle, meta, lastUsed, expiryName],
      limit: listLimit(options.limit),
    })
    const sessions = page.items.flatMap(
      (item) => sessionInfo(item, userId, expiryName, options.current) ?? [],
    )
    // The cursor is the index's sort key of the last item read: a time and a handle, no session id.
    const cursor = page.last?.[key]?.S
    return cursor ? { sessions, cursor } : { sessions }
  }
  async end(userId: string, handle: string): Promise<boolean> {
    this.#items.check(userId)
    if (typeof handle !== 'string' || handle.length === 0) return false
    let sid = entryOf(await this.#items.read(userId), handle)
    if (sid === undefined) return false
    // The session first, then its entry: a Lambda that dies in between leaves a stale entry (dropped by
    // the next clean-up), never a live session missing from the user's item.
    for (let round = 0; sid !== undefined && round < MAX_ROUNDS; round++) {
      await this.#items.host.destroy(sid)
      const path: Path = [USER_ATTRIBUTES.sessions, handle]
      const outcome = await this.#items.update(
        userId,
        { remove: [path] },
        when.or(when.missing(path), when.eq(path, { S: sid })),
      )
      // The entry moved meanwhile (a regenerate): end the session it names now.
      sid = 'failed' in outcome ? entryOf(outcome.failed, handle) : undefined
    }
    return true
  }
  /**
   * Takes a deleted session off its user's item: removes the entry of `binding`, if it still names `id`.
   *
   * @internal
   */
  async unlist(binding: UserBinding, id: string): Promise<void> {
    const path: Path = [USER_ATTRIBUTES.sessions, binding.handle]
    await this.#items.update(binding.userId, { remove: [path] }, when.eq(path, { S: id }))
  }
  endAll(
    userId: string,
    options: { except?: string | undefined; deadline?: number | undefined } = {},
  ): Promise<number> {
    return this.#signOut.endAll(userId, options)
  }

  checkRoom(userId: string, options: { deadline?: number | undefined } = {}): Promise<void> {
    return this.#room.checkRoom(userId, options)
  }

  async bindingFor(
    current: UserBinding | undefined,
    userId: string,
    meta: SessionData | undefined,
    options: { now: number; deadline?: number | undefined },
  ): Promise<UserBinding> {
    assertBindable(userId, meta)
    const binding = nextBinding(current, userId, meta, options.now)
    // A new session for this user: refused now, before the handler goes on, if the user has no room.
    if (current?.userId !== userId) await this.checkRoom(userId, { deadline: options.deadline })
    return binding
  }

  /** @internal What a refused binding write needs first (see the clean-up at the cap, ./room.ts). */
  prepare(
    userId: string,
    refusal: BindingRefusal,
    deadline: number | undefined,
    attempt: number,
  ): Promise<void> {
    return this.#room.prepare(userId, refusal, deadline, attempt)
  }
}
