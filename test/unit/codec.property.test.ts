import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { assertJsonValue, type JsonValue, jsonEqual, type SessionData } from '../../src/data.ts'
import { attributeSize, itemSize, jsonStringCodec, nativeMapCodec } from '../../src/store/codec.ts'

/**
 * Numbers DynamoDB can store: zero, or a magnitude in [1e-130, 1e126). Integers, ordinary doubles and the
 * extremes of the range all appear.
 */
const dynamoNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc
    .double({ min: -1e125, max: 1e125, noNaN: true, noDefaultInfinity: true })
    .filter((n) => n === 0 || Math.abs(n) >= 1e-130),
  fc.constantFrom(0, -0, 1e-130, -1e-130, 9.999999999999998e125, -9.999999999999998e125, 0.1, 2 ** 53),
)

/** Object keys, from all of Unicode ("__proto__" included), but not empty: DynamoDB map keys cannot be. */
const key: fc.Arbitrary<string> = fc
  .oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant('__proto__'))
  .filter((k) => k !== '')

const text: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
)

const { json } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { maxDepth: 6, depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    dynamoNumber,
    text,
    fc.array(tie('json'), { maxLength: 5 }),
    fc.dictionary(key, tie('json'), { maxKeys: 5 }),
  ),
}))

const sessionData: fc.Arbitrary<SessionData> = fc.dictionary(key, json, { maxKeys: 8 })

/** What JSON makes of a value: -0 becomes 0, objects lose their prototype quirks. */
function normalised(data: SessionData): SessionData {
  return JSON.parse(JSON.stringify(data)) as SessionData
}

/** Every string a DynamoDB map item holds (keys and string values), in UTF-8 bytes: a floor for its size. */
function stringBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S)
  if (value.L !== undefined) return value.L.reduce((sum, child) => sum + stringBytes(child), 0)
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (sum, [k, child]) => sum + Buffer.byteLength(k) + stringBytes(child),
      0,
    )
  }
  return 0
}

/** How many attribute values (every node, the root included) the encoded value holds. */
function nodeCount(value: AttributeValue): number {
  if (value.L !== undefined) return value.L.reduce((sum, child) => sum + nodeCount(child), 1)
  if (value.M !== undefined) return Object.values(value.M).reduce((sum, child) => sum + nodeCount(child), 1)
  return 1
}

const runs = { numRuns: 300 }

describe('generated session data', () => {
  it('is what assertJsonValue accepts (the generator is faithful)', () => {
    fc.assert(
      fc.property(sessionData, (data) => {
        assertJsonValue(data, 'data')
      }),
      runs,
    )
  })
})

describe('codec round trips (property)', () => {
  it('nativeMapCodec.decode(encode(x)) equals x as JSON would give it back', () => {
    fc.assert(
      fc.property(sessionData, (data) => {
        expect(nativeMapCodec.decode(nativeMapCodec.encode(data))).toEqual(normalised(data))
      }),
      runs,
    )
  })

  it('jsonStringCodec.decode(encode(x)) equals x as JSON would give it back', () => {
    fc.assert(
      fc.property(sessionData, (data) => {
        expect(jsonStringCodec.decode(jsonStringCodec.encode(data))).toEqual(normalised(data))
      }),
      runs,
    )
  })

  it('both codecs read back the same data, equal to the original by jsonEqual', () => {
    fc.assert(
      fc.property(sessionData, (data) => {
        const viaMap = nativeMapCodec.decode(nativeMapCodec.encode(data))
        const viaJson = jsonStringCodec.decode(jsonStringCodec.encode(data))
        expect(viaMap).toEqual(viaJson)
        expect(jsonEqual(viaMap, data)).toBe(true)
      }),
      runs,
    )
  })

  it('encoding is stable: encode(decode(encode(x))) equals encode(x)', () => {
    fc.assert(
      fc.property(sessionData, (data) => {
        const encoded = nativeMapCodec.encode(data)
        expect(nativeMapCodec.encode(nativeMapCodec.decode(encoded))).toEqual(encoded)
      }),
      runs,
    )
  })
})

describe('attributeSize and itemSize (property)', () => {
  // `attributeSize(encode(x)) >= Buffer.byteLength(JSON.stringify(x))` does NOT hold in general: JSON pays
  // for quotes, colons, commas and escapes that DynamoDB does not ({"a":"x"} is 9 bytes of JSON but about 6
  // bytes as a DynamoDB map). What holds is a floor made of the strings themselves plus the fixed overheads.

  it('counts at least the UTF-8 bytes of every key and string, plus 1 byte per value', () => {
    fc.assert(
      fc.property(sessionData, (data) => {
        const encoded = nativeMapCodec.encode(data)
        expect(attributeSize(encoded)).toBeGreaterThanOrEqual(stringBytes(encoded))
        expect(attributeSize(encoded)).toBeGreaterThanOrEqual(stringBytes(encoded) + nodeCount(encoded))
      }),
      runs,
    )
  })

  it('measures the jsonStringCodec attribute as exactly the UTF-8 bytes of the JSON', () => {
    fc.assert(
      fc.property(sessionData, (data) => {
        expect(attributeSize(jsonStringCodec.encode(data))).toBe(Buffer.byteLength(JSON.stringify(data)))
      }),
      runs,
    )
  })

  it('grows when a key is added', () => {
    fc.assert(
      fc.property(sessionData, key, json, (data, newKey, value) => {
        fc.pre(!Object.hasOwn(data, newKey))
        const before = attributeSize(nativeMapCodec.encode(data))
        const after = attributeSize(nativeMapCodec.encode({ ...data, [newKey]: value }))
        // At least the key's bytes and 1 byte of element overhead (an empty string value adds nothing more).
        expect(after).toBeGreaterThanOrEqual(before + Buffer.byteLength(newKey) + 1)
      }),
      runs,
    )
  })

  it('changes by the difference in UTF-8 bytes when a string value changes', () => {
    fc.assert(
      fc.property(sessionData, key, text, text, (data, k, a, b) => {
        const withA = attributeSize(nativeMapCodec.encode({ ...data, [k]: a }))
        const withB = attributeSize(nativeMapCodec.encode({ ...data, [k]: b }))
        expect(withB - withA).toBe(Buffer.byteLength(b) - Buffer.byteLength(a))
      }),
      runs,
    )
  })

  it('grows by at least 5 bytes when the data is wrapped in one more map level', () => {
    fc.assert(
      fc.property(sessionData, (data) => {
        const flat = attributeSize(nativeMapCodec.encode(data))
        const wrapped = attributeSize(nativeMapCodec.encode({ w: data }))
        expect(wrapped).toBeGreaterThanOrEqual(flat + 5)
      }),
      runs,
    )
  })

  it('sizes an item as the sum of its attribute names and values', () => {
    fc.assert(
      fc.property(sessionData, key, (data, name) => {
        const value = nativeMapCodec.encode(data)
        expect(itemSize({ [name]: value })).toBe(Buffer.byteLength(name) + attributeSize(value))
      }),
      runs,
    )
  })
})
