import { describe, expect, it } from 'vitest'
import { csrfTokenFor, csrfTokenMatches, newCsrfSecret } from '../../src/csrf-token.ts'
import { tokenToCheck } from '../../src/http/cross-site.ts'
import { FRONT_DOORS, httpEvent } from '../../src/testing/index.ts'

describe('CSRF secrets and tokens', () => {
  it('a secret is 32 random bytes (43 base64url characters), new every time', () => {
    const secrets = new Set(Array.from({ length: 100 }, newCsrfSecret))
    expect(secrets.size).toBe(100)
    for (const secret of secrets) expect(Buffer.from(secret, 'base64url')).toHaveLength(32)
  })

  it('every token of a secret differs (masked) and every one matches it, and no other secret', () => {
    const secret = newCsrfSecret()
    const other = newCsrfSecret()
    const tokens = Array.from({ length: 50 }, () => csrfTokenFor(secret))
    expect(new Set(tokens).size).toBe(50)
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{86}$/)
      expect(csrfTokenMatches(token, secret)).toBe(true)
      expect(csrfTokenMatches(token, other)).toBe(false)
      expect(token).not.toContain(secret) // the secret never shows
    }
  })

  it('any change of one character, a truncated or extended token, or no token at all does not match', () => {
    const secret = newCsrfSecret()
    const token = csrfTokenFor(secret)
    for (let i = 0; i < token.length; i++) {
      const changed = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`
      expect(csrfTokenMatches(changed, secret), `position ${i}`).toBe(false)
    }
    for (const bad of [
      token.slice(1),
      `${token}A`,
      '',
      ' '.repeat(86),
      undefined,
      null,
      42,
      [token],
      { token },
    ]) {
      expect(csrfTokenMatches(bad, secret)).toBe(false)
    }
    expect(csrfTokenMatches(token, undefined)).toBe(false) // a session without a secret
    expect(csrfTokenMatches(secret, secret)).toBe(false) // the secret itself is no token
  })

  it('one spelling per token: the last character with its unused bits set does not match', () => {
    const secret = newCsrfSecret()
    const token = csrfTokenFor(secret)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = alphabet.indexOf(token.at(-1) as string)
    expect(last % 16).toBe(0) // 64 bytes end in 2 data bits and 4 zero bits
    for (let extra = 1; extra < 16; extra++) {
      expect(csrfTokenMatches(`${token.slice(0, -1)}${alphabet[last + extra]}`, secret)).toBe(false)
    }
  })
})

describe('which requests must carry a token (tokenToCheck)', () => {
  const doors = [...FRONT_DOORS]

  it.each(doors)('%s: a header-less POST, PUT, PATCH or DELETE: its header value, or null', (door) => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'post']) {
      const event = httpEvent(door, { method, path: '/', headers: { 'x-csrf-token': 'abc' } })
      expect(tokenToCheck(event, 'x-csrf-token'), method).toBe('abc')
      expect(tokenToCheck(httpEvent(door, { method, path: '/' }), 'x-csrf-token')).toBeNull()
    }
    const named = httpEvent(door, { method: 'POST', path: '/', headers: { 'X-Token': 'abc' } })
    expect(tokenToCheck(named, 'x-token')).toBe('abc')
  })

  it.each(doors)('%s: safe methods and browser requests need none', (door) => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(tokenToCheck(httpEvent(door, { method, path: '/' }), 'x-csrf-token')).toBeUndefined()
    }
    for (const headers of [{ 'sec-fetch-site': 'same-origin' }, { origin: 'https://example.com' }] as Record<
      string,
      string
    >[]) {
      expect(
        tokenToCheck(httpEvent(door, { method: 'POST', path: '/', headers }), 'x-csrf-token'),
      ).toBeUndefined()
    }
  })

  it('a hostile event (a throwing getter) cannot be read: null, a token that never matches', () => {
    const event = {
      httpMethod: 'POST',
      get headers(): never {
        throw new Error('hostile')
      },
    }
    expect(tokenToCheck(event, 'x-csrf-token')).toBeNull()
    expect(tokenToCheck(null, 'x-csrf-token')).toBeUndefined()
  })
})
