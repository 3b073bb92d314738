import { parseSetCookie } from 'cookie'
import { describe, expect, it } from 'vitest'
import {
  clearingSetCookie,
  type ResolvedCookieOptions,
  resolveCookieOptions,
  type SessionCookieOptions,
  sessionSetCookie,
} from '../../src/cookie.ts'
import { SessionConfigError } from '../../src/errors.ts'
import { Expiry, expireAtFor } from '../../src/expiry.ts'
import { generateSessionId } from '../../src/id.ts'

const NOW = 1_767_222_000 // 2025-12-31T23:00:00Z
const HOUR = 3600

function options(overrides: SessionCookieOptions = {}): ResolvedCookieOptions {
  return resolveCookieOptions(overrides)
}

describe('resolveCookieOptions defaults', () => {
  it('uses name "id", Path=/, HttpOnly, Secure, SameSite=Lax, no Domain, not partitioned', () => {
    expect(resolveCookieOptions()).toEqual({
      name: 'id',
      path: '/',
      domain: undefined,
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      partitioned: false,
      priority: undefined,
    })
    expect(resolveCookieOptions({})).toEqual(resolveCookieOptions())
  })

  it('treats explicitly undefined options as defaults', () => {
    expect(
      resolveCookieOptions({
        name: undefined,
        path: undefined,
        httpOnly: undefined,
        secure: undefined,
        sameSite: undefined,
        partitioned: undefined,
      }),
    ).toEqual(resolveCookieOptions())
  })

  it('keeps each override', () => {
    expect(
      resolveCookieOptions({
        name: 'sid',
        path: '/app',
        domain: 'example.com',
        httpOnly: false,
        secure: false,
        sameSite: 'strict',
        priority: 'high',
      }),
    ).toEqual({
      name: 'sid',
      path: '/app',
      domain: 'example.com',
      httpOnly: false,
      secure: false,
      sameSite: 'strict',
      partitioned: false,
      priority: 'high',
    })
  })

  it('accepts every valid combination of the secure-only features', () => {
    expect(resolveCookieOptions({ sameSite: 'none' }).sameSite).toBe('none')
    expect(resolveCookieOptions({ sameSite: 'none', partitioned: true }).partitioned).toBe(true)
    expect(resolveCookieOptions({ name: '__Host-sid' }).name).toBe('__Host-sid')
    expect(resolveCookieOptions({ name: '__Secure-sid', domain: 'example.com', path: '/x' }).name).toBe(
      '__Secure-sid',
    )
  })

  it('accepts token characters in names', () => {
    expect(resolveCookieOptions({ name: "a!#$%&'*+.^_`|~-9Z" }).name).toBe("a!#$%&'*+.^_`|~-9Z")
  })
})

