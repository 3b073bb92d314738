import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack'
import { describe, expect, it } from 'vitest'
import type { JsonValue, SessionData } from '../../../src/data.ts'
import { SessionDataError } from '../../../src/errors.ts'
import {
  assertTowerSessionValue,
  decodeTowerRecord,
  encodeTowerRecord,
  MAX_VALUE_DEPTH,
} from '../../../src/tower-sessions/index.ts'
import { hex, rustVectors } from './fixtures.ts'

const ID = 'KgAAAAAAAAAAAAAAAAAAAA'
const AT = 1_805_036_966

/** The bytes the encoder writes for one value (under the key "n"). */
function valueHex(value: JsonValue): string {
  const bytes = encodeTowerRecord({ id: ID, data: { n: value }, expiresAt: AT })
  return hex(decodeTowerRecord(bytes).rawEntries.get('n') as Uint8Array)
}

function float64(value: number): string {
  const bytes = Buffer.alloc(9)
  bytes[0] = 0xcb
  bytes.writeDoubleBE(value, 1)
  return bytes.toString('hex')
}

function nested(levels: number): JsonValue {
  let value: JsonValue = []
  for (let i = 1; i < levels; i++) value = [value]
  return value
}

describe('encodeTowerRecord', () => {
  it('writes the worked example of the format byte for byte', () => {
    const bytes = encodeTowerRecord({ id: ID, data: { visits: 1 }, expiresAt: AT })
    expect(hex(bytes)).toBe(
      '93c4100000000000000000000000000000002a81a67669736974730199cd07eb490f091a00000000',
    )
    expect(Buffer.from(bytes).toString('base64')).toBe(
      'k8QQAAAAAAAAAAAAAAAAAAAAKoGmdmlzaXRzAZnNB+tJDwkaAAAAAA==',
    )
  })

  it.each([
    [0, '00'],
    [127, '7f'],
    [128, 'cc80'],
    [255, 'ccff'],
    [256, 'cd0100'],
    [65535, 'cdffff'],
    [65536, 'ce00010000'],
    [2 ** 32 - 1, 'ceffffffff'],
    [2 ** 32, 'cf0000000100000000'],
    [Number.MAX_SAFE_INTEGER, 'cf001fffffffffffff'],
    [2 ** 53, 'cf0020000000000000'],
    [2 ** 60, 'cf1000000000000000'],
    [2 ** 63, 'cf8000000000000000'],
    [2 ** 64 - 2048, 'cffffffffffffff800'],
    [-1, 'ff'],
    [-32, 'e0'],
    [-33, 'd0df'],
    [-128, 'd080'],
    [-129, 'd1ff7f'],
    [-32768, 'd18000'],
    [-32769, 'd2ffff7fff'],
    [-(2 ** 31), 'd280000000'],
    [-(2 ** 31) - 1, 'd3ffffffff7fffffff'],
    [Number.MIN_SAFE_INTEGER, 'd3ffe0000000000001'],
    [-(2 ** 63), 'd38000000000000000'],
    [-0, '00'],
  ])('writes the integer %d in its smallest form (%s)', (value, expected) => {
    expect(valueHex(value)).toBe(expected)
  })

  it.each([
    0.5,
    -1.5,
    0.1,
    1e21,
    2 ** 64,
    -(2 ** 63) - 2048,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    2.2250738585072014e-308,
    1e-200,
    1e200,
  ])('writes %d as float 64, whatever its magnitude', (value) => {
    expect(valueHex(value)).toBe(float64(value))
  })

  it('writes every integer of a value holding a wide one in its smallest form', () => {
    // The bigint path of @msgpack/msgpack would write 2^33 as a float: it gets a bigint too.
    expect(valueHex([2 ** 60, 2 ** 33, 1, -(2 ** 40), 0.5])).toBe(
      `95cf1000000000000000cf000000020000000001d3ffffff0000000000${float64(0.5)}`,
    )
  })

  it.each([
    [31, 'bf'],
    [32, 'd920'],
    [255, 'd9ff'],
    [256, 'da0100'],
    [65535, 'daffff'],
    [65536, 'db00010000'],
  ])('writes a string of %d bytes with the header %s', (length, header) => {
    expect(valueHex('x'.repeat(length)).slice(0, header.length)).toBe(header)
  })

  it.each([
    [15, '9f'],
    [16, 'dc0010'],
    [65536, 'dd00010000'],
  ])('writes an array of %d items with the header %s', (length, header) => {
    expect(valueHex(Array(length).fill(0)).slice(0, header.length)).toBe(header)
  })

  it.each([
    [15, '8f'],
    [16, 'de0010'],
  ])('writes a data map of %d keys with the header %s, and nested maps likewise', (size, header) => {
    const data = Object.fromEntries(Array.from({ length: size }, (_, i) => [`k${i}`, i]))
    const bytes = encodeTowerRecord({ id: ID, data, expiresAt: AT })
    expect(hex(bytes.subarray(19, 19 + header.length / 2))).toBe(header) // after 93 c4 10 <16 bytes>
    expect(valueHex(data).slice(0, header.length)).toBe(header)
    expect(decodeTowerRecord(bytes).data).toEqual(data)
  })

  it('writes a nested map of 65536 keys with the header df00010000 (the session itself holds at most 8,192)', () => {
    const big = Object.fromEntries(Array.from({ length: 65536 }, (_, i) => [`k${i}`, i]))
    const bytes = encodeTowerRecord({ id: ID, data: { big }, expiresAt: AT })
    expect(hex(bytes.subarray(19, 19 + 6))).toBe('81a3626967df') // { "big": map32 ...
    expect(valueHex(big).slice(0, 10)).toBe('df00010000')
    expect(decodeTowerRecord(bytes).data).toEqual({ big })
  })

  it('keeps the data’s key order by default, and sorts keys by UTF-8 bytes as Rust’s BTreeMap with sortKeys', () => {
    const data = { b: 1, '😀': 2, '\uFFFF': 3, '10': 4, '9': 5, a: { y: 1, x: 2 } }
    // The order written (a JavaScript object would list integer-like keys first whatever the order).
    const keysOf = (bytes: Uint8Array) => [...decodeTowerRecord(bytes).rawEntries.keys()]
    const sorted = encodeTowerRecord({ id: ID, data, expiresAt: AT }, { sortKeys: true })
    // UTF-16 order would put the emoji before U+FFFF, and a JavaScript object puts "9" before "10".
    expect(keysOf(sorted)).toEqual(
      ['9', '10', 'a', 'b', '\uFFFF', '😀'].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
    )
    expect(hex(sorted)).toContain(`${hex(Buffer.from('a'))}82a178`) // nested map sorted too: "x" first
    const plain = encodeTowerRecord({ id: ID, data, expiresAt: AT })
    expect(keysOf(plain)).toEqual(Object.keys(data))
    expect(decodeTowerRecord(plain).data).toEqual(decodeTowerRecord(sorted).data)
  })

  it('drops undefined properties, as JSON does', () => {
    const data = { kept: 1, gone: undefined, nested: { gone: undefined, kept: 2 } } as unknown as SessionData
    const loaded = decodeTowerRecord(encodeTowerRecord({ id: ID, data, expiresAt: AT }))
    expect(loaded.data).toEqual({ kept: 1, nested: { kept: 2 } })
    expect(Object.keys(loaded.data)).toEqual(['kept', 'nested'])
  })

  it('writes what the Rust side can still read: 1021 nested levels, not 1022', () => {
    expect(MAX_VALUE_DEPTH).toBe(1021)
    const deep = encodeTowerRecord({ id: ID, data: { deep: nested(1021) }, expiresAt: AT })
    expect(decodeTowerRecord(deep).data.deep).toEqual(nested(1021))
    expect(() => encodeTowerRecord({ id: ID, data: { deep: nested(1022) }, expiresAt: AT })).toThrow(
      SessionDataError,
    )
  })

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a bigint', 1n],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a Uint8Array (it would be MessagePack binary, which Rust refuses)', new Uint8Array(1)],
    ['a class instance', new (class Point {})()],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['undefined in an array', [undefined]],
    ['a lone surrogate', '\uD800'],
    ['a lone surrogate in a nested key', { '\uDC00': 1 }],
  ])('refuses %s with a SessionDataError', (_name, value) => {
    expect(() => encodeTowerRecord({ id: ID, data: { v: value as JsonValue }, expiresAt: AT })).toThrow(
      SessionDataError,
    )
    expect(() => assertTowerSessionValue(value, 'v')).toThrow(SessionDataError)
  })

  it('refuses a cycle, a top-level key with a lone surrogate, and data that is not an object', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => encodeTowerRecord({ id: ID, data: { c: cycle as JsonValue }, expiresAt: AT })).toThrow(
      SessionDataError,
    )
    expect(() => encodeTowerRecord({ id: ID, data: { '\uD83D': 1 }, expiresAt: AT })).toThrow(
      SessionDataError,
    )
    expect(() => encodeTowerRecord({ id: ID, data: [] as unknown as SessionData, expiresAt: AT })).toThrow(
      SessionDataError,
    )
    expect(() => encodeTowerRecord({ id: ID, data: null as unknown as SessionData, expiresAt: AT })).toThrow(
      SessionDataError,
    )
  })

  it('refuses an id that is not canonical, and an expiry it cannot write', () => {
    expect(() => encodeTowerRecord({ id: 'KgAAAAAAAAAAAAAAAAAAAB', data: {}, expiresAt: AT })).toThrow(
      TypeError,
    )
    expect(() => encodeTowerRecord({ id: ID, data: {}, expiresAt: 1.5 })).toThrow(RangeError)
    expect(() => encodeTowerRecord({ id: ID, data: {}, expiresAt: 253_402_300_800 })).toThrow(RangeError)
    const parts = [2027, 73, 15, 9, 26, 0, 0, 0, 0] as const
    expect(() => encodeTowerRecord({ id: ID, data: {}, expiresAt: AT + 1 }, { expiryParts: parts })).toThrow(
      RangeError,
    )
    expect(() =>
      encodeTowerRecord({ id: ID, data: {}, expiresAt: AT }, { expiryParts: [2027, 0, 0, 0, 0, 0, 0, 0, 0] }),
    ).toThrow(RangeError)
  })

  it('writes a given expiry date with its offset and nanoseconds', () => {
    const parts = [2030, 2, 3, 4, 5, 123_456_789, 2, 0, 0] as const
    const bytes = encodeTowerRecord({ id: ID, data: {}, expiresAt: 1_893_546_245 }, { expiryParts: parts })
    expect(hex(bytes).endsWith('99cd07ee02030405ce075bcd15020000')).toBe(true)
    expect(decodeTowerRecord(bytes).expiryParts).toEqual(parts)
  })
})

