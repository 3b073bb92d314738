import { GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Expiry } from '../../src/expiry.ts'
import { generateSessionId } from '../../src/id.ts'
import {
  DynamoDBSessionStore,
  deleteExpiredSessions,
  gzipCodec,
  type JsonValue,
  jsonStringCodec,
  SessionConfigError,
  SessionStoreError,
  SessionTooLargeError,
  SUCCESSOR_SECONDS,
} from '../../src/index.ts'
import type { SessionRecord } from '../../src/store/index.ts'
import { revisionOf } from '../../src/store/item-layout.ts'
import { sessionKey } from '../../src/store/props.ts'
import { towerSessionsFormat } from '../../src/tower-sessions/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { countingClient, createTable, localClient } from '../support/dynamo.ts'
import { changeOf } from '../support/store-contract.ts'

const client = localClient()
const nowSeconds = () => Math.floor(Date.now() / 1000)
const warnings: unknown[][] = []
const logger = { warn: (...args: unknown[]) => warnings.push(args), error: () => {} }

let tableName: string
let store: DynamoDBSessionStore

beforeAll(async () => {
  tableName = await createTable(client)
  store = new DynamoDBSessionStore({ client, tableName, logger })
})
afterAll(() => client.destroy())

async function rawItem(s: DynamoDBSessionStore, id: string) {
  const result = await client.send(
    new GetItemCommand({ TableName: s.props.tableName, Key: sessionKey(s.props, id), ConsistentRead: true }),
  )
  return result.Item
}

