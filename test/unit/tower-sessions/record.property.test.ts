import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { JsonValue, SessionData } from '../../../src/data.ts'
import {
  decodeTowerRecord,
  encodeTowerRecord,
  MAX_EXPIRY_SECONDS,
  MIN_EXPIRY_SECONDS,
  towerIdFromRecordBytes,
} from '../../../src/tower-sessions/index.ts'
import { approxFromJs, hex, rustVectors } from './fixtures.ts'

/** Numbers of every kind: any finite double, integers of every width, the edges of i64/u64 and beyond. */
const number: fc.Arbitrary<number> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 65n }).map((n) => Number(n)),
  fc.constantFrom(0, -0, 2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, Number.MAX_VALUE, Number.MIN_VALUE, 1e21),
)

/** Keys from all of Unicode, the empty key and Object.prototype's names included. */
const key: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', '10', '\u0000'),
)

const text: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary', minLength: 190, maxLength: 260 }).map((s) => `\uFEFF${s}`),
)

const { json } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { maxDepth: 5, depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie('json'), { maxLength: 5 }),
    fc.dictionary(key, tie('json'), { maxKeys: 5 }),
  ),
}))

const data: fc.Arbitrary<SessionData> = fc.dictionary(key, json, { maxKeys: 8 })
const id = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(towerIdFromRecordBytes)
const expiresAt = fc.integer({ min: MIN_EXPIRY_SECONDS, max: MAX_EXPIRY_SECONDS })

/** What a value becomes through this format: -0 is written as the integer 0, as JSON writes it. */
const written = (value: JsonValue | undefined) =>
  approxFromJs(JSON.parse(JSON.stringify(value ?? null)) as JsonValue)

describe('encode then decode', () => {
  it('gives back the same id, data and expiry, and nothing JavaScript wrote is inexact', () => {
    fc.assert(
      fc.property(id, data, expiresAt, fc.boolean(), (recordId, recordData, at, sortKeys) => {
        const bytes = encodeTowerRecord({ id: recordId, data: recordData, expiresAt: at }, { sortKeys })
        const loaded = decodeTowerRecord(bytes)
        expect(loaded.id).toBe(recordId)
        expect(loaded.expiresAt).toBe(at)
        expect(approxFromJs(loaded.data)).toEqual(written(recordData))
        expect(loaded.inexactKeys.size).toBe(0)
        expect([...loaded.rawEntries.keys()].sort()).toEqual(Object.keys(recordData).sort())
        // Encoding what was loaded gives the same bytes again.
        expect(hex(encodeTowerRecord(loaded, { sortKeys }))).toBe(hex(bytes))
      }),
      { numRuns: 300 },
    )
  })
})

describe('raw entries', () => {
  const loadedVectors = rustVectors
    .filter((vector) => vector.data_hex.length < 16_000)
    .map((vector) => decodeTowerRecord(Buffer.from(vector.data_b64, 'base64')))

  it('keep the bytes of every untouched key, whatever changed around them', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...loadedVectors),
        fc.infiniteStream(fc.constantFrom('keep', 'change', 'delete')),
        fc.dictionary(key, json, { maxKeys: 3 }),
        fc.boolean(),
        (loaded, fates, added, sortKeys) => {
          const data: SessionData = {}
          const kept = new Map<string, Uint8Array>()
          const changed: SessionData = {}
          for (const [k, value] of Object.entries(loaded.data)) {
            const fate = fates.next().value
            if (fate === 'delete') continue
            if (fate === 'keep') {
              kept.set(k, loaded.rawEntries.get(k) as Uint8Array)
              Object.defineProperty(data, k, { value, enumerable: true, writable: true, configurable: true })
            } else {
              Object.defineProperty(changed, k, {
                value: [k],
                enumerable: true,
                writable: true,
                configurable: true,
              })
            }
          }
          for (const [k, value] of [...Object.entries(changed), ...Object.entries(added)]) {
            if (kept.has(k)) continue
            Object.defineProperty(data, k, { value, enumerable: true, writable: true, configurable: true })
          }
          const saved = decodeTowerRecord(
            encodeTowerRecord(
              { ...loaded, data },
              { rawEntries: kept, sortKeys, expiryParts: loaded.expiryParts },
            ),
          )
          expect(saved.expiryParts).toEqual(loaded.expiryParts)
          expect(Object.keys(saved.data).sort()).toEqual(Object.keys(data).sort())
          for (const [k, raw] of kept) expect(hex(saved.rawEntries.get(k) as Uint8Array)).toBe(hex(raw))
          for (const k of Object.keys(data)) {
            if (!kept.has(k)) expect(approxFromJs(saved.data[k])).toEqual(written(data[k]))
          }
          // Only kept values can be inexact: everything JavaScript wrote is exact.
          for (const k of saved.inexactKeys) expect(kept.has(k)).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
})
