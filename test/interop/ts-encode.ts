/**
 * The TypeScript half of the interop fixtures (run by scripts/tower-vectors.sh):
 *
 *   node test/interop/ts-encode.ts write <fixtures dir>
 *     writes ts-encoded.json: records this library's encoder made from fixed and seeded-random inputs, and
 *     from loaded Rust vectors saved with some keys changed (reads rust-vectors.json for those); and
 *     crafted-blobs.json: hand-made blobs on the edges of what rmp_serde accepts.
 *   node test/interop/ts-encode.ts lines <fixture file>
 *     prints one JSON line {name, cookie, data_b64} per blob, for `tower-sessions-interop decode`.
 *
 * Deterministic: the same inputs, seeds and encoder give the same files.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import type { JsonValue, SessionData } from '../../src/data.ts'
import {
  decodeTowerRecord,
  type ExpiryParts,
  encodeTowerRecord,
  towerIdFromDecimal,
  towerIdFromRecordBytes,
} from '../../src/tower-sessions/index.ts'

/** One record the TypeScript encoder wrote. */
export interface EncodedCase {
  name: string
  cookie: string
  expire_at: number
  /** The expiry date written, when not `expire_at` in UTC. */
  expiry_parts?: ExpiryParts
  /** The input data as JSON text (`JSON.stringify`: numbers exactly as JavaScript holds them). */
  data_json: string
  /** For a loaded Rust vector saved again: its name, and the keys that were given a new value or deleted. */
  raw_from?: string
  changed_keys?: string[]
  deleted_keys?: string[]
  data_b64: string
}

/** One hand-made blob. */
export interface CraftedBlob {
  name: string
  cookie: string
  data_hex: string
}

