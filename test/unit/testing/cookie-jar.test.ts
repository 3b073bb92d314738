import { parseSetCookie } from 'cookie'
import { describe, expect, it } from 'vitest'
import { addSetCookies } from '../../../src/http/response-cookies.ts'
import { CookieJar, FRONT_DOORS, httpEvent, readSetCookies, testClock } from '../../../src/testing/index.ts'

const EXPIRES_PAST = 'Expires=Thu, 01 Jan 1970 00:00:00 GMT'

function clockedJar(start = Date.UTC(2026, 0, 1)) {
  const clock = testClock(start)
  return { clock, jar: new CookieJar({ now: clock.now }) }
}

describe('CookieJar: storing and sending', () => {
  it('is empty at first: no header, no value', () => {
    const jar = new CookieJar()
    expect([jar.header(), jar.value, jar.get('id')]).toEqual([undefined, undefined, undefined])
  })

  it('sends its cookies as one Cookie header, in the order first set; a new value keeps the place', () => {
    const jar = new CookieJar()
    jar.store(['id=1; Path=/; HttpOnly', 'theme=dark', 'lang=en'])
    jar.store(['id=2; Path=/'])
    expect(jar.header()).toBe('id=2; theme=dark; lang=en')
    expect([jar.value, jar.get('theme'), jar.get('nope')]).toEqual(['2', 'dark', undefined])
  })

  it('takes one Set-Cookie string whole, as a list of one', () => {
    const jar = new CookieJar()
    jar.store('id=abc; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/')
    expect(jar.header()).toBe('id=abc')
  })

  it('value reads the session cookie of the name given, `id` by default', () => {
    const jar = new CookieJar({ cookieName: '__Host-sid' })
    jar.store(['id=other', '__Host-sid=abc; Path=/; Secure'])
    expect([jar.cookieName, jar.value]).toEqual(['__Host-sid', 'abc'])
    expect(new CookieJar().cookieName).toBe('id')
  })

  it('keeps values as sent (no decoding, quotes kept) and ignores a nameless Set-Cookie', () => {
    const jar = new CookieJar()
    jar.store(['a=x%20y', 'b="quoted"', 'nameless', '=alsonameless'])
    expect(jar.header()).toBe('a=x%20y; b="quoted"')
  })

  it('takes parsed Set-Cookie objects too (the cookie package’s parseSetCookie)', () => {
    const { clock, jar } = clockedJar()
    jar.store([parseSetCookie('id=abc; Max-Age=10'), { name: 'theme', value: 'dark' }])
    expect(jar.header()).toBe('id=abc; theme=dark')
    clock.advance({ seconds: 10 })
    expect(jar.header()).toBe('theme=dark')
  })
})

describe('CookieJar: expiry, against its clock', () => {
  it('Max-Age: the cookie lives that many seconds from when it arrived', () => {
    const { clock, jar } = clockedJar()
    jar.store(['id=abc; Max-Age=60'])
    clock.advance({ seconds: 59, ms: 999 })
    expect(jar.value).toBe('abc')
    clock.advance({ ms: 1 })
    expect(jar.value).toBeUndefined()
    expect(jar.header()).toBeUndefined()
  })

  it('Max-Age=0 and a negative Max-Age delete the cookie at once', () => {
    const { jar } = clockedJar()
    jar.store(['id=abc; Max-Age=3600', 'theme=dark', 'lang=en'])
    jar.store(['id=; Max-Age=0', 'theme=; Max-Age=-1'])
    expect(jar.header()).toBe('lang=en')
  })

  it('Expires: in the future the cookie lives until then; in the past it deletes the cookie', () => {
    const { clock, jar } = clockedJar(Date.UTC(2026, 9, 21, 7, 0, 0))
    jar.store(['id=abc; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/', 'theme=dark'])
    clock.set(Date.UTC(2026, 9, 21, 7, 27, 59))
    expect(jar.value).toBe('abc')
    clock.set(Date.UTC(2026, 9, 21, 7, 28, 0))
    expect(jar.value).toBeUndefined()
    jar.store([`theme=; ${EXPIRES_PAST}`])
    expect(jar.header()).toBeUndefined()
  })

  it('Max-Age wins over Expires, either way', () => {
    const { clock, jar } = clockedJar()
    jar.store([
      `long=1; Max-Age=60; ${EXPIRES_PAST}`,
      'short=1; Max-Age=0; Expires=Fri, 01 Jan 2100 00:00:00 GMT',
    ])
    expect(jar.header()).toBe('long=1')
    clock.advance({ minutes: 1 })
    expect(jar.header()).toBeUndefined()
  })

  it('a cookie without Max-Age or Expires lives until the browser session ends; clear() forgets all', () => {
    const { clock, jar } = clockedJar()
    jar.store(['session=1', 'persistent=1; Max-Age=3600'])
    clock.advance({ days: 365 })
    expect(jar.header()).toBe('session=1')
    jar.store(['persistent=2; Max-Age=3600'])
    jar.endBrowserSession()
    expect(jar.header()).toBe('persistent=2')
    jar.clear()
    expect(jar.header()).toBeUndefined()
  })

  it('store(…, nowMs) counts Max-Age from the time given', () => {
    const { clock, jar } = clockedJar()
    jar.store(['id=abc; Max-Age=60'], clock.now() - 30_000)
    clock.advance({ seconds: 30 })
    expect(jar.value).toBeUndefined()
  })
})

