/**
 * Writes without a read (`blindWrites`) racing other requests, forced at the proxy on DynamoDB Local: the
 * one update held while a logout, a login, a renewal or a reading writer lands, and its reply lost. A blind
 * write is one call, so there is no point between two of its writes where the Lambda could die; what can
 * happen is that the update is refused, and then the item it was refused on decides the rest.
 */
import { describe, expect, it } from 'vitest'
import type { HttpResult } from '../support/app.ts'
import { gate, WRITE_OPS } from '../support/fault-proxy.ts'
import {
  type Actor,
  type ActorOptions,
  cookieOf,
  interleave,
  liveSessions,
  type Route,
  raceTables,
  seed,
} from '../support/race.ts'

const tables = raceTables()
const { raw } = tables
const BLIND = { blindWrites: true } satisfies ActorOptions

const route: Route = async (session, path) => {
  const [verb, key = '', value = '1'] = path.split('/')
  switch (verb) {
    case 'put': // sets without reading
      await session.set(key, Number(value))
      return { statusCode: 200 }
    case 'incr': {
      const count = (((await session.get(key)) as number | undefined) ?? 0) + 1
      await session.set(key, count)
      return { statusCode: 200, body: String(count) }
    }
    case 'read':
      return { statusCode: 200, body: JSON.stringify((await session.get(key)) ?? null) }
    case 'login':
      await session.regenerate()
      await session.set('role', 'user')
      return { statusCode: 200 }
    case 'logout':
      await session.destroy()
      return { statusCode: 204 }
  }
  return { statusCode: 404 }
}

const lambda = (options: ActorOptions = {}): Promise<Actor> => tables.lambda(route, options)

describe('a blind write', () => {
  it('is one UpdateItem and no read', async () => {
    const id = await seed(raw, tables.name, { count: 1 })
    const app = await lambda(BLIND)
    expect((await app.send('put/locale/7', id)).statusCode).toBe(200)
    expect(app.proxy.seen).toEqual(['UpdateItem'])
    expect((await liveSessions(raw, tables.name))[0]?.data).toEqual({ count: 1, locale: 7 })
  })

  it('racing a request that read the same key and writes it: that request is told 409, the blind value stays', async () => {
    const id = await seed(raw, tables.name, { count: 0 })
    const reader = await lambda()
    const blind = await lambda(BLIND)
    const incr = await interleave(reader, 'incr/count', id, async () => {
      expect((await blind.send('put/count/5', id)).statusCode).toBe(200)
    })
    expect(incr.statusCode).toBe(409) // it read 0: the promise holds for every request that reads
    expect((await liveSessions(raw, tables.name))[0]?.data).toEqual({ count: 5 })
  })

  it('two blind writes of one key at once: both answered 200, the last one written wins (documented)', async () => {
    const id = await seed(raw, tables.name, { count: 0 })
    const [a, b] = [await lambda(BLIND), await lambda(BLIND)]
    const first = await interleave(a, 'put/k/1', id, async () => {
      expect((await b.send('put/k/2', id)).statusCode).toBe(200)
    })
    expect(first.statusCode).toBe(200)
    expect((await liveSessions(raw, tables.name))[0]?.data).toEqual({ count: 0, k: 1 })
  })
})

