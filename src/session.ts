/**
 * The session a handler sees. Loads lazily (one read on first use), records what the request changes key
 * by key, and at the end of the request hands its changes to the flush (`session-flush.ts`), which asks
 * the store for exactly one step.
 *
 * @module
 */
import { csrfTokenFor, csrfTokenMatches, newCsrfSecret } from './csrf-token.ts'
import { assertJsonValue, type JsonValue, ownValue, type SessionData, setOwn } from './data.ts'
import {
  PACKAGE_NAME,
  ReauthenticationRequiredError,
  SessionConfigError,
  SessionDataError,
  SessionNotBoundError,
  SessionStoreError,
} from './errors.ts'
import { assertExpiry, expireAtFor, outlived, type SessionExpiry, sameExpiry } from './expiry.ts'
import { type FlushOutcome, flushRequest } from './session-flush.ts'
import {
  assertEntryFits,
  baseOf,
  type Changes,
  noChanges,
  type Phase,
  type SessionInit,
} from './session-state.ts'
import type {
  SessionRecord,
  SessionStore,
  UserBinding,
  UserSessionIndex,
  UserSessionPage,
} from './store/types.ts'

export type { FlushOutcome } from './session-flush.ts'
export type { SessionInit } from './session-state.ts'

/**
 * Ends a session's request: persists what changed and says what the cookie must become. Called once by
 * the middleware; not part of the handler-facing API.
 *
 * @example
 * ```ts
 * const outcome = await session[flushSession]()
 * ```
 */
export const flushSession: unique symbol = Symbol('middy-dynamodb-session.flush')

/**
 * The largest entry (key and value, as stored) `set()` writes without a read under `blindWrites`; a
 * larger one reads the session first, so the size guard sees the whole session.
 */
const MAX_UNREAD_ENTRY_BYTES = 4096

/** A copy of a value the handler cannot change the session through (a string or number is its own). */
function copyOf<V>(value: V): V {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value
}

/**
 * A server-side session. Every method is async because the first one loads the session from the store
 * (one read); a handler that never calls one costs no I/O at all.
 *
 * Values are JSON-compatible ({@link JsonValue}), checked at `set()`: a value the store could not save
 * and read back throws {@link SessionDataError} there. `get()` returns a copy: change it, then `set()` it.
 *
 * Concurrency: at the end of the request only the keys this request changed are written, and only if
 * none of them was changed by another request since this one read it; otherwise the after hook throws
 * {@link SessionConflictError} (HTTP 409) and nothing of this request's changes is written. Calls apply in
 * the order they were made: a change made before `destroy()` is undone by it, even if its read finished
 * later.
 *
 * @typeParam T - the shape of the session data, e.g. `{ userId: string; cart: string[] }`.
 *
 * @example
 * ```ts
 * const handler = middy()
 *   .use(dynamoSession<{ userId?: string; visits: number }>())
 *   .handler(async (event, context) => {
 *     const visits = ((await context.session.get('visits')) ?? 0) + 1
 *     await context.session.set('visits', visits)
 *     return { statusCode: 200, body: `visit ${visits}` }
 *   })
 * ```
 */
export class Session<T extends object = SessionData> {
  readonly #init: SessionInit
  readonly #store: SessionStore
  #phase: Phase
  /** The working copy of the data (valid once ready). */
  #data: SessionData = {}
  #changes: Changes = noChanges()
  /** Bumped by `destroy()`: a call that started before it has nothing left to act on. */
  #generation = 0
  /** Ids to delete at the end of the request (destroyed sessions). */
  readonly #destroyed: string[] = []
  /** Calls the handler started that have not settled yet: the flush waits for them. */
  readonly #inFlight = new Set<Promise<unknown>>()

  constructor(init: SessionInit) {
    this.#init = init
    this.#store = init.store
    this.#phase = init.detached ? { kind: 'ready', base: undefined } : { kind: 'unread', cookieId: init.id }
  }

