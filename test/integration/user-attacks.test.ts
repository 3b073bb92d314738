/**
 * A user's sessions under attack, against DynamoDB Local through the middleware, with each actor's calls
 * held, lost or never answered at its own fault proxy. Each `describe` is one finding of issue 17: the
 * clean-up at the cap racing a regenerate, a session rewritten without its binding attributes, a
 * sign-out-everywhere that dies holding the lease (killed between each two of its writes), the cap's typed
 * refusal and its policy, users' items that could share keys with the application's, and the user item's
 * size and expiry. SECURITY.md's completeness argument names these tests.
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  DynamoDBSessionStore,
  SessionConfigError,
  SessionStoreError,
  TooManySessionsError,
} from '../../src/index.ts'
import { sessionKey } from '../../src/store/props.ts'
import { userSessions } from '../../src/users/index.ts'
import { USER_ITEM_SECONDS, USER_LEASE_MS } from '../../src/users/user-index.ts'
import type { HttpResult } from '../support/app.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { gate } from '../support/fault-proxy.ts'
import {
  type Actor,
  type ActorOptions,
  actor,
  answersBeforeRetry,
  cookieOf,
  type Device,
  holdCall,
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

/** Side effects a login route performed after `bindUser()` returned. */
let effects = 0

const route: Route = async (session, path) => {
  const [verb, arg = ''] = path.split('/')
  const json = (value: unknown) => ({ statusCode: 200, body: JSON.stringify(value) })
  switch (verb) {
    case 'login':
      await session.regenerate()
      await session.bindUser(arg, { meta: { ua: `device of ${arg}` } })
      effects++
      await session.set('name', arg)
      return json(await session.user())
    case 'me':
      return json((await session.user()) ?? null)
    case 'set':
      await session.set(arg, 1)
      return json(true)
  }
  return { statusCode: 404 }
}

async function device(options: ActorOptions = {}): Promise<Device> {
  const created = await makeDevice(tableName, route, options)
  actors.push(created)
  return created
}

const capped = (maxSessionsPerUser: number, extra: ActorOptions = {}) =>
  device({ ...extra, store: { users: userSessions({ maxSessionsPerUser }) } })
const body = <T>(result: HttpResult) => JSON.parse(result.body ?? 'null') as T
const store = () => new DynamoDBSessionStore({ client: raw, tableName, users: userSessions() })
const userItem = (userId: string) => userItemOf(raw, tableName, userId)
/** Three devices with a cap of 2 sessions a user, the laptop and the phone signed in as ada: she is full. */
async function fullUser(): Promise<[laptop: Device, phone: Device, tablet: Device]> {
  const [laptop, phone, tablet] = [await capped(2), await capped(2), await capped(2)]
  await laptop.call('login/ada')
  await phone.call('login/ada')
  return [laptop, phone, tablet]
}
const signedIn = async (dev: Device) => body<{ userId: string } | null>(await dev.call('me')) !== null
/** Removes session `id`'s item as TTL does once it has expired (a regenerated session's old item, say). */
const removeItem = (id: string | undefined) =>
  raw.send(new DeleteItemCommand({ TableName: tableName, Key: sessionKey(store().props, id ?? '') }))

