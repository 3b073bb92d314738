/**
 * Id renewal (and the CSRF secret) racing other requests, forced at the proxy: each request runs through
 * its own fault proxy in front of DynamoDB Local, and the test holds the renewal's one write (a
 * transaction: the new item, the old id's grace item, and a bound session's user item) while a rival
 * runs, or the rival's write while the renewal lands. A renewal is a single transaction, so there is no
 * point between two of its writes where the Lambda could die: it is applied whole or not at all (the
 * lost-reply and unknown-outcome cases are below).
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import { DynamoDBSessionStore } from '../../src/index.ts'
import { userSessions } from '../../src/users/index.ts'
import type { HttpResult } from '../support/app.ts'
import { createTable } from '../support/dynamo.ts'
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

const RENEWAL = { renewal: { every: 60, grace: 30 } } satisfies ActorOptions

const route: Route = async (session, path, body) => {
  const [verb, arg = ''] = path.split('/')
  switch (verb) {
    case 'read':
      return { statusCode: 200, body: JSON.stringify((await session.get('count')) ?? null) }
    case 'incr': {
      const count = (((await session.get('count')) as number | undefined) ?? 0) + 1
      await session.set('count', count)
      return { statusCode: 200, body: String(count) }
    }
    case 'set':
      await session.get(arg)
      await session.set(arg, 1)
      return { statusCode: 200 }
    case 'login':
      await session.regenerate()
      await session.bindUser(arg)
      return { statusCode: 200 }
    case 'logout':
      await session.destroy()
      return { statusCode: 204 }
    case 'token':
      return { statusCode: 200, body: await session.csrfToken() }
    case 'verify':
      return { statusCode: (await session.verifyCsrfToken(body)) ? 200 : 403 }
  }
  return { statusCode: 404 }
}

const lambda = (options: ActorOptions = {}): Promise<Actor> => tables.lambda(route, options)

/** A stored session whose id is two minutes old: due for renewal under {@link RENEWAL}. */
const dueSession = (data: Record<string, unknown> = { count: 0 }) =>
  seed(raw, tables.name, data, { created_at: { N: String(Math.floor(Date.now() / 1000) - 120) } })

/** Makes the session `id` due for renewal (its creation two minutes ago). */
async function makeDue(id: string): Promise<void> {
  await raw.send(
    new UpdateItemCommand({
      TableName: tables.name,
      Key: { session_id: { S: `SESSIONS::TOWER::${id}` } },
      UpdateExpression: 'SET created_at = :t',
      ExpressionAttributeValues: { ':t': { N: String(Math.floor(Date.now() / 1000) - 120) } },
    }),
  )
}

