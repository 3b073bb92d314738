/**
 * Optional signed session cookies: `<id>.<HMAC-SHA256(secret, id) in base64url>`. The first secret signs;
 * every secret verifies, so a secret can be rotated without logging anyone out. Comparison is
 * constant-time.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { SessionConfigError } from './errors.ts'
import { DEFAULT_ID_SCHEME, type SessionIdScheme } from './id.ts'

/**
 * The shortest secret accepted, in characters.
 *
 * @example
 * ```ts
 * const secret = randomBytes(MIN_SECRET_LENGTH).toString('base64url') // 43 characters
 * ```
 */
export const MIN_SECRET_LENGTH = 32

function mac(secret: string, id: string): Buffer {
  return createHmac('sha256', secret).update(id).digest()
}

/**
 * Checks a list of signing secrets: at least one, each at least {@link MIN_SECRET_LENGTH} characters.
 *
 * @example
 * ```ts
 * assertSecrets([process.env.SESSION_SECRET ?? '']) // throws SessionConfigError if unset or short
 * ```
 */
export function assertSecrets(secrets: readonly string[]): void {
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new SessionConfigError('secrets must be a non-empty array')
  }
  if (secrets.some((secret) => typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH)) {
    throw new SessionConfigError(`every secret must be a string of at least ${MIN_SECRET_LENGTH} characters`)
  }
}

/**
 * The cookie value for `id`, signed with `secret`.
 *
 * @example
 * ```ts
 * signSessionId(generateSessionId(), secret) // '<32-char id>.<43-char signature>'
 * ```
 */
export function signSessionId(id: string, secret: string): string {
  return `${id}.${mac(secret, id).toString('base64url')}`
}

/**
 * The session id inside a signed cookie value, if its signature verifies with one of `secrets` and the id
 * has the shape of `ids` (the store's scheme); `undefined` otherwise (unsigned, tampered, signed with a
 * retired secret, malformed).
 *
 * @example
 * ```ts
 * unsignSessionId(signSessionId(id, newSecret), [newSecret, oldSecret]) // id
 * unsignSessionId(`${id}.forged`, [newSecret]) // undefined
 * ```
 */
export function unsignSessionId(
  value: string,
  secrets: readonly string[],
  ids: SessionIdScheme = DEFAULT_ID_SCHEME,
): string | undefined {
  const dot = value.indexOf('.')
  const id = value.slice(0, dot)
  const text = value.slice(dot + 1)
  if (dot < 0 || !ids.isId(id)) return undefined
  const signature = Buffer.from(text, 'base64url')
  if (signature.length !== 32 || signature.toString('base64url') !== text) return undefined
  // Every secret is tried, whatever matched, so the time taken does not tell which one did.
  return secrets.map((secret) => timingSafeEqual(signature, mac(secret, id))).includes(true) ? id : undefined
}