describe('DynamoDBSessionStore with the default props', () => {
  it('creates, loads and deletes a session stored as the Rust crate lays it out', async () => {
    const expiresAt = nowSeconds() + 3600
    const created = await store.create({ data: { count: 1, user: { name: 'Ada' } }, expiresAt })
    const item = await rawItem(store, created.id)
    expect(item?.session_id).toEqual({ S: `SESSIONS::TOWER::${created.id}` })
    expect(item?.expire_at).toEqual({ N: String(expiresAt) })
    // A native map: readable in the console.
    expect(item?.data).toEqual({ M: { count: { N: '1' }, user: { M: { name: { S: 'Ada' } } } } })
    expect(item?.version).toEqual({ N: '1' })
    expect(item?.expiry_policy).toBeUndefined()
    // One write token, recorded for a minute, by which a retried write recognises itself.
    const tokens = Object.values(item?.write_tokens?.M ?? {})
    expect(tokens).toHaveLength(1)
    expect(Math.abs(Number(tokens[0]?.N) - nowSeconds())).toBeLessThanOrEqual(2)

    const loaded = await store.load(created.id)
    expect(loaded).toMatchObject({ id: created.id, data: { count: 1, user: { name: 'Ada' } }, expiresAt })
    expect(loaded?.expiry).toBeUndefined()

    await store.destroy(created.id)
    expect(await store.load(created.id)).toBeUndefined()
    expect(await rawItem(store, created.id)).toBeUndefined()
  })

  it('answers undefined for an unknown id, and never queries for a malformed one', async () => {
    expect(await store.load(generateSessionId())).toBeUndefined()
    const throwing = new DynamoDBSessionStore({
      tableName,
      client: { send: () => Promise.reject(new Error('must not be called')) } as never,
    })
    expect(await throwing.load('SESSIONS::TOWER::not-an-id')).toBeUndefined()
    expect(await throwing.load('')).toBeUndefined()
  })

  it('treats an item past expire_at as no session, even though TTL has not removed it', async () => {
    const created = await store.create({ data: { a: 1 }, expiresAt: nowSeconds() + 2 })
    const later = new DynamoDBSessionStore({ client, tableName, now: () => Date.now() + 5000 })
    expect(await later.load(created.id)).toBeUndefined()
    expect(await rawItem(store, created.id)).toBeDefined() // still physically there
  })

  it('persists a per-session expiry policy', async () => {
    const expiry = Expiry.onInactivity(30 * 86400)
    const created = await store.create({ data: { a: 1 }, expiresAt: nowSeconds() + 100, expiry })
    expect((await rawItem(store, created.id))?.expiry_policy).toEqual({ S: 'onInactivity:2592000' })
    expect((await store.load(created.id))?.expiry).toEqual(expiry)
  })

  it('retries an id collision with a fresh id, and gives up after createAttempts', async () => {
    const taken = (await store.create({ data: { owner: 'first' }, expiresAt: nowSeconds() + 100 })).id
    const fresh = generateSessionId()
    const ids = [taken, taken, fresh]
    const colliding = new DynamoDBSessionStore({
      client,
      tableName,
      logger,
      generateId: () => ids.shift() ?? '',
    })
    warnings.length = 0
    const created = await colliding.create({ data: { owner: 'second' }, expiresAt: nowSeconds() + 100 })
    expect(created.id).toBe(fresh)
    expect(warnings).toHaveLength(2)
    expect(JSON.stringify(warnings)).not.toContain(taken)
    expect((await store.load(taken))?.data).toEqual({ owner: 'first' }) // the first owner's session is intact

    const stuck = new DynamoDBSessionStore({ client, tableName, createAttempts: 3, generateId: () => taken })
    await expect(stuck.create({ data: { x: 1 }, expiresAt: nowSeconds() + 100 })).rejects.toBeInstanceOf(
      SessionStoreError,
    )
    expect((await store.load(taken))?.data).toEqual({ owner: 'first' })
  })

  it('by default, as the Rust crate: one attempt and 5 retries on a collision (6 PutItems), in both formats', async () => {
    for (const format of [undefined, towerSessionsFormat()]) {
      const base = new DynamoDBSessionStore({ client, tableName, ...(format && { format }) })
      const taken = (await base.create({ data: { owner: 'first' }, expiresAt: nowSeconds() + 100 })).id
      const { client: counting, calls } = countingClient()
      const stuck = new DynamoDBSessionStore({
        client: counting,
        tableName,
        ...(format && { format }),
        generateId: () => taken,
      })
      await expect(stuck.create({ data: { x: 1 }, expiresAt: nowSeconds() + 100 })).rejects.toThrow(
        /6 attempts/,
      )
      expect(calls).toEqual(Array.from({ length: 6 }, () => 'PutItem'))
    }
  })

  it('rejects an id generator that breaks the id shape', async () => {
    const bad = new DynamoDBSessionStore({ client, tableName, generateId: () => 'short' })
    await expect(bad.create({ data: {}, expiresAt: nowSeconds() + 10 })).rejects.toBeInstanceOf(
      SessionConfigError,
    )
  })
})

