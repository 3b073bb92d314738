/**
 * A user's sessions as a handler sees them (`bindUser`, `user`, `listUserSessions`, `endUserSession`,
 * `endAllUserSessions`), through the real middleware with browsers keeping cookies and one test clock: one
 * suite, run on each store (DynamoDB Local, and the MemoryStore of the test kit), so the flows a user
 * follows cannot drift apart between them. What the store does on its own is the user contract's
 * (./user-contract.ts); races and what DynamoDB is sent are test/integration/user-sessions.test.ts's.
 */
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import {
  dynamoSession,
  Expiry,
  type SessionContext,
  SessionDataError,
  SessionNotBoundError,
  type SessionStore,
  type UserSessionPage,
} from '../../src/index.ts'
import type { UserSessionIndex } from '../../src/store/index.ts'
import { CookieJar, httpEvent, type TestClock, testClock } from '../../src/testing/index.ts'

type Data = { name?: string; visits?: number }

/** A store with users, on the clock `now` (epoch ms), fresh for one test. */
export type FlowStoreFactory = (now: () => number) => Promise<SessionStore & { users: UserSessionIndex }>

/**
 * Routes: `/login/<user>`, `/login-briefly/<user>` (10 minutes of inactivity), `/me`, `/list`, `/visit`,
 * `/end/<handle>`, `/end-others`, `/end-all`, `/bad-binds`.
 */
function app(store: SessionStore, clock: TestClock) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(dynamoSession<Data>({ store, now: clock.now }))
    .handler(async (event, context) => {
      const { session } = context
      const [, verb, arg = ''] = event.rawPath.split('/')
      let body: unknown
      switch (verb) {
        case 'login':
        case 'login-briefly':
          await session.regenerate()
          await session.bindUser(arg, { meta: { ua: `${arg}'s device` } })
          if (verb === 'login-briefly') await session.setExpiry(Expiry.onInactivity(600))
          body = await session.user()
          break
        case 'me':
          body = (await session.user()) ?? null
          break
        case 'list':
          body = await session.listUserSessions()
          break
        case 'visit':
          await session.set('visits', ((await session.get('visits')) ?? 0) + 1)
          break
        case 'end':
          body = await session.endUserSession(arg)
          break
        case 'end-others':
          body = await session.endAllUserSessions()
          break
        case 'end-all':
          body = await session.endAllUserSessions({ keepCurrent: false })
          break
        case 'bad-binds': {
          const refused: string[] = []
          for (const bad of [
            () => session.bindUser(''),
            () => session.bindUser('x'.repeat(257)),
            () => session.bindUser('a\ud800'),
            () => session.bindUser('ada', { meta: { nested: { no: 1 } } as never }),
            () => session.bindUser('ada', { meta: { big: 'x'.repeat(2000) } }),
          ]) {
            await bad().catch((error: unknown) => {
              if (error instanceof SessionDataError) refused.push(error.name)
            })
          }
          body = refused
          break
        }
      }
      return { statusCode: 200, body: JSON.stringify(body ?? null) }
    })
}

/** One browser in front of the handler. */
function browser(handler: ReturnType<typeof app>, clock: TestClock) {
  const jar = new CookieJar({ now: clock.now })
  return {
    jar,
    async call<T = unknown>(path: string): Promise<T> {
      const event = httpEvent('http-api-v2', { path, jar })
      const result = await handler(event, {} as SessionContext<Data>)
      jar.takeFrom(result, event)
      return JSON.parse(String(result.body)) as T
    },
  }
}

type Bound = { userId: string; handle: string }

