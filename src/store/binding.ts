/**
 * Sessions bound to users, as the core sees them: the attributes a bound session carries, how a write
 * changes its users' entries (the plan), and what a store needs of the users' feature, which is a plug-in
 * (`userSessions()` from `middy-dynamodb-session/users`): a store without it stores and reads bound
 * sessions but refuses to bind, list or end them.
 *
 * @module
 */
import type { SessionData } from '../data.ts'
import { SessionConfigError } from '../errors.ts'
import { nativeMapCodec } from './codec.ts'
import type { ResolvedStoreProps } from './props.ts'
import type { Item, SessionTable, Write } from './table.ts'
import type { UserBinding, UserSessionIndex } from './types.ts'

/**
 * The attributes of the user feature. On a bound session: `bound_user` (the index's partition key),
 * `bound_key` (its sort key: the binding time and handle), `user_handle`, `user_meta`, `last_used`. On a
 * user's item: `user_sessions` (handle → session id), `user_version` (counts the binds and regenerates
 * that added or moved an entry), and the lease of "sign out everywhere": `revoking` (until when, epoch
 * ms) and `revoke_token` (whose).
 *
 * @example
 * ```ts
 * item[USER_ATTRIBUTES.user] // { S: 'u-42' } on a bound session
 * ```
 */
export const USER_ATTRIBUTES = Object.freeze({
  user: 'bound_user',
  key: 'bound_key',
  handle: 'user_handle',
  meta: 'user_meta',
  lastUsed: 'last_used',
  sessions: 'user_sessions',
  version: 'user_version',
  revoking: 'revoking',
  revokeToken: 'revoke_token',
})

/** The index's sort key: binding time (fixed width, so it sorts) and handle (so it is unique). */
export function boundKey(binding: UserBinding): string {
  return `${String(binding.since).padStart(15, '0')}#${binding.handle}`
}

/** The attributes a bound session carries, as of a write at `nowMs`. */
export function bindingAttributes(binding: UserBinding, nowMs: number): Item {
  const { user, key, handle, meta, lastUsed } = USER_ATTRIBUTES
  return {
    [user]: { S: binding.userId },
    [key]: { S: boundKey(binding) },
    [handle]: { S: binding.handle },
    [meta]: nativeMapCodec.encode(binding.meta ?? {}),
    [lastUsed]: { N: String(nowMs) },
  }
}

/** The binding a session item carries, if any. */
export function readBinding(item: Item): UserBinding | undefined {
  const { user, key, handle, meta } = USER_ATTRIBUTES
  const userId = item[user]?.S
  const name = item[handle]?.S
  const since = Number(item[key]?.S?.split('#')[0])
  if (userId === undefined || name === undefined || !Number.isFinite(since)) return undefined
  let data: SessionData = {}
  try {
    data = item[meta] ? nativeMapCodec.decode(item[meta]) : {}
  } catch {
    // unreadable metadata: the binding still holds
  }
  return { userId, handle: name, since, meta: data }
}

/** What a write needs to keep users' items in step with a session. */
export interface BindingStep {
  /** The binding before (as loaded) and after the write. */
  from: UserBinding | undefined
  to: UserBinding | undefined
  /** The session id before and after the write (they differ for regenerate). */
  fromId: string
  toId: string
}

/**
 * What a session write does to its users' entries, whatever the store: a regenerated bound session's
 * entry `follow`s it to the new id (and must still be there: it was not ended meanwhile); a new binding
 * is `add`ed (if its user has room), `replacing` an older handle of the same user; the entry of a
 * binding to another user (or to none now) is `drop`ped.
 */
export interface BindingPlan {
  readonly follow?: { readonly binding: UserBinding; readonly toId: string } | undefined
  readonly add?:
    | { readonly binding: UserBinding; readonly toId: string; readonly replacing?: string | undefined }
    | undefined
  readonly drop?: UserBinding | undefined
}

/** The {@link BindingPlan} of `step`: empty when the write leaves every entry as it is. */
export function bindingPlan(step: BindingStep): BindingPlan {
  const { from, to, fromId, toId } = step
  if (from && to && from.userId === to.userId && from.handle === to.handle) {
    return fromId === toId ? {} : { follow: { binding: to, toId } }
  }
  const sameUser = from !== undefined && to !== undefined && from.userId === to.userId
  return {
    add: to && { binding: to, toId, replacing: sameUser ? from.handle : undefined },
    drop: from && !sameUser ? from : undefined,
  }
}

