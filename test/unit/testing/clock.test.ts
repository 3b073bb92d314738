import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { testClock } from '../../../src/testing/index.ts'

describe('testClock', () => {
  it('starts at the time given, as epoch milliseconds or a Date', () => {
    expect(testClock(1_000).now()).toBe(1_000)
    expect(testClock(new Date('2026-01-01T00:00:00Z')).now()).toBe(Date.UTC(2026, 0, 1))
  })

  it('starts at the real time by default, then stands still', async () => {
    const before = Date.now()
    const clock = testClock()
    const start = clock.now()
    expect(start).toBeGreaterThanOrEqual(before)
    expect(start).toBeLessThanOrEqual(Date.now())
    await sleep(5)
    expect(clock.now()).toBe(start)
  })

  it('advances by the sum of the units given and returns the new time', () => {
    const clock = testClock(0)
    expect(clock.advance({ seconds: 1 })).toBe(1_000)
    expect(clock.advance({ ms: 1 })).toBe(1_001)
    expect(clock.advance({ days: 1, hours: 1, minutes: 1, seconds: 1, ms: 1 })).toBe(1_001 + 90_061_001)
    expect(clock.advance({})).toBe(1_001 + 90_061_001)
    expect(clock.now()).toBe(90_062_002)
  })

  it('set() moves it anywhere, backwards too', () => {
    const clock = testClock(10_000)
    expect(clock.set(5_000)).toBe(5_000)
    expect(clock.set(new Date(20_000))).toBe(20_000)
    expect(clock.now()).toBe(20_000)
  })

  it('refuses a negative or non-finite advance, and a time that is no time', () => {
    const clock = testClock(0)
    expect(() => clock.advance({ seconds: -1 })).toThrow(RangeError)
    expect(() => clock.advance({ ms: Number.NaN })).toThrow(RangeError)
    expect(() => clock.advance({ days: Number.POSITIVE_INFINITY })).toThrow(RangeError)
    expect(() => clock.advance({ seconds: '5' as unknown as number })).toThrow(RangeError)
    expect(() => clock.set(new Date('not a date'))).toThrow(RangeError)
    expect(() => testClock(Number.NaN)).toThrow(RangeError)
    expect(clock.now()).toBe(0)
  })

  it('now works detached, as the middleware’s `now` option takes it', () => {
    const clock = testClock(0)
    const { now, advance } = clock
    advance({ minutes: 2 })
    expect(now()).toBe(120_000)
  })

  it('two clocks are independent', () => {
    const a = testClock(0)
    const b = testClock(0)
    a.advance({ hours: 1 })
    expect([a.now(), b.now()]).toEqual([3_600_000, 0])
  })
})
