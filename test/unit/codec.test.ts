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

/*
 * Sizes worked out by hand from the rules of "DynamoDB item sizes and formats" (Amazon DynamoDB developer
 * guide): an attribute is its name's UTF-8 bytes plus its value; strings count their UTF-8 bytes, binaries
 * their raw bytes, null and booleans 1 byte, numbers 1 byte per two significant digits (leading and
 * trailing zeros trimmed) plus 1; a list or map 3 bytes, plus, per element, 1 byte, its size and, in a map,
 * its key's UTF-8 bytes. The guide says nothing of a minus sign: DynamoDB Local counts it as 1 more byte
 * (the limit test in test/integration/item-size.test.ts shows it), and so do these tables.
 */
describe('attributeSize and itemSize', () => {
  it.each([
    ['ASCII', 'hello', 5],
    ['a two-byte character', 'é', 2],
    ['a three-byte character', '漢', 3],
    ['a four-byte emoji', '😀', 4],
    ['a mix', 'aé漢😀', 10],
    ['the empty string', '', 0],
  ])('counts UTF-8 bytes of %s', (_, text, bytes) => {
    expect(attributeSize({ S: text })).toBe(bytes)
    // The name counts too: "k" is 1 byte.
    expect(itemSize({ k: { S: text } })).toBe(1 + bytes)
  })

  it('counts more than UTF-16 length for multi-byte text', () => {
    const text = 'é'.repeat(1000) + '😀'.repeat(1000)
    expect(text.length).toBe(3000)
    expect(attributeSize({ S: text })).toBe(2000 + 4000)
  })

  it.each([
    // significant digits → ceil(digits / 2) + 1, plus 1 for a minus sign
    ['a small integer', '1', 2], // 1 digit
    ['a negative fraction', '-123.456', 5], // 6 digits: 3 + 1, and the sign
    ['a long number', '12345678901234567890123456789012345678', 20], // 38 digits: 19 + 1
    ['a big exponent', '9.999999999999998e+125', 9], // 16 digits: 8 + 1 (the exponent is free)
    ['a tiny magnitude', '-1e-130', 3], // 1 digit: 1 + 1, and the sign
  ])('sizes %s', (_, n, bytes) => {
    expect(attributeSize({ N: n })).toBe(bytes)
  })

  it.each<[string, AttributeValue, number]>([
    ['null', { NULL: true }, 1],
    ['a boolean', { BOOL: false }, 1],
    ['a binary of 10 bytes', { B: new Uint8Array(10) }, 10],
    ['a string set', { SS: ['é', 'abc', '😀'] }, 2 + 3 + 4],
    // '1': 1 + 1; '-22.5': 3 digits, 2 + 1, and the sign; '1e100': 1 + 1
    ['a number set', { NS: ['1', '-22.5', '1e100'] }, 2 + 4 + 2],
    ['a binary set', { BS: [new Uint8Array(3), new Uint8Array(4)] }, 7],
  ])('sizes %s', (_, value, bytes) => {
    expect(attributeSize(value)).toBe(bytes)
  })

  // The data map of each sample, worked out entry by entry: 3 for the map, then 1 + key + value per entry.
  const encodedSizes: Record<string, number> = {
    'an empty session': 3,
    // count: 1 + 5 + 2
    'a counter': 3 + 8,
    // empty: 1 + 5 + 0; nested: 1 + 6 + (3 + 1 + 4 + 0); list: 1 + 4 + (3 + 1 + 0)
    'empty strings': 3 + 6 + 15 + 9,
    // n, t, f: 1 + 1 + 1 each; zero: 1 + 4 + 2; neg (-42.5): 1 + 3 + 4; big (1e+125): 1 + 3 + 2;
    // tiny (1e-130): 1 + 4 + 2
    'null, booleans and numbers': 3 + 9 + 7 + 8 + 6 + 7,
    // [1, 2] = 3 + 3 + 3 = 9; [] = 3; [5, []] = 3 + 3 + 4 = 10; [4, …] = 3 + 3 + 11 = 17;
    // [3, …] = 3 + 3 + 18 = 24; grid = 3 + 10 + 25 + 4 = 42; entry: 1 + 4 + 42
    'nested arrays': 3 + 47,
    // { sku: 'A-1', qty: 2 } = 3 + 7 + 6 = 16; { sku: 'B-2', qty: 1, note: null } = 3 + 7 + 6 + 6 = 22;
    // cart = 3 + 17 + 23 = 43; entry: 1 + 4 + 43
    'arrays of objects': 3 + 48,
    // name: 1 + 4 + 15 (ë, Å, ö are 2 bytes); greek: 1 + 5 + 6; cjk: 1 + 3 + 6; rtl: 1 + 3 + 8
    unicode: 3 + 20 + 12 + 10 + 12,
    // mood: 1 + 4 + 8; family (4 emoji, 3 zero-width joiners): 1 + 6 + 25; flag (2 regional letters): 1 + 4 + 8
    emoji: 3 + 13 + 32 + 13,
    // 'with space': 1 + 10 + 2; 'dot.ted': 1 + 7 + 2; 'é😀': 1 + 6 + 2; '#hash': 1 + 5 + 2; '0': 1 + 1 + 2
    'unusual keys': 3 + 13 + 10 + 9 + 8 + 4,
    // s: 1 + 1 + 30 (line 4, \n 1, break 5, \t 1, "quoted" 8, space, backslash, space, back 4, NUL 1, nul 3)
    'control characters and quotes': 3 + 32,
    // { g: 'deep' } = 9; [it] = 13; f: 3 + 1 + 1 + 13 = 18; then e, d, c, b, a at 5 more each
    'deep nesting': 43,
  }

  it('has a size for every sample', () => {
    expect(Object.keys(encodedSizes).sort()).toEqual(samples.map(([name]) => name).sort())
  })

  it.each(samples)('sizes the encoded %s as worked out by hand', (name, data) => {
    const encoded = nativeMapCodec.encode(data)
    expect(attributeSize(encoded)).toBe(encodedSizes[name])
    // session_id: 10 + 20; expire_at: 9 + 5 (1767225600 has 8 significant digits); data: 4 + the map
    const item = { session_id: { S: 'SESSIONS::TOWER::abc' }, expire_at: { N: '1767225600' }, data: encoded }
    expect(itemSize(item)).toBe(30 + 14 + 4 + (encodedSizes[name] ?? Number.NaN))
  })

  it('counts attribute names in UTF-8 bytes', () => {
    expect(itemSize({ session_id: { S: '' } })).toBe(10)
    expect(itemSize({ 'é😀': { NULL: true } })).toBe(6 + 1)
    expect(itemSize({})).toBe(0)
  })

  it('counts the 3-byte overhead of empty maps and lists', () => {
    expect(attributeSize({ M: {} })).toBe(3)
    expect(attributeSize({ L: [] })).toBe(3)
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
    // {"name":"Zoë 😀","list":[1,2,3]}: 29 ASCII characters, ë in 2 bytes, 😀 in 4
    expect(attributeSize(jsonStringCodec.encode(data))).toBe(35)
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