describe('1. the clean-up at the cap racing a regenerate', () => {
  it('a login at the cap whose check of a session is held while that session regenerates drops no entry: it is refused, and sign-out-everywhere ends every session', async () => {
    const [laptop, phone, tablet] = await fullUser()
    const hold = holdCall(tablet, 'BatchGetItem')
    const login = tablet.call('login/ada')
    await hold.held
    const before = laptop.id
    expect((await laptop.call('login/ada')).statusCode).toBe(200) // regenerate: a new id, the entry follows
    expect(laptop.id).not.toBe(before)
    hold.release()
    const refused = await login
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toMatch(/already has 2 live sessions/)
    expect(await store().users.endAll('ada')).toBe(2)
    expect(await signedIn(laptop)).toBe(false)
    expect(await signedIn(phone)).toBe(false)
    expect(await signedIn(tablet)).toBe(false)
  })

  it('the entry of a session that is really gone is dropped, but only while it still names the id that was checked', async () => {
    const [laptop, phone, tablet] = await fullUser()
    // The laptop's session ends without leaving the list (as a Lambda killed between the two writes of
    // an end() could leave it): its entry is stale.
    await raw.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: sessionKey(store().props, laptop.id ?? ''),
        UpdateExpression: 'SET expire_at = :past',
        ExpressionAttributeValues: { ':past': { N: '1' } },
      }),
    )
    tablet.proxy.seen.length = 0
    expect((await tablet.call('login/ada')).statusCode).toBe(200)
    // GetItem (its session: none), the user's item, one BatchGetItem, the conditional removal, the bind.
    expect(tablet.proxy.seen.filter((op) => op === 'BatchGetItem')).toHaveLength(1)
    expect(tablet.proxy.seen.length).toBeLessThanOrEqual(5)
    expect(Object.keys((await userItem('ada'))?.user_sessions?.M ?? {})).toHaveLength(2)
    expect(await store().users.endAll('ada')).toBe(2)
    expect(await signedIn(phone)).toBe(false)
    expect(await signedIn(tablet)).toBe(false)
  })

  it('a check of the cap held while a session regenerates and its old item goes (TTL) drops no entry that moved on', async () => {
    const [laptop, phone, tablet] = await fullUser()
    const check = holdCall(tablet, 'BatchGetItem')
    const login = tablet.call('login/ada')
    await check.held // the tablet has read ada's entries: the laptop's names its id of now
    const before = laptop.id
    expect((await laptop.call('login/ada')).statusCode).toBe(200) // a new id; the entry follows it
    await removeItem(before) // the old id's item is gone: the check will find that id gone
    check.release()
    // The laptop's entry names its new, live id: it is not dropped, so ada is still full.
    expect((await login).statusCode).toBe(403)
    expect(Object.values((await userItem('ada'))?.user_sessions?.M ?? {})).toContainEqual({ S: laptop.id })
    expect(await store().users.endAll('ada')).toBe(2)
    expect(await signedIn(laptop)).toBe(false)
    expect(await signedIn(phone)).toBe(false)
  })

  it("with whenFull: 'end-least-recent', a check held while the least recent session logs in again ends the one least recent now", async () => {
    const options = {
      store: { users: userSessions({ maxSessionsPerUser: 2, whenFull: 'end-least-recent' }) },
    }
    const [laptop, phone, tablet] = [await device(options), await device(options), await device(options)]
    await laptop.call('login/ada')
    await phone.call('login/ada') // the laptop is the least recently used
    const check = holdCall(tablet, 'BatchGetItem')
    const login = tablet.call('login/ada')
    await check.held
    expect((await laptop.call('login/ada')).statusCode).toBe(200) // now the phone is the least recent
    check.release()
    expect((await login).statusCode).toBe(200)
    // The laptop's old id leads to its new session, used a moment ago: the phone is the one ended.
    expect(await signedIn(laptop)).toBe(true)
    expect(await signedIn(phone)).toBe(false)
    expect(await signedIn(tablet)).toBe(true)
  })
})

describe('2. a session rewritten without its binding attributes (another writer, e.g. the Rust crate)', () => {
  it('is not a stale entry: a login at the cap is refused, and sign-out-everywhere still ends it', async () => {
    const [laptop, phone, tablet] = await fullUser()
    await raw.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: sessionKey(store().props, laptop.id ?? ''),
        UpdateExpression: 'REMOVE bound_user, bound_key, user_handle, user_meta, last_used',
      }),
    )
    expect((await tablet.call('login/ada')).statusCode).toBe(403)
    expect(await store().users.endAll('ada')).toBe(2)
    const items = await scan(raw, tableName)
    expect(items.find((item) => item.id === laptop.id)).toBeUndefined()
    expect(await signedIn(phone)).toBe(false)
  })
})

