/**
 * examples/mrsc (./template.yaml's functions) against DynamoDB Local, through a proxy that refuses
 * `TransactWriteItems` as an MRSC global table does: the session function counts, signs in (a new id, no
 * transaction) and out; the sweeper deletes what has expired and leaves the rest, as TTL would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBSessionStore } from '../../src/index.ts'
import { type ExampleFunction, exampleFunction } from '../support/app.ts'
import { localClient } from '../support/dynamo.ts'
import { refuseTransactions } from '../support/fault-proxy.ts'
import { cookieOf, seed } from '../support/race.ts'

const raw = localClient()
let example: ExampleFunction
let sweeper: () => Promise<{ deleted: number }>

beforeAll(async () => {
  example = await exampleFunction(raw, () => import('../../examples/mrsc/handler.ts'), {
    prepare: refuseTransactions,
  })
  sweeper = (await import('../../examples/mrsc/sweeper.ts')).handler
})
afterAll(async () => {
  raw.destroy()
  await example.close()
})

const call = (method: string, path: string, id?: string) => example.call(method, path, id)

describe('examples/mrsc', () => {
  it('counts, signs in under a new id without a transaction, and signs out', async () => {
    example.proxy.seen.length = 0
    const first = await call('GET', '/')
    const id = cookieOf(first) as string
    expect(JSON.parse(first.body ?? '{}')).toEqual({ count: 1 })
    const login = await call('POST', '/login', id)
    expect(login.statusCode).toBe(204)
    const next = cookieOf(login) as string
    expect(next).not.toBe(id)
    expect(JSON.parse((await call('GET', '/', next)).body ?? '{}')).toEqual({ count: 2 })
    // The pre-login cookie reaches nothing: a visit with it starts afresh.
    expect(JSON.parse((await call('GET', '/', id)).body ?? '{}')).toEqual({ count: 1 })
    expect((await call('POST', '/logout', next)).statusCode).toBe(204)
    expect(JSON.parse((await call('GET', '/', next)).body ?? '{}')).toEqual({ count: 1 })
    expect(example.proxy.seen).not.toContain('TransactWriteItems')
  })

  it('the sweeper deletes the expired sessions and leaves the live ones (MRSC has no TTL)', async () => {
    const past = { expire_at: { N: String(Math.floor(Date.now() / 1000) - 10) } }
    const expired = [
      await seed(raw, example.tableName, { a: 1 }, past),
      await seed(raw, example.tableName, { b: 2 }, past),
    ]
    const live = await seed(raw, example.tableName, { c: 3 })
    const { deleted } = await sweeper()
    expect(deleted).toBeGreaterThanOrEqual(2)
    const store = new DynamoDBSessionStore({ client: raw, tableName: example.tableName, now: () => 0 })
    for (const id of expired) expect(await store.load(id)).toBeUndefined()
    expect((await store.load(live))?.data).toEqual({ c: 3 })
  })
})