export function userFlows(name: string, makeStore: FlowStoreFactory): void {
  async function setup() {
    const clock = testClock(Date.UTC(2026, 0, 1, 9, 0, 0, 123))
    const store = await makeStore(clock.now)
    const handler = app(store, clock)
    return { clock, store, device: () => browser(handler, clock) }
  }

  describe(`a user's sessions, from a handler: ${name}`, () => {
    it('bindUser at login: the session is listed, as the current one, with its metadata and times', async () => {
      const { clock, device } = await setup()
      const laptop = device()
      await laptop.call('/visit')
      const anonymous = laptop.jar.value
      expect(anonymous).toBeDefined()
      const login = await laptop.call<Bound>('/login/ada')
      expect(login).toEqual({ userId: 'ada', handle: expect.stringMatching(/^[\w-]{12}$/) })
      expect(laptop.jar.value).not.toBe(anonymous)
      expect(await laptop.call('/me')).toEqual(login)
      const signedIn = clock.now()
      expect(await laptop.call<UserSessionPage>('/list')).toEqual({
        sessions: [
          {
            handle: login.handle,
            createdAt: new Date(signedIn).toISOString(),
            lastUsedAt: new Date(signedIn).toISOString(),
            expiresAt: new Date(Math.floor(signedIn / 1000) * 1000 + 14 * 86_400_000).toISOString(),
            current: true,
            meta: { ua: "ada's device" },
          },
        ],
      })
    })

    it('refuses bad user ids and metadata at bindUser() with SessionDataError', async () => {
      const { device } = await setup()
      expect(await device().call('/bad-binds')).toEqual(Array(5).fill('SessionDataError'))
    })

    it('a second device is listed first; the current one is marked on each; a new login keeps the handle; no session id shows', async () => {
      const { clock, device } = await setup()
      const [laptop, phone] = [device(), device()]
      const first = await laptop.call<Bound>('/login/ada')
      clock.advance({ minutes: 1 })
      const second = await phone.call<Bound>('/login/ada')
      const fromLaptop = await laptop.call<UserSessionPage>('/list')
      expect(fromLaptop.sessions.map((s) => [s.handle, s.current])).toEqual([
        [second.handle, false],
        [first.handle, true],
      ])
      const fromPhone = await phone.call<UserSessionPage>('/list')
      expect(fromPhone.sessions.map((s) => s.current)).toEqual([true, false])
      for (const id of [laptop.jar.value, phone.jar.value])
        expect(JSON.stringify(fromPhone)).not.toContain(id)
      // Signing in again as the same user (a new id against fixation) keeps the session's handle.
      const cookie = laptop.jar.value
      expect(await laptop.call<Bound>('/login/ada')).toEqual(first)
      expect(laptop.jar.value).not.toBe(cookie)
      expect((await laptop.call<UserSessionPage>('/list')).sessions).toHaveLength(2)
      // Another user sees neither.
      const other = device()
      await other.call('/login/bob')
      expect((await other.call<UserSessionPage>('/list')).sessions).toHaveLength(1)
    })

    it('lastUsedAt: read-only requests move it only when the touch throttle lets them touch; writes always', async () => {
      const { clock, store, device } = await setup()
      const laptop = device()
      const signedIn = clock.now()
      await laptop.call('/login/ada')
      const lastUsed = async () => (await store.users.list('ada')).sessions[0]?.lastUsedAt
      clock.advance({ minutes: 59 })
      await laptop.call('/me') // the default touchAfter of a 14-day session is an hour: no write
      expect(await lastUsed()).toEqual(new Date(signedIn))
      clock.advance({ minutes: 1 })
      await laptop.call('/me') // an hour since the last write: touched
      expect(await lastUsed()).toEqual(new Date(signedIn + 3_600_000))
      clock.advance({ seconds: 5, ms: 250 })
      await laptop.call('/visit') // a write, to the millisecond
      expect(await lastUsed()).toEqual(new Date(signedIn + 3_605_250))
      clock.advance({ minutes: 30 })
      await laptop.call('/me')
      expect(await lastUsed()).toEqual(new Date(signedIn + 3_605_250))
      const [session] = (await store.users.list('ada')).sessions
      expect(session?.createdAt).toEqual(new Date(signedIn))
    })

    it('a session past its expiry leaves the list, and its next request is signed out', async () => {
      const { clock, device } = await setup()
      const [laptop, phone] = [device(), device()]
      const kept = await laptop.call<Bound>('/login/ada')
      await phone.call('/login-briefly/ada')
      expect((await laptop.call<UserSessionPage>('/list')).sessions).toHaveLength(2)
      clock.advance({ minutes: 9, seconds: 59 })
      expect((await laptop.call<UserSessionPage>('/list')).sessions).toHaveLength(2)
      clock.advance({ seconds: 1 }) // ten minutes without a request: the phone's session expires
      const page = await laptop.call<UserSessionPage>('/list')
      expect(page.sessions.map((s) => s.handle)).toEqual([kept.handle])
      expect(await phone.call('/me')).toBeNull()
    })

    it('signs out one device by its handle, or every other one (only this user); a session bound to nobody cannot list', async () => {
      const { device } = await setup()
      const [laptop, phone, tablet, bob] = [device(), device(), device(), device()]
      await laptop.call('/login/ada')
      const onPhone = await phone.call<Bound>('/login/ada')
      await tablet.call('/login/ada')
      await bob.call('/login/bob')
      expect(await laptop.call(`/end/${onPhone.handle}`)).toBe(true)
      expect(await phone.call('/me')).toBeNull()
      expect(await laptop.call(`/end/${onPhone.handle}`)).toBe(false) // already ended
      expect(await laptop.call('/end-others')).toBe(1)
      expect(await tablet.call('/me')).toBeNull()
      expect(await laptop.call('/me')).toMatchObject({ userId: 'ada' })
      expect(await bob.call('/me')).toMatchObject({ userId: 'bob' })
      expect((await laptop.call<UserSessionPage>('/list')).sessions).toHaveLength(1)
      const signedOut = await device()
        .call('/list')
        .catch((error: unknown) => error)
      expect(signedOut).toBeInstanceOf(SessionNotBoundError) // a SessionDataError
      expect(signedOut).toBeInstanceOf(SessionDataError)
      expect(signedOut).toMatchObject({ statusCode: 401, expose: true })
    })

    it('signs out everywhere, this session included: every session ends and the response forgets the cookie', async () => {
      const { device } = await setup()
      const [laptop, phone] = [device(), device()]
      await laptop.call('/login/ada')
      await phone.call('/login/ada')
      expect(await laptop.call('/end-all')).toBe(2)
      expect(laptop.jar.value).toBeUndefined()
      expect(await phone.call('/me')).toBeNull()
      expect(await laptop.call('/me')).toBeNull()
    })
  })
}
