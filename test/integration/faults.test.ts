import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startDynamoDBLocal } from '../../scripts/dynamodb-local.ts'
import { generateSessionId } from '../../src/id.ts'
import {
  DEFAULT_EXPIRY,
  DynamoDBSessionStore,
  type DynamoSessionOptions,
  Expiry,
  type SessionContext,
  SessionStoreError,
} from '../../src/index.ts'
import { CookieJar, freshContext, type HttpResult } from '../support/app.ts'
import { createTable, dynamoEndpoint, localClient, localCredentials } from '../support/dynamo.ts'
import { httpApiV2Event } from '../support/events.ts'
import { type FaultProxy, gate, startFaultProxy } from '../support/fault-proxy.ts'
import { describeFor, sessionOn, TRANSPORT, type Wire } from '../support/transport.ts'

type Counter = { count: number }

function counter(wire: Wire, tableName: string, options: Omit<DynamoSessionOptions, 'client'> = {}) {
  return middy()
    .use(sessionOn<Counter>(wire, { ...options, store: { tableName, ...(options.store as object) } }))
    .handler(async (_event, context) => {
      const count = ((await context.session.get('count')) ?? 0) + 1
      await context.session.set('count', count)
      return { statusCode: 200, body: String(count) }
    })
}
const call = (handler: ReturnType<typeof counter>, cookie?: string) =>
  handler(
    httpApiV2Event(cookie ? { cookieHeader: cookie } : {}),
    freshContext() as SessionContext<Counter>,
  ) as Promise<HttpResult>

const healthy = localClient()
let tableName: string
let store: DynamoDBSessionStore
beforeAll(async () => {
  tableName = await createTable(healthy)
  store = new DynamoDBSessionStore({ client: healthy, tableName })
})

