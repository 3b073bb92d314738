/**
 * Races and partial failures, forced deterministically: each concurrent request runs through its own
 * fault proxy in front of DynamoDB Local, and the test holds, releases or drops exactly the calls that
 * make the interleaving. Every test states the promise it proves; docs/concurrency.md and SECURITY.md name them.
 */
import { describe, expect, it } from 'vitest'
import { Expiry, gzipCodec, jsonStringCodec, SessionDataError, SessionStoreError } from '../../src/index.ts'
import type { HttpResult } from '../support/app.ts'
import { type FaultProxy, gate, WRITE_OPS } from '../support/fault-proxy.ts'
import {
  type Actor,
  type ActorOptions,
  cookieOf,
  interleave,
  liveSessions,
  type Route,
  raceTables,
  scan,
  seed,
} from '../support/race.ts'

const tables = raceTables()
const { raw } = tables

/** The routes every actor serves. */
const routes: Record<string, Route> = {
  read: async (session) => ({ statusCode: 200, body: JSON.stringify((await session.get('count')) ?? null) }),
  incr: async (session) => {
    const count = (((await session.get('count')) as number | undefined) ?? 0) + 1
    await session.set('count', count)
    return { statusCode: 200, body: String(count) }
  },
  login: async (session) => {
    await session.regenerate()
    await session.set('role', 'user')
    return { statusCode: 200 }
  },
  logout: async (session) => {
    await session.destroy()
    return { statusCode: 204 }
  },
  short: async (session) => {
    await session.setExpiry(Expiry.onInactivity(60))
    return { statusCode: 200 }
  },
}

async function lambda(options: ActorOptions = {}, extra: Record<string, Route> = {}): Promise<Actor> {
  const route: Route = async (session, path, body) => {
    const handler = extra[path] ?? routes[path]
    if (handler) return handler(session, path, body)
    // `/set/<key>`: sets one key (the value is the body, or 1).
    const [verb, key = ''] = path.split('/')
    if (verb === 'set') {
      await session.get(key)
      await session.set(key, body === undefined ? 1 : JSON.parse(body))
      return { statusCode: 200 }
    }
    return { statusCode: 404 }
  }
  return tables.lambda(route, options)
}

const bodies = async (id: string) => (await scan(raw, tables.name)).find((s) => s.id === id)

describe('1. regenerate() racing a request that writes another key', () => {
  it('the racing write lands first: regenerate carries it into the new session (nothing acknowledged is lost)', async () => {
    const id = await seed(raw, tables.name, { cart: 1 })
    const login = await lambda()
    const writer = await lambda()
    const result = await interleave(login, 'login', id, async () => {
      expect((await writer.send('set/flash', id)).statusCode).toBe(200)
    })
    expect(result.statusCode).toBe(200)
    const newId = cookieOf(result)
    expect(newId).toBeTruthy()
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).toEqual([newId])
    expect(live[0]?.data).toEqual({ cart: 1, flash: 1, role: 'user' })
  })

  it('regenerate lands first: the racing write of the old id gets 409 and writes nothing', async () => {
    const id = await seed(raw, tables.name, { cart: 1 })
    const login = await lambda()
    const writer = await lambda()
    let result: HttpResult = { statusCode: 0 }
    const write = await interleave(writer, 'set/flash', id, async () => {
      result = await login.send('login', id)
    })
    expect(result.statusCode).toBe(200)
    expect(write.statusCode).toBe(409)
    expect(write.body).toMatch(/ended|replaced/)
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).toEqual([cookieOf(result)])
    expect(live[0]?.data).toEqual({ cart: 1, role: 'user' })
  })
})

