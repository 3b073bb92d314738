/**
 * A user's sessions, on DynamoDB. Two structures, each for what it does best:
 *
 * - **A per-user item** (`USER#<user id>` under the store's key prefix) maps each bound session's handle to
 *   its id. Every bind, rebind and regenerate of a bound session updates it in the same transaction as the
 *   session, so a strongly consistent read of it knows every session bound so far: "sign out everywhere"
 *   takes its list from there, under a short lease that makes a concurrent bind wait, and is complete.
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
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { SessionBusyError, SessionConfigError, SessionStoreError, TooManySessionsError } from '../errors.ts'
import {
  type BindingRefusal,
  type BindingStep,
  bindingPlan,
  readBinding,
  type StoreUsers,
  USER_ATTRIBUTES,
  type UserIndexHost,
} from '../store/binding.ts'
import { type ResolvedStoreProps, sessionKey } from '../store/props.ts'
import {
  type Condition,
  type IndexPage,
  type Path,
  type Returning,
  type SessionTable,
  type Update,
  type Write,
  when,
} from '../store/table.ts'
import type { UserBinding, UserSessionInfo, UserSessionPage } from '../store/types.ts'
import { assertBindable, USER_LIMITS } from '../user-binding.ts'

type Item = Record<string, AttributeValue>

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
 * How long the lease of "sign out everywhere" on a user's item lasts, in milliseconds: renewed while the
 * sign-out runs, so a sign-out whose Lambda died stops holding binds up within this time.
 */
export const USER_LEASE_MS = 6_000
/** How long a write waits for a leased user's item when its request gave no deadline. */
const DEFAULT_WAIT_MS = 2 * USER_LEASE_MS
/** A user's item expires this long after the last bind or regenerate of one of its sessions (400 days). */
export const USER_ITEM_SECONDS = 400 * 24 * 3600
/** Calls a sign-out-everywhere, a clean-up or an end makes again when a rival changed the item meanwhile. */
const MAX_ROUNDS = 8
/** How many successors the clean-up follows before it takes a session as alive (conservative). */
const MAX_HOPS = 8
const USER_PREFIX = 'USER#'

/**
 * What a bind does when the user already has `maxSessionsPerUser` live sessions: `'refuse'` it with
 * `TooManySessionsError` (the default), or `'end-least-recent'`: end the user's least recently used
 * session to make room (as Spring Security's concurrent session control does when logins are not
 * refused).
 *
 * @example
 * ```ts
 * const users: UserIndexOptions = { maxSessionsPerUser: 5, whenFull: 'end-least-recent' }
 * ```
 */
export type WhenUserFull = 'refuse' | 'end-least-recent'

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

