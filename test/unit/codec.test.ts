import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import type { SessionData } from '../../src/data.ts'
import {
  attributeSize,
  itemSize,
  jsonStringCodec,
  nativeMapCodec,
  type SessionDataCodec,
} from '../../src/store/codec.ts'

const codecs: [string, SessionDataCodec][] = [
  ['nativeMapCodec', nativeMapCodec],
  ['jsonStringCodec', jsonStringCodec],
]

const samples: [string, SessionData][] = [
  ['an empty session', {}],
  ['a counter', { count: 1 }],
  ['empty strings', { empty: '', nested: { also: '' }, list: [''] }],
  [
    'null, booleans and numbers',
    { n: null, t: true, f: false, zero: 0, neg: -42.5, big: 1e125, tiny: 1e-130 },
  ],
  ['nested arrays', { grid: [[1, 2], [3, [4, [5, []]]], []] }],
  [
    'arrays of objects',
    {
      cart: [
        { sku: 'A-1', qty: 2 },
        { sku: 'B-2', qty: 1, note: null },
      ],
    },
  ],
  ['unicode', { name: 'Zoë Ångström', greek: 'αβγ', cjk: '漢字', rtl: 'שלום' }],
  ['emoji', { mood: '😀🎉', family: '👨‍👩‍👧‍👦', flag: '🇫🇷' }],
  ['unusual keys', { 'with space': 1, 'dot.ted': 2, 'é😀': 3, '#hash': 4, '0': 5 }],
  ['control characters and quotes', { s: 'line\nbreak\t"quoted" \\ back\u0000nul' }],
  ['deep nesting', { a: { b: { c: { d: { e: { f: [{ g: 'deep' }] } } } } } }],
]

describe.each(codecs)('%s round trip', (_, codec) => {
  it.each(samples)('%s', (_, data) => {
    expect(codec.decode(codec.encode(data))).toEqual(data)
  })

  it('drops undefined properties, as JSON does', () => {
    const data = { a: 1, b: undefined, c: { d: undefined, e: 2 } } as unknown as SessionData
    expect(codec.decode(codec.encode(data))).toEqual({ a: 1, c: { e: 2 } })
    expect(Object.keys(codec.decode(codec.encode(data)))).toEqual(['a', 'c'])
  })

  it('turns negative zero into zero, as JSON does', () => {
    const decoded = codec.decode(codec.encode({ z: -0 }))
    expect(Object.is(decoded.z, 0)).toBe(true)
  })

  it('reads objects without prototype', () => {
    const data = Object.assign(Object.create(null), { a: { b: 1 } }) as SessionData
    expect(codec.decode(codec.encode(data))).toEqual({ a: { b: 1 } })
  })

  it('returns a fresh object, not the one encoded', () => {
    const data: SessionData = { list: [1, 2] }
    const decoded = codec.decode(codec.encode(data))
    expect(decoded).not.toBe(data)
    expect(decoded.list).not.toBe(data.list)
  })
})

describe('nativeMapCodec encoding', () => {
  it('stores a counter as a map with a number', () => {
    expect(nativeMapCodec.encode({ count: 1 })).toEqual({ M: { count: { N: '1' } } })
  })

  it('stores an empty session as an empty map', () => {
    expect(nativeMapCodec.encode({})).toEqual({ M: {} })
  })

  it('uses NULL, BOOL, S and N for scalars', () => {
    expect(nativeMapCodec.encode({ n: null, t: true, f: false, s: '', x: -1.5 })).toEqual({
      M: { n: { NULL: true }, t: { BOOL: true }, f: { BOOL: false }, s: { S: '' }, x: { N: '-1.5' } },
    })
  })

  it('uses L for arrays and M for nested objects', () => {
    expect(nativeMapCodec.encode({ l: [1, 'a', null, [true]], o: { p: { q: 'r' } } })).toEqual({
      M: {
        l: { L: [{ N: '1' }, { S: 'a' }, { NULL: true }, { L: [{ BOOL: true }] }] },
        o: { M: { p: { M: { q: { S: 'r' } } } } },
      },
    })
  })

  it('writes numbers in a form DynamoDB parses back to the same double', () => {
    const encoded = nativeMapCodec.encode({ a: 0.1 + 0.2, b: 1e125, c: -1e-130, d: 2 ** 53 })
    expect(encoded).toEqual({
      M: {
        a: { N: '0.30000000000000004' },
        b: { N: '1e+125' },
        c: { N: '-1e-130' },
        d: { N: '9007199254740992' },
      },
    })
  })

  it('never writes an undefined attribute value', () => {
    const encoded = nativeMapCodec.encode({ a: undefined, b: [1] } as unknown as SessionData)
    expect(encoded).toEqual({ M: { b: { L: [{ N: '1' }] } } })
    expect(Object.hasOwn(encoded.M ?? {}, 'a')).toBe(false)
  })
})

