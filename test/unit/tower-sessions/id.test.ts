import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  generateTowerSessionId,
  isTowerSessionId,
  towerIdFromDecimal,
  towerIdFromRecordBytes,
  towerIdToDecimal,
  towerIdToRecordBytes,
} from '../../../src/tower-sessions/index.ts'
import { hex, rustVectors } from './fixtures.ts'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

describe('tower-sessions ids against the Rust vectors', () => {
  it.each(rustVectors.map((vector) => [vector.name, vector]))('%s', (_name, vector) => {
    expect(isTowerSessionId(vector.cookie)).toBe(true)
    expect(towerIdToDecimal(vector.cookie)).toBe(vector.id)
    expect(towerIdFromDecimal(vector.id)).toBe(vector.cookie)
    expect(towerIdFromDecimal(BigInt(vector.id))).toBe(vector.cookie)
    // The record holds the same i128 big-endian, right after `93 c4 10`.
    expect(hex(towerIdToRecordBytes(vector.cookie))).toBe(vector.data_hex.slice(6, 38))
    expect(towerIdFromRecordBytes(Buffer.from(vector.data_hex.slice(6, 38), 'hex'))).toBe(vector.cookie)
    expect(vector.pk).toBe(`SESSIONS::TOWER::${vector.cookie}`)
  })
})

describe('generateTowerSessionId', () => {
  it('draws canonical, distinct 22-character ids', () => {
    const ids = Array.from({ length: 2000 }, generateTowerSessionId)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) {
      expect(id).toHaveLength(22)
      expect(isTowerSessionId(id)).toBe(true)
    }
    // The 2 bits in the last character are random too: all four canonical endings show up.
    expect(new Set(ids.map((id) => id.at(-1)))).toEqual(new Set(['A', 'Q', 'g', 'w']))
  })
})

describe('isTowerSessionId: exactly what Id::from_str accepts', () => {
  const canonical = 'KgAAAAAAAAAAAAAAAAAAAA'

  it('refuses every non-canonical last character', () => {
    for (const last of ALPHABET) {
      expect(isTowerSessionId(canonical.slice(0, 21) + last)).toBe('AQgw'.includes(last))
    }
  })

  it.each([
    ['empty', ''],
    ['21 characters', canonical.slice(1)],
    ['23 characters', `${canonical}A`],
    ['24 characters', `${canonical}AA`],
    ['padding', `${canonical}==`],
    ['padding in place of characters', `${canonical.slice(0, 20)}==`],
    ['standard alphabet +', `+${canonical.slice(1)}`],
    ['standard alphabet /', `/${canonical.slice(1)}`],
    ['a space', ` ${canonical.slice(1)}`],
    ['surrounding whitespace', ` ${canonical} `],
    ['double quotes', `"${canonical}"`],
    ['percent-encoding', `%4B${canonical.slice(1)}`],
    ['a dot', `.${canonical.slice(1)}`],
    ['non-ASCII', `é${canonical.slice(1)}`],
    ['a 32-character default-format id', 'q3Jz0m2b4uWk1yC8XvQ9dNfH7sLpTaRe'],
    ['a key prefix', `SESSIONS::TOWER::${canonical}`],
  ])('refuses %s', (_name, value) => {
    expect(isTowerSessionId(value)).toBe(false)
    expect(() => towerIdToRecordBytes(value)).toThrow(TypeError)
  })

  it.each([[undefined], [null], [42], [['KgAAAAAAAAAAAAAAAAAAAA']], [{}]])('refuses %j', (value) => {
    expect(isTowerSessionId(value)).toBe(false)
  })

  it('accepts every canonical string, and its bytes come back the same (a bijection with i128)', () => {
    const char = fc.constantFrom(...ALPHABET)
    const cookie = fc
      .tuple(fc.array(char, { minLength: 21, maxLength: 21 }), fc.constantFrom('A', 'Q', 'g', 'w'))
      .map(([head, last]) => head.join('') + last)
    fc.assert(
      fc.property(cookie, (value) => {
        expect(isTowerSessionId(value)).toBe(true)
        const bytes = towerIdToRecordBytes(value)
        expect(bytes).toHaveLength(16)
        expect(towerIdFromRecordBytes(bytes)).toBe(value)
        expect(towerIdFromDecimal(towerIdToDecimal(value))).toBe(value)
      }),
    )
  })

  it('maps 16 random bytes to a canonical cookie and back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const cookie = towerIdFromRecordBytes(bytes)
        expect(isTowerSessionId(cookie)).toBe(true)
        expect(towerIdToRecordBytes(cookie)).toEqual(bytes)
        // The cookie is the little-endian form: its first byte is the record's last.
        expect(Buffer.from(cookie, 'base64url')[0]).toBe(bytes[15])
      }),
    )
  })
})

describe('decimal ids', () => {
  it('covers the whole i128 range', () => {
    const min = (-(2n ** 127n)).toString()
    const max = (2n ** 127n - 1n).toString()
    expect(towerIdToDecimal(towerIdFromDecimal(min))).toBe(min)
    expect(towerIdToDecimal(towerIdFromDecimal(max))).toBe(max)
    expect(towerIdFromDecimal('0')).toBe('AAAAAAAAAAAAAAAAAAAAAA')
    expect(towerIdFromDecimal('-1')).toBe('_____________________w')
  })

  it.each([
    ['2^127', (2n ** 127n).toString()],
    ['-2^127 - 1', (-(2n ** 127n) - 1n).toString()],
    ['a fraction', '1.5'],
    ['empty', ''],
    ['hex', '0x10'],
    ['a space', ' 1'],
    ['a plus sign', '+1'],
  ])('refuses %s', (_name, value) => {
    expect(() => towerIdFromDecimal(value)).toThrow(TypeError)
  })

  it('refuses record bytes of the wrong length', () => {
    expect(() => towerIdFromRecordBytes(new Uint8Array(15))).toThrow(TypeError)
    expect(() => towerIdFromRecordBytes(new Uint8Array(17))).toThrow(TypeError)
  })
})
