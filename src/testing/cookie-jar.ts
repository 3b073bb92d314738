/**
 * One browser's cookies for one site: fed from `Set-Cookie` values, read back as a `Cookie` header.
 *
 * @module
 */
import { parseSetCookie } from 'cookie'
import type { KnownFrontDoor } from './front-doors.ts'
import { readSetCookies } from './set-cookies.ts'

/**
 * A `Set-Cookie` already parsed, e.g. by the `cookie` package's `parseSetCookie`: the fields a
 * {@link CookieJar} uses.
 *
 * @example
 * ```ts
 * const parsed: ParsedSetCookie = { name: 'id', value: 'abc', maxAge: 3600 }
 * jar.store([parsed])
 * ```
 */
export interface ParsedSetCookie {
  name: string
  value?: string | undefined
  /** `Max-Age`, seconds. */
  maxAge?: number | undefined
  expires?: Date | undefined
}

/**
 * Options of a {@link CookieJar}.
 *
 * @example
 * ```ts
 * const clock = testClock()
 * const options: CookieJarOptions = { now: clock.now, cookieName: 'sid' }
 * ```
 */
export interface CookieJarOptions {
  /** The clock expiry is checked against, epoch milliseconds. Default `Date.now`; a {@link TestClock}'s `now` fits. */
  now?: (() => number) | undefined
  /** The session cookie's name, for {@link CookieJar.value}. Default `"id"`, the middleware's default. */
  cookieName?: string | undefined
}

/**
 * One browser's cookies for one site, by name, as a browser keeps them: a `Set-Cookie` replaces the
 * cookie of its name; `Max-Age` (which wins over `Expires`) or `Expires` gives it an expiry checked
 * against the jar's clock; `Max-Age=0`, a negative one or an `Expires` in the past deletes it; without
 * either it is a browser-session cookie, kept until {@link CookieJar.endBrowserSession}. Values are
 * kept as sent, without decoding. `Path`, `Domain` and `Secure` are not modelled: every cookie is sent
 * with every request. A nameless `Set-Cookie` is ignored.
 *
 * @example
 * ```ts
 * const clock = testClock()
 * const jar = new CookieJar({ now: clock.now })
 * const event = httpEvent('http-api-v2', { path: '/api/count', jar })
 * jar.takeFrom(await handler(event, context), event)
 * jar.value // the session id
 * clock.advance({ days: 15 })
 * jar.header() // undefined: the cookie expired
 * ```
 */
export class CookieJar {
  readonly #cookies = new Map<string, { value: string; expiresAt: number | undefined }>()
  readonly #now: () => number
  /** The session cookie's name, for {@link CookieJar.value}. */
  readonly cookieName: string

  constructor(options: CookieJarOptions = {}) {
    this.#now = options.now ?? Date.now
    this.cookieName = options.cookieName ?? 'id'
  }

  /**
   * Applies `Set-Cookie` values in order: one, or a list; raw strings (never split on commas: one
   * string is one cookie) or already parsed.
   *
   * @param nowMs - the time the response arrived, for `Max-Age`; default the jar's clock
   */
  store(setCookies: string | readonly (string | ParsedSetCookie)[], nowMs: number = this.#now()): void {
    for (const setCookie of typeof setCookies === 'string' ? [setCookies] : setCookies) {
      const cookie =
        typeof setCookie === 'string' ? parseSetCookie(setCookie, { decode: (value) => value }) : setCookie
      if (!cookie.name) continue
      const expiresAt = cookie.maxAge !== undefined ? nowMs + cookie.maxAge * 1000 : cookie.expires?.getTime()
      if (expiresAt !== undefined && expiresAt <= nowMs) this.#cookies.delete(cookie.name)
      else this.#cookies.set(cookie.name, { value: cookie.value ?? '', expiresAt })
    }
  }

  /**
   * Stores the `Set-Cookie` values of a Lambda result, wherever its front door puts them (see
   * {@link readSetCookies}), and returns them.
   *
   * @param request - the event that produced `result`, or its front door: read exactly as that door
   *   reads it (a `cookies` key on a REST API or ALB result throws). Without it, every place is read.
   */
  takeFrom(result: unknown, request?: KnownFrontDoor | object): string[] {
    const setCookies = readSetCookies(result, request)
    this.store(setCookies)
    return setCookies
  }

  /** The value of cookie `name`, unless the jar holds none or it has expired. */
  get(name: string): string | undefined {
    this.#dropExpired()
    return this.#cookies.get(name)?.value
  }

  /** The session cookie's value ({@link CookieJar.cookieName}), if the jar holds it. */
  get value(): string | undefined {
    return this.get(this.cookieName)
  }

  /** The `Cookie` request header (`a=1; b=2`, in the order first set), or `undefined` when the jar is empty. */
  header(): string | undefined {
    this.#dropExpired()
    if (this.#cookies.size === 0) return undefined
    return [...this.#cookies].map(([name, { value }]) => `${name}=${value}`).join('; ')
  }

  /** Forgets the cookies that have no expiry (`Max-Age` or `Expires`), as closing the browser does. */
  endBrowserSession(): void {
    for (const [name, { expiresAt }] of this.#cookies) {
      if (expiresAt === undefined) this.#cookies.delete(name)
    }
  }

  /** Forgets every cookie: a new visitor. */
  clear(): void {
    this.#cookies.clear()
  }

  #dropExpired(): void {
    const now = this.#now()
    for (const [name, { expiresAt }] of this.#cookies) {
      if (expiresAt !== undefined && expiresAt <= now) this.#cookies.delete(name)
    }
  }
}
