/**
 * Writes without a read (`blindWrites`, issue 21) as a browser's requests make them, through the real
 * middleware on one test clock: one suite, run on each store (DynamoDB Local, and the test kit's
 * MemoryStore). Each case states when the one update is enough and when the store reads and saves as
 * usual; the races at the proxy are test/integration/blind-write-races.test.ts's.
 */
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import {
  type DynamoSessionOptions,
  dynamoSession,
  Expiry,
  type SessionStore,
  SessionStoreError,
  SessionTooLargeError,
} from '../../src/index.ts'
import { httpEvent, type TestClock, testClock } from '../../src/testing/index.ts'
import { browserFor } from './browser.ts'

type Data = Record<string, string | number | undefined>

/** A store on the clock `now` (epoch ms), fresh for one test. */
export type BlindStoreFactory = (now: () => number) => Promise<SessionStore>

const IDLE = 1800

/**
 * `/set/<key>/<value>` sets without reading; `/get` answers the whole session; `/set-get/<key>/<value>`
 * sets, then reads; `/short` sets a per-session expiry; `/logout` destroys; `/big/<key>` sets 150 KB.
 */
function app(store: SessionStore, clock: TestClock, options: DynamoSessionOptions = {}) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(
      dynamoSession<Data>({
        store,
        now: clock.now,
        expiry: Expiry.onInactivity(IDLE),
        blindWrites: true,
        ...options,
      }),
    )
    .handler(async (event, context) => {
      const { session } = context
      const [, verb, key = '', value = ''] = event.rawPath.split('/')
      if (verb === 'set') await session.set(key, value)
      if (verb === 'set-get') {
        await session.set(key, value)
        return {
          statusCode: 200,
          body: JSON.stringify({ a: await session.get('a'), [key]: await session.get(key) }),
        }
      }
      if (verb === 'short') await session.setExpiry(Expiry.onInactivity(60))
      if (verb === 'logout') await session.destroy()
      if (verb === 'big') await session.set(key, 'x'.repeat(150 * 1024))
      if (verb === 'get') {
        const a = await session.get('a')
        return {
          statusCode: 200,
          body: JSON.stringify({ a, b: await session.get('b'), c: await session.get('c') }),
        }
      }
      return { statusCode: 200 }
    })
}

async function setup(makeStore: BlindStoreFactory, options: DynamoSessionOptions = {}) {
  const clock = testClock()
  const store = await makeStore(clock.now)
  let loads = 0
  const load = store.load.bind(store)
  store.load = (id) => {
    loads++
    return load(id)
  }
  const handler = app(store, clock, options)
  const { jar, send } = browserFor(handler, clock.now)
  const maxAge = (result: APIGatewayProxyStructuredResultV2) =>
    /Max-Age=(\d+)/.exec(result.cookies?.[0] ?? '')?.[1]
  return { clock, store, jar, send, handler, maxAge, loads: () => loads }
}

