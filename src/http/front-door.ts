/**
 * Which AWS front door sent a Lambda event. The format of the event decides where the request's
 * cookies are and where the response's `Set-Cookie` headers must go.
 *
 * Detection rules, checked in this order (first match wins):
 *
 * 1. `requestContext.elb` is an object: an Application Load Balancer. If the event carries a
 *    `multiValueHeaders` object, the target group has `lambda.multi_value_headers.enabled` and the
 *    door is `'alb-multi-value'`, otherwise `'alb'` (ALB sends one of `headers` / `multiValueHeaders`,
 *    never both).
 * 2. `requestContext.http` is an object and `version` is `'2.0'` (or absent): payload format 2.0. It is
 *    a `'function-url'` when `requestContext.domainName` is a Lambda function URL host
 *    (`<url-id>.lambda-url.<region>.on.aws`), otherwise `'http-api-v2'`. The host is the only reliable
 *    signal: function URL events also carry `routeKey` and `stage` (both `'$default'`), so their
 *    absence proves nothing. Both doors take the same response format, so a misdetection between
 *    them is harmless.
 * 3. `version` is `'1.0'` (HTTP API payload format 1.0), or `httpMethod` is a string and
 *    `requestContext` has a `stage` or a `resourcePath` (REST API proxy integration):
 *    `'rest-api-v1'`.
 * 4. Anything else: `'unknown'`.
 *
 * @module
 */

/**
 * The front doors this library knows.
 *
 * @example
 * ```ts
 * const door: FrontDoor = detectFrontDoor(event)
 * if (door === 'alb') console.log('only one Set-Cookie per response here')
 * ```
 */
export type FrontDoor = 'http-api-v2' | 'function-url' | 'rest-api-v1' | 'alb' | 'alb-multi-value' | 'unknown'

const FUNCTION_URL_HOST = /\.lambda-url\.[a-z0-9-]+\.on\.aws$/i

/**
 * Tells which front door sent `event` (see the module comment for the rules). Never throws: anything
 * that is not a recognisable HTTP event, `null` included, is `'unknown'`.
 *
 * @example
 * ```ts
 * detectFrontDoor({ version: '2.0', requestContext: { http: { method: 'GET' } } }) // 'http-api-v2'
 * detectFrontDoor({ requestContext: { elb: { targetGroupArn: 'arn:...' } }, headers: {} }) // 'alb'
 * detectFrontDoor(null) // 'unknown'
 * ```
 */
export function detectFrontDoor(event: unknown): FrontDoor {
  try {
    return detect(event)
  } catch {
    // A hostile object (a Proxy, a throwing getter) is no HTTP event we know.
    return 'unknown'
  }
}

function detect(event: unknown): FrontDoor {
  if (!isRecord(event)) return 'unknown'
  const requestContext = event.requestContext
  if (!isRecord(requestContext)) return 'unknown'

  if (isRecord(requestContext.elb)) {
    return isRecord(event.multiValueHeaders) ? 'alb-multi-value' : 'alb'
  }

  const version = event.version
  if (isRecord(requestContext.http) && (version === '2.0' || version === undefined)) {
    const domainName = requestContext.domainName
    return typeof domainName === 'string' && FUNCTION_URL_HOST.test(domainName)
      ? 'function-url'
      : 'http-api-v2'
  }

  if (version === '1.0') return 'rest-api-v1'
  if (
    typeof event.httpMethod === 'string' &&
    (requestContext.stage !== undefined || requestContext.resourcePath !== undefined)
  ) {
    return 'rest-api-v1'
  }
  return 'unknown'
}

/**
 * Where a response's headers go on `door`: `multiValueHeaders` on REST API, ALB with multi-value headers
 * and unknown doors (the format all payload 1.0 doors accept); `headers` on the payload 2.0 doors and ALB
 * without multi-value headers. Shared by the `src/http` modules; not part of the package's public surface.
 *
 * @example
 * ```ts
 * headersKey('rest-api-v1') // 'multiValueHeaders'
 * headersKey('function-url') // 'headers'
 * ```
 */
export function headersKey(door: FrontDoor): 'headers' | 'multiValueHeaders' {
  return door === 'rest-api-v1' || door === 'alb-multi-value' || door === 'unknown'
    ? 'multiValueHeaders'
    : 'headers'
}

/**
 * Whether `event` is an HTTP request: from a known front door, or at least carrying a `headers` object (a
 * hand-built or local-tool event). Anything else (SQS, EventBridge, a direct invoke) has no cookie to
 * carry a session, and its result must come back untouched. Never throws.
 *
 * @example
 * ```ts
 * isHttpEvent({ Records: [{ eventSource: 'aws:sqs' }] }) // false
 * isHttpEvent({ headers: { cookie: 'id=...' } }) // true
 * ```
 */
export function isHttpEvent(event: unknown): boolean {
  if (detectFrontDoor(event) !== 'unknown') return true
  try {
    return isRecord(event) && isRecord(event.headers)
  } catch {
    return false
  }
}

/**
 * Whether `value` is a non-null, non-array object (a JSON object, once the event is parsed). Shared by
 * the `src/http` modules; not part of the package's public surface.
 *
 * @example
 * ```ts
 * isRecord({ a: 1 }) // true
 * isRecord(['a']) // false
 * isRecord(null) // false
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
