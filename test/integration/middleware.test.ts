import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { parseSetCookie } from 'cookie'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { generateSessionId } from '../../src/id.ts'
import {
  DynamoDBSessionStore,
  dynamoSession,
  Expiry,
  type SessionContext,
  SessionDataError,
  SessionTooLargeError,
} from '../../src/index.ts'
import { DEFAULT_STORE_PROPS } from '../../src/store/index.ts'
import { sessionKey } from '../../src/store/props.ts'
import { CookieJar, freshContext, type TestHandler, testApp } from '../support/app.ts'
import { countingClient, createTable, localClient } from '../support/dynamo.ts'
import { httpApiV2Event } from '../support/events.ts'
import { gate, WRITE_OPS } from '../support/fault-proxy.ts'
import { type Actor, actor, holdLaterWrite, type Route } from '../support/race.ts'

type Counter = { count: number }
const counter: TestHandler<Counter> = async (_event, context) => {
  const count = ((await context.session.get('count')) ?? 0) + 1
  await context.session.set('count', count)
  return { statusCode: 200, body: JSON.stringify({ count }) }
}
const peek: TestHandler<Counter> = async (_event, context) => ({
  statusCode: 200,
  body: JSON.stringify({ count: (await context.session.get('count')) ?? 0 }),
})
const untouched: TestHandler<Counter> = async () => ({ statusCode: 200, body: 'ok' })
const count = (response: { body?: string }) => JSON.parse(response.body ?? '{}').count

const rawClient = localClient()
afterAll(() => rawClient.destroy())

describe('a first visit', () => {
  it('that stores data costs one write and no read, and sets a secure cookie', async () => {
    const app = await testApp(counter)
    const { response, setCookies } = await app.request()
    expect(count(response)).toBe(1)
    expect(app.calls).toEqual(['PutItem'])
    expect(setCookies).toHaveLength(1)
    const [cookie] = setCookies
    expect(cookie).toMatchObject({ name: 'id', path: '/', httpOnly: true, secure: true, sameSite: 'lax' })
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(cookie?.maxAge).toBe(14 * 24 * 3600)
    // Expires and Max-Age agree: both count from the same instant.
    const issuedAt = (cookie?.expires?.getTime() ?? 0) / 1000 - (cookie?.maxAge ?? 0)
    expect(Math.abs(issuedAt - app.nowSeconds())).toBeLessThanOrEqual(1)
  })

  it('that only reads costs nothing and sets no cookie', async () => {
    const app = await testApp(peek)
    const { response, setCookies } = await app.request()
    expect(count(response)).toBe(0)
    expect(app.calls).toEqual([])
    expect(setCookies).toEqual([])
    expect(response.cookies).toBeUndefined()
  })

  it('that never touches the session costs nothing, even with a session cookie', async () => {
    const app = await testApp(untouched)
    const { setCookies } = await app.request(`id=${generateSessionId()}`)
    expect(app.calls).toEqual([])
    expect(setCookies).toEqual([])
  })

  it('whose handler sets and then deletes its only key stores nothing', async () => {
    const app = await testApp<Counter>(async (_e, context) => {
      await context.session.set('count', 1)
      await context.session.delete('count')
      return { statusCode: 204 }
    })
    const { setCookies } = await app.request()
    expect(app.calls).toEqual([])
    expect(setCookies).toEqual([])
  })
})