/** Registers the blind-write suite for one store. */
export function blindWriteFlows(name: string, makeStore: BlindStoreFactory): void {
  describe(`writes without a read (blindWrites), ${name}`, () => {
    it('a set() the request never reads is written without a read, beside the keys stored, expiry moved', async () => {
      const { clock, store, jar, send, maxAge, loads } = await setup(makeStore)
      await send('/set/a/1') // a first visit: no cookie, nothing to read
      const id = jar.value as string
      clock.advance({ seconds: 600 })
      const before = loads()
      const result = await send('/set/b/2')
      expect(loads()).toBe(before) // no read
      expect(jar.value).toBe(id)
      expect(maxAge(result)).toBe(String(IDLE)) // the rolling expiry moved, and the cookie says so
      const stored = await store.load(id)
      expect(stored?.data).toEqual({ a: '1', b: '2' })
      expect(stored?.expiresAt).toBe(Math.floor(clock.now() / 1000) + IDLE)
    })

    it('set() then get() in one request: the read sees the value set, and both keys are saved', async () => {
      const { jar, send, store } = await setup(makeStore)
      await send('/set/a/1')
      expect(JSON.parse((await send('/set-get/b/2')).body as string)).toEqual({ a: '1', b: '2' })
      expect((await store.load(jar.value as string))?.data).toEqual({ a: '1', b: '2' })
    })

    it('a cookie that names no live session: the request starts a new one with its key alone', async () => {
      const { jar, send, store } = await setup(makeStore)
      await send('/set/a/1')
      const old = jar.value as string
      await send('/logout')
      jar.store(`id=${old}`) // a stale tab still sends the old cookie
      await send('/set/b/2')
      expect(jar.value).not.toBe(old)
      expect((await store.load(jar.value as string))?.data).toEqual({ b: '2' })
      expect(await store.load(old)).toBeUndefined() // the logged-out session stays gone
    })

    it('a session past its expiry (TTL not run yet): a new one, and the expired data stays gone', async () => {
      const { clock, jar, send, store } = await setup(makeStore)
      await send('/set/a/1')
      const old = jar.value as string
      clock.advance({ seconds: IDLE + 1 })
      jar.store(`id=${old}`) // the browser kept it (a session cookie, say)
      await send('/set/b/2')
      expect(jar.value).not.toBe(old)
      expect((await store.load(jar.value as string))?.data).toEqual({ b: '2' })
      expect(await store.load(old)).toBeUndefined()
    })

    it('a per-session expiry: the store reads and saves as usual, and the policy holds', async () => {
      const { clock, jar, send, store } = await setup(makeStore)
      await send('/set/a/1')
      await send('/short')
      clock.advance({ seconds: 30 })
      await send('/set/b/2')
      const stored = await store.load(jar.value as string)
      expect(stored?.data).toEqual({ a: '1', b: '2' })
      expect(stored?.expiresAt).toBe(Math.floor(clock.now() / 1000) + 60)
    })

    it('an absolute lifetime: a write near the deadline never moves the expiry past it', async () => {
      const { clock, jar, send, store } = await setup(makeStore, { maxLifetime: 3600 })
      const start = Math.floor(clock.now() / 1000)
      await send('/set/a/1')
      clock.advance({ seconds: 600 })
      await send('/set/b/2') // far from the deadline: the one update
      expect((await store.load(jar.value as string))?.expiresAt).toBe(start + 600 + IDLE)
      clock.advance({ seconds: 1400 })
      await send('/set/c/3') // 2000 s in: the idle window (to 3800 s) would pass the deadline
      const stored = await store.load(jar.value as string)
      expect(stored?.expiresAt).toBe(start + 3600)
      expect(stored?.data).toEqual({ a: '1', b: '2', c: '3' })
    })

    it('a renewal due: the write renews the id (read and saved as usual), keeping the key', async () => {
      const { clock, jar, send, store } = await setup(makeStore, { renewal: { every: 600 } })
      await send('/set/a/1')
      const first = jar.value as string
      clock.advance({ seconds: 300 })
      await send('/set/b/2')
      expect(jar.value).toBe(first)
      clock.advance({ seconds: 300 })
      await send('/set/c/3')
      expect(jar.value).not.toBe(first)
      expect((await store.load(jar.value as string))?.data).toEqual({ a: '1', b: '2', c: '3' })
    })

    it('a large value is written as usual (read first), so the size guard sees the whole session', async () => {
      const { jar, send, store, handler, loads } = await setup(makeStore)
      await send('/big/a')
      const before = loads()
      await send('/big/b')
      expect(loads()).toBe(before + 1) // 150 KB: read first
      const event = httpEvent('http-api-v2', { path: '/big/c', jar })
      await expect(handler(event, {} as never)).rejects.toBeInstanceOf(SessionTooLargeError)
      expect(Object.keys((await store.load(jar.value as string))?.data ?? {})).toEqual(['a', 'b'])
    })

    it('with failOpen, a key set before a read that failed is still written (it was accepted)', async () => {
      const { jar, send, store } = await setup(makeStore, { failOpen: true })
      await send('/set/a/1')
      const load = store.load.bind(store)
      store.load = async () => {
        throw new SessionStoreError('GetItem', 'DynamoDB GetItem failed (InternalServerError)')
      }
      const reply = await send('/set-get/b/2') // b set without a read, then a read that fails
      expect(reply.statusCode).toBe(200)
      store.load = load
      expect((await store.load(jar.value as string))?.data).toEqual({ a: '1', b: '2' })
    })

    it('a lifetime shortened since the session was written: a new session with the key alone', async () => {
      const { clock, jar, send, store } = await setup(makeStore, { maxLifetime: 3600 })
      await send('/set/a/1')
      const old = jar.value as string
      clock.advance({ seconds: 700 })
      const shorter = browserFor(app(store, clock, { maxLifetime: 600 }), clock.now, jar)
      await shorter.send('/set/b/2')
      expect(jar.value).not.toBe(old)
      expect((await store.load(jar.value as string))?.data).toEqual({ b: '2' })
    })

    it('off by default: set() reads the session first', async () => {
      const { jar, send, loads } = await setup(makeStore, { blindWrites: false })
      await send('/set/a/1')
      expect(jar.value).toBeDefined()
      const before = loads()
      await send('/set/b/2')
      expect(loads()).toBe(before + 1)
    })
  })
}