describe('2. destroy() (logout) racing regenerate() (login) on one session: a logout stays final', () => {
  it('login commits first, then the logout of the old id: the new session is ended too', async () => {
    const id = await seed(raw, tables.name, { cart: 1 })
    const login = await lambda()
    const logout = await lambda()
    const loginResult = await login.send('login', id)
    expect(loginResult.statusCode).toBe(200)
    const logoutResult = await logout.send('logout', id)
    expect(logoutResult.statusCode).toBe(204)
    expect(cookieOf(logoutResult)).toBe('')
    expect(await liveSessions(raw, tables.name)).toEqual([])
    // The new cookie no longer works either.
    const reader = await lambda()
    const read = await reader.send('read', cookieOf(loginResult))
    expect(read.body).toBe('null')
  })

  it('logout commits while the login is about to write: the login gets 409 and nothing lives on', async () => {
    const id = await seed(raw, tables.name, { cart: 1 })
    const login = await lambda()
    const logout = await lambda()
    const result = await interleave(login, 'login', id, async () => {
      expect((await logout.send('logout', id)).statusCode).toBe(204)
    })
    expect(result.statusCode).toBe(409)
    expect(cookieOf(result)).toBeUndefined()
    expect(await liveSessions(raw, tables.name)).toEqual([])
  })
})

describe('3. two regenerate() calls racing on one session', () => {
  it('exactly one succeeds and exactly one live session descends from it', async () => {
    const id = await seed(raw, tables.name, { cart: 1 })
    const a = await lambda()
    const b = await lambda()
    const both = gate()
    let waiting = 0
    const arrivedBoth = gate()
    for (const proxy of [a.proxy, b.proxy]) {
      let held = false
      proxy.intercept(async ({ op }) => {
        if (held || !WRITE_OPS.has(op)) return undefined
        held = true
        if (++waiting === 2) arrivedBoth.open()
        await both.opened
        return 'forward'
      })
    }
    const results = Promise.all([a.send('login', id), b.send('login', id)])
    await arrivedBoth.opened
    both.open()
    const statuses = (await results).map((r) => r.statusCode).sort()
    expect(statuses).toEqual([200, 409])
    const live = await liveSessions(raw, tables.name)
    expect(live).toHaveLength(1)
    expect(live[0]?.id).not.toBe(id)
  })
})

describe('4. a touch never undoes a concurrent setExpiry()', () => {
  it('a read-only request that loaded before another shortened the expiry does not push it back', async () => {
    const id = await seed(raw, tables.name, { count: 1 })
    const reader = await lambda({ touchAfter: 0 })
    const shortener = await lambda()
    // The reader loaded the session and is about to touch it when another request shortens the expiry.
    const reading = await interleave(reader, 'read', id, async () => {
      expect((await shortener.send('short', id)).statusCode).toBe(200)
    })
    expect(reading.statusCode).toBe(200)
    const item = await bodies(id)
    expect(item?.expireAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 61)
  })
})

describe('5 and 15. failOpen after a failed read: one contract, no 2xx for what did not happen', () => {
  async function unreadable(extra: Record<string, Route>) {
    const failing = await lambda({ failOpen: true, maxAttempts: 2 }, extra)
    failing.proxy.intercept(({ op }) => (op === 'GetItem' ? 'internal' : undefined))
    return failing
  }

  it('destroy() after a failed get() still deletes the session and expires the cookie', async () => {
    const id = await seed(raw, tables.name, { role: 'admin' })
    const app = await unreadable({
      out: async (session) => {
        expect(await session.get('role')).toBeUndefined()
        expect(session.unavailable).toBe(true)
        await session.destroy()
        return { statusCode: 204 }
      },
    })
    const result = await app.send('out', id)
    expect(result.statusCode).toBe(204)
    expect(cookieOf(result)).toBe('')
    expect(await bodies(id)).toBeUndefined()
  })

  it('set() after a failed read throws SessionStoreError: the request fails, nothing is written', async () => {
    const id = await seed(raw, tables.name, { count: 1 })
    let thrown: unknown
    const app = await unreadable({
      put: async (session) => {
        await session.get('count')
        try {
          await session.set('count', 2)
        } catch (error) {
          thrown = error
          throw error
        }
        return { statusCode: 200 }
      },
    })
    const result = await app.send('put', id)
    expect(thrown).toBeInstanceOf(SessionStoreError)
    expect(result.statusCode).toBeGreaterThanOrEqual(500)
    expect(cookieOf(result)).toBeUndefined()
    expect((await bodies(id))?.data).toEqual({ count: 1 })
    expect(app.proxy.seen.filter((op) => WRITE_OPS.has(op))).toEqual([])
  })

  it('a login (regenerate() then set()) after a failed read fails with SessionStoreError, no cookie', async () => {
    const id = await seed(raw, tables.name, { cart: 1 })
    const app = await unreadable({})
    const result = await app.send('login', id)
    expect(result.statusCode).toBeGreaterThanOrEqual(500)
    expect(cookieOf(result)).toBeUndefined()
    expect((await bodies(id))?.data).toEqual({ cart: 1 })
  })

  it('delete(), clear() and setExpiry() after a failed read throw SessionStoreError too', async () => {
    const id = await seed(raw, tables.name, { count: 1 })
    const errors: unknown[] = []
    const app = await unreadable({
      all: async (session) => {
        for (const attempt of [
          () => session.delete('count'),
          () => session.clear(),
          () => session.setExpiry(Expiry.onInactivity(60)),
        ]) {
          await attempt().catch((error: unknown) => errors.push(error))
        }
        return { statusCode: 200 }
      },
    })
    const result = await app.send('all', id)
    expect(errors).toHaveLength(3)
    for (const error of errors) expect(error).toBeInstanceOf(SessionStoreError)
    // The handler chose to answer anyway: nothing was claimed, nothing written, no cookie.
    expect(result.statusCode).toBe(200)
    expect(cookieOf(result)).toBeUndefined()
    expect((await bodies(id))?.data).toEqual({ count: 1 })
  })
})

