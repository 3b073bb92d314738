/**
 * Refusing cross-site requests that could change state (CSRF; OWASP ASVS 3.5.1–3.5.3), from what the
 * browser says of every request it sends:
 *
 * - a safe method (`GET`, `HEAD`, `OPTIONS`) always passes: it must not change state anyway;
 * - `Sec-Fetch-Site` (Fetch Metadata, sent by every current browser): `same-origin` and `none` (the user
 *   typed the address or used a bookmark) pass; `same-site` (a sibling subdomain) and `cross-site` do not;
 * - without it (an older browser), `Origin`: it must name this host (the `Host` header), or be trusted;
 * - with neither (`curl`, a server, a mobile app's HTTP client): nothing tells a forged request apart, and
 *   no browser sends a forged one without them, so the request passes.
 *
 * `trustedOrigins` lets chosen sites through (a front end on another host, an identity provider that posts
 * back to a callback). Behind a CDN that rewrites `Host` (CloudFront to an API Gateway domain), current
 * browsers are told apart by `Sec-Fetch-Site`, which the CDN does not change; for older ones, trust the
 * site's own origin.
 *
 * @module
 */
import { checkOptions, type OptionRule, type OptionTable } from '../config.ts'
import { SessionConfigError } from '../errors.ts'
import { isRecord } from './front-door.ts'
import { headerValues } from './request-cookies.ts'

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS']

/**
 * Options of the cross-site check: `dynamoSession({ crossSite: { trustedOrigins: [...] } })`, or
 * `crossSite: false` to switch it off.
 *
 * @example
 * ```ts
 * const crossSite: CrossSiteOptions = { trustedOrigins: ['https://app.example.com'] }
 * ```
 */
export interface CrossSiteOptions {
  /**
   * Origins (`https://host[:port]`, nothing after it) whose cross-site requests are let through. Default:
   * none.
   */
  trustedOrigins?: readonly string[] | undefined
  /**
   * Require a valid CSRF token ({@link Session.csrfToken}) in the `tokenHeader` header of a `POST`, `PUT`,
   * `PATCH` or `DELETE` that carries neither `Sec-Fetch-Site` nor `Origin` (a client that is not a current
   * browser page); without one it is answered `403`. Browser requests are judged by those headers as
   * before. Default `false`: such requests pass.
   */
  requireToken?: boolean | undefined
  /** The header that carries the token. Default `"x-csrf-token"`. */
  tokenHeader?: string | undefined
}

/** The header that carries a CSRF token, unless `tokenHeader` names another. */
export const DEFAULT_TOKEN_HEADER = 'x-csrf-token'

/** The first value of header `name` (lower case), in `headers` or `multiValueHeaders`, any letter case. */
function header(event: Record<string, unknown>, name: string): string | undefined {
  const values = [...headerValues(event.headers, name), ...headerValues(event.multiValueHeaders, name)]
  const first = values.find((value) => typeof value === 'string')
  return typeof first === 'string' ? first.trim() : undefined
}

/** The request's method: `httpMethod` (REST API, ALB) or `requestContext.http.method` (payload 2.0). */
function method(event: Record<string, unknown>): string | undefined {
  const context = event.requestContext
  const http = isRecord(context) ? context.http : undefined
  const value = event.httpMethod ?? (isRecord(http) ? http.method : undefined)
  return typeof value === 'string' ? value.toUpperCase() : undefined
}

/** Whether `event` is an HTTP request whose method may change state (not `GET`, `HEAD` or `OPTIONS`). */
function mayChangeState(event: unknown): event is Record<string, unknown> {
  if (!isRecord(event)) return false
  const verb = method(event)
  return verb !== undefined && !SAFE_METHODS.includes(verb)
}

