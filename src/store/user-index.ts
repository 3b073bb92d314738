/**
 * A user's sessions, on DynamoDB. Two structures, each for what it does best:
 *
 * - **A per-user item** (`USER#<user id>` under the store's key prefix) maps each bound session's handle to
 *   its id. Every bind, rebind and regenerate of a bound session updates it in the same transaction as the
 *   session, so a strongly consistent read of it knows every session bound so far: "sign out everywhere"
 *   takes its list from there, under a short lock that makes a concurrent bind wait, and is complete.
 * - **A sparse global secondary index** on the sessions' `bound_user` attribute lists a user's live
 *   sessions in one query, paged, with their expiry and last use as the sessions themselves hold them. It
 *   is eventually consistent: a session bound a moment ago may be missing from a list for a moment, never
 *   from a revocation.
 *
 * Anonymous sessions carry none of the attributes; bound sessions carry a few bytes more, and an ordinary
 * request of a bound session makes no extra call.
 *
 * @module
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type TransactWriteItem,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import type { SessionData } from '../data.ts'
import { SessionConfigError, SessionDataError, SessionStoreError } from '../errors.ts'
import { assertBindable, USER_LIMITS } from '../user-binding.ts'
import { nativeMapCodec } from './codec.ts'
import { ExpressionBuilder } from './expression.ts'
import { type ResolvedStoreProps, sessionKey } from './props.ts'
import type {
  SessionRecord,
  UserBinding,
  UserSessionIndex,
  UserSessionInfo,
  UserSessionPage,
} from './types.ts'

type Item = Record<string, AttributeValue>

/**
 * The attributes of the user feature. On a bound session: `bound_user` (the index's partition key),
 * `bound_key` (its sort key: the binding time and handle), `user_handle`, `user_meta`, `last_used`. On a
 * user's item: `user_sessions` (handle → session id and binding time) and `revoking` (the lock).
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
  revoking: 'revoking',
})

/**
 * The default name of the global secondary index that lists a user's sessions.
 *
 * @example
 * ```ts
 * new DynamoDBSessionStore({ users: { indexName: USER_INDEX_NAME } }) // the default
 * ```
 */
export const USER_INDEX_NAME = 'user-sessions'

/** How long "sign out everywhere" holds its lock at most (a crashed revocation frees it by then). */
const LOCK_MS = 30_000
const USER_PREFIX = 'USER#'

/**
 * Options of the user feature of {@link DynamoDBSessionStore}.
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
}

/** The key of a user's item. */
function userKey(props: ResolvedStoreProps, userId: string): Item {
  return sessionKey(props, `${USER_PREFIX}${userId}`)
}

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

/** Whether `record` (a session as loaded) is bound to `userId` under `handle`: else its entry is stale. */
export function isBoundTo(record: SessionRecord | undefined, userId: string, handle: string): boolean {
  return record?.user?.userId === userId && record.user.handle === handle
}

