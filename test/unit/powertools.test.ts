/**
 * The `/powertools` adapters on their own: every event type's metric and level, the store-call
 * figures, what `powertools()` turns on, and the store observer's contract (I/O operations spanned and
 * scoped, everything else the store's own). The same adapters through the middleware, on both stores:
 * test/support/observability-flows.ts; against DynamoDB Local behind the fault proxy:
 * test/integration/store-calls.test.ts.
 */
import { Metrics } from '@aws-lambda-powertools/metrics'
import { describe, expect, it } from 'vitest'
import type { SessionEvent, SessionEventType, StoreCall } from '../../src/index.ts'
import {
  powertools,
  SESSION_LOG_LEVELS,
  SESSION_METRICS,
  sessionLogs,
  sessionMetrics,
  storeObserver,
} from '../../src/powertools/index.ts'
import { storeCalls } from '../../src/store/calls.ts'
import { MemoryStore } from '../../src/testing/index.ts'
import { userSessions } from '../../src/users/index.ts'

const TYPES: readonly SessionEventType[] = [
  'created',
  'loaded',
  'unknown-id',
  'expired',
  'saved',
  'touched',
  'conflict',
  'regenerated',
  'renewed',
  'destroyed',
  'bound',
  'ended',
  'cross-site-refused',
  'store-call',
]

/** What a metrics client was given, as EMF publishes it (name → value or values). */
function emfOf(events: SessionEvent[]): Record<string, unknown> {
  const metrics = new Metrics({ namespace: 'Sessions', serviceName: 'test' })
  const count = sessionMetrics(metrics)
  for (const event of events) count(event)
  const { _aws, service, ...values } = metrics.serializeMetrics() as unknown as Record<string, unknown>
  expect(service).toBe('test')
  return values
}

describe('sessionMetrics', () => {
  it('names one metric per event type, all distinct', () => {
    expect(Object.keys(SESSION_METRICS).sort()).toEqual([...TYPES].sort())
    expect(new Set(Object.values(SESSION_METRICS)).size).toBe(TYPES.length)
  })

  it('counts each event once under its name; ended counts the sessions ended', () => {
    for (const type of TYPES.filter((t) => t !== 'ended' && t !== 'conflict' && t !== 'store-call')) {
      expect(emfOf([{ type, idHash: 'h' }])).toEqual({ [SESSION_METRICS[type]]: 1 })
    }
    expect(emfOf([{ type: 'ended', userId: 'ada', count: 3 }])).toEqual({ SessionsEnded: 3 })
    expect(emfOf([{ type: 'ended', userId: 'ada', count: 0 }])).toEqual({ SessionsEnded: 0 })
  })

  it('counts a conflict, and again under its reason', () => {
    for (const reason of ['key', 'expiry', 'ended', 'contention', 'replicated']) {
      const named = `SessionConflicts${reason[0]?.toUpperCase()}${reason.slice(1)}`
      expect(emfOf([{ type: 'conflict', reason }])).toEqual({ SessionConflicts: 1, [named]: 1 })
    }
  })

  it('counts a store call, its retries, its capacity, and a failure that is not a refused condition', () => {
    const call = (more: Partial<StoreCall>): SessionEvent => ({
      type: 'store-call',
      operation: 'GetItem',
      ms: 2,
      attempts: 1,
      ...more,
    })
    expect(emfOf([call({ capacity: 0.5 })])).toEqual({ DynamoDBCalls: 1, DynamoDBCapacityUnits: 0.5 })
    expect(emfOf([call({ attempts: 3 })])).toEqual({ DynamoDBCalls: 1, DynamoDBRetries: 2 })
    expect(emfOf([call({ reason: 'condition' })])).toEqual({ DynamoDBCalls: 1 })
    expect(emfOf([call({ attempts: 3, reason: 'ThrottlingException' })])).toEqual({
      DynamoDBCalls: 1,
      DynamoDBRetries: 2,
      DynamoDBErrors: 1,
    })
  })
})

