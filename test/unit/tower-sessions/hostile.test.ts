/**
 * Whatever the `data` attribute holds, decodeTowerRecord returns or throws a TypeError: no other error,
 * no hang, no stack overflow, no huge allocation from a declared length.
 */
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { SessionDataError } from '../../../src/index.ts'
import { decodeTowerRecord, encodeTowerRecord, MAX_SESSION_KEYS } from '../../../src/tower-sessions/index.ts'
import { rustVectors } from './fixtures.ts'

const ID42 = `c410${'00'.repeat(15)}2a`
const EXPIRY = '99cd07eb490f091a00000000'
const blobs = rustVectors
  .filter((vector) => vector.data_hex.length < 4000)
  .map((v) => Buffer.from(v.data_hex, 'hex'))

/** Decodes, and on success checks the result can be saved again. Any error but a TypeError fails. */
function decodeOrTypeError(bytes: Uint8Array): void {
  let loaded: ReturnType<typeof decodeTowerRecord>
  try {
    loaded = decodeTowerRecord(bytes)
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(/^(not a tower-sessions record|invalid expiry date)/)
    return
  }
  encodeTowerRecord(loaded, { rawEntries: loaded.rawEntries, expiryParts: loaded.expiryParts })
}

describe('hostile data attributes', () => {
  it('refuses every truncation of the Rust vectors (every length up to 300 bytes, 30 more per vector)', () => {
    for (const blob of blobs) {
      const lengths = Array.from({ length: Math.min(blob.length, 300) }, (_, i) => i)
      for (let i = 0; i < 30 && blob.length > 300; i++)
        lengths.push(Math.floor((blob.length * (i + 0.5)) / 30))
      for (const length of lengths)
        expect(() => decodeTowerRecord(blob.subarray(0, length))).toThrow(TypeError)
    }
  })

  it('survives random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), decodeOrTypeError), { numRuns: 2000 })
  })

  it('survives random bytes after a valid record header', () => {
    const tail = fc.uint8Array({ maxLength: 200 })
    fc.assert(
      fc.property(tail, (bytes) =>
        decodeOrTypeError(Buffer.concat([Buffer.from(`93${ID42}`, 'hex'), bytes])),
      ),
      { numRuns: 2000 },
    )
  })

  it('survives random corruption of the Rust vectors', () => {
    const edit = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('flip', 'insert', 'delete', 'set'),
      byte: fc.integer({ min: 0, max: 255 }),
    })
    fc.assert(
      fc.property(
        fc.constantFrom(...blobs),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        (blob, edits) => {
          const bytes = [...blob]
          for (const { at, kind, byte } of edits) {
            const i = at % (bytes.length + 1)
            if (kind === 'flip')
              bytes[i % bytes.length] = (bytes[i % bytes.length] as number) ^ (1 << (byte % 8))
            else if (kind === 'insert') bytes.splice(i, 0, byte)
            else if (kind === 'delete') bytes.splice(i, 1)
            else bytes[i % bytes.length] = byte
          }
          decodeOrTypeError(Uint8Array.from(bytes))
        },
      ),
      { numRuns: 3000 },
    )
  })

  // Refused from the declared length alone: the bounds check fires before anything of that size is read or
  // allocated. The work is bounded by the input: every item head costs one byte read (a DataView getUint8),
  // so the reads are counted. The decode time of these inputs is a figure of bench/tower-decode.ts.
  it.each([
    ['a string of 4 GiB', `93${ID42}81a176dbffffffff`, 'truncated'],
    ['a binary of 4 GiB', `93${ID42}81a176c6ffffffff`, 'truncated'],
    ['an extension of 4 GiB', `83a178c9ffffffff01`, 'truncated'],
    ['an array of 4 billion items', `93${ID42}81a176ddffffffff`, 'truncated'],
    ['a map of 4 billion entries', `93${ID42}dfffffffff`, 'more than 8192 keys'],
    ['a record array of 4 billion fields', 'ddffffffff', 'the record is not 3 fields'],
    ['a record map of 4 billion fields', 'dfffffffff', 'truncated'],
    ['an array of 4 billion nils', `93${ID42}81a176ddffffffff${'c0'.repeat(1000)}`, 'truncated'],
  ])('refuses %s at once, reading no more than its bytes', (_name, hexBytes, why) => {
    const bytes = Buffer.from(hexBytes, 'hex')
    const reads = vi.spyOn(DataView.prototype, 'getUint8')
    try {
      expect(() => decodeTowerRecord(bytes)).toThrow(new TypeError(`not a tower-sessions record: ${why}`))
      expect(reads.mock.calls.length).toBeGreaterThan(0)
      expect(reads.mock.calls.length).toBeLessThanOrEqual(bytes.length)
    } finally {
      reads.mockRestore()
    }
  })

  it('refuses 200 000 levels of nesting without overflowing the stack', () => {
    for (const opener of ['91', '81a0']) {
      const bytes = Buffer.from(`93${ID42}81a176${opener.repeat(200_000)}c0${EXPIRY}`, 'hex')
      expect(() => decodeTowerRecord(bytes)).toThrow(/nested too deep/)
    }
    const unknownField = Buffer.from(`81a178${'91'.repeat(200_000)}c0`, 'hex')
    expect(() => decodeTowerRecord(unknownField)).toThrow(/nested too deep/)
  })

  it('reads 8,192 keys, the most a session holds; refuses 8,193 from the map header (57,000 took 150 ms and 25 MB)', () => {
    const keys = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, true]))
    const record = (count: number) => ({ id: 'KgAAAAAAAAAAAAAAAAAAAA', data: keys(count), expiresAt: 0 })
    expect(MAX_SESSION_KEYS).toBe(8192)
    expect(Object.keys(decodeTowerRecord(encodeTowerRecord(record(8192))).data)).toHaveLength(8192)
    // Written by another service: a data map of one key more than the format holds; refused from its header.
    const more = Buffer.from(`93${ID42}de2001`, 'hex')
    const reads = vi.spyOn(DataView.prototype, 'getUint8')
    try {
      expect(() => decodeTowerRecord(more)).toThrow(
        new TypeError('not a tower-sessions record: more than 8192 keys'),
      )
      expect(reads.mock.calls.length).toBeLessThanOrEqual(more.length)
    } finally {
      reads.mockRestore()
    }
    expect(() => encodeTowerRecord(record(8193))).toThrow(SessionDataError)
    expect(() => encodeTowerRecord(record(8193))).toThrow(/at most 8192 keys; this one would have 8193/)
  })

  it('reads a large valid record whole (its decode time is a figure of bench/tower-decode.ts)', () => {
    const data = { items: Array.from({ length: 50_000 }, (_, i) => ({ i, s: `item ${i}` })) }
    const bytes = encodeTowerRecord({ id: 'KgAAAAAAAAAAAAAAAAAAAA', data, expiresAt: 0 })
    expect(decodeTowerRecord(bytes).data).toEqual(data)
  })

  it.each([
    ['a string', 'k8QQ'],
    ['an array of numbers', [0x93]],
    ['null', null],
    ['undefined', undefined],
    ['an ArrayBuffer', new ArrayBuffer(4)],
    ['a number', 42],
  ])('refuses %s as input', (_name, input) => {
    expect(() => decodeTowerRecord(input as unknown as Uint8Array)).toThrow(TypeError)
  })
})
