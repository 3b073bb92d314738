import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { gzipCodec, jsonStringCodec, nativeMapCodec, SessionConfigError } from '../../src/index.ts'

const cart = (items: number) => ({
  items: Array.from({ length: items }, (_, i) => ({ sku: `SKU-${i}`, qty: i % 5, title: 'A product title' })),
})

describe('gzipCodec', () => {
  it('stores small sessions with the codec below the threshold (a native map by default)', () => {
    const codec = gzipCodec()
    const data = { count: 1 }
    expect(codec.encode(data)).toEqual(nativeMapCodec.encode(data))
    expect(gzipCodec({ below: jsonStringCodec }).encode(data)).toEqual({ S: '{"count":1}' })
  })

  it('gzips sessions at or above the threshold, several times smaller, and reads them back', () => {
    const codec = gzipCodec({ threshold: 1536 })
    const data = cart(200)
    const json = JSON.stringify(data)
    const encoded = codec.encode(data)
    expect(encoded.B).toBeInstanceOf(Uint8Array)
    expect(encoded.B?.length).toBeLessThan(json.length / 3)
    expect(codec.decode(encoded)).toEqual(data)
  })

  it('switches exactly at the threshold', () => {
    const data = { s: 'x'.repeat(100) }
    const bytes = Buffer.byteLength(JSON.stringify(data))
    expect(gzipCodec({ threshold: bytes }).encode(data).B).toBeDefined()
    expect(gzipCodec({ threshold: bytes + 1 }).encode(data).M).toBeDefined()
  })

  it('reads both forms, so it can be turned on for a table that already holds sessions', () => {
    const codec = gzipCodec()
    expect(codec.decode(nativeMapCodec.encode({ a: 1 }))).toEqual({ a: 1 })
    expect(codec.decode({ B: gzipSync('{"b":2}') })).toEqual({ b: 2 })
  })

  it('throws on what it cannot read (the store then counts the item as corrupted)', () => {
    const codec = gzipCodec()
    expect(() => codec.decode({ B: new Uint8Array([1, 2, 3]) })).toThrow()
    expect(() => codec.decode({ B: gzipSync('[1,2]') })).toThrow(TypeError)
    expect(() => codec.decode({ B: gzipSync('not json') })).toThrow()
  })

  it('refuses to inflate beyond maxInflatedBytes (a gzip bomb)', () => {
    const bomb = gzipSync(`{"a":"${'x'.repeat(2_000_000)}"}`)
    expect(bomb.length).toBeLessThan(10_000)
    expect(() => gzipCodec({ maxInflatedBytes: 1_000_000 }).decode({ B: bomb })).toThrow()
    expect(gzipCodec().decode({ B: bomb }).a).toHaveLength(2_000_000)
  })

  it('rejects a nonsensical threshold or inflation limit', () => {
    expect(() => gzipCodec({ threshold: -1 })).toThrow(SessionConfigError)
    expect(() => gzipCodec({ threshold: Number.NaN })).toThrow(SessionConfigError)
    expect(() => gzipCodec({ maxInflatedBytes: 0 })).toThrow(SessionConfigError)
  })
})
