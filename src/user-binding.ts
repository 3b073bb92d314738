/**
 * Binding a session to a user, the store-independent part: the limits, the checks, and fresh handles.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { assertJsonValue, jsonEqual, type SessionData } from './data.ts'
import { SessionDataError } from './errors.ts'
import type { UserBinding } from './store/types.ts'

/**
 * Limits of user binding: ids up to 256 characters, metadata up to 1 KB of JSON, 100 sessions per user
 * by default (`users.maxSessionsPerUser` of the store).
 *
 * @example
 * ```ts
 * await session.bindUser(id, { meta: { ua: userAgent.slice(0, 200) } }) // well under USER_LIMITS.metaBytes
 * ```
 */
export const USER_LIMITS = Object.freeze({ userIdLength: 256, metaBytes: 1024, sessionsPerUser: 100 })

/** A fresh handle: 72 random bits, 12 base64url characters. It names a session in its user's list. */
export function newHandle(): string {
  return randomBytes(9).toString('base64url')
}

/**
 * Throws `SessionDataError` unless `userId` is a short valid string and `meta` a small flat object of
 * strings, booleans and safe integers (a user agent, a device name, a sign-in method).
 */
export function assertBindable(userId: unknown, meta?: unknown): asserts userId is string {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > USER_LIMITS.userIdLength) {
    throw new SessionDataError(`A user id must be a string of 1 to ${USER_LIMITS.userIdLength} characters`)
  }
  if (!userId.isWellFormed()) throw new SessionDataError('A user id must be valid Unicode text')
  if (meta === undefined) return
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new SessionDataError('Session metadata must be a plain object')
  }
  assertJsonValue(meta, 'meta')
  for (const [key, value] of Object.entries(meta)) {
    if (key === '' || key === '__proto__')
      throw new SessionDataError(`Session metadata cannot have the key "${key}"`)
    const flat = typeof value === 'string' || typeof value === 'boolean' || Number.isSafeInteger(value)
    if (!flat && value !== undefined) {
      throw new SessionDataError('Session metadata values must be strings, booleans or safe integers')
    }
  }
  if (Buffer.byteLength(JSON.stringify(meta)) > USER_LIMITS.metaBytes) {
    throw new SessionDataError(`Session metadata is limited to ${USER_LIMITS.metaBytes} bytes of JSON`)
  }
}

/**
 * The binding `bindUser(userId, { meta })` leads to from `current`: `current` itself when nothing changes;
 * the same handle and binding time (and `meta`, if given) for the user it is already bound to; a fresh
 * handle bound at `nowMs` for another user.
 */
export function nextBinding(
  current: UserBinding | undefined,
  userId: string,
  meta: SessionData | undefined,
  nowMs: number,
): UserBinding {
  if (current?.userId !== userId) return { userId, handle: newHandle(), since: nowMs, meta: meta ?? {} }
  if (meta === undefined || jsonEqual(current.meta ?? {}, meta)) return current
  return { ...current, meta }
}
