/**
 * One browser's cookies for one site, for the load test, the benchmarks and the tests: fed from
 * `Set-Cookie` values (raw strings or already parsed), read back as a `Cookie` header. An expired cookie
 * (`Max-Age` 0 or less, or an `Expires` in the past) is dropped, as a browser drops it.
 */
import { parseSetCookie, type SetCookie } from 'cookie'

export class CookieJar {
  readonly #cookies = new Map<string, string>()
  /** The session cookie's name, for {@link CookieJar.value}. */
  readonly name: string

  constructor(name = 'id') {
    this.name = name
  }

  /** Applies response `Set-Cookie` values; `nowMs` decides whether an `Expires` is in the past. */
  store(setCookies: readonly (string | SetCookie)[], nowMs: number = Date.now()): void {
    for (const setCookie of setCookies) {
      // Kept as sent (no decoding), as a browser does.
      const cookie =
        typeof setCookie === 'string' ? parseSetCookie(setCookie, { decode: (v) => v }) : setCookie
      const expired =
        (cookie.maxAge !== undefined && cookie.maxAge <= 0) ||
        (cookie.expires !== undefined && cookie.expires.getTime() <= nowMs)
      if (expired) this.#cookies.delete(cookie.name)
      else this.#cookies.set(cookie.name, cookie.value ?? '')
    }
  }

  /** The session cookie's value, if the jar holds it. */
  get value(): string | undefined {
    return this.#cookies.get(this.name)
  }

  /** The `Cookie` request header, or `undefined` when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}
