/**
 * A user's sessions against DynamoDB Local, through the middleware: binding at login, "your devices"
 * lists, signing out one device, signing out everywhere (complete, even against a login racing it, forced
 * at a proxy), and what ordinary requests cost. What the store does on its own (paging, expiry, ending,
 * logouts, the cap per user) is the user contract's (test/support/user-contract.ts), which the DynamoDB
 * store and the MemoryStore both pass.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DynamoDBSessionStore, SessionDataError, type UserSessionPage } from '../../src/index.ts'
import type { HttpResult } from '../support/app.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { gate } from '../support/fault-proxy.ts'
import {
  type Actor,
  actor,
  cookieOf,
  type Device,
  device as makeDevice,
  type Route,
  scan,
  userItemOf,
} from '../support/race.ts'

const raw = localClient()
let tableName: string
const actors: Actor[] = []
beforeEach(async () => {
  tableName = await createTable(raw, { ttl: false })
})
afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => a.close()))
})
afterAll(() => raw.destroy())

/** The demo app's routes: `login/<name>`, `me`, `list`, `end/<handle>`, `end-others`, `end-all`, `set/<key>`. */
const route: Route = async (session, path) => {
  const [verb, arg = ''] = path.split('/')
  const json = (value: unknown) => ({ statusCode: 200, body: JSON.stringify(value) })
  switch (verb) {
    case 'login':
      await session.regenerate()
      await session.bindUser(arg, { meta: { ua: `device of ${arg}` } })
      await session.set('name', arg)
      return json(await session.user())
    case 'me':
      return json((await session.user()) ?? null)
    case 'list':
      return json(await session.listUserSessions())
    case 'end':
      return json(await session.endUserSession(arg))
    case 'end-others':
      return json(await session.endAllUserSessions())
    case 'end-all':
      return json(await session.endAllUserSessions({ keepCurrent: false }))
    case 'set':
      await session.get(arg)
      await session.set(arg, 1)
      return json(true)
  }
  return { statusCode: 404 }
}

async function device(): Promise<Device> {
  const created = await makeDevice(tableName, route)
  actors.push(created)
  return created
}

const body = <T>(result: HttpResult) => JSON.parse(result.body ?? 'null') as T
const userItem = (userId: string) => userItemOf(raw, tableName, userId)
const live = async () =>
  (await scan(raw, tableName)).filter((s) => s.data !== undefined && s.item.successor === undefined)

describe('binding a session to a user', () => {
  it('a login binds: the session carries the user, the handle, the metadata; the user item lists it', async () => {
    const phone = await device()
    const login = await phone.call('login/ada')
    const user = body<{ userId: string; handle: string }>(login)
    expect(user.userId).toBe('ada')
    expect(user.handle).toMatch(/^[A-Za-z0-9_-]{12}$/)
    const item = (await scan(raw, tableName)).find((s) => s.id === phone.id)?.item
    expect(item?.bound_user).toEqual({ S: 'ada' })
    expect(item?.user_handle).toEqual({ S: user.handle })
    expect(item?.user_meta).toEqual({ M: { ua: { S: 'device of ada' } } })
    const users = await userItem('ada')
    expect(users?.user_sessions?.M?.[user.handle]).toEqual({ S: phone.id })
    expect(body(await phone.call('me'))).toEqual(user)
  })

  it('refuses bad user ids and metadata at bindUser() with SessionDataError', async () => {
    const errors: unknown[] = []
    const app = await actor(tableName, async (session) => {
      for (const bad of [
        () => session.bindUser(''),
        () => session.bindUser('x'.repeat(257)),
        () => session.bindUser('a\ud800'),
        () => session.bindUser('ada', { meta: { nested: { no: 1 } } as never }),
        () => session.bindUser('ada', { meta: { big: 'x'.repeat(2000) } }),
      ]) {
        await bad().catch((error: unknown) => errors.push(error))
      }
      return { statusCode: 200 }
    })
    actors.push(app)
    await app.send('x')
    expect(errors).toHaveLength(5)
    for (const error of errors) expect(error).toBeInstanceOf(SessionDataError)
  })

  it('anonymous sessions and ordinary requests of bound ones make no extra call', async () => {
    const anonymous = await device()
    await anonymous.call('set/a')
    anonymous.proxy.seen.length = 0
    await anonymous.call('set/b')
    expect(anonymous.proxy.seen).toEqual(['GetItem', 'UpdateItem'])
    expect(Object.keys((await scan(raw, tableName))[0]?.item ?? {})).not.toContain('bound_user')

    const bound = await device()
    await bound.call('login/ada')
    bound.proxy.seen.length = 0
    await bound.call('set/c')
    expect(bound.proxy.seen).toEqual(['GetItem', 'UpdateItem'])
  })
})

