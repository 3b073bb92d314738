import { describe, expect, it } from 'vitest'
import { generateSessionId, isSessionId } from '../../src/id.ts'

const BASE64URL_32 = /^[A-Za-z0-9_-]{32}$/

/** A 32-character string that is a valid id except for the character at `index`. */
function validWith(char: string, index = 10): string {
  const id = generateSessionId()
  return id.slice(0, index) + char + id.slice(index + char.length)
}

describe('generateSessionId', () => {
  it('returns 32 characters of base64url without padding', () => {
    const id = generateSessionId()
    expect(id).toHaveLength(32)
    expect(id).toMatch(BASE64URL_32)
    expect(id).not.toContain('=')
  })

  it('returns ids that isSessionId accepts', () => {
    for (let i = 0; i < 100; i++) expect(isSessionId(generateSessionId())).toBe(true)
  })

  it('encodes 24 random bytes (192 bits)', () => {
    const id = generateSessionId()
    const bytes = Buffer.from(id, 'base64url')
    expect(bytes).toHaveLength(24)
    // The encoding is canonical: re-encoding the bytes gives back the same id.
    expect(bytes.toString('base64url')).toBe(id)
  })

  it('never repeats over 10,000 draws', () => {
    const ids = new Set<string>()
    for (let i = 0; i < 10_000; i++) ids.add(generateSessionId())
    expect(ids.size).toBe(10_000)
  })

  it('uses the whole base64url alphabet over many draws (not a narrowed charset)', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2_000; i++) for (const char of generateSessionId()) seen.add(char)
    expect(seen.size).toBe(64)
  })
})

describe('isSessionId', () => {
  it('accepts any 32-character base64url string', () => {
    expect(isSessionId('A'.repeat(32))).toBe(true)
    expect(isSessionId('abcdefghijklmnopqrstuvwxyz012345')).toBe(true)
    expect(isSessionId('-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_')).toBe(true)
  })

  it('rejects the wrong length', () => {
    const id = generateSessionId()
    expect(isSessionId(id.slice(0, 31))).toBe(false)
    expect(isSessionId(`${id}A`)).toBe(false)
    expect(isSessionId('')).toBe(false)
    expect(isSessionId(id + id)).toBe(false)
  })

  it.each([
    ['plus', '+'],
    ['slash', '/'],
    ['padding', '='],
    ['dot', '.'],
    ['space', ' '],
    ['percent', '%'],
    ['colon', ':'],
    ['semicolon', ';'],
    ['non-ASCII letter', 'é'],
    ['Cyrillic look-alike', 'а'],
    ['NUL', '\u0000'],
  ])('rejects a %s in an otherwise valid id', (_, char) => {
    const id = validWith(char)
    expect(id).toHaveLength(32)
    expect(isSessionId(id)).toBe(false)
  })

  it('rejects a character outside the BMP (two UTF-16 units)', () => {
    const id = `${'A'.repeat(30)}😀`
    expect(id).toHaveLength(32)
    expect(isSessionId(id)).toBe(false)
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 1234567890123456],
    ['a bigint', 12345678901234567890123456789012n],
    ['an object', { id: 'A'.repeat(32) }],
    ['an array', ['A'.repeat(32)]],
    ['a String object', new String('A'.repeat(32))],
    ['a Buffer', Buffer.from('A'.repeat(32))],
  ])('rejects %s', (_, value) => {
    expect(isSessionId(value)).toBe(false)
  })

  it('rejects a value that embeds the default key prefix', () => {
    const prefix = 'SESSIONS::TOWER::'
    const padded = prefix + 'A'.repeat(32 - prefix.length)
    expect(padded).toHaveLength(32)
    expect(isSessionId(padded)).toBe(false)
    expect(isSessionId(prefix + generateSessionId())).toBe(false)
  })

  it('rejects an id with a trailing or leading newline', () => {
    const id = generateSessionId()
    expect(isSessionId(`${id}\n`)).toBe(false)
    expect(isSessionId(`\n${id}`)).toBe(false)
    expect(isSessionId(`${id.slice(0, 31)}\n`)).toBe(false)
    expect(isSessionId(`${id}\r\n`)).toBe(false)
  })

  it('rejects surrounding whitespace', () => {
    const id = generateSessionId()
    expect(isSessionId(` ${id}`)).toBe(false)
    expect(isSessionId(`${id} `)).toBe(false)
  })
})
