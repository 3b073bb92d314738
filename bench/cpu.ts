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
 *   includes besides the library);
 * - **lite**: the same visit through `middy-dynamodb-session/lite`, and the same two requests sent by
 *   hand with its transport: the library's cost without the SDK's work on its requests;
 * - **with Powertools** (issue 22): the library's visit with `audit: powertools({ logger, metrics })`
 *   (Logger at INFO, so nothing is logged; each request's EMF line serialized as `logMetrics` would print
 *   it, its bytes counted), over the CPU of the visit without it; and the DynamoDB bytes each visit sends
 *   and receives, with and without (`ReturnConsumedCapacity` asked, capacity returned).
 *
 * The difference library − by hand is the library's cost: its own code, and the SDK's work on its larger
 * requests (conditions, write tokens).
 *
 * Against DynamoDB Local by default. With `BENCH_CPU_AGAINST=canned`, against an endpoint that answers at
 * once with canned replies (./lib/canned-dynamodb.ts): the same figures without the JVM on the same
 * cores, whose JIT and garbage collection move each of them by a tenth of a millisecond from run to run.
 * `npm run bench:cpu` runs both. Run alone: `node bench/cpu.ts` (`BENCH_CPU_N` requests per figure,
 * default 1000). Prints a table; asserts nothing.
 */

import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { startDynamoDBLocal } from '../scripts/dynamodb-local.ts'
import { type AuditOptions, dynamoSession, type SessionContext } from '../src/index.ts'
import { HttpTransport, dynamoSession as liteSession } from '../src/lite/index.ts'
import { powertools } from '../src/powertools/index.ts'
import { CookieJar, httpEvent } from '../src/testing/index.ts'
import { startCannedDynamoDB } from './lib/canned-dynamodb.ts'
import { markdownTable, median, num } from './lib/stats.ts'
import { createSessionsTable } from './lib/table.ts'

const N = Number(process.env.BENCH_CPU_N ?? 1000)
const WARM_UP = 100
const TABLE = 'CpuBench'
/** The sessions the measured visits return to in turn. */
const SESSIONS = 400

/** Rounds each figure is measured in, interleaved with the other figures'. */
const ROUNDS = 20

/**
 * CPU milliseconds per call of each of `runs`: the median over `ROUNDS` rounds of `N / ROUNDS` calls each,
 * after a warm-up, the runs interleaved round by round (so drift and JIT warm-up fall on all alike, and a
 * round that a neighbour on this shared machine slowed does not move the figure).
 */
async function cpuPerCall(...runs: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const run of runs) for (let i = 0; i < WARM_UP; i++) await run()
  const rounds: number[][] = runs.map(() => [])
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, run] of runs.entries()) {
      const start = process.cpuUsage()
      for (let i = 0; i < N / ROUNDS; i++) await run()
      const spent = process.cpuUsage(start)
      rounds[index]?.push((spent.user + spent.system) / 1000 / (N / ROUNDS))
    }
  }
  return rounds.map((perCall) => median(perCall))
}