describe('a renewal racing a write of the same session', () => {
  it('the write lands first: the renewal is made again on top of it, nothing acknowledged is lost', async () => {
    const id = await dueSession()
    const renewer = await lambda(RENEWAL)
    const writer = await lambda() // no renewal of its own: a plain in-place write
    const renewal = await interleave(renewer, 'read', id, async () => {
      expect((await writer.send('set/flash', id)).statusCode).toBe(200)
    })
    expect(renewal.statusCode).toBe(200)
    const renewed = cookieOf(renewal)
    expect(renewed).toBeTruthy()
    expect(renewed).not.toBe(id)
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).toEqual([renewed])
    expect(live[0]?.data).toEqual({ count: 0, flash: 1 })
  })

  it('the renewal lands first: the write that read the old id follows it to the new one (200, new cookie)', async () => {
    const id = await dueSession()
    const renewer = await lambda(RENEWAL)
    const writer = await lambda()
    let renewal: HttpResult = { statusCode: 0 }
    const write = await interleave(writer, 'set/flash', id, async () => {
      renewal = await renewer.send('read', id)
    })
    const renewed = cookieOf(renewal)
    expect(renewed).toBeTruthy()
    expect(write.statusCode).toBe(200)
    expect(cookieOf(write)).toBe(renewed) // the racing browser converges on the new id
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).toEqual([renewed])
    expect(live[0]?.data).toEqual({ count: 0, flash: 1 })
  })

  it('two renewals race: one wins, the other follows it; one live session, both writes kept', async () => {
    const id = await dueSession()
    const first = await lambda(RENEWAL)
    const second = await lambda(RENEWAL)
    let winner: HttpResult = { statusCode: 0 }
    const loser = await interleave(first, 'set/a', id, async () => {
      winner = await second.send('set/b', id)
    })
    expect([winner.statusCode, loser.statusCode]).toEqual([200, 200])
    const renewed = cookieOf(winner)
    expect(cookieOf(loser)).toBe(renewed)
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).toEqual([renewed])
    expect(live[0]?.data).toEqual({ count: 0, a: 1, b: 1 })
    // The old id's item names the new one, with its grace; nothing else is left.
    const old = (await scan(raw, tables.name)).find((s) => s.id === id)
    expect(old?.item.successor?.S).toBe(renewed)
    expect(Number(old?.item.grace_until?.N)).toBeGreaterThan(Date.now() / 1000)
  })

  it('two increments of one key across a renewal: one is told 409, the count is not lost', async () => {
    const id = await dueSession()
    const first = await lambda(RENEWAL)
    const second = await lambda(RENEWAL)
    let winner: HttpResult = { statusCode: 0 }
    const loser = await interleave(first, 'incr', id, async () => {
      winner = await second.send('incr', id)
    })
    expect([winner.statusCode, loser.statusCode]).toEqual([200, 409])
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).toEqual([cookieOf(winner)])
    expect(live[0]?.data).toEqual({ count: 1 })
  })

  it('a login (regenerate) racing a renewal: whichever lands first, one live session, and no grace back to it', async () => {
    for (const order of ['renewal first', 'login first'] as const) {
      tables.name = await createTable(raw, { ttl: false })
      const id = await dueSession()
      const renewer = await lambda(RENEWAL)
      const login = await lambda()
      const [held, other] = order === 'renewal first' ? [login, renewer] : [renewer, login]
      let otherResult: HttpResult = { statusCode: 0 }
      const heldResult = await interleave(held, held === login ? 'login/u-1' : 'read', id, async () => {
        otherResult = await other.send(other === login ? 'login/u-1' : 'read', id)
      })
      const loginResult = held === login ? heldResult : otherResult
      expect(loginResult.statusCode, order).toBe(200)
      const live = await liveSessions(raw, tables.name)
      expect(
        live.map((s) => s.id),
        order,
      ).toEqual([cookieOf(loginResult)])
      // The pre-login id reaches nothing, grace or not.
      expect((await renewer.send('read', id)).body, order).toBe('null')
    }
  })
})

describe('a logout stays final against a renewal', () => {
  it('a logout (old cookie) while the renewal is held: the renewal finds no session, nothing lives', async () => {
    const id = await dueSession()
    const renewer = await lambda(RENEWAL)
    const other = await lambda()
    const renewal = await interleave(renewer, 'read', id, async () => {
      expect((await other.send('logout', id)).statusCode).toBe(204)
    })
    expect(renewal.statusCode).toBe(200) // it only read: it answers as it read, with no new cookie
    expect(cookieOf(renewal)).toBeUndefined()
    expect(await liveSessions(raw, tables.name)).toEqual([])
  })

  it('a logout with the old cookie after the renewal landed ends the renewed session', async () => {
    const id = await dueSession()
    const renewer = await lambda(RENEWAL)
    const renewed = cookieOf(await renewer.send('incr', id))
    expect(renewed).toBeTruthy()
    expect((await (await lambda()).send('logout', id)).statusCode).toBe(204)
    expect(await liveSessions(raw, tables.name)).toEqual([])
  })

  it('sign out everywhere racing the renewal of a bound session, both orders: nothing of the user lives', async () => {
    for (const order of ['renewal held', 'renewal first'] as const) {
      tables.name = await createTable(raw, { ttl: false })
      const users = new DynamoDBSessionStore({ client: raw, tableName: tables.name, users: userSessions() })
        .users
      const login = await lambda()
      const id = cookieOf(await login.send('login/u-9')) as string
      await makeDue(id)
      const renewer = await lambda(RENEWAL)
      if (order === 'renewal held') {
        const renewal = await interleave(renewer, 'read', id, async () => {
          expect(await users?.endAll('u-9')).toBe(1)
        })
        expect(renewal.statusCode).toBe(200)
      } else {
        expect(cookieOf(await renewer.send('read', id))).toBeTruthy()
        expect(await users?.endAll('u-9')).toBe(1)
      }
      expect(await liveSessions(raw, tables.name), order).toEqual([])
      expect((await renewer.send('read', id)).body, order).toBe('null')
    }
  })
})

