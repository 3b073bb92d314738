/**
 * Turns a plain HTTP request into the event API Gateway's HTTP API sends a Lambda function
 * (payload format 2.0), and the function's result back into an HTTP response, following the rules
 * API Gateway applies. Pure functions: no sockets, no clock unless given one. The event itself is
 * assembled, and the result's cookies read, by the testing subpath's code (`src/testing/`), so the dev
 * server and the test event builders cannot drift apart.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'
import { cookiesArrayFrom, payloadV2Event, safeDecode } from '../src/testing/payload-v2.ts'
import { readSetCookies } from '../src/testing/set-cookies.ts'

export { formatRequestTime } from '../src/testing/payload-v2.ts'

/** The request as the server received it. */
export interface RawHttpRequest {
  method: string
  /** Path and query as sent: `/api/count?x=1`. */
  url: string
  /** `1.1` */
  httpVersion: string
  /** Alternating names and values, duplicates kept (Node's `IncomingMessage.rawHeaders`). */
  rawHeaders: readonly string[]
  remoteAddress?: string | undefined
  /** The port the server listens on, for `x-forwarded-port`. */
  localPort?: number | undefined
  body: Buffer
}

export interface RouteMatch {
  routeKey: string
  pathParameters?: Record<string, string>
}

interface ParsedRoute {
  routeKey: string
  method: string
  segments: string[]
}

function parseRouteKey(routeKey: string): ParsedRoute {
  if (routeKey === '$default') return { routeKey, method: 'ANY', segments: [] }
  const space = routeKey.indexOf(' ')
  if (space < 1) throw new Error(`Route key must be "METHOD /path" or "$default", got "${routeKey}"`)
  const path = routeKey.slice(space + 1)
  return { routeKey, method: routeKey.slice(0, space).toUpperCase(), segments: splitPath(path) }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment, index) => index > 0 || segment !== '')
}

/**
 * Picks the route API Gateway would pick: exact paths before path variables before a greedy
 * `{proxy+}`, a named method before `ANY`, and `$default` last. `undefined` means API Gateway answers
 * `404 {"message":"Not Found"}` without calling the function.
 *
 * @example
 * matchRoute(['GET /', 'ANY /{proxy+}'], 'GET', '/api/count')
 * // { routeKey: 'ANY /{proxy+}', pathParameters: { proxy: 'api/count' } }
 */
export function matchRoute(
  routeKeys: readonly string[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const requestSegments = splitPath(path)
  let best: { match: RouteMatch; score: number[] } | undefined
  for (const route of routeKeys.map(parseRouteKey)) {
    if (route.routeKey === '$default') {
      if (!best) best = { match: { routeKey: '$default' }, score: [-1] }
      continue
    }
    if (route.method !== 'ANY' && route.method !== method.toUpperCase()) continue
    const parameters: Record<string, string> = {}
    let literal = 0
    let greedy = false
    let matched = true
    for (let i = 0; i < route.segments.length; i++) {
      const segment = route.segments[i] ?? ''
      const variable = /^\{([^}]+?)(\+)?\}$/.exec(segment)
      if (variable?.[2]) {
        // A greedy variable takes one or more remaining segments.
        const rest = requestSegments.slice(i)
        if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) matched = false
        else parameters[variable[1] ?? 'proxy'] = safeDecode(rest.join('/'))
        greedy = true
        break
      }
      const value = requestSegments[i]
      if (value === undefined) {
        matched = false
        break
      }
      if (variable) {
        if (value === '') matched = false
        parameters[variable[1] ?? ''] = safeDecode(value)
      } else if (segment === value) {
        literal++
      } else {
        matched = false
      }
      if (!matched) break
    }
    if (!matched || (!greedy && requestSegments.length !== route.segments.length)) continue
    const score = [greedy ? 0 : 1, literal, route.method === 'ANY' ? 0 : 1]
    if (!best || compareScores(score, best.score) > 0) {
      const match: RouteMatch = { routeKey: route.routeKey }
      if (Object.keys(parameters).length > 0) match.pathParameters = parameters
      best = { match, score }
    }
  }
  return best?.match
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -2) - (b[i] ?? -2)
    if (diff !== 0) return diff
  }
  return 0
}

/**
 * Whether HTTP API passes a body of this content type as text. Measured against AWS: only `text/*`,
 * `application/json`, `application/xml` and `application/javascript` arrive as text; everything else,
 * `application/x-www-form-urlencoded` and a missing content type included, arrives base64-encoded.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/xml' ||
    type === 'application/javascript'
  )
}

export interface EventOptions extends RouteMatch {
  /** Default `$default`. */
  stage?: string
  now?: Date
  requestId?: string
  apiId?: string
  accountId?: string
}

