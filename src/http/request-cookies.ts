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
 * Each string is parsed as a `Cookie` header (RFC 6265, section 4.2): pairs split on `;`, not on `,` (a
 * value may contain one), except in the payload 2.0 `cookies` array, where API Gateway joins several
 * `Cookie` headers with commas: there a comma followed by `name=` separates pairs too. Spaces around
 * names and values are trimmed, and cookie names compared case-sensitively. Values are returned raw (no percent-decoding); a value wrapped in double quotes
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
    let { maxTotalLength: length, maxEntries: entries } = COOKIE_READ_LIMITS
    const sources = [
      Array.isArray(event.cookies) ? event.cookies : [],
      headerValues(event.multiValueHeaders, 'cookie'),
      headerValues(event.headers, 'cookie'),
    ]
    const source = sources.find((values) => values.length > 0) ?? []
    // Payload 2.0 joins several Cookie headers with commas into one `cookies` entry: there, a comma
    // followed by `name=` also separates pairs. A Cookie header is split on `;` only (RFC 6265).
    const separator = source === sources[0] ? V2_PAIR_SEPARATOR : ';'
    for (const value of source) {
      if (entries-- <= 0) break
      if (typeof value !== 'string') continue
      if (value.length > length) break
      length -= value.length
      for (const pair of value.split(separator)) {
        const equals = pair.indexOf('=')
        if (equals !== -1 && pair.slice(0, equals).trim() === name)
          found.push(unquote(pair.slice(equals + 1).trim()))
      }
    }
  } catch {
    // A hostile object (a Proxy, a throwing getter): keep what was read before it.
  }
  return found
}

/** `;`, or a comma that starts another `name=` pair. */
const V2_PAIR_SEPARATOR = /;|,(?=[ \t]*[^\s=;,]+=)/

/**
 * The values of every key named `name` (lower case; any letter case in `headers`) of a `headers` or
 * `multiValueHeaders` object, arrays flattened, at most {@link COOKIE_READ_LIMITS}`.maxEntries` and one
 * more. Shared by the `src/http` modules.
 *
 * @example
 * ```ts
 * headerValues({ Origin: 'https://a.example' }, 'origin') // ['https://a.example']
 * ```
 */
export function headerValues(headers: unknown, name: string): unknown[] {
  const values: unknown[] = []
  if (!isRecord(headers)) return values
  for (const key of Object.keys(headers)) {
    if (key.length !== name.length || key.toLowerCase() !== name) continue
    const value = headers[key]
    for (const item of Array.isArray(value) ? value : [value]) {
      values.push(item)
      // The reader examines no more than this; the rest need not be copied.
      if (values.length > COOKIE_READ_LIMITS.maxEntries) return values
    }
  }
  return values
}

/** `"value"` → `value` (RFC 6265 lets a cookie value be wrapped in double quotes). */
function unquote(value: string): string {
  return value.length >= 2 && value[0] === '"' && value.endsWith('"') ? value.slice(1, -1) : value
}