describe('6 and 16. destroy() while a load is still in flight', () => {
  async function heldRead(extra: Route) {
    const release = gate()
    const arrived = gate()
    const app = await lambda({}, { go: extra })
    app.proxy.intercept(async ({ op }) => {
      if (op !== 'GetItem') return undefined
      arrived.open()
      await release.opened
      return 'forward'
    })
    return { app, release, arrived }
  }

  it('the load finishing after destroy() cannot undo it: item deleted, cookie expired', async () => {
    const id = await seed(raw, tables.name, { role: 'admin' })
    const controls: { release?: () => void; arrived?: Promise<void> } = {}
    const { app, release, arrived } = await heldRead(async (session) => {
      const loading = session.get('role')
      await controls.arrived
      await session.destroy()
      controls.release?.()
      expect(await loading).toBeUndefined()
      return { statusCode: 204 }
    })
    controls.release = release.open
    controls.arrived = arrived.opened
    const result = await app.send('go', id)
    expect(result.statusCode).toBe(204)
    expect(cookieOf(result)).toBe('')
    expect(await bodies(id)).toBeUndefined()
  })

  it('get() in flight, destroy(), then set(): a new session with the new data, the old one gone', async () => {
    const id = await seed(raw, tables.name, { role: 'admin' })
    const controls: { release?: () => void; arrived?: Promise<void> } = {}
    const { app, release, arrived } = await heldRead(async (session) => {
      const loading = session.get('role')
      await controls.arrived
      await session.destroy()
      await session.set('flash', 'bye')
      controls.release?.()
      await loading
      return { statusCode: 200 }
    })
    controls.release = release.open
    controls.arrived = arrived.opened
    const result = await app.send('go', id)
    expect(result.statusCode).toBe(200)
    const newId = cookieOf(result)
    expect(newId).toBeTruthy()
    expect(newId).not.toBe(id)
    expect(await bodies(id)).toBeUndefined()
    expect((await bodies(newId ?? ''))?.data).toEqual({ flash: 'bye' })
  })
})

