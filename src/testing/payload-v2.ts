/**
 * The payload format 2.0 event (HTTP API, Lambda function URLs) as API Gateway assembles it from a
 * request. One implementation for the test event builders and the repository's dev server; not part
 * of the `testing` entry point.
 *
 * @module
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda'

/** A request, as the pieces a payload 2.0 event is made of. */
export interface PayloadV2Request {
  method: string
  /** Path and query as sent: `/api/count?x=1`. */
  url: string
  /** Header names lower-case, duplicates already joined; no `cookie` (it goes into `cookies`). */
  headers: Record<string, string>
  /** The request's cookies, one `name=value` entry each ({@link cookiesArrayFrom}); none: no `cookies` key. */
  cookies: readonly string[]
  body?: string | undefined
  isBase64Encoded?: boolean | undefined
  routeKey: string
  pathParameters?: Record<string, string> | undefined
  accountId: string
  apiId: string
  domainName: string
  /** `HTTP/1.1` */
  protocol: string
  sourceIp: string
  requestId: string
  stage: string
  /** When the request arrived, epoch milliseconds. */
  timeEpoch: number
}

/**
 * The payload 2.0 event of `request`: `rawQueryString` without `?`, `queryStringParameters` decoded with
 * duplicates joined by commas (absent without a query), `requestContext.http` from the request, and
 * `cookies`, `pathParameters` and `body` only when there are some.
 *
 * @example
 * ```ts
 * payloadV2Event({ method: 'GET', url: '/a?x=1', cookies: ['id=abc'], ...rest }).queryStringParameters // { x: '1' }
 * ```
 */
export function payloadV2Event(request: PayloadV2Request): APIGatewayProxyEventV2 {
  const question = request.url.indexOf('?')
  const rawPath = question === -1 ? request.url : request.url.slice(0, question)
  const rawQueryString = question === -1 ? '' : request.url.slice(question + 1)
  const { headers, routeKey, domainName, timeEpoch } = request
  const queryStringParameters: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[key] =
      key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value
  }
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(request.cookies.length > 0 ? { cookies: [...request.cookies] } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: request.accountId,
      apiId: request.apiId,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey,
      stage: request.stage,
      time: formatRequestTime(new Date(timeEpoch)),
      timeEpoch,
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
    isBase64Encoded: request.isBase64Encoded ?? false,
  }
}

/**
 * A `Cookie` header as payload 2.0's `cookies` array, the way API Gateway builds it: one trimmed
 * `name=value` entry per `;`-separated pair.
 *
 * @example
 * ```ts
 * cookiesArrayFrom('theme=dark; id=abc') // ['theme=dark', 'id=abc']
 * ```
 */
export function cookiesArrayFrom(header: string): string[] {
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * `12/Mar/2020:19:03:58 +0000`: API Gateway's `requestContext.time` (REST API: `requestTime`).
 *
 * @example
 * ```ts
 * formatRequestTime(new Date('2020-03-02T09:03:08Z')) // '02/Mar/2020:09:03:08 +0000'
 * ```
 */
export function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  )
}

/**
 * A percent-encoded path segment decoded as API Gateway decodes path parameters; text that is not
 * valid percent-encoding stays as it is.
 *
 * @example
 * ```ts
 * safeDecode('a%20b') // 'a b'
 * safeDecode('100%') // '100%'
 * ```
 */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
