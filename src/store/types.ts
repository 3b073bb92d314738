/**
 * The contract between a {@link Session} and where sessions live. {@link DynamoDBSessionStore} implements
 * it; implement it yourself to keep sessions elsewhere (or wrap the DynamoDB store to add caching,
 * metrics...).
 *
 * A store owns the atomicity of each step: a change is applied whole or not at all, and only if no key it
 * touches was changed by someone else since it was loaded; a destroyed or replaced session is never
 * written again. Session objects only describe what a request did.
 *
 * @module
 */
import type { JsonValue, SessionData } from '../data.ts'
import type { SessionExpiry } from '../expiry.ts'
import type { SessionIdScheme } from '../id.ts'
import type { SessionRenewal } from '../renewal.ts'

/**
 * A stored session as the store returns it.
 *
 * @example
 * ```ts
 * const record = await store.load(id)
 * if (record) console.log(record.data, new Date(record.expiresAt * 1000))
 * ```
 */
export interface SessionRecord {
  /** The session id (the cookie value), without the key prefix or suffix. */
  readonly id: string
  /** The session's data. */
  readonly data: SessionData
  /** When the session expires, in epoch seconds (the TTL attribute). */
  readonly expiresAt: number
  /** A per-session expiry set with `session.setExpiry()`; `undefined` means the middleware's default. */
  readonly expiry?: SessionExpiry | undefined
  /** The user this session is bound to (`session.bindUser()`), if any. */
  readonly user?: UserBinding | undefined
  /**
   * When the session was created (or last regenerated), in epoch seconds; `undefined` for a session
   * stored before this was recorded. With `maxLifetime`, the session ends that many seconds after it.
   */
  readonly createdAt?: number | undefined
  /** When the user last authenticated (`session.recordAuthentication()`), in epoch seconds, if recorded. */
  readonly authenticatedAt?: number | undefined
  /** When the id was last renewed (the middleware's `renewal`), in epoch seconds; `undefined`: never. */
  readonly renewedAt?: number | undefined
  /** The session's CSRF secret (`session.csrfToken()`), if one was made. */
  readonly csrfSecret?: string | undefined
  /**
   * What the store needs to tell later whether the session changed since this record was read (a
   * version, say). Opaque: pass it back unchanged.
   */
  readonly revision: unknown
}

/**
 * What a session looks like before it is stored.
 *
 * @example
 * ```ts
 * const created = await store.create({ data: { userId: 'u-1' }, expiresAt: nowSeconds + 3600 })
 * ```
 */
export interface NewSessionRecord {
  /** The data to store. */
  readonly data: SessionData
  /** When it expires, in epoch seconds. */
  readonly expiresAt: number
  /** A per-session expiry policy, if any. */
  readonly expiry?: SessionExpiry | undefined
  /** The user to bind the new session to, if any. */
  readonly user?: UserBinding | undefined
  /** When it was created, in epoch seconds. Default: when the store writes it. */
  readonly createdAt?: number | undefined
  /** When the user last authenticated, in epoch seconds, if recorded. */
  readonly authenticatedAt?: number | undefined
  /** When the id was last renewed, in epoch seconds, if it was. */
  readonly renewedAt?: number | undefined
  /** The session's CSRF secret, if it has one. */
  readonly csrfSecret?: string | undefined
}

/**
 * A session's binding to a user: who, the opaque handle that names this session in the user's list
 * (never the session id, which is a bearer credential), when it was bound, and small metadata recorded
 * then (a user agent, say).
 *
 * @example
 * ```ts
 * const binding: UserBinding = { userId: 'u-42', handle: 'h8Kq2LmP0aZt', since: 1767225600000, meta: { ua: 'Firefox' } }
 * ```
 */
export interface UserBinding {
  /** The application's user id. */
  readonly userId: string
  /** An opaque random name for this session in the user's list. */
  readonly handle: string
  /** When it was bound, in epoch milliseconds. */
  readonly since: number
  /** Small metadata recorded at binding time. */
  readonly meta?: SessionData | undefined
}

/**
 * One of a user's live sessions, as a "your devices" page shows it. It never carries the session id.
 *
 * @example
 * ```ts
 * for (const s of page.sessions) console.log(s.handle, s.createdAt, s.lastUsedAt, s.current ? '(this one)' : '')
 * ```
 */
export interface UserSessionInfo {
  /** Names this session for {@link UserSessionIndex.end}. */
  readonly handle: string
  /** When it was bound to the user (usually the login). */
  readonly createdAt: Date
  /** When a request last wrote or touched it: as precise as the touch throttle (`touchAfter`) allows. */
  readonly lastUsedAt: Date
  /** When it expires unless used again. */
  readonly expiresAt: Date
  /** Whether it is the session asking (always `false` from the store on its own). */
  readonly current: boolean
  /** The metadata recorded at binding time. */
  readonly meta: SessionData
}