export interface RustVector {
  name: string
  id: string
  cookie: string
  pk: string
  expire_at: number
  expiry: string | null
  expiry_parts: number[]
  data_json: string
  data_hex: string
  data_b64: string
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
/** Rust vectors reused as inputs: the few large ones (string header sizes) only make the files larger. */
const small = (vector: RustVector): boolean => vector.data_hex.length < 16_000

const FAR = 1_940_630_400 // 2031-07-01T00:00:00Z
const SEED = 20_261_105

/** Inputs written as JavaScript holds them, one kind per case. */
function fixedInputs(): { name: string; data: SessionData; expiresAt?: number }[] {
  const proto: SessionData = {}
  Object.defineProperty(proto, '__proto__', {
    value: { admin: true },
    enumerable: true,
    writable: true,
    configurable: true,
  })
  const nestedProto = JSON.parse('{"user":{"__proto__":{"admin":true},"constructor":{"prototype":1}}}')
  return [
    { name: 'counter', data: { visits: 1 } },
    { name: 'empty data', data: {} },
    { name: 'empty key', data: { '': 'empty', x: { '': [''] } } },
    {
      name: 'Object.prototype member names',
      data: { constructor: 'c', toString: 1, hasOwnProperty: null, valueOf: [1], __defineGetter__: 2 },
    },
    { name: '__proto__ at the top', data: proto },
    { name: '__proto__ nested', data: nestedProto },
    {
      name: 'NUL and controls',
      data: { '\u0000': '\u0000', 'a\u0000b': 'x\u0000y', '\u0001': '\n\t\r\u2028' },
    },
    {
      name: 'astral and special Unicode',
      data: {
        '😀': '𝄞',
        '\u{10FFFF}': '\uFFFF',
        '\uE000': '\uFEFF',
        é: 'e\u0301',
        nested: { '😀': 1, '\uFFFF': 2 },
      },
    },
    {
      name: 'byte order mark at the start of long strings',
      data: { bom: `\uFEFF${'x'.repeat(300)}`, [`\uFEFF${'k'.repeat(250)}`]: 1 },
    },
    {
      name: 'keys that look like numbers',
      data: { '10': 1, '9': 2, '0': 3, '-1': 4, '01': 5, nested: { '2': 'b', '1': 'a' } },
    },
    {
      name: 'safe integers of every width',
      data: {
        pos: [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER],
        neg: [-1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, Number.MIN_SAFE_INTEGER],
      },
    },
    {
      name: 'integers beyond 2^53 within i64/u64',
      data: {
        '2^53': 2 ** 53,
        '2^60': 2 ** 60,
        '2^63': 2 ** 63,
        '-2^63': -(2 ** 63),
        'u64 top': 2 ** 64 - 2048,
        mixed: [2 ** 62, 1, 2 ** 40],
      },
    },
    {
      name: 'numbers written as floats',
      data: {
        '2^64': 2 ** 64,
        '-2^63-2048': -(2 ** 63) - 2048,
        e21: 1e21,
        max: Number.MAX_VALUE,
        min: -Number.MAX_VALUE,
        tiny: Number.MIN_VALUE,
        tenth: 0.1,
        third: 1 / 3,
        half: -0.5,
        'dynamo out of range': 1e-200,
      },
    },
    { name: 'negative zero becomes 0', data: { z: -0, a: [-0] } },
    { name: 'booleans and nulls', data: { t: true, f: false, n: null, a: [null, true] } },
    { name: 'empty containers', data: { a: [], m: {}, n: [[], {}, [[]]] } },
    { name: 'deep nesting (100)', data: { deep: nest(100) } },
    { name: 'deepest nesting Rust reads (1021)', data: { deep: nest(1021) } },
    { name: 'sixteen keys', data: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])) },
    {
      name: 'string header sizes',
      data: { s31: 'a'.repeat(31), s32: 'b'.repeat(32), s255: 'c'.repeat(255), s256: 'd'.repeat(256) },
    },
    {
      name: 'array header sizes',
      data: { a15: Array(15).fill(1), a16: Array(16).fill(2), a300: Array(300).fill(3) },
    },
    {
      name: 'undefined properties are dropped',
      data: { kept: 1, gone: undefined, nested: { gone: undefined, kept: 2 } } as unknown as SessionData,
    },
    { name: 'expiry at the epoch', data: { e: 0 }, expiresAt: 0 },
    { name: 'expiry before the epoch', data: { e: -1 }, expiresAt: -1 },
    { name: 'expiry on a leap day', data: { e: 'leap' }, expiresAt: 1_835_395_199 },
    { name: 'expiry at the last second of 9999', data: { e: 'max' }, expiresAt: 253_402_300_799 },
    { name: 'expiry at the first second of -9999', data: { e: 'min' }, expiresAt: -377_705_116_800 },
  ]
}

function nest(levels: number): JsonValue {
  let value: JsonValue = []
  for (let i = 1; i < levels; i++) value = i % 2 ? [value] : { n: value }
  return value
}

const key = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '__proto__', 'constructor', 'toString', '0', '10', 'a') },
)
const number = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).map((n) => Number(n)),
  fc.constantFrom(0, -0, 2 ** 53, 2 ** 64, Number.MAX_VALUE, Number.MIN_VALUE, 0.1, 1e21),
)
const { json } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    number,
    fc.string({ unit: 'binary', maxLength: 24 }),
    fc.array(tie('json'), { maxLength: 6 }),
    fc.dictionary(key, tie('json'), { maxKeys: 6, noNullPrototype: true }),
  ),
}))
const randomRecord = fc.record({
  id: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  data: fc.dictionary(key, json, { maxKeys: 8, noNullPrototype: true }),
  expiresAt: fc.integer({ min: 0, max: 253_402_300_799 }),
})

