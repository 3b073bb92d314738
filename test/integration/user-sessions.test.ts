/**
 * A user's sessions against DynamoDB Local, through the middleware, where DynamoDB itself is the point:
 * what a binding login writes, what ordinary requests cost, and "sign out everywhere" under races forced
 * at a proxy. The flows a handler follows (lists, signing out one device or all) are the user flows'
 * (test/support/user-flows.ts), and what the store does on its own the user contract's
 * (test/support/user-contract.ts): both run on this store and on the MemoryStore.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DynamoDBSessionStore } from '../../src/index.ts'
import { userSessions } from '../../src/users/index.ts'
import type { HttpResult } from '../support/app.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { gate } from '../support/fault-proxy.ts'
import {
  type Actor,
  answersBeforeRetry,
  type Device,
  holdCall,
  json,
  device as makeDevice,
  type Route,
  scan,
  signIn,
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
  switch (verb) {
    case 'login':
      return signIn(session, arg)
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

describe('"sign out everywhere" is complete and final, under races', () => {
  it('a login racing it waits for it, then is bound after it (and lives)', async () => {
    const laptop = await device()
    await laptop.call('login/ada')
    const admin = await device()
    const store = new DynamoDBSessionStore({ client: admin.client, tableName, users: userSessions() })
    // Hold the revocation's deletes, after it took the lock and the list.
    const hold = holdCall(admin, 'BatchWriteItem')
    const revoking = store.users.endAll('ada')
    await hold.held
    const phone = await device()
    // Its bind finds the lease and waits: refused, it tries again, and has not answered.
    const login = phone.call('login/ada')
    expect(await answersBeforeRetry(phone, 'TransactWriteItems', login)).toBe(false)
    hold.release()
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
    expect(
      await new DynamoDBSessionStore({ client: raw, tableName, users: userSessions() }).users.endAll('ada'),
    ).toBe(1)
    release.open()
    const result = await pending
    expect(result.statusCode).toBe(409)
    expect(result.body).toMatch(/ended/)
    expect(await live()).toEqual([])
  })
})