describe('decodeTowerRecord', () => {
  it('loads __proto__, constructor and friends as own data properties, touching no prototype', () => {
    const vector = rustVectors.find((v) => v.name.endsWith('nested __proto__ and constructor'))
    const members = rustVectors.find((v) => v.name.endsWith('keys named like Object.prototype members'))
    if (!vector || !members) throw new Error('vector missing')
    const loaded = decodeTowerRecord(Buffer.from(vector.data_b64, 'base64')).data
    const user = loaded.user as Record<string, JsonValue>
    expect(Object.getPrototypeOf(user)).toBe(Object.prototype)
    expect(Object.hasOwn(user, '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(user, '__proto__')?.value).toEqual({ admin: true })
    expect((user as { admin?: unknown }).admin).toBeUndefined()
    expect(({} as { admin?: unknown }).admin).toBeUndefined()
    const top = decodeTowerRecord(Buffer.from(members.data_b64, 'base64')).data
    expect(Object.getPrototypeOf(top)).toBe(Object.prototype)
    expect(Object.hasOwn(top, '__proto__')).toBe(true)
    expect(top.constructor).toBe('c')
    expect(top.toString).toBe(1)
    expect(Object.keys(top)).toHaveLength(10)
  })

  it('keeps a byte order mark at the start of long strings and keys', () => {
    // @msgpack/msgpack 3.1 drops it from strings over 200 bytes (its TextDecoder strips a BOM), which is
    // why such values take the careful path.
    const text = `\uFEFF${'x'.repeat(300)}`
    expect(msgpackDecode(msgpackEncode(text))).toBe(text.slice(1))
    const data = { bom: text, [text]: [text] }
    expect(decodeTowerRecord(encodeTowerRecord({ id: ID, data, expiresAt: AT })).data).toEqual(data)
  })

  it.each([
    ['a Uint8Array', (bytes: Uint8Array) => bytes],
    ['a Buffer', (bytes: Uint8Array) => Buffer.from(bytes)],
  ])('works on a private copy of %s: changing the input afterwards changes nothing loaded', (_name, wrap) => {
    const bytes = wrap(encodeTowerRecord({ id: ID, data: { a: 'abc' }, expiresAt: AT }))
    const loaded = decodeTowerRecord(bytes)
    const raw = hex(loaded.rawEntries.get('a') as Uint8Array)
    bytes.fill(0)
    expect(hex(loaded.rawEntries.get('a') as Uint8Array)).toBe(raw)
    expect(loaded.id).toBe(ID)
  })

  it('reports what JavaScript cannot hold, and what it returns in its place', () => {
    const vector = rustVectors.find((v) => v.name.endsWith('Rust-side numbers JavaScript cannot keep'))
    if (!vector) throw new Error('vector missing')
    const loaded = decodeTowerRecord(Buffer.from(vector.data_b64, 'base64'))
    expect(loaded.data).toEqual({ big: 2 ** 64, min: -(2 ** 63), ratio: 2 })
    // i64::MIN is a double: exact. u64::MAX is not; 2.0 would be written back as the integer 2.
    expect([...loaded.inexactKeys].sort()).toEqual(['big', 'ratio'])
  })
})

describe('raw entries: a save never changes what it did not touch', () => {
  const vector = rustVectors.find((v) => v.name.endsWith('Rust-side numbers JavaScript cannot keep'))
  if (!vector) throw new Error('vector missing')
  const loaded = decodeTowerRecord(Buffer.from(vector.data_b64, 'base64'))
  const original = (key: string) => hex(loaded.rawEntries.get(key) as Uint8Array)

  it('writes untouched values from their original bytes, changed and new ones from JavaScript', () => {
    const data = { ...loaded.data, min: 5, visits: 1 }
    const untouched = new Map([...loaded.rawEntries].filter(([key]) => key !== 'min'))
    const saved = decodeTowerRecord(encodeTowerRecord({ ...loaded, data }, { rawEntries: untouched }))
    expect(hex(saved.rawEntries.get('big') as Uint8Array)).toBe(original('big')) // cf ffffffffffffffff
    expect(hex(saved.rawEntries.get('ratio') as Uint8Array)).toBe(original('ratio')) // cb 4000000000000000
    expect(hex(saved.rawEntries.get('min') as Uint8Array)).toBe('05')
    expect(hex(saved.rawEntries.get('visits') as Uint8Array)).toBe('01')
  })

  it('ignores the raw entry of a deleted key', () => {
    const { big: _big, ...data } = loaded.data
    const saved = decodeTowerRecord(encodeTowerRecord({ ...loaded, data }, { rawEntries: loaded.rawEntries }))
    expect(Object.keys(saved.data).sort()).toEqual(['min', 'ratio'])
  })

  it('without them, a value written back from JavaScript changes on the Rust side (documented)', () => {
    const saved = decodeTowerRecord(encodeTowerRecord(loaded))
    expect(hex(saved.rawEntries.get('big') as Uint8Array)).toBe(float64(2 ** 64)) // u64::MAX became a float
    expect(hex(saved.rawEntries.get('ratio') as Uint8Array)).toBe('02') // 2.0 became the integer 2
    expect(hex(saved.rawEntries.get('min') as Uint8Array)).toBe(original('min')) // i64::MIN is exact
  })
})
