/**
 * The contract of a store's user feature, as one suite that runs against each store that binds sessions
 * to users (the DynamoDB store on DynamoDB Local, and the MemoryStore), so the two cannot drift apart:
 * binding at create, save and regenerate; the list (newest first, paged, expired left out, the current
 * one marked, no session id); ending one session, or all of them (complete and final, but one if asked);
 * a logout taking the session off its user; `last_used`; the cap per user and the clean-up of stale
 * entries. Every test uses users of its own: the stores of one run share their table.
 */
import { randomUUID } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  type JsonValue,
  SessionConfigError,
  type SessionData,
  SessionDataError,
  type SessionStore,
  TooManySessionsError,
  type UserSessionPage,
} from '../../src/index.ts'
import type { SessionChange, SessionRecord, UserBinding, UserSessionIndex } from '../../src/store/index.ts'
import { newHandle } from '../../src/user-binding.ts'
import { changeOf } from './store-contract.ts'

export interface UserContractOptions {
  /** The store's clock, epoch milliseconds. */
  now: () => number
  /** The store's `users.maxSessionsPerUser`, if not the default. */
  maxSessionsPerUser?: number
  /** The store's `maxConflictRetries`, if not the default. */
  maxConflictRetries?: number
  /** The store's `users.whenFull`, if not the default. */
  whenFull?: 'refuse' | 'end-least-recent'
}

/** A store that binds sessions to users. */
export type UserStore = SessionStore & { readonly users: UserSessionIndex }

/** Makes a store (on the run's shared table or memory) for one test. */
export type UserStoreFactory = (options: UserContractOptions) => Promise<UserStore>

