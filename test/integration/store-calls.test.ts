/**
 * Issue 22: each DynamoDB call a request makes, as `store-call` events and Powertools metrics, with the
 * real SDK and its retries against DynamoDB Local behind the fault proxy: retries counted, failures named,
 * a reply lost after DynamoDB applied a write told apart from a conflict, and `ReturnConsumedCapacity`
 * on the wire only when a request observes its calls.
 */

import { Metrics } from '@aws-lambda-powertools/metrics'
import middy from '@middy/core'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  type AuditOptions,
  type SessionContext,
  type SessionEvent,
  SessionStoreError,
} from '../../src/index.ts'
import { powertools, storeObserver } from '../../src/powertools/index.ts'
import { freshContext, type HttpResult } from '../support/app.ts'
import { httpApiV2Event } from '../support/events.ts'
import { proxiedTable } from '../support/proxied-table.ts'
import { sessionOn } from '../support/transport.ts'

type Counter = { count: number }

const table = proxiedTable()
/** The bodies of the requests the proxy saw, by operation. */
let bodies: { op: string; body: Record<string, unknown> }[] = []

beforeEach(() => {
  table.proxy.reset()
  bodies = []
  table.proxy.intercept(({ op, body }) => {
    bodies.push({ op, body })
    return undefined
  })
})

function counter(audit: AuditOptions | undefined) {
  return middy()
    .use(
      sessionOn<Counter>(table.wire, {
        store: { tableName: table.tableName },
        ...(audit && { audit }),
      }),
    )
    .handler(async (_event, context) => {
      const count = ((await context.session.get('count')) ?? 0) + 1
      await context.session.set('count', count)
      return { statusCode: 200, body: String(count) }
    })
}
const visit = (handler: ReturnType<typeof counter>, id: string) =>
  handler(
    httpApiV2Event({ cookieHeader: `id=${id}` }),
    freshContext() as SessionContext<Counter>,
  ) as Promise<HttpResult>
const stored = async (count: number) =>
  (await table.store.create({ data: { count }, expiresAt: Math.floor(Date.now() / 1000) + 600 })).id
const observed = () => {
  const events: SessionEvent[] = []
  const audit: AuditOptions = {
    onEvent: (event) => {
      events.push(event)
    },
    observe: storeObserver({ calls: true }),
  }
  const calls = () =>
    events
      .filter((event) => event.type === 'store-call')
      .map(({ operation, attempts, reason }) => ({
        operation,
        attempts,
        ...(reason && { reason }),
      }))
  return { events, audit, calls }
}

describe('store calls, through the fault proxy', () => {
  it('a throttled read retried by the SDK: one call of 2 attempts, counted as 1 retry', async () => {
    const id = await stored(4)
    table.proxy.script(['throttle'])
    const metrics = new Metrics({ namespace: 'Sessions', serviceName: 'counter' })
    const { audit, calls } = observed()
    const both = powertools({ metrics, onEvent: audit.onEvent })
    expect((await visit(counter(both), id)).body).toBe('5')
    expect(calls()).toEqual([
      { operation: 'GetItem', attempts: 2 },
      { operation: 'UpdateItem', attempts: 1 },
    ])
    const emf = metrics.serializeMetrics() as unknown as Record<string, unknown>
    expect(emf.DynamoDBCalls).toEqual([1, 1])
    expect(emf.DynamoDBRetries).toBe(1)
    expect(emf.DynamoDBErrors).toBeUndefined()
    expect(emf.DynamoDBCapacityUnits).toEqual([1, 1]) // asked for, and reported, on the attempt that answered
  })

  it('a read that fails on every attempt: the call is reported with the error name, and counted as an error', async () => {
    const id = await stored(1)
    table.proxy.script([], 'internal')
    const metrics = new Metrics({ namespace: 'Sessions', serviceName: 'counter' })
    const { audit, calls } = observed()
    const error = await visit(counter(powertools({ metrics, onEvent: audit.onEvent })), id).catch((e) => e)
    expect(error).toBeInstanceOf(SessionStoreError)
    expect(calls()).toEqual([{ operation: 'GetItem', attempts: 3, reason: 'InternalServerError' }])
    const emf = metrics.serializeMetrics() as unknown as Record<string, unknown>
    expect(emf.DynamoDBErrors).toBe(1)
    expect(emf.DynamoDBRetries).toBe(2)
    expect(emf.SessionsLoaded).toBeUndefined()
  })

  it("a write applied whose reply was lost: the SDK's retry is refused by its condition, and the request is saved, not a conflict", async () => {
    const id = await stored(1)
    let updates = 0
    table.proxy.intercept(({ op }) => (op === 'UpdateItem' && ++updates === 1 ? 'applyThenDrop' : undefined))
    const { events, audit, calls } = observed()
    expect((await visit(counter(audit), id)).body).toBe('2')
    expect(calls()).toEqual([
      { operation: 'GetItem', attempts: 1 },
      { operation: 'UpdateItem', attempts: 2, reason: 'condition' },
    ])
    expect(events.filter((event) => event.type !== 'store-call').map((event) => event.type)).toEqual([
      'loaded',
      'saved',
    ])
    expect((await table.store.load(id))?.data).toEqual({ count: 2 })
  })

  it('asks DynamoDB for consumed capacity only when a request reports its calls', async () => {
    const id = await stored(1)
    const asked = () => bodies.map(({ op, body }) => [op, body.ReturnConsumedCapacity])
    await visit(counter(undefined), id)
    expect(asked()).toEqual([
      ['GetItem', undefined],
      ['UpdateItem', undefined],
    ])
    bodies = []
    await visit(counter({ onEvent() {} }), id) // audit events alone: no call reported, nothing asked
    expect(asked()).toEqual([
      ['GetItem', undefined],
      ['UpdateItem', undefined],
    ])
    bodies = []
    await visit(counter(observed().audit), id)
    expect(asked()).toEqual([
      ['GetItem', 'TOTAL'],
      ['UpdateItem', 'TOTAL'],
    ])
    bodies = []
    await visit(counter(undefined), id) // and the shared store is not left asking
    expect(asked()).toEqual([
      ['GetItem', undefined],
      ['UpdateItem', undefined],
    ])
  })
})