describe('7 and 17. a reply lost after DynamoDB applied the write (the SDK retries)', () => {
  function loseFirstWriteReply(proxy: FaultProxy) {
    let lost = false
    proxy.intercept(({ op }) => {
      if (lost || !WRITE_OPS.has(op)) return undefined
      lost = true
      return 'applyThenDrop'
    })
  }

  /**
   * Loses the reply of the first `UpdateItem` after DynamoDB applied it, and holds the SDK's retry until
   * `release` opens (`retried` opens when it arrives); later writes go through.
   */
  function holdRetryOfLostWrite(proxy: FaultProxy) {
    let writes = 0
    const retried = gate()
    const release = gate()
    proxy.intercept(async ({ op }) => {
      if (op !== 'UpdateItem') return undefined
      writes++
      if (writes === 1) return 'applyThenDrop' // applied; the reply never comes
      if (writes === 2) {
        retried.open()
        await release.opened
      }
      return 'forward'
    })
    return { retried, release }
  }

  it('a save: the retry recognises its own write and answers 200 with the saved value', async () => {
    const id = await seed(raw, tables.name, { count: 1 })
    const app = await lambda()
    loseFirstWriteReply(app.proxy)
    const result = await app.send('incr', id)
    expect(result.statusCode).toBe(200)
    expect(result.body).toBe('2')
    expect((await bodies(id))?.data).toEqual({ count: 2 })
    expect(app.proxy.seen.filter((op) => WRITE_OPS.has(op)).length).toBeGreaterThanOrEqual(2)
  })

  it('a save whose lost reply is retried only after a login moved the session: 200, the change lives on under the new id, which its cookie is not given', async () => {
    const id = await seed(raw, tables.name, { count: 1 })
    const writer = await lambda()
    // Applied (count 2), the reply lost; the SDK's retry held while a login regenerates the session.
    const { retried, release } = holdRetryOfLostWrite(writer.proxy)
    const saving = writer.send('incr', id)
    await retried.opened
    const login = await (await lambda()).send('login', id)
    expect(login.statusCode).toBe(200)
    release.open()
    const saved = await saving
    expect(saved.statusCode).toBe(200) // not a 409: its change was saved, and the login carried it
    expect(saved.body).toBe('2')
    // The old id must not lead to the post-login one (whoever holds it), nor overwrite the browser's.
    expect(cookieOf(saved)).toBeUndefined()
    expect((await bodies(cookieOf(login) ?? ''))?.data).toEqual({ count: 2, role: 'user' })
  })

  // The window of write tokens (item-layout's KEPT_TOKENS): a write that reads keeps the newest 3 tokens it
  // found (and those of the same second), so the SDK's retry of a write whose reply was lost recognises it
  // unless 4 writes that read, each in a later second, landed in between. On a test clock, 1 s apart.
  for (const [between, recognised] of [
    [3, true],
    [4, false],
  ] as const) {
    it(`a save whose lost reply is retried after ${between} writes in later seconds: ${recognised ? 'recognised, 200' : 'no longer recognised, 409 (its value was applied, then overwritten by writes that read it: nothing lost)'}`, async () => {
      let clock = Date.now()
      const now = () => clock
      const id = await seed(raw, tables.name, { count: 1 })
      const writer = await lambda({ now })
      // Applied (count 2), the reply lost; the SDK's retry held while other requests write.
      const { retried, release } = holdRetryOfLostWrite(writer.proxy)
      const saving = writer.send('incr', id)
      await retried.opened
      const other = await lambda({ now })
      for (let i = 0; i < between; i++) {
        clock += 1000
        expect((await other.send('incr', id)).statusCode).toBe(200)
      }
      release.open()
      const saved = await saving
      expect(saved.statusCode).toBe(recognised ? 200 : 409)
      if (recognised) expect(saved.body).toBe('2')
      // Applied once either way: the other writes counted on from it.
      expect((await bodies(id))?.data).toEqual({ count: 2 + between })
    })
  }

  it('a first visit: one item, not a second orphan, and the cookie names it', async () => {
    const before = (await scan(raw, tables.name)).length
    const app = await lambda()
    loseFirstWriteReply(app.proxy)
    const result = await app.send('incr')
    expect(result.statusCode).toBe(200)
    const after = await scan(raw, tables.name)
    expect(after).toHaveLength(before + 1)
    expect((await bodies(cookieOf(result) ?? ''))?.data).toEqual({ count: 1 })
  })

  it('a regenerate(): the retried transaction is recognised, one live session', async () => {
    const id = await seed(raw, tables.name, { cart: 1 })
    const app = await lambda()
    loseFirstWriteReply(app.proxy)
    const result = await app.send('login', id)
    expect(result.statusCode).toBe(200)
    const live = await liveSessions(raw, tables.name)
    expect(live.filter((s) => s.data?.cart === 1).map((s) => s.id)).toEqual([cookieOf(result)])
  })

  it('a conditional delete of an emptied session, and a touch', async () => {
    const id = await seed(raw, tables.name, { count: 1 })
    const app = await lambda(
      { touchAfter: 0 },
      {
        empty: async (session) => {
          await session.delete('count')
          return { statusCode: 200 }
        },
      },
    )
    loseFirstWriteReply(app.proxy)
    const read = await app.send('read', id)
    expect(read.statusCode).toBe(200)
    expect(cookieOf(read)).toBe(id) // the touch was applied, and its cookie sent
    loseFirstWriteReply(app.proxy)
    const emptied = await app.send('empty', id)
    expect(emptied.statusCode).toBe(200)
    expect(cookieOf(emptied)).toBe('')
    expect(await bodies(id)).toBeUndefined()
  })
})

