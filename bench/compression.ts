/**
 * Would compressing large session data pay? Stores the same synthetic cart (JSON of a given size) as the
 * library stores it today (native map `M`, the default codec; or one JSON string `S`) and compressed into a
 * binary attribute (`B`: gzip, brotli), in DynamoDB Local, and reads back the capacity units DynamoDB
 * reports for a PutItem of a new item and for strongly / eventually consistent GetItems. Also times the
 * encoding and decoding in process. Nothing here is implemented in src/.
 */
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib'
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb'
import { seededRandom as prng } from '../scripts/seeded-random.ts'
import type { SessionData } from '../src/data.ts'
import { generateSessionId } from '../src/id.ts'
import { jsonStringCodec, nativeMapCodec } from '../src/store/codec.ts'
import { DEFAULT_STORE_PROPS, sessionKey } from '../src/store/props.ts'
import { type CallRecorder, emptyTally, type Tally } from './lib/instrument.ts'
import { dynamoItemBytes, strongReadUnitsFor, writeUnitsFor } from './lib/item-size.ts'
import { markdownTable, num } from './lib/stats.ts'

const PRODUCTS = [
  'Organic cotton T-shirt',
  'Merino wool socks',
  'Trail running shoes',
  'Packable rain jacket',
  'Canvas tote bag',
  'Stoneware mug',
  'Insulated steel bottle',
  'Linen shirt',
  'Leather belt',
  'Wool beanie',
]
const COLOURS = ['black', 'white', 'navy', 'olive', 'red', 'grey', 'sand']
const SIZES = ['XS', 'S', 'M', 'L', 'XL']

/** A shopping cart whose JSON is at least `bytes` long. */
export function syntheticCart(bytes: number, seed = 42): SessionData {
  const random = prng(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const items: SessionData[] = []
  const cart: SessionData = { userId: 'u-7f3a9c21', currency: 'EUR', locale: 'en-GB', items }
  const start = Date.UTC(2026, 10, 1)
  let size = JSON.stringify(cart).length
  while (size < bytes) {
    const item = {
      sku: `SKU-${String(Math.floor(random() * 1e6)).padStart(6, '0')}`,
      name: pick(PRODUCTS),
      colour: pick(COLOURS),
      size: pick(SIZES),
      quantity: 1 + Math.floor(random() * 4),
      unitPriceCents: 500 + Math.floor(random() * 15000),
      addedAt: new Date(start + Math.floor(random() * 1e9)).toISOString(),
      giftWrap: random() < 0.1,
    }
    items.push(item)
    size += JSON.stringify(item).length + 1
  }
  return cart
}

interface Encoding {
  name: string
  encode(data: SessionData): AttributeValue
  decode(value: AttributeValue): SessionData
}

const brotli = (quality: number) => (text: string) =>
  brotliCompressSync(text, {
    params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: text.length },
  })

const fromJsonBytes = (bytes: Uint8Array) => JSON.parse(Buffer.from(bytes).toString('utf8')) as SessionData

export const ENCODINGS: Encoding[] = [
  { name: 'M, native map (default codec)', encode: nativeMapCodec.encode, decode: nativeMapCodec.decode },
  {
    name: 'S, JSON string (jsonStringCodec)',
    encode: jsonStringCodec.encode,
    decode: jsonStringCodec.decode,
  },
  {
    name: 'B, gzip level 6',
    encode: (data) => ({ B: gzipSync(JSON.stringify(data)) }),
    decode: (value) => fromJsonBytes(gunzipSync(value.B ?? new Uint8Array())),
  },
  {
    name: 'B, brotli quality 5',
    encode: (data) => ({ B: brotli(5)(JSON.stringify(data)) }),
    decode: (value) => fromJsonBytes(brotliDecompressSync(value.B ?? new Uint8Array())),
  },
  {
    name: 'B, brotli quality 11',
    encode: (data) => ({ B: brotli(11)(JSON.stringify(data)) }),
    decode: (value) => fromJsonBytes(brotliDecompressSync(value.B ?? new Uint8Array())),
  },
]

