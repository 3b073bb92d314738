import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBSessionStore, dynamoSession, type SessionContext } from '../../src/index.ts'
import { freshContext, type HttpResult } from '../support/app.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { httpApiV2Event } from '../support/events.ts'
import { actor, holdLaterWrite, type Route } from '../support/race.ts'
import { changeOf } from '../support/store-contract.ts'

type Data = Record<string, number>

const client = localClient()
let tableName: string
let store: DynamoDBSessionStore
beforeAll(async () => {
  tableName = await createTable(client)
  store = new DynamoDBSessionStore({ client, tableName })
})

const seed = (data: Data) => store.create({ data, expiresAt: Math.floor(Date.now() / 1000) + 3600 })
const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 20))

/** A Lambda with the session and http-error-handler, the way an app would deploy it. */
function app(handler: (path: string, session: SessionContext<Data>['session']) => Promise<HttpResult>) {
  return middy()
    .use(dynamoSession<Data>({ client, store: { tableName } }))
    .use(httpErrorHandler({ logger: false }))
    .handler(async (event, context) => handler((event as { rawPath: string }).rawPath, context.session))
}

const send = (handler: ReturnType<typeof app>, id: string, path = '/') =>
  handler(
    httpApiV2Event({ cookieHeader: `id=${id}`, path }),
    freshContext() as SessionContext<Data>,
  ) as Promise<HttpResult>

describe('many Lambdas serving one session at once', () => {
  it('50 concurrent increments: the final count equals the requests that reported success; the rest are 409', async () => {
    const { id } = await seed({ count: 0 })
    const increment = app(async (_path, session) => {
      const count = ((await session.get('count')) ?? 0) + 1
      await pause()
      await session.set('count', count)
      return { statusCode: 200, body: String(count) }
    })
    const responses = await Promise.all(Array.from({ length: 50 }, () => send(increment, id)))
    const ok = responses.filter((r) => r.statusCode === 200)
    const conflicts = responses.filter((r) => r.statusCode === 409)
    expect(ok.length + conflicts.length).toBe(50)
    expect(ok.length).toBeGreaterThanOrEqual(1)
    expect((await store.load(id))?.data.count).toBe(ok.length)
    // Each success saw a distinct count: no two requests "won" the same increment.
    expect(new Set(ok.map((r) => r.body)).size).toBe(ok.length)
    // A conflict response carries no cookie: the client keeps the one it has.
    for (const conflict of conflicts) expect(conflict.cookies).toBeUndefined()
  })

  it('concurrent writes of different keys all succeed and all are kept (re-based, not overwritten)', async () => {
    const { id } = await seed({ seed: 1 })
    const writer = app(async (path, session) => {
      await session.get('seed') // load first, so every request starts from the same version
      await pause()
      await session.set(path.slice(1), 1)
      return { statusCode: 200 }
    })
    const keys = Array.from({ length: 8 }, (_, i) => `k${i}`)
    const responses = await Promise.all(keys.map((key) => send(writer, id, `/${key}`)))
    expect(responses.map((r) => r.statusCode)).toEqual(keys.map(() => 200))
    expect((await store.load(id))?.data).toEqual({ seed: 1, ...Object.fromEntries(keys.map((k) => [k, 1])) })
  })

  it('under heavy contention on different keys, every write is acknowledged and kept', async () => {
    const { id } = await seed({})
    const writer = app(async (path, session) => {
      await session.get('x')
      await session.set(path.slice(1), 1)
      return { statusCode: 200 }
    })
    const keys = Array.from({ length: 40 }, (_, i) => `key${i}`)
    const responses = await Promise.all(keys.map((key) => send(writer, id, `/${key}`)))
    const kept = (await store.load(id))?.data ?? {}
    responses.forEach((response, i) => {
      expect(response.statusCode).toBe(200)
      expect(kept[keys[i] ?? '']).toBe(1)
    })
  })

  // Forced, not timed: each request runs through its own fault proxy, and the later one's write is held
  // until the earlier one has answered; both loaded `cart: 1` first. Each order has its own outcome.
  const cartRoute: Route = async (session, path) => {
    await session.get('cart')
    if (path === 'delete') await session.delete('cart')
    else await session.set('cart', 2)
    return undefined
  }
  async function laterWriteHeld(firstPath: string, secondPath: string) {
    const { id } = await seed({ cart: 1 })
    const first = await actor(tableName, cartRoute)
    const second = await actor(tableName, cartRoute)
    const order = holdLaterWrite(first, second)
    try {
      const late = second.send(secondPath, id)
      const early = await first.send(firstPath, id)
      order.release()
      return { id, early, late: await late }
    } finally {
      await Promise.all([first.close(), second.close()])
    }
  }

  it('a key deleted by one request and then changed by another: the change is a 409, the session stays ended', async () => {
    const { id, early, late } = await laterWriteHeld('delete', 'change')
    expect(early.statusCode).toBe(200)
    expect(late.statusCode).toBe(409)
    expect(late.body).toMatch(/ended/)
    expect(await store.load(id)).toBeUndefined() // the delete emptied the session: it ended
  })

  it('a key changed by one request and then deleted by another: the delete is a 409, the change is kept', async () => {
    const { id, early, late } = await laterWriteHeld('change', 'delete')
    expect(early.statusCode).toBe(200)
    expect(late.statusCode).toBe(409)
    expect(late.body).toMatch(/same session key/)
    expect((await store.load(id))?.data).toEqual({ cart: 2 })
  })
})

describe('a request that empties the session', () => {
  it('does not delete it when another request added a key meanwhile: the other key survives', async () => {
    const { id } = await seed({ cart: 1 })
    const handler = app(async (_path, session) => {
      await session.get('cart')
      const current = await store.load(id) // another request adds a key meanwhile
      if (current) await store.save(changeOf(current, { flash: 1 }))
      await session.delete('cart')
      return { statusCode: 200 }
    })
    const response = await send(handler, id)
    expect(response.statusCode).toBe(200)
    expect((await store.load(id))?.data).toEqual({ flash: 1 })
  })
})

describe('logout racing saves', () => {
  it('a destroy() racing saving requests leaves the session destroyed', async () => {
    for (let round = 0; round < 3; round++) {
      const { id } = await seed({ cart: 0 })
      const handler = app(async (path, session) => {
        if (path === '/logout') {
          await pause()
          await session.destroy()
          return { statusCode: 204 }
        }
        const cart = ((await session.get('cart')) ?? 0) + 1
        await pause()
        await session.set('cart', cart)
        return { statusCode: 200 }
      })
      const requests = [
        ...Array.from({ length: 10 }, () => send(handler, id, '/add')),
        send(handler, id, '/logout'),
        ...Array.from({ length: 10 }, () => send(handler, id, '/add')),
      ]
      const responses = await Promise.all(requests)
      expect(responses[10]?.statusCode).toBe(204)
      expect(await store.load(id)).toBeUndefined()
      const raw = await new DynamoDBSessionStore({ client, tableName, now: () => 0 }).load(id)
      expect(raw).toBeUndefined() // not merely expired: gone
    }
  })
})