describe('how changes are written', () => {
  const change = (base: SessionRecord, entries: Record<string, JsonValue | undefined>, extra = {}) =>
    changeOf(base, entries, { now: nowSeconds(), ...extra })

  it('in place: one UpdateItem of the changed keys, the version bumped, old write tokens dropped', async () => {
    const { client: counting, calls } = countingClient()
    const inPlace = new DynamoDBSessionStore({ client: counting, tableName })
    const created = await inPlace.create({ data: { a: 1, b: 'two' }, expiresAt: nowSeconds() + 100 })
    calls.length = 0
    expect((await inPlace.save(change(created, { a: 2, c: [3] }))).status).toBe('saved')
    expect(calls).toEqual(['UpdateItem'])
    const item = await rawItem(inPlace, created.id)
    expect(item?.data).toEqual({ M: { a: { N: '2' }, b: { S: 'two' }, c: { L: [{ N: '3' }] } } })
    expect(item?.version).toEqual({ N: '2' })
    expect(Object.keys(item?.write_tokens?.M ?? {})).toHaveLength(2)
    // A minute later, the next write drops both earlier tokens.
    const later = new DynamoDBSessionStore({ client, tableName, now: () => Date.now() + 61_000 })
    const reloaded = await later.load(created.id)
    if (!reloaded) throw new Error('unreachable')
    await later.save(changeOf(reloaded, { a: 3 }, { now: nowSeconds() + 61 }))
    expect(Object.keys((await rawItem(inPlace, created.id))?.write_tokens?.M ?? {})).toHaveLength(1)
  })

  it('in place, nothing is asked back: the record saved carries the next version and the tokens kept, and a save from it conditions on them', async () => {
    const { client: recording, calls, answered } = countingClient()
    const inPlace = new DynamoDBSessionStore({ client: recording, tableName })
    const created = await inPlace.create({ data: { a: 1 }, expiresAt: nowSeconds() + 100 })
    calls.length = 0
    answered.length = 0
    const saved = await inPlace.save(change(created, { a: 2 }))
    if (saved.status !== 'saved') throw new Error(`not saved: ${saved.status}`)
    expect(calls).toEqual(['UpdateItem'])
    expect(answered[0]?.input).not.toHaveProperty('ReturnValues')
    expect(answered[0]?.output.Attributes).toBeUndefined()
    const stored = await rawItem(inPlace, created.id)
    const revision = revisionOf(saved.record)
    expect(revision.version).toEqual(stored?.version)
    expect(revision.tokens?.map(([token]) => token).sort()).toEqual(
      Object.keys(stored?.write_tokens?.M ?? {}).sort(),
    )
    // The whole item (clear()) from that record: applied, as the version it names is the item's.
    expect((await inPlace.save(change(saved.record, { b: 3 }, { cleared: true }))).status).toBe('saved')
    expect((await inPlace.load(created.id))?.data).toEqual({ b: 3 })
    // Another key written in between raised the version past the record's: the same save is refused.
    const next = await inPlace.load(created.id)
    if (!next) throw new Error('unreachable')
    const again = await inPlace.save(change(next, { b: 4 }))
    if (again.status !== 'saved') throw new Error('unreachable')
    await inPlace.save(change(next, { c: 5 }))
    expect(await inPlace.save(change(again.record, { d: 6 }, { cleared: true }))).toMatchObject({
      status: 'conflict',
    })
    expect((await inPlace.load(created.id))?.data).toEqual({ b: 4, c: 5 })
  })

  it('the whole item, conditional on the version, after clear() and with codecs other than the map', async () => {
    const { client: counting, calls } = countingClient()
    const whole = new DynamoDBSessionStore({ client: counting, tableName, codec: jsonStringCodec })
    const created = await whole.create({ data: { a: 1 }, expiresAt: nowSeconds() + 100 })
    calls.length = 0
    expect((await whole.save(change(created, { b: 2 }))).status).toBe('saved')
    expect(calls).toEqual(['PutItem'])
    expect((await rawItem(whole, created.id))?.data).toEqual({ S: '{"a":1,"b":2}' })
    const mapStore = new DynamoDBSessionStore({ client: counting, tableName })
    const mapped = await mapStore.create({ data: { a: 1 }, expiresAt: nowSeconds() + 100 })
    calls.length = 0
    await mapStore.save(change(mapped, { b: 2 }, { cleared: true }))
    expect(calls).toEqual(['PutItem'])
    expect((await mapStore.load(mapped.id))?.data).toEqual({ b: 2 })
  })

  it('an item without a version or write tokens (written by another tool) is written whole once, then in place', async () => {
    const id = generateSessionId()
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...sessionKey(store.props, id),
          expire_at: { N: String(nowSeconds() + 100) },
          data: { M: {} },
        },
      }),
    )
    const { client: counting, calls } = countingClient()
    const counted = new DynamoDBSessionStore({ client: counting, tableName })
    const loaded = await counted.load(id)
    if (!loaded) throw new Error('unreachable')
    calls.length = 0
    expect((await counted.save(change(loaded, { a: 1 }))).status).toBe('saved')
    expect((await rawItem(store, id))?.version).toEqual({ N: '1' })
    const again = await counted.load(id)
    if (!again) throw new Error('unreachable')
    await counted.save(change(again, { b: 1 }))
    expect(calls).toEqual(['PutItem', 'GetItem', 'UpdateItem'])
    expect((await counted.load(id))?.data).toEqual({ a: 1, b: 1 })
    // The first writer's stale view conflicts on its own key, and is no longer "unversioned".
    expect(await counted.save(change(loaded, { a: 5 }))).toEqual({ status: 'conflict', reason: 'key' })
  })

  it('regenerate leaves a short-lived item under the old id that names the new one, and nothing else', async () => {
    const created = await store.create({ data: { a: 1 }, expiresAt: nowSeconds() + 100 })
    const now = nowSeconds()
    const result = await store.regenerate(change(created, {}, { now }))
    if (result.status !== 'saved') throw new Error('unreachable')
    const old = await rawItem(store, created.id)
    expect(old?.successor).toEqual({ S: result.record.id })
    expect(old?.data).toBeUndefined()
    expect(Number(old?.expire_at?.N)).toBe(now + SUCCESSOR_SECONDS)
  })

  it('refuses an item over 400 KB before sending it, leaving the stored session as it was', async () => {
    const created = await store.create({ data: { small: true }, expiresAt: nowSeconds() + 100 })
    const huge = 'x'.repeat(410 * 1024)
    await expect(store.save(change(created, { blob: huge }, { cleared: true }))).rejects.toBeInstanceOf(
      SessionTooLargeError,
    )
    await expect(
      store.create({ data: { blob: huge }, expiresAt: nowSeconds() + 100 }),
    ).rejects.toBeInstanceOf(SessionTooLargeError)
    // In place, DynamoDB refuses it: the same error.
    await expect(store.save(change(created, { blob: huge }))).rejects.toBeInstanceOf(SessionTooLargeError)
    expect(await store.load(created.id)).toMatchObject({ data: { small: true } })
  })

  it('counts numbers as DynamoDB does, so number-heavy data near the limit is stored, not refused', async () => {
    const nums = Array.from({ length: 50_000 }, (_, i) => 100_000_000 + i) // 9 digits: 6 bytes each, ~350 KB
    const created = await store.create({ data: { nums }, expiresAt: nowSeconds() + 100 })
    expect((await store.load(created.id))?.data.nums).toEqual(nums)
  })

  it('stores just under the limit', async () => {
    const created = await store.create({
      data: { blob: 'y'.repeat(390 * 1024) },
      expiresAt: nowSeconds() + 100,
    })
    expect((await store.load(created.id))?.data.blob).toBe('y'.repeat(390 * 1024))
  })
})