describe('a returning visit', () => {
  it('sees the same session and pays one read plus one write to change it', async () => {
    const app = await testApp(counter)
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    app.calls.length = 0
    const second = await app.request(jar.header())
    expect(count(second.response)).toBe(2)
    // The changed key only, in place, conditional on what was read.
    expect(app.calls).toEqual(['GetItem', 'UpdateItem'])
    // The rolled expiry goes back to the browser with the write that rolled it.
    expect(second.setCookies[0]).toMatchObject({ name: 'id', value: jar.value, maxAge: 14 * 24 * 3600 })
  })

  it('that only reads pays one read, no write and no cookie while no touch is due', async () => {
    const app = await testApp<Counter>(async (event, context) =>
      (event as { rawPath: string }).rawPath === '/api/peek' ? peek(event, context) : counter(event, context),
    )
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    app.calls.length = 0
    const { response, setCookies } = await app.request(jar.header(), { path: '/api/peek' })
    expect(count(response)).toBe(1)
    expect(app.calls).toEqual(['GetItem'])
    expect(setCookies).toEqual([])
  })

  it('touches a read-only session once per throttle window and re-sends the cookie with it', async () => {
    const app = await testApp(peek, { expiry: Expiry.onInactivity(3600), touchAfter: 600 })
    // Seed a session through the store the app uses.
    const store = new DynamoDBSessionStore({ client: app.client, tableName: app.tableName })
    const seeded = await store.create({ data: { count: 7 }, expiresAt: app.nowSeconds() + 3600 })
    const cookie = `id=${seeded.id}`
    app.calls.length = 0

    const early = await app.request(cookie)
    expect(count(early.response)).toBe(7)
    expect(app.calls).toEqual(['GetItem'])
    expect(early.setCookies).toEqual([])

    app.advance(599)
    app.calls.length = 0
    expect((await app.request(cookie)).setCookies).toEqual([])
    expect(app.calls).toEqual(['GetItem'])

    app.advance(2)
    app.calls.length = 0
    const due = await app.request(cookie)
    expect(app.calls).toEqual(['GetItem', 'UpdateItem'])
    expect(due.setCookies[0]).toMatchObject({ value: seeded.id, maxAge: 3600 })
    const item = await rawClient.send(
      new GetItemCommand({
        TableName: app.tableName,
        Key: sessionKey(store.props, seeded.id),
        ConsistentRead: true,
      }),
    )
    expect(item.Item?.expire_at?.N).toBe(String(app.nowSeconds() + 3600))
    expect(item.Item?.version?.N).toBe('1') // a touch rewrites neither data nor version

    app.calls.length = 0
    expect((await app.request(cookie)).setCookies).toEqual([]) // the window starts again
    expect(app.calls).toEqual(['GetItem'])
  })

  it('keeps the session alive across requests while active, and ends it after inactivity', async () => {
    const app = await testApp(counter, { expiry: Expiry.onInactivity(60) })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    for (let i = 0; i < 3; i++) {
      app.advance(50)
      const { response, setCookies } = await app.request(jar.header())
      jar.store(setCookies)
      expect(count(response)).toBe(i + 2)
    }
    const before = jar.value
    app.advance(61)
    const { response, setCookies } = await app.request(jar.header())
    expect(count(response)).toBe(1) // expired: a fresh session...
    expect(setCookies[0]?.value).not.toBe(before) // ...with a fresh id
  })
})

describe('ids the server did not issue are never adopted', () => {
  const cases: [
    string,
    (app: { nowSeconds(): number; client: unknown; tableName: string }) => Promise<string>,
  ][] = [
    ['an unknown id', async () => generateSessionId()],
    [
      'an expired id',
      async (app) => {
        const store = new DynamoDBSessionStore({ client: localClient(), tableName: app.tableName })
        return (await store.create({ data: { count: 41 }, expiresAt: app.nowSeconds() - 1 })).id
      },
    ],
  ]
  for (const [name, makeId] of cases) {
    it(`${name} gets a fresh session and a fresh id`, async () => {
      const app = await testApp(counter)
      const id = await makeId(app)
      app.calls.length = 0
      const { response, setCookies } = await app.request(`id=${id}`)
      expect(count(response)).toBe(1)
      expect(app.calls).toEqual(['GetItem', 'PutItem'])
      expect(setCookies[0]?.value).not.toBe(id)
    })
  }

  it('a malformed id never reaches DynamoDB', async () => {
    const app = await testApp(counter)
    for (const value of [
      'short',
      'SESSIONS::TOWER::x',
      `${generateSessionId()}x`,
      '%00',
      '"quoted"',
      'a'.repeat(5000),
    ]) {
      app.calls.length = 0
      const { setCookies } = await app.request(`id=${value}`)
      expect(app.calls).toEqual(['PutItem'])
      expect(setCookies[0]?.value).not.toBe(value)
    }
  })

  it('of several cookies named like the session, the first valid one wins', async () => {
    const app = await testApp(counter)
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    const { response } = await app.request(`id=garbage; ${jar.header()}; id=${generateSessionId()}`)
    expect(count(response)).toBe(2)
  })
})

