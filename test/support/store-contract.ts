/**
 * The contract every SessionStore keeps, as one suite that runs against each store (DynamoDB Local, and
 * any other), so their observable semantics cannot drift apart: versions and conflicts, expiry checked on
 * read, create with collision retries, destroy that stays destroyed, regenerate, touch, the size guard.
 */
import { describe, expect, it } from 'vitest'
import { generateSessionId } from '../../src/id.ts'
import {
  Expiry,
  type JsonValue,
  SessionDataError,
  type SessionStore,
  SessionStoreError,
  SUCCESSOR_SECONDS,
} from '../../src/index.ts'
import type { SessionChange, SessionRecord } from '../../src/store/index.ts'

export interface ContractStoreOptions {
  /** The store's clock, epoch milliseconds. */
  now: () => number
  /** The store's id generator. */
  generateId?: () => string
  /** Attempts per create (the first and the collision retries). */
  createAttempts?: number
  /** Retries of a write on top of concurrent changes that do not collide with it. */
  maxConflictRetries?: number
}

/** Makes a fresh store (its own table or memory) for one test. */
export type StoreFactory = (options: ContractStoreOptions) => Promise<SessionStore>

/** What a store claims beyond the methods every store has; the contract then requires it. */
export interface StoreClaims {
  /**
   * `set()` refuses what the store cannot hold, through `checkEntry`, `entrySize` and `assertFits`.
   * Default `true` (both stores of this package): a store without them must say so, or the suite fails.
   */
  sizeGuard?: boolean
}

const DEFAULT = Expiry.onInactivity(3600)

/** A change of `base`: `entries` as an object (`undefined` removes), plus any other field. */
export function changeOf(
  base: SessionRecord,
  entries: Record<string, JsonValue | undefined>,
  extra: Partial<SessionChange> = {},
): SessionChange {
  return {
    base,
    entries: new Map(Object.entries(entries)),
    cleared: false,
    defaultExpiry: DEFAULT,
    now: Math.floor(Date.now() / 1000),
    ...extra,
  }
}

