/**
 * What a {@link Session} holds between its calls: how it was set up, where it is in its request (one
 * phase value), and what the request changed. Shared by the session and its flush; not exported.
 *
 * @module
 */
import type { AuditSink } from './audit.ts'
import type { JsonValue, SessionData } from './data.ts'
import type { SessionStoreError } from './errors.ts'
import type { SessionExpiry } from './expiry.ts'
import type { SessionLogger } from './logger.ts'
import type { SessionRenewal } from './renewal.ts'
import type { SessionRecord, SessionStore, UserBinding } from './store/types.ts'

/**
 * How a {@link Session} is set up; the middleware builds this from its options.
 *
 * @example
 * ```ts
 * const session = new Session({ store, id: cookieId, expiry: Expiry.onInactivity(3600), touchAfter: 300, now: Date.now })
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
  /**
   * The absolute lifetime, in seconds: the session ends this long after it was created (or regenerated),
   * however active. Default: none.
   */
  maxLifetime?: number | undefined
  /**
   * `set()` on a stored session the request has not read does not read it: the keys are written at the
   * end in one update, last writer wins (the middleware's `blindWrites`). Default `false`.
   */
  blindWrites?: boolean | undefined
  /** Id renewal (the middleware's `renewal`, resolved). Default: ids are never renewed. */
  renewal?: SessionRenewal | undefined
  /** The clock, in epoch milliseconds (the middleware's, resolved once). */
  now: () => number
  /**
   * When loading fails with {@link SessionStoreError}, go on with an empty session whose reads see
   * nothing and whose changes throw that error (instead of failing the request at once). Default `false`.
   */
  failOpen?: boolean | undefined
  /**
   * When the request must be done, in epoch milliseconds of the real clock (the middleware takes it from
   * the invocation's remaining time): a write that has to wait for a user's sessions gives up before it.
   */
  deadline?: number | undefined
  /**
   * No cookie can carry this session (a non-HTTP invocation): it starts empty and is never stored; a
   * change made to it is logged as not saved. Default `false`.
   */
  detached?: boolean | undefined
  /** Told about degraded sessions and unsaved changes. Default: silent. */
  logger?: SessionLogger | undefined
  /** Where audit events go (the middleware's `audit` option, for this request). Default: none. */
  audit?: AuditSink | undefined
}

/**
 * Where a session is in its request: nothing read yet; a read in flight; read (`base` is the stored
 * session, `undefined` for a new one); unreadable (the store failed and `failOpen` is set); or flushed at
 * the end of the request (`base` is the session as stored then, `undefined` when none is).
 */
export type Phase =
  | { readonly kind: 'unread'; readonly cookieId: string | undefined }
  | { readonly kind: 'loading'; readonly cookieId: string; readonly promise: Promise<void> }
  | { readonly kind: 'ready'; readonly base: SessionRecord | undefined }
  | { readonly kind: 'unavailable'; readonly cookieId: string; readonly error: SessionStoreError }
  | { readonly kind: 'flushed'; readonly base: SessionRecord | undefined }

/** The stored session a phase knows of: as read (`ready`) or as written (`flushed`). */
export function baseOf(phase: Phase): SessionRecord | undefined {
  return phase.kind === 'ready' || phase.kind === 'flushed' ? phase.base : undefined
}

/** What this request changed since the session was read (or destroyed). */
export interface Changes {
  /** Keys set (to these values) or removed (`undefined`). */
  readonly entries: Map<string, JsonValue | undefined>
  /** `clear()` was called. */
  cleared: boolean
  /** Present when `setExpiry()` changed the per-session policy. */
  expiry: { readonly policy: SessionExpiry | undefined } | undefined
  /** `regenerate()` was called on a stored session. */
  regenerate: boolean
  /** Present when `bindUser()` or `unbindUser()` changed the binding. */
  user: { readonly binding: UserBinding | undefined } | undefined
  /** Entry sizes for the size guard, computed on the first change (`undefined` before). */
  sizes: Map<string, number> | undefined
  /** When `recordAuthentication()` was called, in epoch seconds. */
  authenticatedAt: number | undefined
  /** A CSRF secret made by this request's first `csrfToken()`. */
  csrfSecret: string | undefined
}

/** A request's changes before it made any. */
export function noChanges(): Changes {
  return {
    entries: new Map(),
    cleared: false,
    expiry: undefined,
    regenerate: false,
    user: undefined,
    sizes: undefined,
    authenticatedAt: undefined,
    csrfSecret: undefined,
  }
}

/**
 * Throws when setting `key` to `value` on `data` would make the session too large for `store`. The
 * entry sizes are computed once per request, on its first change, and kept in `changes`.
 */
export function assertEntryFits(
  store: SessionStore,
  changes: Changes,
  data: SessionData,
  key: string,
  value: JsonValue,
): void {
  const { entrySize, assertFits } = store
  if (!entrySize || !assertFits) return
  const sizes =
    changes.sizes ?? new Map(Object.entries(data).map(([k, v]) => [k, entrySize.call(store, k, v)]))
  changes.sizes = sizes
  const size = entrySize.call(store, key, value)
  let total = size
  for (const [k, s] of sizes) if (k !== key) total += s
  assertFits.call(store, total, () => ({ ...data, [key]: value }))
  sizes.set(key, size)
}
