/**
 * `regenerate()` without transactions (`transactions: false`, for MRSC global tables, which refuse
 * `TransactWriteItems`): three writes, each attacked at the proxy. Every Lambda here sends through a proxy
 * that refuses transactions as an MRSC table does, so any transaction fails the test. For each write of
 * the plan: the Lambda killed right after it (every later call of its dropped), the write held while a
 * rival request (a logout, a write of another key) runs, and its reply lost after DynamoDB applied it.
 * What must hold at every point: no live duplicate (the old and the new id never both reach a session),
 * nothing brought back after a logout, nothing acknowledged lost. "Reachable" is what a reader of this
 * library finds: `load()` of each id in the table, which also confirms a new item past its commit point.
 */
import { describe, expect, it } from 'vitest'
import type { HttpResult } from '../support/app.ts'
import { killAfterWrite, mrscLambda, reachable as reachableIn } from '../support/mrsc.ts'
import {
  type ActorOptions,
  cookieOf,
  interleave,
  kthWrite,
  type Route,
  raceTables,
  scan,
  seed,
} from '../support/race.ts'

const tables = raceTables()
const { raw } = tables

const route: Route = async (session, path) => {
  const [verb, arg = ''] = path.split('/')
  switch (verb) {
    case 'read':
      return { statusCode: 200, body: JSON.stringify((await session.get('count')) ?? null) }
    case 'set':
      await session.get(arg)
      await session.set(arg, 1)
      return { statusCode: 200 }
    case 'login':
      await session.regenerate()
      return { statusCode: 200 }
    case 'logout':
      await session.destroy()
      return { statusCode: 204 }
  }
  return { statusCode: 404 }
}

/** A Lambda without transactions, behind a proxy that refuses them as an MRSC table does. */
const lambda = (options: ActorOptions = {}) =>
  mrscLambda(tables, route, { ...options, store: { users: undefined, ...(options.store as object) } })

/** The ids of the table whose session a reader of this library reaches, with their data. */
async function reachable(): Promise<Map<string, Record<string, unknown>>> {
  const found = await reachableIn(raw, tables.name)
  return new Map([...found].map(([id, record]) => [id, record.data]))
}

/** The three writes of a login without transactions, by name. */
const STEPS = [
  [1, 'the new item, pending'],
  [2, 'the old item replaced (the commit point)'],
  [3, 'the new item confirmed'],
] as const

describe('regenerate() without transactions, on a table that refuses them (MRSC)', () => {
  it('a login is three writes and no transaction: the new id live with the data, the old id dead', async () => {
    const id = await seed(raw, tables.name, { count: 3 })
    const a = await lambda()
    a.proxy.seen.length = 0
    const login = await a.send('login', id)
    expect(login.statusCode).toBe(200)
    expect(a.proxy.seen).toEqual(['GetItem', 'PutItem', 'PutItem', 'UpdateItem'])
    const next = cookieOf(login) as string
    expect(next).not.toBe(id)
    expect([...(await reachable())]).toEqual([[next, { count: 3 }]])
    expect((await a.send('read', id)).body).toBe('null') // the old cookie reaches nothing
    expect((await a.send('read', next)).body).toBe('3')
  })

  describe('the Lambda dies right after each write', () => {
    it('after the pending item: the old session lives on, alone; the pending one never becomes a session', async () => {
      const id = await seed(raw, tables.name, { count: 1 })
      const a = await lambda()
      killAfterWrite(a, 1)
      expect((await a.send('login', id)).statusCode).toBe(500)
      const pending = (await scan(raw, tables.name)).filter((s) => s.id !== id)
      expect(pending).toHaveLength(1) // written, and pending
      expect([...(await reachable())]).toEqual([[id, { count: 1 }]])
      // Unconfirmed, it expires within a minute: nothing of it is left to a cookie, now or later.
      expect(Number(pending[0]?.item.expire_at?.N)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 60)
    })

    it('after the commit point: one session, the new one, which a logout with the old cookie still ends', async () => {
      const id = await seed(raw, tables.name, { count: 1 })
      const a = await lambda()
      killAfterWrite(a, 2)
      // Its answer never reaches the browser: the Lambda is dead (here the request goes on without step 3).
      await a.send('login', id)
      const live = await reachable()
      // The old id is dead; the new session, whose cookie never left the dead Lambda, is the only one.
      expect([...live.values()]).toEqual([{ count: 1 }])
      expect(live.has(id)).toBe(false)
      const b = await lambda()
      expect((await b.send('logout', id)).statusCode).toBe(204)
      expect([...(await reachable())]).toEqual([])
    })

    it('a renewal killed after the commit point: the old cookie, within its grace, reaches the session and confirms it', async () => {
      const id = await seed(raw, tables.name, { count: 5 }, { renewed_at: { N: '1' } })
      const renewing = await lambda({ renewal: { every: 60, grace: 30 } })
      killAfterWrite(renewing, 2)
      await renewing.send('read', id) // its answer is lost with the Lambda
      const b = await lambda({ renewal: { every: 60, grace: 30 } })
      const again = await b.send('set/x', id)
      expect(again.statusCode).toBe(200)
      const live = await reachable()
      expect([...live.values()]).toEqual([{ count: 5, x: 1 }])
      expect(live.has(id)).toBe(false)
    })
  })

  describe.each(STEPS)('write %i (%s) held while a rival runs', (k) => {
    it('a logout with the old cookie: afterwards nothing is reachable, whatever the login answered', async () => {
      const id = await seed(raw, tables.name, { count: 1 })
      const a = await lambda()
      const b = await lambda()
      const answered = await interleave(
        a,
        'login',
        id,
        async () => expect((await b.send('logout', id)).statusCode).toBe(204),
        kthWrite(k),
      )
      expect([200, 409]).toContain(answered.statusCode)
      expect([...(await reachable())]).toEqual([])
      const next = cookieOf(answered)
      if (next) expect((await b.send('read', next)).body).toBe('null')
    })

    it('a write of another key: one copy of the session afterwards, and the write in it if answered 200', async () => {
      const id = await seed(raw, tables.name, { count: 1 })
      const a = await lambda()
      const b = await lambda()
      let rival: HttpResult = { statusCode: 0 }
      const answered = await interleave(
        a,
        'login',
        id,
        async () => {
          rival = await b.send('set/x', id)
        },
        kthWrite(k),
      )
      expect([200, 409]).toContain(answered.statusCode)
      const live = await reachable()
      // The login's session, and only if the rival read after the commit point (the old id dead), the
      // fresh session its cookie now names: never the old id, never two copies of the session.
      expect(live.has(id)).toBe(false)
      const fresh = cookieOf(rival) !== undefined && cookieOf(rival) !== id
      expect(live.size).toBe(fresh ? 2 : 1)
      if (answered.statusCode === 200)
        expect(live.get(cookieOf(answered) as string)).toMatchObject({ count: 1 })
      // Nothing acknowledged is lost: the rival's change is in the session its cookie names, or was carried
      // into the login's new session.
      if (rival.statusCode === 200) expect([...live.values()].some((data) => data.x === 1)).toBe(true)
    })
  })

  it.each(STEPS)('write %i (%s) applied and its reply lost: the login succeeds, one session', async (k) => {
    const id = await seed(raw, tables.name, { count: 2 })
    const a = await lambda()
    const isKth = kthWrite(k)
    a.proxy.intercept((request) => (isKth(request) ? 'applyThenDrop' : undefined))
    const login = await a.send('login', id)
    expect(login.statusCode).toBe(200)
    const next = cookieOf(login) as string
    expect([...(await reachable())]).toEqual([[next, { count: 2 }]])
  })
})
