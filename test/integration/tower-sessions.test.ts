/**
 * The tower-sessions format against DynamoDB Local, both directions: items a Rust service wrote (the
 * committed vectors of the Rust program in test/interop/) are loaded, changed and saved by this library
 * and stay what the Rust side reads; sessions this library creates are laid out byte for byte as the Rust
 * crate writes them. Concurrency with a Rust writer (which saves unconditionally) is forced at a proxy.
 */
import { readFileSync } from 'node:fs'
import {
  type AttributeValue,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DynamoDBSessionStore,
  jsonStringCodec,
  SessionConfigError,
  SessionDataError,
} from '../../src/index.ts'
import {
  decodeTowerRecord,
  encodeTowerRecord,
  isTowerSessionId,
  MAX_SESSION_KEYS,
  towerSessionsFormat,
} from '../../src/tower-sessions/index.ts'
import type { HttpResult } from '../support/app.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { gate, WRITE_OPS } from '../support/fault-proxy.ts'
import { type Actor, actor, cookieOf, type Route } from '../support/race.ts'

interface Vector {
  name: string
  cookie: string
  pk: string
  expire_at: number
  data_json: string
  data_b64: string
}

const vectors: Vector[] = JSON.parse(
  readFileSync(new URL('../interop/fixtures/rust-vectors.json', import.meta.url), 'utf8'),
)

/** The clock of these tests: before every vector's expiry but the expired ones, whatever today is. */
const NOW_MS = Date.UTC(2026, 5, 1)
const NOW = NOW_MS / 1000
const TWO_WEEKS = 14 * 24 * 3600
const now = () => NOW_MS

const raw = localClient()
let tableName: string
const actors: Actor[] = []
beforeAll(async () => {
  tableName = await createTable(raw, { ttl: false })
})
afterAll(async () => {
  await Promise.all(actors.map((a) => a.close()))
  raw.destroy()
})

const key = (cookie: string) => ({ session_id: { S: `SESSIONS::TOWER::${cookie}` } })

async function rawItem(cookie: string) {
  return (
    await raw.send(new GetItemCommand({ TableName: tableName, Key: key(cookie), ConsistentRead: true }))
  ).Item
}

/** Writes an item as the Rust crate does: the key, expire_at and the data blob, nothing else, unconditionally. */
async function rustPut(cookie: string, expireAt: number, blob: Uint8Array): Promise<void> {
  const item: Record<string, AttributeValue> = {
    ...key(cookie),
    expire_at: { N: String(expireAt) },
    data: { B: blob },
  }
  await raw.send(new PutItemCommand({ TableName: tableName, Item: item }))
}

async function lambda(route: Route): Promise<Actor> {
  const created = await actor(tableName, route, { now, store: { format: towerSessionsFormat() } })
  actors.push(created)
  return created
}