function encodedCases(vectors: RustVector[]): EncodedCase[] {
  const cases: EncodedCase[] = []
  let counter = 0
  const add = (name: string, data: SessionData, expiresAt: number, extra: Partial<EncodedCase> = {}) => {
    counter++
    const cookie = extra.cookie ?? towerIdFromDecimal(BigInt(counter) * 0x9e3779b97f4a7c15n - 2n ** 100n)
    const bytes = encodeTowerRecord(
      { id: cookie, data, expiresAt },
      { rawEntries: undefined, ...(extra.expiry_parts ? { expiryParts: extra.expiry_parts } : {}) },
    )
    cases.push({
      name: `${String(counter).padStart(3, '0')} ${name}`,
      cookie,
      expire_at: expiresAt,
      ...(extra.expiry_parts ? { expiry_parts: extra.expiry_parts } : {}),
      data_json: JSON.stringify(data),
      data_b64: b64(bytes),
    })
  }
  for (const input of fixedInputs()) add(input.name, input.data, input.expiresAt ?? FAR)
  // What JavaScript sees of each Rust vector, written back by this encoder from the JavaScript values.
  for (const vector of vectors.filter(small)) {
    const loaded = decodeTowerRecord(Buffer.from(vector.data_b64, 'base64'))
    add(`JavaScript view of Rust vector ${vector.name}`, loaded.data, loaded.expiresAt, {
      cookie: loaded.id,
      expiry_parts: loaded.expiryParts,
    })
  }
  fc.sample(randomRecord, { seed: SEED, numRuns: 300 }).forEach((record, i) => {
    add(`random ${String(i + 1).padStart(3, '0')}`, record.data, record.expiresAt, {
      cookie: towerIdFromRecordBytes(record.id),
    })
  })
  return cases
}

/**
 * Loaded Rust vectors saved again with one key changed, one added and one deleted, the others written from
 * their raw bytes: what Rust reads back must keep every untouched value exactly (u64::MAX, 2.0, ...).
 */
function rawEntryCases(vectors: RustVector[], first: number): EncodedCase[] {
  return vectors
    .filter((vector) => small(vector) && !vector.name.startsWith('random'))
    .filter((vector) => Object.keys(JSON.parse(vector.data_json)).length > 0)
    .map((vector, i) => {
      const loaded = decodeTowerRecord(Buffer.from(vector.data_b64, 'base64'))
      const keys = Object.keys(loaded.data)
      const data: SessionData = { ...loaded.data }
      const changed = keys.length > 1 ? [keys[0] as string] : []
      const deleted = keys.length > 2 ? [keys[1] as string] : []
      for (const k of changed) data[k] = 'changed by TypeScript'
      for (const k of deleted) delete data[k]
      const added = 'added by TypeScript \u{1F980}'
      data[added] = [1, 2.5, 2 ** 60]
      const untouched = new Map(
        [...loaded.rawEntries].filter(([k]) => !changed.includes(k) && !deleted.includes(k)),
      )
      const bytes = encodeTowerRecord(
        { id: loaded.id, data, expiresAt: loaded.expiresAt },
        { rawEntries: untouched, expiryParts: loaded.expiryParts },
      )
      return {
        name: `${String(first + i).padStart(3, '0')} raw entries kept: ${vector.name}`,
        cookie: loaded.id,
        expire_at: loaded.expiresAt,
        expiry_parts: loaded.expiryParts,
        data_json: JSON.stringify(data),
        raw_from: vector.name,
        changed_keys: [...changed, added],
        deleted_keys: deleted,
        data_b64: b64(bytes),
      }
    })
}

// Pieces of hand-made records (hex).
const ID42 = `c410${'00'.repeat(15)}2a`
const EXPIRY = '99cd07eb490f091a00000000' // 2027-03-14T15:09:26Z
const VISITS = '81a6766973697473' // { "visits": ...
const DATA = `${VISITS}01`
const str = (text: string): string => {
  const bytes = Buffer.from(text)
  return (
    (bytes.length < 32
      ? (0xa0 | bytes.length).toString(16)
      : `d9${bytes.length.toString(16).padStart(2, '0')}`) + bytes.toString('hex')
  )
}
const record = (id: string, data: string, expiry: string): string => `93${id}${data}${expiry}`
const inData = (value: string): string => record(ID42, `81${str('v')}${value}`, EXPIRY)
const expiryOf = (parts: string): string => record(ID42, DATA, parts)
const asMap = (...fields: [string, string][]): string =>
  `8${fields.length.toString(16)}${fields.map(([name, value]) => name + value).join('')}`
