/**
 * The record's expiry date: a `time::OffsetDateTime`, which the `time` crate serializes for a binary format
 * such as MessagePack as a tuple of 9 integers. This module turns epoch seconds into those 9 parts and back,
 * and checks parts as `time`'s deserializer does.
 *
 * @module
 */

/**
 * The 9 serialized fields of an `OffsetDateTime`, in order: year (`i32`), day of the year (`u16`, 1 to
 * 366), hour, minute, second (`u8`), nanosecond (`u32`), and the UTC offset as hours, minutes and seconds
 * (`i8` each, with one sign: −03:30 is `-3, -30, 0`).
 *
 * @example
 * ```ts
 * const parts: ExpiryParts = [2027, 73, 15, 9, 26, 0, 0, 0, 0] // 2027-03-14T15:09:26Z
 * ```
 */
export type ExpiryParts = readonly [
  year: number,
  ordinal: number,
  hour: number,
  minute: number,
  second: number,
  nanosecond: number,
  offsetHours: number,
  offsetMinutes: number,
  offsetSeconds: number,
]

/**
 * The earliest expiry, in epoch seconds, that {@link expiryPartsFromEpochSeconds} accepts:
 * -9999-01-01T00:00:00Z (`time` without its `large-dates` feature stops at year ±9999).
 *
 * @example
 * ```ts
 * expiryPartsFromEpochSeconds(MIN_EXPIRY_SECONDS) // [-9999, 1, 0, 0, 0, 0, 0, 0, 0]
 * ```
 */
export const MIN_EXPIRY_SECONDS = -377_705_116_800

/**
 * The latest expiry, in epoch seconds, that {@link expiryPartsFromEpochSeconds} accepts:
 * 9999-12-31T23:59:59Z.
 *
 * @example
 * ```ts
 * expiryPartsFromEpochSeconds(MAX_EXPIRY_SECONDS) // [9999, 365, 23, 59, 59, 0, 0, 0, 0]
 * ```
 */
export const MAX_EXPIRY_SECONDS = 253_402_300_799

const DAY_MS = 86_400_000
const MAX_YEAR = 9999

/** The integer range of each field's Rust type, in order: i32, u16, u8, u8, u8, u32, i8, i8, i8. */
const FIELD_TYPES: readonly (readonly [min: number, max: number])[] = [
  [-(2 ** 31), 2 ** 31 - 1],
  [0, 2 ** 16 - 1],
  [0, 255],
  [0, 255],
  [0, 255],
  [0, 2 ** 32 - 1],
  [-128, 127],
  [-128, 127],
  [-128, 127],
]

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** Milliseconds from the epoch to the start of `ordinal` (1-based) in `year`, proleptic Gregorian. */
function dayStart(year: number, ordinal: number): number {
  const date = new Date(0)
  date.setUTCFullYear(year, 0, ordinal)
  return date.getTime()
}

function invalid(what: string): never {
  throw new TypeError(`invalid expiry date: ${what}`)
}

/**
 * Checks 9 serialized parts as `time`'s `OffsetDateTime` deserializer does, and returns them with the
 * offset's signs made consistent (`time` flips the sign of a smaller offset component that disagrees with a
 * larger one: `[-3, 30, 0]` is −03:30). Throws a `TypeError` for what `time` refuses: a value outside its
 * field's Rust type, a year beyond ±9999, a day past the year's end, an hour, minute, second or nanosecond
 * out of range, an offset component beyond ±25 hours or ±59 minutes or seconds.
 *
 * `time` accepts offsets up to ±25:59:59 since 0.3.36 (±23:59:59 before): the newer range is accepted here.
 *
 * @example
 * ```ts
 * normalizeExpiryParts([2029, 100, 10, 0, 0, 0, -3, 30, 0]) // [2029, 100, 10, 0, 0, 0, -3, -30, 0]
 * normalizeExpiryParts([2027, 366, 0, 0, 0, 0, 0, 0, 0]) // throws TypeError: 2027 has 365 days
 * ```
 */