describe('regenerate', () => {
  it('keeps the data under a new id and kills the old id at once', async () => {
    const app = await testApp<Counter & { user: string }>(async (event, context) => {
      if ((event as { rawPath: string }).rawPath === '/login') {
        await context.session.regenerate()
        await context.session.set('user', 'ada')
      }
      const n = ((await context.session.get('count')) ?? 0) + 1
      await context.session.set('count', n)
      return { statusCode: 200, body: JSON.stringify({ count: n, user: await context.session.get('user') }) }
    })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    const oldId = jar.value
    // Log in: a request to /login.
    const login = await (async () => {
      const wrapped = middy()
        .use(
          dynamoSession<Counter & { user: string }>({
            client: app.client,
            store: { tableName: app.tableName },
          }),
        )
        .handler(async (_event, context) => {
          await context.session.regenerate()
          await context.session.set('user', 'ada')
          return { statusCode: 200, body: JSON.stringify({ id: context.session.id }) }
        })
      const event = httpApiV2Event({ cookieHeader: jar.header() ?? '', path: '/login' })
      return (await wrapped(event, freshContext() as SessionContext<Counter & { user: string }>)) as {
        cookies?: string[]
      }
    })()
    const newId = login.cookies?.[0]?.split(';')[0]?.split('=')[1]
    expect(newId).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(newId).not.toBe(oldId)

    const withNew = await app.request(`id=${newId}`)
    expect(JSON.parse(withNew.response.body ?? '{}')).toEqual({ count: 2, user: 'ada' })
    const withOld = await app.request(`id=${oldId}`)
    expect(JSON.parse(withOld.response.body ?? '{}')).toEqual({ count: 1 }) // a stranger now
    const store = new DynamoDBSessionStore({ client: rawClient, tableName: app.tableName })
    expect(await store.load(oldId ?? '')).toBeUndefined()
  })

  it('on a new session is a no-op: it is created once with one id', async () => {
    const app = await testApp<Counter>(async (_e, context) => {
      await context.session.regenerate()
      await context.session.set('count', 1)
      return { statusCode: 200 }
    })
    const { setCookies } = await app.request()
    expect(app.calls).toEqual(['PutItem'])
    expect(setCookies).toHaveLength(1)
  })
})

describe('destroy', () => {
  it('deletes the item without reading it and expires the cookie', async () => {
    const app = await testApp<Counter>(async (event, context) => {
      if ((event as { requestContext: { http: { method: string } } }).requestContext.http.method === 'GET') {
        return counter(event, context)
      }
      await context.session.destroy()
      return { statusCode: 204 }
    })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    const id = jar.value ?? ''
    const wrapped = middy()
      .use(dynamoSession<Counter>({ client: app.client, store: { tableName: app.tableName } }))
      .handler(async (_event, context) => {
        await context.session.destroy()
        return { statusCode: 204 }
      })
    app.calls.length = 0
    const response = (await wrapped(
      httpApiV2Event({ cookieHeader: `id=${id}`, method: 'POST', path: '/reset' }),
      freshContext() as SessionContext<Counter>,
    )) as { cookies?: string[] }
    expect(app.calls).toEqual(['DeleteItem'])
    expect(response.cookies).toHaveLength(1)
    expect(response.cookies?.[0]).toMatch(/^id=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT/)
    const store = new DynamoDBSessionStore({ client: rawClient, tableName: app.tableName })
    expect(await store.load(id)).toBeUndefined()
    const again = await app.request(`id=${id}`)
    expect(count(again.response)).toBe(1)
  })

  it('then set starts a new session with a new id in the same request', async () => {
    const app = await testApp<Counter & { flash: string }>(async (_event, context) => {
      if (await context.session.has('count')) {
        await context.session.destroy()
        await context.session.set('flash', 'bye')
      } else {
        await context.session.set('count', 1)
      }
      return { statusCode: 200, body: JSON.stringify({ id: context.session.id }) }
    })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    const oldId = jar.value
    app.calls.length = 0
    const { setCookies } = await app.request(jar.header())
    expect(app.calls).toEqual(['GetItem', 'DeleteItem', 'PutItem'])
    expect(setCookies).toHaveLength(1) // only the new cookie: no clearing cookie beside it
    expect(setCookies[0]?.value).not.toBe(oldId)
    expect(setCookies[0]?.maxAge).toBeGreaterThan(0)
  })

  it('without a cookie does nothing at all', async () => {
    const app = await testApp<Counter>(async (_event, context) => {
      await context.session.destroy()
      return { statusCode: 204 }
    })
    const { setCookies } = await app.request()
    expect(app.calls).toEqual([])
    expect(setCookies).toEqual([])
  })
})

