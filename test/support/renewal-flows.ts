/**
 * Id renewal (the middleware's `renewal`; the Cheat Sheet's renewal timeout) as browsers live it, through
 * the real middleware on one test clock: one suite, run on each store (DynamoDB Local, and the test kit's
 * MemoryStore). A second jar holding the old cookie plays the request that raced the renewal; the forced
 * interleavings at the proxy are test/integration/renewal-races.test.ts's.
 */
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { dynamoSession, Expiry, type SessionEvent, type SessionStore } from '../../src/index.ts'
import { CookieJar, type TestClock, testClock } from '../../src/testing/index.ts'
import { browserFor } from './browser.ts'

type Data = { visits?: number; note?: string }

/** A store with the users' feature on the clock `now` (epoch ms), fresh for one test. */
export type RenewalStoreFactory = (now: () => number) => Promise<SessionStore>

const EVERY = 600
const GRACE = 30
const IDLE = 3600

/**
 * `/visit` counts, `/read` reads, `/note/<text>` sets a note, `/login/<user>` regenerates, records the
 * authentication and binds; `/logout` destroys; `/devices` lists the user's sessions.
 */
function app(store: SessionStore, clock: TestClock, events: SessionEvent[], maxLifetime?: number) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(
      dynamoSession<Data>({
        store,
        now: clock.now,
        expiry: Expiry.onInactivity(IDLE),
        renewal: { every: EVERY, grace: GRACE },
        maxLifetime,
        audit: { onEvent: (event) => void events.push(event), key: 'k'.repeat(32) },
      }),
    )
    .handler(async (event, context) => {
      const { session } = context
      const [, verb, arg = ''] = event.rawPath.split('/')
      if (verb === 'login') {
        await session.regenerate()
        await session.recordAuthentication()
        await session.bindUser(arg)
      }
      if (verb === 'logout') {
        if (arg === 'after-read') await session.get('visits') // the old id names no live session by now
        await session.destroy()
        return { statusCode: 204 }
      }
      if (verb === 'devices') {
        const { sessions } = await session.listUserSessions()
        return { statusCode: 200, body: JSON.stringify(sessions.map((s) => s.current)) }
      }
      if (verb === 'note') await session.set('note', arg)
      if (verb === 'visit' || verb === 'login')
        await session.set('visits', ((await session.get('visits')) ?? 0) + 1)
      return {
        statusCode: 200,
        body: JSON.stringify({ visits: (await session.get('visits')) ?? 0, note: await session.get('note') }),
      }
    })
}

async function setup(makeStore: RenewalStoreFactory, maxLifetime?: number) {
  const clock = testClock()
  const store = await makeStore(clock.now)
  const events: SessionEvent[] = []
  const handler = app(store, clock, events, maxLifetime)
  const start = Math.floor(clock.now() / 1000)
  /** A browser (or a request still holding `id` as its cookie). */
  const browser = (id?: string) => {
    const jar = new CookieJar({ now: clock.now })
    if (id) jar.store(`id=${id}`)
    const { send } = browserFor(handler, clock.now, jar)
    return {
      jar,
      async send(path: string) {
        const result = await send(path)
        return {
          status: result.statusCode,
          body: JSON.parse(result.body || 'null'),
          set: result.cookies?.length ?? 0,
        }
      },
    }
  }
  return { clock, store, events, browser, start }
}

