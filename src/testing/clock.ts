/**
 * A clock that only moves when a test moves it, for the middleware's `now` option and a
 * {@link CookieJar}: expiry and the touch throttle can be tested without waiting.
 *
 * @module
 */
import type { CookieJar } from './cookie-jar.ts'

/**
 * How far to move a {@link TestClock}. The parts add up: `{ minutes: 1, seconds: 30 }` is 90 seconds.
 *
 * @example
 * ```ts
 * const fortnightAndASecond: Duration = { days: 14, seconds: 1 }
 * ```
 */
export interface Duration {
  days?: number
  hours?: number
  minutes?: number
  seconds?: number
  ms?: number
}

/**
 * A frozen clock in epoch milliseconds. Its methods are bound: `clock.now` can be handed over on its
 * own, as the middleware's `now` option or a {@link CookieJar}'s clock.
 *
 * @example
 * ```ts
 * const clock: TestClock = testClock()
 * const handler = middy().use(dynamoSession({ now: clock.now })).handler(app)
 * clock.advance({ days: 15 }) // past the default 14-day inactivity window
 * ```
 */
export interface TestClock {
  /** The current time, epoch milliseconds. */
  now(): number
  /** Moves the clock forward and returns the new time. A negative or non-finite duration throws. */
  advance(by: Duration): number
  /** Sets the clock (backwards too) and returns the new time. */
  set(time: number | Date): number
}

const UNIT_MS = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000, ms: 1 } as const

/**
 * A {@link TestClock} that starts at `start` (default: the real time when it is made) and stands still
 * until `advance()` or `set()` moves it.
 *
 * @param start - epoch milliseconds or a `Date`
 * @example
 * ```ts
 * const clock = testClock(Date.UTC(2026, 0, 1))
 * clock.advance({ seconds: 90 }) // 1767225690000
 * clock.set(new Date('2026-06-01T00:00:00Z'))
 * clock.now() // 1780272000000
 * ```
 */
export function testClock(start: number | Date = Date.now()): TestClock {
  let time = toEpochMs(start)
  return {
    now: () => time,
    advance(by) {
      let ms = 0
      for (const [unit, factor] of Object.entries(UNIT_MS)) {
        const amount = (by as Record<string, unknown> | null)?.[unit] ?? 0
        if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
          throw new RangeError(`advance(): ${unit} must be a finite number >= 0, got ${String(amount)}`)
        }
        ms += amount * factor
      }
      time += ms
      return time
    },
    set(to) {
      time = toEpochMs(to)
      return time
    },
  }
}

function toEpochMs(time: number | Date): number {
  const ms = time instanceof Date ? time.getTime() : time
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new RangeError(
      `testClock: a time must be finite epoch milliseconds or a valid Date, got ${String(time)}`,
    )
  }
  return ms
}