describe(`DynamoDB faults, injected over HTTP (the real ${TRANSPORT === 'sdk' ? 'SDK' : 'lite transport'} and its retries)`, () => {
  let proxy: FaultProxy
  let client: DynamoDBClient
  let wire: Wire
  beforeAll(async () => {
    proxy = await startFaultProxy(dynamoEndpoint())
    client = localClient({ endpoint: proxy.endpoint, maxAttempts: 3 })
    wire = { client, endpoint: proxy.endpoint, maxAttempts: 3 }
  })
  afterAll(async () => {
    client.destroy()
    await proxy.close()
  })

  it('a throttled read is retried by the SDK and the request succeeds', async () => {
    const { id } = await store.create({ data: { count: 4 }, expiresAt: Math.floor(Date.now() / 1000) + 600 })
    proxy.seen.length = 0
    proxy.script(['throttle', 'provisioned'])
    const response = await call(counter(wire, tableName), `id=${id}`)
    expect(response.body).toBe('5')
    expect(proxy.seen.slice(0, 3)).toEqual(['GetItem', 'GetItem', 'GetItem'])
  })

  const persistent: [string, 'throttle' | 'provisioned' | 'internal' | 'drop'][] = [
    ['ThrottlingException', 'throttle'],
    ['ProvisionedThroughputExceededException', 'provisioned'],
    ['InternalServerError', 'internal'],
    ['a dropped connection', 'drop'],
  ]
  for (const [name, fault] of persistent) {
    it(`${name} on every attempt: SessionStoreError after the retries, no cookie, nothing damaged`, async () => {
      const { id } = await store.create({
        data: { count: 1 },
        expiresAt: Math.floor(Date.now() / 1000) + 600,
      })
      proxy.seen.length = 0
      proxy.script([], fault)
      const error = await call(counter(wire, tableName), `id=${id}`).catch((e: unknown) => e)
      proxy.script([], 'forward')
      expect(error).toBeInstanceOf(SessionStoreError)
      expect((error as SessionStoreError).operation).toBe('GetItem')
      expect((error as Error).message).not.toContain(id)
      expect((error as Error).cause).toBeDefined()
      expect(proxy.seen.filter((op) => op === 'GetItem')).toHaveLength(3) // maxAttempts
      expect(await store.load(id)).toMatchObject({ data: { count: 1 }, revision: { version: { N: '1' } } })
    })
  }

  it('a failed write fails the request without a cookie and leaves the stored session as it was', async () => {
    const { id } = await store.create({ data: { count: 1 }, expiresAt: Math.floor(Date.now() / 1000) + 600 })
    proxy.script(['forward'], 'internal') // the read goes through, every write attempt fails
    const handler = middy()
      .use(sessionOn<Counter>(wire, { store: { tableName } }))
      .use(httpErrorHandler({ logger: false }))
      .handler(async (_event, context) => {
        await context.session.set('count', ((await context.session.get('count')) ?? 0) + 1)
        return { statusCode: 200 }
      })
    const response = (await handler(
      httpApiV2Event({ cookieHeader: `id=${id}` }),
      freshContext() as SessionContext<Counter>,
    )) as HttpResult
    proxy.script([], 'forward')
    expect(response.statusCode).toBe(500)
    expect(response.cookies).toBeUndefined()
    expect(await store.load(id)).toMatchObject({ data: { count: 1 }, revision: { version: { N: '1' } } })
  })

  it('a slow DynamoDB is cut off by timeoutMs with SessionStoreError', async () => {
    const { id } = await store.create({ data: { count: 1 }, expiresAt: Math.floor(Date.now() / 1000) + 600 })
    // The read is held at the proxy until after the call has failed: the error cannot come from an answer.
    const release = gate()
    const held: string[] = []
    const stopHolding = proxy.intercept(async ({ op }) => {
      held.push(op)
      await release.opened
      return 'forward' as const
    })
    // Should no timeout fire, the read goes on after 5 s and the test fails on its assertions, not on a hang.
    setTimeout(release.open, 5000).unref()
    try {
      const error = await call(counter(wire, tableName, { store: { timeoutMs: 300 } }), `id=${id}`).catch(
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(SessionStoreError)
      expect((error as Error).message).toMatch(/timed out after 300 ms/)
      expect(held).toEqual(['GetItem']) // one attempt, still unanswered; nothing written
    } finally {
      release.open()
      stopHolding()
    }
    expect((await store.load(id))?.data).toEqual({ count: 1 })
  })

  it('failOpen: an unreadable store gives the handler an empty session whose changes throw', async () => {
    const { id } = await store.create({ data: { count: 9 }, expiresAt: Math.floor(Date.now() / 1000) + 600 })
    const errors: unknown[][] = []
    proxy.seen.length = 0
    proxy.script([], 'internal')
    const failure = await call(
      counter(wire, tableName, {
        failOpen: true,
        logger: { warn: () => {}, error: (...a) => errors.push(a) },
      }),
      `id=${id}`,
    ).catch((e: unknown) => e)
    proxy.script([], 'forward')
    // The read saw an empty session; the counter's set() then threw instead of pretending to save.
    expect(failure).toBeInstanceOf(SessionStoreError)
    expect((failure as Error).message).toMatch(/could not be read/)
    expect(proxy.seen.every((op) => op === 'GetItem')).toBe(true) // no write attempted
    expect(errors).toHaveLength(1)
    expect(JSON.stringify(errors)).not.toContain(id)
    expect(await store.load(id)).toMatchObject({ data: { count: 9 } })
  })

  it('a failed touch does not fail a read-only request', async () => {
    const { id } = await store.create({ data: { count: 3 }, expiresAt: Math.floor(Date.now() / 1000) + 30 })
    const warnings: unknown[][] = []
    const reader = middy()
      .use(
        sessionOn<Counter>(wire, {
          store: { tableName },
          expiry: Expiry.onInactivity(3600),
          touchAfter: 0,
          logger: { warn: (...a) => warnings.push(a), error: () => {} },
        }),
      )
      .handler(async (_event, context) => ({
        statusCode: 200,
        body: String(await context.session.get('count')),
      }))
    proxy.script(['forward'], 'internal')
    const response = (await reader(
      httpApiV2Event({ cookieHeader: `id=${id}` }),
      freshContext() as SessionContext<Counter>,
    )) as HttpResult
    proxy.script([], 'forward')
    expect(response).toMatchObject({ statusCode: 200, body: '3' })
    expect(response.cookies).toBeUndefined()
    expect(warnings).toHaveLength(1)
  })
})

// SDK mocks are for the SDK only: the lite project (test/support/transport.ts) does not register these.
describeFor('sdk')('typed errors for every SDK failure (aws-sdk-client-mock)', () => {
  it.each([
    [
      'GetItem',
      GetItemCommand,
      new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
    ],
    ['GetItem', GetItemCommand, new InternalServerError({ message: 'oops', $metadata: {} })],
    ['PutItem', PutItemCommand, new InternalServerError({ message: 'oops', $metadata: {} })],
    ['UpdateItem', UpdateItemCommand, Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })],
  ] as const)(
    '%s failing with %s becomes SessionStoreError with the cause kept',
    async (operation, command, fault) => {
      const mocked = new DynamoDBClient({ region: 'us-east-1', credentials: localCredentials })
      const mock = mockClient(mocked)
      const id = generateSessionId()
      const expiresAt = Math.floor(Date.now() / 1000) + 600
      mock.on(GetItemCommand).resolves({
        Item: {
          session_id: { S: `SESSIONS::TOWER::${id}` },
          expire_at: { N: String(expiresAt) },
          data: { M: { count: { N: '1' } } },
          version: { N: '1' },
        },
      })
      mock.on(command as typeof GetItemCommand).rejects(fault)
      const mockedStore = new DynamoDBSessionStore({ client: mocked, tableName: 'Sessions' })
      const base = operation === 'GetItem' ? undefined : await mockedStore.load(id)
      const attempt =
        base === undefined
          ? mockedStore.load(id)
          : operation === 'PutItem'
            ? // The item has no write tokens, so the save writes the whole item.
              mockedStore.save({
                base,
                entries: new Map([['count', 2]]),
                cleared: false,
                defaultExpiry: DEFAULT_EXPIRY,
                now: Math.floor(Date.now() / 1000),
              })
            : mockedStore.touch(base, expiresAt + 60)
      const error = await attempt.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SessionStoreError)
      expect((error as SessionStoreError).operation).toBe(operation)
      expect((error as SessionStoreError).cause).toBe(fault)
      expect((error as Error).message).not.toContain(id)
      mock.restore()
    },
  )
})