describe('nativeMapCodec decoding', () => {
  it('reads string sets and number sets as arrays', () => {
    expect(
      nativeMapCodec.decode({ M: { tags: { SS: ['a', 'b'] }, ns: { NS: ['1', '2.5', '-3'] } } }),
    ).toEqual({
      tags: ['a', 'b'],
      ns: [1, 2.5, -3],
    })
  })

  it('reads numbers written by other tools (exponents, leading zeros, many digits)', () => {
    const decoded = nativeMapCodec.decode({
      M: { a: { N: '1E+3' }, b: { N: '007' }, c: { N: '12345678901234567890123456789012345678' } },
    })
    expect(decoded).toEqual({ a: 1000, b: 7, c: 1.2345678901234568e37 })
  })

  it.each([
    ['B', { M: { b: { B: new Uint8Array([1, 2]) } } }],
    ['BS', { M: { bs: { BS: [new Uint8Array([1])] } } }],
    ['B nested in a list', { M: { l: { L: [{ S: 'ok' }, { B: new Uint8Array([1]) }] } } }],
    ['B nested in a map', { M: { m: { M: { inner: { B: new Uint8Array([1]) } } } } }],
    ['an unknown type', { M: { x: {} as AttributeValue } }],
    ['an unreadable number', { M: { n: { N: 'abc' } } }],
    ['an infinite number', { M: { n: { N: '1e400' } } }],
  ])('throws on %s', (_, value) => {
    expect(() => nativeMapCodec.decode(value as AttributeValue)).toThrow(TypeError)
  })

  it.each([
    ['a string', { S: '{"count":1}' }],
    ['a list', { L: [] }],
    ['a number', { N: '1' }],
    ['NULL', { NULL: true }],
    ['BOOL', { BOOL: true }],
  ])('throws on %s instead of a map', (_, value) => {
    expect(() => nativeMapCodec.decode(value as AttributeValue)).toThrow(/not a map/)
  })

  it('keeps a "__proto__" key as ordinary data on encode', () => {
    const data = JSON.parse('{"__proto__": {"isAdmin": true}, "a": 1}') as SessionData
    expect(Object.keys(nativeMapCodec.encode(data).M ?? {})).toEqual(['__proto__', 'a'])
  })

  it('decodes a "__proto__" key as an own property, never as the prototype', () => {
    const M: Record<string, AttributeValue> = { a: { N: '1' } }
    Object.defineProperty(M, '__proto__', {
      value: { M: { isAdmin: { BOOL: true } } },
      enumerable: true,
      configurable: true,
      writable: true,
    })
    const decoded = nativeMapCodec.decode({ M }) as Record<string, unknown>
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(decoded.isAdmin).toBeUndefined()
    expect(Object.keys(decoded)).toEqual(['a', '__proto__'])
  })
})

describe('jsonStringCodec', () => {
  it('stores one JSON string', () => {
    expect(jsonStringCodec.encode({ count: 1 })).toEqual({ S: '{"count":1}' })
    expect(jsonStringCodec.encode({})).toEqual({ S: '{}' })
  })

  it.each([
    ['a JSON array', { S: '[1,2]' }],
    ['JSON null', { S: 'null' }],
    ['a JSON string', { S: '"x"' }],
    ['a JSON number', { S: '1' }],
    ['a map', { M: { count: { N: '1' } } }],
    ['a number', { N: '1' }],
  ])('throws on %s', (_, value) => {
    expect(() => jsonStringCodec.decode(value as AttributeValue)).toThrow(TypeError)
  })

  it('throws on text that is not JSON', () => {
    expect(() => jsonStringCodec.decode({ S: '{count:1}' })).toThrow(SyntaxError)
    expect(() => jsonStringCodec.decode({ S: '' })).toThrow(SyntaxError)
  })

  it('keeps a "__proto__" key as ordinary data', () => {
    const data = JSON.parse('{"__proto__": {"isAdmin": true}, "a": 1}') as SessionData
    const decoded = jsonStringCodec.decode(jsonStringCodec.encode(data)) as Record<string, unknown>
    expect(Object.keys(decoded)).toEqual(['__proto__', 'a'])
    expect(decoded.isAdmin).toBeUndefined()
  })
})

/**
 * The size DynamoDB counts for a value, from its documented rules: strings and binaries by their bytes
 * (UTF-8 for strings), numbers at 1 byte per two significant digits plus 1 (plus 1 for a negative sign),
 * null and booleans at 1 byte, lists and maps at 3 bytes plus 1 byte and the size (and, in a map, the
 * key's UTF-8 bytes) of each element.
 */
function dynamoSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8')
  if (value.N !== undefined) return numberSize(value.N)
  if (value.B !== undefined) return value.B.length
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1
  if (value.L !== undefined) return value.L.reduce((sum, child) => sum + 1 + dynamoSize(child), 3)
  if (value.M !== undefined) return dynamoItemSize(value.M) + 3 + Object.keys(value.M).length
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s, 'utf8'), 0)
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0)
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.length, 0)
  throw new Error('unknown attribute type')
}

function numberSize(text: string): number {
  const [mantissa = ''] = text.toLowerCase().split('e')
  const digits = mantissa.replace(/[-+.]/g, '').replace(/^0+/, '').replace(/0+$/, '')
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1 + (text.startsWith('-') ? 1 : 0)
}

function dynamoItemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + dynamoSize(value),
    0,
  )
}