describe('clear', () => {
  it('deletes a stored session left empty and expires its cookie', async () => {
    const app = await testApp<Counter>(async (event, context) => {
      if ((event as { rawPath: string }).rawPath === '/api/count') return counter(event, context)
      return { statusCode: 500 }
    })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    const wrapped = middy()
      .use(dynamoSession<Counter>({ client: app.client, store: { tableName: app.tableName } }))
      .handler(async (_event, context) => {
        await context.session.clear()
        return { statusCode: 204 }
      })
    app.calls.length = 0
    const response = (await wrapped(
      httpApiV2Event({ cookieHeader: jar.header() ?? '' }),
      freshContext() as SessionContext<Counter>,
    )) as { cookies?: string[] }
    expect(app.calls).toEqual(['GetItem', 'DeleteItem'])
    expect(response.cookies?.[0]).toMatch(/^id=; Max-Age=0/)
  })
})

describe('expiry policies', () => {
  it('onSessionEnd: a cookie without Max-Age or Expires, an item that still expires server-side', async () => {
    const app = await testApp(counter, { expiry: Expiry.onSessionEnd(3600) })
    const { setCookies } = await app.request()
    expect(setCookies[0]?.maxAge).toBeUndefined()
    expect(setCookies[0]?.expires).toBeUndefined()
    const store = new DynamoDBSessionStore({ client: rawClient, tableName: app.tableName })
    const record = await store.load(setCookies[0]?.value ?? '')
    expect(record?.expiresAt).toBe(app.nowSeconds() + 3600)
    // A later write moves the server-side expiry, but the cookie does not change: none is sent.
    app.advance(100)
    const second = await app.request(`id=${setCookies[0]?.value}`)
    expect(count(second.response)).toBe(2)
    expect(second.setCookies).toEqual([])
    expect((await store.load(setCookies[0]?.value ?? ''))?.expiresAt).toBe(app.nowSeconds() + 3600)
  })

  it('atDateTime: a fixed expiry that activity does not move', async () => {
    const at = new Date(Date.now() + 2 * 3600 * 1000)
    const app = await testApp(counter, { expiry: Expiry.atDateTime(at) })
    const first = await app.request()
    const atSeconds = Math.floor(at.getTime() / 1000)
    expect(first.setCookies[0]?.expires?.getTime()).toBe(atSeconds * 1000)
    app.advance(600)
    const second = await app.request(`id=${first.setCookies[0]?.value}`)
    expect(count(second.response)).toBe(2)
    expect(second.setCookies).toEqual([]) // the cookie's expiry did not move
    app.advance(2 * 3600)
    // Past the date: the session is gone, and no new one can be stored under that policy any more.
    await expect(app.request(`id=${first.setCookies[0]?.value}`)).rejects.toBeInstanceOf(SessionDataError)
    expect(app.calls.filter((call) => call !== 'GetItem').length).toBeLessThanOrEqual(2)
  })

  it('setExpiry: a per-session "remember me" that later requests keep', async () => {
    type Data = Counter & { remember: boolean }
    const app = await testApp<Data>(async (event, context) => {
      if ((event as { rawPath: string }).rawPath === '/remember') {
        await context.session.setExpiry(Expiry.onInactivity(30 * 86400))
      }
      return counter(event, context as never)
    })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    const wrapped = middy()
      .use(
        dynamoSession<Data>({
          client: app.client,
          store: { tableName: app.tableName },
          now: () => Date.now(),
        }),
      )
      .handler(async (_event, context) => {
        await context.session.setExpiry(Expiry.onInactivity(30 * 86400))
        return { statusCode: 204 }
      })
    const remembered = (await wrapped(
      httpApiV2Event({ cookieHeader: jar.header() ?? '' }),
      freshContext() as SessionContext<Data>,
    )) as { cookies?: string[] }
    expect(remembered.cookies?.[0]).toContain('Max-Age=2592000')
    // The default is two weeks, but this session keeps its own policy on the next write.
    const next = await app.request(jar.header())
    expect(count(next.response)).toBe(2)
    expect(next.setCookies[0]?.maxAge).toBe(30 * 86400)
  })

  it('setExpiry to a date already past is refused with SessionDataError, and the session is unchanged', async () => {
    const app = await testApp<Counter>(async (event, context) => {
      if (await context.session.has('count')) {
        await context.session.setExpiry(Expiry.atDateTime(Date.now() - 1000))
        return { statusCode: 204 }
      }
      return counter(event, context)
    })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    const id = jar.value ?? ''
    await expect(app.request(jar.header())).rejects.toBeInstanceOf(SessionDataError)
    expect(
      (await new DynamoDBSessionStore({ client: rawClient, tableName: app.tableName }).load(id))?.data,
    ).toEqual({ count: 1 })
  })
})