/** The error of a bind when the user has `maxSessions` live sessions already. */
export function tooManySessions(maxSessions: number): SessionDataError {
  return new SessionDataError(
    `This user already has ${maxSessions} live sessions (users.maxSessionsPerUser): end some first`,
  )
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
 * The updates of users' items that must commit with a session write, in the same transaction, each with
 * the user whose item it updates: add the new binding (if the user is not being signed out everywhere and
 * has room), drop the old one, or point a regenerated session's entry at its new id.
 */
export function bindingUpdates(
  props: ResolvedStoreProps,
  step: BindingStep,
  nowMs: number,
  maxSessions: number,
): { readonly userId: string; readonly item: TransactWriteItem }[] {
  const { follow, add, drop } = bindingPlan(step)
  const { sessions, revoking } = USER_ATTRIBUTES
  const unlocked = (x: ExpressionBuilder) =>
    `(attribute_not_exists(${x.name(revoking)}) OR ${x.name(revoking)} < ${x.value({ N: String(nowMs) })})`
  const entry = (binding: UserBinding, id: string): AttributeValue => ({
    M: { sid: { S: id }, since: { N: String(binding.since) } },
  })
  const update = (userId: string, x: ExpressionBuilder, expression: string, condition?: string) => ({
    userId,
    item: {
      Update: {
        TableName: props.tableName,
        Key: userKey(props, userId),
        UpdateExpression: expression,
        ...(condition && { ConditionExpression: condition }),
        ...x.attributes(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    },
  })
  if (follow) {
    // A regenerated bound session: its entry follows it to the new id, unless it was ended meanwhile.
    const x = new ExpressionBuilder()
    const path = x.path(sessions, follow.binding.handle)
    return [
      update(
        follow.binding.userId,
        x,
        `SET ${path}.sid = ${x.value({ S: follow.toId })}`,
        `attribute_exists(${path}) AND ${unlocked(x)}`,
      ),
    ]
  }
  const items: ReturnType<typeof bindingUpdates> = []
  if (add) {
    const x = new ExpressionBuilder()
    const map = x.name(sessions)
    const removal = add.replacing ? ` REMOVE ${x.path(sessions, add.replacing)}` : ''
    items.push(
      update(
        add.binding.userId,
        x,
        `SET ${x.path(sessions, add.binding.handle)} = ${x.value(entry(add.binding, add.toId))}${removal}`,
        `attribute_exists(${map}) AND ${unlocked(x)} AND size(${map}) < ${x.value({ N: String(maxSessions) })}`,
      ),
    )
  }
  if (drop) {
    const x = new ExpressionBuilder()
    items.push(update(drop.userId, x, `REMOVE ${x.path(sessions, drop.handle)}`))
  }
  return items
}

/** Why a user's item refused a binding update. */
export type BindingRefusal = 'no-user-item' | 'locked' | 'full' | 'ended'

/** Reads why an update of `userId`'s item failed its condition, from the item as it was. */
export function bindingRefusal(item: Item | undefined, nowMs: number, maxSessions: number): BindingRefusal {
  const { sessions, revoking } = USER_ATTRIBUTES
  if (!item?.[sessions]?.M) return 'no-user-item'
  if (Number(item[revoking]?.N) >= nowMs) return 'locked'
  if (Object.keys(item[sessions].M).length >= maxSessions) return 'full'
  return 'ended'
}

/** What the user index needs of its store. */
export interface UserIndexHost {
  readonly props: ResolvedStoreProps
  send: (operation: string, command: never) => Promise<unknown>
  destroy(id: string): Promise<void>
  /** Whether a session with this id exists and is bound to `userId` with `handle` (for clean-ups). */
  isBound(id: string, userId: string, handle: string): Promise<boolean>
  now(): number
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The {@link UserSessionIndex} of a {@link DynamoDBSessionStore}: `store.users`.
 *
 * @example
 * ```ts
 * const store = new DynamoDBSessionStore({ tableName: 'Sessions' })
 * await store.users.endAll('u-42') // a password reset: every session of that user ends
 * ```
 */
export class DynamoDBUserIndex implements UserSessionIndex {
  /** The index name. */
  readonly indexName: string
  /** The most sessions per user. */
  readonly maxSessions: number
  readonly #host: UserIndexHost

  /** @internal The store makes it: `store.users`. */
  constructor(host: UserIndexHost, options: UserIndexOptions = {}) {
    this.#host = host
    this.indexName = options.indexName ?? USER_INDEX_NAME
    this.maxSessions = options.maxSessionsPerUser ?? USER_LIMITS.sessionsPerUser
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1) {
      throw new SessionConfigError('users.maxSessionsPerUser must be a positive integer')
    }
    if (typeof this.indexName !== 'string' || this.indexName.length < 3) {
      throw new SessionConfigError('users.indexName must be the name of a global secondary index')
    }
  }

  #send<T>(operation: string, command: unknown): Promise<T> {
    return this.#host.send(operation, command as never) as Promise<T>
  }

  async list(
    userId: string,
    options: { limit?: number | undefined; cursor?: string | undefined; current?: string | undefined } = {},
  ): Promise<UserSessionPage> {
    assertBindable(userId, undefined)
    const { user, key, handle, meta, lastUsed } = USER_ATTRIBUTES
    const limit = listLimit(options.limit)
    const x = new ExpressionBuilder()
    let keyCondition = `${x.name(user)} = ${x.value({ S: userId })}`
    if (options.cursor) keyCondition += ` AND ${x.name(key)} < ${x.value({ S: options.cursor })}`
    const expiry = x.name(this.#host.props.expiryName)
    const result = await this.#send<{ Items?: Item[]; LastEvaluatedKey?: Item }>(
      'Query',
      new QueryCommand({
        TableName: this.#host.props.tableName,
        IndexName: this.indexName,
        KeyConditionExpression: keyCondition,
        FilterExpression: `${expiry} > ${x.value({ N: String(Math.floor(this.#host.now() / 1000)) })}`,
        ProjectionExpression: [key, handle, meta, lastUsed, this.#host.props.expiryName]
          .map((n) => x.name(n))
          .join(', '),
        ScanIndexForward: false,
        Limit: limit,
        ...x.attributes(),
      }),
    )
    const sessions = (result.Items ?? []).flatMap(
      (item) => sessionInfo(item, userId, this.#host.props.expiryName, options.current) ?? [],
    )
    // The cursor is the index's sort key of the last item read: a time and a handle, no session id.
    const cursor = result.LastEvaluatedKey?.[key]?.S
    return cursor ? { sessions, cursor } : { sessions }
  }

  async end(userId: string, handle: string): Promise<boolean> {
    assertBindable(userId, undefined)
    if (typeof handle !== 'string' || handle.length === 0) return false
    const x = new ExpressionBuilder()
    const path = x.path(USER_ATTRIBUTES.sessions, handle)
    let removed: Item | undefined
    try {
      removed = (
        await this.#send<{ Attributes?: Item }>(
          'UpdateItem',
          new UpdateItemCommand({
            TableName: this.#host.props.tableName,
            Key: userKey(this.#host.props, userId),
            UpdateExpression: `REMOVE ${path}`,
            ConditionExpression: `attribute_exists(${path})`,
            ReturnValues: 'UPDATED_OLD',
            ...x.attributes(),
          }),
        )
      ).Attributes
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false
      throw error
    }
    const sid = removed?.[USER_ATTRIBUTES.sessions]?.M?.[handle]?.M?.sid?.S
    if (sid) await this.#host.destroy(sid)
    return true
  }

  async endAll(userId: string, options: { except?: string | undefined } = {}): Promise<number> {
    assertBindable(userId, undefined)
    const { props } = this.#host
    const { sessions, revoking } = USER_ATTRIBUTES
    // 1. Take the lock and, in the same step, the list of every session bound so far.
    let until = 0
    let entries: Record<string, AttributeValue> = {}
    for (let attempt = 0; ; attempt++) {
      const now = this.#host.now()
      until = now + LOCK_MS
      const x = new ExpressionBuilder()
      try {
        const result = await this.#send<{ Attributes?: Item }>(
          'UpdateItem',
          new UpdateItemCommand({
            TableName: props.tableName,
            Key: userKey(props, userId),
            UpdateExpression: `SET ${x.name(revoking)} = ${x.value({ N: String(until) })}`,
            ConditionExpression: `attribute_exists(${x.name(sessions)}) AND (attribute_not_exists(${x.name(revoking)}) OR ${x.name(revoking)} < ${x.value({ N: String(now) })})`,
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ...x.attributes(),
          }),
        )
        entries = result.Attributes?.[sessions]?.M ?? {}
        break
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error
        if (!error.Item?.[sessions]) return 0 // the user never bound a session
        // Another revocation holds the lock: wait for it, as long as a lock can last.
        if (attempt * 100 > LOCK_MS)
          throw new SessionStoreError('UpdateItem', 'The user sessions stayed locked')
        await pause(100)
      }
    }
    // 2. End them: the sessions are deleted, unconditionally (a logout).
    const ended = Object.entries(entries).filter(([handle]) => handle !== options.except)
    const ids = ended.map(([, value]) => value.M?.sid?.S).filter((id): id is string => id !== undefined)
    for (let i = 0; i < ids.length; i += 25) await this.#deleteBatch(ids.slice(i, i + 25))
    // 3. Drop their entries and the lock (only ours: a lock that ran out may be someone else's by now),
    //    100 entries per update (expressions are capped at 4 KB); the last update also frees the lock.
    const handles = ended.map(([handle]) => handle)
    const chunks: string[][] = []
    for (let i = 0; i < handles.length; i += 100) chunks.push(handles.slice(i, i + 100))
    if (chunks.length === 0) chunks.push([])
    for (const [index, chunk] of chunks.entries()) {
      const x = new ExpressionBuilder()
      const removals = chunk.map((handle) => x.path(sessions, handle))
      if (index === chunks.length - 1) removals.push(x.name(revoking))
      try {
        await this.#send(
          'UpdateItem',
          new UpdateItemCommand({
            TableName: props.tableName,
            Key: userKey(props, userId),
            UpdateExpression: `REMOVE ${removals.join(', ')}`,
            ConditionExpression: `${x.name(revoking)} = ${x.value({ N: String(until) })}`,
            ...x.attributes(),
          }),
        )
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error
      }
    }
    return ids.length
  }

  async #deleteBatch(ids: string[]): Promise<void> {
    const { props } = this.#host
    let requests = ids.map((id) => ({ DeleteRequest: { Key: sessionKey(props, id) } }))
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new SessionStoreError('BatchWriteItem', 'Sessions could not all be deleted')
      if (attempt > 0) await pause(Math.min(1000, 25 * 2 ** attempt) * Math.random())
      const result = await this.#send<{ UnprocessedItems?: Record<string, { DeleteRequest?: unknown }[]> }>(
        'BatchWriteItem',
        new BatchWriteItemCommand({ RequestItems: { [props.tableName]: requests } }),
      )
      requests = (result.UnprocessedItems?.[props.tableName] ?? []) as typeof requests
    }
  }

  /**
   * Makes room on a user's item: creates it if missing, and drops entries whose session no longer exists
   * (expired, or ended by a logout that did not read the session first). Resolves whether anything
   * changed that a retry could use (a lock passes by itself: `true`).
   *
   * @internal
   */
  async prepare(userId: string, refusal: BindingRefusal): Promise<boolean> {
    const { props } = this.#host
    const { sessions } = USER_ATTRIBUTES
    if (refusal === 'no-user-item') {
      const x = new ExpressionBuilder()
      try {
        await this.#send(
          'PutItem',
          new PutItemCommand({
            TableName: props.tableName,
            Item: { ...userKey(props, userId), [sessions]: { M: {} } },
            ConditionExpression: `attribute_not_exists(${x.name(props.partitionKey.name)})`,
            ...x.attributes(),
          }),
        )
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error
      }
      return true
    }
    if (refusal === 'locked') {
      await pause(50 + Math.random() * 100)
      return true
    }
    if (refusal !== 'full') return false
    const item = (
      await this.#send<{ Item?: Item }>(
        'GetItem',
        new GetItemCommand({
          TableName: props.tableName,
          Key: userKey(props, userId),
          ConsistentRead: true,
        }),
      )
    ).Item
    // Each entry's session, read at once (a full user is the rare case this serves).
    const entries = Object.entries(item?.[sessions]?.M ?? {})
    const bound = await Promise.all(
      entries.map(([handle, value]) => {
        const sid = value.M?.sid?.S
        return sid ? this.#host.isBound(sid, userId, handle) : false
      }),
    )
    const stale = entries.filter((_, i) => !bound[i]).map(([handle]) => handle)
    if (stale.length === 0) return false
    const x = new ExpressionBuilder()
    await this.#send(
      'UpdateItem',
      new UpdateItemCommand({
        TableName: props.tableName,
        Key: userKey(props, userId),
        UpdateExpression: `REMOVE ${stale.map((handle) => x.path(sessions, handle)).join(', ')}`,
        ...x.attributes(),
      }),
    )
    return true
  }
}