/** The item the store would write for `data`, with `value` as its data attribute. */
function sessionItem(id: string, value: AttributeValue): Record<string, AttributeValue> {
  return {
    ...sessionKey(DEFAULT_STORE_PROPS, id),
    [DEFAULT_STORE_PROPS.expiryName]: { N: String(Math.floor(Date.now() / 1000) + 14 * 86400) },
    [DEFAULT_STORE_PROPS.versionName]: { N: '1' },
    [DEFAULT_STORE_PROPS.dataName]: value,
  }
}

/** The JSON request body the SDK sends for this item (binary as base64), in bytes: what crosses the wire. */
function wireBytes(item: Record<string, AttributeValue>): number {
  return Buffer.byteLength(
    JSON.stringify({ Item: item }, (_key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
    ),
  )
}

/** The best of `runs` timings after a warm-up: CPU cost with the least of the machine's noise in it. */
function timeMs(runs: number, work: () => void): number {
  const samples: number[] = []
  for (let i = 0; i < 3; i++) work() // warm-up
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    work()
    samples.push(performance.now() - started)
  }
  return Math.min(...samples)
}

export interface Measurement {
  jsonBytes: number
  encoding: string
  /** The item's size by DynamoDB's documented rules. */
  itemBytes: number
  wireBytes: number
  writeUnits: number
  /** Write units by the documented rules, to cross-check DynamoDB Local. */
  ruleWriteUnits: number
  ruleReadUnits: number
  strongReadUnits: number
  eventualReadUnits: number
  encodeMs: number
  decodeMs: number
}

async function measure(
  client: DynamoDBClient,
  recorder: CallRecorder,
  tableName: string,
  data: SessionData,
  encoding: Encoding,
  timingRuns: number,
): Promise<Measurement> {
  const value = encoding.encode(data)
  const id = generateSessionId()
  const item = sessionItem(id, value)
  const counted = async (call: () => Promise<unknown>): Promise<Tally> => {
    const tally = emptyTally()
    recorder.current = tally
    await call()
    recorder.current = emptyTally()
    return tally
  }
  const key = sessionKey(DEFAULT_STORE_PROPS, id)
  const put = await counted(() => client.send(new PutItemCommand({ TableName: tableName, Item: item })))
  const get = (consistent: boolean) =>
    counted(() =>
      client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: consistent })),
    )
  const strong = await get(true)
  const eventual = await get(false)
  if (JSON.stringify(encoding.decode(value)) !== JSON.stringify(data)) {
    throw new Error(`${encoding.name} does not round-trip`)
  }
  return {
    jsonBytes: Buffer.byteLength(JSON.stringify(data)),
    encoding: encoding.name,
    itemBytes: dynamoItemBytes(item),
    wireBytes: wireBytes(item),
    writeUnits: put.writeUnits,
    ruleWriteUnits: writeUnitsFor(dynamoItemBytes(item)),
    ruleReadUnits: strongReadUnitsFor(dynamoItemBytes(item)),
    strongReadUnits: strong.readUnits,
    eventualReadUnits: eventual.readUnits,
    encodeMs: timeMs(timingRuns, () => encoding.encode(data)),
    decodeMs: timeMs(timingRuns, () => encoding.decode(value)),
  }
}

/** JSON sizes of the sweep, in KB. */
export const SWEEP_KB = [0.5, 1, 1.5, 2, 3, 4, 6, 8, 10, 16, 32, 50, 100]
/** Sizes shown in detail, in KB. */
export const DETAIL_KB = [10, 50]

export interface CompressionReport {
  markdown: string
  /** The smallest JSON size (bytes) of the sweep at which gzip needs fewer write units than the default codec. */
  gzipSavesWritesFrom: number | undefined
  /** The same for strongly consistent read units. */
  gzipSavesReadsFrom: number | undefined
  /** Whether every figure DynamoDB Local reported matched the documented size rules. */
  localMatchesRules: boolean
}

const units = (local: number, rule: number) =>
  local === rule ? num(local) : `${num(local)} (rules: ${rule})`

