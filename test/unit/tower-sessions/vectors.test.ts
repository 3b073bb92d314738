/**
 * Every record the Rust reference program serialized (rmp_serde::to_vec of tower-sessions' `Record`)
 * loads with the expected id, data and expiry, and is written back byte for byte.
 */
import { describe, expect, it } from 'vitest'
import { decodeTowerRecord, encodeTowerRecord, towerIdToDecimal } from '../../../src/tower-sessions/index.ts'
import { approxFromJs, approxFromRustJson, exactEntries, exactFromJs, hex, rustVectors } from './fixtures.ts'

describe('Rust vectors', () => {
  it('cover the kinds the format must handle', () => {
    expect(rustVectors.length).toBeGreaterThanOrEqual(200)
    const names = rustVectors.map((vector) => vector.name).join('\n')
    for (const kind of [
      'empty key',
      'Object.prototype',
      '__proto__',
      'NUL',
      'astral',
      '1021 arrays',
      'empty containers',
      'float extremes',
      'integral floats',
      'beyond 2^53',
      'integer widths',
      'offset',
      'nanosecond',
      'leap day',
      'day 366',
      'expired',
      'id -1',
      'id 0',
      'id i128 min',
      'id i128 max',
    ]) {
      expect(names).toContain(kind)
    }
  })

  it.each(rustVectors.map((vector) => [vector.name, vector]))('%s', (_name, vector) => {
    const loaded = decodeTowerRecord(Buffer.from(vector.data_b64, 'base64'))
    expect(hex(Buffer.from(vector.data_b64, 'base64'))).toBe(vector.data_hex)

    expect(loaded.id).toBe(vector.cookie)
    expect(towerIdToDecimal(loaded.id)).toBe(vector.id)
    expect(loaded.expiresAt).toBe(vector.expire_at)
    expect(loaded.expiryParts).toEqual(vector.expiry_parts)

    // JavaScript holds each number as the nearest double...
    expect(approxFromJs(loaded.data)).toEqual(approxFromRustJson(vector.data_json))
    // ...which is exactly Rust's value except for the keys reported as inexact.
    const rust = exactEntries(vector.data_json)
    expect([...loaded.rawEntries.keys()].sort()).toEqual([...rust.keys()].sort())
    for (const [key, exact] of rust) {
      if (loaded.inexactKeys.has(key)) expect(exactFromJs(loaded.data[key])).not.toEqual(exact)
      else expect(exactFromJs(loaded.data[key])).toEqual(exact)
    }

    // Written back: from the JavaScript values where they are exact, from the raw bytes where not.
    const inexact = new Map([...loaded.rawEntries].filter(([key]) => loaded.inexactKeys.has(key)))
    const options = { sortKeys: true, expiryParts: loaded.expiryParts }
    expect(hex(encodeTowerRecord(loaded, { ...options, rawEntries: inexact }))).toBe(vector.data_hex)
    // An untouched session: every value from its raw bytes.
    expect(hex(encodeTowerRecord(loaded, { ...options, rawEntries: loaded.rawEntries }))).toBe(
      vector.data_hex,
    )
  })
})
