import { readFileSync } from 'node:fs'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { detectFrontDoor, type FrontDoor } from '../../../src/http/front-door.ts'
import { readRequestCookies } from '../../../src/http/request-cookies.ts'
import {
  CookieJar,
  FRONT_DOORS,
  type HttpEventMap,
  httpEvent,
  type KnownFrontDoor,
  testClock,
} from '../../../src/testing/index.ts'

const SAMPLE_ID = 'q3Jz0m2b4uWk1yC8XvQ9dNfH7sLpTa-_'

function sample(door: KnownFrontDoor, visit: 'first-visit' | 'return-visit'): unknown {
  return JSON.parse(readFileSync(new URL(`../../../events/${door}-${visit}.json`, import.meta.url), 'utf8'))
}

function jarWith(...setCookies: string[]): CookieJar {
  const jar = new CookieJar()
  jar.store(setCookies)
  return jar
}

/** Every place an event can carry a cookie, as [place, value] pairs: to check where the cookies went. */
function cookiePlaces(event: Record<string, unknown>): [string, unknown][] {
  const places: [string, unknown][] = []
  if (event.cookies !== undefined) places.push(['cookies', event.cookies])
  for (const container of ['headers', 'multiValueHeaders']) {
    for (const [name, value] of Object.entries((event[container] ?? {}) as Record<string, unknown>)) {
      if (name.toLowerCase() === 'cookie') places.push([`${container}.${name}`, value])
    }
  }
  return places
}