const F_ID = str('id')
const F_DATA = str('data')
const F_EXPIRY = str('expiry_date')
const nestArrays = (levels: number): string => `${'91'.repeat(levels - 1)}90`

function craftedBlobs(): CraftedBlob[] {
  const canonical = record(ID42, DATA, EXPIRY)
  const blobs: [string, string][] = [
    ['canonical', canonical],
    ['trailing nil after the record', `${canonical}c0`],
    ['trailing garbage after the record', `${canonical}ffffc1`],
    ['empty input', ''],
    ['truncated in the id', canonical.slice(0, 20)],
    ['truncated in the data', canonical.slice(0, 44)],
    ['truncated in the expiry', canonical.slice(0, -2)],
    ['record as nil', 'c0'],
    ['record as a string', str('record')],
    ['record as binary', `c403${'00'.repeat(3)}`],
    ['record as an array of 2', `92${ID42}${DATA}`],
    ['record as an array of 4', `94${ID42}${DATA}${EXPIRY}c0`],
    ['record as array 16', `dc0003${ID42}${DATA}${EXPIRY}`],
    ['record as array 32', `dd00000003${ID42}${DATA}${EXPIRY}`],
    ['record as a map of field names', asMap([F_ID, ID42], [F_DATA, DATA], [F_EXPIRY, EXPIRY])],
    ['record as a map, fields reordered', asMap([F_EXPIRY, EXPIRY], [F_DATA, DATA], [F_ID, ID42])],
    ['record as map 16', `de0003${F_ID}${ID42}${F_DATA}${DATA}${F_EXPIRY}${EXPIRY}`],
    [
      'record as a map with binary field names',
      asMap(
        ['c4026964', ID42],
        ['c40464617461', DATA],
        [`c40b${Buffer.from('expiry_date').toString('hex')}`, EXPIRY],
      ),
    ],
    ['record as a map with field indices', asMap(['00', ID42], ['01', DATA], ['02', EXPIRY])],
    ['record as a map with a u8 field index', asMap(['cc00', ID42], ['01', DATA], ['02', EXPIRY])],
    ['record as a map with an i8 field index', asMap(['d000', ID42], ['01', DATA], ['02', EXPIRY])],
    [
      'record as a map with a negative field index',
      asMap(['ff', 'c0'], [F_ID, ID42], [F_DATA, DATA], [F_EXPIRY, EXPIRY]),
    ],
    [
      'record as a map with unknown fields of every kind',
      asMap(
        [F_ID, ID42],
        [str('extra'), '93c403010203d40100c702010102'],
        [F_DATA, DATA],
        ['03', 'a2c328'],
        ['a2c328', `82${str('x')}c0c40101${'dc0001'}c3`],
        [F_EXPIRY, EXPIRY],
      ),
    ],
    [
      'record as a map with a reserved marker in an unknown field',
      asMap([F_ID, ID42], [str('x'), 'c1'], [F_DATA, DATA], [F_EXPIRY, EXPIRY]),
    ],
    [
      'record as a map with a duplicate id',
      asMap([F_ID, ID42], [F_ID, ID42], [F_DATA, DATA], [F_EXPIRY, EXPIRY]),
    ],
    ['record as a map without its expiry', `82${F_ID}${ID42}${F_DATA}${DATA}`],
    [
      'record as a map, field names in the wrong case',
      asMap([str('ID'), ID42], [F_DATA, DATA], [F_EXPIRY, EXPIRY]),
    ],
    ['record as a map with a nil field name', asMap(['c0', ID42], [F_DATA, DATA], [F_EXPIRY, EXPIRY])],
    [
      'record as a map, 1021 levels in an unknown field',
      asMap([str('x'), nestArrays(1021)], [F_ID, ID42], [F_DATA, DATA], [F_EXPIRY, EXPIRY]),
    ],
    [
      'record as a map, 1022 levels in an unknown field',
      asMap([str('x'), nestArrays(1022)], [F_ID, ID42], [F_DATA, DATA], [F_EXPIRY, EXPIRY]),
    ],
    [
      'record as a map, 1023 levels in an unknown field',
      asMap([str('x'), nestArrays(1023)], [F_ID, ID42], [F_DATA, DATA], [F_EXPIRY, EXPIRY]),
    ],
    [
      'record as a map, an extension at level 1023 in an unknown field',
      asMap([str('x'), `${'91'.repeat(1021)}d40100`], [F_ID, ID42], [F_DATA, DATA], [F_EXPIRY, EXPIRY]),
    ],
    [
      'record as a map, an extension at level 1024 in an unknown field',
      asMap([str('x'), `${'91'.repeat(1022)}d40100`], [F_ID, ID42], [F_DATA, DATA], [F_EXPIRY, EXPIRY]),
    ],
    ['id as a positive fixint', record('2a', DATA, EXPIRY)],
    ['id as a negative int 8', record('d0d6', DATA, EXPIRY)],
    ['id as u64 max', record('cfffffffffffffffff', DATA, EXPIRY)],
    ['id as i64 min', record('d38000000000000000', DATA, EXPIRY)],
    ['id as bin 8 of 15 bytes', record(`c40f${'00'.repeat(15)}`, DATA, EXPIRY)],
    ['id as bin 8 of 17 bytes', record(`c411${'00'.repeat(17)}`, DATA, EXPIRY)],
    ['id as bin 16 of 16 bytes', record(`c50010${'00'.repeat(16)}`, DATA, EXPIRY)],
    ['id as a string of 16 bytes', record(`b0${'30'.repeat(16)}`, DATA, EXPIRY)],
    ['id as an array of 16 integers', record(`dc0010${'00'.repeat(16)}`, DATA, EXPIRY)],
    ['id as a float', record('cb4045000000000000', DATA, EXPIRY)],
    ['id as nil', record('c0', DATA, EXPIRY)],
    ['data as an empty map', record(ID42, '80', EXPIRY)],
    ['data as map 16 of 0', record(ID42, 'de0000', EXPIRY)],
    ['data as map 32 of 1', record(ID42, `df00000001${str('a')}01`, EXPIRY)],
    ['data as an array', record(ID42, '9101', EXPIRY)],
    ['data as nil', record(ID42, 'c0', EXPIRY)],
    ['data key as binary', record(ID42, `81c406${Buffer.from('visits').toString('hex')}01`, EXPIRY)],
    ['data key as binary, invalid UTF-8', record(ID42, '81c402c32801', EXPIRY)],
    ['data key as an integer', record(ID42, '810101', EXPIRY)],
    ['data key as nil', record(ID42, '81c001', EXPIRY)],
    ['data key as a string of invalid UTF-8', record(ID42, '81a2c32801', EXPIRY)],
    ['data keys repeated: the last wins', record(ID42, `83${str('a')}01${str('b')}02${str('a')}03`, EXPIRY)],
    ['data key __proto__', record(ID42, `81${str('__proto__')}81${str('admin')}c3`, EXPIRY)],
    [
      'data key __proto__ as binary',
      record(ID42, `81c409${Buffer.from('__proto__').toString('hex')}01`, EXPIRY),
    ],
    ['value binary', inData('c40101')],
    ['value extension', inData('d40100')],
    ['value timestamp extension', inData('d6ff00000000')],
    ['value reserved marker', inData('c1')],
    ['value string of invalid UTF-8', inData('a2c328')],
    ['value string with an overlong encoding', inData('a2c080')],
    ['value string with a UTF-16 surrogate', inData('a3eda080')],
    ['value string with a code point above U+10FFFF', inData('a4f4908080')],
    ['value string with a byte order mark, 201 bytes', inData(`d9c9efbbbf${'78'.repeat(198)}`)],
    ['value float 32', inData('ca3fc00000')],
    ['value float 32 NaN', inData('ca7fc00000')],
    ['value float 64 NaN', inData('cb7ff8000000000000')],
    ['value float 64 infinity', inData('cb7ff0000000000000')],
    ['value float 64 minus infinity', inData('cbfff0000000000000')],
    ['value float 64 2.0', inData('cb4000000000000000')],
    ['value float 64 minus zero', inData('cb8000000000000000')],
    ['value float 64 1e300 (integral, beyond u64)', inData('cb7e37e43c8800759c')],
    ['value non-minimal u8', inData('cc01')],
    ['value non-minimal u16', inData('cd0001')],
    ['value non-minimal u32', inData('ce00000001')],
    ['value non-minimal u64', inData('cf0000000000000005')],
    ['value non-minimal i8', inData('d001')],
    ['value non-minimal i64', inData('d3ffffffffffffffff')],
    ['value u64 max', inData('cfffffffffffffffff')],
    ['value i64 min', inData('d38000000000000000')],
    ['value 2^53 + 1', inData('cf0020000000000001')],
    ['value non-minimal str 8', inData('d90161')],
    ['value non-minimal str 16', inData('da000161')],
    ['value non-minimal str 32', inData('db0000000161')],
    ['value non-minimal array 16', inData('dc000101')],
    ['value non-minimal array 32', inData('dd0000000101')],
    ['value non-minimal map 16', inData(`de0001${str('k')}01`)],
    ['value non-minimal map 32', inData(`df00000001${str('k')}01`)],
    ['value map with a binary first key', inData('81c4016b01')],
    ['value map with a binary second key', inData(`82${str('a')}01c4016b02`)],
    [
      'value map with a binary key that is __proto__',
      inData(`82${str('a')}01c409${Buffer.from('__proto__').toString('hex')}02`),
    ],
    ['value map with an integer key', inData('810101')],
    ['value map with repeated keys', inData(`82${str('k')}01${str('k')}02`)],
    [
      'value map with __proto__ and constructor keys',
      inData(`82${str('__proto__')}01${str('constructor')}02`),
    ],
    ['value nested 1021 levels', inData(nestArrays(1021))],
    ['value nested 1022 levels', inData(nestArrays(1022))],
    ['value huge string length, input ends', `93${ID42}81${str('v')}dbffffffff61`],
    ['value huge binary length, input ends', `93${ID42}81${str('v')}c6ffffffff61`],
    ['value huge array length, input ends', `93${ID42}81${str('v')}ddffffffff01`],
    ['value huge map length, input ends', `93${ID42}81${str('v')}dfffffffff`],
    ['data huge map length, input ends', `93${ID42}dfffffffff`],
    ['value huge array length, then the expiry', inData('ddffffffff01')],
    ['value truncated float, input ends', `93${ID42}81${str('v')}cb3ff0`],
    ['value huge extension length in an unknown field, input ends', `81${str('x')}c9ffffffff01`],
    ['expiry as array 16', expiryOf('dc0009cd07eb490f091a00000000')],
    [
      'expiry with non-minimal integers',
      expiryOf('99d2000007ebcc49d00fcd0009ce0000001acf0000000000000000000000'),
    ],
    ['expiry of 8 integers', expiryOf('98cd07eb490f091a000000')],
    ['expiry of 10 integers', expiryOf('9acd07eb490f091a0000000000')],
    ['expiry with a float', expiryOf(`99cd07eb490f091acb${'00'.repeat(8)}000000`)],
    ['expiry with nil', expiryOf('99cd07eb490f091ac0000000')],
    ['expiry year 10000', expiryOf('99cd2710010000000000000000')],
    ['expiry year beyond i32', expiryOf('99ce80000000010000000000000000')],
    ['expiry day 366 of a common year', expiryOf('99cd07ebcd016e00000000000000')],
    ['expiry day 0', expiryOf(`99cd07eb${'00'.repeat(8)}`)],
    ['expiry day as a negative integer', expiryOf(`99cd07ebff${'00'.repeat(7)}`)],
    ['expiry hour 24', expiryOf(`99cd07eb4918${'00'.repeat(6)}`)],
    ['expiry second 60', expiryOf(`99cd07eb4900003c${'00'.repeat(4)}`)],
    ['expiry nanosecond 10^9', expiryOf('99cd07eb49000000ce3b9aca00000000')],
    ['expiry offset +24:00', expiryOf('99cd07eb4900000000180000')],
    ['expiry offset +25:59:59', expiryOf('99cd07eb4900000000193b3b')],
    ['expiry offset -26:00', expiryOf('99cd07eb4900000000e60000')],
    ['expiry offset minutes 60', expiryOf('99cd07eb4900000000003c00')],
    ['expiry offset with mixed signs (-03:+30)', expiryOf('99cd07eb4900000000fd1e00')],
    ['expiry offset with mixed signs (00:+30:-05)', expiryOf('99cd07eb4900000000001efb')],
    ['expiry offset hours beyond i8', expiryOf('99cd07eb4900000000cc800000')],
    ['expiry as binary of 9 bytes', expiryOf(`c409ff01${'00'.repeat(7)}`)],
    ['expiry as binary of 12 bytes', expiryOf('c40c640102030405000000aabbcc')],
    ['expiry as binary of 8 bytes', expiryOf('c4086401020304050000')],
    ['expiry as a string', expiryOf(str('2027-03-14 15:09:26.0 +00:00:00'))],
    ['expiry as a map', expiryOf(`81${str('year')}cd07eb`)],
    ['expiry as nil', expiryOf('c0')],
  ]
  return blobs.map(([name, hex], i) => ({
    name: `${String(i + 1).padStart(3, '0')} ${name}`,
    cookie: 'KgAAAAAAAAAAAAAAAAAAAA',
    data_hex: hex,
  }))
}