export function storeContract(name: string, makeStore: StoreFactory, claims: StoreClaims = {}): void {
  const { sizeGuard = true } = claims
  const clock = { ms: Date.now() }
  const now = () => clock.ms
  const seconds = () => Math.floor(clock.ms / 1000)
  const fresh = (options: Partial<ContractStoreOptions> = {}) => makeStore({ now, ...options })
  const change = (base: SessionRecord, entries: Record<string, JsonValue | undefined>, extra = {}) =>
    changeOf(base, entries, { now: seconds(), ...extra })
  const loaded = async (store: SessionStore, id: string) => {
    const record = await store.load(id)
    if (!record) throw new Error(`session ${id} not found`)
    return record
  }

  describe(`SessionStore contract: ${name}`, () => {
    it('creates a session under a fresh id, loads it back, destroys it for good', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({
        data: { count: 1, user: { name: 'Ada' } },
        expiresAt: seconds() + 60,
      })
      expect(created.id).toMatch(/^[A-Za-z0-9_-]{16,}$/)
      expect(await store.load(created.id)).toMatchObject({
        id: created.id,
        data: { count: 1, user: { name: 'Ada' } },
        expiresAt: seconds() + 60,
      })
      await store.destroy(created.id)
      expect(await store.load(created.id)).toBeUndefined()
      await store.destroy(created.id) // destroying twice is fine
      expect(await store.load(generateSessionId())).toBeUndefined()
    })

    it('checks expiry on read: a session past its expiry is no session', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { a: 1 }, expiresAt: seconds() + 10 })
      clock.ms += 11_000
      expect(await store.load(created.id)).toBeUndefined()
    })

    it('a session that expires between its load and its save is not brought back, in place or whole', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const inPlace = await store.create({ data: { a: 1 }, expiresAt: seconds() + 10 })
      const whole = await store.create({ data: { a: 1 }, expiresAt: seconds() + 10 })
      const [loadedInPlace, loadedWhole] = [await loaded(store, inPlace.id), await loaded(store, whole.id)]
      clock.ms += 11_000 // the request took long: both expired before its write
      expect(await store.save(change(loadedInPlace, { a: 2 }))).toEqual({ status: 'gone' })
      expect(await store.save(change(loadedWhole, { b: 2 }, { cleared: true }))).toEqual({ status: 'gone' })
      // The writes did not roll their expiry on: still no sessions.
      expect(await store.load(inPlace.id)).toBeUndefined()
      expect(await store.load(whole.id)).toBeUndefined()
    })

    it('keeps a per-session expiry policy', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const expiry = Expiry.onSessionEnd(120)
      const created = await store.create({ data: { a: 1 }, expiresAt: seconds() + 120, expiry })
      expect((await store.load(created.id))?.expiry).toEqual(expiry)
    })

    it('retries an id collision with a fresh id, and gives up after createAttempts', async () => {
      clock.ms = Date.now()
      const first = await fresh()
      const taken = (await first.create({ data: { owner: 'first' }, expiresAt: seconds() + 100 })).id
      const other = generateSessionId()
      const ids = [taken, taken, other]
      const colliding = await fresh({ generateId: () => ids.shift() ?? generateSessionId() })
      // Both stores must see one another's sessions: the factory shares the table or the memory.
      const created = await colliding.create({ data: { owner: 'second' }, expiresAt: seconds() + 100 })
      expect(created.id).toBe(other)
      expect((await colliding.load(taken))?.data).toEqual({ owner: 'first' })
      const stuck = await fresh({ generateId: () => taken, createAttempts: 3 })
      await expect(stuck.create({ data: { x: 1 }, expiresAt: seconds() + 100 })).rejects.toBeInstanceOf(
        SessionStoreError,
      )
      expect((await stuck.load(taken))?.data).toEqual({ owner: 'first' })
    })

    it('saves a change: keys set and removed, the rest kept, the expiry rolled', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { a: 1, b: 2, c: 3 }, expiresAt: seconds() + 10 })
      const result = await store.save(change(created, { a: 10, b: undefined, d: [1, { e: null }] }))
      expect(result).toMatchObject({
        status: 'saved',
        record: { id: created.id, expiresAt: seconds() + 3600 },
      })
      expect(await store.load(created.id)).toMatchObject({
        data: { a: 10, c: 3, d: [1, { e: null }] },
        expiresAt: seconds() + 3600,
      })
    })

    it('keeps both of two concurrent changes of different keys', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { a: 1, b: 1 }, expiresAt: seconds() + 100 })
      expect((await store.save(change(created, { a: 2 }))).status).toBe('saved')
      expect((await store.save(change(created, { b: 2, c: 2 }))).status).toBe('saved')
      expect((await loaded(store, created.id)).data).toEqual({ a: 2, b: 2, c: 2 })
    })

    it('refuses a change of a key another request changed since: conflict, nothing written', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { n: 1, other: 1 }, expiresAt: seconds() + 100 })
      expect((await store.save(change(created, { n: 2 }))).status).toBe('saved')
      expect(await store.save(change(created, { n: 99, other: 5 }))).toEqual({
        status: 'conflict',
        reason: 'key',
      })
      expect((await loaded(store, created.id)).data).toEqual({ n: 2, other: 1 })
      // A removal of a key changed meanwhile conflicts too.
      expect(await store.save(change(created, { n: undefined }))).toEqual({
        status: 'conflict',
        reason: 'key',
      })
    })

    it('refuses a change of the expiry that another request changed since', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { n: 1 }, expiresAt: seconds() + 100 })
      const short = { policy: Expiry.onInactivity(60) }
      expect((await store.save(change(created, {}, { expiry: short }))).status).toBe('saved')
      const long = { policy: Expiry.onInactivity(7200) }
      expect(await store.save(change(created, { x: 1 }, { expiry: long }))).toEqual({
        status: 'conflict',
        reason: 'expiry',
      })
      // A change of other keys follows the new policy rather than undoing it.
      expect((await store.save(change(created, { y: 1 }))).status).toBe('saved')
      const now = await loaded(store, created.id)
      expect(now.expiry).toEqual(Expiry.onInactivity(60))
      expect(now.expiresAt).toBe(seconds() + 60)
    })

    it('with maxConflictRetries 0: changes of other keys still apply, a changed expiry policy is contention', async () => {
      clock.ms = Date.now()
      const store = await fresh({ maxConflictRetries: 0 })
      const created = await store.create({ data: { a: 1, b: 1 }, expiresAt: seconds() + 100 })
      expect((await store.save(change(created, { a: 2 }))).status).toBe('saved')
      expect((await store.save(change(created, { b: 2 }))).status).toBe('saved')
      await store.save(change(created, {}, { expiry: { policy: Expiry.onInactivity(60) } }))
      // Made under the old policy: it would have to be re-based onto the new one, and no retry is left.
      expect(await store.save(change(created, { c: 1 }))).toEqual({
        status: 'conflict',
        reason: 'contention',
      })
      expect((await loaded(store, created.id)).data).toEqual({ a: 2, b: 2 })
    })

    it('after clear(), conflicts with any concurrent change, and otherwise replaces everything', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { a: 1, b: 2 }, expiresAt: seconds() + 100 })
      const cleared = await store.save(change(created, { c: 3 }, { cleared: true }))
      expect(cleared.status).toBe('saved')
      expect((await loaded(store, created.id)).data).toEqual({ c: 3 })
      const again = await store.create({ data: { a: 1 }, expiresAt: seconds() + 100 })
      await store.save(change(again, { z: 1 }))
      expect(await store.save(change(again, {}, { cleared: true }))).toEqual({
        status: 'conflict',
        reason: 'key',
      })
    })

    it('ends a session a change leaves empty, unless another request added to it', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { a: 1 }, expiresAt: seconds() + 100 })
      expect(await store.save(change(created, { a: undefined }))).toEqual({ status: 'ended' })
      expect(await store.load(created.id)).toBeUndefined()
      const busy = await store.create({ data: { a: 1 }, expiresAt: seconds() + 100 })
      await store.save(change(busy, { b: 1 }))
      expect((await store.save(change(busy, { a: undefined }))).status).toBe('saved')
      expect((await loaded(store, busy.id)).data).toEqual({ b: 1 })
    })

    it('never brings back a destroyed session', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { cart: ['a'] }, expiresAt: seconds() + 100 })
      await store.destroy(created.id)
      expect(await store.save(change(created, { cart: ['a', 'b'] }))).toEqual({ status: 'gone' })
      expect(await store.touch(created, seconds() + 500)).toBeUndefined()
      expect(await store.regenerate(change(created, {}))).toEqual({ status: 'gone' })
      expect(await store.load(created.id)).toBeUndefined()
    })

    it('regenerate: the data (with concurrent changes of other keys) under a new id; the old id is dead', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { cart: 1 }, expiresAt: seconds() + 100 })
      await store.save(change(created, { flash: 'hi' })) // a concurrent request, before the regenerate
      const result = await store.regenerate(change(created, { role: 'user' }))
      if (result.status !== 'saved') throw new Error(`not saved: ${result.status}`)
      expect(result.record.id).not.toBe(created.id)
      expect(await store.load(created.id)).toBeUndefined()
      expect((await loaded(store, result.record.id)).data).toEqual({ cart: 1, flash: 'hi', role: 'user' })
      // A request that loaded the old id cannot write to it any more, nor reach the new one.
      expect(await store.save(change(created, { late: 1 }))).toEqual({ status: 'gone' })
      expect((await loaded(store, result.record.id)).data).not.toHaveProperty('late')
      // Only one of two regenerates of the same session wins.
      expect(await store.regenerate(change(created, {}))).toEqual({ status: 'gone' })
    })

    it('a destroy of the old id after a regenerate ends the new session too (a logout stays final)', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { cart: 1 }, expiresAt: seconds() + 100 })
      const result = await store.regenerate(change(created, {}))
      if (result.status !== 'saved') throw new Error('not saved')
      await store.destroy(created.id)
      expect(await store.load(result.record.id)).toBeUndefined()
    })

    it('a destroy of the old id ends the new session only while the successor item lives (SUCCESSOR_SECONDS)', async () => {
      // Sessions that outlive the window, so that only the successor item's own expiry decides.
      const long = { defaultExpiry: Expiry.onInactivity(3 * SUCCESSOR_SECONDS) }
      const regenerated = async (store: SessionStore) => {
        const created = await store.create({
          data: { cart: 1 },
          expiresAt: seconds() + 3 * SUCCESSOR_SECONDS,
        })
        const result = await store.regenerate(change(created, {}, long))
        if (result.status !== 'saved') throw new Error(`not saved: ${result.status}`)
        return { old: created.id, now: result.record.id }
      }
      clock.ms = Date.now()
      const store = await fresh()
      // The last second of the window: the pre-login cookie still ends the new session.
      const inside = await regenerated(store)
      clock.ms += (SUCCESSOR_SECONDS - 1) * 1000
      await store.destroy(inside.old)
      expect(await store.load(inside.now)).toBeUndefined()
      // At the successor item's expiry (as reads count it) and after: the new session is left alone.
      const after = await regenerated(store)
      clock.ms += SUCCESSOR_SECONDS * 1000
      await store.destroy(after.old)
      expect((await loaded(store, after.now)).data).toEqual({ cart: 1 })
      clock.ms += 600_000
      await store.destroy(after.old)
      expect((await loaded(store, after.now)).data).toEqual({ cart: 1 })
      expect(await store.load(after.old)).toBeUndefined()
    })

    it('touch: moves the expiry forward only, only while the session is unchanged', async () => {
      clock.ms = Date.now()
      const store = await fresh()
      const created = await store.create({ data: { keep: 'me' }, expiresAt: seconds() + 100 })
      expect(await store.touch(created, seconds() + 500)).toMatchObject({
        id: created.id,
        expiresAt: seconds() + 500,
      })
      expect(await store.load(created.id)).toMatchObject({ data: { keep: 'me' }, expiresAt: seconds() + 500 })
      // Never backward: the session as it is (already later) counts as touched.
      expect((await store.touch(created, seconds() + 10))?.expiresAt).toBe(seconds() + 500)
      expect((await loaded(store, created.id)).expiresAt).toBe(seconds() + 500)
      // Changed since it was loaded: no touch (the change set its own expiry).
      await store.save(change(created, { keep: 'you' }, { expiry: { policy: Expiry.onInactivity(30) } }))
      expect(await store.touch(created, seconds() + 900)).toBeUndefined()
      expect((await loaded(store, created.id)).expiresAt).toBe(seconds() + 30)
    })

    it.skipIf(!sizeGuard)(
      'guards sizes and contents at set(): what it cannot store and read back is a SessionDataError',
      async () => {
        const store = await fresh()
        // Claimed, so required: without these hooks set() would accept what the write then refuses.
        expect(store.checkEntry).toBeTypeOf('function')
        expect(store.entrySize).toBeTypeOf('function')
        expect(store.assertFits).toBeTypeOf('function')
        const size = store.entrySize?.('blob', 'x'.repeat(1000)) ?? 0
        expect(size).toBeGreaterThanOrEqual(1000)
        expect(() => store.assertFits?.(size, () => ({ blob: 'x'.repeat(1000) }))).not.toThrow()
        expect(() => store.assertFits?.(500 * 1024, () => ({ blob: 'x'.repeat(500 * 1024) }))).toThrow(
          SessionDataError,
        )
        // A map key DynamoDB cannot hold (the default codec stores a map).
        expect(() => store.checkEntry?.('', 1)).toThrow(SessionDataError)
        expect(() => store.checkEntry?.('fine', { nested: [1, 'two', null] })).not.toThrow()
      },
    )
  })
}
