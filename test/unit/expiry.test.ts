import { describe, expect, it } from 'vitest'
import { SessionConfigError } from '../../src/errors.ts'
import {
  cookieHasExpiry,
  DEFAULT_EXPIRY,
  DEFAULT_INACTIVITY_SECONDS,
  decodeExpiry,
  defaultTouchAfter,
  Expiry,
  encodeExpiry,
  expireAtFor,
  isRolling,
  isTouchDue,
  MAX_LIFETIME_SECONDS,
  type SessionExpiry,
  sameExpiry,
} from '../../src/expiry.ts'

const NOW = 1_767_222_000 // 2025-12-31T23:00:00Z, in epoch seconds
const HOUR = 3600
const DAY = 24 * HOUR

describe('Expiry builders', () => {
  it('DEFAULT_EXPIRY is two weeks of inactivity, frozen', () => {
    expect(DEFAULT_EXPIRY).toEqual(Expiry.onInactivity(DEFAULT_INACTIVITY_SECONDS))
    expect(Object.isFrozen(DEFAULT_EXPIRY)).toBe(true)
  })

  it('onInactivity keeps whole seconds', () => {
    expect(Expiry.onInactivity(HOUR)).toEqual({ kind: 'onInactivity', seconds: HOUR })
  })

  it('onSessionEnd defaults to two weeks server-side', () => {
    expect(DEFAULT_INACTIVITY_SECONDS).toBe(14 * DAY)
    expect(Expiry.onSessionEnd()).toEqual({ kind: 'onSessionEnd', seconds: 14 * DAY })
    expect(Expiry.onSessionEnd(60)).toEqual({ kind: 'onSessionEnd', seconds: 60 })
  })

  it('rounds fractional seconds up, never down to zero', () => {
    expect(Expiry.onInactivity(0.001)).toEqual({ kind: 'onInactivity', seconds: 1 })
    expect(Expiry.onInactivity(59.2)).toEqual({ kind: 'onInactivity', seconds: 60 })
    expect(Expiry.onSessionEnd(1.5)).toEqual({ kind: 'onSessionEnd', seconds: 2 })
  })

  it.each([
    ['zero', 0],
    ['negative zero', -0],
    ['a negative number', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('onInactivity and onSessionEnd reject %s with SessionConfigError', (_, seconds) => {
    expect(() => Expiry.onInactivity(seconds)).toThrow(SessionConfigError)
    expect(() => Expiry.onSessionEnd(seconds)).toThrow(SessionConfigError)
  })

  it('names the builder and the bad value in the error', () => {
    expect(() => Expiry.onInactivity(-5)).toThrow(/Expiry\.onInactivity.*-5/)
    expect(() => Expiry.onSessionEnd(0)).toThrow(/Expiry\.onSessionEnd/)
  })

  it('atDateTime takes a Date', () => {
    expect(Expiry.atDateTime(new Date('2030-01-01T00:00:00Z'))).toEqual({
      kind: 'atDateTime',
      epochSeconds: 1_893_456_000,
    })
  })

  it('atDateTime takes epoch milliseconds and floors them to seconds', () => {
    expect(Expiry.atDateTime(1_893_456_000_000)).toEqual({ kind: 'atDateTime', epochSeconds: 1_893_456_000 })
    expect(Expiry.atDateTime(1_893_456_000_999)).toEqual({ kind: 'atDateTime', epochSeconds: 1_893_456_000 })
  })

  it('atDateTime gives the same result for a Date and its getTime()', () => {
    const when = new Date('2031-06-15T12:34:56.789Z')
    expect(Expiry.atDateTime(when)).toEqual(Expiry.atDateTime(when.getTime()))
  })

  it('atDateTime rejects an invalid Date and non-finite numbers', () => {
    expect(() => Expiry.atDateTime(new Date('not a date'))).toThrow(SessionConfigError)
    expect(() => Expiry.atDateTime(Number.NaN)).toThrow(SessionConfigError)
    expect(() => Expiry.atDateTime(Number.POSITIVE_INFINITY)).toThrow(SessionConfigError)
  })
})

describe('isRolling and cookieHasExpiry', () => {
  it('tells the three kinds apart', () => {
    expect(isRolling(Expiry.onInactivity(60))).toBe(true)
    expect(isRolling(Expiry.onSessionEnd(60))).toBe(true)
    expect(isRolling(Expiry.atDateTime(1_893_456_000_000))).toBe(false)
    expect(cookieHasExpiry(Expiry.onInactivity(60))).toBe(true)
    expect(cookieHasExpiry(Expiry.atDateTime(1_893_456_000_000))).toBe(true)
    expect(cookieHasExpiry(Expiry.onSessionEnd(60))).toBe(false)
  })
})

describe('expireAtFor', () => {
  it('rolls an inactivity expiry from now', () => {
    expect(expireAtFor(Expiry.onInactivity(HOUR), NOW)).toBe(NOW + HOUR)
    expect(expireAtFor(Expiry.onInactivity(HOUR), NOW + 10)).toBe(NOW + 10 + HOUR)
  })

  it('rolls a session-end expiry from now as well (server-side window)', () => {
    expect(expireAtFor(Expiry.onSessionEnd(DAY), NOW)).toBe(NOW + DAY)
  })

  it('keeps a fixed date whatever now is', () => {
    const fixed = Expiry.atDateTime(new Date('2030-01-01T00:00:00Z'))
    expect(expireAtFor(fixed, NOW)).toBe(1_893_456_000)
    expect(expireAtFor(fixed, NOW + 1_000_000)).toBe(1_893_456_000)
  })
})

describe('isTouchDue', () => {
  const expiry = Expiry.onInactivity(HOUR)
  const lastWrite = NOW
  const expireAt = lastWrite + HOUR
  const touchAfter = 360

  it('is not due just before the throttle has passed', () => {
    expect(isTouchDue(expiry, expireAt, lastWrite + touchAfter - 1, touchAfter)).toBe(false)
    expect(isTouchDue(expiry, expireAt, lastWrite, touchAfter)).toBe(false)
  })

  it('is due exactly at the throttle', () => {
    expect(isTouchDue(expiry, expireAt, lastWrite + touchAfter, touchAfter)).toBe(true)
  })

  it('is due after the throttle', () => {
    expect(isTouchDue(expiry, expireAt, lastWrite + touchAfter + 1, touchAfter)).toBe(true)
    expect(isTouchDue(expiry, expireAt, lastWrite + HOUR - 1, touchAfter)).toBe(true)
  })

  it('is always due with a zero throttle', () => {
    expect(isTouchDue(expiry, expireAt, lastWrite, 0)).toBe(true)
  })

  it('applies to session-end expiries, which roll server-side', () => {
    const sessionEnd = Expiry.onSessionEnd(HOUR)
    expect(isTouchDue(sessionEnd, expireAt, lastWrite + touchAfter - 1, touchAfter)).toBe(false)
    expect(isTouchDue(sessionEnd, expireAt, lastWrite + touchAfter, touchAfter)).toBe(true)
  })

  it('is never due for a fixed date', () => {
    const fixed = Expiry.atDateTime((NOW + DAY) * 1000)
    expect(isTouchDue(fixed, NOW + DAY, NOW, 0)).toBe(false)
    expect(isTouchDue(fixed, NOW + DAY, NOW + DAY - 1, 0)).toBe(false)
    expect(isTouchDue(fixed, NOW + DAY, NOW + 10 * DAY, 360)).toBe(false)
  })
})

describe('defaultTouchAfter', () => {
  it('is capped at an hour for the two-week default', () => {
    expect(defaultTouchAfter(Expiry.onInactivity(14 * DAY))).toBe(3600)
    expect(defaultTouchAfter(Expiry.onSessionEnd())).toBe(3600)
  })

  it('is a tenth of a short window', () => {
    expect(defaultTouchAfter(Expiry.onInactivity(15 * 60))).toBe(90)
    expect(defaultTouchAfter(Expiry.onInactivity(HOUR))).toBe(360)
  })

  it('rounds down and may be zero for tiny windows', () => {
    expect(defaultTouchAfter(Expiry.onInactivity(95))).toBe(9)
    expect(defaultTouchAfter(Expiry.onInactivity(5))).toBe(0)
  })

  it('is zero for a fixed date', () => {
    expect(defaultTouchAfter(Expiry.atDateTime(new Date('2030-01-01T00:00:00Z')))).toBe(0)
  })
})

describe('encodeExpiry / decodeExpiry', () => {
  const samples: [string, SessionExpiry, string][] = [
    ['onInactivity', Expiry.onInactivity(HOUR), 'onInactivity:3600'],
    ['onSessionEnd', Expiry.onSessionEnd(), 'onSessionEnd:1209600'],
    ['atDateTime', Expiry.atDateTime(new Date('2030-01-01T00:00:00Z')), 'atDateTime:1893456000'],
    ['atDateTime at the epoch', Expiry.atDateTime(0), 'atDateTime:0'],
  ]

  it.each(samples)('round-trips %s', (_, expiry, text) => {
    expect(encodeExpiry(expiry)).toBe(text)
    expect(decodeExpiry(text)).toEqual(expiry)
    expect(decodeExpiry(encodeExpiry(expiry))).toEqual(expiry)
  })

  it.each([
    ['x'],
    [''],
    ['onInactivity'],
    ['onInactivity:'],
    ['onInactivity:-1'],
    ['onInactivity:0'],
    ['onSessionEnd:0'],
    ['onInactivity:1.5'],
    ['onInactivity:1e3'],
    ['onInactivity: 60'],
    ['onInactivity:60 '],
    ['onInactivity:60\n'],
    [' onInactivity:60'],
    ['OnInactivity:60'],
    ['foo:1'],
    ['atDateTime:-1'],
    ['onInactivity:3600:1'],
    ['onInactivity:1234567890123456'],
    [`atDateTime:${'9'.repeat(400)}`],
  ])('rejects %j', (text) => {
    expect(decodeExpiry(text)).toBeUndefined()
  })

  it('decodes whatever the builders accept and encodeExpiry writes, up to the largest window and date', () => {
    for (const expiry of [
      Expiry.onSessionEnd(MAX_LIFETIME_SECONDS),
      Expiry.onInactivity(MAX_LIFETIME_SECONDS),
      Expiry.atDateTime(Date.UTC(9999, 11, 31, 23, 59, 59)),
    ]) {
      expect(decodeExpiry(encodeExpiry(expiry))).toEqual(expiry)
    }
  })

  it('rejects windows beyond the largest one the builders accept, instead of storing unreadable ones', () => {
    expect(() => Expiry.onSessionEnd(1e15)).toThrow(SessionConfigError)
    expect(() => Expiry.onInactivity(MAX_LIFETIME_SECONDS + 1)).toThrow(SessionConfigError)
    expect(() => Expiry.atDateTime(Date.UTC(10_000, 0, 1))).toThrow(SessionConfigError)
    expect(() => Expiry.atDateTime(-1000)).toThrow(SessionConfigError)
  })
})

describe('sameExpiry', () => {
  it('is true for equal expiries built separately', () => {
    expect(sameExpiry(Expiry.onInactivity(HOUR), Expiry.onInactivity(HOUR))).toBe(true)
    expect(sameExpiry(Expiry.onInactivity(3599.5), Expiry.onInactivity(HOUR))).toBe(true)
    expect(sameExpiry(Expiry.atDateTime(1_893_456_000_000), Expiry.atDateTime(1_893_456_000_500))).toBe(true)
  })

  it('is true for undefined and undefined, false for undefined and a value', () => {
    expect(sameExpiry(undefined, undefined)).toBe(true)
    expect(sameExpiry(undefined, Expiry.onInactivity(HOUR))).toBe(false)
    expect(sameExpiry(Expiry.onInactivity(HOUR), undefined)).toBe(false)
  })

  it('tells apart different durations and different kinds with the same number', () => {
    expect(sameExpiry(Expiry.onInactivity(HOUR), Expiry.onInactivity(2 * HOUR))).toBe(false)
    expect(sameExpiry(Expiry.onInactivity(HOUR), Expiry.onSessionEnd(HOUR))).toBe(false)
    expect(sameExpiry(Expiry.onInactivity(HOUR), { kind: 'atDateTime', epochSeconds: HOUR })).toBe(false)
  })
})
