/**
 * Two Regions of a global table in multi-Region eventual consistency (MREC), simulated ({@link Replicator}),
 * each with a Lambda serving the same routes through this library's middleware: `set/<key>/<value>` (reads
 * the key, then sets it), `logout`, `get/<key>`. With `homes`, each Region's store writes every session in
 * its home Region (`homeRegions()`), the other Region's store as its peer. For bench/mrec.ts and
 * test/integration/mrec-replicator.test.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { DynamoDBSessionStore, dynamoSession, homeRegions } from '../../src/index.ts'
import { type CookieJar, httpEvent } from '../../src/testing/index.ts'
import { Replicator, recordWriteTimes, simRegion, WriteTimes } from './replicator.ts'
import { createSessionsTable } from './table.ts'

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }

/**
 * One Region's Lambda: a request with a cookie jar's session (the jar keeps what the response sets), or
 * with the cookie of session id `session`; resolves its status.
 */
export interface SimLambda {
  readonly region: string
  request(session: CookieJar | string, path: string): Promise<number>
  /** Calls this Region's store made to the other Region (writes of sessions homed there, reads of a home). */
  readonly crossRegionCalls: () => number
}

/** The simulation: two Regions' Lambdas, the replicator between them. */
export interface MrecSimulation {
  readonly a: SimLambda
  readonly b: SimLambda
  readonly replicator: Replicator
  /** A session's data as a reader of `region` finds it (`undefined`: no session there). */
  read(region: 'a' | 'b', id: string | undefined): Promise<Record<string, unknown> | undefined>
  close(): Promise<void>
}

/**
 * Starts the simulation: Region `a` on `endpoints[0]`, `b` on `endpoints[1]` (the same endpoint twice: two
 * tables of one DynamoDB Local), replicated after `lagMs`.
 */
export async function startMrec(options: {
  endpoints: readonly [string, string]
  lagMs: number
  homes: boolean
  /** A round trip added to each call a Region's store sends to the other Region. Default 0. */
  crossRegionRttMs?: number
}): Promise<MrecSimulation> {
  const suffix = Math.random().toString(36).slice(2, 8)
  const newClients = () =>
    options.endpoints.map(
      (endpoint) => new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 3 }),
    ) as [DynamoDBClient, DynamoDBClient]
  // The Lambdas' clients, whose writes are timed for the replicator's last writer wins, and its own.
  const clients = newClients()
  const replicating = newClients()
  const names = ['a', 'b'] as const
  const times = names.map(() => new WriteTimes())
  for (const [i, client] of clients.entries())
    recordWriteTimes(client, times[i] as WriteTimes, ['session_id'])
  // Each Region's table: the library's key, no TTL.
  const tables = names.map((name) => `mrec-${suffix}-${name}`)
  await Promise.all(tables.map((table, i) => createSessionsTable(clients[i] as DynamoDBClient, table)))
  const regions = await Promise.all(
    names.map((name, i) =>
      simRegion(
        name,
        replicating[i] as DynamoDBClient,
        options.endpoints[i] as string,
        tables[i] as string,
        times[i],
      ),
    ),
  )
  const replicator = new Replicator(regions, { lagMs: options.lagMs })
  await replicator.start()
  // Each Region's plain store, which the other Region's store writes through (its peer).
  const plain = names.map((_, i) => new DynamoDBSessionStore({ client: clients[i], tableName: tables[i] }))
  const crossCalls = [0, 0]
  const peerOf = (i: number) => {
    const peer = plain[1 - i] as DynamoDBSessionStore
    // Counts the calls sent to the other Region.
    return {
      props: peer.props,
      request: async (
        operation: Parameters<DynamoDBSessionStore['request']>[0],
        input: Record<string, unknown>,
      ) => {
        crossCalls[i] = (crossCalls[i] ?? 0) + 1
        const rtt = options.crossRegionRttMs ?? 0
        if (rtt > 0) await new Promise((resolve) => setTimeout(resolve, rtt))
        return peer.request(operation, input)
      },
    }
  }
  const lambdas = names.map((name, i): SimLambda => {
    const store = options.homes
      ? new DynamoDBSessionStore({
          client: clients[i],
          tableName: tables[i],
          homeRegions: homeRegions({ region: name, peers: { [names[1 - i] as string]: peerOf(i) } }),
        })
      : (plain[i] as DynamoDBSessionStore)
    const handler = middy<{ rawPath: string }, { statusCode: number }>()
      .use(dynamoSession({ store, touchAfter: 0 }))
      .use(httpErrorHandler({ logger: false }))
      .handler(async (event, context) => {
        const [verb, key = '', value = ''] = event.rawPath.slice(1).split('/')
        const { session } = context
        if (verb === 'set') {
          await session.get(key)
          await session.set(key, value)
        } else if (verb === 'logout') await session.destroy()
        else await session.get(key)
        return { statusCode: 200 }
      })
    return {
      region: name,
      async request(session, path) {
        const jar = typeof session === 'string' ? undefined : session
        const cookie = typeof session === 'string' ? `id=${session}` : undefined
        const event = httpEvent('http-api-v2', { path, jar, cookie })
        const result = await handler(event, { awsRequestId: 'mrec' } as never)
        jar?.takeFrom(result, event)
        return result.statusCode
      },
      crossRegionCalls: () => crossCalls[i] ?? 0,
    }
  })
  return {
    a: lambdas[0] as SimLambda,
    b: lambdas[1] as SimLambda,
    replicator,
    async read(region, id) {
      if (!id) return undefined
      const record = await (plain[region === 'a' ? 0 : 1] as DynamoDBSessionStore).load(id)
      return record?.data
    },
    async close() {
      await replicator.stop()
      for (const client of [...clients, ...replicating]) client.destroy()
    },
  }
}
