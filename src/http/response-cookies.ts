/**
 * Writing `Set-Cookie` into a Lambda response where the event's front door reads it.
 *
 * | front door | where the cookies go |
 * |---|---|
 * | `http-api-v2`, `function-url` | `cookies: string[]` |
 * | `rest-api-v1`, `alb-multi-value`, `unknown` | `multiValueHeaders['Set-Cookie']` |
 * | `alb` (no multi-value headers) | `headers['Set-Cookie']`: one cookie only |
 *
 * Rules:
 *
 * - **Never mutates** the handler's response: {@link addSetCookies} returns a new object with new
 *   `headers` / `multiValueHeaders` / `cookies` containers (other values are shared). A handler that
 *   returns one module-level constant response for every request would otherwise collect every
 *   user's session cookie in it.
 * - **Cookies the handler set are kept, once, before ours.** For `multiValueHeaders` doors, a
 *   `Set-Cookie` in `headers` (any letter case) and a `cookies` array the handler set are moved into
 *   `multiValueHeaders['Set-Cookie']` (merged into an existing key of any case, e.g. `set-cookie`; a
 *   value already there is not repeated). For 2.0 doors, a `Set-Cookie` in `headers` is moved into
 *   `cookies`. Ours come last, so if the handler set a cookie of the session's name, the session's
 *   one is what the browser keeps.
 * - **No `cookies` key on a REST API or ALB response** (API Gateway answers 502): a handler's `cookies`
 *   array is moved into the headers as above.
 * - **`Set-Cookie` values are never split or joined**: `Expires=Wed, 21 Oct 2026 07:28:00 GMT`
 *   contains a comma.
 * - **ALB without multi-value headers can send one `Set-Cookie` only.** The session cookie (the first
 *   of `setCookies`) wins: it is what keeps the user signed in, and losing it silently would be worse
 *   than losing a handler's cookie. Every other cookie (the handler's, further entries of
 *   `setCookies`) is dropped and reported through `logger.warn`, with counts only, never a cookie's
 *   name or value. The fix is the target group attribute `lambda.multi_value_headers.enabled=true`.
 * - **`unknown` front door: as REST API** (`multiValueHeaders`): the format that API Gateway REST,
 *   HTTP API payload 1.0 and ALB with multi-value headers all accept, and which never adds a `cookies`
 *   key that would break a payload 1.0 door.
 *
 * Normalisation, for results that are not a full HTTP response (same rules as `@middy/util`'s
 * `normalizeHttpResponse`, so the session middleware and Middy's HTTP middlewares agree):
 *
 * - `undefined` becomes `{ statusCode: 500, headers: {} }`: the handler forgot to return.
 * - A value without `statusCode`, `body` and `headers` (a string, a number, `null`, a plain object)
 *   becomes `{ statusCode: 200, body: value, headers: {} }`.
 * - Otherwise `statusCode` defaults to 500 and `headers` to `{}`.
 *
 * One exception, for the 2.0 doors (`http-api-v2`, `function-url`): there such a value is already a
 * valid response, which API Gateway and Lambda serve as `200` with `content-type: application/json` and
 * the JSON text of the value as the body (a string `"hi"` reaches the client as `"hi"`, quotes
 * included, per the function URL documentation). So that adding a cookie does not change what the
 * client receives (and a client that reads JSON keeps working whether or not this response carried a
 * cookie), it becomes `{ statusCode: 200, headers: { 'content-type': 'application/json' }, body:
 * JSON.stringify(value), cookies }`. A value that `JSON.stringify` cannot serialise falls back to the
 * rule above.
 *
 * With an empty `setCookies`, the response is returned as it came, not even normalised.
 *
 * @module
 */
import { detectFrontDoor, headersKey, isRecord } from './front-door.ts'

/**
 * Where {@link addSetCookies} reports cookies it had to drop (ALB without multi-value headers). Messages
 * and details never contain a cookie's name or value. `console`, a Powertools `Logger` or the
 * library's session logger fit.
 *
 * @example
 * ```ts
 * const logger: CookieWriteLogger = { warn: (message, details) => console.warn(message, details) }
 * ```
 */
export interface CookieWriteLogger {
  /** Reports a cookie that could not be written (the ALB single-value clash). */
  warn(message: string, details?: Record<string, unknown>): void
}

type Response = Record<string, unknown>

/**
 * Adds serialised Set-Cookie strings to the response where the event's front door reads them,
 * returning the (possibly new, normalised) response object. With an empty `setCookies` it returns
 * `response` untouched. The caller's response object is never mutated (see the module comment for
 * every rule).
 *
 * @param event - the Lambda event, to tell the front door
 * @param response - what the handler (or an error handler) returned
 * @param setCookies - serialised `Set-Cookie` values, most important first (on an ALB without
 *   multi-value headers only the first is sent)
 * @param logger - told when a cookie had to be dropped
 * @example
 * ```ts
 * request.response = addSetCookies(request.event, request.response, ['id=abc; Path=/; HttpOnly; Secure'], logger)
 * // HTTP API:  { statusCode: 200, headers: {...}, body: '...', cookies: ['id=abc; Path=/; HttpOnly; Secure'] }
 * // REST API:  { statusCode: 200, headers: {...}, body: '...', multiValueHeaders: { 'Set-Cookie': ['id=abc; ...'] } }
 * ```
 */
