/**
 * Issue 23: on a multi-Region strongly consistent (MRSC) global table, DynamoDB refuses a write that
 * another Region made to the same item at the same moment with `ReplicatedWriteConflictException`
 * (retryable; nothing written). The fault proxy answers with it as MRSC would, in front of DynamoDB Local,
 * with the real SDK and its own retries (3 attempts here): the store sends such a write again like one
 * refused by a concurrent change, and when the conflict outlasts its retries the request is answered 409
 * with its own reason, `replicated`, and nothing written. A logout still wins; a read-only request's touch
 * is given up (it costs a little lifetime, not the response).
 */
import middy from '@middy/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { SessionConflictError, type SessionContext, type SessionEvent } from '../../src/index.ts'
import { freshContext, type HttpResult } from '../support/app.ts'
import { httpApiV2Event } from '../support/events.ts'
import { proxiedTable } from '../support/proxied-table.ts'
import { sessionOn } from '../support/transport.ts'

type Counter = { count: number }

const table = proxiedTable()
beforeEach(() => table.proxy.reset())

/** Answers the next `times` requests of `operation` (all of them without `times`) as MRSC refuses a conflicting write. */
function replicatedConflict(operation: string, times = Number.POSITIVE_INFINITY) {
  let answered = 0
  table.proxy.intercept(({ op }) => {
    if (op !== operation || answered >= times) return undefined
    answered++
    return { error: 'ReplicatedWriteConflictException', message: 'Replicated write conflict' }
  })
  return () => answered
}

const events: SessionEvent[] = []
/**
 * A counter on the proxied client: `/write` increments, `/read` reads, `/logout` destroys, `/blind` sets
 * without a read (`blindWrites`).
 */
function counterApp() {
  return middy()
    .use(
      sessionOn<Counter>(table.wire, {
        store: { tableName: table.tableName },
        touchAfter: 0,
        blindWrites: true,
        audit: { onEvent: (event) => void events.push(event) },
      }),
    )
    .handler(async (event: unknown, context) => {
      const { session } = context
      const path = (event as { rawPath?: string }).rawPath
      if (path === '/blind') {
        await session.set('count', 99)
        return { statusCode: 200, body: 'set' }
      }
      if (path === '/logout') await session.destroy()
      else if (path === '/read') await session.get('count')
      else await session.set('count', ((await session.get('count')) ?? 0) + 1)
      return { statusCode: 200, body: String((await session.get('count').catch(() => '')) ?? '') }
    })
}
const send = (path: string, id: string) =>
  counterApp()(
    { ...httpApiV2Event({ cookieHeader: `id=${id}` }), rawPath: path },
    freshContext() as SessionContext<Counter>,
  ) as Promise<HttpResult>
const stored = async (count: number) =>
  (await table.store.create({ data: { count }, expiresAt: Math.floor(Date.now() / 1000) + 600 })).id

describe('ReplicatedWriteConflictException (MRSC), through the fault proxy', () => {
  it('a save refused on more attempts than the SDK makes: sent again by the store, saved once, 200', async () => {
    const id = await stored(4)
    const refusals = replicatedConflict('UpdateItem', 4) // the SDK's 3 attempts, and the store's first again
    const result = await send('/write', id)
    expect(result.statusCode).toBe(200)
    expect(result.body).toBe('5')
    expect(refusals()).toBe(4)
    expect((await table.store.load(id))?.data).toEqual({ count: 5 })
  })

  it('a save refused for as long as it is sent: 409 `replicated`, audited, and nothing written', async () => {
    const id = await stored(1)
    events.length = 0
    const refusals = replicatedConflict('UpdateItem')
    const error = await send('/write', id).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SessionConflictError)
    expect(error).toMatchObject({ reason: 'replicated', statusCode: 409 })
    expect((error as Error).message).toMatch(/another Region kept writing the session/i)
    expect(refusals()).toBe(15) // 5 sends of 3 attempts each
    expect(events.filter((event) => event.type === 'conflict').map((event) => event.reason)).toEqual([
      'replicated',
    ])
    expect((await table.store.load(id))?.data).toEqual({ count: 1 })
  })

  it('a write without a read refused for as long as it is sent: 409 `replicated`, audited, nothing written', async () => {
    const id = await stored(3)
    events.length = 0
    replicatedConflict('UpdateItem')
    const error = await send('/blind', id).catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'replicated', statusCode: 409 })
    expect(events.filter((event) => event.type === 'conflict').map((event) => event.reason)).toEqual([
      'replicated',
    ])
    expect((await table.store.load(id))?.data).toEqual({ count: 3 })
  })

  it('a logout refused on more attempts than the SDK makes still ends the session', async () => {
    const id = await stored(2)
    replicatedConflict('DeleteItem', 5)
    expect((await send('/logout', id)).statusCode).toBe(200)
    expect(await table.store.load(id)).toBeUndefined()
  })

  it('a read-only request whose touch is refused for as long as it is sent answers 200 all the same', async () => {
    const id = await stored(7)
    const refusals = replicatedConflict('UpdateItem')
    const result = await send('/read', id)
    expect(result.statusCode).toBe(200)
    expect(result.body).toBe('7')
    expect(refusals()).toBe(15)
    expect((await table.store.load(id))?.data).toEqual({ count: 7 })
  })
})
