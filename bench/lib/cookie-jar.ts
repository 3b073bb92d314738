/** One browser's cookies for one site: fed from `Set-Cookie` values, read back as a `Cookie` header. */
import { parseSetCookie } from 'cookie'

export class CookieJar {
  readonly #cookies = new Map<string, string>()

  /** Applies response `Set-Cookie` values; `nowMs` decides whether an `Expires` is in the past. */
  store(setCookies: readonly string[], nowMs: number = Date.now()): void {
    for (const header of setCookies) {
      // Kept as sent (no decoding), as a browser does.
      const cookie = parseSetCookie(header, { decode: (value) => value })
      const expired =
        (cookie.maxAge !== undefined && cookie.maxAge <= 0) ||
        (cookie.expires !== undefined && cookie.expires.getTime() <= nowMs)
      if (expired) this.#cookies.delete(cookie.name)
      else this.#cookies.set(cookie.name, cookie.value ?? '')
    }
  }

  /** The `Cookie` request header, or `undefined` when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}
