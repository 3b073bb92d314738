/**
 * What a 409 (and a 503) means, exactly, through the middleware on DynamoDB Local with calls held at each
 * actor's fault proxy: none of the request's changes to its session is saved (no key, no expiry, no
 * binding, no new id), while what it did at once to other sessions stays done. README's "Errors say what
 * happened" and SessionConflictError's documentation name these tests.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HttpResult } from '../support/app.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import {
  type Actor,
  cookieOf,
  type Device,
  holdCall,
  liveSessions,
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

const route: Route = async (session, path) => {
  const [verb, arg = ''] = path.split('/')
  const json = (value: unknown) => ({ statusCode: 200, body: JSON.stringify(value) })
  switch (verb) {
    case 'login':
      await session.regenerate()
      await session.bindUser(arg)
      await session.set('name', arg)
      return json(await session.user())
    case 'name':
      await session.set('name', arg)
      return json(true)
    case 'end': // sign out another device, then change this session
      await session.endUserSession(arg)
      await session.set('name', 'after-end')
      return json(true)
    case 'me':
      return json((await session.user()) ?? null)
  }
  return { statusCode: 404 }
}

async function device(): Promise<Device> {
  const created = await makeDevice(tableName, route)
  actors.push(created)
  return created
}

const body = <T>(result: HttpResult) => JSON.parse(result.body ?? 'null') as T
const NOT_SAVED = /none of this request's session changes was saved/

describe('a 409: none of the changes to its session is saved', () => {
  it('a login that conflicts leaves the session as it was: no new id, no binding, not its key', async () => {
    const phone = await device()
    await phone.call('name/anonymous')
    const id = phone.id ?? ''
    const other = await device() // another tab of the same browser
    const writing = holdCall(phone, 'TransactWriteItems')
    const login = phone.call('login/ada')
    await writing.held // read, checked ada's room, about to write the new id and the binding
    expect((await other.send('name/bob', id)).statusCode).toBe(200)
    writing.release()
    const refused = await login
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toMatch(NOT_SAVED)
    expect(cookieOf(refused)).toBeUndefined()
    // The session is the other tab's: its key, its id, no user; no second session was written.
    const live = await liveSessions(raw, tableName)
    expect(live.map((s) => [s.id, s.data])).toEqual([[id, { name: 'bob' }]])
    const item = (await scan(raw, tableName)).find((s) => s.id === id)
    expect(item?.item.bound_user).toBeUndefined()
    // What bindUser() did at once stays: ada's (empty) item, created when her room was checked.
    expect((await userItemOf(raw, tableName, 'ada'))?.user_sessions).toEqual({ M: {} })
    expect(body(await phone.call('me'))).toBeNull()
  })

  it('a request that signed out another device, then conflicted: that device stays signed out, its own change is not saved', async () => {
    const [laptop, phone] = [await device(), await device()]
    await laptop.call('login/ada')
    await phone.call('login/ada')
    const entries = Object.entries((await userItemOf(raw, tableName, 'ada'))?.user_sessions?.M ?? {})
    const [laptopHandle = ''] = entries.find(([, sid]) => sid.S === laptop.id) ?? []
    const id = phone.id ?? ''
    const saving = holdCall(phone, (r) => r.op === 'UpdateItem' && r.text.includes(id)) // the save of the phone's own session
    const ending = phone.call(`end/${laptopHandle}`)
    await saving.held // the laptop is signed out already; the phone's change is about to be written
    const other = await device()
    expect((await other.send('name/bob', id)).statusCode).toBe(200)
    saving.release()
    const refused = await ending
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toMatch(NOT_SAVED)
    expect(body(await laptop.call('me'))).toBeNull() // acted at once: stays done
    expect(body<{ userId: string }>(await phone.call('me'))?.userId).toBe('ada')
    expect((await liveSessions(raw, tableName)).find((s) => s.id === id)?.data).toEqual({ name: 'bob' })
  })
})

describe('a 503: a user item busy at every try', () => {
  it('a login whose transaction is cancelled by other transactions at every try answers 503 with Retry-After, having saved nothing', async () => {
    const phone = await device()
    await phone.call('name/anonymous')
    const id = phone.id ?? ''
    phone.proxy.intercept(({ op }) =>
      op === 'TransactWriteItems'
        ? {
            error: 'TransactionCanceledException',
            message:
              'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
            extra: { CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] },
          }
        : undefined,
    )
    const started = Date.now()
    const busy = await phone.call('login/ada')
    expect(busy.statusCode).toBe(503)
    expect(busy.body).toMatch(/stayed busy/)
    expect(Number(busy.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1)
    // Tried a bounded number of times (the first and 20 more), with pauses, then gave up.
    expect(phone.proxy.seen.filter((op) => op === 'TransactWriteItems')).toHaveLength(21)
    expect(Date.now() - started).toBeLessThan(10_000)
    const live = await liveSessions(raw, tableName)
    expect(live.map((s) => [s.id, s.data])).toEqual([[id, { name: 'anonymous' }]])
  })
})