/**
 * Builds the HTTP API payload 2.0 event for a request: header names lower-cased and duplicates joined
 * with commas, `Cookie` headers moved into `cookies`, `rawQueryString` without `?`,
 * `queryStringParameters` decoded (duplicates joined with commas), and the body as text or base64.
 *
 * @example
 * const event = toHttpApiEvent(
 *   { method: 'GET', url: '/api/count', httpVersion: '1.1', rawHeaders: ['Cookie', 'id=abc'], body: Buffer.alloc(0) },
 *   { routeKey: 'ANY /{proxy+}', pathParameters: { proxy: 'api/count' } },
 * )
 * event.cookies // ['id=abc']
 */
export function toHttpApiEvent(request: RawHttpRequest, options: EventOptions): APIGatewayProxyEventV2 {
  const now = options.now ?? new Date()
  const headers: Record<string, string> = {}
  const cookies: string[] = []
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] ?? '').toLowerCase()
    const value = request.rawHeaders[i + 1] ?? ''
    if (name === 'cookie') {
      cookies.push(...cookiesArrayFrom(value))
      continue
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value
  }
  const sourceIp = (request.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '')
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp
  headers['x-forwarded-proto'] = 'http'
  if (request.localPort) headers['x-forwarded-port'] = String(request.localPort)
  headers['x-amzn-trace-id'] =
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`

  const text = isTextContentType(headers['content-type'])
  return payloadV2Event({
    method: request.method,
    url: request.url,
    headers,
    cookies,
    ...(request.body.length > 0
      ? { body: request.body.toString(text ? 'utf8' : 'base64'), isBase64Encoded: !text }
      : {}),
    routeKey: options.routeKey,
    pathParameters: options.pathParameters,
    accountId: options.accountId ?? '123456789012',
    apiId: options.apiId ?? 'local',
    domainName: (headers.host ?? 'localhost').replace(/:\d+$/, ''),
    protocol: `HTTP/${request.httpVersion}`,
    sourceIp,
    requestId: options.requestId ?? randomBytes(11).toString('base64'),
    stage: options.stage ?? '$default',
    timeEpoch: now.getTime(),
  })
}

/** An HTTP response ready to write: header values are strings, `set-cookie` a list. */
export interface HttpResponse {
  statusCode: number
  headers: Record<string, string | string[]>
  body: Buffer
}

/** The function returned something API Gateway cannot turn into a response (it answers 500). */
export class MalformedResultError extends Error {
  override name = 'MalformedResultError'
}

/**
 * Maps a function's result to a response the way HTTP API does for payload 2.0: an object with
 * `statusCode` is used as is (`cookies` become one `Set-Cookie` header each, a base64 body is decoded);
 * anything else (a string too) is a `200` whose body is the value's JSON text, as Lambda serialises the
 * result: a string `hi` reaches the client as `"hi"`, quotes included (the function URL documentation
 * shows exactly this), which is also what the session middleware produces when it adds a cookie to it.
 *
 * @example
 * fromHandlerResult({ statusCode: 200, cookies: ['a=1', 'b=2'], body: 'hi' }).headers['set-cookie'] // ['a=1', 'b=2']
 * fromHandlerResult({ count: 1 }).body.toString() // '{"count":1}'
 */
export function fromHandlerResult(result: unknown): HttpResponse {
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
    const body = JSON.stringify(result ?? null)
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) }
  }
  const structured = result as {
    statusCode: unknown
    headers?: Record<string, unknown>
    cookies?: unknown
    body?: unknown
    isBase64Encoded?: unknown
  }
  const { statusCode } = structured
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new MalformedResultError(
      `statusCode must be an integer HTTP status, got ${JSON.stringify(statusCode)}`,
    )
  }
  if (structured.body !== undefined && structured.body !== null && typeof structured.body !== 'string') {
    throw new MalformedResultError(`body must be a string, got ${typeof structured.body}`)
  }
  if (structured.cookies !== undefined && !Array.isArray(structured.cookies)) {
    throw new MalformedResultError('cookies must be an array of Set-Cookie strings')
  }
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(structured.headers ?? {})) {
    const lower = name.toLowerCase()
    if (value !== undefined && value !== null && lower !== 'set-cookie') headers[lower] = String(value)
  }
  const setCookies = readSetCookies(result, 'http-api-v2')
  if (setCookies.length > 0) headers['set-cookie'] = setCookies
  const text = (structured.body as string | undefined | null) ?? ''
  const body = structured.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text)
  return { statusCode, headers, body }
}

export interface LambdaContextOptions {
  functionName: string
  timeoutMs: number
  memorySize?: number
  region?: string
  requestId?: string
  /** When the invocation started, epoch ms. Default now. */
  startedAt?: number
}

/**
 * A Lambda context like the Node.js runtime's: request id, function name and ARN, log group and stream,
 * and `getRemainingTimeInMillis()` counting down from the function's timeout.
 */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const region = options.region ?? 'us-east-1'
  const deadline = (options.startedAt ?? Date.now()) + options.timeoutMs
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/')
  const unsupported = () => {
    throw new Error('done/fail/succeed are not available: return a value or a promise instead')
  }
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${options.functionName}`,
    memoryLimitInMB: String(options.memorySize ?? 128),
    awsRequestId: options.requestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${today}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  }
}