describe('sessionLogs', () => {
  it('gives every event type a level; nothing an ordinary request raises is above DEBUG', () => {
    expect(Object.keys(SESSION_LOG_LEVELS).sort()).toEqual([...TYPES].sort())
    for (const type of ['created', 'loaded', 'saved', 'touched', 'store-call'] as const) {
      expect(SESSION_LOG_LEVELS[type]).toBe('debug')
    }
    expect(SESSION_LOG_LEVELS.conflict).toBe('warn')
    expect(SESSION_LOG_LEVELS['unknown-id']).toBe('info')
  })

  it('logs `session <type>` with the event, at its level; a logger without that level skips it', () => {
    const lines: [string, string, unknown][] = []
    const full = {
      debug: (message: string, details?: unknown) => lines.push(['debug', message, details]),
      info: (message: string, details?: unknown) => lines.push(['info', message, details]),
      warn: (message: string, details?: unknown) => lines.push(['warn', message, details]),
      error: (message: string, details?: unknown) => lines.push(['error', message, details]),
    }
    const log = sessionLogs(full)
    log({ type: 'saved', idHash: 'h' })
    log({ type: 'conflict', idHash: 'h', reason: 'key' })
    expect(lines).toEqual([
      ['debug', 'session saved', { type: 'saved', idHash: 'h' }],
      ['warn', 'session conflict', { type: 'conflict', idHash: 'h', reason: 'key' }],
    ])
    lines.length = 0
    const { debug: _, info: __, ...warnOnly } = full
    const quiet = sessionLogs(warnOnly)
    quiet({ type: 'saved', idHash: 'h' })
    quiet({ type: 'bound', idHash: 'h', userId: 'ada' })
    quiet({ type: 'cross-site-refused', reason: 'Sec-Fetch-Site: cross-site' })
    expect(lines.map(([level, message]) => [level, message])).toEqual([
      ['warn', 'session cross-site-refused'],
    ])
  })
})

describe('powertools()', () => {
  it('observes store calls only when metrics are given (or asked), and spans only with a tracer', () => {
    const metrics = { addMetric() {} }
    const logger = { warn() {}, error() {} }
    expect(powertools({ logger }).observe).toBeUndefined()
    expect(powertools({ metrics }).observe).toBeTypeOf('function')
    expect(powertools({ metrics, calls: false }).observe).toBeUndefined()
    expect(powertools({ logger, calls: true }).observe).toBeTypeOf('function')
    expect(powertools({ key: 'k'.repeat(32) }).key).toBe('k'.repeat(32))
  })

  it('calls the adapters, then a plain subscriber, once per event, in order', () => {
    const seen: string[] = []
    const audit = powertools({
      metrics: { addMetric: (name) => seen.push(`metric ${name}`) },
      logger: { warn() {}, error() {}, debug: (message) => seen.push(`log ${message}`) },
      onEvent: (event) => seen.push(`plain ${event.type}`),
    })
    audit.onEvent({ type: 'loaded', idHash: 'h' })
    expect(seen).toEqual(['metric SessionsLoaded', 'log session loaded', 'plain loaded'])
  })
})

describe('storeObserver', () => {
  it("runs each I/O operation of the store and of its users' index in a span named after it, reporting its calls", async () => {
    const store = new MemoryStore({ users: userSessions() })
    const spans: string[] = []
    const calls: string[] = []
    const observe = storeObserver({
      calls: true,
      span: async (name, operation) => {
        spans.push(name)
        return operation()
      },
    })
    const seen = observe(store, (call) => calls.push(call.operation))
    const created = await seen.create({ data: { n: 1 }, expiresAt: Math.floor(Date.now() / 1000) + 60 })
    expect(await seen.load(created.id)).toMatchObject({ data: { n: 1 } })
    expect(await seen.users?.endAll('nobody')).toBe(0)
    await seen.destroy(created.id)
    expect(spans).toEqual(['session.create', 'session.load', 'session.users.endAll', 'session.destroy'])
    expect(calls.slice(0, 2)).toEqual(['PutItem', 'GetItem'])
    expect(calls).toContain('DeleteItem')
    // Outside an observed operation, the same store reports nothing.
    calls.length = 0
    await store.load(created.id)
    expect(calls).toEqual([])
    expect(storeCalls.getStore()).toBeUndefined()
  })

  it("leaves the store's synchronous methods synchronous and its own (private state included)", () => {
    const store = new MemoryStore()
    const seen = storeObserver({ calls: true, span: async (_name, operation) => operation() })(
      store,
      () => {},
    )
    expect(seen.entrySize?.('k', 'value')).toBeTypeOf('number')
    expect(() => seen.checkEntry?.('k', 'value')).not.toThrow()
    expect(seen.ids).toBe(store.ids)
  })

  it('observes nothing when asked for nothing: the calls are not reported, and no span runs', async () => {
    const store = new MemoryStore()
    const calls: StoreCall[] = []
    const seen = storeObserver({})(store, (call) => calls.push(call))
    await seen.load('A'.repeat(32))
    expect(calls).toEqual([])
  })
})
