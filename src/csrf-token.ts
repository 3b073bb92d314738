/**
 * Synchronizer tokens (CSRF; OWASP ASVS 3.5.1): one random secret per session, stored with it, and tokens
 * that prove knowledge of it. Each token is the secret under a fresh random mask (`mask ‖ mask ⊕ secret`),
 * so a page never shows the same bytes twice (compression side channels such as BREACH cannot recover it),
 * and any of them verifies as long as the session keeps its secret. No I/O.
 *
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

/** Bytes of a session's CSRF secret (256 bits). */
const SECRET_BYTES = 32

/**
 * A new CSRF secret for a session: 32 random bytes, base64url (43 characters).
 *
 * @example
 * ```ts
 * const secret = newCsrfSecret() // stored with the session as csrf_secret
 * ```
 */
export function newCsrfSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url')
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ (b[i] as number)))
}

/**
 * A token for `secret`, under a fresh mask: 86 base64url characters, different on every call.
 *
 * @example
 * ```ts
 * const token = csrfTokenFor(secret) // put it in a form field or hand it to a script
 * ```
 */
export function csrfTokenFor(secret: string): string {
  const mask = randomBytes(SECRET_BYTES)
  return Buffer.concat([mask, xor(mask, Buffer.from(secret, 'base64url'))]).toString('base64url')
}

/**
 * Whether `token` was made by {@link csrfTokenFor} from `secret`. Anything else (another session's token,
 * a garbled or truncated one, a non-string) is `false`; the comparison takes the same time wherever the
 * bytes differ.
 *
 * @example
 * ```ts
 * if (!csrfTokenMatches(event.headers['x-csrf-token'], secret)) return { statusCode: 403 }
 * ```
 */
export function csrfTokenMatches(token: unknown, secret: string | undefined): boolean {
  if (typeof token !== 'string' || secret === undefined || !/^[A-Za-z0-9_-]{86}$/.test(token)) return false
  const bytes = Buffer.from(token, 'base64url')
  const expected = Buffer.from(secret, 'base64url')
  // One spelling per token: base64url's unused last bits must be zero, as csrfTokenFor writes them.
  if (bytes.toString('base64url') !== token) return false
  if (bytes.length !== 2 * SECRET_BYTES || expected.length !== SECRET_BYTES) return false
  return timingSafeEqual(xor(bytes.subarray(0, SECRET_BYTES), bytes.subarray(SECRET_BYTES)), expected)
}
