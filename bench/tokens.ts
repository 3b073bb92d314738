/**
 * Write tokens under frequent writes (issue 21): every write records a random token in the item, by which
 * the SDK's retry of a write whose reply was lost recognises it was applied. How many tokens, and how many
 * bytes of the item, does a session carry at 100 writes a minute? Against DynamoDB Local through the
 * middleware, on a test clock (0.6 s between writes): writes that read first, writes without a read
 * (`blindWrites`), and the two alternating. The item bytes are DynamoDB's item size rules
 * (bench/lib/item-size.ts), the attribute's name included.
 *
 * Run alone: `node bench/tokens.ts` (`npm run bench:tokens`). Prints a table; asserts nothing.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { startDynamoDBLocal } from '../scripts/dynamodb-local.ts'
import { DynamoDBSessionStore, dynamoSession } from '../src/index.ts'
import { storeObserver } from '../src/powertools/index.ts'
import { MAX_TOKENS } from '../src/store/item-layout.ts'
import { DEFAULT_STORE_PROPS } from '../src/store/props.ts'
import { CookieJar, httpEvent, testClock } from '../src/testing/index.ts'
import { valueSize } from './lib/item-size.ts'
import { markdownTable } from './lib/stats.ts'
import { createSessionsTable } from './lib/table.ts'

const WRITES = 100
const TABLE = 'TokenBench'

const local = await startDynamoDBLocal()
const client = new DynamoDBClient({
  endpoint: local.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
})
try {
  await createSessionsTable(client, TABLE)
  const name = DEFAULT_STORE_PROPS.writeTokensName
  const rows: string[][] = []
  let calls = 0
  for (const mode of ['read, then write', 'write without a read', 'the two alternating'] as const) {
    const clock = testClock()
    const store = new DynamoDBSessionStore({ client, tableName: TABLE, now: clock.now })
    const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      .use(
        dynamoSession<{ n: number; seen: number }>({
          store,
          now: clock.now,
          blindWrites: true,
          // Counts the DynamoDB calls of the measured writes.
          audit: {
            onEvent: (event) => void (event.type === 'store-call' && calls++),
            observe: storeObserver({ calls: true }),
          },
        }),
      )
      .handler(async (event, { session }) => {
        if (event.rawPath === '/read-write') await session.set('n', ((await session.get('n')) ?? 0) + 1)
        else await session.set('seen', clock.now())
        return { statusCode: 200, body: 'ok' }
      })
    const jar = new CookieJar({ now: clock.now })
    const send = async (path: string) => {
      const event = httpEvent('http-api-v2', { path, jar })
      jar.takeFrom(await handler(event, {} as never), event)
    }
    await send('/read-write') // the session
    calls = 0
    let most = { count: 0, bytes: 0 }
    for (let i = 0; i < WRITES; i++) {
      clock.advance({ ms: 600 })
      const blind = mode === 'write without a read' || (mode === 'the two alternating' && i % 2 === 1)
      await send(blind ? '/blind' : '/read-write')
      const item = await client.send(
        new GetItemCommand({
          TableName: TABLE,
          Key: { session_id: { S: `${DEFAULT_STORE_PROPS.partitionKey.prefix}${jar.value}` } },
          ConsistentRead: true,
        }),
      )
      const tokens = item.Item?.[name]
      const bytes = tokens ? Buffer.byteLength(name) + valueSize(tokens) : 0
      const count = Object.keys(tokens?.M ?? {}).length
      if (bytes > most.bytes) most = { count, bytes }
    }
    rows.push([mode, String(most.count), String(most.bytes), (calls / WRITES).toFixed(2)])
  }
  console.log(`## Write tokens at ${WRITES} writes a minute to one session (at most ${MAX_TOKENS} kept)\n`)
  console.log(
    markdownTable(
      ['writes', 'most tokens in the item', 'most bytes of the item they take', 'DynamoDB calls per write'],
      rows,
    ),
  )
} finally {
  client.destroy()
  await local.stop()
}