describe('errors', () => {
  it('saves nothing when the handler throws, by default', async () => {
    const app = await testApp<Counter>(async (_e, context) => {
      await context.session.set('count', 1)
      throw new Error('boom')
    })
    await expect(app.request()).rejects.toThrow('boom')
    expect(app.calls).toEqual([])
  })

  it('saves anyway with saveOnError, and gives the error response its cookie', async () => {
    const { client, calls } = countingClient()
    const tableName = await createTable(client)
    calls.length = 0
    const wrapped = middy()
      .use(dynamoSession<Counter>({ client, store: { tableName }, saveOnError: true }))
      .use({
        onError: (request) => {
          request.response = { statusCode: 500, body: 'sorry' }
        },
      })
      .handler(async (_e, context) => {
        await context.session.set('count', 5)
        throw new Error('boom')
      })
    const response = (await wrapped(httpApiV2Event(), freshContext() as SessionContext<Counter>)) as {
      statusCode: number
      body?: string
      cookies?: string[]
    }
    // The session was created (one write) although the handler threw.
    expect(calls).toEqual(['PutItem'])
    expect(response).toMatchObject({ statusCode: 500, body: 'sorry' })
    // The error response carries the cookie of that session, and only it.
    expect(response.cookies).toHaveLength(1)
    const cookie = parseSetCookie(response.cookies?.[0] ?? '')
    expect(cookie).toMatchObject({ name: 'id', maxAge: 14 * 24 * 3600, httpOnly: true, secure: true })
    const record = await new DynamoDBSessionStore({ client: rawClient, tableName }).load(cookie.value ?? '')
    expect(record?.data).toEqual({ count: 5 })
    client.destroy()
  })

  it('refuses a session over 400 KB with SessionTooLargeError and keeps the stored one', async () => {
    type Data = Counter & { blob: string }
    const app = await testApp<Data>(async (event, context) => {
      if (await context.session.has('count')) await context.session.set('blob', 'x'.repeat(410 * 1024))
      return counter(event, context as never)
    })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    await expect(app.request(jar.header())).rejects.toBeInstanceOf(SessionTooLargeError)
    const record = await new DynamoDBSessionStore({ client: rawClient, tableName: app.tableName }).load(
      jar.value ?? '',
    )
    expect(record?.data).toEqual({ count: 1 })
  })

  it('a set() of a value that is not JSON fails in the handler, before any I/O', async () => {
    const app = await testApp<{ when: unknown }>(async (_e, context) => {
      await context.session.set('when', new Date())
      return { statusCode: 200 }
    })
    await expect(app.request()).rejects.toThrow(/cannot be stored/)
    expect(app.calls).toEqual([])
  })
})