/** The resolved {@link UserIndexOptions} of a store, checked once. */
export interface UserPolicy {
  readonly maxSessions: number
  readonly whenFull: WhenUserFull
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

/**
 * Throws {@link SessionConfigError} when users' items could share keys with the application's own items:
 * a partition key without a prefix or suffix puts a user's item at `USER#<id>`, the most common key of a
 * single-table design. Called by the first user call, so tables that never bind users keep any layout.
 *
 * @example
 * ```ts
 * assertUserNamespace(resolveStoreProps({ partitionKey: { name: 'pk', prefix: 'SESSION#' } })) // fine
 * ```
 */
export function assertUserNamespace(props: ResolvedStoreProps): void {
  const { prefix, suffix } = props.partitionKey
  if (prefix === '' && suffix === '') {
    throw new SessionConfigError(
      `Binding sessions to users needs a partitionKey prefix (or suffix) of the sessions' own, e.g. { name: '${props.partitionKey.name}', prefix: 'SESSION#' }: without one a user's item would be "${USER_PREFIX}<user id>", a key the application's own items may use`,
    )
  }
}

/**
 * The key of a user's item: `USER#<user id>` with the sessions' key prefix and suffix.
 *
 * @example
 * ```ts
 * userItemKey(DEFAULT_STORE_PROPS, 'u-42') // { session_id: { S: 'SESSIONS::TOWER::USER#u-42' } }
 * ```
 */
export function userItemKey(props: ResolvedStoreProps, userId: string): Item {
  return sessionKey(props, `${USER_PREFIX}${userId}`)
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
 * The handles a clean-up may drop, and, when none, the handle the `'end-least-recent'` policy ends: an
 * entry is dropped only when its session is provably gone (no item, or expired; successors followed), so
 * a live session that lost its binding attributes (rewritten by another writer) is never stale.
 *
 * @example
 * ```ts
 * roomPlan([['h1', { gone: true, lastUsed: 0 }]]) // { stale: ['h1'], leastRecent: undefined }
 * ```
 */
export function roomPlan(states: Iterable<readonly [string, { gone: boolean; lastUsed: number }]>): {
  stale: string[]
  leastRecent: string | undefined
} {
  const stale: string[] = []
  let leastRecent: { handle: string; lastUsed: number } | undefined
  for (const [handle, { gone, lastUsed }] of states) {
    if (gone) stale.push(handle)
    else if (!leastRecent || lastUsed < leastRecent.lastUsed) leastRecent = { handle, lastUsed }
  }
  return { stale, leastRecent: leastRecent?.handle }
}

/** The session `handle`'s entry in a user's item names, if any. */
function entryOf(item: Item | undefined, handle: string): string | undefined {
  return item?.[USER_ATTRIBUTES.sessions]?.M?.[handle]?.S
}

/** The entries of a user's item (handle → session id), as pairs. */
function entryIds(item: Item | undefined): (readonly [handle: string, sid: string])[] {
  return Object.entries(item?.[USER_ATTRIBUTES.sessions]?.M ?? {}).flatMap(([handle, value]) =>
    value.S === undefined ? [] : [[handle, value.S] as const],
  )
}

/** The lease is free (none, or run out) at `nowMs`. */
function unlockedIf(nowMs: number): Condition {
  const revoking: Path = [USER_ATTRIBUTES.revoking]
  return when.or(when.missing(revoking), when.lt(revoking, { N: String(nowMs) }))
}

/**
 * The writes of users' items that must commit with a session write, in the same transaction, each with
 * the user whose item it updates: add the new binding (if the user is not being signed out everywhere and
 * has room), drop the old one, or point a regenerated session's entry at its new id. An add or a follow
 * counts in `user_version` (so a sign-out whose lease ran out sees it) and moves the item's expiry to
 * {@link USER_ITEM_SECONDS} from now.
 */
export function bindingWrites(
  props: ResolvedStoreProps,
  step: BindingStep,
  nowMs: number,
  maxSessions: number,
): { readonly userId: string; readonly write: Write }[] {
  const { follow, add, drop } = bindingPlan(step)
  const { sessions, version } = USER_ATTRIBUTES
  const counted: [Path, AttributeValue] = [
    [props.expiryName],
    { N: String(Math.floor(nowMs / 1000) + USER_ITEM_SECONDS) },
  ]
  const bump: [Path, number] = [[version], 1]
  const write = (userId: string, update: Update, condition?: Condition) => ({
    userId,
    write: { update, key: userItemKey(props, userId), if: condition },
  })
  if (follow) {
    // A regenerated bound session: its entry follows it to the new id, unless it was ended meanwhile.
    const path: Path = [sessions, follow.binding.handle]
    return [
      write(
        follow.binding.userId,
        { set: [[path, { S: follow.toId }], counted], add: [bump] },
        when.and(when.eq(path, { S: step.fromId }), unlockedIf(nowMs)),
      ),
    ]
  }
  const writes: ReturnType<typeof bindingWrites> = []
  if (add) {
    writes.push(
      write(
        add.binding.userId,
        {
          set: [[[sessions, add.binding.handle], { S: add.toId }], counted],
          remove: add.replacing ? [[sessions, add.replacing]] : [],
          add: [bump],
        },
        when.and(when.exists([sessions]), unlockedIf(nowMs), when.sizeBelow([sessions], maxSessions)),
      ),
    )
  }
  // The session write is conditional on the session as read, whose binding names this entry.
  if (drop) writes.push(write(drop.userId, { remove: [[sessions, drop.handle]] }))
  return writes
}

/** Reads why an update of a user's item failed its condition, from the item as it was. */
export function bindingRefusal(item: Item | undefined, nowMs: number, maxSessions: number): BindingRefusal {
  const { sessions, revoking } = USER_ATTRIBUTES
  if (!item) return { kind: 'no-user-item' }
  if (!item[sessions]?.M) return { kind: 'foreign' }
  const until = Number(item[revoking]?.N)
  if (until >= nowMs) return { kind: 'locked', until }
  if (Object.keys(item[sessions].M).length >= maxSessions) return { kind: 'full' }
  return { kind: 'ended' }
}

/** The error of a user's item key that holds something else. */
function foreignItem(operation: string): SessionStoreError {
  return new SessionStoreError(
    operation,
    "The key of a user's item holds an item that is not one (another writer uses the sessions' key prefix)",
  )
}

/**
 * A lease of "sign out everywhere" on a user's item: until when (epoch ms, renewed), whose (a random
 * token), the `user_version` it saw, and the entries it read with it.
 */
interface Lease {
  until: number
  readonly token: string
  readonly version: string | undefined
  readonly entries: readonly (readonly [handle: string, sid: string])[]
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** When a wait must give up, on the real clock: the request's deadline, or a few seconds from now. */
function waitLimit(deadline: number | undefined): number {
  return deadline ?? Date.now() + DEFAULT_WAIT_MS
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
  readonly #host: UserIndexHost
  readonly #table: SessionTable

  /** @internal The store makes it: `store.users`. */
  constructor(host: UserIndexHost, options: UserIndexOptions = {}) {
    this.#host = host
    this.#table = host.table
    this.indexName = options.indexName ?? USER_INDEX_NAME
    ;({ maxSessions: this.maxSessions, whenFull: this.whenFull } = userPolicy(options))
    if (typeof this.indexName !== 'string' || this.indexName.length < 3) {
      throw new SessionConfigError('users.indexName must be the name of a global secondary index')
    }
  }

  /** A conditional update of `userId`'s item; resolves what `returning` asked for, or the item as it was. */
  async #update(
    userId: string,
    update: Update,
    condition: Condition,
    returning: Returning = 'none',
  ): Promise<{ attributes: Item | undefined } | { failed: Item | undefined }> {
    const written = await this.#table.write({ update, key: this.#key(userId), if: condition }, returning)
    return written.made ? { attributes: written.item } : { failed: written.current }
  }

  #key(userId: string): Item {
    return userItemKey(this.#host.props, userId)
  }

  #nowSeconds(): number {
    return Math.floor(this.#host.now() / 1000)
  }

  writes(step: BindingStep, nowMs: number): { readonly userId: string; readonly write: Write }[] {
    const writes = bindingWrites(this.#host.props, step, nowMs, this.maxSessions)
    if (writes.length > 0) assertUserNamespace(this.#host.props)
    return writes
  }

  refusal(item: Item | undefined, nowMs: number): BindingRefusal {
    return bindingRefusal(item, nowMs, this.maxSessions)
  }

  /** Checks the user id and the key layout (see {@link assertUserNamespace}): the start of every user call. */
  #check(userId: string): void {
    assertBindable(userId, undefined)
    assertUserNamespace(this.#host.props)
  }

  async list(
    userId: string,
    options: { limit?: number | undefined; cursor?: string | undefined; current?: string | undefined } = {},
  ): Promise<UserSessionPage> {
    this.#check(userId)
    const { key, handle, meta, lastUsed } = USER_ATTRIBUTES
    const { expiryName } = this.#host.props
    const page = await this.#query(userId, {
      cursor: options.cursor,
      filter: when.gt([expiryName], { N: String(this.#nowSeconds()) }),
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

  /** One page of the index for `userId`, newest binding first. */
  #query(
    userId: string,
    page: { cursor?: string | undefined; filter: Condition; attributes: string[]; limit?: number },
  ): Promise<IndexPage> {
    return this.#table.query({
      index: this.indexName,
      partition: [USER_ATTRIBUTES.user, { S: userId }],
      sort: USER_ATTRIBUTES.key,
      below: page.cursor ? { S: page.cursor } : undefined,
      filter: page.filter,
      attributes: page.attributes,
      limit: page.limit,
    })
  }

  async end(userId: string, handle: string): Promise<boolean> {
    this.#check(userId)
    if (typeof handle !== 'string' || handle.length === 0) return false
    let sid = entryOf(await this.#read(userId), handle)
    if (sid === undefined) return false
    // The session first, then its entry: a Lambda that dies in between leaves a stale entry (dropped by
    // the next clean-up), never a live session missing from the user's item.
    for (let round = 0; sid !== undefined && round < MAX_ROUNDS; round++) {
      await this.#host.destroy(sid)
      const path: Path = [USER_ATTRIBUTES.sessions, handle]
      const outcome = await this.#update(
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
    await this.#update(binding.userId, { remove: [path] }, when.eq(path, { S: id }))
  }

  /** The user's item, strongly consistent. */
  #read(userId: string): Promise<Item | undefined> {
    return this.#table.get(this.#key(userId), { consistent: true })
  }

  async endAll(
    userId: string,
    options: { except?: string | undefined; deadline?: number | undefined } = {},
  ): Promise<number> {
    this.#check(userId)
    const limit = waitLimit(options.deadline)
    const ended = new Set<string>()
    for (let round = 0; ; round++) {
      const lease = await this.#lease(userId, limit)
      const ids = (lease?.entries ?? []).filter(([handle]) => handle !== options.except)
      // 1. The sessions the user's item names (renewing the lease while it takes).
      for (let i = 0; i < ids.length; i += 25) {
        if (lease && !(await this.#renew(userId, lease))) break
        const batch = ids.slice(i, i + 25)
        await this.#table.deleteMany(batch.map(([, sid]) => sessionKey(this.#host.props, sid)))
        for (const [handle] of batch) ended.add(handle)
      }
      // 2. A second net: what the index still shows bound to the user (a session whose user's item
      //    expired, say), each deleted only if it is still bound to this user under that handle.
      if (!lease || (await this.#renew(userId, lease))) {
        for (const handle of await this.#deleteIndexed(userId, options.except, lease)) ended.add(handle)
      }
      // 3. Drop the entries and free the lease, if no bind or regenerate came in meanwhile (possible only
      //    if the lease ran out): else once more, from a fresh list.
      if (
        !lease ||
        (await this.#release(
          userId,
          lease,
          ids.map(([handle]) => handle),
        ))
      )
        return ended.size
      if (round + 1 >= MAX_ROUNDS || Date.now() > limit) throw new SessionBusyError('UpdateItem', 1)
    }
  }

  /**
   * Takes the lease on `userId`'s item and, in the same step, its entries and version; `undefined` when the
   * user has no item. Waits for a rival's lease to run out, until `limit`, then throws
   * {@link SessionBusyError}.
   */
  async #lease(userId: string, limit: number): Promise<Lease | undefined> {
    const { sessions, revoking, revokeToken, version } = USER_ATTRIBUTES
    const token = crypto.randomUUID()
    for (let attempt = 0; ; attempt++) {
      const now = this.#host.now()
      const until = now + USER_LEASE_MS
      const outcome = await this.#update(
        userId,
        {
          set: [
            [[revoking], { N: String(until) }],
            [[revokeToken], { S: token }],
          ],
        },
        when.and(when.exists([sessions]), unlockedIf(now)),
        'new',
      )
      const item = 'attributes' in outcome ? outcome.attributes : outcome.failed
      // Taken (also by this very call, whose reply was lost and which the SDK sent again): ours.
      if (item?.[revokeToken]?.S === token) {
        return { until: Number(item[revoking]?.N), token, version: item[version]?.N, entries: entryIds(item) }
      }
      const refusal = bindingRefusal(item, now, Number.POSITIVE_INFINITY)
      if (refusal.kind === 'no-user-item') return undefined // the user never bound a session
      if (refusal.kind === 'foreign') throw foreignItem('UpdateItem')
      // A rival's lease: wait it out (any other refusal is a passing race: a short backoff, bounded too).
      await this.waitOut(refusal.kind === 'locked' ? refusal.until : now, limit, 'UpdateItem', attempt)
    }
  }

  /** The condition that the lease is still `lease` and no bind or regenerate came in since it was taken. */
  #stillOurs(lease: Lease): Condition {
    const version: Path = [USER_ATTRIBUTES.version]
    const sameVersion = lease.version ? when.eq(version, { N: lease.version }) : when.missing(version)
    return when.and(when.eq([USER_ATTRIBUTES.revokeToken], { S: lease.token }), sameVersion)
  }

  /** Extends the lease when less than half of it is left; resolves `false` when it is no longer ours. */
  async #renew(userId: string, lease: Lease): Promise<boolean> {
    const now = this.#host.now()
    if (lease.until - now > USER_LEASE_MS / 2) return true
    const until = now + USER_LEASE_MS
    const outcome = await this.#update(
      userId,
      { set: [[[USER_ATTRIBUTES.revoking], { N: String(until) }]] },
      this.#stillOurs(lease),
    )
    if ('failed' in outcome) return false
    lease.until = until
    return true
  }

  /**
   * Removes the ended entries and the lease, 100 entries per update (expressions are capped at 4 KB), the
   * last update freeing the lease; each only while the lease is ours and no bind came in. Resolves whether
   * it was so throughout.
   */
  async #release(userId: string, lease: Lease, handles: string[]): Promise<boolean> {
    const { sessions, revoking, revokeToken } = USER_ATTRIBUTES
    const chunks: string[][] = []
    for (let i = 0; i < handles.length; i += 100) chunks.push(handles.slice(i, i + 100))
    if (chunks.length === 0) chunks.push([])
    for (const [index, chunk] of chunks.entries()) {
      if (!(await this.#renew(userId, lease))) return false
      const removals: Path[] = chunk.map((handle) => [sessions, handle])
      if (index === chunks.length - 1) removals.push([revoking], [revokeToken])
      const outcome = await this.#update(userId, { remove: removals }, this.#stillOurs(lease))
      if ('failed' in outcome) {
        // The last update's reply was lost and the SDK sent it again: the lease is already freed by it.
        const item = outcome.failed
        const freed = index === chunks.length - 1 && item?.[revokeToken] === undefined
        return freed && chunk.every((handle) => item?.[sessions]?.M?.[handle] === undefined)
      }
    }
    return true
  }

  /**
   * Deletes the sessions the index shows bound to `userId` (but `except`), each only while it is still
   * bound to that user under that handle; resolves their handles. The index is eventually consistent:
   * this is the second net, the user's item the first.
   */
  async #deleteIndexed(
    userId: string,
    except: string | undefined,
    lease: Lease | undefined,
  ): Promise<string[]> {
    const { props } = this.#host
    const { user, handle } = USER_ATTRIBUTES
    const keyNames = [props.partitionKey.name, ...(props.sortKey ? [props.sortKey.name] : [])]
    const handles: string[] = []
    let cursor: string | undefined
    do {
      const page = await this.#query(userId, {
        cursor,
        // Expired sessions are no sessions any more (TTL removes them): left alone, and not counted.
        filter: when.gt([props.expiryName], { N: String(this.#nowSeconds()) }),
        attributes: [...keyNames, handle, USER_ATTRIBUTES.key],
      })
      for (const item of page.items) {
        const name = item[handle]?.S
        if (name === undefined || name === except) continue
        if (lease && !(await this.#renew(userId, lease))) return handles
        const key: Item = Object.fromEntries(keyNames.map((k) => [k, item[k] as AttributeValue]))
        const written = await this.#table.write({
          delete: key,
          if: when.and(when.eq([user], { S: userId }), when.eq([handle], { S: name })),
        })
        if (written.made) handles.push(name)
      }
      cursor = page.last?.[USER_ATTRIBUTES.key]?.S
    } while (cursor)
    return handles
  }

  /**
   * Waits for a lease held `until` (epoch ms, the store's clock): the `attempt`-th wait is an exponential
   * backoff with jitter (50 ms, 100 ms, ... a sign-out usually frees the lease within milliseconds), never
   * past the lease's end. Throws {@link SessionBusyError} at once when the lease outlasts `limit` (epoch
   * ms, the real clock) and this wait would too.
   *
   * @internal
   */
  async waitOut(until: number, limit: number, operation: string, attempt: number): Promise<void> {
    const left = Math.max(0, until - this.#host.now()) + 10 + Math.random() * 40
    const wait = Math.min(left, 50 * 2 ** Math.min(attempt, 10) * (0.5 + Math.random() / 2))
    if (Date.now() + wait > limit) throw new SessionBusyError(operation, left / 1000)
    await pause(wait)
  }

  async checkRoom(userId: string, options: { deadline?: number | undefined } = {}): Promise<void> {
    this.#check(userId)
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if ((await this.makeRoom(userId, options.deadline, round)) !== 'changed') return
    }
  }

  /**
   * What a bind refused for `refusal` needs before it is tried again: the user's item created, a lease
   * waited out, or room made. Throws when there is nothing to wait for (a full user under the `'refuse'`
   * policy: {@link TooManySessionsError}; a foreign item at the user's key: {@link SessionStoreError}).
   *
   * @internal
   */
  async prepare(
    userId: string,
    refusal: BindingRefusal,
    deadline: number | undefined,
    attempt: number,
  ): Promise<void> {
    switch (refusal.kind) {
      case 'no-user-item':
        return this.#createUserItem(userId)
      case 'foreign':
        throw foreignItem('TransactWriteItems')
      case 'locked':
        return this.waitOut(refusal.until, waitLimit(deadline), 'TransactWriteItems', attempt)
      case 'full':
        await this.makeRoom(userId, deadline, attempt)
        return
      case 'ended':
        return
    }
  }

  async #createUserItem(userId: string): Promise<void> {
    const { props } = this.#host
    const written = await this.#table.write({
      put: {
        ...this.#key(userId),
        [USER_ATTRIBUTES.sessions]: { M: {} },
        [props.expiryName]: { N: String(this.#nowSeconds() + USER_ITEM_SECONDS) },
      },
      if: when.missing([props.partitionKey.name]),
    })
    // Created meanwhile by a rival bind: fine. Anything else at that key is not ours.
    if (!written.made && !written.current?.[USER_ATTRIBUTES.sessions]?.M) throw foreignItem('PutItem')
  }

  /**
   * Makes room for one more session of `userId` if the user is full: drops the entries whose session is
   * provably gone, each only while it still names the session that was checked; with none, ends the
   * least recently used session (`'end-least-recent'`) or throws {@link TooManySessionsError}. Resolves
   * `'room'` when there was room, `'changed'` when it changed the item (check again).
   *
   * @internal
   */
  async makeRoom(userId: string, deadline: number | undefined, attempt: number): Promise<'room' | 'changed'> {
    const item = await this.#read(userId)
    if (item && !item[USER_ATTRIBUTES.sessions]?.M) throw foreignItem('GetItem')
    // A user's first session: the item now, so the bind's transaction needs no second try.
    if (!item) await this.#createUserItem(userId)
    const sids = new Map(entryIds(item))
    if (sids.size < this.maxSessions) return 'room'
    const until = Number(item?.[USER_ATTRIBUTES.revoking]?.N)
    if (until >= this.#host.now()) {
      // Being signed out everywhere: the entries are about to go.
      await this.waitOut(until, waitLimit(deadline), 'GetItem', attempt)
      return 'changed'
    }
    const states = await this.#states([...sids.values()])
    const { stale, leastRecent } = roomPlan(
      [...sids].map(([handle, sid]) => [handle, states.get(sid) ?? { gone: false, lastUsed: 0 }] as const),
    )
    if (stale.length === 0) {
      if (this.whenFull === 'refuse' || leastRecent === undefined) {
        throw new TooManySessionsError(this.maxSessions)
      }
      await this.end(userId, leastRecent)
      return 'changed'
    }
    const paths = stale.map((handle) => [[USER_ATTRIBUTES.sessions, handle] as Path, handle] as const)
    // Each removal only while the entry still names the session found gone (a regenerate moves it).
    await this.#update(
      userId,
      { remove: paths.map(([path]) => path) },
      when.and(...paths.map(([path, handle]) => when.eq(path, { S: sids.get(handle) ?? '' }))),
    )
    return 'changed'
  }

  /**
   * Whether each session is provably gone (no item, or expired and naming no successor; a successor is
   * followed, never taken as gone) and when it was last used, with strongly consistent batch reads.
   */
  async #states(ids: string[]): Promise<Map<string, { gone: boolean; lastUsed: number }>> {
    const { props } = this.#host
    const nowSeconds = this.#nowSeconds()
    const states = new Map<string, { gone: boolean; lastUsed: number }>()
    let frontier = ids.map((id) => ({ origin: id, id }))
    for (let hop = 0; frontier.length > 0 && hop < MAX_HOPS; hop++) {
      const items = await this.#items(frontier.map(({ id }) => id))
      const next: typeof frontier = []
      for (const { origin, id } of frontier) {
        const item = items.get(id)
        const successor = item?.[props.successorName]?.S
        if (successor !== undefined) {
          next.push({ origin, id: successor })
          continue
        }
        const live = item !== undefined && Number(item[props.expiryName]?.N) > nowSeconds
        states.set(origin, { gone: !live, lastUsed: Number(item?.[USER_ATTRIBUTES.lastUsed]?.N ?? 0) })
      }
      frontier = next
    }
    return states
  }

  /** The items of session `ids` (key, expiry, successor, last use), read consistently. */
  async #items(ids: string[]): Promise<Map<string, Item>> {
    const { props } = this.#host
    const byKey = new Map(ids.map((id) => [JSON.stringify(sessionKey(props, id)), id]))
    const keyNames = [props.partitionKey.name, ...(props.sortKey ? [props.sortKey.name] : [])]
    const items = await this.#table.getMany(
      ids.map((id) => sessionKey(props, id)),
      [props.expiryName, props.successorName, USER_ATTRIBUTES.lastUsed],
    )
    const found = new Map<string, Item>()
    for (const item of items) {
      const key = Object.fromEntries(keyNames.map((k) => [k, item[k] as AttributeValue]))
      const id = byKey.get(JSON.stringify(key))
      if (id !== undefined) found.set(id, item)
    }
    return found
  }
}