describe('a blind write racing the end or the move of its session', () => {
  it('a logout lands first: the write finds no session and starts a new one with its key alone', async () => {
    const id = await seed(raw, tables.name, { secret: 1 })
    const blind = await lambda(BLIND)
    const other = await lambda()
    const result = await interleave(blind, 'put/k/1', id, async () => {
      expect((await other.send('logout', id)).statusCode).toBe(204)
    })
    expect(result.statusCode).toBe(200)
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).toEqual([cookieOf(result)])
    expect(live[0]?.data).toEqual({ k: 1 }) // the logged-out data does not come back
  })

  it('a login lands first: the write does not reach the logged-in session (the old id ends at once)', async () => {
    const id = await seed(raw, tables.name, { cart: 1 })
    const blind = await lambda(BLIND)
    const other = await lambda()
    let login: HttpResult = { statusCode: 0 }
    const result = await interleave(blind, 'put/k/1', id, async () => {
      login = await other.send('login', id)
    })
    expect(result.statusCode).toBe(200)
    const live = await liveSessions(raw, tables.name)
    expect(live.find((s) => s.id === cookieOf(login))?.data).toEqual({ cart: 1, role: 'user' })
    expect(live.find((s) => s.id === cookieOf(result))?.data).toEqual({ k: 1 })
  })

  it('a renewal lands first: the write follows the grace window to the renewed id, and its cookie too', async () => {
    const created = { N: String(Math.floor(Date.now() / 1000) - 120) }
    const id = await seed(raw, tables.name, { count: 2 }, { created_at: created })
    const blind = await lambda(BLIND)
    const renewer = await lambda({ renewal: { every: 60 } })
    let renewal: HttpResult = { statusCode: 0 }
    const result = await interleave(blind, 'put/k/1', id, async () => {
      renewal = await renewer.send('read/count', id)
    })
    expect(result.statusCode).toBe(200)
    expect(cookieOf(result)).toBe(cookieOf(renewal))
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).toEqual([cookieOf(renewal)])
    expect(live[0]?.data).toEqual({ count: 2, k: 1 })
  })

  it('its reply lost, and a write of the same key lands before the SDK sends it again: that write stays', async () => {
    const id = await seed(raw, tables.name, { k: 0 })
    const blind = await lambda(BLIND)
    const reader = await lambda()
    const retried = gate()
    const release = gate()
    let writes = 0
    blind.proxy.intercept(async ({ op }) => {
      if (!WRITE_OPS.has(op)) return undefined
      if (++writes === 1) return 'applyThenDrop' // applied: k = 9; the reply never comes
      retried.open()
      await release.opened
      return 'forward'
    })
    const pending = blind.send('put/k/9', id)
    await retried.opened
    expect((await reader.send('incr/k', id)).body).toBe('10') // read 9, wrote 10: acknowledged
    release.open()
    expect((await pending).statusCode).toBe(200) // recognised by its write token, not applied again
    expect((await liveSessions(raw, tables.name))[0]?.data).toEqual({ k: 10 })
  })
})

describe('what the review of blind writes found', () => {
  it('a blind write whose reply was lost, retried after a login: saved (the login carried it), no cookie given', async () => {
    const id = await seed(raw, tables.name, { cart: 1 })
    const blind = await lambda(BLIND)
    const retried = gate()
    const release = gate()
    let writes = 0
    blind.proxy.intercept(async ({ op }) => {
      if (!WRITE_OPS.has(op)) return undefined
      if (++writes === 1) return 'applyThenDrop'
      retried.open()
      await release.opened
      return 'forward'
    })
    const pending = blind.send('put/k/1', id)
    await retried.opened
    const login = await (await lambda()).send('login', id)
    release.open()
    const result = await pending
    expect(result.statusCode).toBe(200)
    expect(cookieOf(result)).toBeUndefined() // never the post-login id, nor the dead old one
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).toEqual([cookieOf(login)])
    expect(live[0]?.data).toEqual({ cart: 1, k: 1, role: 'user' })
  })

  it('two blind writes of one key on a session with its own expiry (the read-and-save fallback): both 200', async () => {
    const policy = { expiry_policy: { S: 'onInactivity:600' } }
    const id = await seed(raw, tables.name, { count: 0 }, policy)
    const [a, b] = [await lambda(BLIND), await lambda(BLIND)]
    // Hold a's second write: the fallback's update, made after its one update was refused (the policy).
    const held = gate()
    const release = gate()
    let writes = 0
    a.proxy.intercept(async ({ op }) => {
      if (!WRITE_OPS.has(op) || ++writes !== 2) return undefined
      held.open()
      await release.opened
      return 'forward'
    })
    const first = a.send('put/k/1', id)
    await held.opened
    expect((await b.send('put/k/2', id)).statusCode).toBe(200)
    release.open()
    expect((await first).statusCode).toBe(200) // last writer wins, as on the one-update path
    const live = await liveSessions(raw, tables.name)
    expect(live[0]?.data).toEqual({ count: 0, k: 1 })
    expect(live[0]?.item.expiry_policy?.S).toBe('onInactivity:600')
  })
})
