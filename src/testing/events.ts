/**
 * Lambda events for tests, one builder per AWS front door: a browser's request (method, path, cookie
 * jar, headers, body) as API Gateway, a function URL or an ALB would hand it to the function. The
 * events have the shapes of the repository's `events/*.json` samples (what `sam local invoke -e`
 * takes): same headers, ids and hosts, so a `GET /api/count` without cookies is exactly the
 * `*-first-visit.json` sample of its door.
 *
 * @module
 */
import type { ALBEvent, APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda'
import type { CookieJar } from './cookie-jar.ts'
import type { KnownFrontDoor } from './front-doors.ts'
import { cookiesArrayFrom, formatRequestTime, payloadV2Event, safeDecode } from './payload-v2.ts'

/**
 * The event type of each front door (from `@types/aws-lambda`).
 *
 * @example
 * ```ts
 * const event: HttpEventMap['rest-api-v1'] = httpEvent('rest-api-v1', { path: '/' })
 * event.multiValueHeaders
 * ```
 */
export interface HttpEventMap {
  'http-api-v2': APIGatewayProxyEventV2
  'function-url': APIGatewayProxyEventV2
  'rest-api-v1': APIGatewayProxyEvent
  alb: ALBEvent
  'alb-multi-value': ALBEvent
}

/**
 * The request {@link httpEvent} turns into an event.
 *
 * @example
 * ```ts
 * const request: HttpEventOptions = {
 *   method: 'POST',
 *   path: '/login?next=%2Fhome',
 *   jar,
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ user: 'ada' }),
 * }
 * ```
 */
export interface HttpEventOptions {
  /** Default `GET`. */
  method?: string | undefined
  /** The path as the client sent it, with an optional query: `/api/count?x=1`. */
  path: string
  /** The browser's cookies: sent as its `Cookie` header, where the front door carries it. */
  jar?: CookieJar | undefined
  /**
   * A `Cookie` header as a client sends it (`'id=abc; theme=dark'`), sent after the jar's cookies: for
   * what a jar would not hold, e.g. a forged or duplicate cookie.
   */
  cookie?: string | undefined
  /**
   * Request headers, added to (or replacing, in any letter case) the door's sample headers. Names are
   * lower-cased on the doors that lower-case them (payload 2.0, ALB). Cookies go in `jar` or `cookie`: a
   * `cookie` header given here stays a plain header, even on payload 2.0 doors (where API Gateway would
   * have moved it into `cookies`), and the jar's and `cookie` replace it on the others.
   */
  headers?: Record<string, string> | undefined
  /** The body as the door passes it: text, or base64 with `isBase64Encoded`. Sets `content-length`. */
  body?: string | undefined
  /** Default `false`. */
  isBase64Encoded?: boolean | undefined
  /**
   * When the request arrived (`requestContext.time`/`timeEpoch`, REST API `requestTime`), e.g. a
   * {@link TestClock}'s `now()`. Default the samples' time, `2026-11-26T04:20:00.417Z`.
   */
  time?: number | Date | undefined
}

/** A request with its parts taken apart, as every builder needs it. */
interface Request {
  method: string
  path: string
  query: string
  cookie: string | undefined
  headers: Record<string, string>
  body: string | undefined
  isBase64Encoded: boolean
  timeEpoch: number
}

/**
 * The event `frontDoor` would send the function for a request: the jar's cookies (and `cookie`) where
 * that door carries them, as `detectFrontDoor` and `readRequestCookies` expect them.
 *
 * | front door | cookies | headers | query |
 * |---|---|---|---|
 * | `http-api-v2`, `function-url` | `cookies: ['a=1', 'b=2']` | `headers`, lower-case | `rawQueryString`, `queryStringParameters` (decoded, duplicates joined by commas) |
 * | `rest-api-v1` | `headers.Cookie` and `multiValueHeaders.Cookie` | both, as given | `queryStringParameters` (decoded, the last duplicate), `multiValueQueryStringParameters` |
 * | `alb` | `headers.cookie` | `headers`, lower-case | `queryStringParameters` (as sent, not decoded) |
 * | `alb-multi-value` | `multiValueHeaders.cookie` | `multiValueHeaders`, lower-case | `multiValueQueryStringParameters` (as sent) |
 *
 * Routes are those of the repository's `template.yaml`: the HTTP API's `ANY /{proxy+}` with
 * `pathParameters.proxy` (`GET /` for `/`), the REST API's `/{proxy+}` resource (`/` for `/`) on stage
 * `Prod`, and `$default` for function URLs. Each call builds a new event; ids and times are fixed
 * unless `time` is given.
 *
 * @example
 * ```ts
 * const jar = new CookieJar()
 * const first = httpEvent('rest-api-v1', { path: '/api/count', jar })
 * jar.takeFrom(await handler(first, context), first)
 * const again = httpEvent('rest-api-v1', { path: '/api/count', jar })
 * again.headers.Cookie // 'id=...'
 * httpEvent('alb', { method: 'POST', path: '/reset', jar }).headers?.cookie // 'id=...'
 * ```
 */
export function httpEvent<D extends KnownFrontDoor>(
  frontDoor: D,
  options: HttpEventOptions,
): HttpEventMap[D] {
  const builder = Object.hasOwn(BUILDERS, frontDoor)
    ? (BUILDERS[frontDoor] as (request: Request) => HttpEventMap[D])
    : undefined
  if (!builder) throw new TypeError(`httpEvent: unknown front door ${JSON.stringify(frontDoor)}`)
  const url = options.path
  if (typeof url !== 'string' || !url.startsWith('/')) {
    throw new TypeError(`httpEvent: path must start with "/", got ${JSON.stringify(url)}`)
  }
  const question = url.indexOf('?')
  const cookies = [options.jar?.header(), options.cookie].filter((value) => value !== undefined)
  const time = options.time ?? SAMPLE_TIME
  return builder({
    method: (options.method ?? 'GET').toUpperCase(),
    path: question === -1 ? url : url.slice(0, question),
    query: question === -1 ? '' : url.slice(question + 1),
    cookie: cookies.length > 0 ? cookies.join('; ') : undefined,
    headers: options.headers ?? {},
    body: options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    timeEpoch: time instanceof Date ? time.getTime() : time,
  })
}

// The samples' values (events/*.json): documentation addresses, example ids, one Chrome on Linux.
const SAMPLE_TIME = 1795666800417
const SOURCE_IP = '203.0.113.10'
const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36'
const TRACE_ID = 'Root=1-6926804e-5f1c2a7b9d0e3f4a6b8c1d2e'
const ACCOUNT_ID = '123456789012'
const HTTP_API_ID = 'a1b2c3d4e5'
const REST_API_ID = 'b2c3d4e5f6'
const FUNCTION_URL_ID = 'k7xq2m4nd5sygzv3hfu6wcebtr2ap9ld'
const TARGET_GROUP_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/counter-lambda/7c4e2f1a9b3d5e60'

/** What a browser sends every door, lower-case. */
const BROWSER_HEADERS = {
  accept: 'application/json',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'accept-language': 'en-GB,en;q=0.9',
}

/** What the door adds after the browser's headers, lower-case. */
const FORWARDED_HEADERS = {
  'x-amzn-trace-id': TRACE_ID,
  'x-forwarded-for': SOURCE_IP,
  'x-forwarded-port': '443',
  'x-forwarded-proto': 'https',
}

const BUILDERS: { [D in KnownFrontDoor]: (request: Request) => HttpEventMap[D] } = {
  'http-api-v2': (request) => {
    const root = request.path === '/'
    const host = `${HTTP_API_ID}.execute-api.eu-west-1.amazonaws.com`
    const headers = {
      ...BROWSER_HEADERS,
      'content-length': '0',
      host,
      'user-agent': USER_AGENT,
      ...FORWARDED_HEADERS,
    }
    return payloadV2Event({
      ...payloadV2Parts(request, headers, host),
      routeKey: root ? `${request.method} /` : 'ANY /{proxy+}',
      pathParameters: root ? undefined : { proxy: safeDecode(request.path.slice(1)) },
      accountId: ACCOUNT_ID,
      apiId: HTTP_API_ID,
      requestId: 'UQ2LKhXJjoEEMqA=',
    })
  },

  'function-url': (request) => {
    const host = `${FUNCTION_URL_ID}.lambda-url.eu-west-1.on.aws`
    const headers = {
      ...BROWSER_HEADERS,
      host,
      'user-agent': USER_AGENT,
      'x-amzn-tls-cipher-suite': 'TLS_AES_128_GCM_SHA256',
      'x-amzn-tls-version': 'TLSv1.3',
      ...FORWARDED_HEADERS,
    }
    return payloadV2Event({
      ...payloadV2Parts(request, headers, host),
      routeKey: '$default',
      accountId: 'anonymous',
      apiId: FUNCTION_URL_ID,
      requestId: 'f2c1b3a4-5d6e-4f70-8a9b-0c1d2e3f4a5b',
    })
  },

  'rest-api-v1': (request) => {
    const host = `${REST_API_ID}.execute-api.eu-west-1.amazonaws.com`
    // API Gateway passes the names as the client sent them; CloudFront, in front of it, adds its own.
    const sample = {
      Accept: BROWSER_HEADERS.accept,
      'Accept-Encoding': BROWSER_HEADERS['accept-encoding'],
      'Accept-Language': BROWSER_HEADERS['accept-language'],
      'CloudFront-Forwarded-Proto': 'https',
      'CloudFront-Is-Desktop-Viewer': 'true',
      'CloudFront-Is-Mobile-Viewer': 'false',
      'CloudFront-Is-SmartTV-Viewer': 'false',
      'CloudFront-Is-Tablet-Viewer': 'false',
      'CloudFront-Viewer-ASN': '64496',
      'CloudFront-Viewer-Country': 'GB',
      Host: host,
      'User-Agent': USER_AGENT,
      Via: '2.0 3f1e2d4c5b6a79880f1e2d3c4b5a6978.cloudfront.net (CloudFront)',
      'X-Amz-Cf-Id': 'Xk4mT2vN9qL0pR7sW3yZ8aB1cD6eF5gH2iJ4kL7mN0oP9qR3sT6uV==',
      'X-Amzn-Trace-Id': TRACE_ID,
      'X-Forwarded-For': `${SOURCE_IP}, 130.176.212.14`,
      'X-Forwarded-Port': '443',
      'X-Forwarded-Proto': 'https',
    }
    const headers = requestHeaders(request, sample, 'Cookie', false)
    const root = request.path === '/'
    const resource = root ? '/' : '/{proxy+}'
    const query = queryPairs(request.query, true)
    const event = {
      resource,
      path: request.path,
      httpMethod: request.method,
      headers,
      multiValueHeaders: multiValue(Object.entries(headers)),
      queryStringParameters: query.length > 0 ? Object.fromEntries(query) : null,
      multiValueQueryStringParameters: query.length > 0 ? multiValue(query) : null,
      pathParameters: root ? null : { proxy: safeDecode(request.path.slice(1)) },
      stageVariables: null,
      requestContext: {
        resourceId: 'x1y2z3',
        resourcePath: resource,
        httpMethod: request.method,
        extendedRequestId: 'UQ2LKhXJjoEFtWg=',
        requestTime: formatRequestTime(new Date(request.timeEpoch)),
        path: `/Prod${request.path}`,
        accountId: ACCOUNT_ID,
        protocol: 'HTTP/1.1',
        stage: 'Prod',
        domainPrefix: REST_API_ID,
        requestTimeEpoch: request.timeEpoch,
        requestId: '7d3f1a2b-4c5e-4d6f-8a9b-1c2d3e4f5a6b',
        identity: {
          cognitoIdentityPoolId: null,
          accountId: null,
          cognitoIdentityId: null,
          caller: null,
          sourceIp: SOURCE_IP,
          principalOrgId: null,
          accessKey: null,
          cognitoAuthenticationType: null,
          cognitoAuthenticationProvider: null,
          userArn: null,
          userAgent: USER_AGENT,
          user: null,
        },
        domainName: host,
        deploymentId: 'k9l8m7',
        apiId: REST_API_ID,
      },
      body: request.body ?? null,
      isBase64Encoded: request.isBase64Encoded,
    }
    // API Gateway sends no `apiKey`, `clientCert` or `authorizer` without those features, which the
    // type declares anyway.
    return event as unknown as APIGatewayProxyEvent
  },

  alb: (request) => albEvent(request, false),
  'alb-multi-value': (request) => albEvent(request, true),
}

/** The parts of a payload 2.0 event that come from the request, for {@link payloadV2Event}. */
function payloadV2Parts(request: Request, sample: Record<string, string>, domainName: string) {
  return {
    method: request.method,
    url: request.query ? `${request.path}?${request.query}` : request.path,
    headers: requestHeaders(request, sample, undefined, true),
    cookies: request.cookie === undefined ? [] : cookiesArrayFrom(request.cookie),
    body: request.body,
    isBase64Encoded: request.isBase64Encoded,
    domainName,
    protocol: 'HTTP/1.1',
    sourceIp: SOURCE_IP,
    stage: '$default',
    timeEpoch: request.timeEpoch,
  }
}

/** An ALB event, with `headers` or, for a target group with multi-value headers, `multiValueHeaders`. */
function albEvent(request: Request, multiValueHeaders: boolean): ALBEvent {
  const sample = {
    ...BROWSER_HEADERS,
    connection: 'keep-alive',
    host: 'counter-alb-1234567890.eu-west-1.elb.amazonaws.com',
    'user-agent': USER_AGENT,
    ...FORWARDED_HEADERS,
  }
  const headers = requestHeaders(request, sample, 'cookie', true)
  const query = queryPairs(request.query, false)
  return {
    requestContext: { elb: { targetGroupArn: TARGET_GROUP_ARN } },
    httpMethod: request.method,
    path: request.path,
    ...(multiValueHeaders
      ? {
          multiValueQueryStringParameters: multiValue(query),
          multiValueHeaders: multiValue(Object.entries(headers)),
        }
      : { queryStringParameters: Object.fromEntries(query), headers }),
    body: request.body ?? '',
    isBase64Encoded: request.isBase64Encoded,
  }
}

/**
 * The door's sample headers with the request's: its `content-length` when it has a body, its headers
 * (replacing a sample header of the same name in any case; names lower-cased with `lowerCase`), and
 * its cookies as header `cookieName` (payload 2.0 doors pass none: cookies go into `cookies`).
 */
function requestHeaders(
  request: Request,
  sample: Record<string, string>,
  cookieName: string | undefined,
  lowerCase: boolean,
): Record<string, string> {
  const headers: Record<string, string> = { ...sample }
  const set = (name: string, value: string) => {
    const key = lowerCase ? name.toLowerCase() : name
    for (const existing of Object.keys(headers)) {
      if (existing.toLowerCase() === key.toLowerCase()) delete headers[existing]
    }
    headers[key] = value
  }
  if (request.body !== undefined) {
    const length = Buffer.byteLength(request.body, request.isBase64Encoded ? 'base64' : 'utf8')
    set(lowerCase ? 'content-length' : 'Content-Length', String(length))
  }
  for (const [name, value] of Object.entries(request.headers)) set(name, value)
  if (cookieName !== undefined && request.cookie !== undefined) set(cookieName, request.cookie)
  return headers
}

/**
 * The `name=value` pairs of a query string, decoded (as API Gateway does) or as sent (as ALB does:
 * it passes parameters URL-encoded).
 */
function queryPairs(query: string, decode: boolean): [string, string][] {
  if (decode) return [...new URLSearchParams(query)]
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=')
      return equals === -1 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)]
    })
}

/** Name-value pairs as a multi-value map: each name with every value, in order. */
function multiValue(pairs: [string, string][]): Record<string, string[]> {
  const lists: Record<string, string[]> = {}
  for (const [name, value] of pairs) {
    lists[name] = [...(lists[name] ?? []), value]
  }
  return lists
}
