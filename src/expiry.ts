/**
 * Expiry policies, as in tower-sessions: on inactivity (rolling), at a fixed date and time, or at the end
 * of the browser session. All arithmetic is in whole epoch seconds, the unit DynamoDB TTL reads.
 *
 * @module
 */
import { SessionConfigError } from './errors.ts'

/**
 * Two weeks, in seconds: the default inactivity window (tower-sessions' default duration).
 *
 * @example
 * ```ts
 * Expiry.onInactivity(DEFAULT_INACTIVITY_SECONDS) // the default policy
 * ```
 */
export const DEFAULT_INACTIVITY_SECONDS = 14 * 24 * 60 * 60

/**
 * How long a session lives.
 *
 * - `onInactivity`: expires `seconds` after the last request that saved or touched it (rolling). The cookie
 *   carries the same expiry and is re-sent whenever the server-side expiry moves.
 * - `atDateTime`: expires at a fixed instant, whatever the activity.
 * - `onSessionEnd`: the cookie has no `Max-Age`/`Expires`, so the browser drops it when it closes; the item
 *   still expires server-side after `seconds` of inactivity.
 *
 * Build one with the {@link Expiry} helpers.
 *
 * @example
 * ```ts
 * const rememberMe: SessionExpiry = Expiry.onInactivity(30 * 24 * 3600)
 * ```
 */
export type SessionExpiry =
  | { readonly kind: 'onInactivity'; readonly seconds: number }
  | { readonly kind: 'atDateTime'; readonly epochSeconds: number }
  | { readonly kind: 'onSessionEnd'; readonly seconds: number }

/**
 * The default expiry policy: two weeks of inactivity, what `Expiry.onInactivity(DEFAULT_INACTIVITY_SECONDS)`
 * builds.
 *
 * @example
 * ```ts
 * dynamoSession({ expiry: DEFAULT_EXPIRY }) // the same as leaving `expiry` out
 * ```
 */
export const DEFAULT_EXPIRY: SessionExpiry = Object.freeze({
  kind: 'onInactivity',
  seconds: DEFAULT_INACTIVITY_SECONDS,
})

/**
 * The longest window accepted: 100 years (browsers cap a cookie's lifetime at 400 days anyway).
 *
 * @example
 * ```ts
 * Expiry.onInactivity(MAX_EXPIRY_SECONDS + 1) // throws SessionConfigError
 * ```
 */
export const MAX_EXPIRY_SECONDS = 100 * 365 * 24 * 60 * 60
/** The last instant a cookie's `Expires` can name: 9999-12-31T23:59:59Z. */
const MAX_EPOCH_SECONDS = 253_402_300_799

/** A rolling expiry of `seconds`, checked: a positive number up to {@link MAX_EXPIRY_SECONDS}, rounded up. */
function rolling(kind: 'onInactivity' | 'onSessionEnd', seconds: number): SessionExpiry {
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_EXPIRY_SECONDS) {
    throw new SessionConfigError(
      `Expiry.${kind} must be a positive number of seconds up to ${MAX_EXPIRY_SECONDS}, got ${String(seconds)}`,
    )
  }
  return { kind, seconds: Math.ceil(seconds) }
}

/**
 * Builders for {@link SessionExpiry} values.
 *
 * @example
 * ```ts
 * dynamoSession({ expiry: Expiry.onInactivity(3600) }) // one hour of inactivity
 * await context.session.setExpiry(Expiry.atDateTime(new Date('2030-01-01T00:00:00Z')))
 * await context.session.setExpiry(Expiry.onSessionEnd())
 * ```
 */
export const Expiry = {
  /** Rolling expiry: `seconds` after the last activity. */
  onInactivity(seconds: number): SessionExpiry {
    return rolling('onInactivity', seconds)
  },
  /** A fixed instant (a `Date`, or epoch milliseconds as `Date.now()` gives them). */
  atDateTime(at: Date | number): SessionExpiry {
    const ms = typeof at === 'number' ? at : at.getTime()
    const epochSeconds = Math.floor(ms / 1000)
    if (!Number.isFinite(ms) || epochSeconds < 0 || epochSeconds > MAX_EPOCH_SECONDS) {
      throw new SessionConfigError('Expiry.atDateTime needs a valid date from 1970 to 9999')
    }
    return { kind: 'atDateTime', epochSeconds }
  },
  /** A browser-session cookie; server-side, the item expires after `seconds` of inactivity (two weeks by default). */
  onSessionEnd(seconds: number = DEFAULT_INACTIVITY_SECONDS): SessionExpiry {
    return rolling('onSessionEnd', seconds)
  },
} as const

/** Whether the server-side expiry moves with activity. */
export function isRolling(expiry: SessionExpiry): expiry is Extract<SessionExpiry, { seconds: number }> {
  return expiry.kind !== 'atDateTime'
}

/** The `expire_at` value (epoch seconds) for a write made at `nowSeconds`. */
export function expireAtFor(expiry: SessionExpiry, nowSeconds: number): number {
  return isRolling(expiry) ? nowSeconds + expiry.seconds : expiry.epochSeconds
}

/**
 * Whether a session that was only read is due a touch (its `expire_at` pushed forward): at least
 * `touchAfterSeconds` have passed since its expiry was last set.
 */
export function isTouchDue(
  expiry: SessionExpiry,
  expireAt: number,
  nowSeconds: number,
  touchAfterSeconds: number,
): boolean {
  // The expiry was last set `seconds` before it falls.
  return isRolling(expiry) && nowSeconds - (expireAt - expiry.seconds) >= touchAfterSeconds
}

/** The default touch throttle for an expiry: a tenth of the inactivity window, at most an hour. */
export function defaultTouchAfter(expiry: SessionExpiry): number {
  return isRolling(expiry) ? Math.min(3600, Math.floor(expiry.seconds / 10)) : 0
}

/** Whether the cookie carries an expiry at all (a browser-session cookie does not). */
export function cookieHasExpiry(expiry: SessionExpiry): boolean {
  return expiry.kind !== 'onSessionEnd'
}

/** Serialises an expiry for storage beside the session, e.g. `"onInactivity:3600"`. */
export function encodeExpiry(expiry: SessionExpiry): string {
  return `${expiry.kind}:${isRolling(expiry) ? expiry.seconds : expiry.epochSeconds}`
}

/** Parses {@link encodeExpiry}'s output; `undefined` for anything else. */
export function decodeExpiry(text: string): SessionExpiry | undefined {
  const [, kind, digits] = /^(onInactivity|atDateTime|onSessionEnd):(\d{1,15})$/.exec(text) ?? []
  const value = Number(digits)
  if (kind === 'atDateTime') return value <= MAX_EPOCH_SECONDS ? { kind, epochSeconds: value } : undefined
  return kind && value > 0 && value <= MAX_EXPIRY_SECONDS
    ? { kind: kind as 'onInactivity' | 'onSessionEnd', seconds: value }
    : undefined
}

/** Structural equality of two expiries. */
export function sameExpiry(a: SessionExpiry | undefined, b: SessionExpiry | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && encodeExpiry(a) === encodeExpiry(b))
}
