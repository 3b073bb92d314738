/**
 * The other direction: what the Rust program (rmp_serde::from_slice::<Record>, as the store's load does)
 * made of the records this encoder wrote, and of hand-made blobs on the edges of what rmp_serde accepts.
 * Both sides are committed fixtures; scripts/tower-vectors.sh regenerates them.
 */
import { describe, expect, it } from 'vitest'
import type { SessionData } from '../../../src/data.ts'
import {
  type DecodedTowerRecord,
  decodeTowerRecord,
  encodeTowerRecord,
  expiryPartsFromEpochSeconds,
  normalizeExpiryParts,
} from '../../../src/tower-sessions/index.ts'
import {
  approxFromJs,
  approxFromRustJson,
  bareName,
  base64,
  craftedBlobs,
  exactEntries,
  exactFromJs,
  exactFromRustJson,
  rustCrafted,
  rustDecoded,
  rustVectors,
  tsEncoded,
} from './fixtures.ts'

describe('records this library wrote, as Rust read them', () => {
  it('pair up, and cover fixed, random and raw-entry saves', () => {
    expect(rustDecoded.map((decoded) => decoded.name)).toEqual(tsEncoded.map((encoded) => encoded.name))
    expect(tsEncoded.filter((c) => c.name.includes(' random ')).length).toBeGreaterThanOrEqual(300)
    expect(tsEncoded.filter((c) => c.raw_from).length).toBeGreaterThanOrEqual(40)
  })

  it.each(tsEncoded.map((c, i) => [c.name, c, rustDecoded[i]]))('%s', (_name, encoded, rust) => {
    if (!encoded || !rust) throw new Error('fixtures out of step')
    expect(rust.ok, rust.error).toBe(true)
    expect(rust.id_cookie).toBe(encoded.cookie)
    expect(rust.id_matches_cookie).toBe(true)
    expect(rust.expire_at).toBe(encoded.expire_at)
    const parts = encoded.expiry_parts
      ? normalizeExpiryParts(encoded.expiry_parts)
      : expiryPartsFromEpochSeconds(encoded.expire_at)
    expect(rust.expiry_parts).toEqual(parts)
    const input = JSON.parse(encoded.data_json) as SessionData
    const rustData = exactEntries(rust.data_json as string)

    if (!encoded.raw_from) {
      // Every number as this encoder meant it: integers as integers, the rest as floats, exactly.
      expect(exactFromRustJson(rust.data_json as string)).toEqual(exactFromJs(input))
      // The committed blob is what the encoder writes today for that input.
      const again = encodeTowerRecord(
        { id: encoded.cookie, data: input, expiresAt: encoded.expire_at },
        encoded.expiry_parts ? { expiryParts: encoded.expiry_parts } : {},
      )
      expect(base64(again)).toBe(encoded.data_b64)
      return
    }

    // A loaded Rust vector saved with some keys changed: the others are exactly as Rust first wrote them.
    const vector = rustVectors.find((v) => v.name === encoded.raw_from)
    if (!vector) throw new Error(`no vector ${encoded.raw_from}`)
    const original = exactEntries(vector.data_json)
    const changed = new Set(encoded.changed_keys)
    const deleted = new Set(encoded.deleted_keys)
    const expectedKeys = [...original.keys()].filter((key) => !deleted.has(key) && !changed.has(key))
    expect([...rustData.keys()].sort()).toEqual([...expectedKeys, ...changed].sort())
    for (const key of changed) expect(rustData.get(key)).toEqual(exactFromJs(input[key]))
    for (const key of expectedKeys) expect(rustData.get(key)).toEqual(original.get(key))

    // And the committed blob is what this library writes today for that save.
    const loaded = decodeTowerRecord(Buffer.from(vector.data_b64, 'base64'))
    const data: SessionData = { ...loaded.data }
    for (const key of deleted) delete data[key]
    for (const key of changed) data[key] = input[key] ?? null
    const untouched = new Map(
      [...loaded.rawEntries].filter(([key]) => !changed.has(key) && !deleted.has(key)),
    )
    const again = encodeTowerRecord(
      { id: loaded.id, data, expiresAt: loaded.expiresAt },
      { rawEntries: untouched, expiryParts: loaded.expiryParts },
    )
    expect(base64(again)).toBe(encoded.data_b64)
  })
})

/**
 * Where the Rust program, built on Debian's crates (rmp-serde 1.1.1, time 0.3.9 with `parsing`), and
 * tower-sessions-dynamodb-store 0.3 (rmp-serde 1.3, time ≥ 0.3.29) read differently, this library reads as
 * the latter, from their sources; and one refusal of its own. The test checks both sides of each.
 */
const DIFFERENCES: Record<string, { ts: 'ok' | 'error'; why: string }> = {
  'id as a positive fixint': {
    ts: 'ok',
    why: 'rmp-serde 1.3 reads an i128 from any integer; 1.1 only from bin 8',
  },
  'id as a negative int 8': { ts: 'ok', why: 'as above' },
  'id as u64 max': { ts: 'ok', why: 'as above' },
  'id as i64 min': { ts: 'ok', why: 'as above' },
  'expiry offset +24:00': { ts: 'ok', why: 'time ≥ 0.3.36 accepts offset hours up to ±25 (0.3.9: ±23)' },
  'expiry offset +25:59:59': { ts: 'ok', why: 'as above' },
  'expiry as binary of 9 bytes': {
    ts: 'ok',
    why: 'time ≥ 0.3.29 asks for a tuple, and rmp-serde 1.3 hands it a binary as a sequence of bytes',
  },
  'expiry as binary of 12 bytes': { ts: 'ok', why: 'as above; the bytes after the 9th are not read' },
  'expiry as a string': {
    ts: 'error',
    why: 'time parses a string when its `parsing` feature is on; no MessagePack writer produces one: refused here',
  },
}

function tryDecode(hexBytes: string): DecodedTowerRecord | Error {
  try {
    return decodeTowerRecord(Buffer.from(hexBytes, 'hex'))
  } catch (error) {
    return error as Error
  }
}

describe('crafted blobs: the same verdict as rmp_serde', () => {
  it('pair up', () => {
    expect(rustCrafted.map((decoded) => decoded.name)).toEqual(craftedBlobs.map((blob) => blob.name))
    for (const name of Object.keys(DIFFERENCES)) {
      expect(craftedBlobs.map((blob) => bareName(blob.name))).toContain(name)
    }
  })

  it.each(craftedBlobs.map((blob, i) => [blob.name, blob, rustCrafted[i]]))('%s', (_name, blob, rust) => {
    if (!blob || !rust) throw new Error('fixtures out of step')
    const result = tryDecode(blob.data_hex)
    const difference = DIFFERENCES[bareName(blob.name)]
    if (difference) {
      expect(result instanceof Error ? 'error' : 'ok').toBe(difference.ts)
      expect(rust.ok).toBe(difference.ts === 'error')
      return
    }
    if (!rust.ok) {
      expect(result).toBeInstanceOf(TypeError)
      return
    }
    if (result instanceof Error) throw result
    expect(result.id).toBe(rust.id_cookie)
    expect(result.expiryParts).toEqual(rust.expiry_parts)
    expect(result.expiresAt).toBe(rust.expire_at)
    expect(approxFromJs(result.data)).toEqual(approxFromRustJson(rust.data_json as string))
    for (const [key, exact] of exactEntries(rust.data_json as string)) {
      if (result.inexactKeys.has(key)) expect(exactFromJs(result.data[key])).not.toEqual(exact)
      else expect(exactFromJs(result.data[key])).toEqual(exact)
    }
  })
})