describe('8, 9, 11. bad data is refused at set() with SessionDataError, never at flush', () => {
  async function refused(value: unknown, options: ActorOptions = {}, key = 'k') {
    const id = await seed(raw, tables.name, { count: 1 })
    let thrown: unknown
    const app = await lambda(options, {
      bad: async (session) => {
        await session.set(key, value).catch((error: unknown) => {
          thrown = error
        })
        return { statusCode: 200 }
      },
    })
    const result = await app.send('bad', id)
    expect(result.statusCode).toBe(200)
    expect((await bodies(id))?.data).toEqual({ count: 1 })
    return thrown
  }

  it('8. gzipCodec: a session its own decoder would refuse (maxInflatedBytes) is refused at set()', async () => {
    const error = await refused('x'.repeat(4000), { store: { codec: gzipCodec({ maxInflatedBytes: 2000 }) } })
    expect(error).toBeInstanceOf(SessionDataError)
  })

  it('9. a nested own "__proto__" key (from JSON.parse) is refused by the native map codec', async () => {
    const error = await refused(JSON.parse('{"a":{"__proto__":{"x":1}}}'))
    expect(error).toBeInstanceOf(SessionDataError)
    expect(String((error as Error).message)).toMatch(/__proto__/)
  })

  it('9. the JSON codec stores it, and a concurrent writer of another key re-bases onto it', async () => {
    const store = { codec: jsonStringCodec }
    const id = await seed(raw, tables.name, {}, { version: { N: '1' }, data: { S: '{"count":1}' } })
    const a = await lambda({ store })
    const b = await lambda({ store })
    const writing = await interleave(a, 'set/other', id, async () => {
      expect((await b.send('set/tricky', id, '{"a":{"__proto__":{"x":1}}}')).statusCode).toBe(200)
    })
    expect(writing.statusCode).toBe(200)
    const stored = JSON.parse((await bodies(id))?.item.data?.S ?? '{}')
    expect(stored).toEqual(JSON.parse('{"count":1,"other":1,"tricky":{"a":{"__proto__":{"x":1}}}}'))
  })

  it('11. lone surrogates are refused in keys and in values, nested or not', async () => {
    expect(await refused(1, {}, 'bad\ud800')).toBeInstanceOf(SessionDataError)
    expect(await refused('x\udc00')).toBeInstanceOf(SessionDataError)
    expect(await refused({ deep: ['ok', 'no\ud800'] })).toBeInstanceOf(SessionDataError)
    expect(await refused({ ['key\udfff']: 1 })).toBeInstanceOf(SessionDataError)
  })

  it('a value that would make the item exceed 400 KB is refused at set()', async () => {
    expect(await refused('x'.repeat(410 * 1024))).toBeInstanceOf(SessionDataError)
  })
})

describe('10. version attributes written by other tools', () => {
  for (const [name, version] of [
    ['0', { N: '0' }],
    ['missing (the Rust crate writes none)', undefined],
    ['non-numeric', { S: 'abc' }],
    ['negative', { N: '-3' }],
    ['a fraction', { N: '1.5' }],
  ] as const) {
    it(`a version that is ${name}: the session loads and saves, then concurrency is guarded again`, async () => {
      // Other tools write no write tokens either.
      const id = await seed(raw, tables.name, { count: 5 }, { version, write_tokens: undefined })
      const app = await lambda()
      const first = await app.send('incr', id)
      expect(first.statusCode).toBe(200)
      expect(first.body).toBe('6')
      const second = await app.send('incr', id)
      expect(second.body).toBe('7')
      const item = await bodies(id)
      expect(item?.data).toEqual({ count: 7 })
      expect(Number(item?.item.version?.N)).toBeGreaterThan(0)
    })
  }
})