describe('corrupted items count as no session and are reported', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['expiry missing', { data: { M: {} }, version: { N: '1' } }],
    ['expiry of the wrong type', { expire_at: { S: 'soon' }, data: { M: {} } }],
    ['data missing', { expire_at: { N: '9999999999' } }],
    ['data of the wrong type', { expire_at: { N: '9999999999' }, data: { S: 'not a map' } }],
    ['binary data', { expire_at: { N: '9999999999' }, data: { B: new Uint8Array([1, 2]) } }],
    [
      'an unreadable expiry policy',
      { expire_at: { N: '9999999999' }, data: { M: {} }, expiry_policy: { S: '?' } },
    ],
  ]
  for (const [name, attributes] of cases) {
    it(name, async () => {
      const id = generateSessionId()
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...sessionKey(store.props, id), ...attributes } as never,
        }),
      )
      warnings.length = 0
      expect(await store.load(id)).toBeUndefined()
      expect(warnings).toHaveLength(1)
      expect(JSON.stringify(warnings)).not.toContain(id)
    })
  }
})

describe('custom props: sort key, prefixes and suffixes, renamed attributes', () => {
  let custom: DynamoDBSessionStore
  beforeAll(async () => {
    const name = await createTable(client, { partitionKey: 'pk', sortKey: 'sk', expiryName: 'ttl' })
    custom = new DynamoDBSessionStore({
      client,
      tableName: name,
      partitionKey: { name: 'pk', prefix: 'SESSION#', suffix: '#v1' },
      sortKey: { name: 'sk', prefix: 'META#', suffix: '!' },
      expiryName: 'ttl',
      dataName: 'payload',
      versionName: 'rev',
      expiryPolicyName: 'policy',
      writeTokensName: 'tok',
      successorName: 'next',
      codec: jsonStringCodec,
      consistentRead: false,
    })
  })

  it('builds both keys from the id and uses every renamed attribute', async () => {
    const created = await custom.create({
      data: { a: [1, 2] },
      expiresAt: nowSeconds() + 100,
      expiry: Expiry.onSessionEnd(),
    })
    const item = await rawItem(custom, created.id)
    expect(item?.pk).toEqual({ S: `SESSION#${created.id}#v1` })
    expect(item?.sk).toEqual({ S: `META#${created.id}!` })
    expect(item?.ttl?.N).toBe(String(created.expiresAt))
    expect(item?.payload).toEqual({ S: '{"a":[1,2]}' })
    expect(item?.rev).toEqual({ N: '1' })
    expect(item?.policy).toEqual({ S: 'onSessionEnd:1209600' })
    expect(item?.tok?.M).toBeDefined()
    const saved = await custom.save(changeOf(created, { a: [3] }))
    expect(saved.status).toBe('saved')
    expect((await rawItem(custom, created.id))?.rev).toEqual({ N: '2' })
    // consistentRead: false is eventually consistent in AWS; DynamoDB Local answers consistently.
    const reloaded = await custom.load(created.id)
    if (!reloaded) throw new Error('unreachable')
    const later = nowSeconds() + 2_000_000 // one reading of the clock, or a second may pass between two
    expect(await custom.touch(reloaded, later)).toBeDefined()
    expect(await custom.load(created.id)).toMatchObject({
      data: { a: [3] },
      expiresAt: later,
    })
    const regenerated = await custom.regenerate(changeOf(reloaded, {}))
    if (regenerated.status !== 'saved') throw new Error('unreachable')
    expect((await rawItem(custom, created.id))?.next).toEqual({ S: regenerated.record.id })
    await custom.destroy(created.id)
    expect(await custom.load(regenerated.record.id)).toBeUndefined()
  })
})

