/**
 * Reading a cookie from the request, whatever front door sent it.
 *
 * Where the cookies are looked for, first source that has any wins (the others would only repeat
 * them):
 *
 * 1. `event.cookies`, the array of payload format 2.0 (HTTP API, function URLs). An entry is normally
 *    one `name=value` pair, but an entry holding several `a=b; c=d` pairs is read too.
 * 2. `event.multiValueHeaders`, every value of every `cookie` key in any letter case (REST API, HTTP API
 *    payload 1.0, ALB with multi-value headers). It holds every `Cookie` header the client sent, where
 *    `headers` holds only the last one.
 * 3. `event.headers`, every `cookie` key in any letter case (ALB, a 2.0 event built without `cookies`,
 *    a local tool).
 *
 * Each string is parsed as a `Cookie` header (RFC 6265, section 4.2): pairs split on `;` only, never on
 * `,` (a value may contain one), spaces around names and values trimmed, cookie names compared
 * case-sensitively. Values are returned raw (no percent-decoding); a value wrapped in double quotes
 * (RFC 6265 allows `name="value"`) is returned without them. A pair without `=` is skipped.
 *
 * Limits on hostile input ({@link COOKIE_READ_LIMITS}): no AWS front door forwards more than 64 KiB of
 * headers (API Gateway: about 10 KiB; ALB: 64 KiB), so at most 64 KiB of cookie text is read in all.
 * A single string longer than what is left of that budget is skipped whole, never truncated (a cut
 * value could look valid), and reading stops there. At most 1,024 strings (array entries and header
 * values) are examined; anything that is not a string is skipped. Nothing here throws.
 *
 * @module
 */
import { isRecord } from './front-door.ts'

/**
 * The caps {@link readRequestCookies} applies to hostile input.
 *
 * @example
 * ```ts
 * COOKIE_READ_LIMITS.maxTotalLength // 65536: characters of cookie text read per request, at most
 * ```
 */
export const COOKIE_READ_LIMITS = Object.freeze({
  /** Characters of cookie text read per request, all sources together. */
  maxTotalLength: 64 * 1024,
  /** Strings (cookie array entries, header values) examined per request. */
  maxEntries: 1024,
})

/**
 * Every value sent for cookie `name`, in the order the client sent them. Never throws, whatever the
 * input: for `null`, a non-HTTP event or garbage it returns `[]`.
 *
 * Several values come back when the browser holds several cookies of that name, e.g. set for
 * different paths or domains. RFC 6265 (section 5.4) has browsers send cookies with longer paths
 * first, so the most specific one comes first: the caller should take the first value that is valid
 * and ignore the rest.
 *
 * @example
 * ```ts
 * readRequestCookies({ version: '2.0', cookies: ['theme=dark', 'id=abc'], requestContext: {} }, 'id') // ['abc']
 * readRequestCookies({ headers: { Cookie: 'id="abc"; id=def' } }, 'id') // ['abc', 'def']
 * readRequestCookies(null, 'id') // []
 * ```
 */
export function readRequestCookies(event: unknown, name: string): string[] {
  const found: string[] = []
  if (typeof name !== 'string' || name === '') return found
  try {
    if (!isRecord(event)) return found
    const budget = { length: COOKIE_READ_LIMITS.maxTotalLength, entries: COOKIE_READ_LIMITS.maxEntries }
    const sources = [
      cookieArray(event.cookies),
      cookieHeaderValues(event.multiValueHeaders),
      cookieHeaderValues(event.headers),
    ]
    for (const values of sources) {
      if (values.length === 0) continue
      for (const value of values) {
        if (budget.entries-- <= 0) break
        if (typeof value !== 'string') continue
        if (value.length > budget.length) break
        budget.length -= value.length
        collect(value, name, found)
      }
      break
    }
  } catch {
    // A hostile object (a Proxy, a throwing getter): keep what was read before it.
  }
  return found
}

/** The entries of a payload 2.0 `cookies` array, or none. */
function cookieArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : []
}

/** The values of every `cookie` key (any case) of a `headers` or `multiValueHeaders` object. */
function cookieHeaderValues(headers: unknown): readonly unknown[] {
  if (!isRecord(headers)) return []
  const values: unknown[] = []
  for (const key of Object.keys(headers)) {
    if (key.length !== 6 || key.toLowerCase() !== 'cookie') continue
    const value = headers[key]
    if (Array.isArray(value)) {
      for (const item of value) {
        values.push(item)
        if (values.length > COOKIE_READ_LIMITS.maxEntries) return values
      }
    } else {
      values.push(value)
    }
  }
  return values
}

/** Appends to `found` the value of every `name=value` pair of a `Cookie` header string. */
function collect(header: string, name: string, found: string[]): void {
  let start = 0
  while (start < header.length) {
    let end = header.indexOf(';', start)
    if (end === -1) end = header.length
    const pair = header.slice(start, end)
    const equals = pair.indexOf('=')
    if (equals !== -1 && pair.slice(0, equals).trim() === name) {
      found.push(unquote(pair.slice(equals + 1).trim()))
    }
    start = end + 1
  }
}

/** `"value"` → `value` (RFC 6265 lets a cookie value be wrapped in double quotes). */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}