/** Where the requests go: DynamoDB Local, or the canned endpoint. */
const CANNED = process.env.BENCH_CPU_AGAINST === 'canned'
const local = CANNED ? await startCannedDynamoDB() : await startDynamoDBLocal()
const client = new DynamoDBClient({
  endpoint: local.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
})
/** HTTP body bytes the client sent and received (request bodies, response Content-Length). */
const wire = { sent: 0, received: 0 }
client.middlewareStack.add(
  (next) => async (args) => {
    const body = (args.request as { body?: unknown }).body
    wire.sent +=
      typeof body === 'string' ? Buffer.byteLength(body) : ((body as Uint8Array | undefined)?.byteLength ?? 0)
    const output = await next(args)
    const headers = (output.response as { headers?: Record<string, string> }).headers ?? {}
    wire.received += Number(headers['content-length'] ?? 0)
    return output
  },
  { step: 'finalizeRequest', name: 'countBytes' },
)
try {
  if (!CANNED) await createSessionsTable(client, TABLE)
  type Data = { count: number }
  const counter = (audit?: AuditOptions) =>
    middy()
      .use(dynamoSession<Data>({ client, store: { tableName: TABLE }, ...(audit && { audit }) }))
      .handler(async (_event: unknown, context: SessionContext<Data>) => {
        const count = ((await context.session.get('count')) ?? 0) + 1
        await context.session.set('count', count)
        return { statusCode: 200, body: String(count) }
      })
  const handler = counter()
  const jar = new CookieJar()
  const visitWith = async (cookies: CookieJar) => {
    const event = httpEvent('http-api-v2', { path: '/', jar: cookies })
    cookies.takeFrom(await handler(event, {} as never), event)
  }
  await visitWith(jar) // the first visit stores the session; the measured ones return to it
  // The measured visits return to SESSIONS sessions in turn, as real sessions are written a few times a
  // minute: one session written hundreds of times a second keeps the write tokens of its current second
  // (the lost-reply guarantee), a larger item than any real session's (measured apart: "one session").
  const pool = Array.from({ length: SESSIONS }, () => new CookieJar())
  for (const cookies of pool) await visitWith(cookies)
  const turns = () => {
    let next = 0
    return () => pool[next++ % pool.length] as CookieJar
  }
  const nextForLibrary = turns()
  const visit = (cookies = nextForLibrary()) => visitWith(cookies)
  const oneSessionVisit = () => visitWith(jar)
  /** The bytes of the second visit of a new browser (the first stores its session): same item, same size. */
  const bytesOf = async (run: (cookies: CookieJar) => Promise<unknown>) => {
    const cookies = new CookieJar()
    await run(cookies)
    wire.sent = 0
    wire.received = 0
    await run(cookies)
    return { ...wire }
  }
  const plainBytes = await bytesOf(visit)

  const metrics = new Metrics({ namespace: 'Sessions', serviceName: 'bench' })
  const logger = new Logger({ serviceName: 'bench', logLevel: 'INFO' })
  const observed = counter(powertools({ logger, metrics }))
  let emfBytes = 0
  let emfLines = 0
  const nextForObserved = turns()
  const observedVisit = async (cookies = nextForObserved()) => {
    const event = httpEvent('http-api-v2', { path: '/', jar: cookies })
    cookies.takeFrom(await observed(event, {} as never), event)
    // What logMetrics prints at the end of the request: one EMF line (not written out here).
    emfBytes += JSON.stringify(metrics.serializeMetrics()).length + 1
    emfLines += 1
    metrics.clearMetrics()
  }

  const keyOf = (cookies: CookieJar) => ({ session_id: { S: `SESSIONS::TOWER::${cookies.value}` } })
  const nextForHand = turns()
  /** The by-hand write: the counter from `count` to `count + 1`, if it still holds `count`. */
  const increment = (Key: Record<string, { S: string }>, count: number) => ({
    TableName: TABLE,
    Key,
    UpdateExpression: 'SET #d.#c = :n',
    ConditionExpression: '#d.#c = :o',
    ExpressionAttributeNames: { '#d': 'data', '#c': 'count' },
    ExpressionAttributeValues: { ':n': { N: String(count + 1) }, ':o': { N: String(count) } },
  })
  const byHandVisit = async () => {
    const Key = keyOf(nextForHand())
    const got = await client.send(new GetItemCommand({ TableName: TABLE, Key, ConsistentRead: true }))
    const count = Number(got.Item?.data?.M?.count?.N ?? 0)
    await client.send(new UpdateItemCommand(increment(Key, count)))
  }

  /** One SDK call within a time limit, as the store sends each: an `AbortController` and a timer. */
  const timed = async <T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const limit = new AbortController()
    const timer = setTimeout(() => limit.abort(), 5000)
    try {
      return await send(limit.signal)
    } finally {
      clearTimeout(timer)
    }
  }
  const nextForTimed = turns()
  const byHandTimedVisit = async () => {
    const Key = keyOf(nextForTimed())
    const got = await timed((abortSignal) =>
      client.send(new GetItemCommand({ TableName: TABLE, Key, ConsistentRead: true }), { abortSignal }),
    )
    const count = Number(got.Item?.data?.M?.count?.N ?? 0)
    await timed((abortSignal) => client.send(new UpdateItemCommand(increment(Key, count)), { abortSignal }))
  }

  const bare = middy().handler(async () => ({
    statusCode: 200,
    body: '1',
    cookies: [`id=${jar.value}; Path=/`],
  }))
  const harnessVisit = async () => {
    const event = httpEvent('http-api-v2', { path: '/', jar })
    jar.takeFrom(await bare(event, {} as never), event)
  }

  // The same over the lite subpath's transport: the library, and the same two requests sent by hand with it.
  const liteOptions = {
    endpoint: local.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }
  const liteHandler = middy()
    .use(liteSession<Data>({ store: { tableName: TABLE, ...liteOptions } }))
    .handler(async (_event: unknown, context: SessionContext<Data>) => {
      const count = ((await context.session.get('count')) ?? 0) + 1
      await context.session.set('count', count)
      return { statusCode: 200, body: String(count) }
    })
  const liteReader = middy()
    .use(liteSession<Data>({ store: { tableName: TABLE, ...liteOptions } }))
    .handler(async (_event: unknown, context: SessionContext<Data>) => ({
      statusCode: 200,
      body: String(await context.session.get('count')),
    }))
  const reader = middy()
    .use(dynamoSession<Data>({ client, store: { tableName: TABLE } }))
    .handler(async (_event: unknown, context: SessionContext<Data>) => ({
      statusCode: 200,
      body: String(await context.session.get('count')),
    }))
  const readWith = (read: typeof reader, next: () => CookieJar) => async () => {
    const cookies = next()
    const event = httpEvent('http-api-v2', { path: '/', jar: cookies })
    cookies.takeFrom(await read(event, {} as never), event)
  }
  const readVisit = readWith(reader, turns())
  const liteReadVisit = readWith(liteReader, turns())
  const nextForHandRead = turns()
  const byHandRead = () =>
    client.send(new GetItemCommand({ TableName: TABLE, Key: keyOf(nextForHandRead()), ConsistentRead: true }))
  const nextForLiteHandRead = turns()
  const liteByHandRead = () =>
    transport.send(
      'GetItem',
      { TableName: TABLE, Key: keyOf(nextForLiteHandRead()), ConsistentRead: true },
      NEVER,
    )
  const nextForLite = turns()
  const liteVisit = async () => {
    const cookies = nextForLite()
    const event = httpEvent('http-api-v2', { path: '/', jar: cookies })
    cookies.takeFrom(await liteHandler(event, {} as never), event)
  }
  const transport = new HttpTransport(liteOptions)
  /** A signal that never aborts: the calls by hand have no time limit to set up. */
  const NEVER = new AbortController().signal
  const nextForLiteHand = turns()
  const liteByHandVisit = async () => {
    const Key = keyOf(nextForLiteHand())
    const signal = NEVER
    const { output } = await transport.send(
      'GetItem',
      { TableName: TABLE, Key, ConsistentRead: true },
      signal,
    )
    const item = output.Item as { data?: { M?: { count?: { N?: string } } } } | undefined
    const count = Number(item?.data?.M?.count?.N ?? 0)
    await transport.send('UpdateItem', increment(Key, count), signal)
  }

  const [
    library = 0,
    byHand = 0,
    harness = 0,
    withPowertools = 0,
    lite = 0,
    liteByHand = 0,
    oneSession = 0,
    read = 0,
    handRead = 0,
    liteRead = 0,
    liteHandRead = 0,
    byHandTimed = 0,
  ] = await cpuPerCall(
    () => visit(),
    byHandVisit,
    harnessVisit,
    () => observedVisit(),
    liteVisit,
    liteByHandVisit,
    oneSessionVisit,
    readVisit,
    byHandRead,
    liteReadVisit,
    liteByHandRead,
    byHandTimedVisit,
  )
  // What Powertools Logger writes (to standard output and error) during one visit at INFO.
  let logBytes = 0
  const streams = [process.stdout, process.stderr]
  const writes = streams.map((stream) => stream.write)
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      logBytes += chunk.length
      return true
    }) as typeof stream.write
  }
  const observedBytes = await bytesOf(observedVisit).finally(() => {
    streams.forEach((stream, i) => {
      stream.write = writes[i] as typeof stream.write
    })
  })

  const against = CANNED
    ? 'against a canned DynamoDB endpoint (no JVM on the cores)'
    : 'against DynamoDB Local'
  console.log(
    `## CPU per request, ${against} (${N} requests each, after ${WARM_UP} to warm up, in ${ROUNDS} interleaved rounds)\n`,
  )
  console.log(
    markdownTable(
      ['request', 'CPU ms per request'],
      [
        [
          `returning visit, read + increment, through the library (${SESSIONS} sessions in turn)`,
          num(library),
        ],
        ['the same GetItem + UpdateItem by hand', num(byHand)],
        ['harness alone (events, jar, Middy, no session)', num(harness)],
        [
          '**the library over the calls by hand** (library − by hand − harness)',
          `**${num(library - byHand - harness)}**`,
        ],
        [
          'the same two calls by hand, each within a time limit (an `AbortController` and a timer, as the store sends them)',
          num(byHandTimed),
        ],
        ["the SDK's handling of a call's time limit (timed − by hand)", num(byHandTimed - byHand)],
        ['the same visit through `middy-dynamodb-session/lite`', num(lite)],
        ['the same GetItem + UpdateItem by hand, over the lite transport', num(liteByHand)],
        [
          '**the library over the calls by hand, over the lite transport** (lite − its by hand − harness)',
          `**${num(lite - liteByHand - harness)}**`,
        ],
        ['read-only returning visit (no touch due), through the library', num(read)],
        ['the same GetItem by hand', num(handRead)],
        [
          '**read-only: the library over the call by hand** (read − by hand − harness)',
          `**${num(read - handRead - harness)}**`,
        ],
        ['the read-only visit through `middy-dynamodb-session/lite`', num(liteRead)],
        ['the same GetItem by hand, over the lite transport', num(liteHandRead)],
        [
          '**read-only: the library over the call by hand, over the lite transport**',
          `**${num(liteRead - liteHandRead - harness)}**`,
        ],
        ['returning visit with `audit: powertools({ logger, metrics })`', num(withPowertools)],
        // The canned endpoint's every session is the same item, whose tokens never grow.
        ...(CANNED
          ? []
          : [
              [
                'one session written in a loop (hundreds of times a second: the write tokens of its second kept)',
                num(oneSession),
              ],
            ]),
        [
          '**Powertools on over off** (its adapters, the store calls reported, the EMF line)',
          `**${num(withPowertools - library)}**`,
        ],
      ],
    ),
  )
  // The canned endpoint's replies are not DynamoDB's: their bytes are left out.
  if (!CANNED) {
    console.log(`\n## Observability on (issue 22), per returning visit\n`)
    console.log(
      markdownTable(
        ['', 'off', 'with `powertools({ logger, metrics })`'],
        [
          ['DynamoDB request bytes sent (2 calls)', String(plainBytes.sent), String(observedBytes.sent)],
          ['DynamoDB response bytes received', String(plainBytes.received), String(observedBytes.received)],
          ['EMF bytes written (one line)', '0', String(Math.round(emfBytes / emfLines))],
          ['log bytes written at INFO', '0', String(logBytes)],
        ],
      ),
    )
  }
} finally {
  client.destroy()
  await local.stop()
}