/**
 * A page of a user's sessions, newest binding first; pass `cursor` back for the next page.
 *
 * @example
 * ```ts
 * let page = await index.list('u-42')
 * while (page.cursor) page = await index.list('u-42', { cursor: page.cursor })
 * ```
 */
export interface UserSessionPage {
  readonly sessions: readonly UserSessionInfo[]
  /** `undefined` on the last page. Contains no session id. */
  readonly cursor?: string | undefined
}

/**
 * The sessions of each user, for stores that bind sessions to users.
 *
 * @example
 * ```ts
 * const ended = await store.users?.endAll('u-42') // after a password change: sign out everywhere
 * ```
 */
export interface UserSessionIndex {
  /** A page of the user's live sessions (expired ones left out). */
  list(
    userId: string,
    options?: { limit?: number | undefined; cursor?: string | undefined; current?: string | undefined },
  ): Promise<UserSessionPage>
  /** Ends the user's session named `handle`; resolves whether there was one. Final, like a logout. */
  end(userId: string, handle: string): Promise<boolean>
  /**
   * Ends every session bound to the user when the call is made, except the one named `except`; resolves
   * how many. A session bound while it runs waits for it (it is then bound afterwards).
   */
  endAll(
    userId: string,
    options?: { except?: string | undefined; deadline?: number | undefined },
  ): Promise<number>
  /**
   * Optional: resolves when `userId` has room for one more session (dropping the entries of sessions that
   * provably no longer exist, or, under a policy that says so, ending the least recently used one), and
   * throws `TooManySessionsError` when the store refuses. `session.bindUser()` calls it, so a handler can
   * catch the refusal before it does anything else.
   */
  checkRoom?(userId: string, options?: { deadline?: number | undefined }): Promise<void>
  /**
   * The binding `session.bindUser(userId, { meta })` leads to from the session's `current` one: `current`
   * itself when nothing changes; the same handle for the user it is already bound to; a fresh handle,
   * bound at `options.now` (epoch ms), for another user once that user has room (as `checkRoom`). Throws
   * `SessionDataError` for a user id or metadata it cannot store.
   */
  bindingFor(
    current: UserBinding | undefined,
    userId: string,
    meta: SessionData | undefined,
    options: { now: number; deadline?: number | undefined },
  ): Promise<UserBinding>
}

/**
 * What one request did to a stored session, for {@link SessionStore.save} and
 * {@link SessionStore.regenerate} to apply to the session as it is when they write.
 *
 * @example
 * ```ts
 * const change: SessionChange = {
 *   base: record,
 *   entries: new Map([['cart', ['sku-1']], ['flash', undefined]]),
 *   cleared: false,
 *   defaultExpiry: Expiry.onInactivity(3600),
 *   now: Math.floor(Date.now() / 1000),
 * }
 * ```
 */
export interface SessionChange {
  /** The session as this request loaded it. */
  readonly base: SessionRecord
  /** The keys this request set (to these values) or removed (`undefined`). */
  readonly entries: ReadonlyMap<string, JsonValue | undefined>
  /** `clear()` was called: every key not in `entries` is removed too. */
  readonly cleared: boolean
  /** Present when this request changed the per-session expiry (`policy: undefined`: back to the default). */
  readonly expiry?: { readonly policy: SessionExpiry | undefined } | undefined
  /** Present when this request bound the session to a user, or unbound it (`binding: undefined`). */
  readonly user?: { readonly binding: UserBinding | undefined } | undefined
  /** The middleware's expiry, for a session without a per-session one. */
  readonly defaultExpiry: SessionExpiry
  /**
   * The middleware's `maxLifetime`, in seconds: the session's expiry never passes `createdAt` plus this
   * (a session stored without `createdAt` counts from this write). `undefined`: no absolute lifetime.
   */
  readonly maxLifetime?: number | undefined
  /** Present when this request recorded an authentication: when, in epoch seconds. */
  readonly authenticatedAt?: number | undefined
  /**
   * The middleware's `renewal`: a save on a session whose id is older than `every` seconds (since it was
   * created, regenerated or renewed) moves it to a new id, and the old id reaches the new one for `grace`
   * more seconds. `undefined`: ids are never renewed.
   */
  readonly renewal?: SessionRenewal | undefined
  /**
   * The keys were set without being read (`blindWrites`): a concurrent change of the same key is
   * overwritten, not a conflict. Default `false`.
   */
  readonly unread?: boolean | undefined
  /**
   * Present when this request made the session's CSRF secret (its first `csrfToken()`): it is stored,
   * and keeps a session with no data stored. A regenerate drops the old one.
   */
  readonly csrfSecret?: string | undefined
  /** The instant of the write, in epoch seconds: rolling expiries count from it. */
  readonly now: number
  /**
   * When the request must be done, in epoch milliseconds of the real clock (the middleware takes it from
   * the invocation's remaining time): a write that has to wait for a user's sessions (being signed out
   * everywhere) gives up before it with `SessionBusyError`. Default: a few seconds of waiting at most.
   */
  readonly deadline?: number | undefined
}

