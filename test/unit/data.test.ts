import { describe, expect, it } from 'vitest'
import { assertJsonValue, type JsonValue, jsonEqual } from '../../src/data.ts'
import { SessionDataError, SessionError } from '../../src/errors.ts'
import { jsonStringCodec, nativeMapCodec } from '../../src/store/codec.ts'

/** `levels` objects nested inside each other, with `leaf` in the innermost one. */
function nestedObjects(levels: number, leaf: unknown = 1): unknown {
  let value = leaf
  for (let i = 0; i < levels; i++) value = { a: value }
  return value
}

/** `levels` arrays nested inside each other, with `leaf` in the innermost one. */
function nestedArrays(levels: number, leaf: unknown = 1): unknown {
  let value = leaf
  for (let i = 0; i < levels; i++) value = [value]
  return value
}

/** The error `assertJsonValue(value, key)` throws (fails the test if it does not throw). */
function dataError(value: unknown, key = 'k'): SessionDataError {
  try {
    assertJsonValue(value, key)
  } catch (error) {
    expect(error).toBeInstanceOf(SessionDataError)
    expect(error).toBeInstanceOf(SessionError)
    return error as SessionDataError
  }
  throw new Error('assertJsonValue did not throw')
}

class Point {
  readonly x: number
  readonly y: number
  constructor(x: number, y: number) {
    this.x = x
    this.y = y
  }
}

describe('assertJsonValue accepts JSON values', () => {
  it.each([
    ['null', null],
    ['true', true],
    ['false', false],
    ['an empty string', ''],
    ['a unicode string', 'héllo 😀 \u0000 "quoted"'],
    ['zero', 0],
    ['negative zero', -0],
    ['a negative fraction', -12.5],
    ['1e125', 1e125],
    ['-1e125', -1e125],
    ['the largest double below 1e126', 9.999999999999998e125],
    ['1e-130, the smallest DynamoDB magnitude', 1e-130],
    ['-1e-130', -1e-130],
    ['Number.MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
    ['an empty object', {}],
    ['an empty array', []],
    ['a nested document', { user: { id: 'u1', roles: ['a', 'b'], meta: { n: 1, ok: true, none: null } } }],
    ['nested arrays', [[1, [2, [3, []]]], [{ a: [null] }]]],
    ['an object without prototype', Object.assign(Object.create(null), { a: 1, b: { c: 'd' } })],
    ['30 nested objects', nestedObjects(30)],
    ['30 nested arrays', nestedArrays(30)],
    ['an object whose own key is "__proto__"', JSON.parse('{"__proto__": {"a": 1}}')],
  ])('%s', (_, value) => {
    expect(() => assertJsonValue(value, 'k')).not.toThrow()
  })

  it('allows undefined object properties (dropped on save, as JSON.stringify drops them)', () => {
    expect(() => assertJsonValue({ a: 1, b: undefined }, 'k')).not.toThrow()
    expect(() => assertJsonValue({ nested: { gone: undefined } }, 'k')).not.toThrow()
  })

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { sku: 'A-1' }
    expect(() =>
      assertJsonValue({ first: shared, second: shared, list: [shared, shared] }, 'k'),
    ).not.toThrow()
  })
})

describe('assertJsonValue rejects what JSON cannot hold', () => {
  it.each([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 1n],
    ['undefined at the top level', undefined],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a Date', new Date(0)],
    ['a Map', new Map([['a', 1]])],
    ['a Set', new Set([1])],
    ['a class instance', new Point(1, 2)],
    ['a RegExp', /x/],
    ['a Uint8Array', new Uint8Array([1])],
    ['a Buffer', Buffer.from('x')],
    ['a boxed string', new String('x')],
    ['a Promise', Promise.resolve(1)],
    ['an Error', new Error('x')],
  ])('%s', (_, value) => {
    const error = dataError(value, 'key')
    expect(error.message).toContain('key')
  })

  it('rejects undefined inside an array (JSON would turn it into null)', () => {
    expect(dataError([1, undefined], 'list').message).toContain('list[1]')
  })

  it('rejects an object cycle', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    expect(dataError(cyclic, 'c').message).toMatch(/c\.self.*cycle/)
  })

  it('rejects an array cycle', () => {
    const cyclic: unknown[] = [1]
    cyclic.push({ back: cyclic })
    expect(dataError(cyclic, 'c').message).toContain('cycle')
  })

  it('names the path of the bad value in the message', () => {
    const error = dataError({ items: [{ sku: 'A-1' }, { sku: 'B-2', when: new Date() }] }, 'cart')
    expect(error.message).toContain('cart.items[1].when')
    expect(dataError({ a: { b: () => 1 } }, 'x').message).toContain('x.a.b')
    expect(dataError({ n: [Number.NaN] }, 'y').message).toContain('y.n[0]')
    expect(dataError({ big: 10n }, 'z').message).toContain('z.big')
  })

  it('names a class instance by its constructor', () => {
    expect(dataError({ p: new Point(0, 0) }, 'k').message).toContain('Point')
    expect(dataError(new Map(), 'k').message).toContain('Map')
  })

  it('does not put the rejected value in the message', () => {
    const error = dataError({ secret: 'hunter2', bad: Symbol('s') }, 'k')
    expect(error.message).not.toContain('hunter2')
  })

  it('rejects lone surrogates in strings and in keys, at any depth (not valid Unicode text)', () => {
    expect(dataError('a\ud800', 's').message).toMatch(/lone surrogate/)
    expect(dataError({ deep: ['ok', { x: '\udfff' }] }, 's').message).toContain('s.deep[1].x')
    expect(dataError({ ['k\ud83d']: 1 }, 's').message).toMatch(/key has a lone surrogate/)
    expect(() => assertJsonValue(1, 'key\ud800')).toThrow(SessionDataError)
    // A surrogate pair is one valid character.
    expect(() => assertJsonValue({ ['\ud83d\ude00']: '\ud83d\ude00' }, '\ud83d\ude00')).not.toThrow()
  })

  it('rejects nesting beyond 100 levels, whatever the codec', () => {
    expect(() => assertJsonValue(nestedObjects(100), 'k')).not.toThrow()
    dataError(nestedObjects(101))
  })

  it('accepts what only DynamoDB maps refuse: the codec in use decides those', () => {
    for (const value of [
      1e126,
      Number.MIN_VALUE,
      nestedObjects(33),
      { '': 1 },
      JSON.parse('{"a":{"__proto__":1}}'),
    ]) {
      expect(() => assertJsonValue(value, 'k')).not.toThrow()
    }
  })
})

