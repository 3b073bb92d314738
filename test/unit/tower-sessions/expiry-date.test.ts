import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  epochSecondsFromExpiryParts,
  expiryPartsFromEpochSeconds,
  MAX_EXPIRY_SECONDS,
  MIN_EXPIRY_SECONDS,
  normalizeExpiryParts,
} from '../../../src/tower-sessions/index.ts'
import { rustVectors } from './fixtures.ts'

describe('expiry dates against the Rust vectors', () => {
  it.each(rustVectors.map((vector) => [vector.name, vector]))('%s', (_name, vector) => {
    // time's unix_timestamp(): the offset applied, nanoseconds dropped.
    expect(epochSecondsFromExpiryParts(vector.expiry_parts)).toBe(vector.expire_at)
    expect(normalizeExpiryParts(vector.expiry_parts)).toEqual(vector.expiry_parts)
    const [, , , , , nanosecond, ...offset] = vector.expiry_parts
    if (nanosecond === 0 && offset.every((part) => part === 0)) {
      expect(expiryPartsFromEpochSeconds(vector.expire_at)).toEqual(vector.expiry_parts)
    }
  })
})

describe('expiryPartsFromEpochSeconds', () => {
  it.each([
    [0, [1970, 1, 0, 0, 0, 0, 0, 0, 0]],
    [-1, [1969, 365, 23, 59, 59, 0, 0, 0, 0]],
    [1_805_036_966, [2027, 73, 15, 9, 26, 0, 0, 0, 0]],
    [951_825_600, [2000, 60, 12, 0, 0, 0, 0, 0, 0]], // leap day of a year divisible by 400
    [4_107_542_400, [2100, 60, 0, 0, 0, 0, 0, 0, 0]], // 2100 is not a leap year: day 60 is March 1st
    [MAX_EXPIRY_SECONDS, [9999, 365, 23, 59, 59, 0, 0, 0, 0]],
    [MIN_EXPIRY_SECONDS, [-9999, 1, 0, 0, 0, 0, 0, 0, 0]],
    [-62_135_596_800, [1, 1, 0, 0, 0, 0, 0, 0, 0]],
    [-62_167_219_200, [0, 1, 0, 0, 0, 0, 0, 0, 0]],
  ])('%d', (seconds, parts) => {
    expect(expiryPartsFromEpochSeconds(seconds)).toEqual(parts)
    expect(epochSecondsFromExpiryParts(parts)).toBe(seconds)
  })

  it.each([MAX_EXPIRY_SECONDS + 1, MIN_EXPIRY_SECONDS - 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses %d',
    (seconds) => {
      expect(() => expiryPartsFromEpochSeconds(seconds)).toThrow(RangeError)
    },
  )

  it('round-trips every second of the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_EXPIRY_SECONDS, max: MAX_EXPIRY_SECONDS }), (seconds) => {
        const parts = expiryPartsFromEpochSeconds(seconds)
        expect(epochSecondsFromExpiryParts(parts)).toBe(seconds)
        const date = new Date(seconds * 1000)
        expect(parts[0]).toBe(date.getUTCFullYear())
        expect([parts[2], parts[3], parts[4]]).toEqual([
          date.getUTCHours(),
          date.getUTCMinutes(),
          date.getUTCSeconds(),
        ])
      }),
    )
  })
})

describe('normalizeExpiryParts: what time accepts', () => {
  it('flips smaller offset components to the larger one’s sign, as time does', () => {
    expect(normalizeExpiryParts([2029, 100, 10, 0, 0, 0, -3, 30, 0])).toEqual([
      2029, 100, 10, 0, 0, 0, -3, -30, 0,
    ])
    expect(normalizeExpiryParts([2029, 100, 10, 0, 0, 0, 0, 30, -5])).toEqual([
      2029, 100, 10, 0, 0, 0, 0, 30, 5,
    ])
    expect(normalizeExpiryParts([2029, 100, 10, 0, 0, 0, 5, 0, -5])).toEqual([
      2029, 100, 10, 0, 0, 0, 5, 0, 5,
    ])
    expect(Object.is(normalizeExpiryParts([2029, 100, 10, 0, 0, 0, 1, 0, 0])[7], 0)).toBe(true)
  })

  it('applies the offset: the same instant in two offsets gives the same epoch seconds', () => {
    const utc = epochSecondsFromExpiryParts([2030, 2, 1, 4, 5, 0, 0, 0, 0])
    expect(epochSecondsFromExpiryParts([2030, 2, 3, 4, 5, 123_456_789, 2, 0, 0])).toBe(utc)
    expect(epochSecondsFromExpiryParts([2030, 1, 21, 34, 5, 0, -3, -30, 0])).toBe(utc)
  })

  it('accepts offsets up to ±25:59:59 (time ≥ 0.3.36)', () => {
    expect(normalizeExpiryParts([2027, 73, 0, 0, 0, 0, 25, 59, 59])[6]).toBe(25)
    expect(normalizeExpiryParts([2027, 73, 0, 0, 0, 0, -25, -59, -59])[6]).toBe(-25)
  })

  it.each([
    ['8 parts', [2027, 73, 0, 0, 0, 0, 0, 0]],
    ['10 parts', [2027, 73, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['year 10000', [10000, 1, 0, 0, 0, 0, 0, 0, 0]],
    ['year -10000', [-10000, 1, 0, 0, 0, 0, 0, 0, 0]],
    ['year beyond i32', [2 ** 31, 1, 0, 0, 0, 0, 0, 0, 0]],
    ['day 0', [2027, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['day 366 of a common year', [2027, 366, 0, 0, 0, 0, 0, 0, 0]],
    ['day 366 of 1900', [1900, 366, 0, 0, 0, 0, 0, 0, 0]],
    ['day 367', [2028, 367, 0, 0, 0, 0, 0, 0, 0]],
    ['hour 24', [2027, 1, 24, 0, 0, 0, 0, 0, 0]],
    ['minute 60', [2027, 1, 0, 60, 0, 0, 0, 0, 0]],
    ['second 60 (no leap seconds)', [2027, 1, 0, 0, 60, 0, 0, 0, 0]],
    ['nanosecond 10^9', [2027, 1, 0, 0, 0, 1e9, 0, 0, 0]],
    ['negative nanosecond', [2027, 1, 0, 0, 0, -1, 0, 0, 0]],
    ['offset hours 26', [2027, 1, 0, 0, 0, 0, 26, 0, 0]],
    ['offset minutes -60', [2027, 1, 0, 0, 0, 0, 0, -60, 0]],
    ['offset seconds 60', [2027, 1, 0, 0, 0, 0, 0, 0, 60]],
    ['offset hours beyond i8', [2027, 1, 0, 0, 0, 0, 128, 0, 0]],
    ['a fraction', [2027, 1.5, 0, 0, 0, 0, 0, 0, 0]],
    ['NaN', [2027, 1, Number.NaN, 0, 0, 0, 0, 0, 0]],
  ])('refuses %s', (_name, parts) => {
    expect(() => normalizeExpiryParts(parts)).toThrow(TypeError)
    expect(() => epochSecondsFromExpiryParts(parts)).toThrow(TypeError)
  })
})