/** `text` as a URL, or `undefined` (`null`, anything else that is not one). */
function parsed(text: string): URL | undefined {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

/**
 * Why `event` is a cross-site request that may change state and must be refused (the header that says
 * so), or `undefined` when it may go on. Never throws.
 *
 * @example
 * ```ts
 * crossSiteRefusal(event, new Set()) // 'Sec-Fetch-Site: cross-site' for a form posted from another site
 * ```
 */
export function crossSiteRefusal(event: unknown, trustedOrigins: ReadonlySet<string>): string | undefined {
  try {
    if (!mayChangeState(event)) return undefined
    const origin = header(event, 'origin')
    if (origin !== undefined && trustedOrigins.has(origin)) return undefined
    const site = header(event, 'sec-fetch-site')?.toLowerCase()
    if (site === 'same-origin' || site === 'none') return undefined
    // The reason names what the browser said, never echoing an unknown value.
    if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site: ${site}`
    if (site !== undefined) return 'Sec-Fetch-Site: unknown'
    if (origin === undefined) return undefined
    const host = header(event, 'host')?.toLowerCase()
    return host && parsed(origin)?.host === host ? undefined : 'Origin is not this host'
  } catch {
    // A hostile event object (a throwing getter): refuse what cannot be read.
    return 'unreadable request'
  }
}

/**
 * The CSRF token `event` carries in header `name`, when it is a request that may change state and says
 * nothing of where it comes from (neither `Sec-Fetch-Site` nor `Origin`): `null` when it carries none.
 * `undefined` for every other request (no token is needed). Never throws.
 *
 * @example
 * ```ts
 * const token = tokenToCheck(event, 'x-csrf-token') // a curl POST: its header's value, or null
 * ```
 */
export function tokenToCheck(event: unknown, name: string): string | null | undefined {
  try {
    if (!mayChangeState(event)) return undefined
    if (header(event, 'sec-fetch-site') !== undefined || header(event, 'origin') !== undefined)
      return undefined
    return header(event, name) ?? null
  } catch {
    return null // a hostile event object: no token can be read from it
  }
}

function originList(origins: unknown, path: string): void {
  if (!Array.isArray(origins)) throw new SessionConfigError(`${path} must be an array of origins`)
  for (const origin of origins) {
    const ok = typeof origin === 'string' && /^https?:\/\//.test(origin) && parsed(origin)?.origin === origin
    if (!ok) {
      throw new SessionConfigError(
        `${path}: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], lower case, no path)`,
      )
    }
  }
}

const CROSS_SITE_OPTIONS: OptionTable = {
  rules: {
    trustedOrigins: originList,
    requireToken: 'boolean',
    tokenHeader: (value, path) => {
      // An HTTP header name (RFC 9110 token), in lower case as the front doors' events carry headers.
      if (typeof value !== 'string' || !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(value)) {
        throw new SessionConfigError(`${path} must be a header name in lower case, e.g. 'x-csrf-token'`)
      }
    },
  } satisfies Record<keyof CrossSiteOptions, OptionRule>,
  hints: {
    trusted: 'did you mean trustedOrigins?',
    origins: 'did you mean trustedOrigins?',
    header: 'did you mean tokenHeader?',
  },
}

/**
 * Throws unless `value` is `false` or {@link CrossSiteOptions} whose `trustedOrigins` are origins as a
 * browser sends them (`https://host[:port]`).
 */
export function assertCrossSiteOptions(value: unknown, path: string): void {
  if (value === false) return
  if (!isRecord(value)) {
    throw new SessionConfigError(`${path} must be false or { trustedOrigins: ['https://app.example.com'] }`)
  }
  checkOptions(value, CROSS_SITE_OPTIONS, `${path}.`)
}

/**
 * The response a refused request gets: `403 Forbidden`, plain text, nothing of the request echoed.
 *
 * @example
 * ```ts
 * return refusedResponse() // { statusCode: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: ... }
 * ```
 */
export function refusedResponse(): { statusCode: number; headers: Record<string, string>; body: string } {
  return {
    statusCode: 403,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: 'Forbidden: a cross-site request cannot change this site',
  }
}
