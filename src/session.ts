/**
 * The session a handler sees. Loads lazily (one read on first use), tracks what changed key by key, and
 * at the end of the request persists only what it must: a create, a conditional save, a throttled touch,
 * a delete, or nothing.
 *
 * @module
 */
import { assertJsonValue, type JsonValue, jsonEqual, type SessionData, setOwn } from './data.ts'
import { PACKAGE_NAME, SessionConflictError, SessionDataError, SessionStoreError } from './errors.ts'
import {
  cookieHasExpiry,
  expireAtFor,
  isRolling,
  isTouchDue,
  type SessionExpiry,
  sameExpiry,
} from './expiry.ts'
import type { SessionLogger } from './logger.ts'
import type { SessionRecord, SessionStore } from './store/types.ts'

/**
 * What the end of a request means for the session cookie:
 * - `none`: leave the browser's cookie as it is;
 * - `set`: send the cookie for `id`, expiring at `expiresAt` (epoch seconds) unless `persistent` is false
 *   (a browser-session cookie);
 * - `clear`: send an expired cookie so the browser forgets it.
 *
 * @example
 * ```ts
 * const outcome: FlushOutcome = { cookie: 'set', id, expiresAt: 1767225600, persistent: true }
 * ```
 */
export type FlushOutcome =
  | { readonly cookie: 'none' }
  | { readonly cookie: 'clear' }
  | { readonly cookie: 'set'; readonly id: string; readonly expiresAt: number; readonly persistent: boolean }

/**
 * How a {@link Session} is set up; the middleware builds this from its options.
 *
 * @example
 * ```ts
 * const session = new Session({ store, id: cookieId, expiry: Expiry.onInactivity(3600), touchAfter: 300 })
 * ```
 */
export interface SessionInit {
  /** Where the session is loaded from and saved to. */
  store: SessionStore
  /** The id the client presented (already shape-checked), if any. It is adopted only if the store knows it. */
  id?: string | undefined
  /** The default expiry policy. */
  expiry: SessionExpiry
  /** Seconds that must pass before a read-only request pushes a rolling expiry forward. */
  touchAfter: number
  /** How many times a save is re-based onto a concurrent change of other keys before giving up. Default 10. */
  maxConflictRetries?: number | undefined
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: (() => number) | undefined
  /**
   * When loading fails with {@link SessionStoreError}, go on with an empty session that is never saved
   * (instead of failing the request). Default `false`.
   */
  failOpen?: boolean | undefined
  /** Told about degraded sessions and failed touches. Default: silent. */
  logger?: SessionLogger | undefined
}

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

const NONE: FlushOutcome = Object.freeze({ cookie: 'none' })
const CLEAR: FlushOutcome = Object.freeze({ cookie: 'clear' })

