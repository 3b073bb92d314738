/**
 * What every store does with a {@link SessionChange}: apply it to the session as it is now, tell whether
 * another request's change collides with it, and work out the expiry it leads to. One implementation,
 * so every store merges and detects conflicts the same way.
 *
 * @module
 */
import { jsonEqual, ownValue, type SessionData, setOwn } from '../data.ts'
import { expireAtFor, type SessionExpiry, sameExpiry } from '../expiry.ts'
import type { SessionChange, SessionRecord } from './types.ts'

/**
 * The data `change` leaves on top of `data` (the session as it is now): its keys set or removed, and,
 * after `clear()`, nothing else kept.
 *
 * @example
 * ```ts
 * applyChange({ a: 1, b: 2 }, { ...change, entries: new Map([['a', undefined]]) }) // { b: 2 }
 * ```
 */
export function applyChange(data: SessionData, change: SessionChange): SessionData {
  const result: SessionData = change.cleared ? {} : { ...data }
  for (const [key, value] of change.entries) {
    if (value === undefined) delete result[key]
    else setOwn(result, key, value)
  }
  return result
}

/**
 * Whether `current` (the session now) collides with `change`: a key the change touches (every key, after
 * `clear()`) holds another value than when the change's request loaded it (`'key'`), or both changed the
 * expiry (`'expiry'`). `undefined`: the change can be applied on top of `current`.
 *
 * @example
 * ```ts
 * if (conflictOf(change, current)) return { status: 'conflict', reason: conflictOf(change, current) }
 * ```
 */
export function conflictOf(change: SessionChange, current: SessionRecord): 'key' | 'expiry' | undefined {
  const loaded = change.base.data
  // Keys set without a read: last writer wins (the request overwrote no value it read).
  const keys = change.unread
    ? []
    : change.cleared
      ? new Set([...Object.keys(loaded), ...Object.keys(current.data)])
      : change.entries.keys()
  for (const key of keys) {
    if (!jsonEqual(ownValue(loaded, key), ownValue(current.data, key))) return 'key'
  }
  if (change.expiry && !sameExpiry(change.base.expiry, current.expiry)) return 'expiry'
  // Two requests making a CSRF secret at once: the tokens of only one of them can work.
  if (change.csrfSecret !== undefined && current.csrfSecret !== change.base.csrfSecret) return 'key'
  return undefined
}

/**
 * Whether a change changes what is stored: keys, `clear()`, the expiry policy, the binding, or the time
 * of authentication (a regenerate alone moves the session, it does not change it).
 *
 * @example
 * ```ts
 * changesStored({ entries: new Map(), cleared: false }) // false
 * ```
 */
export function changesStored(change: {
  readonly entries: ReadonlyMap<string, unknown>
  readonly cleared: boolean
  readonly expiry?: unknown
  readonly user?: unknown
  readonly authenticatedAt?: number | undefined
  readonly csrfSecret?: string | undefined
}): boolean {
  return (
    change.entries.size > 0 ||
    change.cleared ||
    change.expiry !== undefined ||
    change.user !== undefined ||
    change.authenticatedAt !== undefined ||
    change.csrfSecret !== undefined
  )
}

/** The per-session expiry after `change`, applied on top of `current`. */
export function policyAfter(change: SessionChange, current: SessionRecord): SessionExpiry | undefined {
  return change.expiry ? change.expiry.policy : current.expiry
}

/**
 * The expiry (epoch seconds) a write of `change` on top of `current` stores: rolling policies count from
 * `change.now`.
 *
 * @example
 * ```ts
 * const expiresAt = expiresAtAfter(change, current)
 * ```
 */
export function expiresAtAfter(change: SessionChange, current: SessionRecord): number {
  return expireAtFor(policyAfter(change, current) ?? change.defaultExpiry, change.now)
}
