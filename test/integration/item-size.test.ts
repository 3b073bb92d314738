/**
 * The codec's size estimate against the real thing: DynamoDB Local refuses an item over 400 KB
 * (409,600 bytes) with a ValidationException. Each shape below is a session item whose size, worked out
 * by hand from "DynamoDB item sizes and formats", is the fixed part noted beside it plus a padding string;
 * items a few bytes either side of the limit must be accepted or refused as those sums say, and the
 * estimate (`itemSize`) must never be below the size DynamoDB counts, or an oversized session would get
 * past the store's guard and fail at write time.
 */
import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonValue, SessionData } from '../../src/index.ts'
import { itemSize, nativeMapCodec } from '../../src/store/codec.ts'
import { createTable, localClient } from '../support/dynamo.ts'

const LIMIT = 400 * 1024
const client = localClient()
let tableName: string
beforeAll(async () => {
  tableName = await createTable(client, { ttl: false, userIndex: false })
})
afterAll(() => client.destroy())

const repeat = (times: number, value: JsonValue): JsonValue[] => Array.from({ length: times }, () => value)
const deep = (levels: number): JsonValue => (levels === 0 ? { leaf: 'x' } : { n: deep(levels - 1) })

/*
 * Every item: session_id (10 + 17 + 32), expire_at (9 + 5: 1767225600 has 8 significant digits), data
 * (4 + 3 for the map), and the entry pad (1 + 3 + its length): 84 bytes before the padding and any other
 * entry. Each other entry is 1 + its key + its value.
 */
const BASE = 10 + 17 + 32 + 9 + 5 + 4 + 3 + 1 + 3
const shapes: { name: string; data: SessionData; fixed: number }[] = [
  { name: 'an ASCII string only', data: {}, fixed: BASE },
  // 'é漢😀' is 2 + 3 + 4 bytes: 1 + 4 + 9000
  { name: 'multi-byte text', data: { text: 'é漢😀'.repeat(1000) }, fixed: BASE + 9005 },
  // each 7: 1 + (1 digit: 2); the list: 3 + 3000; the entry: 1 + 4 + 3003
  { name: 'small integers', data: { nums: repeat(1000, 7) }, fixed: BASE + 3008 },
  // each -12.5: 1 + (3 digits: 2 + 1) + 1 for the sign, which DynamoDB Local counts; 1 + 3 + (3 + 5000)
  { name: 'negative fractions', data: { neg: repeat(1000, -12.5) }, fixed: BASE + 5007 },
  // each 0.1234567890123456: 1 + (16 digits: 8 + 1); 1 + 4 + (3 + 10000)
  { name: 'long fractions', data: { long: repeat(1000, 0.1234567890123456) }, fixed: BASE + 10_008 },
  // each true, false or null: 1 + 1; 1 + 5 + (3 + 3 * 2 * 333)
  {
    name: 'booleans and nulls',
    data: { flags: Array.from({ length: 999 }, (_, i) => [true, false, null][i % 3] ?? null) },
    fixed: BASE + 2007,
  },
  // 1000 entries 'é000'…'é999' (5 bytes) of 1: 1 + 5 + 2 each
  {
    name: 'many multi-byte keys',
    data: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`é${String(i).padStart(3, '0')}`, 1])),
    fixed: BASE + 8000,
  },
  // { leaf: 'x' } = 9, each level 5 more: 109; 1 + 4 + 109. 100 empty maps: 1 + 7 + (3 + 100 * 4)
  {
    name: 'nested maps and empty ones',
    data: { deep: deep(20), empties: repeat(100, {}) },
    fixed: BASE + 114 + 411,
  },
]

function item(data: SessionData, pad: number): Record<string, AttributeValue> {
  return {
    session_id: { S: `SESSIONS::TOWER::${'a'.repeat(32)}` },
    expire_at: { N: '1767225600' },
    data: nativeMapCodec.encode({ ...data, pad: 'x'.repeat(pad) }),
  }
}

async function accepted(record: Record<string, AttributeValue>): Promise<boolean> {
  try {
    await client.send(new PutItemCommand({ TableName: tableName, Item: record }))
    return true
  } catch (error) {
    const { name, message } = error as Error
    if (name === 'ValidationException' && /size has exceeded/.test(message)) return false
    throw error
  }
}

describe('the size estimate at the 400 KB item limit of DynamoDB Local', () => {
  for (const { name, data, fixed } of shapes) {
    it(`${name}: accepted up to 409,600 bytes, refused above, and never estimated smaller`, async () => {
      for (const offset of [-3, 0, 1, 3]) {
        const size = LIMIT + offset
        const record = item(data, size - fixed)
        // The estimate is never below the size DynamoDB counts (here, worked out by hand).
        expect(itemSize(record), `estimate at ${offset}`).toBeGreaterThanOrEqual(size)
        // DynamoDB Local agrees with the hand sums: the items straddle its limit.
        expect(await accepted(record), `verdict at ${offset}`).toBe(offset <= 0)
      }
    })
  }
})