describe('deleteExpiredSessions', () => {
  it('deletes only expired items of this store, across pages and batches, leaving other entities alone', async () => {
    // A table without TTL (what deleteExpiredSessions is for): with TTL on, DynamoDB Local would race it.
    const name = await createTable(client, { ttl: false })
    const now = nowSeconds()
    const shared = new DynamoDBSessionStore({ client, tableName: name })
    const expired: string[] = []
    for (let i = 0; i < 60; i++) {
      expired.push((await shared.create({ data: { i, pad: 'p'.repeat(20_000) }, expiresAt: now + 1 })).id)
    }
    const live = await shared.create({ data: { live: true }, expiresAt: now + 1000 })
    // Another entity in a shared table, also past its expiry: not ours to delete.
    await client.send(
      new PutItemCommand({
        TableName: name,
        Item: { session_id: { S: 'ORDER#42' }, expire_at: { N: String(now - 10) } },
      }),
    )
    const later = { now: () => (now + 5) * 1000 }
    expect(await deleteExpiredSessions(shared, later)).toBe(60)
    const left = await client.send(new ScanCommand({ TableName: name }))
    const keys = (left.Items ?? []).map((item) => item.session_id?.S).sort()
    expect(keys).toEqual(['ORDER#42', `SESSIONS::TOWER::${live.id}`].sort())
    expect(await deleteExpiredSessions(shared, later)).toBe(0)
  })
})