/**
 * What a request that only set keys of a stored session, without reading it, writes (the middleware's
 * `blindWrites`): the keys and their values, and what the expiry is worked out from.
 *
 * @example
 * ```ts
 * const change: UnreadChange = { entries: new Map([['locale', 'fr']]), defaultExpiry: Expiry.onInactivity(3600), now }
 * ```
 */
export interface UnreadChange {
  /** The keys set, with their values (a `delete()` reads the session first, so none is removed here). */
  readonly entries: ReadonlyMap<string, JsonValue>
  /** The middleware's expiry. */
  readonly defaultExpiry: SessionExpiry
  /** As in {@link SessionChange.maxLifetime}. */
  readonly maxLifetime?: number | undefined
  /** As in {@link SessionChange.renewal}. */
  readonly renewal?: SessionRenewal | undefined
  /** The instant of the write, in epoch seconds. */
  readonly now: number
  /** As in {@link SessionChange.deadline}. */
  readonly deadline?: number | undefined
}

/**
 * The outcome of {@link SessionStore.save} or {@link SessionStore.regenerate}:
 * - `saved`: written; `record` is the session as this request left it (under a new id for regenerate,
 *   and for a save that renewed the id: then `renewed` is `true`);
 * - `ended`: the change left the session empty (or past its expiry), so it was deleted;
 * - `conflict`: nothing written, because another request changed a key (`reason: 'key'`) or the expiry
 *   (`'expiry'`) this change also changed, or kept changing the session (`'contention'`), or another
 *   Region kept writing it at the same moment (`'replicated'`, multi-Region strongly consistent tables);
 * - `gone`: nothing written: the session no longer exists (destroyed, replaced or expired), and it was
 *   not brought back.
 *
 * @example
 * ```ts
 * const result = await store.save(change)
 * if (result.status === 'saved') console.log('expires at', result.record.expiresAt)
 * ```
 */
export type SaveResult =
  | {
      readonly status: 'saved'
      readonly record: SessionRecord
      readonly renewed?: boolean
      /**
       * Saved, but a login moved the session to `record.id` meanwhile: the request's cookie must not be
       * given that id (the old id no longer reaches the session).
       */
      readonly elsewhere?: boolean
    }
  | { readonly status: 'ended' }
  | { readonly status: 'conflict'; readonly reason: 'key' | 'expiry' | 'contention' | 'replicated' }
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
  /**
   * Optional: the shape of this store's ids, which a cookie value must have to be looked up at all.
   * Default: this library's 32-character ids.
   */
  readonly ids?: SessionIdScheme
  /** The live session with this id, or `undefined` when it does not exist, has expired or is unreadable. */
  load(id: string): Promise<SessionRecord | undefined>
  /** Stores a new session under a fresh, unused id; `deadline` as in {@link SessionChange.deadline}. */
  create(record: NewSessionRecord, options?: { deadline?: number | undefined }): Promise<SessionRecord>
  /**
   * Applies `change` to the session as it is now, atomically, unless another request changed a key (or
   * the expiry) the change also changes since `change.base` was loaded. Never recreates a session that
   * is gone.
   */
  save(change: SessionChange): Promise<SaveResult>
  /**
   * Optional: sets `change.entries` on the stored session `id` without a read first (`blindWrites`),
   * last writer wins on those keys. Resolves `saved` (its `record.data` holds only the keys written),
   * or `gone` when `id` names no live session (the caller then starts a new one). A store without it
   * makes the session read first and saved with {@link SessionStore.save}.
   */
  saveUnread?(id: string, change: UnreadChange): Promise<SaveResult>
  /**
   * Like {@link SessionStore.save}, but the result is stored under a fresh id and, in the same atomic
   * step, the old id stops being a session (a later `destroy()` of the old id also ends the new one,
   * for a while, so a logout racing the regenerate stays final).
   */
  regenerate(change: SessionChange): Promise<SaveResult>
  /**
   * Moves the expiry of the session, unchanged since `base` was loaded, forward to `expiresAt`, without
   * rewriting its data. Resolves the session as touched, or `undefined` when it was not (it changed
   * meanwhile, or is gone).
   */
  touch(base: SessionRecord, expiresAt: number): Promise<SessionRecord | undefined>
  /** Deletes the session unconditionally (logout must win), and any session it was regenerated into. */
  destroy(id: string): Promise<void>
  /** Optional: the sessions of each user (`session.bindUser()` and the "your devices" calls need it). */
  readonly users?: UserSessionIndex
  /**
   * Optional: throws `SessionDataError` for an entry the store cannot store and read back as it is.
   * `session.set()` calls it.
   */
  checkEntry?(key: string, value: JsonValue): void
  /** Optional: an upper bound of the bytes an entry takes; with {@link SessionStore.assertFits}, `set()` refuses oversized sessions. */
  entrySize?(key: string, value: JsonValue): number
  /** Optional: throws `SessionDataError` when data of entries adding up to `size` bytes cannot be stored. */
  assertFits?(size: number, data: () => SessionData): void
}