describe('attributeSize and itemSize', () => {
  it.each([
    ['ASCII', 'hello', 5],
    ['a two-byte character', 'é', 2],
    ['a three-byte character', '漢', 3],
    ['a four-byte emoji', '😀', 4],
    ['a mix', 'aé漢😀', 10],
    ['the empty string', '', 0],
  ])('counts UTF-8 bytes of %s', (_, text, bytes) => {
    expect(Buffer.byteLength(text)).toBe(bytes)
    expect(attributeSize({ S: text })).toBeGreaterThanOrEqual(bytes)
    expect(itemSize({ [text || 'k']: { S: text } })).toBeGreaterThanOrEqual(
      Buffer.byteLength(text || 'k') + bytes,
    )
  })

  it('counts more than UTF-16 length for multi-byte text', () => {
    const text = 'é'.repeat(1000) + '😀'.repeat(1000)
    expect(text.length).toBe(3000)
    expect(attributeSize({ S: text })).toBeGreaterThanOrEqual(6000)
  })

  it.each([
    ['a small integer', '1'],
    ['a negative fraction', '-123.456'],
    ['a long number', '12345678901234567890123456789012345678'],
    ['a big exponent', '9.999999999999998e+125'],
    ['a tiny magnitude', '-1e-130'],
  ])('bounds %s from above', (_, n) => {
    expect(attributeSize({ N: n })).toBeGreaterThanOrEqual(numberSize(n))
    expect(attributeSize({ N: n })).toBeLessThanOrEqual(21)
  })

  it('bounds scalars, sets and binaries from above', () => {
    const values: AttributeValue[] = [
      { NULL: true },
      { BOOL: false },
      { B: new Uint8Array(10) },
      { SS: ['é', 'abc', '😀'] },
      { NS: ['1', '-22.5', '1e100'] },
      { BS: [new Uint8Array(3), new Uint8Array(4)] },
    ]
    for (const value of values) expect(attributeSize(value)).toBeGreaterThanOrEqual(dynamoSize(value))
  })

  it.each(samples)('bounds the encoded %s from above', (_, data) => {
    const encoded = nativeMapCodec.encode(data)
    expect(attributeSize(encoded)).toBeGreaterThanOrEqual(dynamoSize(encoded))
    const item = { session_id: { S: 'SESSIONS::TOWER::abc' }, expire_at: { N: '1767225600' }, data: encoded }
    expect(itemSize(item)).toBeGreaterThanOrEqual(dynamoItemSize(item))
  })

  it('counts attribute names in UTF-8 bytes', () => {
    expect(itemSize({ session_id: { S: '' } })).toBeGreaterThanOrEqual(10)
    expect(itemSize({ 'é😀': { NULL: true } })).toBeGreaterThanOrEqual(6 + 1)
    expect(itemSize({})).toBe(0)
  })

  it('counts the 3-byte overhead of empty maps and lists', () => {
    expect(attributeSize({ M: {} })).toBeGreaterThanOrEqual(3)
    expect(attributeSize({ L: [] })).toBeGreaterThanOrEqual(3)
  })

  it('grows with each level of nested maps', () => {
    let data: SessionData = { leaf: 'x' }
    let previous = attributeSize(nativeMapCodec.encode(data))
    for (let level = 0; level < 10; level++) {
      data = { n: data }
      const size = attributeSize(nativeMapCodec.encode(data))
      // A level adds at least the key "n" (1 byte), 1 byte of element overhead and 3 bytes of map overhead.
      expect(size).toBeGreaterThanOrEqual(previous + 5)
      previous = size
    }
  })

  it('grows with each list element and each map key', () => {
    const one = attributeSize(nativeMapCodec.encode({ l: [1] }))
    const two = attributeSize(nativeMapCodec.encode({ l: [1, 2] }))
    expect(two).toBeGreaterThan(one)
    const keyed = attributeSize(nativeMapCodec.encode({ a: 1 }))
    const moreKeys = attributeSize(nativeMapCodec.encode({ a: 1, b: 1 }))
    expect(moreKeys).toBeGreaterThan(keyed)
  })

  it('measures a jsonStringCodec attribute as the UTF-8 bytes of its JSON', () => {
    const data: SessionData = { name: 'Zoë 😀', list: [1, 2, 3] }
    expect(attributeSize(jsonStringCodec.encode(data))).toBe(Buffer.byteLength(JSON.stringify(data)))
  })

  it('sees a payload over the 400 KB item limit', () => {
    const item = { session_id: { S: 'k' }, data: nativeMapCodec.encode({ blob: 'é'.repeat(210 * 1024) }) }
    expect(itemSize(item)).toBeGreaterThan(400 * 1024)
  })
})

describe('number sizes, as DynamoDB counts them', () => {
  it.each([
    ['1', 2],
    ['0', 2],
    ['12', 2],
    ['123', 3],
    ['123456789', 6],
    ['-12', 3],
    ['0.001', 2],
    ['1.5e+21', 2],
    ['1000000', 2],
  ])('%s takes %i bytes', (n, bytes) => {
    expect(attributeSize({ N: n })).toBe(bytes)
  })
})