describe('3. a sign-out-everywhere that dies holding the lease', () => {
  /**
   * Starts a sign-out-everywhere of ada whose `nth` call of `op` is never answered (its Lambda is gone),
   * and resolves once that call is held.
   */
  async function killedAt(op: string, nth = 1) {
    const admin = await device()
    const held = gate()
    let count = 0
    admin.proxy.intercept(async (request) => {
      if (request.op !== op || ++count !== nth) return undefined
      held.open()
      await new Promise(() => undefined) // never answered
      return 'forward'
    })
    const admins = new DynamoDBSessionStore({
      client: admin.client,
      tableName,
      users: userSessions(),
      timeoutMs: 60_000,
    })
    void admins.users.endAll('ada').catch(() => undefined)
    await held.opened
  }

  for (const [op, nth, where] of [
    ['BatchWriteItem', 1, 'after it took the lease'],
    ['Query', 1, 'after it deleted the listed sessions'],
    ['UpdateItem', 2, 'before its last write frees the lease'],
  ] as const) {
    it(`killed ${where}: a login waits at most the lease, with at most 10 transactions, and is bound`, async () => {
      const laptop = await device()
      await laptop.call('login/ada')
      await killedAt(op, nth)
      const until = Number((await userItem('ada'))?.revoking?.N)
      expect(until).toBeGreaterThan(Date.now())
      const phone = await device()
      const login = await phone.call('login/ada')
      const done = Date.now()
      expect(login.statusCode).toBe(200)
      expect(phone.proxy.seen.filter((o) => o === 'TransactWriteItems').length).toBeLessThanOrEqual(10)
      expect(done).toBeGreaterThanOrEqual(until) // it did wait for the lease
      expect(done - until).toBeLessThan(1000 + 2000) // the lease + 1 s, with room for a loaded machine
      expect(await signedIn(phone)).toBe(true)
      // A later sign-out-everywhere is complete: both ended.
      expect(await store().users.endAll('ada')).toBeGreaterThanOrEqual(1)
      expect(await signedIn(phone)).toBe(false)
      expect(await signedIn(laptop)).toBe(false)
    })
  }

  it('a login with less time left than the lease answers 503 with Retry-After, before its time runs out', async () => {
    const laptop = await device()
    await laptop.call('login/ada')
    await killedAt('BatchWriteItem')
    const phone = await device({ remainingMs: 1500 })
    const started = Date.now()
    const login = await phone.call('login/ada')
    expect(Date.now() - started).toBeLessThan(1500)
    expect(login.statusCode).toBe(503)
    expect(Number(login.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1)
    expect(Number(login.headers?.['Retry-After'])).toBeLessThanOrEqual(Math.ceil(USER_LEASE_MS / 1000) + 1)
    expect(phone.proxy.seen.filter((o) => o === 'TransactWriteItems').length).toBeLessThanOrEqual(10)
  })

  it('a sign-out whose lease runs out while it is stalled starts over, and ends the session bound meanwhile', async () => {
    const laptop = await device()
    await laptop.call('login/ada')
    const admin = await device()
    const hold = holdCall(admin, 'BatchWriteItem')
    const admins = new DynamoDBSessionStore({
      client: admin.client,
      tableName,
      users: userSessions(),
      timeoutMs: 60_000,
    })
    const ending = admins.users.endAll('ada')
    await hold.held
    const phone = await device()
    const login = await phone.call('login/ada') // waits the lease out, then binds
    expect(login.statusCode).toBe(200)
    hold.release()
    expect(await ending).toBe(2) // the laptop, and the phone bound while the lease had run out
    expect(await signedIn(phone)).toBe(false)
    expect(await signedIn(laptop)).toBe(false)
    // Started over from a fresh list (not only caught by the index): no entry is left behind.
    expect(Object.keys((await userItem('ada'))?.user_sessions?.M ?? {})).toEqual([])
  }, 30_000)

  it('a lost reply of the lease is recognised: the SDK retry finds its own lease, not a rival one', async () => {
    const laptop = await device()
    await laptop.call('login/ada')
    const admin = await device()
    let first = true
    admin.proxy.intercept(({ op }) => {
      if (op !== 'UpdateItem' || !first) return undefined
      first = false
      return 'applyThenDrop'
    })
    const admins = new DynamoDBSessionStore({ client: admin.client, tableName, users: userSessions() })
    const started = Date.now()
    expect(await admins.users.endAll('ada')).toBe(1)
    expect(Date.now() - started).toBeLessThan(USER_LEASE_MS) // it did not wait for its own lease
    expect(await signedIn(laptop)).toBe(false)
    expect((await userItem('ada'))?.revoking).toBeUndefined()
  })

  it('a bound session logging in again while sign-out-everywhere runs waits for it, is ended, in one round', async () => {
    const laptop = await device()
    await laptop.call('login/ada')
    const admin = await device()
    const deleting = holdCall(admin, 'BatchWriteItem')
    const admins = new DynamoDBSessionStore({
      client: admin.client,
      tableName,
      users: userSessions(),
      timeoutMs: 60_000,
    })
    const ending = admins.users.endAll('ada')
    await deleting.held // the lease is taken and the laptop's id read
    // The laptop regenerates (its entry would follow the new id): refused while the lease is held, it
    // tries again, and has not answered.
    const login = laptop.call('login/ada')
    expect(await answersBeforeRetry(laptop, 'TransactWriteItems', login)).toBe(false)
    deleting.release()
    expect(await ending).toBe(1)
    await login
    // One round: the lease taken and freed once (no bind or regenerate got in to start it over).
    expect(admin.proxy.seen.filter((op) => op === 'UpdateItem')).toHaveLength(2)
    expect(await signedIn(laptop)).toBe(false)
    expect(Object.keys((await userItem('ada'))?.user_sessions?.M ?? {})).toEqual([])
  })

  it("a bound session the user's item does not list (its entry lost) is still ended, through the index", async () => {
    const [laptop, phone] = [await device(), await device()]
    await laptop.call('login/ada')
    await phone.call('login/ada')
    const item = await userItem('ada')
    const [handle] = Object.entries(item?.user_sessions?.M ?? {}).find(([, sid]) => sid.S === laptop.id) ?? []
    await raw.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: sessionKey(store().props, 'USER#ada'),
        UpdateExpression: 'REMOVE user_sessions.#h',
        ExpressionAttributeNames: { '#h': handle ?? '' },
      }),
    )
    expect(await store().users.endAll('ada')).toBe(2)
    expect(await signedIn(laptop)).toBe(false)
    expect(await signedIn(phone)).toBe(false)
  })
})

