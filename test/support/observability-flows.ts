/**
 * Issue 22: the session's operations as Powertools sees them, through the real middleware, the real
 * Powertools Metrics (its `logMetrics` middleware publishing EMF lines) and Logger, on one store. Each
 * request's standard output is captured and read back: the exact metrics of its EMF line and the exact
 * log records of a first visit, a returning write, a conflict, a forged cookie, a logout and a
 * sign-out-everywhere, with no session id anywhere in what was written. One suite, run on each store
 * (DynamoDB Local, where DynamoDB reports capacity units, and the MemoryStore, where it is not asked).
 */
import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it, vi } from 'vitest'
import { dynamoSession, type SessionContext, type SessionStore } from '../../src/index.ts'
import { powertools } from '../../src/powertools/index.ts'
import { CookieJar, type HttpEventOptions, httpEvent, testClock } from '../../src/testing/index.ts'
import { sessionStep } from './session-verbs.ts'

type Data = { n?: number }

/** A store with the users' feature, on the clock `now` (epoch ms), fresh for one test. */
export type ObservedStoreFactory = (now: () => number) => Promise<SessionStore>

/** What one request wrote to standard output: its EMF metrics (name → value, or values), its log records. */
interface Output {
  readonly text: string
  readonly metrics: Record<string, number | number[]>
  readonly logs: Record<string, unknown>[]
}

/** The keys of a log record the library wrote (Powertools' own, timestamp, service and context, are left out). */
const RECORD_KEYS = new Set([
  'level',
  'message',
  'type',
  'userId',
  'reason',
  'count',
  'operation',
  'attempts',
  'capacity',
  'requestId',
])

/** Runs `request` with standard output and error captured, and reads the EMF line and the log records back. */
async function captured(
  request: () => Promise<unknown>,
  outcome: 'answered' | 'refused' = 'answered',
): Promise<Output> {
  const written: string[] = []
  // Powertools writes INFO and DEBUG records and EMF lines to standard output, WARN and ERROR to standard error.
  const spies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      written.push(String(chunk))
      return true
    }),
  )
  try {
    const error = await request().then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    // A 409 is thrown to the caller (no error handler in this chain): its output is what counts here.
    if (outcome === 'answered' && error !== undefined) throw error
    if (outcome === 'refused') expect(error).toMatchObject({ statusCode: 409 })
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  const text = written.join('')
  const records = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  const emf = records.filter((record) => '_aws' in record)
  expect(emf.length).toBeLessThanOrEqual(1)
  const metrics: Record<string, number | number[]> = {}
  const [line] = emf
  if (line) {
    const { CloudWatchMetrics } = line._aws as {
      CloudWatchMetrics: {
        Namespace: string
        Dimensions: string[][]
        Metrics: { Name: string; Unit: string }[]
      }[]
    }
    for (const directive of CloudWatchMetrics) {
      expect(directive.Namespace).toBe('Sessions')
      expect(directive.Dimensions).toEqual([['service']]) // no per-session or per-user dimension
      for (const { Name, Unit } of directive.Metrics) {
        expect(Unit).toBe('Count')
        metrics[Name] = line[Name] as number | number[]
      }
    }
  }
  // A log record as the library wrote it: Powertools' own keys (timestamp, service, context) left out.
  const logs = records
    .filter((record) => !('_aws' in record))
    .map((record) => {
      const kept = Object.entries(record).filter(([key]) => RECORD_KEYS.has(key))
      return Object.fromEntries([
        ...kept,
        ...(typeof record.idHash === 'string' ? [['hashed', record.idHash.length === 22]] : []),
        ...('ms' in record ? [['timed', typeof record.ms === 'number' && record.ms >= 0]] : []),
      ])
    })
  return { text, metrics, logs }
}

