/**
 * What the contract suite does not cover of the MemoryStore: copies in and out, tables shared by several
 * stores (and so several middlewares), the clock deciding expiry and the touch throttle, the successor a
 * regenerate leaves for SUCCESSOR_SECONDS, maxConflictRetries with a whole-item codec, the size limit at
 * write time, and its options. Handlers run through the real middleware.
 */
import middy from '@middy/core'
import { describe, expect, it } from 'vitest'
import { generateSessionId } from '../../../src/id.ts'
import {
  dynamoSession,
  Expiry,
  jsonStringCodec,
  SessionConfigError,
  SessionConflictError,
  type SessionContext,
  SessionDataError,
  SessionTooLargeError,
  SUCCESSOR_SECONDS,
} from '../../../src/index.ts'
import type { SessionChange, SessionRecord } from '../../../src/store/index.ts'
import {
  CookieJar,
  httpEvent,
  MemoryStore,
  MemoryTable,
  type TestClock,
  testClock,
} from '../../../src/testing/index.ts'
import { isTowerSessionId, MAX_SESSION_KEYS, towerSessionsFormat } from '../../../src/tower-sessions/index.ts'
import { changeOf } from '../../support/store-contract.ts'

/** A Lambda context for one invocation: the middleware attaches that request's session to it. */
const lambdaContext = <T extends object>() => ({}) as SessionContext<T>
const seconds = (clock: TestClock) => Math.floor(clock.now() / 1000)

function stored(store: MemoryStore, id: string): Promise<SessionRecord> {
  return store.load(id).then((record) => {
    if (!record) throw new Error('session not found')
    return record
  })
}

function savedRecord(result: Awaited<ReturnType<MemoryStore['save']>>): SessionRecord {
  if (result.status !== 'saved') throw new Error(`not saved: ${result.status}`)
  return result.record
}