describe('httpEvent', () => {
  it('knows every front door detectFrontDoor tells, and no other', () => {
    expectTypeOf<KnownFrontDoor>().toEqualTypeOf<Exclude<FrontDoor, 'unknown'>>()
    expect([...FRONT_DOORS].sort()).toEqual(
      ['alb', 'alb-multi-value', 'function-url', 'http-api-v2', 'rest-api-v1'].sort(),
    )
  })

  it.each(FRONT_DOORS)(
    '%s: builds an event detectFrontDoor tells as that door, with or without cookies',
    (door) => {
      expect(detectFrontDoor(httpEvent(door, { path: '/' }))).toBe(door)
      const jar = jarWith('id=abc', 'theme=dark')
      expect(detectFrontDoor(httpEvent(door, { method: 'POST', path: '/reset?x=1', jar, body: 'a' }))).toBe(
        door,
      )
    },
  )

  it.each(FRONT_DOORS)(
    '%s: a GET of /api/count is the events/ sample, first visit and return visit',
    (door) => {
      expect(httpEvent(door, { path: '/api/count' })).toEqual(sample(door, 'first-visit'))
      expect(httpEvent(door, { path: '/api/count', jar: new CookieJar() })).toEqual(
        sample(door, 'first-visit'),
      )
      const jar = jarWith(`id=${SAMPLE_ID}; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax`)
      expect(httpEvent(door, { path: '/api/count', jar })).toEqual(sample(door, 'return-visit'))
    },
  )

  it.each(FRONT_DOORS)('%s: the jar’s cookies land where readRequestCookies finds them', (door) => {
    const jar = jarWith('theme=dark', 'id=abc')
    const event = httpEvent(door, { path: '/api/count', jar })
    expect(readRequestCookies(event, 'id')).toEqual(['abc'])
    expect(readRequestCookies(event, 'theme')).toEqual(['dark'])
  })

  it('puts the cookies where each door carries them, and nowhere else', () => {
    const jar = jarWith('theme=dark', 'id=abc')
    const places = Object.fromEntries(
      FRONT_DOORS.map((door) => [door, cookiePlaces(httpEvent(door, { path: '/', jar }) as never)]),
    )
    expect(places).toEqual({
      'http-api-v2': [['cookies', ['theme=dark', 'id=abc']]],
      'function-url': [['cookies', ['theme=dark', 'id=abc']]],
      'rest-api-v1': [
        ['headers.Cookie', 'theme=dark; id=abc'],
        ['multiValueHeaders.Cookie', ['theme=dark; id=abc']],
      ],
      alb: [['headers.cookie', 'theme=dark; id=abc']],
      'alb-multi-value': [['multiValueHeaders.cookie', ['theme=dark; id=abc']]],
    })
  })

  it.each(FRONT_DOORS)('%s: an empty jar sends no cookie at all', (door) => {
    expect(cookiePlaces(httpEvent(door, { path: '/', jar: new CookieJar() }) as never)).toEqual([])
  })

  it.each(FRONT_DOORS)('%s: `cookie` goes after the jar’s cookies, duplicates and all', (door) => {
    const jar = jarWith('id=from-jar')
    const event = httpEvent(door, { path: '/', jar, cookie: 'id=forged; id=again' })
    expect(readRequestCookies(event, 'id')).toEqual(['from-jar', 'forged', 'again'])
    expect(readRequestCookies(httpEvent(door, { path: '/', cookie: 'id=alone' }), 'id')).toEqual(['alone'])
  })

  it.each(FRONT_DOORS)('%s: a cookie that expired in the jar is not sent', (door) => {
    const clock = testClock()
    const jar = new CookieJar({ now: clock.now })
    jar.store(['id=abc; Max-Age=60', 'theme=dark'])
    clock.advance({ seconds: 60 })
    const event = httpEvent(door, { path: '/', jar })
    expect(readRequestCookies(event, 'id')).toEqual([])
    expect(readRequestCookies(event, 'theme')).toEqual(['dark'])
  })

  it('ALB: without multi-value headers, single values; with them, lists; neither form both', () => {
    const jar = jarWith('id=abc')
    const single = httpEvent('alb', { path: '/search?tag=a&tag=b&q=x%20y', jar, headers: { 'X-Test': '1' } })
    expect(single).not.toHaveProperty('multiValueHeaders')
    expect(single).not.toHaveProperty('multiValueQueryStringParameters')
    expect(single.headers).toMatchObject({ cookie: 'id=abc', 'x-test': '1' })
    // ALB passes parameters as sent (URL-encoded) and, without multi-value headers, the last duplicate.
    expect(single.queryStringParameters).toEqual({ tag: 'b', q: 'x%20y' })

    const multi = httpEvent('alb-multi-value', {
      path: '/search?tag=a&tag=b&q=x%20y',
      jar,
      headers: { 'X-Test': '1' },
    })
    expect(multi).not.toHaveProperty('headers')
    expect(multi).not.toHaveProperty('queryStringParameters')
    expect(multi.multiValueHeaders).toMatchObject({ cookie: ['id=abc'], 'x-test': ['1'] })
    expect(multi.multiValueQueryStringParameters).toEqual({ tag: ['a', 'b'], q: ['x%20y'] })
    expect(httpEvent('alb', { path: '/' }).queryStringParameters).toEqual({})
    expect(httpEvent('alb-multi-value', { path: '/' }).multiValueQueryStringParameters).toEqual({})
  })

  it('payload 2.0: path, query and method where API Gateway puts them', () => {
    const event = httpEvent('http-api-v2', { method: 'post', path: '/search/a%20b?q=a%20b&tag=x&tag=y' })
    expect(event).toMatchObject({
      routeKey: 'ANY /{proxy+}',
      rawPath: '/search/a%20b',
      rawQueryString: 'q=a%20b&tag=x&tag=y',
      queryStringParameters: { q: 'a b', tag: 'x,y' },
      pathParameters: { proxy: 'search/a b' },
      requestContext: { routeKey: 'ANY /{proxy+}', http: { method: 'POST', path: '/search/a%20b' } },
    })
    const root = httpEvent('http-api-v2', { path: '/' })
    expect([root.routeKey, root.requestContext.routeKey, root.pathParameters]).toEqual([
      'GET /',
      'GET /',
      undefined,
    ])
    const url = httpEvent('function-url', { method: 'DELETE', path: '/x?a=1' })
    expect([url.routeKey, url.rawPath, url.rawQueryString, url.requestContext.http.method]).toEqual([
      '$default',
      '/x',
      'a=1',
      'DELETE',
    ])
    expect(url).not.toHaveProperty('pathParameters')
    expect(httpEvent('function-url', { path: '/x' })).not.toHaveProperty('queryStringParameters')
  })

  it('REST API: the proxy resource, the stage in requestContext.path, decoded parameters', () => {
    const event = httpEvent('rest-api-v1', { method: 'PUT', path: '/items/a%2Fb?tag=x&tag=y&q=a%20b' })
    expect(event).toMatchObject({
      resource: '/{proxy+}',
      path: '/items/a%2Fb',
      httpMethod: 'PUT',
      pathParameters: { proxy: 'items/a/b' },
      queryStringParameters: { tag: 'y', q: 'a b' },
      multiValueQueryStringParameters: { tag: ['x', 'y'], q: ['a b'] },
      requestContext: {
        resourcePath: '/{proxy+}',
        httpMethod: 'PUT',
        path: '/Prod/items/a%2Fb',
        stage: 'Prod',
      },
    })
    const root = httpEvent('rest-api-v1', { path: '/' })
    expect([
      root.resource,
      root.requestContext.resourcePath,
      root.requestContext.path,
      root.pathParameters,
    ]).toEqual(['/', '/', '/Prod/', null])
    expect([root.queryStringParameters, root.multiValueQueryStringParameters]).toEqual([null, null])
  })

  it('headers: lower-cased on payload 2.0 and ALB, as given on REST API; a sample header is replaced in any case', () => {
    const headers = { Accept: 'text/html', 'X-Custom': 'yes' }
    const v2 = httpEvent('http-api-v2', { path: '/', headers })
    expect(v2.headers).toMatchObject({ accept: 'text/html', 'x-custom': 'yes' })
    expect(Object.keys(v2.headers).every((name) => name === name.toLowerCase())).toBe(true)
    const alb = httpEvent('alb', { path: '/', headers })
    expect(alb.headers).toMatchObject({ accept: 'text/html', 'x-custom': 'yes' })
    const rest = httpEvent('rest-api-v1', { path: '/', headers: { accept: 'text/html' } })
    expect(rest.headers).toMatchObject({ accept: 'text/html' })
    expect(rest.headers).not.toHaveProperty('Accept')
    expect(rest.multiValueHeaders).toMatchObject({ accept: ['text/html'] })
  })

  it('a cookie header given in headers stays a plain header on payload 2.0, and the jar replaces it elsewhere', () => {
    const v2 = httpEvent('http-api-v2', { path: '/', headers: { Cookie: 'id=header' } })
    expect([v2.cookies, v2.headers.cookie]).toEqual([undefined, 'id=header'])
    const jar = jarWith('id=jar')
    const rest = httpEvent('rest-api-v1', { path: '/', jar, headers: { cookie: 'id=header' } })
    expect(readRequestCookies(rest, 'id')).toEqual(['jar'])
  })

  it.each(FRONT_DOORS)('%s: a body with its content-length; base64 when told', (door) => {
    const event = httpEvent(door, {
      method: 'POST',
      path: '/login',
      body: '{"name":"Zoë"}',
      headers: { 'content-type': 'application/json' },
    }) as HttpEventMap['rest-api-v1'] | HttpEventMap['alb'] | HttpEventMap['http-api-v2']
    expect([event.body, event.isBase64Encoded]).toEqual(['{"name":"Zoë"}', false])
    const lengths = Object.entries({ ...event.headers, ...(event as HttpEventMap['alb']).multiValueHeaders })
      .filter(([name]) => name.toLowerCase() === 'content-length')
      .map(([, value]) => String(value))
    expect(lengths).toEqual(['15'])
    const binary = httpEvent(door, {
      method: 'POST',
      path: '/',
      body: Buffer.from([0, 1, 2]).toString('base64'),
      isBase64Encoded: true,
    })
    expect(binary.isBase64Encoded).toBe(true)
  })

  it('no body: none on payload 2.0, null on REST API, empty on ALB (as the doors send it)', () => {
    expect(httpEvent('http-api-v2', { path: '/' })).not.toHaveProperty('body')
    expect(httpEvent('rest-api-v1', { path: '/' }).body).toBeNull()
    expect(httpEvent('alb', { path: '/' }).body).toBe('')
  })

  it('time: the request time a clock gives, where each door records it', () => {
    const clock = testClock(Date.UTC(2030, 0, 2, 3, 4, 5, 678))
    const v2 = httpEvent('http-api-v2', { path: '/', time: clock.now() })
    expect([v2.requestContext.time, v2.requestContext.timeEpoch]).toEqual([
      '02/Jan/2030:03:04:05 +0000',
      clock.now(),
    ])
    const rest = httpEvent('rest-api-v1', { path: '/', time: new Date(clock.now()) })
    expect([rest.requestContext.requestTime, rest.requestContext.requestTimeEpoch]).toEqual([
      '02/Jan/2030:03:04:05 +0000',
      clock.now(),
    ])
  })

  it.each(FRONT_DOORS)('%s: each call builds a new event; changing one leaves the next alone', (door) => {
    const first = httpEvent(door, { path: '/api/count' }) as unknown as { headers?: Record<string, unknown> }
    if (first.headers) first.headers.accept = 'changed'
    expect(httpEvent(door, { path: '/api/count' })).toEqual(sample(door, 'first-visit'))
  })

  it('refuses an unknown front door and a path without its leading slash', () => {
    expect(() => httpEvent('unknown' as KnownFrontDoor, { path: '/' })).toThrow(TypeError)
    expect(() => httpEvent('toString' as KnownFrontDoor, { path: '/' })).toThrow(TypeError)
    expect(() => httpEvent('alb', { path: 'api/count' })).toThrow(/must start with "\/"/)
  })
})