describe('a session a Rust service wrote: loaded, changed and saved, and still what Rust reads', () => {
  const live = vectors.filter((v) => v.expire_at > NOW)
  const expired = vectors.filter((v) => v.expire_at <= NOW)

  it(`loads every one of ${live.length} Rust vectors with the data Rust stored, and saves a change keeping every other value's bytes`, async () => {
    let seen: Record<string, unknown> | undefined
    const app = await lambda(async (session) => {
      seen = {}
      for (const name of Object.keys(JSON.parse(currentJson))) {
        // An own property even for "__proto__", as JSON.parse makes it.
        Object.defineProperty(seen, name, {
          value: await session.get(name),
          enumerable: true,
          writable: true,
        })
      }
      await session.set('changed_by_lambda', true)
      return { statusCode: 200 }
    })
    let currentJson = '{}'
    for (const vector of live) {
      const original = Buffer.from(vector.data_b64, 'base64')
      await rustPut(vector.cookie, vector.expire_at, original)
      currentJson = vector.data_json
      const result = await app.send('change', vector.cookie)
      expect(result.statusCode, vector.name).toBe(200)
      expect(cookieOf(result), vector.name).toBe(vector.cookie)
      // The data as Rust stored it (numbers JavaScript cannot hold exactly come as the nearest double).
      expect(seen, vector.name).toEqual(JSON.parse(vector.data_json))
      const item = await rawItem(vector.cookie)
      // Beside the Rust record: the write tokens, and the creation time (counted from this first write).
      expect(Object.keys(item ?? {}).sort()).toEqual([
        'created_at',
        'data',
        'expire_at',
        'session_id',
        'write_tokens',
      ])
      expect(item?.expire_at?.N).toBe(String(NOW + TWO_WEEKS))
      expect(item?.created_at?.N).toBe(String(NOW))
      const saved = item?.data?.B as Uint8Array
      const before = decodeTowerRecord(original)
      const after = decodeTowerRecord(saved)
      expect(after.id).toBe(vector.cookie)
      expect(after.expiresAt).toBe(NOW + TWO_WEEKS)
      // Every value the Lambda did not change is written back byte for byte (u64::MAX, 2.0 included).
      for (const [name, bytes] of before.rawEntries) {
        expect(
          Buffer.from(after.rawEntries.get(name) ?? []).equals(Buffer.from(bytes)),
          `${vector.name}: ${name}`,
        ).toBe(true)
      }
      expect(after.data.changed_by_lambda).toBe(true)
      // Exactly the bytes of the encoder that the Rust program's decoding of its output proves
      // (test/interop/fixtures/rust-decoded.json).
      const expected = encodeTowerRecord(
        { id: vector.cookie, data: after.data, expiresAt: NOW + TWO_WEEKS },
        { rawEntries: before.rawEntries },
      )
      expect(Buffer.from(saved).equals(Buffer.from(expected)), vector.name).toBe(true)
    }
  })

  it(`never loads one of the ${expired.length} expired vectors: a write starts a new session under a new id`, async () => {
    let found: unknown = 'not run'
    const app = await lambda(async (session) => {
      found = await session.get('flash')
      await session.set('fresh', 1)
      return { statusCode: 200 }
    })
    for (const vector of expired) {
      await rustPut(vector.cookie, vector.expire_at, Buffer.from(vector.data_b64, 'base64'))
      const result = await app.send('write', vector.cookie)
      expect(found, vector.name).toBeUndefined()
      const id = cookieOf(result) ?? ''
      expect(id).not.toBe(vector.cookie)
      expect(isTowerSessionId(id)).toBe(true)
    }
  })
})