/**
 * A server-side session. Every method is async because the first one loads the session from the store
 * (one read); a handler that never calls one costs no I/O at all.
 *
 * Values are JSON-compatible ({@link JsonValue}). `get()` returns a copy: change it, then `set()` it.
 *
 * Concurrency: saves are optimistic. If another request changed *other* keys meanwhile, both changes are
 * kept; if it changed a key this request also changed, the after hook throws {@link SessionConflictError}
 * (HTTP 409) and nothing is written.
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
  #cookieId: string | undefined
  #loading: Promise<void> | undefined
  #loaded = false
  /** The stored session as last read or written; `undefined` for a new session. */
  #record: SessionRecord | undefined
  /** The working copy of the data. */
  #data: Record<string, JsonValue> = {}
  /** The keys this request changed; `undefined` once it cleared them all. */
  #changed: Set<string> | undefined = new Set()
  #expiryOverride: SessionExpiry | undefined
  #expiryChanged = false
  #regenerate = false
  #pendingDeletes: string[] = []
  #flushed = false
  /** Loading failed and `failOpen` is set: the session is empty and nothing will be saved. */
  #degraded = false

  constructor(init: SessionInit) {
    this.#init = init
    this.#store = init.store
    this.#cookieId = init.id
  }

  /**
   * The session id once known to be stored: after the first method call found the session, or after the
   * request created it. `undefined` for a new session, and before the session was first used.
   */
  get id(): string | undefined {
    // After regenerate() the stored id is on its way out and the new one is not minted yet.
    return this.#regenerate ? undefined : this.#record?.id
  }

  /** The expiry policy in force: the per-session one from {@link Session.setExpiry}, or the default. */
  get expiry(): SessionExpiry {
    return this.#expiryOverride ?? this.#init.expiry
  }

  /** When the stored session expires, or `undefined` for a session not stored (or not loaded) yet. */
  get expiresAt(): Date | undefined {
    return this.#record && new Date(this.#record.expiresAt * 1000)
  }

  async #load(): Promise<void> {
    if (this.#loaded) return
    this.#loading ??= (async () => {
      try {
        this.#adopt(this.#cookieId === undefined ? undefined : await this.#store.load(this.#cookieId))
      } catch (error) {
        if (!(this.#init.failOpen && error instanceof SessionStoreError)) throw error
        this.#init.logger?.error(
          `${PACKAGE_NAME}: session store unavailable, going on with an unsaved empty session`,
          { operation: error.operation },
        )
        this.#degraded = true
        this.#adopt(undefined)
      }
    })()
    try {
      await this.#loading
    } catch (error) {
      this.#loading = undefined // a later call may try again
      throw error
    }
  }

  #adopt(record: SessionRecord | undefined): void {
    this.#record = record
    // A shallow copy is enough: values only leave through get() and arrive through set() as deep copies,
    // and only top-level keys are ever replaced, so the loaded record stays intact for the conflict check.
    this.#data = record ? { ...record.data } : {}
    this.#expiryOverride = record?.expiry
    this.#loaded = true
  }

  /**
   * The value stored under `key` (a copy), or `undefined`.
   *
   * @example
   * ```ts
   * const cart = (await context.session.get('cart')) ?? []
   * ```
   */
  async get<K extends keyof T & string>(key: K): Promise<T[K] | undefined> {
    await this.#load()
    const value = Object.hasOwn(this.#data, key) ? this.#data[key] : undefined
    return (typeof value === 'object' && value !== null ? structuredClone(value) : value) as T[K] | undefined
  }

  /**
   * Stores `value` under `key`. Setting `undefined` deletes the key. Throws {@link SessionDataError} at once
   * for a value that is not JSON-compatible.
   *
   * @example
   * ```ts
   * await context.session.set('userId', user.id)
   * ```
   */
  async set<K extends keyof T & string>(key: K, value: T[K]): Promise<void> {
    if (value === undefined) {
      await this.delete(key)
      return
    }
    if (typeof key !== 'string' || key === '')
      throw new SessionDataError('A session key must be a non-empty string')
    assertJsonValue(value, key)
    await this.#load()
    setOwn(this.#data, key, structuredClone(value))
    this.#changed?.add(key)
  }

  /**
   * Removes `key`; resolves whether it was there.
   *
   * @example
   * ```ts
   * await context.session.delete('flash')
   * ```
   */
  async delete(key: keyof T & string): Promise<boolean> {
    await this.#load()
    if (!Object.hasOwn(this.#data, key)) return false
    delete this.#data[key]
    this.#changed?.add(key)
    return true
  }

  /**
   * Whether `key` holds a value.
   *
   * @example
   * ```ts
   * if (!(await context.session.has('userId'))) return { statusCode: 401 }
   * ```
   */
  async has(key: keyof T & string): Promise<boolean> {
    await this.#load()
    return Object.hasOwn(this.#data, key)
  }

  /**
   * Removes every key. A stored session left empty is deleted at the end of the request.
   *
   * @example
   * ```ts
   * await context.session.clear()
   * ```
   */
  async clear(): Promise<void> {
    await this.#load()
    this.#data = {}
    this.#changed = undefined
  }

  /**
   * Gives the session a new id and keeps its data: the new item is written before the old one is deleted,
   * and the old id stops working. Call it when privileges change (after a login) against session fixation.
   *
   * @example
   * ```ts
   * await context.session.regenerate()
   * await context.session.set('userId', user.id)
   * ```
   */
  async regenerate(): Promise<void> {
    await this.#load()
    if (this.#record) this.#regenerate = true
  }

  /**
   * Deletes the session (no read needed) and expires its cookie. The object stays usable as a new, empty
   * session: data set afterwards starts a new session with a new id.
   *
   * @example
   * ```ts
   * await context.session.destroy() // logout
   * ```
   */
  async destroy(): Promise<void> {
    const id = this.#loaded ? this.#record?.id : this.#cookieId
    if (id !== undefined) this.#pendingDeletes.push(id)
    this.#cookieId = undefined
    this.#loading = undefined
    this.#adopt(undefined)
    this.#changed = new Set()
    this.#expiryChanged = this.#regenerate = false
  }

  /**
   * Overrides the expiry policy for this session only (stored with it), e.g. "remember me";
   * `undefined` returns to the middleware's default.
   *
   * @example
   * ```ts
   * if (rememberMe) await context.session.setExpiry(Expiry.onInactivity(30 * 24 * 3600))
   * ```
   */
  async setExpiry(expiry: SessionExpiry | undefined): Promise<void> {
    await this.#load()
    if (sameExpiry(this.#expiryOverride, expiry)) return
    this.#expiryOverride = expiry
    this.#expiryChanged = true
  }

  /** The data to store on top of `base`: this request's changes applied to it. */
  #dataOn(base: SessionData): SessionData {
    const data: SessionData = { ...(this.#changed ? base : this.#data) }
    for (const key of this.#changed ?? []) {
      if (Object.hasOwn(this.#data, key)) setOwn(data, key, this.#data[key])
      else delete data[key]
    }
    return data
  }

  /** Throws when `current` changed something this request changed too (compared with what it loaded). */
  #assertMergeable(loaded: SessionRecord, current: SessionRecord): void {
    for (const key of this.#changed ?? new Set([...Object.keys(loaded.data), ...Object.keys(current.data)])) {
      if (!jsonEqual(loaded.data[key], current.data[key])) {
        throw new SessionConflictError('Another request changed the same session data at the same time')
      }
    }
    if (this.#expiryChanged && !sameExpiry(loaded.expiry, current.expiry)) {
      throw new SessionConflictError('Another request changed the session expiry at the same time')
    }
  }

  #setCookie(record: SessionRecord): FlushOutcome {
    this.#record = record
    const { id, expiresAt, expiry = this.#init.expiry } = record
    return { cookie: 'set', id, expiresAt, persistent: cookieHasExpiry(expiry) }
  }

  /**
   * Persists the request's changes; see {@link FlushOutcome}. Runs at most once. `nowSeconds` is the
   * instant the writes count from, so the cookie's `Max-Age` can be computed from the same reading.
   */
  async [flushSession](
    nowSeconds: number = Math.floor((this.#init.now ?? Date.now)() / 1000),
  ): Promise<FlushOutcome> {
    if (this.#flushed) return NONE
    this.#flushed = true
    let outcome = NONE
    for (const id of this.#pendingDeletes) {
      await this.#store.delete(id)
      outcome = CLEAR
    }
    if (!this.#loaded || this.#degraded) return outcome // never touched, or failed open: no I/O
    const loaded = this.#record
    if (!loaded) return (await this.#createFrom({}, nowSeconds)) ?? outcome
    if (this.#regenerate) {
      const created = await this.#createFrom(loaded.data, nowSeconds)
      await this.#store.delete(loaded.id)
      this.#regenerate = false
      if (!created) this.#record = undefined
      return created ?? CLEAR
    }
    if (this.#changed?.size === 0 && !this.#expiryChanged) return this.#touch(loaded, nowSeconds)
    return this.#save(loaded, nowSeconds)
  }

  /** Creates a new stored session from `base` plus this request's changes; `undefined` if there is nothing to store. */
  async #createFrom(base: SessionData, now: number): Promise<FlushOutcome | undefined> {
    const data = this.#dataOn(base)
    const expiresAt = expireAtFor(this.expiry, now)
    if (Object.keys(data).length === 0 || expiresAt <= now) return undefined
    return this.#setCookie(await this.#store.create({ data, expiresAt, expiry: this.#expiryOverride }))
  }

  async #touch(loaded: SessionRecord, now: number): Promise<FlushOutcome> {
    const expiry = this.expiry
    if (!isTouchDue(expiry, loaded.expiresAt, now, this.#init.touchAfter)) return NONE
    const expiresAt = expireAtFor(expiry, now)
    try {
      if (!(await this.#store.touch(loaded.id, expiresAt))) return NONE
    } catch (error) {
      // The request only read, and read successfully: a failed touch costs a little lifetime, not the response.
      if (!(error instanceof SessionStoreError)) throw error
      this.#init.logger?.warn(`${PACKAGE_NAME}: could not extend a session expiry`, {
        operation: error.operation,
      })
      return NONE
    }
    const outcome = this.#setCookie({ ...loaded, expiresAt })
    return cookieHasExpiry(expiry) ? outcome : NONE
  }

  async #save(loaded: SessionRecord, now: number): Promise<FlushOutcome> {
    let base = loaded
    for (let attempt = 0; ; attempt++) {
      const data = this.#dataOn(base.data)
      const expiry = this.#expiryChanged ? this.#expiryOverride : base.expiry
      const effective = expiry ?? this.#init.expiry
      const expiresAt = expireAtFor(effective, now)
      const record: SessionRecord = { id: loaded.id, data, expiresAt, version: base.version, expiry }
      // Emptied or already expired: the session ends here, unless another request changed it meanwhile.
      const ends = Object.keys(data).length === 0 || expiresAt <= now
      const result = ends ? await this.#store.delete(loaded.id, base.version) : await this.#store.save(record)
      const { status } = result
      if (status === 'deleted' || (ends && status === 'gone')) {
        this.#record = undefined
        return CLEAR
      }
      if (result.status === 'saved') {
        const outcome = this.#setCookie({ ...record, version: result.version })
        return this.#expiryChanged || (isRolling(effective) && cookieHasExpiry(effective)) ? outcome : NONE
      }
      if (status === 'gone') {
        throw new SessionConflictError(
          'The session was ended or replaced by another request; nothing was saved',
        )
      }
      if (attempt >= (this.#init.maxConflictRetries ?? 10)) {
        throw new SessionConflictError(
          'The session kept changing under concurrent requests; nothing was saved',
        )
      }
      this.#assertMergeable(loaded, result.current)
      base = result.current
    }
  }
}