/** Registers the renewal suite for one store (with the users' feature). */
export function renewalFlows(name: string, makeStore: RenewalStoreFactory): void {
  describe(`id renewal, ${name}`, () => {
    it('renews the id once it is `every` seconds old, keeping data, lifetime and authentication', async () => {
      const { clock, store, events, browser, start } = await setup(makeStore)
      const tab = browser()
      await tab.send('/login/u-1') // created, regenerated, authenticated
      const first = tab.jar.value as string
      clock.advance({ seconds: EVERY - 1 })
      expect((await tab.send('/visit')).body.visits).toBe(2)
      expect(tab.jar.value).toBe(first) // not yet due
      clock.advance({ seconds: 1 })
      events.length = 0
      const due = await tab.send('/read') // a read alone renews: the touch becomes the renewal
      expect(due.body.visits).toBe(2)
      expect(due.set).toBe(1)
      const renewed = tab.jar.value as string
      expect(renewed).not.toBe(first)
      const record = await store.load(renewed)
      expect(record).toMatchObject({
        id: renewed,
        createdAt: start,
        authenticatedAt: start,
        renewedAt: start + EVERY,
      })
      expect(record?.user?.userId).toBe('u-1')
      expect(events.map((e) => e.type)).toEqual(['loaded', 'renewed'])
      // The next renewal counts from this one.
      clock.advance({ seconds: EVERY - 1 })
      await tab.send('/visit')
      expect(tab.jar.value).toBe(renewed)
      clock.advance({ seconds: 1 })
      await tab.send('/visit') // a write renews too, in the same transaction
      expect(tab.jar.value).not.toBe(renewed)
      expect((await store.load(tab.jar.value as string))?.data).toEqual({ visits: 4 })
    })

    it('a request still carrying the old cookie works inside the grace window (and gets the new cookie), not after', async () => {
      const { clock, store, browser } = await setup(makeStore)
      const tab = browser()
      await tab.send('/visit')
      const old = tab.jar.value as string
      clock.advance({ seconds: EVERY })
      await tab.send('/visit') // renews
      const renewed = tab.jar.value as string
      clock.advance({ seconds: GRACE - 1 })
      const racing = browser(old)
      const reply = await racing.send('/note/late')
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({ visits: 2, note: 'late' })
      expect(racing.jar.value).toBe(renewed) // converges on the renewed id
      expect((await store.load(renewed))?.data).toEqual({ visits: 2, note: 'late' })
      expect((await store.load(old))?.id).toBe(renewed) // the old id reaches it, for now
      clock.advance({ seconds: 1 }) // the window has closed
      expect(await store.load(old)).toBeUndefined()
      const stale = browser(old)
      expect((await stale.send('/read')).body).toEqual({ visits: 0 }) // a fresh session, nothing stored
      expect(stale.jar.value).toBe(old) // no cookie sent for an empty session: the browser keeps its stale one
      expect((await tab.send('/read')).body).toEqual({ visits: 2, note: 'late' }) // the renewed one lives on
    })

    it('regenerate() (a login) with renewal on still ends the old id at once, with no grace', async () => {
      const { clock, store, browser } = await setup(makeStore)
      const tab = browser()
      await tab.send('/visit')
      const before = tab.jar.value as string
      clock.advance({ seconds: 5 })
      await tab.send('/login/u-2')
      expect(await store.load(before)).toBeUndefined()
      expect((await browser(before).send('/read')).body).toEqual({ visits: 0 })
      // And a renewal's grace never revives what a login left behind: renew, then log in again.
      clock.advance({ seconds: EVERY })
      await tab.send('/visit')
      const renewedOld = tab.jar.value as string
      clock.advance({ seconds: 5 })
      await tab.send('/login/u-2')
      expect(await store.load(renewedOld)).toBeUndefined()
      expect((await browser(renewedOld).send('/read')).body).toEqual({ visits: 0 })
    })

    it('a logout with the old cookie, inside the window or after it, ends the renewed session', async () => {
      for (const [wait, logout] of [
        [GRACE - 1, '/logout'],
        [GRACE + 60, '/logout'],
        [GRACE - 1, '/logout/after-read'],
        [GRACE + 60, '/logout/after-read'],
      ] as const) {
        const { clock, store, browser } = await setup(makeStore)
        const tab = browser()
        await tab.send('/visit')
        const old = tab.jar.value as string
        clock.advance({ seconds: EVERY })
        await tab.send('/visit')
        const renewed = tab.jar.value as string
        clock.advance({ seconds: wait })
        const other = browser(old)
        expect((await other.send(logout)).status).toBe(204)
        expect(other.jar.value).toBeUndefined()
        expect(await store.load(renewed), `${logout} ${wait} s after the renewal`).toBeUndefined()
        expect((await tab.send('/read')).body).toEqual({ visits: 0 })
      }
    })

    it('renewals never pass the absolute lifetime: a renewed session ends at its first deadline', async () => {
      const lifetime = 3 * EVERY
      const { clock, browser } = await setup(makeStore, lifetime)
      const tab = browser()
      await tab.send('/visit')
      const ids = new Set([tab.jar.value])
      for (let t = 60; t < lifetime; t += 60) {
        clock.advance({ seconds: 60 })
        await tab.send('/visit')
        ids.add(tab.jar.value)
      }
      expect(ids.size).toBe(3) // created, renewed at 600 and 1200
      clock.advance({ seconds: 60 })
      expect((await tab.send('/visit')).body.visits).toBe(1) // the deadline: a new session
    })

    it("a bound session's renewal moves it in its user's list: one session, the current one", async () => {
      const { clock, store, browser } = await setup(makeStore)
      const tab = browser()
      await tab.send('/login/u-3')
      clock.advance({ seconds: EVERY })
      await tab.send('/visit')
      const renewed = tab.jar.value as string
      expect((await store.load(renewed))?.user?.userId).toBe('u-3')
      const users = store.users
      const page = await users?.list('u-3')
      expect(page?.sessions).toHaveLength(1)
      expect((await tab.send('/devices')).body).toEqual([true])
    })
  })
}
