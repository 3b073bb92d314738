/**
 * The session cookie: its options (secure defaults), and the `Set-Cookie` strings that set or clear it,
 * serialised with the `cookie` package.
 *
 * @module
 */
import type { OptionRule, OptionTable } from './config.ts'
import { SessionConfigError } from './errors.ts'

/**
 * Attributes of the session cookie. Defaults: name `id`, `Path=/`, `HttpOnly`, `Secure`, `SameSite=Lax`.
 *
 * @example
 * ```ts
 * dynamoSession({ cookie: { name: '__Host-sid', sameSite: 'strict' } })
 * dynamoSession({ cookie: { secure: false } }) // plain http://localhost only
 * ```
 */
export interface SessionCookieOptions {
  /** Cookie name. Default `"id"` (tower-sessions' default). */
  name?: string | undefined
  /** `Path`. Default `"/"`. */
  path?: string | undefined
  /** `Domain`. Default none (host-only). */
  domain?: string | undefined
  /** `HttpOnly`. Default `true`. */
  httpOnly?: boolean | undefined
  /** `Secure`. Default `true`; browsers still accept it on `http://localhost`, but set `false` for other plain-HTTP hosts. */
  secure?: boolean | undefined
  /** `SameSite`. Default `"lax"`. `"none"` requires `secure`. */
  sameSite?: 'lax' | 'strict' | 'none' | undefined
  /** `Partitioned` (CHIPS). Default `false`; requires `secure`. */
  partitioned?: boolean | undefined
  /** `Priority`. Default none. */
  priority?: 'low' | 'medium' | 'high' | undefined
}

/**
 * Cookie options with every default filled in.
 *
 * @example
 * ```ts
 * const { name, sameSite }: ResolvedCookieOptions = resolveCookieOptions({ sameSite: 'strict' })
 * ```
 */
export type ResolvedCookieOptions = Readonly<
  Required<Omit<SessionCookieOptions, 'domain' | 'priority'>> &
    Pick<SessionCookieOptions, 'domain' | 'priority'>
>

const LIFETIME =
  "the cookie's lifetime is the session's: set expiry on dynamoSession() (Expiry.onInactivity(seconds), or Expiry.onSessionEnd() for a cookie the browser drops when it closes)"

/** The keys of {@link SessionCookieOptions}, and hints for the keys people give by mistake. */
export const COOKIE_OPTIONS: OptionTable = {
  rules: {
    name: 'string',
    path: 'string',
    domain: 'string',
    httpOnly: 'boolean',
    secure: 'boolean',
    sameSite: 'string',
    partitioned: 'boolean',
    priority: 'string',
  } satisfies Record<keyof SessionCookieOptions, OptionRule>,
  hints: {
    maxAge: LIFETIME,
    expires: LIFETIME,
    signed: 'cookies are signed with the secrets option of dynamoSession()',
    secret: 'cookies are signed with the secrets option of dynamoSession()',
  },
}

// RFC 6265 cookie-name is an RFC 7230 token.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// RFC 6265 cookie-octets: a value outside them is percent-encoded.
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/
// RFC 6265 path-value: any character but controls and ";".
const PATH = /^[\x20-\x3a\x3c-\x7e]*$/
// A host name: dot-separated labels of letters, digits and inner hyphens (a leading dot is allowed).
const DOMAIN = /^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i
const PRIORITY: Record<string, string> = { low: 'Low', medium: 'Medium', high: 'High' }
const SAME_SITE: Record<string, string> = { lax: 'Lax', strict: 'Strict', none: 'None' }

/**
 * Fills in the defaults and rejects combinations browsers refuse, with {@link SessionConfigError}.
 *
 * @example
 * ```ts
 * resolveCookieOptions({}).name // 'id'
 * resolveCookieOptions({ sameSite: 'none', secure: false }) // throws
 * ```
 */
export function resolveCookieOptions(options: SessionCookieOptions = {}): ResolvedCookieOptions {
  const resolved: ResolvedCookieOptions = {
    name: options.name ?? 'id',
    path: options.path ?? '/',
    domain: options.domain,
    httpOnly: options.httpOnly ?? true,
    secure: options.secure ?? true,
    sameSite: options.sameSite ?? 'lax',
    partitioned: options.partitioned ?? false,
    priority: options.priority,
  }
  const { name, secure, sameSite, path, domain, priority } = resolved
  // Each rule: whether the options break it, and what to say. Browsers match name prefixes in any case.
  const rules: [boolean | string | undefined, string][] = [
    [typeof name !== 'string' || !TOKEN.test(name), 'cookie.name must be a valid cookie name'],
    [!Object.hasOwn(SAME_SITE, sameSite), 'cookie.sameSite must be "lax", "strict" or "none"'],
    [sameSite === 'none' && !secure, 'cookie.sameSite "none" requires cookie.secure'],
    [resolved.partitioned && !secure, 'cookie.partitioned requires cookie.secure'],
    [
      /^__host-/i.test(name) && (!secure || path !== '/' || domain),
      'a "__Host-" cookie needs secure, path "/" and no domain',
    ],
    [/^__secure-/i.test(name) && !secure, 'a "__Secure-" cookie needs secure'],
    [typeof path !== 'string' || !PATH.test(path), 'cookie.path must be printable ASCII without ";"'],
    [
      domain !== undefined && (typeof domain !== 'string' || !DOMAIN.test(domain)),
      'cookie.domain must be a host name, such as "example.com"',
    ],
    [
      priority !== undefined && !Object.hasOwn(PRIORITY, priority),
      'cookie.priority must be "low", "medium" or "high"',
    ],
  ]
  for (const [broken, message] of rules) if (broken) throw new SessionConfigError(message)
  return resolved
}

/**
 * The `Set-Cookie` value carrying `value`. With `expiresAt` (epoch seconds) it gets matching `Max-Age` and
 * `Expires`; without, it is a browser-session cookie.
 *
 * @example
 * ```ts
 * sessionSetCookie(resolveCookieOptions(), id, 1767225600, 1767222000)
 * // 'id=<id>; Max-Age=3600; Path=/; Expires=Thu, 01 Jan 2026 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax'
 * ```
 */
export function sessionSetCookie(
  options: ResolvedCookieOptions,
  value: string,
  expiresAt: number | undefined,
  nowSeconds: number,
): string {
  const { name, domain, path, priority } = options
  let header = `${name}=${COOKIE_VALUE.test(value) ? value : encodeURIComponent(value)}`
  if (expiresAt !== undefined) header += `; Max-Age=${Math.max(0, expiresAt - nowSeconds)}`
  if (domain) header += `; Domain=${domain}`
  if (path) header += `; Path=${path}`
  if (expiresAt !== undefined) header += `; Expires=${new Date(expiresAt * 1000).toUTCString()}`
  if (options.httpOnly) header += '; HttpOnly'
  if (options.secure) header += '; Secure'
  if (options.partitioned) header += '; Partitioned'
  if (priority) header += `; Priority=${PRIORITY[priority]}`
  return `${header}; SameSite=${SAME_SITE[options.sameSite]}`
}

/**
 * The `Set-Cookie` value that makes the browser drop the session cookie (same name, path and domain).
 *
 * @example
 * ```ts
 * clearingSetCookie(resolveCookieOptions())
 * // 'id=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax'
 * ```
 */
export function clearingSetCookie(options: ResolvedCookieOptions): string {
  return sessionSetCookie(options, '', 0, 0)
}
