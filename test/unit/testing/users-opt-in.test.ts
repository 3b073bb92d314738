/**
 * The users' feature is opt-in (`store: { users: userSessions() }`): a store without it stores and reads
 * bound sessions (another function bound them) and lets them be used and logged out, but refuses, with a
 * SessionConfigError that names the import, every call that would have to change a user's item.
 */
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { dynamoSession, SessionConfigError, type SessionContext } from '../../../src/index.ts'
import { CookieJar, httpEvent, MemoryStore, MemoryTable, testClock } from '../../../src/testing/index.ts'
import { userSessions } from '../../../src/users/index.ts'

const HINT = /store: \{ users: userSessions\(\) \}, with userSessions from 'middy-dynamodb-session\/users'/

function app(store: MemoryStore, now: () => number) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(dynamoSession({ store, now }))
    .handler(async (event, context) => {
      const { session } = context
      const verb = event.rawPath.slice(1)
      try {
        if (verb === 'login') {
          await session.regenerate()
          await session.bindUser('ada')
        } else if (verb === 'visit') await session.set('visits', 1)
        else if (verb === 'relogin') await session.regenerate()
        else if (verb === 'logout') await session.destroy()
        else if (verb === 'list') await session.listUserSessions()
        return { statusCode: 200, body: JSON.stringify((await session.user()) ?? null) }
      } catch (error) {
        return { statusCode: 500, body: `${(error as Error).name}: ${(error as Error).message}` }
      }
    })
}

function browser(handler: ReturnType<typeof app>, now: () => number) {
  const jar = new CookieJar({ now })
  return async (path: string) => {
    const event = httpEvent('http-api-v2', { path, jar })
    const result = await handler(event, {} as SessionContext)
    jar.takeFrom(result, event)
    return result
  }
}

describe("a store without the users' feature", () => {
  it('refuses to bind, list or end, naming the import', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    const call = browser(app(store, clock.now), clock.now)
    const login = await call('/login')
    expect(login.body).toMatch(/^SessionConfigError: /)
    expect(login.body).toMatch(HINT)
    await expect(store.users.endAll('ada')).rejects.toThrow(SessionConfigError)
    await expect(store.users.list('ada')).rejects.toThrow(HINT)
    expect(store.sessions()).toEqual([]) // nothing was written
  })

  it('serves a session another function bound: reads and writes it, logs it out, refuses to regenerate it', async () => {
    const clock = testClock()
    const table = new MemoryTable()
    const withUsers = new MemoryStore({ table, now: clock.now, users: userSessions() })
    const without = new MemoryStore({ table, now: clock.now })
    const jar = new CookieJar({ now: clock.now })
    const send = async (store: MemoryStore, path: string) => {
      const event = httpEvent('http-api-v2', { path, jar })
      const result = await app(store, clock.now)(event, {} as SessionContext)
      jar.takeFrom(result, event)
      return result
    }
    expect((await send(withUsers, '/login')).statusCode).toBe(200)
    expect(JSON.parse(String((await send(without, '/visit')).body))).toMatchObject({ userId: 'ada' })
    // The user's item would have to follow the new id: the write is refused when the request ends.
    await expect(send(without, '/relogin')).rejects.toThrow(HINT)
    expect((await withUsers.users.list('ada')).sessions).toHaveLength(1) // still bound, under its id
    expect((await send(without, '/logout')).statusCode).toBe(200)
    expect(without.sessions()).toEqual([])
    // Its entry is left behind (stale); the next sign-out everywhere, or the cap's clean-up, drops it.
    expect((await withUsers.users.list('ada')).sessions).toEqual([])
    expect(await withUsers.users.endAll('ada')).toBe(1)
  })
})