describe('resolveCookieOptions rejections', () => {
  it.each([
    ['an empty name', ''],
    ['a space', 'my id'],
    ['a semicolon', 'a;b'],
    ['an equals sign', 'a=b'],
    ['a comma', 'a,b'],
    ['a double quote', '"sid"'],
    ['parentheses', '(sid)'],
    ['a slash', 'a/b'],
    ['a colon', 'a:b'],
    ['a tab', 'a\tb'],
    ['a newline', 'sid\n'],
    ['non-ASCII', 'séssion'],
  ])('rejects a name with %s', (_, name) => {
    expect(() => resolveCookieOptions({ name })).toThrow(SessionConfigError)
    expect(() => resolveCookieOptions({ name })).toThrow(/cookie\.name/)
  })

  it('rejects SameSite=None without Secure', () => {
    expect(() => resolveCookieOptions({ sameSite: 'none', secure: false })).toThrow(SessionConfigError)
    expect(() => resolveCookieOptions({ sameSite: 'none', secure: false })).toThrow(/sameSite/)
  })

  it('rejects Partitioned without Secure', () => {
    expect(() => resolveCookieOptions({ partitioned: true, secure: false })).toThrow(SessionConfigError)
    expect(() => resolveCookieOptions({ partitioned: true, secure: false })).toThrow(/partitioned/)
  })

  it.each([
    ['without Secure', { secure: false }],
    ['with a path other than /', { path: '/app' }],
    ['with a domain', { domain: 'example.com' }],
  ] as [string, SessionCookieOptions][])('rejects a __Host- cookie %s', (_, overrides) => {
    expect(() => resolveCookieOptions({ name: '__Host-sid', ...overrides })).toThrow(SessionConfigError)
    expect(() => resolveCookieOptions({ name: '__Host-sid', ...overrides })).toThrow(/__Host-/)
  })

  it('rejects a __Secure- cookie without Secure', () => {
    expect(() => resolveCookieOptions({ name: '__Secure-sid', secure: false })).toThrow(SessionConfigError)
    expect(() => resolveCookieOptions({ name: '__Secure-sid', secure: false })).toThrow(/__Secure-/)
  })

  it.each([['Lax'], ['STRICT'], ['bogus'], [''], ['true']])('rejects sameSite %j', (sameSite) => {
    const input = { sameSite } as unknown as SessionCookieOptions
    expect(() => resolveCookieOptions(input)).toThrow(SessionConfigError)
  })

  it('rejects a path that cannot be written in Set-Cookie', () => {
    expect(() => resolveCookieOptions({ path: '/a;b' })).toThrow(SessionConfigError)
  })

  it('rejects a domain that cannot be written in Set-Cookie', () => {
    expect(() => resolveCookieOptions({ domain: 'https://example.com' })).toThrow(SessionConfigError)
  })

  it('applies the __Host- rules to a lower-case "__host-" prefix', () => {
    expect(() => resolveCookieOptions({ name: '__host-sid', domain: 'example.com' })).toThrow(
      SessionConfigError,
    )
  })
})