export function userContract(name: string, makeStore: UserStoreFactory): void {
  const clock = { ms: Date.now() }
  const now = () => clock.ms
  const seconds = () => Math.floor(clock.ms / 1000)
  const fresh = (options: Partial<UserContractOptions> = {}) => makeStore({ now, ...options })
  const user = () => `user-${randomUUID()}`
  const bindingOf = (userId: string, meta: SessionData = {}): UserBinding => ({
    userId,
    handle: newHandle(),
    since: clock.ms,
    meta,
  })
  const change = (base: SessionRecord, entries: Record<string, JsonValue | undefined>, extra = {}) =>
    changeOf(base, entries, { now: seconds(), ...extra })
  /** A new session bound to nobody. */
  const anonymous = (store: UserStore) => store.create({ data: { n: 1 }, expiresAt: seconds() + 600 })
  /** A new session bound to `userId` now, expiring in `ttl` seconds. */
  const bound = (store: UserStore, userId: string, ttl = 600, meta: SessionData = {}) =>
    store.create({ data: { n: 1 }, expiresAt: seconds() + ttl, user: bindingOf(userId, meta) })
  const handles = (page: UserSessionPage) => page.sessions.map((session) => session.handle)
  const handleOf = (record: SessionRecord) => record.user?.handle ?? ''
  const saved = (result: Awaited<ReturnType<SessionStore['save']>>) => {
    if (result.status !== 'saved') throw new Error(`not saved: ${result.status}`)
    return result.record
  }

  describe(`User sessions contract: ${name}`, () => {
    beforeEach(() => {
      clock.ms = Date.now()
    })

    it('binds at create: the session carries the binding, and the user lists it as a devices page shows it', async () => {
      const store = await fresh()
      const ada = user()
      const binding = bindingOf(ada, { ua: 'Firefox', trusted: true })
      const created = await store.create({ data: { n: 1 }, expiresAt: seconds() + 600, user: binding })
      expect(created.user).toEqual(binding)
      expect((await store.load(created.id))?.user).toEqual(binding)
      expect(await store.users.list(ada)).toEqual({
        sessions: [
          {
            handle: binding.handle,
            createdAt: new Date(binding.since),
            lastUsedAt: new Date(clock.ms),
            expiresAt: new Date((seconds() + 600) * 1000),
            current: false,
            meta: { ua: 'Firefox', trusted: true },
          },
        ],
      })
      expect((await store.load((await anonymous(store)).id))?.user).toBeUndefined()
    })

    it('binds at save; a bound session stays even when its data is emptied (it is the login)', async () => {
      const store = await fresh()
      const ada = user()
      const created = await anonymous(store)
      const binding = bindingOf(ada)
      const record = saved(await store.save(change(created, {}, { user: { binding } })))
      expect(record.user).toMatchObject({ userId: ada, handle: binding.handle })
      expect(handles(await store.users.list(ada))).toEqual([binding.handle])
      const emptied = saved(await store.save(change(record, { n: undefined })))
      expect(await store.load(created.id)).toMatchObject({ data: {}, user: { handle: binding.handle } })
      expect(emptied.id).toBe(created.id)
    })

    it("a user's first bind needs no conflict retry (setting up the user's item is not a conflict)", async () => {
      const store = await fresh({ maxConflictRetries: 0 })
      const ada = user()
      const binding = bindingOf(ada)
      const record = saved(await store.save(change(await anonymous(store), {}, { user: { binding } })))
      expect(record.user).toMatchObject({ userId: ada })
      const regenerated = saved(
        await store.regenerate(change(await anonymous(store), {}, { user: { binding: bindingOf(user()) } })),
      )
      expect(regenerated.user).toBeDefined()
    })

    it('binds at regenerate: the bound session lives under the new id only', async () => {
      const store = await fresh()
      const ada = user()
      const created = await anonymous(store)
      const binding = bindingOf(ada)
      const record = saved(await store.regenerate(change(created, {}, { user: { binding } })))
      expect(record.id).not.toBe(created.id)
      expect(record.user).toMatchObject({ userId: ada, handle: binding.handle })
      expect(await store.load(created.id)).toBeUndefined()
      expect(handles(await store.users.list(ada))).toEqual([binding.handle])
      expect(await store.users.endAll(ada)).toBe(1)
      expect(await store.load(record.id)).toBeUndefined()
    })

    it('a regenerated bound session keeps its handle and place in the list; its entry follows it to the new id', async () => {
      const store = await fresh()
      const ada = user()
      const laptop = await bound(store, ada)
      const since = clock.ms
      clock.ms += 1000
      const phone = await bound(store, ada)
      clock.ms += 1000
      const moved = saved(await store.regenerate(change(laptop, { role: 'admin' })))
      expect(moved.id).not.toBe(laptop.id)
      expect(moved.user).toMatchObject({ handle: handleOf(laptop), since })
      const page = await store.users.list(ada)
      expect(handles(page)).toEqual([handleOf(phone), handleOf(laptop)])
      expect(page.sessions[1]?.createdAt).toEqual(new Date(since))
      // The handle now names the new id: ending it ends the regenerated session.
      expect(await store.users.end(ada, handleOf(laptop))).toBe(true)
      expect(await store.load(moved.id)).toBeUndefined()
      expect(await store.load(phone.id)).toBeDefined()
    })

    it('lists newest binding first, marks the current one, leaves other users out, and shows no session id', async () => {
      const store = await fresh()
      const [ada, bob] = [user(), user()]
      const laptop = await bound(store, ada, 600, { ua: 'laptop' })
      clock.ms += 1000
      const phone = await bound(store, ada, 600, { ua: 'phone' })
      clock.ms += 1000
      const tablet = await bound(store, ada, 600, { ua: 'tablet' })
      const other = await bound(store, bob)
      const page = await store.users.list(ada, { current: handleOf(phone) })
      expect(handles(page)).toEqual([tablet, phone, laptop].map(handleOf))
      expect(page.sessions.map((s) => [s.meta.ua, s.current])).toEqual([
        ['tablet', false],
        ['phone', true],
        ['laptop', false],
      ])
      const text = JSON.stringify(page)
      for (const record of [laptop, phone, tablet, other]) expect(text).not.toContain(record.id)
      expect(handles(await store.users.list(bob))).toEqual([handleOf(other)])
      expect(await store.users.list(user())).toEqual({ sessions: [] })
    })

    it('pages with a cursor that holds no session id, until every session was listed once', async () => {
      const store = await fresh()
      const ada = user()
      const records: SessionRecord[] = []
      for (let i = 0; i < 5; i++) {
        records.push(await bound(store, ada))
        clock.ms += 1000
      }
      const pages: UserSessionPage[] = [await store.users.list(ada, { limit: 2 })]
      for (let page = pages[0]; page?.cursor; page = pages.at(-1)) {
        pages.push(await store.users.list(ada, { limit: 2, cursor: page.cursor }))
      }
      expect(pages.map((page) => page.sessions.length)).toEqual([2, 2, 1])
      expect(pages.flatMap(handles)).toEqual(records.map(handleOf).reverse())
      for (const page of pages) {
        for (const record of records) expect(page.cursor ?? '').not.toContain(record.id)
      }
    })

    it('leaves expired sessions out of the list', async () => {
      const store = await fresh()
      const ada = user()
      const brief = await bound(store, ada, 10)
      const long = await bound(store, ada, 3600)
      expect(handles(await store.users.list(ada))).toHaveLength(2)
      clock.ms += 10_000
      expect(handles(await store.users.list(ada))).toEqual([handleOf(long)])
      expect(await store.load(brief.id)).toBeUndefined()
    })

    it('tells when a session was last used, as precisely as its writes and touches', async () => {
      const store = await fresh()
      const ada = user()
      const start = clock.ms
      const created = await bound(store, ada)
      const lastUsed = async () => (await store.users.list(ada)).sessions[0]
      expect(await lastUsed()).toMatchObject({ createdAt: new Date(start), lastUsedAt: new Date(start) })
      clock.ms += 1234
      const written = saved(await store.save(change(created, { n: 2 })))
      expect((await lastUsed())?.lastUsedAt).toEqual(new Date(start + 1234))
      clock.ms += 5000
      const touched = await store.touch(written, seconds() + 7200)
      expect(touched?.expiresAt).toBe(seconds() + 7200)
      expect(await lastUsed()).toMatchObject({
        createdAt: new Date(start),
        lastUsedAt: new Date(start + 6234),
        expiresAt: new Date((seconds() + 7200) * 1000),
      })
      // A touch that moves nothing (the session already expires later) is no use.
      clock.ms += 1000
      await store.touch(written, seconds() + 60)
      expect((await lastUsed())?.lastUsedAt).toEqual(new Date(start + 6234))
    })

    it('rebinding to the same user keeps one entry per session; binding to another user moves it', async () => {
      const store = await fresh()
      const [ada, bob] = [user(), user()]
      const created = await bound(store, ada, 600, { ua: 'old' })
      const binding = created.user as UserBinding
      clock.ms += 1000
      const rebound = saved(
        await store.save(change(created, {}, { user: { binding: { ...binding, meta: { ua: 'new' } } } })),
      )
      const page = await store.users.list(ada)
      expect(page.sessions).toMatchObject([
        { handle: binding.handle, createdAt: new Date(binding.since), meta: { ua: 'new' } },
      ])
      // A new handle for the same user replaces the entry of the old one.
      const renamed = bindingOf(ada)
      const again = saved(await store.save(change(rebound, {}, { user: { binding: renamed } })))
      expect(handles(await store.users.list(ada))).toEqual([renamed.handle])
      const bobs = bindingOf(bob)
      saved(await store.save(change(again, {}, { user: { binding: bobs } })))
      expect(await store.users.list(ada)).toEqual({ sessions: [] })
      expect(handles(await store.users.list(bob))).toEqual([bobs.handle])
      expect(await store.users.endAll(ada)).toBe(0) // no entry left behind with the old user
      expect(await store.users.endAll(bob)).toBe(1)
      expect(await store.load(created.id)).toBeUndefined()
    })

    it('a bind and a concurrent change of other keys both stay, whichever writes first', async () => {
      const store = await fresh()
      const ada = user()
      const first = await store.create({ data: { a: 1 }, expiresAt: seconds() + 600 })
      const early = bindingOf(ada)
      saved(await store.save(change(first, {}, { user: { binding: early } })))
      saved(await store.save(change(first, { b: 2 }))) // loaded before the bind
      expect(await store.load(first.id)).toMatchObject({ data: { a: 1, b: 2 }, user: early })
      const second = await store.create({ data: { a: 1 }, expiresAt: seconds() + 600 })
      saved(await store.save(change(second, { b: 2 })))
      const late = bindingOf(ada)
      saved(await store.save(change(second, {}, { user: { binding: late } }))) // loaded before the change
      expect(await store.load(second.id)).toMatchObject({ data: { a: 1, b: 2 }, user: late })
      expect(handles(await store.users.list(ada)).sort()).toEqual([early.handle, late.handle].sort())
      // A bind writes the whole session: on top of a concurrent change it needs a retry.
      const impatient = await fresh({ maxConflictRetries: 0 })
      const third = await impatient.create({ data: { a: 1 }, expiresAt: seconds() + 600 })
      saved(await impatient.save(change(third, { b: 2 })))
      const refused = change(third, {}, { user: { binding: bindingOf(ada) } })
      expect(await impatient.save(refused)).toEqual({ status: 'conflict', reason: 'contention' })
      expect((await impatient.load(third.id))?.user).toBeUndefined()
    })

    it("a bind refused by a conflict leaves its user's item as it was: a sign-out of that user ends nothing", async () => {
      const store = await fresh({ maxConflictRetries: 0 })
      const ada = user()
      await bound(store, ada) // ada's item exists, with one session
      const session = await store.create({ data: { n: 1 }, expiresAt: seconds() + 600 })
      saved(await store.save(change(session, { n: 2 }))) // changed after the bind below read it
      const refused = change(session, { n: 3 }, { user: { binding: bindingOf(ada) } })
      expect(await store.save(refused)).toMatchObject({ status: 'conflict' })
      expect(await store.users.endAll(ada)).toBe(1) // the session bound before, not this one
      expect((await store.load(session.id))?.data).toEqual({ n: 2 })
    })

    it('unbinding keeps the session, off its user', async () => {
      const store = await fresh()
      const ada = user()
      const created = await bound(store, ada)
      saved(await store.save(change(created, {}, { user: { binding: undefined } })))
      const loaded = await store.load(created.id)
      expect(loaded).toMatchObject({ data: { n: 1 } })
      expect(loaded?.user).toBeUndefined()
      expect(await store.users.list(ada)).toEqual({ sessions: [] })
      expect(await store.users.endAll(ada)).toBe(0)
      expect(await store.load(created.id)).toBeDefined()
    })

    it('ends one session by its handle, for good; the others stay', async () => {
      const store = await fresh()
      const [ada, bob] = [user(), user()]
      const laptop = await bound(store, ada)
      const phone = await bound(store, ada)
      const other = await bound(store, bob)
      expect(await store.users.end(ada, handleOf(phone))).toBe(true)
      expect(await store.load(phone.id)).toBeUndefined()
      expect(handles(await store.users.list(ada))).toEqual([handleOf(laptop)])
      expect(await store.users.end(ada, handleOf(phone))).toBe(false) // ended already
      expect(await store.users.end(ada, '')).toBe(false)
      expect(await store.users.end(ada, newHandle())).toBe(false)
      expect(await store.users.end(ada, handleOf(other))).toBe(false) // another user's
      expect(await store.load(other.id)).toBeDefined()
      // A request of the ended session still running cannot bring it back.
      expect(await store.save(change(phone, { late: 1 }))).toEqual({ status: 'gone' })
      expect(await store.touch(phone, seconds() + 7200)).toBeUndefined()
      expect(await store.regenerate(change(phone, {}))).toEqual({ status: 'gone' })
      expect(handles(await store.users.list(ada))).toEqual([handleOf(laptop)])
    })

    it('ends every session of a user, and only those; the user can sign in again afterwards', async () => {
      const store = await fresh()
      const [ada, bob] = [user(), user()]
      const sessions = [await bound(store, ada), await bound(store, ada), await bound(store, ada)]
      const other = await bound(store, bob)
      expect(await store.users.endAll(ada)).toBe(3)
      for (const record of sessions) expect(await store.load(record.id)).toBeUndefined()
      expect(await store.users.list(ada)).toEqual({ sessions: [] })
      expect(await store.load(other.id)).toBeDefined()
      expect(await store.users.endAll(ada)).toBe(0)
      expect(await store.users.endAll(user())).toBe(0) // a user who never signed in
      const again = await bound(store, ada)
      expect(handles(await store.users.list(ada))).toEqual([handleOf(again)])
    })

    it('ends them all however many there are (more than one batch of deletes)', async () => {
      const store = await fresh()
      const ada = user()
      const sessions: SessionRecord[] = []
      for (let i = 0; i < 30; i++) sessions.push(await bound(store, ada))
      expect(await store.users.endAll(ada)).toBe(30)
      for (const record of sessions) expect(await store.load(record.id)).toBeUndefined()
    })

    it('ends every session but the one named by `except`, which stays listed and bound', async () => {
      const store = await fresh()
      const ada = user()
      const [laptop, phone, tablet] = [
        await bound(store, ada),
        await bound(store, ada),
        await bound(store, ada),
      ]
      expect(await store.users.endAll(ada, { except: handleOf(phone) })).toBe(2)
      expect(await store.load(laptop.id)).toBeUndefined()
      expect(await store.load(tablet.id)).toBeUndefined()
      expect((await store.load(phone.id))?.user).toMatchObject({ userId: ada })
      expect(handles(await store.users.list(ada))).toEqual([handleOf(phone)])
      expect(await store.users.end(ada, handleOf(phone))).toBe(true)
    })

    it('a session bound a moment before endAll is ended; so is one regenerated a moment before', async () => {
      const store = await fresh()
      const ada = user()
      const created = await bound(store, ada)
      expect(await store.users.endAll(ada)).toBe(1)
      expect(await store.load(created.id)).toBeUndefined()
      const login = await bound(store, ada)
      const moved = saved(await store.regenerate(change(login, {})))
      expect(await store.users.endAll(ada)).toBe(1)
      expect(await store.load(moved.id)).toBeUndefined()
      expect(await store.load(login.id)).toBeUndefined()
    })

    it('a save of an ended session is "gone": neither the session nor its entry comes back', async () => {
      const store = await fresh()
      const ada = user()
      const created = await bound(store, ada)
      const loaded = (await store.load(created.id)) as SessionRecord
      expect(await store.users.endAll(ada)).toBe(1)
      const binding = created.user as UserBinding
      const rebind: Partial<SessionChange> = { user: { binding: { ...binding, meta: { ua: 'x' } } } }
      expect(await store.save(change(loaded, { late: 1 }))).toEqual({ status: 'gone' })
      expect(await store.save(change(loaded, {}, rebind))).toEqual({ status: 'gone' })
      expect(await store.regenerate(change(loaded, {}))).toEqual({ status: 'gone' })
      expect(await store.touch(loaded, seconds() + 7200)).toBeUndefined()
      expect(await store.load(created.id)).toBeUndefined()
      expect(await store.users.list(ada)).toEqual({ sessions: [] })
      expect(await store.users.endAll(ada)).toBe(0)
    })

    it('a logout (destroy) takes the session off its user, also through the id it had before a regenerate', async () => {
      const store = await fresh()
      const ada = user()
      const [laptop, phone] = [await bound(store, ada), await bound(store, ada)]
      await store.destroy(laptop.id)
      expect(handles(await store.users.list(ada))).toEqual([handleOf(phone)])
      expect(await store.users.endAll(ada, { except: handleOf(phone) })).toBe(0)
      const login = await bound(store, ada)
      const moved = saved(await store.regenerate(change(login, {})))
      await store.destroy(login.id)
      expect(await store.load(moved.id)).toBeUndefined()
      expect(await store.users.endAll(ada, { except: handleOf(phone) })).toBe(0)
      expect(await store.users.end(ada, handleOf(login))).toBe(false)
    })

    it('past maxSessionsPerUser a bind is refused (SessionDataError) and writes nothing; other users are not concerned', async () => {
      const store = await fresh({ maxSessionsPerUser: 2 })
      const [ada, bob] = [user(), user()]
      const sessions = [await bound(store, ada), await bound(store, ada)]
      const full = /already has 2 live sessions \(users\.maxSessionsPerUser\)/
      await expect(bound(store, ada)).rejects.toThrow(full)
      await expect(bound(store, ada)).rejects.toBeInstanceOf(SessionDataError)
      const unbound = await anonymous(store)
      const bind = { user: { binding: bindingOf(ada) } }
      await expect(store.save(change(unbound, {}, bind))).rejects.toThrow(full)
      await expect(store.regenerate(change(unbound, {}, bind))).rejects.toThrow(full)
      const untouched = await store.load(unbound.id)
      expect(untouched).toMatchObject({ data: { n: 1 } })
      expect(untouched?.user).toBeUndefined()
      expect(handles(await store.users.list(ada)).sort()).toEqual(sessions.map(handleOf).sort())
      expect(await bound(store, bob)).toMatchObject({ user: { userId: bob } })
      // Room again once one ends.
      await store.destroy(sessions[0]?.id ?? '')
      expect(await bound(store, ada)).toMatchObject({ user: { userId: ada } })
    })

    it('past maxSessionsPerUser, the entries of sessions that no longer exist are dropped to make room', async () => {
      const store = await fresh({ maxSessionsPerUser: 2 })
      const ada = user()
      await bound(store, ada, 10)
      const kept = await bound(store, ada, 3600)
      clock.ms += 11_000 // the first one expires: its entry is stale
      const added = await bound(store, ada)
      expect(handles(await store.users.list(ada))).toEqual([added, kept].map(handleOf))
      expect(await store.users.endAll(ada)).toBe(2) // the stale entry is gone
    })

    it('a regenerated session is never a stale entry: at the cap the bind is refused, and endAll still ends it', async () => {
      const store = await fresh({ maxSessionsPerUser: 2 })
      const ada = user()
      const laptop = await bound(store, ada)
      const phone = await bound(store, ada)
      const moved = saved(await store.regenerate(change(laptop, {})))
      await expect(bound(store, ada)).rejects.toBeInstanceOf(TooManySessionsError)
      await expect(store.users.checkRoom?.(ada)).rejects.toBeInstanceOf(TooManySessionsError)
      expect(await store.users.endAll(ada)).toBe(2)
      expect(await store.load(moved.id)).toBeUndefined()
      expect(await store.load(phone.id)).toBeUndefined()
    })

    it('the refusal is a TooManySessionsError a handler can catch: 403, exposed, the limit; checkRoom tells before any write', async () => {
      const store = await fresh({ maxSessionsPerUser: 1 })
      const ada = user()
      await expect(store.users.checkRoom?.(ada)).resolves.toBeUndefined()
      const only = await bound(store, ada)
      const error = await store.users.checkRoom?.(ada).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TooManySessionsError)
      expect(error).toBeInstanceOf(SessionDataError)
      expect(error).toMatchObject({ statusCode: 403, expose: true, limit: 1 })
      expect(handles(await store.users.list(ada))).toEqual([handleOf(only)])
      await store.destroy(only.id)
      await expect(store.users.checkRoom?.(ada)).resolves.toBeUndefined()
    })

    it("whenFull: 'end-least-recent' ends the least recently used session to make room, and only that one", async () => {
      const store = await fresh({ maxSessionsPerUser: 2, whenFull: 'end-least-recent' })
      const ada = user()
      const old = await bound(store, ada)
      clock.ms += 60_000
      const recent = await bound(store, ada)
      clock.ms += 60_000
      // The older login is used again: the "recent" one becomes the least recently used.
      saved(await store.save(change((await store.load(old.id)) as SessionRecord, { seen: 1 })))
      clock.ms += 60_000
      const added = await bound(store, ada)
      expect(await store.load(recent.id)).toBeUndefined()
      expect((await store.load(old.id))?.user?.userId).toBe(ada)
      expect(handles(await store.users.list(ada)).sort()).toEqual([old, added].map(handleOf).sort())
      await expect(store.users.checkRoom?.(ada)).resolves.toBeUndefined() // ends another one
      expect((await store.users.list(ada)).sessions).toHaveLength(1)
      expect(await store.users.endAll(ada)).toBe(1)
    })

    it('refuses bad user ids (SessionDataError) and a cap that is not a positive integer (SessionConfigError)', async () => {
      const store = await fresh()
      for (const bad of ['', 'x'.repeat(257)]) {
        await expect(store.users.list(bad)).rejects.toBeInstanceOf(SessionDataError)
        await expect(store.users.end(bad, newHandle())).rejects.toBeInstanceOf(SessionDataError)
        await expect(store.users.endAll(bad)).rejects.toBeInstanceOf(SessionDataError)
      }
      for (const maxSessionsPerUser of [0, 1.5]) {
        await expect(fresh({ maxSessionsPerUser })).rejects.toBeInstanceOf(SessionConfigError)
      }
      await expect(fresh({ whenFull: 'end-oldest' as 'refuse' })).rejects.toBeInstanceOf(SessionConfigError)
    })
  })
}
