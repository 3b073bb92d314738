import { describe, expect, it } from 'vitest'
import {
  createLambdaContext,
  formatRequestTime,
  fromHandlerResult,
  isTextContentType,
  MalformedResultError,
  matchRoute,
  type RawHttpRequest,
  toHttpApiEvent,
} from '../../../scripts/http-to-lambda.ts'

const counterRoutes = ['GET /', 'ANY /{proxy+}']

function request(overrides: Partial<RawHttpRequest> = {}): RawHttpRequest {
  return {
    method: 'GET',
    url: '/api/count',
    httpVersion: '1.1',
    rawHeaders: ['Host', 'localhost:3000', 'User-Agent', 'test-agent/1.0', 'Accept', 'application/json'],
    remoteAddress: '::ffff:127.0.0.1',
    localPort: 3000,
    body: Buffer.alloc(0),
    ...overrides,
  }
}

describe('matchRoute', () => {
  it('sends / to GET / and everything below it to the greedy proxy route, with its path parameter', () => {
    expect(matchRoute(counterRoutes, 'GET', '/')).toEqual({ routeKey: 'GET /' })
    expect(matchRoute(counterRoutes, 'GET', '/api/count')).toEqual({
      routeKey: 'ANY /{proxy+}',
      pathParameters: { proxy: 'api/count' },
    })
    expect(matchRoute(counterRoutes, 'POST', '/reset')).toEqual({
      routeKey: 'ANY /{proxy+}',
      pathParameters: { proxy: 'reset' },
    })
  })

  it('finds no route where API Gateway finds none (it answers 404 without calling the function)', () => {
    expect(matchRoute(counterRoutes, 'POST', '/')).toBeUndefined()
    expect(matchRoute(['GET /health'], 'GET', '/healthz')).toBeUndefined()
  })

  it('prefers exact paths, then path variables, then greedy variables, then $default; a method over ANY', () => {
    const routes = ['$default', 'ANY /{proxy+}', 'GET /pets/{id}', 'GET /pets/dog', 'ANY /pets/dog']
    expect(matchRoute(routes, 'GET', '/pets/dog')?.routeKey).toBe('GET /pets/dog')
    expect(matchRoute(routes, 'DELETE', '/pets/dog')?.routeKey).toBe('ANY /pets/dog')
    expect(matchRoute(routes, 'GET', '/pets/cat')).toEqual({
      routeKey: 'GET /pets/{id}',
      pathParameters: { id: 'cat' },
    })
    expect(matchRoute(routes, 'GET', '/pets/cat/toys')?.routeKey).toBe('ANY /{proxy+}')
    expect(matchRoute(routes, 'POST', '/')?.routeKey).toBe('$default')
  })
})

describe('isTextContentType', () => {
  it('passes text, JSON, XML and JavaScript as text and everything else (forms too) as binary', () => {
    for (const type of ['text/plain', 'text/html; charset=utf-8', 'application/json', 'Application/XML']) {
      expect(isTextContentType(type)).toBe(true)
    }
    for (const type of [
      'application/x-www-form-urlencoded',
      'image/png',
      'application/octet-stream',
      undefined,
    ]) {
      expect(isTextContentType(type)).toBe(false)
    }
  })
})