export async function compressionStudy(
  client: DynamoDBClient,
  recorder: CallRecorder,
  tableName: string,
): Promise<CompressionReport> {
  let localMatchesRules = true
  const run = async (data: SessionData, encoding: Encoding, timingRuns: number) => {
    const m = await measure(client, recorder, tableName, data, encoding, timingRuns)
    if (m.writeUnits !== m.ruleWriteUnits || m.strongReadUnits !== m.ruleReadUnits) localMatchesRules = false
    return m
  }
  const detailRows: string[][] = []
  for (const kb of DETAIL_KB) {
    const data = syntheticCart(kb * 1024)
    for (const encoding of ENCODINGS) {
      const m = await run(data, encoding, 25)
      detailRows.push([
        `${num(m.jsonBytes / 1024, 1)} KB`,
        m.encoding,
        String(m.itemBytes),
        String(m.wireBytes),
        units(m.writeUnits, m.ruleWriteUnits),
        units(m.strongReadUnits, m.ruleReadUnits),
        num(m.eventualReadUnits),
        num(m.encodeMs, 3),
        num(m.decodeMs, 3),
      ])
    }
  }
  const swept = ENCODINGS.slice(0, 4)
  const sweepRows: string[][] = []
  let gzipSavesWritesFrom: number | undefined
  let gzipSavesReadsFrom: number | undefined
  for (const kb of SWEEP_KB) {
    const data = syntheticCart(kb * 1024)
    const row: Measurement[] = []
    for (const encoding of swept) row.push(await run(data, encoding, 9))
    const [map, , gzip] = row
    if (!map || !gzip) continue
    if (gzipSavesWritesFrom === undefined && gzip.writeUnits < map.writeUnits)
      gzipSavesWritesFrom = map.jsonBytes
    if (gzipSavesReadsFrom === undefined && gzip.strongReadUnits < map.strongReadUnits) {
      gzipSavesReadsFrom = map.jsonBytes
    }
    const extraMs = gzip.encodeMs + gzip.decodeMs - map.encodeMs - map.decodeMs
    sweepRows.push([
      `${num(map.jsonBytes / 1024, 1)} KB`,
      row.map((m) => num(m.writeUnits)).join(' / '),
      row.map((m) => num(m.strongReadUnits)).join(' / '),
      `${map.itemBytes} / ${gzip.itemBytes} (${num(map.itemBytes / gzip.itemBytes, 1)}×)`,
      `${extraMs >= 0 ? '+' : ''}${num(extraMs, 3)} ms`,
    ])
  }
  const markdown = [
    'The same synthetic cart stored per encoding, in an item of the default layout (`session_id`, `expire_at`,',
    '`version`, `data`); units as DynamoDB Local reports them (`ReturnConsumedCapacity: TOTAL`) for a PutItem of',
    "a new item and a GetItem, checked against DynamoDB's documented size rules (shown only where they differ).",
    "Item bytes: by those rules; wire bytes: the PutItem request's JSON body. Times: in process, best of 25 (9 in",
    "the sweep), codec alone (encode = codec, or JSON + compression; decode = the reverse), without the SDK's work.",
    '',
    markdownTable(
      [
        'cart JSON',
        'encoding',
        'item bytes',
        'wire bytes',
        'WCU put',
        'RCU strong',
        'RCU eventual',
        'encode ms',
        'decode ms',
      ],
      detailRows,
    ),
    '',
    'Sweep: units as M (default codec) / S (JSON string) / gzip / brotli-5; item bytes M / gzip; extra CPU:',
    "gzip's encode + decode minus the default codec's (negative: gzip + JSON is faster than building the map).",
    '',
    markdownTable(['cart JSON', 'WCU put', 'RCU strong', 'item bytes', 'extra CPU (gzip)'], sweepRows),
    '',
    `DynamoDB Local's units ${localMatchesRules ? 'matched' : 'did not always match'} the documented size rules.`,
  ].join('\n')
  return { markdown, gzipSavesWritesFrom, gzipSavesReadsFrom, localMatchesRules }
}