describe("a user's list of sessions", () => {
  it('lists every device, newest first, marks the current one, and never shows a session id', async () => {
    const [laptop, phone] = [await device(), await device()]
    await laptop.call('login/ada')
    await phone.call('login/ada')
    const other = await device()
    await other.call('login/bob')
    const page = body<UserSessionPage>(await laptop.call('list'))
    expect(page.sessions).toHaveLength(2)
    expect(page.sessions.map((s) => s.current)).toEqual([false, true]) // the phone bound last
    for (const s of page.sessions) {
      expect(s.meta).toEqual({ ua: 'device of ada' })
      expect(new Date(s.expiresAt).getTime()).toBeGreaterThan(Date.now())
      expect(new Date(s.lastUsedAt).getTime()).toBeGreaterThanOrEqual(new Date(s.createdAt).getTime())
    }
    const text = JSON.stringify(page)
    for (const id of [laptop.id, phone.id, other.id]) expect(text).not.toContain(id)
  })
})

describe('signing out devices', () => {
  it('one device by its handle: its next request is signed out; the others stay', async () => {
    const [laptop, phone] = [await device(), await device()]
    await laptop.call('login/ada')
    const phoneUser = body<{ handle: string }>(await phone.call('login/ada'))
    expect(body(await laptop.call(`end/${phoneUser.handle}`))).toBe(true)
    expect(body(await phone.call('me'))).toBeNull()
    expect(body(await laptop.call('me'))).toMatchObject({ userId: 'ada' })
    expect(body<UserSessionPage>(await laptop.call('list')).sessions).toHaveLength(1)
    expect(body(await laptop.call(`end/${phoneUser.handle}`))).toBe(false) // already ended
  })

  it('everywhere else: every other session of the user ends, this one stays', async () => {
    const [laptop, ...others] = [await device(), await device(), await device()]
    for (const d of [laptop, ...others]) await d.call('login/ada')
    const bob = await device()
    await bob.call('login/bob')
    expect(body(await laptop.call('end-others'))).toBe(2)
    for (const d of others) expect(body(await d.call('me'))).toBeNull()
    expect(body(await laptop.call('me'))).toMatchObject({ userId: 'ada' })
    expect(body(await bob.call('me'))).toMatchObject({ userId: 'bob' })
    expect(Object.keys((await userItem('ada'))?.user_sessions?.M ?? {})).toHaveLength(1)
    expect((await userItem('ada'))?.revoking).toBeUndefined() // the lock is gone
  })

  it('everywhere, this one included: the response expires the cookie', async () => {
    const [laptop, phone] = [await device(), await device()]
    await laptop.call('login/ada')
    await phone.call('login/ada')
    const result = await laptop.call('end-all')
    expect(body(result)).toBe(2)
    expect(cookieOf(result)).toBe('')
    expect(await live()).toEqual([])
  })
})

describe('"sign out everywhere" is complete and final, under races', () => {
  it('a login racing it waits for it, then is bound after it (and lives)', async () => {
    const laptop = await device()
    await laptop.call('login/ada')
    const admin = await device()
    const store = new DynamoDBSessionStore({ client: admin.client, tableName })
    // Hold the revocation's deletes, after it took the lock and the list.
    const release = gate()
    const holding = gate()
    admin.proxy.intercept(async ({ op }) => {
      if (op !== 'BatchWriteItem') return undefined
      holding.open()
      await release.opened
      return 'forward'
    })
    const revoking = store.users.endAll('ada')
    await holding.opened
    const phone = await device()
    const login = phone.call('login/ada') // its bind finds the lock and waits
    await new Promise((resolve) => setTimeout(resolve, 150))
    release.open()
    expect(await revoking).toBe(1)
    const bound = await login
    expect(bound.statusCode).toBe(200)
    expect(body(await laptop.call('me'))).toBeNull()
    expect(body(await phone.call('me'))).toMatchObject({ userId: 'ada' })
  })

  it('a request of an ended session still in flight cannot bring it back', async () => {
    const phone = await device()
    await phone.call('login/ada')
    const release = gate()
    const writing = gate()
    phone.proxy.intercept(async ({ op }) => {
      if (op !== 'UpdateItem') return undefined
      writing.open()
      await release.opened
      return 'forward'
    })
    const pending = phone.send('set/late', phone.id)
    await writing.opened
    expect(await new DynamoDBSessionStore({ client: raw, tableName }).users.endAll('ada')).toBe(1)
    release.open()
    const result = await pending
    expect(result.statusCode).toBe(409)
    expect(result.body).toMatch(/ended/)
    expect(await live()).toEqual([])
  })
})
