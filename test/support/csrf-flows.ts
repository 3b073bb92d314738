/**
 * The per-session CSRF token (`session.csrfToken()`, `crossSite: { requireToken: true }`; OWASP ASVS
 * 3.5.1) as clients live it, through the real middleware on one test clock: one suite, run on each store
 * (DynamoDB Local, and the test kit's MemoryStore). A "header-less" client sends neither `Sec-Fetch-Site`
 * nor `Origin` (curl, a script, a mobile app, a browser too old for both); a browser page sends them.
 */
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { dynamoSession, Expiry, type SessionStore } from '../../src/index.ts'
import { testClock } from '../../src/testing/index.ts'
import { browserFor } from './browser.ts'

type Data = { n?: number }

/** A store on the clock `now` (epoch ms), fresh for one test. */
export type CsrfStoreFactory = (now: () => number) => Promise<SessionStore>

const EVERY = 600

/**
 * `GET /token` answers a token; `POST /write` counts; `POST /login` regenerates; `POST /clear` clears;
 * `POST /logout` destroys;
 * `POST /form` checks the token its body carries itself (a form field).
 */
async function setup(makeStore: CsrfStoreFactory, requireToken = true) {
  const clock = testClock()
  const store = await makeStore(clock.now)
  let ran = 0
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(
      dynamoSession<Data>({
        store,
        now: clock.now,
        expiry: Expiry.onInactivity(3600),
        renewal: { every: EVERY },
        crossSite: { requireToken },
      }),
    )
    .handler(async (event, context) => {
      ran++
      const { session } = context
      switch (event.rawPath) {
        case '/token':
          return { statusCode: 200, body: await session.csrfToken() }
        case '/login':
          await session.regenerate()
          await session.set('n', 0)
          return { statusCode: 200 }
        case '/logout':
          await session.destroy()
          return { statusCode: 204 }
        case '/clear':
          await session.clear()
          return { statusCode: 200 }
        case '/form':
          return { statusCode: (await session.verifyCsrfToken(event.body)) ? 200 : 403 }
      }
      await session.set('n', ((await session.get('n')) ?? 0) + 1)
      return { statusCode: 200, body: String(await session.get('n')) }
    })
  const { jar, send } = browserFor(handler, clock.now)
  /** A request with neither Sec-Fetch-Site nor Origin; `token` in the x-csrf-token header if given. */
  const headerless = (path: string, token?: string) =>
    send(path, { method: 'POST', headers: token === undefined ? {} : { 'x-csrf-token': token } })
  const fromPage = (path: string, site: string, token?: string) =>
    send(path, {
      method: 'POST',
      headers: { 'sec-fetch-site': site, ...(token !== undefined && { 'x-csrf-token': token }) },
    })
  const token = async () => (await send('/token')).body as string
  return { clock, store, jar, send, headerless, fromPage, token, ran: () => ran }
}

/** Registers the CSRF token suite for one store. */
export function csrfFlows(name: string, makeStore: CsrfStoreFactory): void {
  describe(`the CSRF token (requireToken), ${name}`, () => {
    it('a header-less POST passes with a valid token and is refused (403, handler not run) without one', async () => {
      const { jar, store, headerless, token, ran } = await setup(makeStore)
      const first = await token()
      // Asking for a token stores the session (with no data yet), so its cookie can carry it.
      expect(jar.value).toBeDefined()
      expect((await store.load(jar.value as string))?.data).toEqual({})
      expect((await headerless('/write', first)).statusCode).toBe(200)
      // No token at all: refused without reading the session.
      const load = store.load.bind(store)
      let loads = 0
      store.load = (id) => {
        loads++
        return load(id)
      }
      expect((await headerless('/write')).statusCode).toBe(403)
      expect(loads).toBe(0)
      const before = ran()
      const altered = `${first.slice(0, 10)}${first[10] === 'A' ? 'B' : 'A'}${first.slice(11)}`
      for (const bad of [undefined, '', 'x', altered, first.slice(1)]) {
        expect((await headerless('/write', bad)).statusCode, String(bad)).toBe(403)
      }
      expect(ran()).toBe(before) // refused before the handler
      // Every token differs (masked), and each one verifies.
      const second = await token()
      expect(second).not.toBe(first)
      expect((await headerless('/write', second)).body).toBe('2')
      expect((await headerless('/write', first)).body).toBe('3')
    })

    it("a token of another session does not pass, and neither does one without the session's cookie", async () => {
      const a = await setup(makeStore)
      const b = await setup(makeStore)
      const tokenB = await b.token()
      await a.token()
      expect((await a.headerless('/write', tokenB)).statusCode).toBe(403)
      a.jar.clear()
      expect((await a.headerless('/write', tokenB)).statusCode).toBe(403)
    })

    it('browser requests are judged by their headers: same-origin passes without a token, cross-site never', async () => {
      const { fromPage, token } = await setup(makeStore)
      const valid = await token()
      expect((await fromPage('/write', 'same-origin')).statusCode).toBe(200)
      expect((await fromPage('/write', 'cross-site', valid)).statusCode).toBe(403)
      expect((await fromPage('/write', 'same-site', valid)).statusCode).toBe(403)
    })

    it('the token survives a renewal; a login (regenerate) makes a new one; a logout ends it', async () => {
      const { clock, jar, send, headerless, token } = await setup(makeStore)
      const old = await token()
      const first = jar.value
      clock.advance({ seconds: EVERY })
      await send('/token') // renews the id
      expect(jar.value).not.toBe(first)
      expect((await headerless('/write', old)).statusCode).toBe(200)
      const login = await headerless('/login', old)
      expect(login.statusCode).toBe(200)
      expect((await headerless('/write', old)).statusCode).toBe(403)
      const fresh = await token()
      expect((await headerless('/write', fresh)).statusCode).toBe(200)
      expect((await headerless('/logout', fresh)).statusCode).toBe(204)
      expect((await headerless('/write', fresh)).statusCode).toBe(403)
    })

    it('clear() keeps the session and its token (only destroy() ends them)', async () => {
      const { jar, store, headerless, token } = await setup(makeStore)
      const valid = await token()
      expect((await headerless('/write', valid)).body).toBe('1')
      expect((await headerless('/clear', valid)).statusCode).toBe(200)
      expect((await store.load(jar.value as string))?.data).toEqual({})
      expect((await headerless('/write', valid)).body).toBe('1')
    })

    it('a handler checks a token sent in a form field with verifyCsrfToken()', async () => {
      const { send, token } = await setup(makeStore, false)
      const valid = await token()
      const post = (body: string) =>
        send('/form', { method: 'POST', body, headers: { 'sec-fetch-site': 'same-origin' } })
      expect((await post(valid)).statusCode).toBe(200)
      expect((await post(`${valid}x`)).statusCode).toBe(403)
    })

    it('without requireToken (the default), a header-less POST passes without a token', async () => {
      const { headerless } = await setup(makeStore, false)
      expect((await headerless('/write')).statusCode).toBe(200)
    })
  })
}