describe('DynamoDB Local stopped mid-run and started again', () => {
  it('fails requests while it is down, and finds the stored session intact when it is back', async () => {
    const dbPath = mkdtempSync(join(tmpdir(), 'ddb-restart-'))
    const port = await freePort()
    let ddb = await startDynamoDBLocal({ port, dbPath })
    const client = new DynamoDBClient({
      endpoint: ddb.endpoint,
      region: 'us-east-1',
      credentials: localCredentials,
      maxAttempts: 2,
    })
    try {
      const table = await createTable(client)
      const handler = counter({ client, endpoint: ddb.endpoint, maxAttempts: 2 }, table)
      const jar = new CookieJar()
      const first = await call(handler)
      jar.store(first.cookies ?? [])
      expect(first.body).toBe('1')
      expect((await call(handler, jar.header())).body).toBe('2')

      await ddb.stop()
      const down = await call(handler, jar.header()).catch((e: unknown) => e)
      expect(down).toBeInstanceOf(SessionStoreError)
      const fresh = await call(handler).catch((e: unknown) => e) // a first visit that writes fails too
      expect(fresh).toBeInstanceOf(SessionStoreError)

      ddb = await startDynamoDBLocal({ port, dbPath })
      expect((await call(handler, jar.header())).body).toBe('3')
    } finally {
      client.destroy()
      await ddb.stop()
      rmSync(dbPath, { recursive: true, force: true })
    }
  }, 60_000)
})
