/**
 * Concurrent writers on one session: 1, 10 and 50 requests at once, each loading the session and then
 * writing either its own key (different keys) or the same counter (same key), with the default native
 * map codec (per-key updates in place) and with the JSON string codec (whole-item writes, re-based on
 * concurrent changes). Prints p50/p99 latency, calls, capacity units per request, how many were
 * answered 200 and 409, and whether every acknowledged write was kept. Never asserts.
 *
 * Runs alone (`node bench/concurrency.ts`, starting its own DynamoDB Local) or from `bench/run.ts`.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { startDynamoDBLocal } from '../scripts/dynamodb-local.ts'
import { DynamoDBSessionStore, dynamoSession, jsonStringCodec, type SessionContext } from '../src/index.ts'
import { sessionKey } from '../src/store/props.ts'
import { httpEvent } from '../src/testing/index.ts'
import { callCount, emptyTally, instrument, writeCount } from './lib/instrument.ts'
import { markdownTable, num, percentile } from './lib/stats.ts'
import { createSessionsTable } from './lib/table.ts'

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }
const CONCURRENCY = [1, 10, 50] as const
const ROUNDS = 6

type Scenario = 'different keys' | 'same key'
type Codec = 'native map (default)' | 'JSON string'

interface Row {
  codec: Codec
  scenario: Scenario
  writers: number
  latencies: number[]
  ok: number
  conflicts: number
  calls: number
  writes: number
  writeUnits: number
  lost: number
  requests: number
}

async function study(endpoint: string, codec: Codec, scenario: Scenario, writers: number): Promise<Row> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials })
  const recorder = instrument(client)
  const tableName = `bench-concurrency-${Math.random().toString(36).slice(2)}`
  await createSessionsTable(client, tableName)
  const store = { tableName, ...(codec === 'JSON string' ? { codec: jsonStringCodec } : {}) }
  const seeder = new DynamoDBSessionStore({ client, ...store })
  const handler = middy()
    .use(dynamoSession<Record<string, number>>({ client, store }))
    .use(httpErrorHandler({ logger: false }))
    .handler(async (event, context) => {
      const key = (event as { rawPath: string }).rawPath.slice(1)
      const session = context.session
      if (scenario === 'same key') {
        await session.set('count', ((await session.get('count')) ?? 0) + 1)
      } else {
        await session.get(key)
        await session.set(key, 1)
      }
      return { statusCode: 200 }
    })
  const row: Row = {
    codec,
    scenario,
    writers,
    latencies: [],
    ok: 0,
    conflicts: 0,
    calls: 0,
    writes: 0,
    writeUnits: 0,
    lost: 0,
    requests: 0,
  }
  // Round 0 warms the client's connections and the JIT up, and is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    const { id } = await seeder.create({
      data: { count: 0 },
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    })
    recorder.current = emptyTally()
    const statuses = await Promise.all(
      Array.from({ length: writers }, async (_, i) => {
        const event = httpEvent('http-api-v2', { path: `/k${i}`, cookie: `id=${id}` })
        const started = performance.now()
        const result = (await handler(event, { awsRequestId: `r${i}` } as SessionContext<
          Record<string, number>
        >)) as {
          statusCode: number
        }
        row.latencies.push(performance.now() - started)
        return result.statusCode
      }),
    )
    if (round === 0) {
      row.latencies.length = 0
      continue
    }
    const tally = recorder.current
    row.calls += callCount(tally)
    row.writes += writeCount(tally)
    row.writeUnits += tally.writeUnits
    row.requests += writers
    row.ok += statuses.filter((s) => s === 200).length
    row.conflicts += statuses.filter((s) => s === 409).length
    // Every acknowledged write must be in the stored session.
    const item = (
      await client.send(
        new GetItemCommand({ TableName: tableName, Key: sessionKey(seeder.props, id), ConsistentRead: true }),
      )
    ).Item
    const data = item?.data?.M ? unmarshall(item.data.M) : JSON.parse(item?.data?.S ?? '{}')
    if (scenario === 'same key') row.lost += statuses.filter((s) => s === 200).length - Number(data.count)
    else row.lost += statuses.filter((s, i) => s === 200 && data[`k${i}`] !== 1).length
  }
  client.destroy()
  return row
}

/** Runs the whole study against `endpoint` and returns it as Markdown. */
export async function concurrencyStudy(endpoint: string): Promise<string> {
  const rows: Row[] = []
  for (const codec of ['native map (default)', 'JSON string'] as const) {
    for (const scenario of ['different keys', 'same key'] as const) {
      for (const writers of CONCURRENCY) rows.push(await study(endpoint, codec, scenario, writers))
    }
  }
  const table = markdownTable(
    [
      'codec',
      'each writes',
      'at once',
      '200',
      '409',
      'p50 ms',
      'p99 ms',
      'calls/req',
      'writes/req',
      'WCU/req',
      'lost',
    ],
    rows.map((row) => [
      row.codec,
      row.scenario,
      String(row.writers),
      `${num((100 * row.ok) / row.requests, 1)}%`,
      `${num((100 * row.conflicts) / row.requests, 1)}%`,
      num(percentile(row.latencies, 50), 1),
      num(percentile(row.latencies, 99), 1),
      num(row.calls / row.requests),
      num(row.writes / row.requests),
      num(row.writeUnits / row.requests),
      String(row.lost),
    ]),
  )
  return `${table}\n\n${ROUNDS} rounds per row (after one warm-up round); each request loads the session (1 GetItem) and writes one key. "writes/req" counts every write attempt: in DynamoDB each one costs at least 1 WCU, a write refused by its condition included; DynamoDB Local reports units only for applied writes ("WCU/req applied"). "lost": acknowledged writes missing from the stored session (must be 0). Latency is in process against DynamoDB Local on the same machine, so it shows queueing on 2 cores more than DynamoDB's own latency.`
}

if (import.meta.main) {
  const ddb = await startDynamoDBLocal()
  try {
    console.log('## Concurrent writers on one session\n')
    console.log(await concurrencyStudy(ddb.endpoint))
  } finally {
    await ddb.stop()
  }
}
