/**
 * The `Set-Cookie` values of a Lambda result, read where the front door takes them from.
 *
 * @module
 */
import { detectFrontDoor, isRecord } from '../http/front-door.ts'
import type { KnownFrontDoor } from './front-doors.ts'

/**
 * The `Set-Cookie` values a Lambda result sends, each as one string, never split (an `Expires` date
 * holds a comma). Header names match in any letter case; anything that is not a string is skipped.
 *
 * `request` (the event that produced `result`, or its front door) reads the result as that door does:
 *
 * | front door | what it sends |
 * |---|---|
 * | `http-api-v2`, `function-url` | `headers['Set-Cookie']`, then every entry of `cookies` |
 * | `rest-api-v1` | `multiValueHeaders['Set-Cookie']`, then a `headers['Set-Cookie']` not among them |
 * | `alb` | `headers['Set-Cookie']` only |
 * | `alb-multi-value` | `multiValueHeaders['Set-Cookie']` only |
 * | none, `unknown` | all three places, a value found in an earlier place not repeated |
 *
 * A `cookies` key on a `rest-api-v1` or ALB result throws: API Gateway and ALB answer `502` to it.
 *
 * @param result - what the handler returned
 * @param request - the request event, or its front door
 * @example
 * ```ts
 * const result = await handler(event, context)
 * readSetCookies(result, event) // ['id=q3Jz...; Max-Age=1209600; Path=/; HttpOnly; Secure; SameSite=Lax']
 * readSetCookies({ statusCode: 200, cookies: ['a=1'] }) // ['a=1']
 * ```
 */
export function readSetCookies(result: unknown, request?: KnownFrontDoor | object): string[] {
  if (!isRecord(result)) return []
  const door =
    typeof request === 'string' ? request : request === undefined ? 'unknown' : detectFrontDoor(request)
  const v2 = door === 'http-api-v2' || door === 'function-url'
  if (!v2 && door !== 'unknown' && result.cookies !== undefined) {
    throw new Error(`A ${door} response must not carry a "cookies" key: the front door answers 502 to it`)
  }
  const headers = setCookieValues(result.headers)
  const multiValueHeaders = setCookieValues(result.multiValueHeaders)
  const cookies = strings(result.cookies)
  switch (door) {
    case 'http-api-v2':
    case 'function-url':
      return [...headers, ...cookies]
    case 'rest-api-v1':
      return union(multiValueHeaders, headers)
    case 'alb':
      return headers
    case 'alb-multi-value':
      return multiValueHeaders
    default:
      return union(headers, multiValueHeaders, cookies)
  }
}

/** The values of every `Set-Cookie` key (any case) of a `headers` or `multiValueHeaders` object. */
function setCookieValues(headers: unknown): string[] {
  if (!isRecord(headers)) return []
  return Object.keys(headers)
    .filter((name) => name.toLowerCase() === 'set-cookie')
    .flatMap((name) => strings(headers[name]))
}

/** A string as a list of one, the strings of an array, nothing otherwise. */
function strings(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value]
  return values.filter((item): item is string => typeof item === 'string')
}

/** The lists in order, each value of a later list left out when an earlier list had it. */
function union(...lists: string[][]): string[] {
  const merged: string[] = []
  for (const list of lists) {
    const earlier = new Set(merged)
    merged.push(...list.filter((value) => !earlier.has(value)))
  }
  return merged
}