describe('a session this library creates: laid out as the Rust crate writes it', () => {
  it('the id cookie, the key, expire_at and the Record blob, byte for byte', async () => {
    const data = {
      '': 'empty key',
      __proto__x: 1,
      constructor: 'data, not a prototype',
      unicode: 'Zoë 🎉 \u0000',
      max: Number.MAX_VALUE,
      tiny: 5e-324,
      big: 2 ** 60,
      nested: { list: [1, 2.5, null, true, { deep: [] }] },
    }
    const app = await lambda(async (session) => {
      for (const [name, value] of Object.entries(data)) await session.set(name, value)
      return { statusCode: 200 }
    })
    const result = await app.send('create')
    const id = cookieOf(result) ?? ''
    expect(isTowerSessionId(id)).toBe(true)
    expect(id).toHaveLength(22)
    expect(result.cookies?.[0]).toMatch(new RegExp(`^id=${id};`))
    const item = await rawItem(id)
    expect(item?.expire_at?.N).toBe(String(NOW + TWO_WEEKS))
    expect(item?.version).toBeUndefined() // the Rust crate would drop it: not written at all
    const blob = item?.data?.B as Uint8Array
    const record = decodeTowerRecord(blob)
    expect(record.id).toBe(id)
    expect(record.data).toEqual(data)
    expect(record.expiresAt).toBe(NOW + TWO_WEEKS)
    const expected = encodeTowerRecord({ id, data, expiresAt: NOW + TWO_WEEKS })
    expect(Buffer.from(blob).equals(Buffer.from(expected))).toBe(true)
  })

  it('looks up only tower-sessions ids: a 32-character id or a non-canonical value costs no read', async () => {
    const app = await lambda(async (session) => ({ statusCode: 200, body: String(await session.get('x')) }))
    app.proxy.seen.length = 0
    await app.send('read', 'q3Jz0m2b4uWk1yC8XvQ9dNfH7sLpTa-_')
    await app.send('read', 'KgAAAAAAAAAAAAAAAAAAAB') // last character carries non-zero unused bits
    expect(app.proxy.seen).toEqual([])
  })

  it('a regenerated session leaves under the old id an item without data: the Rust crate counts it as absent', async () => {
    const app = await lambda(async (session, path) => {
      if (path === 'login') await session.regenerate()
      await session.set('user', 'ada')
      return { statusCode: 200 }
    })
    const first = cookieOf(await app.send('create')) ?? ''
    const second = cookieOf(await app.send('login', first)) ?? ''
    expect(isTowerSessionId(second)).toBe(true)
    expect(second).not.toBe(first)
    const old = await rawItem(first)
    expect(old?.data).toBeUndefined() // TSDS's load requires `data` to be binary, else "no session"
    expect(old?.successor).toEqual({ S: second })
    expect(decodeTowerRecord((await rawItem(second))?.data?.B as Uint8Array).data).toEqual({ user: 'ada' })
  })

  it(`a record of more keys than a session holds (${MAX_SESSION_KEYS}), written by another service: refused as corrupt, a fresh session, the record left as it is`, async () => {
    const id = vectors[0]?.cookie.replace('K', 'M') ?? ''
    // The Rust side could write it: 8,193 keys of `true`, "k0000" to "k8192".
    const empty = encodeTowerRecord({ id, data: {}, expiresAt: NOW + 3600 })
    const entries = Array.from({ length: MAX_SESSION_KEYS + 1 }, (_, i) =>
      Buffer.concat([
        Buffer.from([0xa5]),
        Buffer.from(`k${String(i).padStart(4, '0')}`),
        Buffer.from([0xc3]),
      ]),
    )
    const at = 19 // after 93 c4 10 and the 16 id bytes, the empty data map (80)
    expect(empty[at]).toBe(0x80)
    const blob = Buffer.concat([
      empty.subarray(0, at),
      Buffer.from('de2001', 'hex'),
      ...entries,
      empty.subarray(at + 1),
    ])
    await rustPut(id, NOW + 3600, blob)
    let seen: unknown = 'not read'
    const app = await lambda(async (session) => {
      seen = await session.get('k0000')
      await session.set('visits', 1)
      return { statusCode: 200 }
    })
    const fresh = cookieOf(await app.send('visit', id)) ?? ''
    expect(seen).toBeUndefined()
    expect(isTowerSessionId(fresh)).toBe(true)
    expect(fresh).not.toBe(id)
    expect(Buffer.from((await rawItem(id))?.data?.B as Uint8Array).equals(blob)).toBe(true)
    expect(decodeTowerRecord((await rawItem(fresh))?.data?.B as Uint8Array).data).toEqual({ visits: 1 })
  })

  it('refuses what Rust could not read at set(), and accepts what the native map could not hold', async () => {
    const errors: unknown[] = []
    const app = await lambda(async (session) => {
      await session.set('bad', 'lone \ud800').catch((e: unknown) => errors.push(e))
      await session.set('', { __proto__x: Number.MAX_VALUE })
      return { statusCode: 200 }
    })
    const id = cookieOf(await app.send('create')) ?? ''
    expect(errors[0]).toBeInstanceOf(SessionDataError)
    expect(decodeTowerRecord((await rawItem(id))?.data?.B as Uint8Array).data).toEqual({
      '': { __proto__x: Number.MAX_VALUE },
    })
  })
})

