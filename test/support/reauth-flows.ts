/**
 * Recent authentication (OWASP ASVS 7.5.1, 7.5.3) as a browser lives it, through the real middleware with
 * one test clock, on each store: the time of the last sign-in is stored with the session, kept by a
 * regenerate, and a route that requires a recent one answers 401 once it is older.
 */
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { dynamoSession, ReauthenticationRequiredError, type SessionStore } from '../../src/index.ts'
import { type TestClock, testClock } from '../../src/testing/index.ts'
import { browserFor } from './browser.ts'

type Data = { userId?: string; visits?: number }

/** A store on the clock `now` (epoch ms), fresh for one test. */
export type ReauthStoreFactory = (now: () => number) => Promise<SessionStore>

const FIVE_MINUTES = 300

/**
 * `/login` (regenerate, userId, record), `/reauth` (record only), `/visit` (counts), `/relogin` (regenerate
 * only), `/password` (needs 5 minutes), `/logout`.
 */
function app(store: SessionStore, clock: TestClock) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(dynamoSession<Data>({ store, now: clock.now }))
    .handler(async (event, context) => {
      const { session } = context
      try {
        switch (event.rawPath) {
          case '/login':
            await session.regenerate()
            await session.set('userId', 'ada')
            await session.recordAuthentication()
            break
          case '/relogin':
            await session.regenerate()
            break
          case '/reauth': // the password asked again: no new id, written in place
            await session.recordAuthentication()
            break
          case '/visit':
            await session.set('visits', ((await session.get('visits')) ?? 0) + 1)
            break
          case '/logout':
            await session.destroy()
            break
          case '/password':
            await session.requireRecentAuthentication(FIVE_MINUTES)
            return { statusCode: 200, body: 'password form' }
        }
        return { statusCode: 200, body: String(await session.authenticatedWithin(FIVE_MINUTES)) }
      } catch (error) {
        if (!(error instanceof ReauthenticationRequiredError)) throw error
        return { statusCode: error.statusCode, body: error.message }
      }
    })
}

/** Registers the recent-authentication suite for one store. */
export function reauthFlows(name: string, makeStore: ReauthStoreFactory): void {
  describe(`recent authentication, ${name}`, () => {
    async function browser() {
      const clock = testClock()
      const store = await makeStore(clock.now)
      const { jar, send: request } = browserFor(app(store, clock), clock.now)
      const send = async (path: string) => {
        const result = await request(path)
        return { status: result.statusCode, body: result.body }
      }
      return { clock, store, jar, send }
    }

    it('a route requiring a recent sign-in answers 200 within the window and 401 after it', async () => {
      const { clock, store, jar, send } = await browser()
      const start = Math.floor(clock.now() / 1000)
      expect((await send('/login')).body).toBe('true')
      expect((await store.load(jar.value as string))?.authenticatedAt).toBe(start)
      clock.advance({ seconds: FIVE_MINUTES })
      expect(await send('/password')).toEqual({ status: 200, body: 'password form' })
      clock.advance({ seconds: 1 })
      const refused = await send('/password')
      expect(refused.status).toBe(401)
      expect(refused.body).toMatch(/within the last 300 seconds/)
      expect((await send('/visit')).body).toBe('false') // the session itself goes on
      expect((await send('/reauth')).body).toBe('true') // asking for the password again renews it
      expect((await send('/password')).status).toBe(200)
      expect((await store.load(jar.value as string))?.authenticatedAt).toBe(start + FIVE_MINUTES + 1)
    })

    it('a session that never recorded a sign-in, or was logged out, has none', async () => {
      const { send } = await browser()
      expect((await send('/visit')).body).toBe('false')
      expect((await send('/password')).status).toBe(401)
      await send('/login')
      await send('/logout')
      expect((await send('/password')).status).toBe(401)
    })

    it('is kept by a regenerate and by writes that do not record one', async () => {
      const { clock, store, jar, send } = await browser()
      const start = Math.floor(clock.now() / 1000)
      await send('/login')
      clock.advance({ seconds: 60 })
      await send('/relogin')
      await send('/visit')
      expect((await store.load(jar.value as string))?.authenticatedAt).toBe(start)
      expect((await send('/password')).status).toBe(200)
    })
  })
}