describe('4. the cap: a typed refusal before side effects, or the least recently used ended', () => {
  it("refuses at bindUser() with TooManySessionsError (403), before the handler's side effects, in a handful of calls", async () => {
    const [laptop, phone] = [await capped(2), await capped(2)]
    await laptop.call('login/ada')
    await phone.call('login/ada')
    const tablet = await capped(2)
    effects = 0
    const errors: unknown[] = []
    const probe = await actor(
      tableName,
      async (session) => {
        try {
          await session.bindUser('ada')
        } catch (error) {
          errors.push(error)
          throw error
        }
        effects++
        return { statusCode: 200 }
      },
      { store: { users: userSessions({ maxSessionsPerUser: 2 }) } },
    )
    actors.push(probe)
    const refused = await probe.send('x')
    expect(refused.statusCode).toBe(403)
    expect(errors[0]).toBeInstanceOf(TooManySessionsError)
    expect(effects).toBe(0)
    // GetItem of the user's item + one BatchGetItem: no call per session.
    expect(probe.proxy.seen).toEqual(['GetItem', 'BatchGetItem'])
    expect((await tablet.call('login/ada')).statusCode).toBe(403)
    expect(cookieOf(await tablet.call('me'))).toBeUndefined()
  })

  it("with whenFull: 'end-least-recent' a login at the cap signs out the least recently used device", async () => {
    const options = {
      store: { users: userSessions({ maxSessionsPerUser: 2, whenFull: 'end-least-recent' }) },
    }
    const [laptop, phone, tablet] = [await device(options), await device(options), await device(options)]
    await laptop.call('login/ada')
    await phone.call('login/ada')
    await laptop.call('set/seen') // the phone is now the least recently used
    expect((await tablet.call('login/ada')).statusCode).toBe(200)
    expect(await signedIn(phone)).toBe(false)
    expect(await signedIn(laptop)).toBe(true)
    expect(await signedIn(tablet)).toBe(true)
    expect(await store().users.endAll('ada')).toBe(2)
  })

  it('logins racing at the cap: both find room, only one is bound, the other is refused (403)', async () => {
    const [laptop, phone, tablet] = [await capped(2), await capped(2), await capped(2)]
    await laptop.call('login/ada')
    // Both have checked the cap (one session of two) and are about to write: released together.
    const both = gate()
    let arrived = 0
    for (const dev of [phone, tablet]) {
      let first = true
      dev.proxy.intercept(async ({ op }) => {
        if (op !== 'TransactWriteItems' || !first) return undefined
        first = false
        if (++arrived === 2) both.open()
        await both.opened
        return 'forward'
      })
    }
    const results = await Promise.all([phone.call('login/ada'), tablet.call('login/ada')])
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 403])
    expect(Object.keys((await userItem('ada'))?.user_sessions?.M ?? {})).toHaveLength(2)
    expect(await store().users.endAll('ada')).toBe(2)
  })
})