async function setup(makeStore: ObservedStoreFactory, logLevel: 'DEBUG' | 'INFO') {
  const clock = testClock()
  const store = await makeStore(clock.now)
  const metrics = new Metrics({ namespace: 'Sessions', serviceName: 'counter' })
  const logger = new Logger({ serviceName: 'counter', logLevel })
  const hold = Promise.withResolvers<void>()
  const heldLoaded = Promise.withResolvers<void>()
  const operations: string[] = []
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(logMetrics(metrics))
    .use(injectLambdaContext(logger))
    .use(
      dynamoSession<Data>({
        store,
        now: clock.now,
        logger,
        audit: powertools({
          metrics,
          logger,
          key: 'k'.repeat(32),
          // A plain subscriber beside the adapters: the operations of the store's calls, in order.
          onEvent: (event) => {
            if (event.operation) operations.push(event.operation)
          },
        }),
      }),
    )
    .handler(async (event, context) => {
      await sessionStep(context.session, event.rawPath, {
        until: hold.promise,
        loaded: () => heldLoaded.resolve(),
      })
      return { statusCode: 200, body: 'ok' }
    })
  // A request of another instance on the same store, observing nothing: true once it has written.
  const other = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(dynamoSession<Data>({ store, now: clock.now }))
    .handler(async (_event, { session }) => {
      await session.set('n', ((await session.get('n')) ?? 0) + 10)
      return { statusCode: 200, body: 'ok' }
    })
  const rival = (id: string) =>
    other(httpEvent('http-api-v2', { path: '/', headers: { cookie: `id=${id}` } }), {} as never)
  let invocation = 0
  const browser = () => {
    const jar = new CookieJar({ now: clock.now })
    const send = async (path: string, request: Omit<HttpEventOptions, 'path' | 'jar'> = {}) => {
      const event = httpEvent('http-api-v2', { path, jar, ...request })
      invocation += 1
      const context = {
        functionName: 'counter',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:counter',
        memoryLimitInMB: '256',
        awsRequestId: `invocation-${invocation}`,
        getRemainingTimeInMillis: () => 10_000,
      } as unknown as SessionContext<Data>
      jar.takeFrom(await handler(event, context), event)
    }
    return { jar, send }
  }
  return {
    store,
    browser,
    rival,
    heldLoaded: heldLoaded.promise,
    release: () => hold.resolve(),
    calls: () => operations.splice(0),
  }
}