describe('sessionSetCookie', () => {
  const id = generateSessionId()

  it('writes the documented default cookie', () => {
    expect(sessionSetCookie(options(), id, 1_767_225_600, 1_767_222_000)).toBe(
      `id=${id}; Max-Age=3600; Path=/; Expires=Thu, 01 Jan 2026 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax`,
    )
  })

  it('parses back with matching Max-Age and Expires and the secure defaults', () => {
    const expiresAt = NOW + 2 * HOUR
    const parsed = parseSetCookie(sessionSetCookie(options(), id, expiresAt, NOW))
    expect(parsed.name).toBe('id')
    expect(parsed.value).toBe(id)
    expect(parsed.maxAge).toBe(expiresAt - NOW)
    expect(parsed.expires?.getTime()).toBe(expiresAt * 1000)
    expect(parsed.httpOnly).toBe(true)
    expect(parsed.secure).toBe(true)
    expect(parsed.sameSite).toBe('lax')
    expect(parsed.path).toBe('/')
    expect(parsed.domain).toBeUndefined()
    expect(parsed.partitioned).toBeUndefined()
    expect(parsed.priority).toBeUndefined()
  })

  it('has Max-Age agree with Expires for any distance', () => {
    for (const seconds of [1, 59, HOUR, 14 * 24 * HOUR, 400 * 24 * HOUR]) {
      const parsed = parseSetCookie(sessionSetCookie(options(), id, NOW + seconds, NOW))
      expect(parsed.maxAge).toBe(seconds)
      expect(parsed.expires?.getTime()).toBe((NOW + seconds) * 1000)
      expect((parsed.expires?.getTime() ?? 0) / 1000 - NOW).toBe(parsed.maxAge)
    }
  })

  it('writes a browser-session cookie without Max-Age or Expires', () => {
    const header = sessionSetCookie(options(), id, undefined, NOW)
    const parsed = parseSetCookie(header)
    expect(parsed.value).toBe(id)
    expect(parsed.maxAge).toBeUndefined()
    expect(parsed.expires).toBeUndefined()
    expect(header).not.toMatch(/max-age|expires/i)
    expect(parsed.httpOnly).toBe(true)
    expect(parsed.secure).toBe(true)
    expect(parsed.sameSite).toBe('lax')
    expect(parsed.path).toBe('/')
  })

  it('never writes a negative Max-Age for an expiry in the past', () => {
    const parsed = parseSetCookie(sessionSetCookie(options(), id, NOW - 100, NOW))
    expect(parsed.maxAge).toBe(0)
    expect(parsed.expires?.getTime()).toBe((NOW - 100) * 1000)
  })

  it('writes Max-Age=0 when the expiry is now', () => {
    expect(parseSetCookie(sessionSetCookie(options(), id, NOW, NOW)).maxAge).toBe(0)
  })

  it('writes domain, partitioned, priority, a custom name and path when set', () => {
    const resolved = options({
      name: '__Secure-sid',
      domain: 'example.com',
      path: '/app',
      partitioned: true,
      sameSite: 'none',
      priority: 'high',
    })
    const parsed = parseSetCookie(sessionSetCookie(resolved, id, NOW + HOUR, NOW))
    expect(parsed.name).toBe('__Secure-sid')
    expect(parsed.domain).toBe('example.com')
    expect(parsed.path).toBe('/app')
    expect(parsed.partitioned).toBe(true)
    expect(parsed.sameSite).toBe('none')
    expect(parsed.priority).toBe('high')
    expect(parsed.secure).toBe(true)
  })

  it('leaves out HttpOnly and Secure when turned off', () => {
    const parsed = parseSetCookie(
      sessionSetCookie(options({ httpOnly: false, secure: false }), id, NOW + 1, NOW),
    )
    expect(parsed.httpOnly).toBeUndefined()
    expect(parsed.secure).toBeUndefined()
  })

  it('writes SameSite=Strict', () => {
    const header = sessionSetCookie(options({ sameSite: 'strict' }), id, NOW + 1, NOW)
    expect(header).toContain('SameSite=Strict')
    expect(parseSetCookie(header).sameSite).toBe('strict')
  })

  it('writes the same cookie for the expiry an Expiry policy gives', () => {
    const expiry = Expiry.onInactivity(HOUR)
    const parsed = parseSetCookie(sessionSetCookie(options(), id, expireAtFor(expiry, NOW), NOW))
    expect(parsed.maxAge).toBe(HOUR)
  })

  it('writes a cookie for the latest expiries the Expiry builders accept, and they refuse one step more', () => {
    // The last instant a cookie's Expires can name, 9999-12-31T23:59:59Z (epoch 253402300799).
    const last = Expiry.atDateTime(Date.UTC(9999, 11, 31, 23, 59, 59))
    const atLast = sessionSetCookie(options(), id, expireAtFor(last, NOW), NOW)
    expect(atLast).toContain('; Max-Age=251635078799;')
    expect(atLast).toContain('; Expires=Fri, 31 Dec 9999 23:59:59 GMT;')
    expect(() => Expiry.atDateTime(Date.UTC(10_000, 0, 1))).toThrow(SessionConfigError)
    // The longest rolling window, 400 days (what browsers keep), from NOW: 2027-02-04T23:00:00Z.
    const longest = Expiry.onInactivity(34_560_000)
    const rolled = sessionSetCookie(options(), id, expireAtFor(longest, NOW), NOW)
    expect(rolled).toContain('; Max-Age=34560000;')
    expect(rolled).toContain('; Expires=Thu, 04 Feb 2027 23:00:00 GMT;')
    expect(() => Expiry.onInactivity(34_560_001)).toThrow(SessionConfigError)
  })
})