describe('concurrency with a Rust writer, which saves unconditionally', () => {
  /** Runs `app`'s request up to its first write, runs `meanwhile` (the Rust side), then lets the write go. */
  async function withRustMeanwhile(app: Actor, path: string, id: string, meanwhile: () => Promise<void>) {
    const done = gate()
    const arrived = gate()
    let held = false
    app.proxy.intercept(async ({ op }) => {
      if (held || !WRITE_OPS.has(op)) return undefined
      held = true
      arrived.open()
      await done.opened
      return 'forward'
    })
    const pending = app.send(path, id)
    await arrived.opened
    await meanwhile()
    done.open()
    return pending as Promise<HttpResult>
  }

  async function rustSession(data: Record<string, unknown>) {
    const id = vectors[0]?.cookie.replace('K', 'L') ?? ''
    await rustPut(id, NOW + 3600, encodeTowerRecord({ id, data: data as never, expiresAt: NOW + 3600 }))
    return id
  }

  it('Rust changed another key meanwhile: this library re-bases onto it and both changes are kept', async () => {
    const id = await rustSession({ cart: 1 })
    const app = await lambda(async (session) => {
      await session.get('cart')
      await session.set('flash', 'from lambda')
      return { statusCode: 200 }
    })
    const result = await withRustMeanwhile(app, 'w', id, () =>
      rustPut(
        id,
        NOW + 7200,
        encodeTowerRecord({ id, data: { cart: 1, rust: 'from rust' }, expiresAt: NOW + 7200 }),
      ),
    )
    expect(result.statusCode).toBe(200)
    expect(decodeTowerRecord((await rawItem(id))?.data?.B as Uint8Array).data).toEqual({
      cart: 1,
      rust: 'from rust',
      flash: 'from lambda',
    })
  })

  it('Rust changed the same key meanwhile: 409, and what Rust wrote stays', async () => {
    const id = await rustSession({ cart: 1 })
    const app = await lambda(async (session) => {
      await session.set('cart', ((await session.get('cart')) as number) + 1)
      return { statusCode: 200 }
    })
    const result = await withRustMeanwhile(app, 'w', id, () =>
      rustPut(id, NOW + 7200, encodeTowerRecord({ id, data: { cart: 5 }, expiresAt: NOW + 7200 })),
    )
    expect(result.statusCode).toBe(409)
    expect(decodeTowerRecord((await rawItem(id))?.data?.B as Uint8Array).data).toEqual({ cart: 5 })
  })

  it('Rust deleted it meanwhile (a logout there): 409 ended, and it is not brought back', async () => {
    const id = await rustSession({ cart: 1 })
    const app = await lambda(async (session) => {
      await session.get('cart')
      await session.set('flash', 'late')
      return { statusCode: 200 }
    })
    const result = await withRustMeanwhile(app, 'w', id, async () => {
      await raw.send(new DeleteItemCommand({ TableName: tableName, Key: key(id) }))
    })
    expect(result.statusCode).toBe(409)
    expect(result.body).toMatch(/ended/)
    expect(await rawItem(id)).toBeUndefined()
  })
})

describe('configuration', () => {
  it('a format and a codec together are a SessionConfigError', () => {
    expect(() => new DynamoDBSessionStore({ format: towerSessionsFormat(), codec: jsonStringCodec })).toThrow(
      SessionConfigError,
    )
  })

  it('the store exposes the format ids, which the middleware uses for cookies', () => {
    const store = new DynamoDBSessionStore({ format: towerSessionsFormat() })
    expect(store.ids.isId('KgAAAAAAAAAAAAAAAAAAAA')).toBe(true)
    expect(store.ids.isId(store.ids.generate())).toBe(true)
    expect(store.ids.isId('q3Jz0m2b4uWk1yC8XvQ9dNfH7sLpTa-_')).toBe(false)
  })
})
