/**
 * Id renewal (the OWASP Session Management Cheat Sheet's "renewal timeout"): a long session moves to a
 * new id every so often, so a copy of its cookie taken once stops working. Requests racing a renewal
 * still carry the old cookie; for a short grace window the old id reaches the renewed session (and such a
 * request is sent the new cookie). A `regenerate()` (a login) has no grace: its old id ends at once.
 *
 * @module
 */
import { checkOptions, type OptionTable } from './config.ts'
import { SessionConfigError } from './errors.ts'
import { MAX_LIFETIME_SECONDS, millisecondsHint } from './expiry.ts'

/**
 * The middleware's `renewal` option, in seconds.
 *
 * @example
 * ```ts
 * const renewal: RenewalOptions = { every: 15 * 60, grace: 30 } // a new id every 15 minutes of use
 * ```
 */
export interface RenewalOptions {
  /** How old an id may get (since the session was created, regenerated or last renewed) before a request renews it. At least 60. */
  every: number
  /**
   * How long the old id still reaches the renewed session, for requests sent before the browser had the
   * new cookie; a stolen old cookie works that long too. 0 to 300; less than `every`. Default 30.
   */
  grace?: number | undefined
}

/**
 * A renewal policy as the store applies it (see `SessionChange.renewal`).
 *
 * @example
 * ```ts
 * const renewal: SessionRenewal = { every: 900, grace: 30 }
 * ```
 */
export interface SessionRenewal {
  readonly every: number
  readonly grace: number
}

/** The longest grace window, in seconds. */
export const MAX_RENEWAL_GRACE = 300
const DEFAULT_GRACE = 30

const RENEWAL_OPTIONS: OptionTable = {
  rules: { every: 'any', grace: 'any' },
  hints: { interval: 'did you mean every?', after: 'did you mean every?', window: 'did you mean grace?' },
}

const wholeSeconds = (value: unknown, min: number, max: number): value is number =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max

/**
 * Checks the `renewal` option and fills in its default grace; throws {@link SessionConfigError}.
 *
 * @example
 * ```ts
 * resolveRenewal({ every: 900 }, 'renewal') // { every: 900, grace: 30 }
 * ```
 */
export function resolveRenewal(value: unknown, path: string): SessionRenewal {
  checkOptions(value, RENEWAL_OPTIONS, `${path}.`)
  const { every, grace = DEFAULT_GRACE } = (value ?? {}) as Partial<RenewalOptions>
  if (!wholeSeconds(every, 60, MAX_LIFETIME_SECONDS)) {
    throw new SessionConfigError(
      `${path}.every must be whole seconds, from 60 to ${MAX_LIFETIME_SECONDS}${millisecondsHint(every)}`,
    )
  }
  if (!wholeSeconds(grace, 0, MAX_RENEWAL_GRACE) || grace >= every) {
    throw new SessionConfigError(
      `${path}.grace must be whole seconds from 0 to ${MAX_RENEWAL_GRACE}, and less than ${path}.every`,
    )
  }
  return { every, grace }
}

/**
 * Whether `record`'s id is due for renewal at `now` (epoch seconds): it was issued (renewed, else created)
 * `every` seconds ago or more, or at a time never recorded (a session stored before either was).
 *
 * @example
 * ```ts
 * renewalDue({ every: 900, grace: 30 }, record, nowSeconds)
 * ```
 */
export function renewalDue(
  renewal: SessionRenewal | undefined,
  record: { readonly renewedAt?: number | undefined; readonly createdAt?: number | undefined },
  now: number,
): boolean {
  const issuedAt = record.renewedAt ?? record.createdAt
  return renewal !== undefined && (issuedAt === undefined || now >= issuedAt + renewal.every)
}