describe('clearingSetCookie', () => {
  it('expires the cookie now: empty value, Max-Age=0, Expires at the Unix epoch', () => {
    const header = clearingSetCookie(options())
    expect(header).toBe(
      'id=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    )
    const parsed = parseSetCookie(header)
    expect(parsed.name).toBe('id')
    expect(parsed.value).toBe('')
    expect(parsed.maxAge).toBe(0)
    expect(parsed.expires?.getTime()).toBe(0)
  })

  it('targets the same name, path and domain as the cookie it clears', () => {
    const resolved = options({ name: 'sid', path: '/app', domain: 'example.com', sameSite: 'strict' })
    const set = parseSetCookie(sessionSetCookie(resolved, generateSessionId(), NOW + HOUR, NOW))
    const cleared = parseSetCookie(clearingSetCookie(resolved))
    expect(cleared.name).toBe(set.name)
    expect(cleared.path).toBe(set.path)
    expect(cleared.domain).toBe(set.domain)
    expect(cleared.name).toBe('sid')
    expect(cleared.path).toBe('/app')
    expect(cleared.domain).toBe('example.com')
    expect(cleared.maxAge).toBe(0)
    expect(cleared.expires?.getTime()).toBe(0)
  })

  it('keeps Secure and Partitioned so a partitioned cookie is cleared in its partition', () => {
    const parsed = parseSetCookie(clearingSetCookie(options({ sameSite: 'none', partitioned: true })))
    expect(parsed.secure).toBe(true)
    expect(parsed.partitioned).toBe(true)
    expect(parsed.sameSite).toBe('none')
  })
})

describe('the Set-Cookie writer (the library writes its own: no dependency in the bundle)', () => {
  it.each([
    ['a path with a control character', { path: '/a\u0001' }, /cookie\.path/],
    ['a path with a non-ASCII character', { path: '/café' }, /cookie\.path/],
    ['a domain with a port', { domain: 'example.com:443' }, /cookie\.domain/],
    ['a domain label ending in a hyphen', { domain: 'a-.example.com' }, /cookie\.domain/],
    ['a domain that is not a string', { domain: 42 }, /cookie\.domain/],
    ['a priority it does not know', { priority: 'urgent' }, /cookie\.priority/],
    ['a priority named like an Object member', { priority: 'constructor' }, /cookie\.priority/],
    ['an upper-case priority', { priority: 'High' }, /cookie\.priority/],
  ])('refuses %s at creation', (_, input, message) => {
    expect(() => resolveCookieOptions(input as unknown as SessionCookieOptions)).toThrow(SessionConfigError)
    expect(() => resolveCookieOptions(input as unknown as SessionCookieOptions)).toThrow(message)
  })

  it('accepts a leading-dot domain and every priority, and writes each attribute once, in order', () => {
    for (const [priority, written] of [
      ['low', 'Low'],
      ['medium', 'Medium'],
      ['high', 'High'],
    ] as const) {
      const header = sessionSetCookie(
        resolveCookieOptions({ domain: '.example.com', path: '/app', priority, partitioned: true }),
        'v',
        1_767_225_600,
        1_767_222_000,
      )
      expect(header).toBe(
        `id=v; Max-Age=3600; Domain=.example.com; Path=/app; Expires=Thu, 01 Jan 2026 00:00:00 GMT; HttpOnly; Secure; Partitioned; Priority=${written}; SameSite=Lax`,
      )
    }
  })

  it('percent-encodes a value outside the cookie octets, and parses back to it', () => {
    const header = sessionSetCookie(resolveCookieOptions(), 'a b;c"d', undefined, 0)
    expect(header).toBe('id=a%20b%3Bc%22d; Path=/; HttpOnly; Secure; SameSite=Lax')
    expect(parseSetCookie(header).value).toBe('a b;c"d')
  })

  it('writes no Path for an empty path, and no Max-Age or Expires for a browser-session cookie', () => {
    const header = sessionSetCookie(resolveCookieOptions({ path: '' }), 'v', undefined, 0)
    expect(header).toBe('id=v; HttpOnly; Secure; SameSite=Lax')
  })
})
