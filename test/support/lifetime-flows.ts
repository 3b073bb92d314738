/**
 * An absolute lifetime (`maxLifetime`, OWASP ASVS 7.3.2) as a browser lives it, through the real
 * middleware with one test clock: one suite, run on each store (DynamoDB Local, and the test kit's
 * MemoryStore), so both end a session at its deadline however active it is.
 */
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { dynamoSession, Expiry, type SessionStore } from '../../src/index.ts'
import { CookieJar, type TestClock, testClock } from '../../src/testing/index.ts'
import { browserFor } from './browser.ts'

type Data = { visits?: number }

/** A store on the clock `now` (epoch ms), fresh for one test (a second call gives a store on the same table). */
export type LifetimeStoreFactory = (now: () => number) => Promise<SessionStore>

const HOUR = 3600
const IDLE = 1800

/** `/visit` counts, `/read` only reads, `/login` regenerates and counts. */
function app(store: SessionStore, clock: TestClock, maxLifetime = HOUR) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(
      dynamoSession<Data>({
        store,
        now: clock.now,
        expiry: Expiry.onInactivity(IDLE),
        touchAfter: 0,
        maxLifetime,
      }),
    )
    .handler(async (event, context) => {
      const { session } = context
      if (event.rawPath === '/login') await session.regenerate()
      if (event.rawPath === '/read')
        return { statusCode: 200, body: String((await session.get('visits')) ?? 0) }
      const visits = ((await session.get('visits')) ?? 0) + 1
      await session.set('visits', visits)
      return { statusCode: 200, body: String(visits) }
    })
}

function browser(handler: ReturnType<typeof app>, clock: TestClock, jar = new CookieJar({ now: clock.now })) {
  const { send } = browserFor(handler, clock.now, jar)
  return {
    jar,
    async send(path: string) {
      const result = await send(path)
      const maxAge = /Max-Age=(\d+)/.exec(result.cookies?.[0] ?? '')?.[1]
      return { body: result.body, maxAge: maxAge === undefined ? undefined : Number(maxAge) }
    },
  }
}

/** Registers the lifetime suite for one store. */
export function lifetimeFlows(name: string, makeStore: LifetimeStoreFactory): void {
  describe(`an absolute lifetime (maxLifetime), ${name}`, () => {
    it('a session used every minute still ends at its absolute deadline, and its cookie says so', async () => {
      const clock = testClock()
      const store = await makeStore(clock.now)
      const { jar, send } = browser(app(store, clock), clock)
      const start = Math.floor(clock.now() / 1000)
      expect((await send('/visit')).body).toBe('1')
      const id = jar.value
      for (let minute = 1; minute < 60; minute++) {
        clock.advance({ seconds: 60 })
        const reply = await send(minute % 2 === 0 ? '/visit' : '/read')
        const now = Math.floor(clock.now() / 1000)
        const stored = await store.load(id as string)
        expect(stored?.expiresAt, `minute ${minute}`).toBeLessThanOrEqual(start + HOUR)
        expect(stored?.createdAt).toBe(start)
        if (reply.maxAge !== undefined) expect(reply.maxAge).toBeLessThanOrEqual(start + HOUR - now)
      }
      expect(jar.value).toBe(id) // the same session all along
      clock.advance({ seconds: 60 }) // the deadline: an hour after the first visit
      expect(await store.load(id as string)).toBeUndefined()
      expect((await send('/visit')).body).toBe('1') // a new session
      expect(jar.value).not.toBe(id)
    })

    it('a touch never moves the expiry past the deadline; a session at it is not touched at all', async () => {
      const clock = testClock()
      const store = await makeStore(clock.now)
      const touches: number[] = []
      const touch = store.touch.bind(store)
      store.touch = (base, expiresAt) => {
        touches.push(expiresAt)
        return touch(base, expiresAt)
      }
      const { jar, send } = browser(app(store, clock), clock)
      const start = Math.floor(clock.now() / 1000)
      await send('/visit')
      clock.advance({ seconds: 1500 })
      expect((await send('/read')).maxAge).toBe(IDLE) // a touch within the lifetime: the whole idle window
      clock.advance({ seconds: 1500 }) // the idle window would end at 4800: the deadline is 3600
      expect((await send('/read')).maxAge).toBe(HOUR - 3000)
      expect(touches).toEqual([start + 1500 + IDLE, start + HOUR])
      expect((await store.load(jar.value as string))?.expiresAt).toBe(start + HOUR)
      clock.advance({ seconds: 100 })
      expect((await send('/read')).body).toBe('1')
      expect(touches).toHaveLength(2) // nothing to move: no write
    })

    it('regenerate() (a login) starts a new lifetime; the old id ends at once', async () => {
      const clock = testClock()
      const store = await makeStore(clock.now)
      const { jar, send } = browser(app(store, clock), clock)
      await send('/visit')
      const before = jar.value
      clock.advance({ seconds: 1500 })
      await send('/visit')
      clock.advance({ seconds: 1500 })
      const login = await send('/login')
      expect(login.body).toBe('3')
      expect(login.maxAge).toBe(IDLE) // a full idle window: the new lifetime has an hour left
      expect(jar.value).not.toBe(before)
      expect(await store.load(before as string)).toBeUndefined()
      for (let i = 0; i < 5; i++) {
        clock.advance({ seconds: 600 }) // up to 3000 s after the login, past the first lifetime's end
        expect((await send('/visit')).body).toBe(String(4 + i))
      }
      clock.advance({ seconds: 600 }) // an hour after the login
      expect((await send('/visit')).body).toBe('1')
    })

    it('a lifetime shortened since a session was written ends it at once', async () => {
      const clock = testClock()
      const store = await makeStore(clock.now)
      const jar = new CookieJar({ now: clock.now })
      await browser(app(store, clock, HOUR), clock, jar).send('/visit')
      clock.advance({ seconds: 700 })
      const shorter = browser(app(store, clock, 600), clock, jar)
      expect((await shorter.send('/read')).body).toBe('0') // past 600 s: no session
      expect((await shorter.send('/visit')).body).toBe('1')
    })

    it('without maxLifetime, a session used every minute lives on (the default is unchanged)', async () => {
      const clock = testClock()
      const store = await makeStore(clock.now)
      const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
        .use(dynamoSession<Data>({ store, now: clock.now, expiry: Expiry.onInactivity(IDLE), touchAfter: 0 }))
        .handler(async (_event, context) => {
          const visits = ((await context.session.get('visits')) ?? 0) + 1
          await context.session.set('visits', visits)
          return { statusCode: 200, body: String(visits) }
        })
      const { send } = browser(handler as never, clock)
      for (let minute = 0; minute < 130; minute += 10) {
        expect((await send('/visit')).body).toBe(String(minute / 10 + 1))
        clock.advance({ seconds: 600 })
      }
    })
  })
}