describe("5. users' items and the application's items", () => {
  it('a key layout without a prefix is refused at the first user call; sessions without users keep working', async () => {
    const options = { store: { partitionKey: { name: 'session_id' } } }
    const app = await device(options)
    expect((await app.call('set/a')).statusCode).toBe(200)
    expect(app.id).toBeDefined()
    const errors: unknown[] = []
    const probe = await actor(
      tableName,
      async (session) => {
        await session.bindUser('ada').catch((error: unknown) => errors.push(error))
        return { statusCode: 200 }
      },
      options,
    )
    actors.push(probe)
    // The application's own item at the key a user's item would have had stays untouched.
    const appItem = { session_id: { S: 'USER#ada' }, name: { S: 'Ada Lovelace' } }
    await raw.send(new PutItemCommand({ TableName: tableName, Item: appItem }))
    await probe.send('x')
    expect(errors[0]).toBeInstanceOf(SessionConfigError)
    expect((errors[0] as Error).message).toMatch(/partitionKey prefix/)
    const direct = new DynamoDBSessionStore({
      client: raw,
      tableName,
      users: userSessions(),
      partitionKey: { name: 'session_id' },
    })
    await expect(direct.users.endAll('ada')).rejects.toBeInstanceOf(SessionConfigError)
    const item = await raw.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { session_id: { S: 'USER#ada' } },
        ConsistentRead: true,
      }),
    )
    expect(item.Item).toEqual(appItem)
  })

  it("an item that is not a user's at a user's key fails the login in a few calls, and is left as it is", async () => {
    const key = sessionKey(store().props, 'USER#ada')
    const foreign = { ...key, name: { S: 'not a user item' } }
    await raw.send(new PutItemCommand({ TableName: tableName, Item: foreign }))
    const tablet = await device()
    const login = await tablet.call('login/ada')
    expect(login.statusCode).toBe(500)
    expect(tablet.proxy.seen.length).toBeLessThanOrEqual(6)
    await expect(store().users.endAll('ada')).rejects.toBeInstanceOf(SessionStoreError)
    expect(
      (await raw.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item,
    ).toEqual(foreign)
  })
})

describe("6. the user's item stays small and expires", () => {
  it('entries are a handle and an id; the item expires 400 days after the last login; endAll leaves no lease behind', async () => {
    const [laptop, phone] = [await device(), await device()]
    await laptop.call('login/ada')
    await phone.call('login/ada')
    const item = await userItem('ada')
    const entries = Object.values(item?.user_sessions?.M ?? {})
    expect(entries).toEqual([{ S: expect.any(String) }, { S: expect.any(String) }])
    const expiry = Number(item?.expire_at?.N)
    const expected = Math.floor(Date.now() / 1000) + USER_ITEM_SECONDS
    expect(expiry).toBeGreaterThan(expected - 60)
    expect(expiry).toBeLessThanOrEqual(expected)
    expect(await store().users.endAll('ada')).toBe(2)
    const after = await userItem('ada')
    expect(after?.user_sessions).toEqual({ M: {} })
    expect(after?.revoking).toBeUndefined()
    expect(after?.revoke_token).toBeUndefined()
  })
})

describe('7. ending one device', () => {
  it('ending a device whose session regenerates meanwhile (and whose old item goes) ends the session it is now', async () => {
    const [laptop, phone] = [await device(), await device()]
    await laptop.call('login/ada')
    await phone.call('login/ada')
    const item = await userItem('ada')
    const [handle = ''] =
      Object.entries(item?.user_sessions?.M ?? {}).find(([, sid]) => sid.S === laptop.id) ?? []
    const admin = await device()
    const deleting = holdCall(admin, 'DeleteItem')
    const admins = new DynamoDBSessionStore({
      client: admin.client,
      tableName,
      users: userSessions(),
      timeoutMs: 60_000,
    })
    const ending = admins.users.end('ada', handle)
    await deleting.held // end() has read the laptop's id and is about to delete it
    const before = laptop.id
    expect((await laptop.call('login/ada')).statusCode).toBe(200) // a new id; the entry follows it
    await removeItem(before) // and the old id's item is gone (TTL)
    deleting.release()
    expect(await ending).toBe(true)
    expect(await signedIn(laptop)).toBe(false)
    expect(await signedIn(phone)).toBe(true)
    expect(Object.keys((await userItem('ada'))?.user_sessions?.M ?? {})).toHaveLength(1)
  })
})