describe('deleteExpiredSessions and users', () => {
  /**
   * A store with the users' feature on a fresh table without TTL (an MRSC global table's case), and a
   * session bound to `userId` now, for a minute; the key of its user's item.
   */
  async function boundSession(userId: string) {
    const name = await createTable(client, { ttl: false })
    const store = new DynamoDBSessionStore({ client, tableName: name, users: userSessions() })
    const nowMs = nowSeconds() * 1000
    const binding = await store.users?.bindingFor(undefined, userId, undefined, { now: nowMs })
    if (!binding) throw new Error('unreachable')
    const session = await store.create({ data: { a: 1 }, expiresAt: nowSeconds() + 60, user: binding })
    return { name, store, nowMs, session, userKey: `SESSIONS::TOWER::USER#${userId}` }
  }

  it("keeps a user's item that a bind renewed between the sweep's Scan and its delete", async () => {
    const { name, store: sweeper, nowMs, userKey } = await boundSession('u-2')
    const later = nowMs + 401 * 86_400_000
    const userItem = { session_id: { S: userKey } }
    // The sweep reads the user's item as expired; a bind renews it before the delete is sent.
    const send = sweeper.request.bind(sweeper)
    sweeper.request = async (operation, input) => {
      if (operation === 'DeleteItem' || operation === 'BatchWriteItem') {
        await client.send(
          new UpdateItemCommand({
            TableName: name,
            Key: userItem,
            UpdateExpression: 'SET expire_at = :later',
            ExpressionAttributeValues: { ':later': { N: String(Math.floor(later / 1000) + 86_400) } },
          }),
        )
      }
      return send(operation, input)
    }
    expect(await deleteExpiredSessions(sweeper, { now: () => later })).toBe(1) // the session, not the user's item
    expect((await client.send(new GetItemCommand({ TableName: name, Key: userItem }))).Item).toBeDefined()
  })

  it("removes a user's item once it is past its expiry (400 days after the last bind), not before", async () => {
    // What a table without TTL (an MRSC global table) needs: a user's item expires like a session does.
    const { name, store, nowMs, session: bound, userKey } = await boundSession('u-1')
    const keys = async () =>
      ((await client.send(new ScanCommand({ TableName: name }))).Items ?? [])
        .map((item) => item.session_id?.S)
        .sort()
    expect(await keys()).toEqual([`SESSIONS::TOWER::${bound.id}`, userKey].sort())
    const days = (n: number) => ({ now: () => nowMs + n * 86_400_000 })
    expect(await deleteExpiredSessions(store, days(10))).toBe(1) // the session; its user's item lives on
    expect(await keys()).toEqual([userKey])
    expect(await deleteExpiredSessions(store, days(399))).toBe(0)
    expect(await deleteExpiredSessions(store, days(401))).toBe(1)
    expect(await keys()).toEqual([])
  })
})

describe('deleteExpiredSessions with a sort key', () => {
  it("deletes expired sessions only where both keys are this store's", async () => {
    const name = await createTable(client, { partitionKey: 'pk', sortKey: 'sk', ttl: false })
    const now = nowSeconds()
    const props = {
      client,
      tableName: name,
      partitionKey: { name: 'pk', prefix: 'S#' },
      sortKey: { name: 'sk', prefix: 'META' },
    }
    const sorted = new DynamoDBSessionStore(props)
    const expired = await sorted.create({ data: { a: 1 }, expiresAt: now + 1 })
    // Same partition, another entity (its sort key is not the session's): also past its expiry.
    await client.send(
      new PutItemCommand({
        TableName: name,
        Item: { pk: { S: `S#${expired.id}` }, sk: { S: 'ORDER#1' }, expire_at: { N: String(now - 10) } },
      }),
    )
    expect(await deleteExpiredSessions(sorted, { now: () => (now + 5) * 1000 })).toBe(1)
    const left = await client.send(new ScanCommand({ TableName: name }))
    expect((left.Items ?? []).map((item) => item.sk?.S)).toEqual(['ORDER#1'])
  })
})