describe('CookieJar: commas', () => {
  it('never splits a Set-Cookie on the comma of its Expires date', () => {
    const { jar } = clockedJar()
    const taken = jar.takeFrom({
      statusCode: 200,
      cookies: ['id=abc; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT; HttpOnly', 'theme=dark'],
    })
    expect(taken).toHaveLength(2)
    expect(jar.header()).toBe('id=abc; theme=dark')
  })

  it('reads a lone headers Set-Cookie with an Expires date as one cookie', () => {
    const { jar } = clockedJar()
    jar.takeFrom(
      { statusCode: 200, headers: { 'Set-Cookie': 'id=abc; Expires=Wed, 21 Oct 2037 07:28:00 GMT' } },
      'alb',
    )
    expect(jar.header()).toBe('id=abc')
  })
})

describe('CookieJar.takeFrom and readSetCookies: every front door’s response', () => {
  const SESSION = 'id=abc; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT; HttpOnly; Secure; SameSite=Lax'
  const HANDLER = 'theme=dark; Path=/'

  it.each(FRONT_DOORS)('%s: reads back what the middleware’s addSetCookies wrote for that door', (door) => {
    const event = httpEvent(door, { path: '/' })
    const multiValue = door !== 'alb'
    const result = addSetCookies(
      event,
      { statusCode: 200, body: 'ok' },
      multiValue ? [HANDLER, SESSION] : [SESSION],
    )
    const { jar } = clockedJar()
    const expected = multiValue ? [HANDLER, SESSION] : [SESSION]
    expect(jar.takeFrom(result, event)).toEqual(expected)
    expect(readSetCookies(result, door)).toEqual(expected)
    expect(readSetCookies(result)).toEqual(expected)
    expect(jar.value).toBe('abc')
  })

  it('payload 2.0: a headers Set-Cookie, then every entry of cookies', () => {
    const result = { statusCode: 200, headers: { 'set-cookie': 'a=1' }, cookies: ['b=2', 'c=3'] }
    expect(readSetCookies(result, 'http-api-v2')).toEqual(['a=1', 'b=2', 'c=3'])
    expect(readSetCookies(result, 'function-url')).toEqual(['a=1', 'b=2', 'c=3'])
  })

  it('REST API: multiValueHeaders in any case, plus a headers Set-Cookie not among them', () => {
    const result = {
      statusCode: 200,
      headers: { 'Set-Cookie': 'b=2' },
      multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'], 'SET-COOKIE': ['c=3'] },
    }
    expect(readSetCookies(result, 'rest-api-v1')).toEqual(['a=1', 'b=2', 'c=3'])
    expect(readSetCookies({ statusCode: 200, headers: { 'Set-Cookie': 'x=1' } }, 'rest-api-v1')).toEqual([
      'x=1',
    ])
  })

  it('ALB reads only the container its target group uses', () => {
    const result = {
      statusCode: 200,
      headers: { 'Set-Cookie': 'single=1' },
      multiValueHeaders: { 'Set-Cookie': ['multi=1'] },
    }
    expect(readSetCookies(result, httpEvent('alb', { path: '/' }))).toEqual(['single=1'])
    expect(readSetCookies(result, httpEvent('alb-multi-value', { path: '/' }))).toEqual(['multi=1'])
  })

  it('throws on a cookies key where API Gateway REST and ALB answer 502; without a door, reads it', () => {
    const result = { statusCode: 200, cookies: ['id=abc'] }
    for (const door of ['rest-api-v1', 'alb', 'alb-multi-value'] as const) {
      expect(() => new CookieJar().takeFrom(result, door)).toThrow(/must not carry a "cookies" key/)
    }
    const jar = new CookieJar()
    expect(jar.takeFrom(result)).toEqual(['id=abc'])
    expect(jar.value).toBe('abc')
  })

  it('without a door: every place, a value already found not repeated', () => {
    const result = {
      statusCode: 200,
      headers: { 'Set-Cookie': 'a=1' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      cookies: ['b=2', 'c=3'],
    }
    expect(readSetCookies(result)).toEqual(['a=1', 'b=2', 'c=3'])
  })

  it('reads nothing from what is not a response, and skips values that are not strings', () => {
    for (const result of [undefined, null, 'hello', 42, []]) expect(readSetCookies(result)).toEqual([])
    const result = { statusCode: 200, cookies: ['a=1', 7, null], headers: { 'Set-Cookie': 3 } }
    expect(readSetCookies(result, 'http-api-v2')).toEqual(['a=1'])
  })

  it('a Max-Age=0 in a response removes the cookie from the jar (a logout)', () => {
    const { jar } = clockedJar()
    jar.store(['id=abc; Max-Age=3600', 'theme=dark'])
    jar.takeFrom(
      { statusCode: 200, multiValueHeaders: { 'Set-Cookie': ['id=; Max-Age=0; Path=/'] } },
      'rest-api-v1',
    )
    expect(jar.header()).toBe('theme=dark')
  })
})