export function normalizeExpiryParts(parts: ArrayLike<number>): ExpiryParts {
  if (parts.length !== 9) invalid('not 9 parts')
  for (let i = 0; i < 9; i++) {
    const value = parts[i] as number
    const [min, max] = FIELD_TYPES[i] as readonly [number, number]
    if (!Number.isInteger(value) || value < min || value > max) invalid('a part outside its integer type')
  }
  const [year, ordinal, hour, minute, second, nanosecond, offsetHours] = parts as unknown as ExpiryParts
  let offsetMinutes = parts[7] as number
  let offsetSeconds = parts[8] as number
  if (year < -MAX_YEAR || year > MAX_YEAR) invalid('year beyond ±9999')
  if (ordinal < 1 || ordinal > (isLeapYear(year) ? 366 : 365)) invalid('day of the year')
  if (hour > 23 || minute > 59 || second > 59 || nanosecond > 999_999_999) invalid('time of day')
  if (Math.abs(offsetHours) > 25 || Math.abs(offsetMinutes) > 59 || Math.abs(offsetSeconds) > 59) {
    invalid('UTC offset')
  }
  if ((offsetHours > 0 && offsetMinutes < 0) || (offsetHours < 0 && offsetMinutes > 0)) {
    offsetMinutes = -offsetMinutes
  }
  if (
    (offsetHours > 0 && offsetSeconds < 0) ||
    (offsetHours < 0 && offsetSeconds > 0) ||
    (offsetMinutes > 0 && offsetSeconds < 0) ||
    (offsetMinutes < 0 && offsetSeconds > 0)
  ) {
    offsetSeconds = -offsetSeconds
  }
  // `0 * -1` is -0 in JavaScript: keep plain zeros.
  return [year, ordinal, hour, minute, second, nanosecond, offsetHours, offsetMinutes + 0, offsetSeconds + 0]
}

/**
 * The instant of an expiry date in whole epoch seconds, as `OffsetDateTime::unix_timestamp()` computes it
 * (the offset applied, the nanoseconds dropped, so earlier instants floor). This is what
 * tower-sessions-dynamodb-store writes to `expire_at`. Checks the parts as {@link normalizeExpiryParts}
 * does.
 *
 * @example
 * ```ts
 * epochSecondsFromExpiryParts([2027, 73, 15, 9, 26, 0, 0, 0, 0]) // 1805036966
 * epochSecondsFromExpiryParts([2035, 185, 0, 0, 0, 0, -7, 0, 0]) // 2067145200 (midnight at −07:00)
 * ```
 */
export function epochSecondsFromExpiryParts(parts: ArrayLike<number>): number {
  const [year, ordinal, hour, minute, second, , offsetHours, offsetMinutes, offsetSeconds] =
    normalizeExpiryParts(parts)
  const offset = offsetHours * 3600 + offsetMinutes * 60 + offsetSeconds
  return dayStart(year, ordinal) / 1000 + hour * 3600 + minute * 60 + second - offset
}

/**
 * The expiry date this library writes for an instant: in UTC, with nanosecond 0 (tower-sessions writes
 * `now_utc() + duration` with nanoseconds; only whole seconds reach `expire_at` either way). Throws a
 * `RangeError` unless `seconds` is an integer from {@link MIN_EXPIRY_SECONDS} to
 * {@link MAX_EXPIRY_SECONDS}.
 *
 * @example
 * ```ts
 * expiryPartsFromEpochSeconds(1805036966) // [2027, 73, 15, 9, 26, 0, 0, 0, 0]
 * ```
 */
export function expiryPartsFromEpochSeconds(seconds: number): ExpiryParts {
  if (!Number.isInteger(seconds) || seconds < MIN_EXPIRY_SECONDS || seconds > MAX_EXPIRY_SECONDS) {
    throw new RangeError('expiry must be whole epoch seconds within years -9999 to 9999')
  }
  const date = new Date(seconds * 1000)
  const year = date.getUTCFullYear()
  const ordinal = Math.floor((date.getTime() - dayStart(year, 1)) / DAY_MS) + 1
  return [year, ordinal, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), 0, 0, 0, 0]
}
