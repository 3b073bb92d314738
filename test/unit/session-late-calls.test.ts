/**
 * A session belongs to its request: once the after hook has flushed it, a change would be lost, so it is
 * refused (a SessionDataError, and a logged error), never resolved as if it worked. Reads still see the
 * session as the request left it.
 */
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { dynamoSession, type Session, type SessionContext, SessionDataError } from '../../src/index.ts'
import { CookieJar, httpEvent, MemoryStore, testClock } from '../../src/testing/index.ts'
import { userSessions } from '../../src/users/index.ts'

type Data = { count: number }

function setup() {
  const clock = testClock()
  const store = new MemoryStore({ now: clock.now })
  const errors: string[] = []
  const logger = { warn: () => undefined, error: (message: string) => errors.push(message) }
  let kept: Session<Data> | undefined
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(dynamoSession<Data>({ store, now: clock.now, logger }))
    .handler(async (_event, context) => {
      kept = context.session
      const count = ((await context.session.get('count')) ?? 0) + 1
      await context.session.set('count', count)
      return { statusCode: 200, body: String(count) }
    })
  const jar = new CookieJar({ now: clock.now })
  const visit = async () => {
    const event = httpEvent('http-api-v2', { path: '/', jar })
    const result = await handler(event, {} as SessionContext<Data>)
    jar.takeFrom(result, event)
    return result
  }
  return { store, errors, jar, visit, session: () => kept as Session<Data> }
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
