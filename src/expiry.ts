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
 * The longest inactivity window accepted: 400 days, the longest browsers keep a cookie (RFC 6265bis). A
 * longer one is refused, which also catches milliseconds given for seconds.
 *
 * @example
 * ```ts
 * Expiry.onInactivity(MAX_LIFETIME_SECONDS + 1) // throws SessionConfigError
 * ```
 */
export const MAX_LIFETIME_SECONDS = 400 * 24 * 60 * 60
/** Policies stored by earlier versions (which accepted up to 100 years) still read back. */
const READABLE_SECONDS = 100 * 365 * 24 * 60 * 60
/** The last instant a cookie's `Expires` can name: 9999-12-31T23:59:59Z. */
const MAX_EPOCH_SECONDS = 253_402_300_799

/**
 * ` (milliseconds?)` when `value` is too long in seconds but would fit as milliseconds, else nothing.
 *
 * @example
 * ```ts
 * millisecondsHint(28_800_000) // ' (milliseconds?)': 8 hours given in ms
 * ```
 */
export function millisecondsHint(value: unknown): string {
  return typeof value === 'number' && value > MAX_LIFETIME_SECONDS && value / 1000 <= MAX_LIFETIME_SECONDS
    ? ' (milliseconds?)'
    : ''
}

/** A rolling expiry of `seconds`, checked: a positive number up to {@link MAX_LIFETIME_SECONDS}, rounded up. */
function rolling(kind: 'onInactivity' | 'onSessionEnd', seconds: number): SessionExpiry {
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_LIFETIME_SECONDS) {
    throw new SessionConfigError(
      `Expiry.${kind} takes seconds, more than 0 and at most ${MAX_LIFETIME_SECONDS} (400 days); got ${String(seconds)}${millisecondsHint(seconds)}`,
    )
  }
  return { kind, seconds: Math.ceil(seconds) }
}

/**
 * Throws {@link SessionConfigError} unless `value` is an expiry policy as the {@link Expiry} builders make
 * them (one made by hand, or read from configuration, is checked the same way). `path` names it.
 *
 * @example
 * ```ts
 * assertExpiry({ kind: 'onInactivity', seconds: 3600 }, 'expiry') // fine
 * assertExpiry(3600, 'expiry') // throws: an expiry policy is made with Expiry.onInactivity(seconds)
 * ```
 */
export function assertExpiry(value: unknown, path: string): asserts value is SessionExpiry {
  const expiry = value as { kind?: unknown; seconds?: unknown; epochSeconds?: unknown } | null
  const kind = typeof expiry === 'object' && expiry !== null ? expiry.kind : undefined
  if (kind === 'onInactivity' || kind === 'onSessionEnd') {
    const { seconds } = expiry as { seconds: unknown }
    if (Number.isInteger(seconds) && (seconds as number) > 0 && (seconds as number) <= MAX_LIFETIME_SECONDS)
      return
    rolling(kind, Number(seconds)) // throws the builder's message
    throw new SessionConfigError(`${path}.seconds must be a whole number of seconds`)
  }
  if (kind === 'atDateTime') {
    const { epochSeconds } = expiry as { epochSeconds: unknown }
    if (
      Number.isInteger(epochSeconds) &&
      (epochSeconds as number) >= 0 &&
      (epochSeconds as number) <= MAX_EPOCH_SECONDS
    )
      return
    throw new SessionConfigError(`${path} must be an instant from 1970 to 9999 (use Expiry.atDateTime(date))`)
  }
  throw new SessionConfigError(
    `${path} must be an expiry policy, made with Expiry.onInactivity(seconds), Expiry.atDateTime(date) or Expiry.onSessionEnd()`,
  )
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
  return kind && value > 0 && value <= READABLE_SECONDS
    ? { kind: kind as 'onInactivity' | 'onSessionEnd', seconds: value }
    : undefined
}

/** Structural equality of two expiries. */
export function sameExpiry(a: SessionExpiry | undefined, b: SessionExpiry | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && encodeExpiry(a) === encodeExpiry(b))
}

/**
 * Whether a session created at `createdAt` (epoch seconds) is past its absolute lifetime at `now`; one
 * stored before creation times were recorded (`undefined`) counts from its next write, so it is not.
 *
 * @example
 * ```ts
 * if (outlived(record.createdAt, maxLifetime, nowSeconds)) return undefined // no session
 * ```
 */
export function outlived(
  createdAt: number | undefined,
  maxLifetime: number | undefined,
  now: number,
): boolean {
  return createdAt !== undefined && maxLifetime !== undefined && createdAt + maxLifetime <= now
}

/**
 * `expiresAt`, or the absolute deadline `createdAt + maxLifetime` (epoch seconds) when that comes first;
 * `expiresAt` itself without a `maxLifetime`.
 *
 * @example
 * ```ts
 * cappedExpiry(nowSeconds + 1800, createdAt, 8 * 3600) // never after createdAt + 8 hours
 * ```
 */
export function cappedExpiry(expiresAt: number, createdAt: number, maxLifetime: number | undefined): number {
  return maxLifetime === undefined ? expiresAt : Math.min(expiresAt, createdAt + maxLifetime)
}

/**
 * Throws {@link SessionConfigError} unless `value` is a lifetime in whole seconds, more than 0 and at most
 * {@link MAX_LIFETIME_SECONDS} (so milliseconds given as seconds are caught).
 */
export function assertLifetime(value: unknown, path: string): asserts value is number {
  if (Number.isInteger(value) && (value as number) > 0 && (value as number) <= MAX_LIFETIME_SECONDS) return
  throw new SessionConfigError(
    `${path} must be whole seconds, more than 0 and at most ${MAX_LIFETIME_SECONDS} (400 days)${millisecondsHint(value)}`,
  )
}