describe('a renewal whose reply is lost after DynamoDB applied it', () => {
  it('the SDK sends the transaction again and it is recognised: one live session, named by the cookie', async () => {
    const id = await dueSession({ count: 5 })
    const renewer = await lambda(RENEWAL)
    let lost = false
    renewer.proxy.intercept(({ op }) => {
      if (op !== 'TransactWriteItems' || lost) return undefined
      lost = true
      return 'applyThenDrop'
    })
    const result = await renewer.send('incr', id)
    expect(lost).toBe(true)
    expect(result.statusCode).toBe(200)
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).toEqual([cookieOf(result)])
    expect(live[0]?.data).toEqual({ count: 6 })
  })
})

describe('the grace window on an eventually consistent table, and a renewal whose outcome is unknown', () => {
  it('with consistentRead: false, the hop from the old id to the new one is read strongly consistently', async () => {
    const id = await dueSession({ count: 3 })
    const renewed = cookieOf(await (await lambda(RENEWAL)).send('read', id))
    expect(renewed).toBeTruthy()
    const reader = await lambda({ store: { consistentRead: false } })
    const reads: unknown[] = []
    reader.proxy.intercept(({ op, body }) => {
      if (op === 'GetItem') reads.push(body.ConsistentRead ?? false)
      return undefined
    })
    const result = await reader.send('read', id)
    expect(result.body).toBe('3')
    expect(cookieOf(result)).toBe(renewed)
    expect(reads).toEqual([false, true]) // the old id as configured; the renewal's new item strongly
  })

  it('a renewal applied but answered with an error (no retry left): the request still sends the new cookie', async () => {
    const id = await dueSession({ count: 1 })
    const renewer = await lambda({ ...RENEWAL, maxAttempts: 1 })
    renewer.proxy.intercept(({ op }) => (op === 'TransactWriteItems' ? 'applyThenDrop' : undefined))
    const result = await renewer.send('read', id)
    expect(result.statusCode).toBe(200) // it only read
    const live = await liveSessions(raw, tables.name)
    expect(live.map((s) => s.id)).not.toContain(id)
    expect(live.map((s) => s.id)).toEqual([cookieOf(result)])
  })

  it('two read-only renewals race: the one that follows reports no save of its own', async () => {
    const id = await dueSession()
    const events: { type: string }[][] = [[], []]
    const audit = (i: number) => ({
      audit: { onEvent: (event: { type: string }) => void events[i]?.push(event), key: 'k'.repeat(32) },
    })
    const first = await lambda({ ...RENEWAL, ...audit(0) })
    const second = await lambda({ ...RENEWAL, ...audit(1) })
    let winner: HttpResult = { statusCode: 0 }
    const follower = await interleave(first, 'read', id, async () => {
      winner = await second.send('read', id)
    })
    expect(cookieOf(follower)).toBe(cookieOf(winner))
    expect(events[1]?.map((e) => e.type)).toEqual(['loaded', 'renewed'])
    expect(events[0]?.map((e) => e.type)).toEqual(['loaded'])
  })
})

describe('two requests making the CSRF secret at once', () => {
  it('one is told 409 (its token could never work); the token answered 200 verifies', async () => {
    const id = await seed(raw, tables.name, { n: 1 })
    const a = await lambda()
    const b = await lambda()
    let first: HttpResult = { statusCode: 0 }
    const second = await interleave(a, 'token', id, async () => {
      first = await b.send('token', id)
    })
    expect([first.statusCode, second.statusCode]).toEqual([200, 409])
    expect((await b.send('verify', id, first.body)).statusCode).toBe(200)
    expect((await b.send('verify', id, second.body)).statusCode).toBe(403)
  })
})