describe('12. many concurrent requests on one session', () => {
  /** Holds every first write of each request until all `count` have loaded and are about to write. */
  function holdAllWrites(actorList: Actor[], count: number) {
    const all = gate()
    let arrived = 0
    for (const a of actorList) {
      let held = false
      a.proxy.intercept(async ({ op }) => {
        if (held || !WRITE_OPS.has(op)) return undefined
        held = true
        if (++arrived === count) all.open()
        await all.opened
        return 'forward'
      })
    }
  }

  it('50 requests writing 50 different keys, released at once: all 50 answered 200 and all kept', async () => {
    const id = await seed(raw, tables.name, { seed: 1 })
    const writers = await Promise.all(Array.from({ length: 50 }, () => lambda()))
    holdAllWrites(writers, 50)
    const results = await Promise.all(writers.map((w, i) => w.send(`set/k${i}`, id)))
    expect(results.map((r) => r.statusCode)).toEqual(results.map(() => 200))
    const data = (await bodies(id))?.data
    expect(data).toEqual({ seed: 1, ...Object.fromEntries(writers.map((_, i) => [`k${i}`, 1])) })
    // In one write each, with no retry: every request made one read and one in-place update, no more
    // (a re-based write, or the SDK retrying one, would show here as a second write at its proxy).
    for (const w of writers) expect(w.proxy.seen).toEqual(['GetItem', 'UpdateItem'])
    expect(writers.flatMap((w) => w.proxy.seen.filter((op) => WRITE_OPS.has(op)))).toHaveLength(50)
  })

  it('50 requests incrementing one key, released at once: one 200, 49 × 409, the count went up by one', async () => {
    const id = await seed(raw, tables.name, { count: 10 })
    const writers = await Promise.all(Array.from({ length: 50 }, () => lambda()))
    holdAllWrites(writers, 50)
    const results = await Promise.all(writers.map((w) => w.send('incr', id)))
    const ok = results.filter((r) => r.statusCode === 200)
    expect(ok).toHaveLength(1)
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(49)
    expect(ok[0]?.body).toBe('11')
    expect((await bodies(id))?.data).toEqual({ count: 11 })
  })
})

describe('an item written before write tokens: the whole-item path keeps the same promises', () => {
  // Every other race here starts from an item laid out as the library writes it (per-key updates in
  // place); this one has no `write_tokens`, so each save rewrites the whole item, conditional on its version.
  const legacy = { write_tokens: undefined }

  it('two requests incrementing one key: one 200, one 409, the count went up by one, all by PutItem', async () => {
    const id = await seed(raw, tables.name, { count: 1 }, legacy)
    const a = await lambda()
    const b = await lambda()
    let first: HttpResult = { statusCode: 0 }
    const second = await interleave(a, 'incr', id, async () => {
      first = await b.send('incr', id)
    })
    expect([first.statusCode, second.statusCode]).toEqual([200, 409])
    expect(second.body).toMatch(/same session key/)
    expect((await bodies(id))?.data).toEqual({ count: 2 })
    expect([...a.proxy.seen, ...b.proxy.seen].filter((op) => WRITE_OPS.has(op))).toEqual([
      'PutItem',
      'PutItem',
    ])
  })

  it('two requests writing different keys: both kept, the later one re-based onto the earlier', async () => {
    const id = await seed(raw, tables.name, { seed: 1 }, legacy)
    const a = await lambda()
    const b = await lambda()
    const later = await interleave(a, 'set/x', id, async () => {
      expect((await b.send('set/y', id)).statusCode).toBe(200)
    })
    expect(later.statusCode).toBe(200)
    expect((await bodies(id))?.data).toEqual({ seed: 1, x: 1, y: 1 })
  })
})

