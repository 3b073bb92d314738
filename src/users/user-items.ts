/**
 * A user's item and the index, as the users' feature reads and writes them: the item's key and its
 * entries, conditional updates, the index's pages, waits for a rival's lease, and why a binding write was
 * refused. What the index, the clean-up at the cap and "sign out everywhere" share.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { SessionBusyError, SessionConfigError, SessionStoreError } from '../errors.ts'
import type { BindingRefusal, UserIndexHost } from '../store/binding.ts'
import { USER_ATTRIBUTES } from '../store/binding.ts'
import { type ResolvedStoreProps, sessionKey } from '../store/props.ts'
import {
  type Condition,
  type IndexPage,
  type Path,
  type Returning,
  type SessionTable,
  type Update,
  when,
} from '../store/table.ts'
import { assertBindable } from '../user-binding.ts'

export type Item = Record<string, AttributeValue>

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

/** The resolved `UserIndexOptions` of a store, checked once. */
export interface UserPolicy {
  readonly maxSessions: number
  readonly whenFull: WhenUserFull
}

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
export const MAX_ROUNDS = 8
/** How many successors the clean-up follows before it takes a session as alive (conservative). */
export const MAX_HOPS = 8
const USER_PREFIX = 'USER#'

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

/** The session `handle`'s entry in a user's item names, if any. */
export function entryOf(item: Item | undefined, handle: string): string | undefined {
  return item?.[USER_ATTRIBUTES.sessions]?.M?.[handle]?.S
}

/** The entries of a user's item (handle → session id), as pairs. */
export function entryIds(item: Item | undefined): (readonly [handle: string, sid: string])[] {
  return Object.entries(item?.[USER_ATTRIBUTES.sessions]?.M ?? {}).flatMap(([handle, value]) =>
    value.S === undefined ? [] : [[handle, value.S] as const],
  )
}

/** The lease is free (none, or run out) at `nowMs`. */
export function unlockedIf(nowMs: number): Condition {
  const revoking: Path = [USER_ATTRIBUTES.revoking]
  return when.or(when.missing(revoking), when.lt(revoking, { N: String(nowMs) }))
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
export function foreignItem(operation: string): SessionStoreError {
  return new SessionStoreError(
    operation,
    "The key of a user's item holds an item that is not one (another writer uses the sessions' key prefix)",
  )
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** When a wait must give up, on the real clock: the request's deadline, or a few seconds from now. */
export function waitLimit(deadline: number | undefined): number {
  return deadline ?? Date.now() + DEFAULT_WAIT_MS
}

/**
 * The user's items of one store, over its table.
 *
 * @example
 * ```ts
 * const items = new UserItems({ props, table, destroy, now }, 'user-sessions')
 * const item = await items.read('u-42')
 * ```
 */
export class UserItems {
  readonly host: UserIndexHost
  readonly table: SessionTable
  /** The index that lists a user's sessions. */
  readonly indexName: string

  constructor(host: UserIndexHost, indexName: string) {
    this.host = host
    this.table = host.table
    this.indexName = indexName
  }

  /** A conditional update of `userId`'s item; resolves what `returning` asked for, or the item as it was. */
  async update(
    userId: string,
    update: Update,
    condition: Condition,
    returning: Returning = 'none',
  ): Promise<{ attributes: Item | undefined } | { failed: Item | undefined }> {
    const written = await this.table.write({ update, key: this.key(userId), if: condition }, returning)
    return written.made ? { attributes: written.item } : { failed: written.current }
  }
  key(userId: string): Item {
    return userItemKey(this.host.props, userId)
  }
  nowSeconds(): number {
    return Math.floor(this.host.now() / 1000)
  }
  /** Checks the user id and the key layout (see {@link assertUserNamespace}): the start of every user call. */
  check(userId: string): void {
    assertBindable(userId, undefined)
    assertUserNamespace(this.host.props)
  }
  /** The user's item, strongly consistent. */
  read(userId: string): Promise<Item | undefined> {
    return this.table.get(this.key(userId), { consistent: true })
  }
  /** One page of the index for `userId`, newest binding first. */
  query(
    userId: string,
    page: { cursor?: string | undefined; filter: Condition; attributes: string[]; limit?: number },
  ): Promise<IndexPage> {
    return this.table.query({
      index: this.indexName,
      partition: [USER_ATTRIBUTES.user, { S: userId }],
      sort: USER_ATTRIBUTES.key,
      below: page.cursor ? { S: page.cursor } : undefined,
      filter: page.filter,
      attributes: page.attributes,
      limit: page.limit,
    })
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
    const left = Math.max(0, until - this.host.now()) + 10 + Math.random() * 40
    const wait = Math.min(left, 50 * 2 ** Math.min(attempt, 10) * (0.5 + Math.random() / 2))
    if (Date.now() + wait > limit) throw new SessionBusyError(operation, left / 1000)
    await pause(wait)
  }
  async createUserItem(userId: string): Promise<void> {
    const { props } = this.host
    const written = await this.table.write({
      put: {
        ...this.key(userId),
        [USER_ATTRIBUTES.sessions]: { M: {} },
        [props.expiryName]: { N: String(this.nowSeconds() + USER_ITEM_SECONDS) },
      },
      if: when.missing([props.partitionKey.name]),
    })
    // Created meanwhile by a rival bind: fine. Anything else at that key is not ours.
    if (!written.made && !written.current?.[USER_ATTRIBUTES.sessions]?.M) throw foreignItem('PutItem')
  }
}
