/**
 * CPU per request (issue 21): what the middleware, the session and the store cost in CPU on top of the
 * DynamoDB calls they make, measured in process with `process.cpuUsage()` (user + system, every thread
 * of this process; DynamoDB Local is a separate Java process and not counted).
 *
 * - **library**: a returning visit that reads and increments a counter, through
 *   `middy().use(dynamoSession())` (one `GetItem`, one `UpdateItem`), with the test kit's events and
 *   cookie jar around it;
 * - **by hand**: the same two SDK calls on the same item, made directly;
 * - **harness**: the events, the jar and Middy around a handler with no session (what the first figure
 *   includes besides the library).
 *
 * The difference library − by hand is the library's cost: its own code, and the SDK's work on its larger
 * requests and responses (conditions, write tokens, returned attributes). Run alone:
 * `node bench/cpu.ts` (`BENCH_CPU_N` requests per figure, default 1000). Prints a table; asserts nothing.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { startDynamoDBLocal } from '../scripts/dynamodb-local.ts'
import { dynamoSession, type SessionContext } from '../src/index.ts'
import { CookieJar, httpEvent } from '../src/testing/index.ts'
import { markdownTable, num } from './lib/stats.ts'

const N = Number(process.env.BENCH_CPU_N ?? 1000)
const WARM_UP = 100
const TABLE = 'CpuBench'

/** CPU milliseconds per call of `run`, over `N` calls after a warm-up. */
async function cpuPerCall(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARM_UP; i++) await run()
  const start = process.cpuUsage()
  for (let i = 0; i < N; i++) await run()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000 / N
}

const local = await startDynamoDBLocal()
const client = new DynamoDBClient({
  endpoint: local.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
})
try {
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'session_id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'session_id', AttributeType: 'S' }],
    }),
  )
  type Data = { count: number }
  const handler = middy()
    .use(dynamoSession<Data>({ client, store: { tableName: TABLE } }))
    .handler(async (_event: unknown, context: SessionContext<Data>) => {
      const count = ((await context.session.get('count')) ?? 0) + 1
      await context.session.set('count', count)
      return { statusCode: 200, body: String(count) }
    })
  const jar = new CookieJar()
  const visit = async () => {
    const event = httpEvent('http-api-v2', { path: '/', jar })
    jar.takeFrom(await handler(event, {} as never), event)
  }
  await visit() // the first visit stores the session; the measured ones return to it
  const library = await cpuPerCall(visit)

  const Key = { session_id: { S: `SESSIONS::TOWER::${jar.value}` } }
  const byHand = await cpuPerCall(async () => {
    const got = await client.send(new GetItemCommand({ TableName: TABLE, Key, ConsistentRead: true }))
    const count = Number(got.Item?.data?.M?.count?.N ?? 0)
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key,
        UpdateExpression: 'SET #d.#c = :n',
        ConditionExpression: '#d.#c = :o',
        ExpressionAttributeNames: { '#d': 'data', '#c': 'count' },
        ExpressionAttributeValues: { ':n': { N: String(count + 1) }, ':o': { N: String(count) } },
      }),
    )
  })

  const bare = middy().handler(async () => ({
    statusCode: 200,
    body: '1',
    cookies: [`id=${jar.value}; Path=/`],
  }))
  const harness = await cpuPerCall(async () => {
    const event = httpEvent('http-api-v2', { path: '/', jar })
    jar.takeFrom(await bare(event, {} as never), event)
  })

  console.log(`## CPU per request (${N} requests each, after ${WARM_UP} to warm up)\n`)
  console.log(
    markdownTable(
      ['request', 'CPU ms per request'],
      [
        ['returning visit, read + increment, through the library', num(library)],
        ['the same GetItem + UpdateItem by hand', num(byHand)],
        ['harness alone (events, jar, Middy, no session)', num(harness)],
        [
          '**the library over the calls by hand** (library − by hand − harness)',
          `**${num(library - byHand - harness)}**`,
        ],
      ],
    ),
  )
} finally {
  client.destroy()
  await local.stop()
}