describe('nativeMapCodec.check refuses what a DynamoDB map cannot hold or the SDK cannot read back', () => {
  const check =
    (value: unknown, key = 'k') =>
    () =>
      nativeMapCodec.check?.(key, value as JsonValue)
  it.each([
    ['1e126', 1e126],
    ['-1e126', -1e126],
    ['1e-131', 1e-131],
    ['-1e-131', -1e-131],
    ['the smallest subnormal', Number.MIN_VALUE],
    ['33 nested objects', nestedObjects(33)],
    ['33 nested arrays', nestedArrays(33)],
    ['a value nested 31 levels under the data map', nestedObjects(31)],
    ['an empty object key', { '': 1 }],
    ['a nested own "__proto__" key', JSON.parse('{"a":{"__proto__":{"x":1}}}')],
  ])('%s', (_, value) => {
    expect(check(value)).toThrow(SessionDataError)
  })

  it('refuses an empty or "__proto__" top-level key', () => {
    expect(check(1, '')).toThrow(SessionDataError)
    expect(check(1, '__proto__')).toThrow(/__proto__/)
  })

  it.each([
    ['1e125', 1e125],
    ['1e-130', 1e-130],
    ['30 nested objects', nestedObjects(30)],
    ['keys named like Object.prototype members', { constructor: 1, toString: 2, hasOwnProperty: 3 }],
  ])('accepts %s', (_, value) => {
    expect(check(value)).not.toThrow()
  })

  it('the JSON codecs have no such limits: they store JSON text', () => {
    expect(jsonStringCodec.check).toBeUndefined()
    expect(jsonStringCodec.decode(jsonStringCodec.encode({ a: JSON.parse('{"__proto__":1}') }))).toEqual({
      a: JSON.parse('{"__proto__":1}'),
    })
  })
})

describe('jsonEqual', () => {
  it('compares primitives by value', () => {
    expect(jsonEqual(1, 1)).toBe(true)
    expect(jsonEqual('a', 'a')).toBe(true)
    expect(jsonEqual(1, '1')).toBe(false)
    expect(jsonEqual(true, 1)).toBe(false)
    expect(jsonEqual(0, false)).toBe(false)
    expect(jsonEqual('', null)).toBe(false)
  })

  it('ignores object key order', () => {
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true)
    expect(jsonEqual({ x: { a: 1, b: [1, 2] } }, { x: { b: [1, 2], a: 1 } })).toBe(true)
  })

  it('ignores undefined properties on either side', () => {
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true)
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(true)
    expect(jsonEqual({ a: undefined }, { b: undefined })).toBe(true)
  })

  it('is sensitive to array order and length', () => {
    expect(jsonEqual([1, 2], [1, 2])).toBe(true)
    expect(jsonEqual([1, 2], [2, 1])).toBe(false)
    expect(jsonEqual([1, 2], [1, 2, 3])).toBe(false)
    expect(jsonEqual([], [])).toBe(true)
  })

  it('tells null from undefined and from an empty object', () => {
    expect(jsonEqual(null, null)).toBe(true)
    expect(jsonEqual(undefined, undefined)).toBe(true)
    expect(jsonEqual(null, undefined)).toBe(false)
    expect(jsonEqual(undefined, null)).toBe(false)
    expect(jsonEqual(null, {})).toBe(false)
    expect(jsonEqual({}, null)).toBe(false)
    expect(jsonEqual({ a: null }, { a: undefined })).toBe(false)
    expect(jsonEqual({ a: null }, {})).toBe(false)
  })

  it('tells arrays from objects with the same entries', () => {
    expect(jsonEqual([1], { 0: 1 })).toBe(false)
    expect(jsonEqual({ 0: 1 }, [1])).toBe(false)
    expect(jsonEqual([], {})).toBe(false)
  })

  it('detects extra and missing keys', () => {
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false)
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false)
    expect(jsonEqual({ a: 1 }, { b: 1 })).toBe(false)
  })

  it('compares nested structures deeply', () => {
    const a = { cart: { items: [{ sku: 'A', qty: 1 }], coupon: null } }
    expect(jsonEqual(a, structuredClone(a))).toBe(true)
    expect(jsonEqual(a, { cart: { items: [{ sku: 'A', qty: 2 }], coupon: null } })).toBe(false)
    expect(jsonEqual(a, { cart: { items: [{ sku: 'A', qty: 1 }], coupon: 'X' } })).toBe(false)
    expect(jsonEqual(nestedObjects(20, 'leaf'), nestedObjects(20, 'leaf'))).toBe(true)
    expect(jsonEqual(nestedObjects(20, 'leaf'), nestedObjects(20, 'other'))).toBe(false)
  })

  it('compares objects without prototype like plain ones', () => {
    const bare = Object.assign(Object.create(null), { a: 1 })
    expect(jsonEqual(bare, { a: 1 })).toBe(true)
    expect(jsonEqual({ a: 1 }, bare)).toBe(true)
  })
})