/**
 * Why a user's item refused a binding update: it does not exist yet; the key holds an item that is not a
 * user's item; it is leased by "sign out everywhere" `until` (epoch ms); it is full; or the entry a
 * regenerate meant to move is gone (the session was ended).
 */
export type BindingRefusal =
  | { readonly kind: 'no-user-item' | 'foreign' | 'full' | 'ended' }
  | { readonly kind: 'locked'; readonly until: number }

/** A write of a user's item, with the user it is for. */
export interface UserWrite {
  readonly userId: string
  readonly write: Write
}

/**
 * The writes of users' items around a session write without a transaction: the one made `before` it (a
 * new entry), and those made `after` it (entries the session leaves).
 */
export interface SteppedBindingWrites {
  readonly before: UserWrite | undefined
  readonly after: readonly UserWrite[]
}

/** What the user index needs of its store. */
export interface UserIndexHost {
  readonly props: ResolvedStoreProps
  /** The store's table. */
  readonly table: SessionTable
  /** A logout of `id` (its successors followed); it also takes the session off its user's item. */
  destroy(id: string): Promise<void>
  /** The store's clock, epoch milliseconds. */
  now(): number
}

/**
 * What the engine and the session need of a store's users' index: the index itself, and the writes,
 * refusals and preparations of a binding write.
 */
export interface StoreUsers extends UserSessionIndex {
  /** The most sessions one user may have bound. */
  readonly maxSessions: number
  checkRoom(userId: string, options?: { deadline?: number | undefined }): Promise<void>
  /** The writes of users' items that must commit with a session write of `step`, at `nowMs`. */
  writes(step: BindingStep, nowMs: number): UserWrite[]
  /**
   * Without a transaction (`transactions: false`): makes the write of a user's item that must come
   * before the session write of `step` (the entry of a new binding). Resolves `false` when the session
   * write must wait and be tried again (the user's item created, a lease waited out, room made).
   */
  addBefore(step: BindingStep, deadline: number | undefined, attempt: number): Promise<boolean>
  /**
   * Without a transaction: drops, after the session write of `step`, the entries it left (each only while
   * it still names the old id). One that fails stays stale: it can end nothing but that session.
   */
  dropAfter(step: BindingStep): Promise<void>
  /**
   * Without a transaction: points `binding`'s entry at `toId`, a regenerate's new item about to be
   * confirmed, waiting out a lease. Resolves `false` when the entry names neither `fromId` nor `toId`:
   * the session was ended, and the new item must never be confirmed.
   */
  moveEntry(binding: UserBinding, fromId: string, toId: string, deadline?: number): Promise<boolean>
  /** Why a user's item refused its write, from the item as it was. */
  refusal(item: Item | undefined, nowMs: number): BindingRefusal
  /** Makes what a refused binding write needs (a user's item, a lease waited out, room). */
  prepare(
    userId: string,
    refusal: BindingRefusal,
    deadline: number | undefined,
    attempt: number,
  ): Promise<void>
  /** Takes a deleted bound session off its user's item. */
  unlist(binding: UserBinding, id: string): Promise<void>
}

/**
 * The users' feature of a store: `store: { users: userSessions() }` with `userSessions` from
 * `middy-dynamodb-session/users`. Opt-in, so a function that never binds users does not carry it.
 *
 * @example
 * ```ts
 * import { userSessions } from 'middy-dynamodb-session/users'
 * const users: UsersPlugin = userSessions({ maxSessionsPerUser: 10 })
 * dynamoSession({ store: { tableName: 'Sessions', users } })
 * ```
 */
export interface UsersPlugin {
  /**
   * Builds the users' index of one store over its table.
   *
   * @internal
   */
  attach(host: UserIndexHost): StoreUsers
}

/** The error of a user call on a store without the users' feature. */
export function usersNeeded(): SessionConfigError {
  return new SessionConfigError(
    "Binding sessions to users needs the users' feature: store: { users: userSessions() }, with userSessions from 'middy-dynamodb-session/users'",
  )
}

/** The `store.users` of a store without the users' feature: every call says how to add it. */
export const NO_USERS: UserSessionIndex & Required<Pick<UserSessionIndex, 'checkRoom'>> = Object.freeze({
  list: () => Promise.reject(usersNeeded()),
  end: () => Promise.reject(usersNeeded()),
  endAll: () => Promise.reject(usersNeeded()),
  checkRoom: () => Promise.reject(usersNeeded()),
  bindingFor: () => Promise.reject(usersNeeded()),
})
