/**
 * A session belongs to its request: once the after hook has flushed it, a change would be lost, so it is
 * refused (a SessionDataError, and a logged error), never resolved as if it worked. Reads still see the
 * session as the request left it.
 */
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { dynamoSession, type Session, type SessionContext, SessionDataError } from '../../src/index.ts'
import { httpEvent, MemoryStore, testClock } from '../../src/testing/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { browserFor } from '../support/browser.ts'

type Data = Record<string, number>

/**
 * A handler on a MemoryStore whose route is `route` (`/seed` stores one key first, awaited), one browser
 * in front of it, and the session of its last request, to call after the response.
 */
function app(route: (session: Session<Data>) => unknown) {
  const clock = testClock()
  const store = new MemoryStore({ now: clock.now })
  const errors: string[] = []
  let kept: Session<Data> | undefined
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(
      dynamoSession<Data>({
        store,
        now: clock.now,
        logger: { warn: () => undefined, error: (message: string) => errors.push(message) },
      }),
    )
    .handler(async (event, context) => {
      kept = context.session
      if (event.rawPath === '/seed') await context.session.set('seed', 1)
      // The route's body, if it gives one (a promise it returns is awaited; calls it starts are not).
      const body = event.rawPath === '/seed' ? undefined : await route(context.session)
      return { statusCode: 200, body: typeof body === 'string' ? body : 'ok' }
    })
  const { jar, send } = browserFor(handler, clock.now)
  return { store, errors, jar, send, session: () => kept as Session<Data> }
}

/** The counter: each visit adds one to `count`, awaited. */
function setup() {
  const counter = app(async (session) => {
    const count = ((await session.get('count')) ?? 0) + 1
    await session.set('count', count)
    return String(count)
  })
  return { ...counter, visit: () => counter.send('/') }
}

describe('a session call after the end of its request', () => {
  it.each([
    ['set()', (s: Session<Data>) => s.set('count', 99)],
    ['delete()', (s: Session<Data>) => s.delete('count')],
    ['clear()', (s: Session<Data>) => s.clear()],
    ['regenerate()', (s: Session<Data>) => s.regenerate()],
    ['setExpiry()', (s: Session<Data>) => s.setExpiry(undefined)],
    ['destroy()', (s: Session<Data>) => s.destroy()],
  ])('%s rejects with SessionDataError, is logged, and changes nothing', async (_name, call) => {
    const { store, errors, jar, visit, session } = setup()
    await visit()
    await visit()
    const before = store.sessions()
    expect(before).toMatchObject([{ id: jar.value, data: { count: 2 } }])
    await expect(call(session())).rejects.toThrow(SessionDataError)
    await expect(call(session())).rejects.toThrow(/after the end of its request was refused/)
    expect(errors).toHaveLength(2)
    expect(errors[0]).toMatch(/await every session call/)
    expect(store.sessions()).toEqual(before)
    expect((await visit()).body).toBe('3') // the next request goes on from what was stored
  })

  it('reads see the session as the request stored it, under its stored id', async () => {
    const { jar, visit, session } = setup()
    await visit()
    expect(await session().get('count')).toBe(1)
    expect(await session().has('count')).toBe(true)
    expect(session().id).toBe(jar.value)
    expect(session().expiresAt).toBeInstanceOf(Date)
  })
})

describe('a destroy() made while bindUser() waits for the user to have room', () => {
  it('undoes the bind, as it undoes every call made before it', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now, users: userSessions() })
    const users = store.users as typeof store.users & { bindingFor: typeof store.users.bindingFor }
    const original = users.bindingFor.bind(users)
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let entered = false
    users.bindingFor = async (...args) => {
      entered = true
      await held
      return original(...args)
    }
    const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      .use(dynamoSession({ store, now: clock.now }))
      .handler(async (_event, context) => {
        await context.session.set('visits', 1)
        const binding = context.session.bindUser('ada')
        while (!entered) await new Promise((resolve) => setImmediate(resolve))
        await context.session.destroy()
        release()
        await binding
        return { statusCode: 200, body: JSON.stringify((await context.session.user()) ?? null) }
      })
    const result = await handler(httpEvent('http-api-v2', { path: '/' }), {} as SessionContext)
    expect(entered).toBe(true)
    expect(result.body).toBe('null')
    expect(store.sessions()).toEqual([])
    expect(await store.users.list('ada')).toMatchObject({ sessions: [] })
  })
})

describe('calls the handler did not await belong to its request', () => {
  it('an un-awaited set() on a new session is saved with the request, and its cookie sent', async () => {
    const { store, jar, send } = app((session) => {
      void session.set('k', 1)
    })
    await send('/')
    expect(jar.value).toBeDefined()
    expect(store.sessions()).toMatchObject([{ id: jar.value, data: { k: 1 } }])
  })

  it('an un-awaited set() on a returning session (its read still in flight) is saved', async () => {
    const { store, jar, send } = app((session) => {
      void session.set('k', 2)
    })
    await send('/seed')
    await send('/')
    expect(store.sessions()).toMatchObject([{ id: jar.value, data: { seed: 1, k: 2 } }])
  })

  it('an un-awaited regenerate() at login still moves the session: the response carries the new id', async () => {
    const { store, jar, send } = app((session) => {
      void session.regenerate()
    })
    await send('/seed')
    const before = jar.value
    await send('/')
    expect(jar.value).not.toBe(before)
    expect(store.sessions()).toMatchObject([{ id: jar.value, data: { seed: 1 } }])
  })

  it('twenty un-awaited calls are all kept', async () => {
    const { store, send } = app((session) => {
      for (let i = 0; i < 20; i++) void session.set(`k${i}`, i)
    })
    await send('/seed')
    await send('/')
    const [stored] = store.sessions()
    expect(Object.keys(stored?.data ?? {})).toHaveLength(21)
    expect(stored?.data.k19).toBe(19)
  })

  it('a late call nobody awaits rejects without an unhandled rejection, and is logged', async () => {
    const unhandled: unknown[] = []
    const listener = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', listener)
    try {
      const { store, errors, send, session } = app(() => undefined)
      await send('/seed')
      const before = store.sessions()
      void session().set('late', 1) // after the response: refused, nobody listening
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(unhandled).toEqual([])
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(/after the end of its request was refused/)
      expect(store.sessions()).toEqual(before)
    } finally {
      process.off('unhandledRejection', listener)
    }
  })
})