  /**
   * The session id once known to be stored: after the first method call found the session, or after the
   * request wrote it. `undefined` for a new session, after `destroy()`, and after `regenerate()` until
   * the request has stored the new id.
   */
  get id(): string | undefined {
    const phase = this.#phase
    if (phase.kind === 'flushed') return phase.base?.id
    if (phase.kind !== 'ready' || this.#changes.regenerate) return undefined
    return phase.base?.id
  }

  /** The expiry policy in force: the per-session one from {@link Session.setExpiry}, or the default. */
  get expiry(): SessionExpiry {
    return this.#policy() ?? this.#init.expiry
  }

  /** When the stored session expires, or `undefined` for a session not stored (or not loaded) yet. */
  get expiresAt(): Date | undefined {
    const record = baseOf(this.#phase)
    return record && new Date(record.expiresAt * 1000)
  }

  /**
   * Whether the store could not be read (with `failOpen`): reads then see an empty session, and changes
   * throw the store's error. `destroy()` still works.
   */
  get unavailable(): boolean {
    return this.#phase.kind === 'unavailable'
  }

  /**
   * Runs one call of the handler's: the flush waits for it, even if the handler did not (an un-awaited
   * `set()` is saved with the request), and its rejection is never unhandled (an un-awaited call that
   * fails is logged where it fails, not a crash of the function); an awaiting caller still gets it.
   */
  #track<R>(run: () => Promise<R>): Promise<R> {
    const call = run()
    const settled = () => this.#inFlight.delete(call)
    this.#inFlight.add(call)
    call.then(settled, settled)
    return call
  }

  /** The user binding in force: this request's, or the stored one. */
  #binding(): UserBinding | undefined {
    if (this.#changes.user) return this.#changes.user.binding
    return baseOf(this.#phase)?.user
  }

  #policy(): SessionExpiry | undefined {
    if (this.#changes.expiry) return this.#changes.expiry.policy
    return baseOf(this.#phase)?.expiry
  }

  #nowSeconds(): number {
    return Math.floor(this.#init.now() / 1000)
  }

  /** Reads the session if nobody has yet; resolves once it is ready (or unreadable). */
  async #load(): Promise<void> {
    const phase = this.#phase
    if (phase.kind === 'loading') return phase.promise
    if (phase.kind !== 'unread') return
    const { cookieId } = phase
    if (cookieId === undefined) {
      this.#phase = { kind: 'ready', base: undefined }
      return
    }
    const loading: Phase = {
      kind: 'loading',
      cookieId,
      promise: this.#store.load(cookieId).then(
        (record) => {
          const alive = this.#alive(record)
          this.#init.audit?.(record ? (alive ? 'loaded' : 'expired') : 'unknown-id', {
            id: record?.id ?? cookieId,
            userId: alive?.user?.userId,
          })
          this.#settle(loading, { kind: 'ready', base: alive })
        },
        (error: unknown) => {
          if (!(this.#init.failOpen && error instanceof SessionStoreError)) {
            this.#settle(loading, { kind: 'unread', cookieId }) // a later call may try again
            throw error
          }
          this.#init.logger?.error(
            `${PACKAGE_NAME}: session store unavailable, going on with an empty session that cannot change`,
            { operation: error.operation },
          )
          this.#settle(loading, { kind: 'unavailable', cookieId, error })
        },
      ),
    }
    this.#phase = loading
    return loading.promise
  }

  /**
   * `record`, unless it is past its absolute deadline (`maxLifetime` after its creation): then there is no
   * session, as for one past its expiry. Its item's expiry already says so when the same `maxLifetime`
   * wrote it; this holds when the lifetime was shortened since.
   */
  #alive(record: SessionRecord | undefined): SessionRecord | undefined {
    return record && outlived(record.createdAt, this.#init.maxLifetime, this.#nowSeconds())
      ? undefined
      : record
  }

  /** Moves from `loading` to `next`, unless something (a `destroy()`) moved on meanwhile. */
  #settle(loading: Phase, next: Phase): void {
    if (this.#phase !== loading) return
    this.#phase = next
    if (next.kind !== 'ready') return
    this.#data = next.base ? { ...next.base.data } : {}
    // Keys set before the read (blindWrites) are this request's: they stay on top of what was read.
    for (const [key, value] of this.#changes.entries) if (value !== undefined) setOwn(this.#data, key, value)
  }

  /**
   * Whether `set(key, value)` may skip the read: `blindWrites`, a stored session named by the cookie, not
   * read yet, and a small value (a large one is checked against the whole session, which needs it read).
   */
  #blind(key: string, value: JsonValue): boolean {
    const phase = this.#phase
    if (!(this.#init.blindWrites === true && phase.kind === 'unread' && phase.cookieId !== undefined))
      return false
    const size = this.#store.entrySize?.(key, value)
    return size !== undefined && size <= MAX_UNREAD_ENTRY_BYTES
  }

  /**
   * Waits for the read a call needs; resolves `false` when the call is moot (a `destroy()` came after it
   * was made, so whatever it would do is undone).
   */
  async #ready(): Promise<boolean> {
    const generation = this.#generation
    try {
      await this.#load()
    } catch (error) {
      if (generation === this.#generation) throw error
    }
    return generation === this.#generation
  }

  /** Throws after the end of the request (the flush): a change made then would be lost. It is logged too. */
  #assertOpen(): void {
    if (this.#phase.kind !== 'flushed') return
    const message = `${PACKAGE_NAME}: a session change made after the end of its request was refused (await every session call in the handler)`
    this.#init.logger?.error(message)
    throw new SessionDataError(message)
  }

  /** Throws unless the session can change: after a failed read (`failOpen`) or after the flush, it cannot. */
  #assertChangeable(): void {
    this.#assertOpen()
    const phase = this.#phase
    if (phase.kind === 'unavailable') {
      throw new SessionStoreError(
        phase.error.operation,
        'The session could not be read (failOpen), so it cannot be changed',
        { cause: phase.error },
      )
    }
  }

  /**
   * The value stored under `key` (a copy), or `undefined`.
   *
   * @example
   * ```ts
   * const cart = (await context.session.get('cart')) ?? []
   * ```
   */
  get<K extends keyof T & string>(key: K): Promise<T[K] | undefined> {
    return this.#track(async () => {
      if (!(await this.#ready())) return undefined
      const value = ownValue(this.#data, key)
      return copyOf(value) as T[K] | undefined
    })
  }

  /**
   * Stores `value` under `key`. Setting `undefined` deletes the key. Throws {@link SessionDataError} at once
   * for a value the store could not save and read back (not JSON-compatible, a lone surrogate, refused by
   * the codec in use, too large for the session to fit), or when the session's fixed expiry has passed.
   *
   * @example
   * ```ts
   * await context.session.set('userId', user.id)
   * ```
   */
  set<K extends keyof T & string>(key: K, value: T[K]): Promise<void> {
    return this.#track(async () => {
      if (value === undefined) {
        await this.delete(key)
        return
      }
      assertJsonValue(value, key)
      this.#store.checkEntry?.(key, value)
      const copy = copyOf(value)
      if (this.#blind(key, copy)) {
        setOwn(this.#data, key, copy)
        this.#changes.entries.set(key, copy)
        return
      }
      if (!(await this.#ready())) return
      this.#assertChangeable()
      this.#assertNotExpired(this.#policy())
      assertEntryFits(this.#store, this.#changes, this.#data, key, copy)
      setOwn(this.#data, key, copy)
      this.#changes.entries.set(key, copy)
    })
  }

  /**
   * Removes `key`; resolves whether it was there.
   *
   * @example
   * ```ts
   * await context.session.delete('flash')
   * ```
   */
  delete(key: keyof T & string): Promise<boolean> {
    return this.#track(async () => {
      if (!(await this.#ready())) return false
      this.#assertChangeable()
      if (!Object.hasOwn(this.#data, key)) return false
      delete this.#data[key]
      this.#changes.entries.set(key, undefined)
      this.#changes.sizes?.delete(key)
      return true
    })
  }

  /**
   * Whether `key` holds a value.
   *
   * @example
   * ```ts
   * if (!(await context.session.has('userId'))) return { statusCode: 401 }
   * ```
   */
  has(key: keyof T & string): Promise<boolean> {
    return this.#track(async () => {
      if (!(await this.#ready())) return false
      return Object.hasOwn(this.#data, key)
    })
  }

  /**
   * Removes every key. A stored session left empty is deleted at the end of the request.
   *
   * @example
   * ```ts
   * await context.session.clear()
   * ```
   */
  clear(): Promise<void> {
    return this.#track(async () => {
      if (!(await this.#ready())) return
      this.#assertChangeable()
      this.#data = {}
      this.#changes.entries.clear()
      this.#changes.cleared = true
      this.#changes.sizes = new Map()
    })
  }

  /**
   * Gives the session a new id and keeps its data. At the end of the request the new item is written and
   * the old id stops being a session in one atomic step; a logout that still presents the old id ends the
   * new session too. Call it when privileges change (after a login) against session fixation.
   *
   * @example
   * ```ts
   * await context.session.regenerate()
   * await context.session.set('userId', user.id)
   * ```
   */
  regenerate(): Promise<void> {
    return this.#track(async () => {
      if (!(await this.#ready())) return
      this.#assertChangeable()
      if (!baseOf(this.#phase)) return
      this.#changes.regenerate = true
      this.#changes.csrfSecret = undefined // tokens handed out before the login stop working
    })
  }

  /**
   * Deletes the session (no read needed) and expires its cookie. The object stays usable as a new, empty
   * session: data set afterwards starts a new session with a new id. Calls made before it (even ones
   * still waiting for the read) are undone by it.
   *
   * @example
   * ```ts
   * await context.session.destroy() // logout
   * ```
   */
  destroy(): Promise<void> {
    return this.#track(async () => {
      this.#assertOpen()
      const phase = this.#phase
      // A cookie that named no live session (read already) may still name the item a login or a renewal
      // left: deleting it follows it to the session it moved to, so a logout from a stale page is final.
      const id =
        phase.kind === 'ready' || phase.kind === 'flushed'
          ? (phase.base?.id ?? this.#init.id)
          : phase.cookieId
      if (id !== undefined && !this.#destroyed.includes(id)) this.#destroyed.push(id)
      this.#generation++
      this.#phase = { kind: 'ready', base: undefined }
      this.#data = {}
      this.#changes = noChanges()
    })
  }

  /**
   * Overrides the expiry policy for this session only (stored with it), e.g. "remember me";
   * `undefined` returns to the middleware's default. A fixed expiry that has already passed throws
   * {@link SessionDataError}.
   *
   * @example
   * ```ts
   * if (rememberMe) await context.session.setExpiry(Expiry.onInactivity(30 * 24 * 3600))
   * ```
   */
  setExpiry(expiry: SessionExpiry | undefined): Promise<void> {
    return this.#track(async () => {
      if (!(await this.#ready())) return
      this.#assertChangeable()
      if (expiry !== undefined) assertExpiry(expiry, 'setExpiry()')
      this.#assertNotExpired(expiry)
      if (sameExpiry(this.#policy(), expiry)) return
      const stored = baseOf(this.#phase)?.expiry
      this.#changes.expiry = sameExpiry(stored, expiry) ? undefined : { policy: expiry }
    })
  }

  /**
   * Records that the user authenticated now (at login, and after asking for the password again), stored
   * with the session at the end of the request; {@link Session.requireRecentAuthentication} asks how long
   * ago it was. Kept by `regenerate()`; a session with no data and no user is not stored, and neither is
   * this.
   *
   * @example
   * ```ts
   * await context.session.regenerate()
   * await context.session.set('userId', user.id)
   * await context.session.recordAuthentication()
   * ```
   */
  recordAuthentication(): Promise<void> {
    return this.#track(async () => {
      if (!(await this.#ready())) return
      this.#assertChangeable()
      this.#changes.authenticatedAt = this.#nowSeconds()
    })
  }

  /**
   * Whether the user authenticated ({@link Session.recordAuthentication}) within the last `seconds`.
   *
   * @example
   * ```ts
   * const fresh = await context.session.authenticatedWithin(15 * 60)
   * ```
   */
  authenticatedWithin(seconds: number): Promise<boolean> {
    return this.#track(async () => {
      if (!(await this.#ready())) return false
      const at = this.#changes.authenticatedAt ?? baseOf(this.#phase)?.authenticatedAt
      return at !== undefined && this.#nowSeconds() - at <= seconds
    })
  }

  /**
   * Throws {@link ReauthenticationRequiredError} (`statusCode` 401) unless the user authenticated within
   * the last `seconds`: one line at the top of a sensitive route (a password change, a payment).
   *
   * @example
   * ```ts
   * await context.session.requireRecentAuthentication(5 * 60)
   * ```
   */
  requireRecentAuthentication(seconds: number): Promise<void> {
    return this.#track(async () => {
      if (!(await this.authenticatedWithin(seconds))) throw new ReauthenticationRequiredError(seconds)
    })
  }

  /**
   * A token proving this session's CSRF secret, for clients that send neither `Sec-Fetch-Site` nor
   * `Origin` (see the middleware's `crossSite.requireToken`): put it in a form field or hand it to a
   * script, which sends it back in the `x-csrf-token` header. The secret is made on first use and stored
   * with the session (a session holding a secret is stored even with no data, so a login form can carry
   * a token, and `clear()` keeps it); every call gives different characters (masked), and each verifies as
   * long as the session keeps its secret: renewals keep it, `regenerate()` (a login) makes a new one,
   * `destroy()` ends it.
   *
   * @example
   * ```ts
   * const token = await context.session.csrfToken()
   * return { statusCode: 200, body: `<input type="hidden" name="csrf" value="${token}">` }
   * ```
   */
  csrfToken(): Promise<string> {
    return this.#track(async () => {
      // A call undone by a later destroy(): its token names a secret that is never stored.
      if (!(await this.#ready())) return csrfTokenFor(newCsrfSecret())
      let secret = this.#csrfSecret()
      if (secret === undefined) {
        this.#assertChangeable()
        secret = newCsrfSecret()
        this.#changes.csrfSecret = secret
      }
      return csrfTokenFor(secret)
    })
  }

  /**
   * Whether `token` was made by {@link Session.csrfToken} for this session (and its secret still holds).
   * Anything else, a missing or garbled token included, is `false`. The middleware checks the
   * `x-csrf-token` header itself with `crossSite: { requireToken: true }`; call this for a token sent in a
   * form field.
   *
   * @example
   * ```ts
   * if (!(await context.session.verifyCsrfToken(form.get('csrf')))) return { statusCode: 403, body: 'Forbidden' }
   * ```
   */
  verifyCsrfToken(token: unknown): Promise<boolean> {
    return this.#track(async () => (await this.#ready()) && csrfTokenMatches(token, this.#csrfSecret()))
  }

  /** The CSRF secret in force: this request's, or the stored one unless a regenerate drops it. */
  #csrfSecret(): string | undefined {
    const { csrfSecret, regenerate } = this.#changes
    return csrfSecret ?? (regenerate ? undefined : baseOf(this.#phase)?.csrfSecret)
  }

  /**
   * Binds this session to a user: typically at login, right after `regenerate()`. The binding is stored
   * with the session at the end of the request; from then on the session appears in the user's list
   * ({@link Session.listUserSessions}) and ends with "sign out everywhere". `meta` is small metadata
   * shown in that list (a user agent, say): a flat object of strings, booleans and safe integers, at most
   * 1 KB. Binding to the user it is already bound to keeps its handle (and updates `meta` if given).
   *
   * @example
   * ```ts
   * await context.session.regenerate()
   * await context.session.bindUser(user.id, { meta: { ua: event.headers['user-agent'] ?? '' } })
   * ```
   */
  bindUser(userId: string, options: { meta?: SessionData | undefined } = {}): Promise<void> {
    return this.#track(async () => {
      const users = this.#users()
      if (!(await this.#ready())) return
      this.#assertChangeable()
      const current = this.#binding()
      const { now, deadline } = this.#init
      const generation = this.#generation
      const binding = await users.bindingFor(current, userId, options.meta, { now: now(), deadline })
      // A destroy() made while the user's room was checked undoes this call, as it undoes every earlier one.
      if (binding !== current && generation === this.#generation) this.#changes.user = { binding }
    })
  }

  /**
   * Unbinds this session from its user (it stays a session, without the user). A logout usually calls
   * `destroy()` instead, which ends the session and removes it from the user's list at once.
   *
   * @example
   * ```ts
   * await context.session.unbindUser()
   * ```
   */
  unbindUser(): Promise<void> {
    return this.#track(async () => {
      if (!(await this.#ready())) return
      this.#assertChangeable()
      if (this.#binding()) this.#changes.user = { binding: undefined }
    })
  }

  /**
   * The user this session is bound to, with the handle that names it in that user's list; `undefined`
   * when it is bound to none.
   *
   * @example
   * ```ts
   * const user = await context.session.user()
   * if (!user) return { statusCode: 401 }
   * ```
   */
  user(): Promise<{ readonly userId: string; readonly handle: string } | undefined> {
    return this.#track(async () => {
      if (!(await this.#ready())) return undefined
      const binding = this.#binding()
      return binding && { userId: binding.userId, handle: binding.handle }
    })
  }

  /**
   * A page of the live sessions of this session's user, newest first, for a "your devices" page: each
   * with its handle (never the session id), when it was created and last used, when it expires, its
   * metadata, and whether it is this one. Throws `SessionDataError` when the session is bound to no user.
   * A session bound a moment ago may take a moment to appear (the list comes from an eventually
   * consistent index); ending sessions does not depend on it.
   *
   * @example
   * ```ts
   * const { sessions } = await context.session.listUserSessions()
   * ```
   */
  listUserSessions(
    options: { limit?: number | undefined; cursor?: string | undefined } = {},
  ): Promise<UserSessionPage> {
    return this.#track(async () => {
      const { userId, handle } = await this.#requireUser()
      return this.#users().list(userId, { ...options, current: handle })
    })
  }

  /**
   * Ends one of this user's sessions, named by its handle from {@link Session.listUserSessions}
   * ("sign out that device"); resolves whether there was one. Ending this very session is a `destroy()`.
   * Final: a request of the ended session that is still running cannot bring it back.
   *
   * @example
   * ```ts
   * await context.session.endUserSession(handle)
   * ```
   */
  endUserSession(handle: string): Promise<boolean> {
    return this.#track(async () => {
      const own = await this.#requireUser()
      if (handle === own.handle) {
        await this.destroy()
        return true
      }
      const ended = await this.#users().end(own.userId, handle)
      if (ended) this.#init.audit?.('ended', { userId: own.userId, count: 1 })
      return ended
    })
  }

  /**
   * Ends every session of this user ("sign out everywhere"), except this one unless `keepCurrent` is
   * `false` (then this one is destroyed too); resolves how many sessions ended. Complete: every
   * session bound before the call returns is ended, one bound a moment earlier included; a login that
   * races it waits until it is done.
   *
   * @example
   * ```ts
   * await context.session.endAllUserSessions() // after a password change: sign out the other devices
   * ```
   */
  endAllUserSessions(options: { keepCurrent?: boolean | undefined } = {}): Promise<number> {
    return this.#track(async () => {
      const { userId, handle } = await this.#requireUser()
      const keepCurrent = options.keepCurrent ?? true
      const ended = await this.#users().endAll(userId, {
        except: keepCurrent ? handle : undefined,
        deadline: this.#init.deadline,
      })
      if (!keepCurrent) await this.destroy()
      this.#init.audit?.('ended', { userId, count: ended })
      return ended
    })
  }

  #users(): UserSessionIndex {
    const { users } = this.#store
    if (!users) throw new SessionConfigError('This session store does not bind sessions to users')
    return users
  }

  async #requireUser(): Promise<{ userId: string; handle: string }> {
    const user = await this.user()
    if (!user) throw new SessionNotBoundError()
    return user
  }

  /** Throws when a session under `policy` (or the default) could not be stored any more: its date has passed. */
  #assertNotExpired(policy: SessionExpiry | undefined): void {
    const expiry = policy ?? this.#init.expiry
    if (expireAtFor(expiry, this.#nowSeconds()) <= this.#nowSeconds()) {
      throw new SessionDataError(
        'The session expiry is a fixed date that has already passed: nothing can be stored',
      )
    }
  }

  /**
   * Persists the request's changes; see {@link FlushOutcome}. Runs at most once. `nowSeconds` is the
   * instant the writes count from, so the cookie's `Max-Age` can be computed from the same reading.
   * Called by the middleware only.
   *
   * @internal
   */
  async [flushSession](nowSeconds: number = this.#nowSeconds()): Promise<FlushOutcome> {
    // Calls the handler started but did not wait for belong to this request: they settle first. A read
    // in flight is always some call's, so once they have settled, no read is.
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
    // Keys set without a read, for a store that cannot write them so: read now, and save as usual.
    if (this.#phase.kind === 'unread' && this.#changes.entries.size > 0 && !this.#store.saveUnread) {
      await this.#load()
    }
    const phase = this.#phase
    if (phase.kind === 'flushed') return { cookie: 'none' }
    this.#phase = { kind: 'flushed', base: undefined }
    const { outcome, written } = await flushRequest({
      init: this.#init,
      phase,
      data: this.#data,
      changes: this.#changes,
      destroyed: this.#destroyed,
      now: nowSeconds,
    })
    this.#phase = { kind: 'flushed', base: written }
    return outcome
  }
}
