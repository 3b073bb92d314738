/**
 * Session fixation and resurrection, through the middleware against DynamoDB Local:
 * - an id the server did not issue is never adopted, whatever the handler does with the session;
 * - after `regenerate()` the old id stops working at once: its item only names the new id, for a logout;
 * - after `destroy()` nothing is loadable with the old id, and replaying the old cookie (even with a
 *   request that only writes, even one that loaded the session before the destroy) never brings it back.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { afterAll, describe, expect, it } from 'vitest'
import { generateSessionId } from '../../src/id.ts'
import {
  DynamoDBSessionStore,
  dynamoSession,
  SessionConflictError,
  type SessionContext,
} from '../../src/index.ts'
import { DEFAULT_STORE_PROPS } from '../../src/store/index.ts'
import { sessionKey } from '../../src/store/props.ts'
import { CookieJar, freshContext, type TestApp, type TestHandler, testApp } from '../support/app.ts'
import { localClient } from '../support/dynamo.ts'
import { httpApiV2Event } from '../support/events.ts'

type Data = { count: number; user: string; note: string }
const rawClient = localClient()
afterAll(() => rawClient.destroy())

const path = (event: unknown) => (event as { rawPath?: string }).rawPath ?? '/'

/**
 * A small app: `/login` (regenerate, then remember the user), `/login-careless` (remember the user
 * without regenerating), `/logout` (destroy), `/logout-then-write` (destroy, then set), `/write` (set a
 * note without reading), `/whoami` (read only), anything else counts.
 */
const app: TestHandler<Data> = async (event, context) => {
  const session = context.session
  switch (path(event)) {
    case '/login':
      await session.regenerate()
      await session.set('user', 'victim')
      break
    case '/login-careless':
      await session.set('user', 'victim')
      break
    case '/logout':
      await session.destroy()
      break
    case '/logout-then-write':
      await session.destroy()
      await session.set('note', 'after logout')
      break
    case '/write':
      await session.set('note', 'written')
      break
    case '/whoami':
      break
    default:
      await session.set('count', ((await session.get('count')) ?? 0) + 1)
  }
  return {
    statusCode: 200,
    body: JSON.stringify({
      user: (await session.get('user')) ?? null,
      count: (await session.get('count')) ?? 0,
      id: session.id ?? null,
    }),
  }
}
const body = (response: { body?: string }) =>
  JSON.parse(response.body ?? '{}') as { user: string | null; count: number; id: string | null }

async function rawItem(t: TestApp, id: string) {
  const result = await rawClient.send(
    new GetItemCommand({
      TableName: t.tableName,
      Key: sessionKey(DEFAULT_STORE_PROPS, id),
      ConsistentRead: true,
    }),
  )
  return result.Item
}

function storeOf(t: TestApp) {
  return new DynamoDBSessionStore({ client: rawClient, tableName: t.tableName })
}

describe('an id the server did not issue is never adopted', () => {
  for (const login of ['/login', '/login-careless']) {
    it(`attacker plants a well-formed id, victim logs in (${login}): the stored session has another id, the planted one loads nothing`, async () => {
      const t = await testApp(app)
      const planted = generateSessionId()
      // The victim's browser carries the attacker's cookie.
      const { response, setCookies } = await t.request(`id=${planted}`, { path: login })
      expect(body(response).user).toBe('victim')
      const issued = setCookies[0]?.value ?? ''
      expect(issued).toMatch(/^[A-Za-z0-9_-]{32}$/)
      expect(issued).not.toBe(planted)
      expect(body(response).id).toBeNull() // the handler never saw the planted id as its session's
      expect(await storeOf(t).load(issued)).toMatchObject({ data: { user: 'victim' } })

      // The attacker, holding the planted id, gets nothing.
      expect(await rawItem(t, planted)).toBeUndefined()
      expect(await storeOf(t).load(planted)).toBeUndefined()
      const attacker = await t.request(`id=${planted}`, { path: '/whoami' })
      expect(body(attacker.response)).toEqual({ user: null, count: 0, id: null })
    })
  }

  it('a planted id is not adopted by a request that only writes either', async () => {
    const t = await testApp(app)
    const planted = generateSessionId()
    const { setCookies } = await t.request(`id=${planted}`, { path: '/write' })
    expect(setCookies[0]?.value).not.toBe(planted)
    expect(await rawItem(t, planted)).toBeUndefined()
  })

  it("attacker plants their own real session, victim logs in with regenerate(): the victim gets a new id and the attacker's id is dead", async () => {
    const t = await testApp(app)
    const attackerJar = new CookieJar()
    attackerJar.store((await t.request()).setCookies) // a genuine session the server issued to the attacker
    const attackerId = attackerJar.value ?? ''
    expect(attackerId).toMatch(/^[A-Za-z0-9_-]{32}$/)

    const login = await t.request(attackerJar.header(), { path: '/login' })
    const victimId = login.setCookies[0]?.value ?? ''
    expect(body(login.response)).toMatchObject({ user: 'victim', count: 1 })
    expect(victimId).not.toBe(attackerId)
    expect((await rawItem(t, attackerId))?.data).toBeUndefined() // only a dataless pointer to the new id is left

    // The attacker's cookie now opens a fresh, anonymous session, not the victim's.
    const attacker = await t.request(attackerJar.header(), { path: '/whoami' })
    expect(body(attacker.response)).toEqual({ user: null, count: 0, id: null })
    // The victim's session is intact.
    expect(body((await t.request(`id=${victimId}`, { path: '/whoami' })).response)).toMatchObject({
      user: 'victim',
      id: victimId,
    })
  })
})

