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
import { detectFrontDoor, type FrontDoor, isRecord } from './front-door.ts'

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
  switch (door) {
    case 'http-api-v2':
    case 'function-url':
      return writeCookiesArray(normaliseV2(response), ours)
    case 'alb':
      return writeSingleHeader(normalise(response), ours, door, logger)
    default:
      return writeMultiValueHeaders(normalise(response), ours)
  }
}

/** A shallow copy of `response`, normalised as `@middy/util`'s `normalizeHttpResponse` does. */
function normalise(response: unknown): Response {
  if (response === undefined) return { statusCode: 500, headers: {} }
  if (isRecord(response) && !isBare(response)) {
    const copy: Response = { ...response }
    copy.statusCode ??= 500
    copy.headers ??= {}
    return copy
  }
  return { statusCode: 200, body: response, headers: {} }
}

/** As {@link normalise}, but a bare result gets what API Gateway / Lambda infer for payload 2.0. */
function normaliseV2(response: unknown): Response {
  if (response !== undefined && (!isRecord(response) || isBare(response))) {
    const body = toJson(response)
    if (body !== undefined) return { statusCode: 200, headers: { 'content-type': 'application/json' }, body }
  }
  return normalise(response)
}

/** No `statusCode`, `body` or `headers`: not an HTTP response object (the test Middy applies). */
function isBare(response: Response): boolean {
  return response.statusCode === undefined && response.body === undefined && response.headers === undefined
}

function toJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}

/** Payload 2.0: `cookies: string[]`, after the handler's own (its `cookies` and any `Set-Cookie` header). */
function writeCookiesArray(response: Response, ours: readonly string[]): Response {
  const cookies = unique(listOf(response.cookies))
  const headers = takeSetCookieHeaders(response.headers, cookies)
  if (headers !== undefined) response.headers = headers
  response.cookies = [...cookies, ...ours]
  return response
}

/** REST API, ALB with multi-value headers, unknown: `multiValueHeaders['Set-Cookie']`. */
function writeMultiValueHeaders(response: Response, ours: readonly string[]): Response {
  const multiValueHeaders: Response = isRecord(response.multiValueHeaders)
    ? { ...response.multiValueHeaders }
    : {}
  const keys = setCookieKeys(multiValueHeaders)
  const cookies: unknown[] = []
  for (const key of keys) {
    addAll(cookies, listOf(multiValueHeaders[key]))
    delete multiValueHeaders[key]
  }
  const headers = takeSetCookieHeaders(response.headers, cookies)
  if (headers !== undefined) response.headers = headers
  addAll(cookies, listOf(response.cookies))
  delete response.cookies
  multiValueHeaders[keys[0] ?? 'Set-Cookie'] = [...cookies, ...ours]
  response.multiValueHeaders = multiValueHeaders
  return response
}

/** ALB without multi-value headers: one `headers['Set-Cookie']`, ours; anything else dropped and reported. */
function writeSingleHeader(
  response: Response,
  ours: readonly string[],
  door: FrontDoor,
  logger: CookieWriteLogger | undefined,
): Response {
  const [kept] = ours
  const headers: Response = isRecord(response.headers) ? { ...response.headers } : {}
  const keys = setCookieKeys(headers)
  const theirs: unknown[] = []
  for (const key of keys) {
    addAll(theirs, listOf(headers[key]))
    delete headers[key]
  }
  addAll(theirs, listOf(response.cookies))
  delete response.cookies
  headers[keys[0] ?? 'Set-Cookie'] = kept
  response.headers = headers

  const droppedHandlerCookies = theirs.filter((value) => value !== kept).length
  const droppedSessionCookies = ours.length - 1
  if (droppedHandlerCookies + droppedSessionCookies > 0) {
    logger?.warn(
      'This ALB target group sends one Set-Cookie header per response (multi-value headers are off): ' +
        'the session cookie was sent and the other cookies were dropped. ' +
        'Set the target group attribute lambda.multi_value_headers.enabled=true to send them all.',
      { frontDoor: door, droppedHandlerCookies, droppedSessionCookies },
    )
  }
  return response
}

/**
 * Moves every `Set-Cookie` (any case) out of a `headers` object into `cookies`. Returns the new headers
 * object, or `undefined` when there is nothing to move (the original is kept). Values that are not
 * strings (or arrays of strings) stay where they are.
 */
function takeSetCookieHeaders(headers: unknown, cookies: unknown[]): Response | undefined {
  if (!isRecord(headers)) return undefined
  const keys = setCookieKeys(headers)
  if (keys.length === 0) return undefined
  const copy: Response = { ...headers }
  for (const key of keys) {
    const value = copy[key]
    if (
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    ) {
      addAll(cookies, listOf(value))
      delete copy[key]
    }
  }
  return copy
}

/** The keys of `headers` that name `Set-Cookie` in any letter case, in their order. */
function setCookieKeys(headers: Response): string[] {
  return Object.keys(headers).filter((key) => key.length === 10 && key.toLowerCase() === 'set-cookie')
}

/** An array as it is, a single value as a one-item list, nothing as an empty one. */
function listOf(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value
  return value === undefined || value === null ? [] : [value]
}

/** `values` without repeats, in their order. */
function unique(values: readonly unknown[]): unknown[] {
  return addAll([], values)
}

/** Appends to `list` each of `values` it does not hold yet (a cookie set twice is sent once). */
function addAll(list: unknown[], values: readonly unknown[]): unknown[] {
  for (const value of values) if (!list.includes(value)) list.push(value)
  return list
}