function write(dir: string): void {
  const vectors = JSON.parse(readFileSync(join(dir, 'rust-vectors.json'), 'utf8')) as RustVector[]
  const encoded = encodedCases(vectors)
  const cases = [...encoded, ...rawEntryCases(vectors, encoded.length + 1)]
  writeFileSync(join(dir, 'ts-encoded.json'), `${JSON.stringify(cases, null, 1)}\n`)
  writeFileSync(join(dir, 'crafted-blobs.json'), `${JSON.stringify(craftedBlobs(), null, 1)}\n`)
  console.error(
    `ts-encoded.json: ${cases.length} records; crafted-blobs.json: ${craftedBlobs().length} blobs`,
  )
}

function lines(file: string): void {
  const items = JSON.parse(readFileSync(file, 'utf8')) as (EncodedCase | CraftedBlob)[]
  for (const item of items) {
    const data = 'data_b64' in item ? item.data_b64 : b64(Buffer.from(item.data_hex, 'hex'))
    process.stdout.write(`${JSON.stringify({ name: item.name, cookie: item.cookie, data_b64: data })}\n`)
  }
}

if (import.meta.main) {
  const [mode, target] = process.argv.slice(2)
  if (mode === 'write' && target) write(target)
  else if (mode === 'lines' && target) lines(target)
  else {
    console.error('usage: node test/interop/ts-encode.ts write <fixtures dir> | lines <fixture file>')
    process.exit(2)
  }
}