export function addSetCookies(
  event: unknown,
  response: unknown,
  setCookies: readonly string[],
  logger?: CookieWriteLogger,
): unknown {
  const ours = setCookies.filter((cookie) => typeof cookie === 'string')
  if (ours.length === 0) return response
  const door = detectFrontDoor(event)
  const v2 = door === 'http-api-v2' || door === 'function-url'
  const result = normalise(response, v2)
  // The handler's own cookies, in order, each once; ours go after them.
  const theirs: unknown[] = []
  if (v2) {
    addAll(theirs, result.cookies)
    moveSetCookieHeaders(result, theirs)
    result.cookies = [...theirs, ...ours]
    return result
  }
  if (headersKey(door) === 'multiValueHeaders') {
    const [multiValueHeaders, key = 'Set-Cookie'] = takeHeader(result.multiValueHeaders, 'set-cookie', theirs)
    moveSetCookieHeaders(result, theirs)
    addAll(theirs, result.cookies)
    delete result.cookies
    multiValueHeaders[key] = [...theirs, ...ours]
    result.multiValueHeaders = multiValueHeaders
    return result
  }
  // ALB without multi-value headers: one `headers['Set-Cookie']`, ours; anything else dropped and reported.
  const [headers, key = 'Set-Cookie'] = takeHeader(result.headers, 'set-cookie', theirs)
  addAll(theirs, result.cookies)
  delete result.cookies
  const [kept] = ours
  headers[key] = kept
  result.headers = headers
  const droppedHandlerCookies = theirs.filter((value) => value !== kept).length
  const droppedSessionCookies = ours.length - 1
  if (droppedHandlerCookies + droppedSessionCookies > 0) {
    logger?.warn(
      'ALB without multi-value headers: one Set-Cookie per response, the session cookie was sent and ' +
        'the others dropped. Set the target group attribute lambda.multi_value_headers.enabled=true.',
      { frontDoor: door, droppedHandlerCookies, droppedSessionCookies },
    )
  }
  return result
}

/**
 * A shallow copy of `response`, normalised as `@middy/util`'s `normalizeHttpResponse` does; on a 2.0 door
 * (`v2`), a bare result gets what API Gateway and Lambda infer for it instead.
 */
function normalise(response: unknown, v2: boolean): Response {
  if (response === undefined) return { statusCode: 500, headers: {} }
  // Not bare: it has a `statusCode`, `body` or `headers` (the test Middy applies).
  if (
    isRecord(response) &&
    (response.statusCode !== undefined || response.body !== undefined || response.headers !== undefined)
  ) {
    return { ...response, statusCode: response.statusCode ?? 500, headers: response.headers ?? {} }
  }
  let json: string | undefined
  try {
    json = v2 ? JSON.stringify(response) : undefined
  } catch {
    // Not serialisable (a BigInt, a cycle): normalised as on the other doors.
  }
  return json === undefined
    ? { statusCode: 200, body: response, headers: {} }
    : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: json }
}

/**
 * Moves every `Set-Cookie` (any case) of `response.headers` into `into`, replacing `headers` with a copy
 * when there was one. Values that are not strings (or arrays of strings) stay where they are.
 */
function moveSetCookieHeaders(response: Response, into: unknown[]): void {
  const [headers, key] = takeHeader(response.headers, 'set-cookie', into, true)
  if (key) response.headers = headers
}

/**
 * A copy of the `headers` or `multiValueHeaders` object `container` (or a new one) without its keys named
 * `name` (lower case; any letter case in `container`), whose values are appended to `into`, each once; and
 * the first such key. With `stringsOnly`, values that are not strings (or arrays of strings) are left in
 * the copy. Shared by the `src/http` modules.
 *
 * @example
 * ```ts
 * const [headers] = takeHeader({ 'Cache-Control': 'public', Vary: 'Origin' }, 'cache-control', found) // { Vary: 'Origin' }
 * ```
 */
export function takeHeader(
  container: unknown,
  name: string,
  into: unknown[],
  stringsOnly?: boolean,
): [Response, string?] {
  const copy: Response = isRecord(container) ? { ...container } : {}
  let first: string | undefined
  for (const key of Object.keys(copy)) {
    if (key.length !== name.length || key.toLowerCase() !== name) continue
    first ??= key
    const value = copy[key]
    if (
      !stringsOnly ||
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    ) {
      addAll(into, value)
      delete copy[key]
    }
  }
  return [copy, first]
}

/**
 * Appends to `list` each of `values` (an array, a single value, or nothing when `undefined` or `null`)
 * that it does not hold yet: a cookie set twice is sent once.
 */
function addAll(list: unknown[], values: unknown): void {
  for (const value of Array.isArray(values) ? values : values == null ? [] : [values]) {
    if (!list.includes(value)) list.push(value)
  }
}