describe('concurrent requests on one session', () => {
  // Each request runs through a fault proxy that holds its write: the interleavings are forced, not timed.
  const setPathKey: Route = async (session, path) => {
    await session.get(path)
    await session.set(path, 1)
    return undefined
  }
  const increment: Route = async (session) => {
    const n = (((await session.get('count')) as number | undefined) ?? 0) + 1
    await session.set('count', n)
    return { statusCode: 200, body: String(n) }
  }
  const actors: Actor[] = []
  afterEach(async () => {
    await Promise.all(actors.splice(0).map((a) => a.close()))
  })
  async function seeded(data: Record<string, number>) {
    const tableName = await createTable(rawClient, { ttl: false })
    const store = new DynamoDBSessionStore({ client: rawClient, tableName })
    const { id } = await store.create({ data, expiresAt: Math.floor(Date.now() / 1000) + 3600 })
    return { tableName, id, stored: async () => (await store.load(id))?.data }
  }

  it('keep both changes when they touch different keys', async () => {
    const session = await seeded({ seed: 0 })
    const lambda = await actor(session.tableName, setPathKey)
    actors.push(lambda)
    // No write goes on before all four requests have read the session and sent their write.
    const allWriting = gate()
    let writing = 0
    lambda.proxy.intercept(async ({ op }) => {
      if (!WRITE_OPS.has(op)) return undefined
      if (++writing === 4) allWriting.open()
      await allWriting.opened
      return 'forward'
    })
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((key) => lambda.send(key, session.id)))
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200])
    expect(await session.stored()).toEqual({ seed: 0, a: 1, b: 1, c: 1, d: 1 })
  })

  it('fail with SessionConflictError when they change the same key, and never lose an acknowledged write', async () => {
    const session = await seeded({ count: 0 })
    const first = await actor(session.tableName, increment)
    const second = await actor(session.tableName, increment)
    actors.push(first, second)
    // Both read count 0; the first writes once the second is about to write, the second once the first has answered.
    const order = holdLaterWrite(first, second)
    const late = second.send('incr', session.id)
    const early = await first.send('incr', session.id)
    order.release()
    const conflicted = await late
    expect(early).toMatchObject({ statusCode: 200, body: '1' })
    // SessionConflictError, which http-error-handler turns into a 409.
    expect(conflicted.statusCode).toBe(409)
    expect(conflicted.body).toMatch(/same session key/)
    expect(await session.stored()).toEqual({ count: 1 })
  })
})

describe('the session object', () => {
  it('exposes id only once the session is known to be stored, and copies values out', async () => {
    const seen: unknown[] = []
    const app = await testApp<{ list: number[] }>(async (_e, context) => {
      seen.push(context.session.id)
      const list = (await context.session.get('list')) ?? []
      seen.push(context.session.id)
      list.push(list.length)
      // Mutating a value without set() changes nothing stored.
      const copy = (await context.session.get('list')) ?? []
      copy.push(99)
      await context.session.set('list', list)
      return { statusCode: 200 }
    })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    expect(seen).toEqual([undefined, undefined])
    seen.length = 0
    await app.request(jar.header())
    expect(seen).toEqual([undefined, jar.value])
    const record = await new DynamoDBSessionStore({ client: rawClient, tableName: app.tableName }).load(
      jar.value ?? '',
    )
    expect(record?.data).toEqual({ list: [0, 1] })
  })

  it('uses the default props of the Rust crate when given only a table name', async () => {
    const app = await testApp(counter)
    const { setCookies } = await app.request()
    const id = setCookies[0]?.value ?? ''
    const item = await rawClient.send(
      new GetItemCommand({
        TableName: app.tableName,
        Key: sessionKey(DEFAULT_STORE_PROPS, id),
        ConsistentRead: true,
      }),
    )
    expect(Object.keys(item.Item ?? {}).sort()).toEqual([
      'created_at',
      'data',
      'expire_at',
      'session_id',
      'version',
      'write_tokens',
    ])
    expect(item.Item?.session_id?.S).toBe(`SESSIONS::TOWER::${id}`)
  })

  it('counts a corrupted item as no session and reports it without the id', async () => {
    const warnings: unknown[] = []
    const app = await testApp(counter, { logger: { warn: (...a) => warnings.push(a), error: () => {} } })
    const id = generateSessionId()
    await rawClient.send(
      new PutItemCommand({
        TableName: app.tableName,
        Item: { ...sessionKey(DEFAULT_STORE_PROPS, id), expire_at: { S: 'tomorrow' }, data: { M: {} } },
      }),
    )
    const { response, setCookies } = await app.request(`id=${id}`)
    expect(count(response)).toBe(1)
    expect(setCookies[0]?.value).not.toBe(id)
    expect(warnings).toHaveLength(1)
    expect(JSON.stringify(warnings)).not.toContain(id)
  })
})