describe('MemoryStore', () => {
  it('copies data in and out: changing what went in, or what came out, never changes the store', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    const data = { cart: ['a'], user: { name: 'Ada' } }
    const created = await store.create({ data, expiresAt: seconds(clock) + 60 })
    data.cart.push('in')
    ;(created.data.cart as string[]).push('created')
    const loaded = await stored(store, created.id)
    ;(loaded.data.user as { name: string }).name = 'Bob'
    ;((store.sessions()[0] as SessionRecord).data.cart as string[]).push('listed')
    const list = ['x']
    const change = changeOf(loaded, { list }, { now: seconds(clock) })
    const saved = savedRecord(await store.save(change))
    list.push('set')
    ;(saved.data.list as string[]).push('saved')
    expect((await stored(store, created.id)).data).toEqual({
      cart: ['a'],
      user: { name: 'Ada' },
      list: ['x'],
    })
  })

  it('stores made with one MemoryTable share its sessions; a store made without one has its own', async () => {
    const table = new MemoryTable()
    const first = new MemoryStore({ table })
    const second = new MemoryStore({ table: first.table, maxConflictRetries: 0 })
    const alone = new MemoryStore()
    const expiresAt = Math.floor(Date.now() / 1000) + 60
    const { id } = await first.create({ data: { by: 'first' }, expiresAt })
    expect(await second.load(id)).toMatchObject({ data: { by: 'first' } })
    expect(await alone.load(id)).toBeUndefined()
    await second.destroy(id)
    expect(await first.load(id)).toBeUndefined()

    await second.create({ data: { by: 'second' }, expiresAt })
    expect(first.sessions().map((session) => session.data)).toEqual([{ by: 'second' }])
    expect(alone.sessions()).toEqual([])
    table.clear()
    expect(first.sessions()).toEqual([])
  })

  it('two Lambdas on one table: of two requests changing one key at once, one is answered, the other gets 409', async () => {
    const clock = testClock()
    const table = new MemoryTable()
    let waiting = 0
    let release = () => {}
    const bothLoaded = new Promise<void>((resolve) => {
      release = resolve
    })
    const lambda = (gate: boolean) =>
      middy()
        .use(
          dynamoSession<{ n: number }>({ store: new MemoryStore({ table, now: clock.now }), now: clock.now }),
        )
        .handler(async (_event, context) => {
          const n = ((await context.session.get('n')) ?? 0) + 1
          if (gate && ++waiting === 2) release()
          if (gate) await bothLoaded
          await context.session.set('n', n)
          return { statusCode: 200, body: String(n) }
        })
    const jar = new CookieJar({ now: clock.now })
    const first = httpEvent('http-api-v2', { path: '/', jar })
    jar.takeFrom(await lambda(false)(first, lambdaContext()), first)

    const results = await Promise.allSettled(
      [lambda(true), lambda(true)].map((handler) =>
        handler(httpEvent('http-api-v2', { path: '/', jar }), lambdaContext()),
      ),
    )
    const answered = results.filter((result) => result.status === 'fulfilled')
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))
    expect(answered.map((result) => result.value.body)).toEqual(['2'])
    expect(refused).toHaveLength(1)
    expect(refused[0]).toBeInstanceOf(SessionConflictError)
    expect(refused[0]).toMatchObject({ reason: 'key', statusCode: 409 })
    expect(new MemoryStore({ table, now: clock.now }).sessions().map((session) => session.data)).toEqual([
      { n: 2 },
    ])
  })

  it('the clock decides expiry; an expired session stays gone when the clock is set back', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    const { id } = await store.create({ data: { a: 1 }, expiresAt: seconds(clock) + 60 })
    clock.advance({ seconds: 59 })
    expect(store.sessions().map((session) => session.id)).toEqual([id])
    clock.advance({ seconds: 1 })
    expect(store.sessions()).toEqual([])
    expect(await store.load(id)).toBeUndefined()
    clock.set(clock.now() - 3_600_000)
    expect(await store.load(id)).toBeUndefined() // deleted once past its expiry, as TTL would
  })

  it('through the middleware: a read-only visit touches the session once the throttle allows, not before', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    const handler = middy()
      .use(dynamoSession<{ count: number }>({ store, now: clock.now }))
      .handler(async (event, context) => {
        const count = (await context.session.get('count')) ?? 0
        if ((event as { rawPath: string }).rawPath === '/count') await context.session.set('count', count + 1)
        return { statusCode: 200, body: String(count) }
      })
    const jar = new CookieJar({ now: clock.now })
    const visit = async (path: string) => {
      const event = httpEvent('http-api-v2', { path, jar })
      return jar.takeFrom(await handler(event, lambdaContext()), event)
    }
    expect(await visit('/count')).toHaveLength(1)
    const [session] = store.sessions()
    const fortnight = 14 * 24 * 3600
    expect(session?.expiresAt).toBe(seconds(clock) + fortnight)

    clock.advance({ minutes: 59 })
    expect(await visit('/peek')).toEqual([])
    expect(store.sessions()[0]?.expiresAt).toBe(session?.expiresAt)
    clock.advance({ minutes: 1 })
    expect(await visit('/peek')).toEqual([expect.stringMatching(/^id=[\w-]{32}; Max-Age=1209600;/)])
    expect(store.sessions()[0]).toMatchObject({ data: { count: 1 }, expiresAt: seconds(clock) + fortnight })
  })

  it(`a destroy() of the old id ends the regenerated session for ${SUCCESSOR_SECONDS} s, not after`, async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    const regenerated = async () => {
      const created = await store.create({ data: { user: 'ada' }, expiresAt: seconds(clock) + 60 })
      const change: SessionChange = changeOf(
        created,
        {},
        { now: seconds(clock), defaultExpiry: Expiry.onInactivity(86_400) },
      )
      return { old: created.id, id: savedRecord(await store.regenerate(change)).id }
    }
    const soon = await regenerated()
    clock.advance({ seconds: SUCCESSOR_SECONDS - 1 })
    await store.destroy(soon.old)
    expect(await store.load(soon.id)).toBeUndefined()

    const late = await regenerated()
    clock.advance({ seconds: SUCCESSOR_SECONDS })
    await store.destroy(late.old)
    expect(await store.load(late.id)).toMatchObject({ data: { user: 'ada' } })
  })

  it('maxConflictRetries 0 with a whole-item codec: a concurrent change of another key is contention', async () => {
    const clock = testClock()
    const table = new MemoryTable()
    const impatient = new MemoryStore({
      table,
      now: clock.now,
      codec: jsonStringCodec,
      maxConflictRetries: 0,
    })
    const patient = new MemoryStore({ table, now: clock.now, codec: jsonStringCodec })
    const created = await patient.create({ data: { a: 1, b: 1 }, expiresAt: seconds(clock) + 60 })
    const change = (entries: Record<string, number>) => changeOf(created, entries, { now: seconds(clock) })
    expect((await patient.save(change({ a: 2 }))).status).toBe('saved')
    expect(await impatient.save(change({ b: 2 }))).toEqual({ status: 'conflict', reason: 'contention' })
    expect((await patient.save(change({ b: 2 }))).status).toBe('saved')
    expect((await stored(patient, created.id)).data).toEqual({ a: 2, b: 2 })
  })

  it('refuses at write time what concurrent requests grew past the item limit, and writes nothing', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    const created = await store.create({ data: { a: '' }, expiresAt: seconds(clock) + 60 })
    const big = 'x'.repeat(250 * 1024)
    const size = store.entrySize?.('b', big) ?? 0
    expect(() => store.assertFits(size, () => ({ b: big }))).not.toThrow()
    expect((await store.save(changeOf(created, { b: big }, { now: seconds(clock) }))).status).toBe('saved')
    await expect(store.save(changeOf(created, { c: big }, { now: seconds(clock) }))).rejects.toBeInstanceOf(
      SessionTooLargeError,
    )
    expect(Object.keys((await stored(store, created.id)).data)).toEqual(['a', 'b'])
    await expect(
      store.create({ data: { b: big, c: big }, expiresAt: seconds(clock) + 60 }),
    ).rejects.toBeInstanceOf(SessionTooLargeError)
    expect(store.sessions()).toHaveLength(1)
  })

  it('keeps sessions in the tower-sessions format: its ids through the middleware, its items', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now, format: towerSessionsFormat() })
    const handler = middy()
      .use(dynamoSession<{ visits: number }>({ store, now: clock.now }))
      .handler(async (_event, context) => {
        const visits = ((await context.session.get('visits')) ?? 0) + 1
        await context.session.set('visits', visits)
        return { statusCode: 200, body: String(visits) }
      })
    const jar = new CookieJar({ now: clock.now })
    const visit = async () => {
      const event = httpEvent('alb-multi-value', { path: '/', jar })
      const result = await handler(event, lambdaContext())
      jar.takeFrom(result, event)
      return result.body
    }
    expect([await visit(), await visit()]).toEqual(['1', '2'])
    expect(isTowerSessionId(jar.value)).toBe(true)
    expect(store.sessions()).toMatchObject([{ id: jar.value, data: { visits: 2 } }])
    // The format's rules, not the native map's: an empty key is fine in a tower-sessions record.
    expect(() => store.checkEntry('', 1)).not.toThrow()
    expect(() => new MemoryStore().checkEntry('', 1)).toThrow(SessionDataError)
  })

  it(`a tower-sessions session holds at most ${MAX_SESSION_KEYS} keys: set() of one more throws SessionDataError`, async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now, format: towerSessionsFormat() })
    const full = Object.fromEntries(Array.from({ length: MAX_SESSION_KEYS }, (_, i) => [`k${i}`, i]))
    const { id } = await store.create({ data: full, expiresAt: seconds(clock) + 600 })
    const outcomes: unknown[] = []
    const handler = middy()
      .use(dynamoSession({ store, now: clock.now }))
      .handler(async (_event, { session }) => {
        await session.set('k0', 'changed') // a key it has: fine
        outcomes.push(await session.set('one more', 1).catch((error: unknown) => error))
        return { statusCode: 200, body: 'ok' }
      })
    await handler(httpEvent('http-api-v2', { path: '/', headers: { cookie: `id=${id}` } }), lambdaContext())
    expect(outcomes[0]).toBeInstanceOf(SessionDataError)
    expect((outcomes[0] as Error).message).toMatch(/at most 8192 keys; this one would have 8193/)
    const [stored] = store.sessions()
    expect(Object.keys(stored?.data ?? {})).toHaveLength(MAX_SESSION_KEYS)
    expect(stored?.data.k0).toBe('changed')
    await expect(
      store.create({ data: { ...full, extra: 1 }, expiresAt: seconds(clock) + 600 }),
    ).rejects.toThrow(SessionDataError)
  })

  it('refuses options that make no sense, and ids of the wrong shape', async () => {
    expect(() => new MemoryStore({ createAttempts: 0 })).toThrow(SessionConfigError)
    expect(() => new MemoryStore({ codec: jsonStringCodec, format: towerSessionsFormat() })).toThrow(
      SessionConfigError,
    )
    expect(() => new MemoryStore({ maxConflictRetries: -1 })).toThrow(SessionConfigError)
    const store = new MemoryStore({ generateId: () => 'short' })
    await expect(
      store.create({ data: { a: 1 }, expiresAt: Math.floor(Date.now() / 1000) + 60 }),
    ).rejects.toThrow(SessionConfigError)
    expect(await new MemoryStore().load('not an id')).toBeUndefined()
    expect(await new MemoryStore().load(generateSessionId())).toBeUndefined()
  })
})