describe('regenerate()', () => {
  it('the old id stops working at once: a request with the old cookie gets a fresh session, and the old item is gone', async () => {
    const t = await testApp(app)
    const jar = new CookieJar()
    jar.store((await t.request()).setCookies)
    jar.store((await t.request(jar.header())).setCookies)
    const oldId = jar.value ?? ''
    expect(await rawItem(t, oldId)).toBeDefined()

    t.calls.length = 0
    const login = await t.request(jar.header(), { path: '/login' })
    // The new item and the end of the old one, in one transaction.
    expect(t.calls).toEqual(['GetItem', 'TransactWriteItems'])
    const newId = login.setCookies[0]?.value ?? ''
    expect(newId).not.toBe(oldId)
    expect(body(login.response)).toMatchObject({ user: 'victim', count: 2 }) // data kept
    expect((await rawItem(t, oldId))?.data).toBeUndefined() // only a dataless pointer to the new id is left
    expect(await storeOf(t).load(oldId)).toBeUndefined()

    const stale = await t.request(`id=${oldId}`)
    expect(body(stale.response)).toMatchObject({ user: null, count: 1 })
    expect(stale.setCookies[0]?.value).not.toBe(oldId)
    expect(stale.setCookies[0]?.value).not.toBe(newId)
    expect((await rawItem(t, oldId))?.data).toBeUndefined() // only a dataless pointer to the new id is left // not re-created under the old id

    jar.store(login.setCookies)
    expect(body((await t.request(jar.header(), { path: '/whoami' })).response)).toMatchObject({
      user: 'victim',
      count: 2,
    })
  })

  it('after regenerate(), session.id no longer gives the old id that is about to be deleted', async () => {
    const t = await testApp(app)
    const jar = new CookieJar()
    jar.store((await t.request()).setCookies)
    const oldId = jar.value ?? ''
    const login = await t.request(jar.header(), { path: '/login' })
    expect(login.setCookies[0]?.value).not.toBe(oldId)
    expect(body(login.response).id).not.toBe(oldId)
  })

  it('a request that loaded the old id before the regenerate cannot write it back', async () => {
    const t = await testApp(app)
    const jar = new CookieJar()
    jar.store((await t.request()).setCookies)
    const oldId = jar.value ?? ''

    // A slow request on the old id: it loads, then waits while the login regenerates the id.
    const { promise: gate, resolve: release } = Promise.withResolvers<void>()
    const { promise: hasLoaded, resolve: loaded } = Promise.withResolvers<void>()
    const slow = middy()
      .use(dynamoSession<Data>({ client: t.client, store: { tableName: t.tableName } }))
      .handler(async (_event, context: SessionContext<Data>) => {
        const count = (await context.session.get('count')) ?? 0
        loaded()
        await gate
        await context.session.set('count', count + 100)
        return { statusCode: 200, body: '' }
      })
    const pending = slow(
      httpApiV2Event({ cookieHeader: `id=${oldId}` }),
      freshContext() as SessionContext<Data>,
    )
    const settled = pending.then(
      () => undefined,
      (error: unknown) => error,
    )
    await hasLoaded
    await t.request(jar.header(), { path: '/login' })
    release()
    expect(await settled).toBeInstanceOf(SessionConflictError)
    expect((await rawItem(t, oldId))?.data).toBeUndefined() // only a dataless pointer to the new id is left
  })
})