describe('13. non-HTTP invocations', () => {
  it('an SQS batch whose handler uses the session gets its result back untouched', async () => {
    const before = (await scan(raw, tables.name)).length
    const app = await lambda()
    const { default: middy } = await import('@middy/core')
    const { dynamoSession } = await import('../../src/index.ts')
    const result = { batchItemFailures: [{ itemIdentifier: 'm-1' }] }
    const handler = middy()
      .use(dynamoSession({ client: app.client, store: { tableName: tables.name } }))
      .handler(async (_event, context) => {
        await context.session.set('seen', true)
        expect(await context.session.get('seen')).toBe(true)
        await context.session.destroy()
        await context.session.set('again', 1)
        return result
      })
    const sqs = { Records: [{ messageId: 'm-1', eventSource: 'aws:sqs', body: '{}' }] }
    const returned = await handler(sqs, { awsRequestId: 'r' } as never)
    expect(returned).toBe(result)
    expect(returned).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] })
    expect((await scan(raw, tables.name)).length).toBe(before)
  })

  it('a direct invoke returning a string gets the string back', async () => {
    const app = await lambda()
    const { default: middy } = await import('@middy/core')
    const { dynamoSession } = await import('../../src/index.ts')
    const handler = middy()
      .use(dynamoSession({ client: app.client, store: { tableName: tables.name } }))
      .handler(async (_event, context) => {
        await context.session.set('x', 1)
        return 'done'
      })
    expect(await handler({ action: 'warm' }, { awsRequestId: 'r' } as never)).toBe('done')
  })
})

describe('14. a fixed expiry that has already passed', () => {
  it('setExpiry(Expiry.atDateTime(past)) is refused with SessionDataError, on a new and on a stored session', async () => {
    const id = await seed(raw, tables.name, { count: 1 })
    const errors: unknown[] = []
    const app = await lambda(
      {},
      {
        past: async (session) => {
          await session.set('count', 2)
          await session
            .setExpiry(Expiry.atDateTime(Date.now() - 60_000))
            .catch((e: unknown) => errors.push(e))
          return { statusCode: 200 }
        },
      },
    )
    const fresh = await app.send('past')
    const stored = await app.send('past', id)
    expect(errors).toHaveLength(2)
    for (const error of errors) expect(error).toBeInstanceOf(SessionDataError)
    // The rest of each request was kept: a new session with count 2, the stored one at 2.
    expect((await bodies(cookieOf(fresh) ?? ''))?.data).toEqual({ count: 2 })
    expect(stored.statusCode).toBe(200)
    expect((await bodies(id))?.data).toEqual({ count: 2 })
  })

  it('a default fixed expiry in the past is a SessionConfigError at start-up', async () => {
    const { dynamoSession, SessionConfigError } = await import('../../src/index.ts')
    expect(() => dynamoSession({ expiry: Expiry.atDateTime(Date.now() - 1000) })).toThrow(SessionConfigError)
  })

  it('a default fixed expiry that passes later refuses set() with SessionDataError instead of dropping data', async () => {
    let clock = Date.now()
    const errors: unknown[] = []
    const app = await lambda(
      { expiry: Expiry.atDateTime(clock + 60_000), now: () => clock },
      {
        put: async (session) => {
          await session.set('count', 1).catch((e: unknown) => errors.push(e))
          return { statusCode: 200 }
        },
      },
    )
    clock += 120_000
    const result = await app.send('put')
    expect(errors[0]).toBeInstanceOf(SessionDataError)
    expect(cookieOf(result)).toBeUndefined()
  })
})

describe('17. a 409 says what actually happened', () => {
  it('same key changed by another request, and a session ended by another request, read differently', async () => {
    const id = await seed(raw, tables.name, { count: 1 })
    const a = await lambda()
    const b = await lambda()
    const conflict = await interleave(a, 'incr', id, () => b.send('incr', id))
    expect(conflict.statusCode).toBe(409)
    expect(conflict.body).toMatch(/same session key/)

    const id2 = await seed(raw, tables.name, { count: 1 })
    const ended = await interleave(a, 'incr', id2, () => b.send('logout', id2))
    expect(ended.statusCode).toBe(409)
    expect(ended.body).toMatch(/ended/)
    expect(ended.body).not.toMatch(/same session key/)
  })
})
