/**
 * The contract between a {@link Session} and where sessions live. {@link DynamoDBSessionStore} implements
 * it; implement it yourself to keep sessions elsewhere (or wrap the DynamoDB store to add caching,
 * metrics...).
 *
 * @module
 */
import type { SessionData } from '../data.ts'
import type { SessionExpiry } from '../expiry.ts'

/**
 * A stored session as the store returns it.
 *
 * @example
 * ```ts
 * const record: SessionRecord = { id, data: { count: 1 }, expiresAt: 1767225600, version: 1 }
 * ```
 */
export interface SessionRecord {
  /** The session id (the cookie value), without the key prefix or suffix. */
  readonly id: string
  /** The session's data. */
  readonly data: SessionData
  /** When the session expires, in epoch seconds (the TTL attribute). */
  readonly expiresAt: number
  /** Incremented by every save; saves are conditional on it (optimistic concurrency). */
  readonly version: number
  /** A per-session expiry set with `session.setExpiry()`; `undefined` means the middleware's default. */
  readonly expiry?: SessionExpiry | undefined
}

/**
 * What a session looks like before it has an id and a version.
 *
 * @example
 * ```ts
 * const created = await store.create({ data: { userId: 'u-1' }, expiresAt: nowSeconds + 3600 })
 * ```
 */
export type NewSessionRecord = Omit<SessionRecord, 'id' | 'version'>

/**
 * The outcome of a conditional {@link SessionStore.save}:
 * - `saved`: written; `version` is the new version.
 * - `conflict`: another write got there first; `current` is the session as it is now.
 * - `gone`: the session no longer exists (destroyed, regenerated or expired): nothing was written, and
 *   nothing was resurrected.
 *
 * @example
 * ```ts
 * const result = await store.save(record)
 * if (result.status === 'conflict') console.log('now at version', result.current.version)
 * ```
 */
export type SaveResult =
  | { readonly status: 'saved'; readonly version: number }
  | { readonly status: 'conflict'; readonly current: SessionRecord }
  | { readonly status: 'gone' }

/**
 * The outcome of {@link SessionStore.delete}: `deleted`; or, for a delete conditional on a version,
 * `conflict` (another write got there first; nothing was deleted) or `gone` (nothing to delete).
 *
 * @example
 * ```ts
 * const result = await store.delete(record.id, record.version)
 * if (result.status === 'conflict') console.log('changed meanwhile, now at', result.current.version)
 * ```
 */
export type DeleteResult =
  | { readonly status: 'deleted' }
  | { readonly status: 'conflict'; readonly current: SessionRecord }
  | { readonly status: 'gone' }

/**
 * Where sessions live. Every method may throw `SessionStoreError` when the back end fails.
 *
 * @example
 * ```ts
 * const store: SessionStore = new DynamoDBSessionStore({ tableName: 'Sessions' })
 * const record = await store.load(id) // undefined when unknown, expired or unreadable
 * ```
 */
export interface SessionStore {
  /** The live session with this id, or `undefined` when it does not exist, has expired or is unreadable. */
  load(id: string): Promise<SessionRecord | undefined>
  /** Stores a new session under a fresh, unused id, at version 1. */
  create(record: NewSessionRecord): Promise<SessionRecord>
  /** Replaces a session if (and only if) it is still at `record.version`; never recreates a deleted one. */
  save(record: SessionRecord): Promise<SaveResult>
  /**
   * Moves a session's expiry forward to `expiresAt` (never backward) without rewriting its data.
   * Resolves `false` when the session no longer exists.
   */
  touch(id: string, expiresAt: number): Promise<boolean>
  /**
   * Deletes a session. Without `expectedVersion` the delete is unconditional (logout must win) and
   * deleting a session that does not exist is not an error; with it, only that version is deleted.
   */
  delete(id: string, expectedVersion?: number): Promise<DeleteResult>
}