describe('destroy()', () => {
  async function loggedIn(t: TestApp): Promise<{ jar: CookieJar; id: string }> {
    const jar = new CookieJar()
    jar.store((await t.request(undefined, { path: '/login-careless' })).setCookies)
    jar.store((await t.request(jar.header())).setCookies)
    return { jar, id: jar.value ?? '' }
  }

  it('deletes the item and expires the cookie; nothing is loadable with the old id', async () => {
    const t = await testApp(app)
    const { jar, id } = await loggedIn(t)
    const logout = await t.request(jar.header(), { path: '/logout' })
    expect(logout.setCookies).toHaveLength(1)
    expect(logout.setCookies[0]).toMatchObject({ name: 'id', value: '', maxAge: 0 })
    expect(await rawItem(t, id)).toBeUndefined()
    expect(await storeOf(t).load(id)).toBeUndefined()
  })

  const replays: [string, string, string | null][] = [
    ['a read-only request', '/whoami', null],
    ['a request that only writes', '/write', null],
    ['a counting request (read then write)', '/', null],
    ['another logout', '/logout', null],
    ['a new login (a new session, not the old one)', '/login', 'victim'],
  ]
  for (const [name, replayPath, user] of replays) {
    it(`a replay of the old cookie by ${name} does not resurrect it`, async () => {
      const t = await testApp(app)
      const { id } = await loggedIn(t)
      await t.request(`id=${id}`, { path: '/logout' })
      const replay = await t.request(`id=${id}`, { path: replayPath })
      expect(body(replay.response)).toMatchObject({ user, id: null })
      for (const cookie of replay.setCookies) expect(cookie.value).not.toBe(id)
      expect(await rawItem(t, id)).toBeUndefined()
    })
  }

  it('set() after destroy() in the same request starts a new session under a new id', async () => {
    const t = await testApp(app)
    const { id } = await loggedIn(t)
    const response = await t.request(`id=${id}`, { path: '/logout-then-write' })
    const newId = response.setCookies.at(-1)?.value ?? ''
    expect(newId).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(newId).not.toBe(id)
    expect(await rawItem(t, id)).toBeUndefined()
    expect(await storeOf(t).load(newId)).toMatchObject({ data: { note: 'after logout' } })
    expect((await storeOf(t).load(newId))?.data).not.toHaveProperty('user')
  })

  for (const [name, write] of [
    ['a save of changed data', true],
    ['a touch of a read-only session', false],
  ] as const) {
    it(`a request that loaded the session before the logout cannot bring it back with ${name}`, async () => {
      const t = await testApp(app, { touchAfter: 0 })
      const { id } = await loggedIn(t)
      const { promise: gate, resolve: release } = Promise.withResolvers<void>()
      const { promise: hasLoaded, resolve: loaded } = Promise.withResolvers<void>()
      const slow = middy()
        .use(
          dynamoSession<Data>({
            client: t.client,
            store: { tableName: t.tableName },
            touchAfter: 0,
            // A minute later than the login: a touch is due.
            now: () => Date.now() + 60_000,
          }),
        )
        .handler(async (_event, context: SessionContext<Data>) => {
          await context.session.get('user')
          loaded()
          await gate
          if (write) await context.session.set('note', 'late write')
          return { statusCode: 200, body: '' }
        })
      const settled = slow(
        httpApiV2Event({ cookieHeader: `id=${id}` }),
        freshContext() as SessionContext<Data>,
      ).then(
        (response) => ({ response: response as { cookies?: string[] } }),
        (error: unknown) => ({ error }),
      )
      await hasLoaded
      await t.request(`id=${id}`, { path: '/logout' })
      t.calls.length = 0
      release()
      const outcome = await settled
      expect(t.calls).toEqual(['UpdateItem']) // the conditional write (a save or a touch) was tried, and refused
      if (write) {
        expect('error' in outcome && outcome.error).toBeInstanceOf(SessionConflictError)
      } else {
        // The touch finds nothing to extend: no error, and no cookie that would revive the old id.
        expect('response' in outcome && outcome.response.cookies).toBeFalsy()
      }
      expect(await rawItem(t, id)).toBeUndefined()
      expect(await storeOf(t).load(id)).toBeUndefined()
    })
  }
})