describe('toHttpApiEvent', () => {
  const now = new Date('2026-03-12T19:03:58.390Z')

  it('builds a payload 2.0 event with the fields API Gateway sends', () => {
    const event = toHttpApiEvent(request(), {
      routeKey: 'ANY /{proxy+}',
      pathParameters: { proxy: 'api/count' },
      now,
      requestId: 'req-1',
    })
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'ANY /{proxy+}',
      rawPath: '/api/count',
      rawQueryString: '',
      pathParameters: { proxy: 'api/count' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '123456789012',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: 'GET',
          path: '/api/count',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'test-agent/1.0',
        },
        requestId: 'req-1',
        routeKey: 'ANY /{proxy+}',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: now.getTime(),
      },
    })
    expect(event.headers).toMatchObject({
      host: 'localhost:3000',
      'user-agent': 'test-agent/1.0',
      accept: 'application/json',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': '3000',
    })
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
    // Keys API Gateway leaves out when there is nothing to carry.
    expect(event).not.toHaveProperty('cookies')
    expect(event).not.toHaveProperty('queryStringParameters')
    expect(event).not.toHaveProperty('body')
  })

  it('moves every Cookie header into cookies, split on ";", and leaves no cookie header', () => {
    const event = toHttpApiEvent(
      request({
        rawHeaders: ['Cookie', 'id=abc; theme=dark', 'cookie', 'consent="yes"', 'Host', 'localhost'],
      }),
      { routeKey: '$default' },
    )
    expect(event.cookies).toEqual(['id=abc', 'theme=dark', 'consent="yes"'])
    expect(event.headers).not.toHaveProperty('cookie')
    expect(event.headers).not.toHaveProperty('Cookie')
  })

  it('lower-cases header names and joins duplicates with commas', () => {
    const event = toHttpApiEvent(
      request({ rawHeaders: ['X-Custom', 'a', 'x-custom', 'b', 'Accept', '*/*'] }),
      {
        routeKey: '$default',
      },
    )
    expect(event.headers['x-custom']).toBe('a,b')
    expect(event.headers.accept).toBe('*/*')
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true)
  })

  it('keeps the raw query string without "?" and decodes the parameters, duplicates joined with commas', () => {
    const event = toHttpApiEvent(request({ url: '/search?q=a%20b&tag=x&tag=y&plus=1+2' }), {
      routeKey: '$default',
    })
    expect(event.rawPath).toBe('/search')
    expect(event.rawQueryString).toBe('q=a%20b&tag=x&tag=y&plus=1+2')
    expect(event.queryStringParameters).toEqual({ q: 'a b', tag: 'x,y', plus: '1 2' })
  })

  it('passes a JSON body as text and a binary or form body as base64', () => {
    const json = toHttpApiEvent(
      request({
        method: 'POST',
        rawHeaders: ['Content-Type', 'application/json'],
        body: Buffer.from('{"a":1}'),
      }),
      { routeKey: '$default' },
    )
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false })

    const bytes = Buffer.from([0, 1, 2, 250, 255])
    const binary = toHttpApiEvent(
      request({ method: 'POST', rawHeaders: ['Content-Type', 'application/octet-stream'], body: bytes }),
      { routeKey: '$default' },
    )
    expect(binary.isBase64Encoded).toBe(true)
    expect(Buffer.from(binary.body ?? '', 'base64')).toEqual(bytes)

    const form = toHttpApiEvent(
      request({
        method: 'POST',
        rawHeaders: ['Content-Type', 'application/x-www-form-urlencoded'],
        body: Buffer.from('a=1'),
      }),
      { routeKey: '$default' },
    )
    expect(form).toMatchObject({ body: Buffer.from('a=1').toString('base64'), isBase64Encoded: true })
  })

  it('appends the client address to an existing x-forwarded-for', () => {
    const event = toHttpApiEvent(request({ rawHeaders: ['X-Forwarded-For', '203.0.113.7'] }), {
      routeKey: '$default',
    })
    expect(event.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1')
  })
})

describe('fromHandlerResult', () => {
  it('turns every entry of cookies into its own Set-Cookie header, never joined', () => {
    const response = fromHandlerResult({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-Count': 3, 'X-Flag': true },
      cookies: ['id=abc; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly', 'theme=dark'],
      body: 'created',
    })
    expect(response.statusCode).toBe(201)
    expect(response.headers).toEqual({
      'content-type': 'text/plain',
      'x-count': '3',
      'x-flag': 'true',
      'set-cookie': ['id=abc; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly', 'theme=dark'],
    })
    expect(response.body.toString()).toBe('created')
  })

  it('keeps a Set-Cookie header the handler wrote itself next to the cookies', () => {
    const response = fromHandlerResult({
      statusCode: 200,
      headers: { 'Set-Cookie': 'a=1' },
      cookies: ['b=2'],
    })
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2'])
    expect(response.body.length).toBe(0)
  })

  it('decodes a base64 body', () => {
    const bytes = Buffer.from([137, 80, 78, 71])
    const response = fromHandlerResult({
      statusCode: 200,
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    })
    expect(response.body).toEqual(bytes)
  })

  it('infers a 200 JSON response for a string or an object without statusCode, as payload 2.0 does', () => {
    const text = fromHandlerResult('hello')
    expect(text).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } })
    expect(text.body.toString()).toBe('"hello"') // Lambda serialises the result as JSON
    const object = fromHandlerResult({ count: 2 })
    expect(object).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } })
    expect(object.body.toString()).toBe('{"count":2}')
    expect(fromHandlerResult(undefined).body.toString()).toBe('null')
  })

  it('rejects what API Gateway cannot map (it answers 500)', () => {
    expect(() => fromHandlerResult({ statusCode: '200' })).toThrow(MalformedResultError)
    expect(() => fromHandlerResult({ statusCode: 200, body: { a: 1 } })).toThrow(MalformedResultError)
    expect(() => fromHandlerResult({ statusCode: 200, cookies: 'a=1' })).toThrow(MalformedResultError)
  })
})

describe('formatRequestTime', () => {
  it('formats like requestContext.time', () => {
    expect(formatRequestTime(new Date('2020-03-02T09:03:08Z'))).toBe('02/Mar/2020:09:03:08 +0000')
  })
})

describe('createLambdaContext', () => {
  it('looks like the Node.js runtime context and counts the remaining time down', () => {
    const context = createLambdaContext({
      functionName: 'CounterFunction',
      timeoutMs: 10_000,
      memorySize: 256,
      region: 'eu-west-1',
      startedAt: Date.now() - 4_000,
    })
    expect(context).toMatchObject({
      functionName: 'CounterFunction',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:CounterFunction',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/CounterFunction',
      callbackWaitsForEmptyEventLoop: true,
    })
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/)
    const remaining = context.getRemainingTimeInMillis()
    expect(remaining).toBeGreaterThan(5_000)
    expect(remaining).toBeLessThanOrEqual(6_000)
    expect(() => context.succeed('x')).toThrow(/return a value/)
  })
})