describe('the gzip codec against DynamoDB', () => {
  it('stores a large session in a fraction of the bytes, and one too big for a map at all', async () => {
    const gz = new DynamoDBSessionStore({ client, tableName, codec: gzipCodec() })
    const items = Array.from({ length: 400 }, (_, i) => ({
      sku: `SKU-${i}`,
      qty: i % 7,
      title: 'A product title',
    }))
    const created = await gz.create({ data: { items }, expiresAt: nowSeconds() + 100 })
    const raw = await rawItem(gz, created.id)
    expect(raw?.data?.B?.length).toBeLessThan(JSON.stringify({ items }).length / 3)
    expect((await gz.load(created.id))?.data).toEqual({ items })

    // About 1 MB of JSON: over DynamoDB's item limit as a map, a few KB gzipped.
    const big = {
      log: Array.from({ length: 20_000 }, (_, i) => `event ${i % 10}: the same thing happened again`),
    }
    await expect(store.create({ data: big, expiresAt: nowSeconds() + 100 })).rejects.toBeInstanceOf(
      SessionTooLargeError,
    )
    const stored = await gz.create({ data: big, expiresAt: nowSeconds() + 100 })
    expect((await gz.load(stored.id))?.data).toEqual(big)
  })

  it('counts an item it cannot inflate as corrupted, without crashing', async () => {
    const gz = new DynamoDBSessionStore({ client, tableName, codec: gzipCodec(), logger })
    const id = generateSessionId()
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...sessionKey(gz.props, id),
          expire_at: { N: String(nowSeconds() + 100) },
          data: { B: new Uint8Array([31, 139, 8, 0, 1, 2, 3]) },
        },
      }),
    )
    warnings.length = 0
    expect(await gz.load(id)).toBeUndefined()
    expect(warnings).toHaveLength(1)
  })
})

describe('construction', () => {
  it('rejects nonsense props at once', () => {
    expect(() => new DynamoDBSessionStore({ partitionKey: { name: '' } })).toThrow(SessionConfigError)
    expect(() => new DynamoDBSessionStore({ sortKey: { name: 'session_id' } })).toThrow(SessionConfigError)
    expect(() => new DynamoDBSessionStore({ expiryName: 'session_id' })).toThrow(SessionConfigError)
    expect(() => new DynamoDBSessionStore({ dataName: 'expire_at' })).toThrow(SessionConfigError)
    expect(() => new DynamoDBSessionStore({ tableName: '' })).toThrow(SessionConfigError)
    expect(() => new DynamoDBSessionStore({ createAttempts: 0 })).toThrow(SessionConfigError)
  })

  it('creates no client and does no I/O until first used', () => {
    const lazy = new DynamoDBSessionStore()
    expect(lazy.props.tableName).toBe('TowerSessions')
  })
})

describe('client and send', () => {
  it('exposes the client it sends with: its own, or one shared by the stores given none', () => {
    expect(store.client).toBe(client)
    const shared = new DynamoDBSessionStore().client
    expect(new DynamoDBSessionStore({ tableName: 'Other' }).client).toBe(shared)
    expect(shared).not.toBe(client)
  })

  it('sends a command, and turns a failure into SessionStoreError naming the operation', async () => {
    const key = sessionKey(store.props, generateSessionId())
    const found = await store.send('GetItem', new GetItemCommand({ TableName: tableName, Key: key }))
    expect(found.Item).toBeUndefined()
    const error = await store
      .send('GetItem', new GetItemCommand({ TableName: 'NoSuchTable', Key: key }))
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SessionStoreError)
    expect((error as SessionStoreError).operation).toBe('GetItem')
    expect((error as SessionStoreError).message).toBe(
      'DynamoDB GetItem failed: table "NoSuchTable" does not exist in this account and region (is TABLE_NAME right? template.yaml creates it) (ResourceNotFoundException)',
    )
    expect((error as SessionStoreError).cause).toBeInstanceOf(Error)
  })
})
