/**
 * The testing subpath against DynamoDB Local: the counter example through every front door, driven only
 * by `httpEvent`, a `CookieJar` and a `testClock`, as a user would test their own handler.
 *
 * - The exported `handler` of examples/counter: a first visit, then a return visit with the jar.
 * - The counter's routes wired with `now: clock.now`: moving the clock shows the touch throttle, a
 *   rolling expiry, and expiry both in the jar and on the server.
 */
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { readCounterRequest, routeCounter } from '../../examples/counter/routes.ts'
import { createLambdaContext } from '../../scripts/http-to-lambda.ts'
import { dynamoSession } from '../../src/index.ts'
import {
  CookieJar,
  FRONT_DOORS,
  httpEvent,
  type KnownFrontDoor,
  readSetCookies,
  type TestClock,
  testClock,
} from '../../src/testing/index.ts'
import { loadCounter } from '../support/app.ts'
import { createTable, localClient } from '../support/dynamo.ts'

type Handler = (event: unknown, context: Context) => Promise<{ statusCode: number; body: string }>

const client = localClient()
let tableName: string
let counter: Handler

beforeAll(async () => {
  tableName = await createTable(client)
  counter = (await loadCounter(tableName)) as Handler
})

afterAll(() => {
  vi.unstubAllEnvs()
  client.destroy()
})

function context(): Context {
  return createLambdaContext({ functionName: 'CounterFunction', timeoutMs: 10_000 })
}

/** A browser: its jar, and one request through `door` that feeds the jar from the response. */
function browser(handler: Handler, door: KnownFrontDoor, clock?: TestClock) {
  const jar = new CookieJar(clock ? { now: clock.now } : {})
  const request = async (method: string, path: string) => {
    const event = httpEvent(door, { method, path, jar, time: clock?.now() })
    const result = await handler(event, context())
    const setCookies = jar.takeFrom(result, event)
    return { statusCode: result.statusCode, body: result.body, setCookies }
  }
  return {
    jar,
    request,
    count: async (path = '/api/count') => JSON.parse((await request('GET', path)).body).count,
  }
}

describe.each(FRONT_DOORS)('examples/counter behind %s, driven by httpEvent and a CookieJar', (door) => {
  it('a first visit gets the session cookie; the return visit with the jar counts on', async () => {
    const { jar, request } = browser(counter, door)
    const first = await request('GET', '/api/count')
    expect([first.statusCode, JSON.parse(first.body)]).toEqual([200, { count: 1 }])
    expect(first.setCookies).toHaveLength(1)
    expect(first.setCookies[0]).toMatch(
      /^id=[\w-]{32}; Max-Age=1209600; Path=\/; Expires=\w{3}, [^;]+ GMT; HttpOnly; SameSite=Lax$/,
    )
    const id = jar.value

    const again = await request('GET', '/api/count')
    expect(JSON.parse(again.body)).toEqual({ count: 2 })
    expect(jar.value).toBe(id)
    expect((await request('GET', '/')).body).toContain('<span id="count">3</span>')
  })

  it('POST /reset expires the cookie in the jar; the next visit starts again at 1', async () => {
    const { jar, request, count } = browser(counter, door)
    expect(await count()).toBe(1)
    expect(await count()).toBe(2)
    const reset = await request('POST', '/reset')
    expect(reset.setCookies).toEqual([expect.stringMatching(/^id=; Max-Age=0;/)])
    expect(jar.header()).toBeUndefined()
    expect(await count()).toBe(1)
  })
})

/** The counter's routes, with the middleware on the test clock (the exported handler uses the real one). */
function counterOn(clock: TestClock): Handler {
  return middy()
    .use(
      dynamoSession<{ count: number }>({
        client,
        store: { tableName },
        cookie: { secure: false },
        now: clock.now,
      }),
    )
    .handler(async (event, context) =>
      routeCounter(readCounterRequest(event), context.session),
    ) as unknown as Handler
}

describe.each(FRONT_DOORS)('the counter on a test clock behind %s', (door) => {
  it('touches an only-read session once the throttle allows (one hour), re-sending the cookie with it', async () => {
    const clock = testClock()
    const { request, count } = browser(counterOn(clock), door, clock)
    expect(await count()).toBe(1)
    clock.advance({ minutes: 59 })
    const early = await request('GET', '/api/peek')
    expect([JSON.parse(early.body), early.setCookies]).toEqual([{ count: 1 }, []])
    clock.advance({ minutes: 1 })
    const due = await request('GET', '/api/peek')
    expect(JSON.parse(due.body)).toEqual({ count: 1 })
    expect(due.setCookies).toEqual([expect.stringMatching(/^id=[\w-]{32}; Max-Age=1209600;/)])
  })

  it('keeps a session alive while it is used, and expires it 14 idle days later, in the jar and on the server', async () => {
    const clock = testClock()
    const handler = counterOn(clock)
    const { jar, count } = browser(handler, door, clock)
    expect(await count()).toBe(1)
    const id = jar.value
    clock.advance({ days: 13 })
    expect(await count()).toBe(2) // the write rolls the expiry forward
    clock.advance({ days: 13 })
    expect(await count()).toBe(3) // 26 days after it began, 13 after its last use
    expect(jar.value).toBe(id)

    clock.advance({ days: 14, seconds: 1 })
    expect(jar.header()).toBeUndefined() // the browser dropped the cookie
    // A client that kept the old cookie anyway gets no session from it: expiry is checked on read.
    const stale = httpEvent(door, { path: '/api/peek', cookie: `id=${id}`, time: clock.now() })
    const staleResult = await handler(stale, context())
    expect([JSON.parse(staleResult.body), readSetCookies(staleResult, stale)]).toEqual([{ count: 0 }, []])

    expect(await count()).toBe(1)
    expect(jar.value).not.toBe(id)
  })
})