/** Registers the observability suite for one store; `capacity`: whether DynamoDB reports capacity units. */
export function observabilityFlows(name: string, makeStore: ObservedStoreFactory, capacity: boolean): void {
  /** The capacity metric as this store has it (none where nothing was asked of DynamoDB). */
  const units = (value: number | number[]) => (capacity ? { DynamoDBCapacityUnits: value } : {})
  /** A `store-call` log record as this store has it. */
  const call = (operation: string, more: { capacity?: number; reason?: string } = {}) => ({
    level: 'DEBUG',
    message: 'session store-call',
    type: 'store-call',
    operation,
    attempts: 1,
    timed: true,
    requestId: 'UQ2LKhXJjoEEMqA=',
    ...(more.reason && { reason: more.reason }),
    ...(capacity && more.capacity !== undefined && { capacity: more.capacity }),
  })
  const event = (level: string, type: string, more: Record<string, unknown> = {}) => ({
    level,
    message: `session ${type}`,
    type,
    hashed: true,
    requestId: 'UQ2LKhXJjoEEMqA=',
    ...more,
  })

  describe(`Powertools metrics and logs, ${name}`, () => {
    it('a first visit, a returning write, a forged cookie and a logout: their exact metrics and records', async () => {
      const { browser } = await setup(makeStore, 'DEBUG')
      const ada = browser()

      const first = await captured(() => ada.send('/write'))
      expect(first.metrics).toEqual({ SessionsCreated: 1, DynamoDBCalls: 1, ...units(1) })
      expect(first.logs).toEqual([call('PutItem', { capacity: 1 }), event('DEBUG', 'created')])

      const returning = await captured(() => ada.send('/write'))
      expect(returning.metrics).toEqual({
        SessionsLoaded: 1,
        SessionsSaved: 1,
        DynamoDBCalls: [1, 1],
        ...units([1, 1]),
      })
      expect(returning.logs).toEqual([
        call('GetItem', { capacity: 1 }),
        event('DEBUG', 'loaded'),
        call('UpdateItem', { capacity: 1 }),
        event('DEBUG', 'saved'),
      ])

      const forger = browser()
      const forged = await captured(() => forger.send('/read', { cookie: `id=${'F'.repeat(32)}` }))
      expect(forged.metrics).toEqual({ UnknownSessionIds: 1, DynamoDBCalls: 1, ...units(1) })
      expect(forged.logs).toEqual([call('GetItem', { capacity: 1 }), event('INFO', 'unknown-id')])

      const garbled = await captured(() => forger.send('/read', { cookie: 'id=<script>' }))
      expect(garbled.metrics).toEqual({ UnknownSessionIds: 1 }) // never looked up
      const { hashed: _, ...unhashed } = event('INFO', 'unknown-id', { reason: 'malformed' })
      expect(garbled.logs).toEqual([unhashed])

      const id = ada.jar.value as string
      const logout = await captured(() => ada.send('/logout'))
      expect(logout.metrics).toEqual({ SessionsDestroyed: 1, DynamoDBCalls: 1, ...units(1) })
      expect(logout.logs).toEqual([call('DeleteItem', { capacity: 1 }), event('INFO', 'destroyed')])

      for (const output of [first, returning, forged, garbled, logout]) {
        expect(output.text).not.toContain(id)
        expect(output.text).not.toContain(id.slice(0, 12))
      }
    })

    it('a conflict: the refused write, its reason in the metric name, a WARN record', async () => {
      const { browser, release, rival, heldLoaded } = await setup(makeStore, 'DEBUG')
      const ada = browser()
      await captured(() => ada.send('/write'))
      const held = captured(() => ada.send('/held'), 'refused')
      await heldLoaded
      // Another request (unobserved: it writes nothing) changes the same key while this one holds it.
      await rival(ada.jar.value as string)
      release()
      const output = await held
      expect(output.metrics).toEqual({
        SessionsLoaded: 1,
        SessionConflicts: 1,
        SessionConflictsKey: 1,
        DynamoDBCalls: [1, 1],
        ...units(1),
      })
      expect(output.logs).toEqual([
        call('GetItem', { capacity: 1 }),
        event('DEBUG', 'loaded'),
        call('UpdateItem', { reason: 'condition' }),
        event('WARN', 'conflict', { reason: 'key' }),
      ])
    })

    it('a sign-out-everywhere: the sessions ended, counted; at INFO, nothing for ordinary requests', async () => {
      const { browser, calls } = await setup(makeStore, 'INFO')
      const ada = browser()
      const ordinary = [
        await captured(() => ada.send('/write')),
        await captured(() => ada.send('/write')),
        await captured(() => ada.send('/read')),
      ]
      for (const output of ordinary) expect(output.logs).toEqual([])

      calls()
      const login = await captured(() => ada.send('/login/ada'))
      // The session; the user's item (none yet: made); one transaction of the old and new items and the user's.
      expect(calls()).toEqual(['GetItem', 'GetItem', 'PutItem', 'TransactWriteItems'])
      expect(login.logs).toEqual([
        event('INFO', 'regenerated', { userId: 'ada' }),
        event('INFO', 'bound', { userId: 'ada' }),
      ])
      expect(login.metrics).toEqual({
        SessionsLoaded: 1,
        SessionsRegenerated: 1,
        SessionsBound: 1,
        DynamoDBCalls: [1, 1, 1, 1],
        ...units([1, 1, 1, 6]),
      })
      const phone = browser()
      await captured(() => phone.send('/login/ada'))
      const ids = [ada.jar.value as string, phone.jar.value as string]

      calls()
      const endAll = await captured(() => ada.send('/end-all'))
      // The session; the user's item leased; the sessions deleted; the index checked; the lease let go.
      expect(calls()).toEqual(['GetItem', 'UpdateItem', 'BatchWriteItem', 'Query', 'UpdateItem'])
      const { hashed: _, ...ended } = event('INFO', 'ended', { userId: 'ada', count: 1 })
      expect(endAll.logs).toEqual([ended])
      expect(endAll.metrics).toEqual({
        SessionsLoaded: 1,
        SessionsEnded: 1,
        DynamoDBCalls: [1, 1, 1, 1, 1],
        ...units([1, 1, 2, 0.5, 1]),
      })
      for (const output of [login, endAll]) for (const id of ids) expect(output.text).not.toContain(id)
    })
  })
}
