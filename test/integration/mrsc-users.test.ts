/**
 * A user's sessions without transactions (`transactions: false`, for MRSC global tables, which refuse
 * `TransactWriteItems`): a bind, a login and a bound session's new login are each a few single writes,
 * and "sign out everywhere" must stay complete and final between any two of them. Every Lambda here sends
 * through a proxy that refuses transactions, so any transaction fails the test. For each write of each
 * plan: the write held while "sign out everywhere" runs, the Lambda killed right after it, and its reply
 * lost after DynamoDB applied it; then each write of "sign out everywhere" held while a login runs, and
 * the confirmation of a login left to a later reader, before and after a sign-out.
 *
 * What must hold at every point (docs/multi-region.md has the argument): every session a reader of this
 * library reaches that is bound to the user is named by the user's item, so "sign out everywhere" ends
 * it; a session signed in before a sign-out is ended by it; a login whose entry was added before the
 * sign-out's lease is ended with the rest, one added after lives; the old and the new id of a login
 * never both reach a session.
 */
import { describe, expect, it } from 'vitest'
import { DynamoDBSessionStore } from '../../src/index.ts'
import { userSessions } from '../../src/users/index.ts'
import type { HttpResult } from '../support/app.ts'
import { WRITE_OPS } from '../support/fault-proxy.ts'
import { killAfterWrite, mrscLambda, mrscReader, reachable } from '../support/mrsc.ts'
import {
  type Actor,
  cookieOf,
  holdCall,
  interleave,
  json,
  kthWrite,
  nthCall,
  type Route,
  raceTables,
  seed,
  seededRandom,
  signIn,
  userItemOf,
} from '../support/race.ts'

const tables = raceTables()
const { raw } = tables

const route: Route = async (session, path) => {
  const [verb, arg = ''] = path.split('/')
  switch (verb) {
    case 'login':
      return signIn(session, arg)
    case 'bind':
      await session.bindUser(arg)
      await session.set('name', arg)
      return json(await session.user())
    case 'mark':
      await session.set('laptop', 1)
      return json(true)
    case 'me':
      return json((await session.user()) ?? null)
  }
  return { statusCode: 404 }
}

const lambda = () => mrscLambda(tables, route)
const body = (result: HttpResult): unknown => JSON.parse(result.body ?? 'null')
/** "Sign out everywhere" of ada, from a store of its own (not behind any test's proxy). */
const signOutAda = () => mrscReader(raw, tables.name).users.endAll('ada')

/** The sessions a reader reaches that are bound to ada, and those of them her item does not name. */
async function adaSessions(): Promise<{ bound: string[]; unnamed: string[]; laptop: string[] }> {
  const found = await reachable(raw, tables.name)
  const item = await userItemOf(raw, tables.name, 'ada')
  const named = new Set(Object.values(item?.user_sessions?.M ?? {}).map((entry) => entry.S))
  const bound = [...found.values()].filter((record) => record.user?.userId === 'ada').map(({ id }) => id)
  const laptop = [...found.values()].filter((record) => record.data.laptop === 1).map(({ id }) => id)
  return { bound, unnamed: bound.filter((id) => !named.has(id)), laptop }
}

/**
 * Sign-out-everywhere's promise, checked on the table as it is left: each session bound to ada that a
 * reader reaches is named by her item, the laptop's session is in one place at most, and a sign-out now
 * ends every one of them.
 */
async function expectComplete(): Promise<void> {
  const { unnamed, laptop } = await adaSessions()
  expect(unnamed).toEqual([])
  expect(laptop.length).toBeLessThanOrEqual(1)
  await signOutAda()
  expect((await adaSessions()).bound).toEqual([])
}

/** One plan of writes without transactions, as the laptop's request on `path` makes it. */
interface Plan {
  readonly name: string
  readonly path: string
  /** The laptop's session before the request: anonymous, or already signed in as ada. */
  readonly from: 'anonymous' | 'signed in'
  /** Its writes, in order. */
  readonly writes: readonly string[]
  /** Whether the id changes (a regenerate). */
  readonly regenerates: boolean
  /**
   * The first write that, held while a sign-out runs, comes after the sign-out can see the laptop's
   * session: through ada's item, or through the index, which shows a login's bound pending item (0: the
   * session is named from the start).
   */
  readonly seenFrom: number
}

const PLANS: readonly Plan[] = [
  {
    name: 'a login (regenerate, then a new binding)',
    path: 'login/ada',
    from: 'anonymous',
    writes: [
      'the new item, pending',
      "the entry added to ada's item",
      'the old item replaced (the commit point)',
      'the new item confirmed',
    ],
    regenerates: true,
    seenFrom: 2,
  },
  {
    name: 'a bound session logging in again (its entry follows it)',
    path: 'login/ada',
    from: 'signed in',
    writes: [
      'the new item, pending',
      'the old item replaced (the commit point)',
      'the entry moved to the new id',
      'the new item confirmed',
    ],
    regenerates: true,
    seenFrom: 0,
  },
  {
    name: 'a bind without regenerate',
    path: 'bind/ada',
    from: 'anonymous',
    writes: ["the entry added to ada's item", 'the session written bound'],
    regenerates: false,
    seenFrom: 2,
  },
]

/** The phone signed in as ada, and the laptop's session as `plan` starts from it; ada's item exists. */
async function setUp(
  plan: Plan,
): Promise<{ laptop: Actor; phone: Actor; phoneId: string; laptopId: string }> {
  const phone = await lambda()
  const phoneId = cookieOf(await phone.send('login/ada')) as string
  const laptop = await lambda()
  let laptopId = await seed(raw, tables.name, { laptop: 1 })
  if (plan.from === 'signed in') {
    laptopId = cookieOf(await laptop.send('login/ada', laptopId)) as string
  }
  return { laptop, phone, phoneId, laptopId }
}

const signedIn = async (a: Actor, id: string | undefined) =>
  id !== undefined && id !== '' && body(await a.send('me', id)) !== null

describe.each(PLANS)('$name, without transactions', (plan) => {
  const steps = plan.writes.map((name, index) => [index + 1, name] as const)

  it('makes no transaction, and the session is bound and named by its user', async () => {
    const { laptop, laptopId } = await setUp(plan)
    laptop.proxy.seen.length = 0
    const result = await laptop.send(plan.path, laptopId)
    expect(result.statusCode).toBe(200)
    const writes = laptop.proxy.seen.filter((op) => op !== 'GetItem')
    expect(writes).toHaveLength(plan.writes.length)
    const id = cookieOf(result) ?? laptopId
    expect(id !== laptopId).toBe(plan.regenerates)
    expect(await signedIn(laptop, id)).toBe(true)
    expect(await adaSessions()).toMatchObject({ unnamed: [], laptop: [id] })
    await expectComplete()
  })

  it.each(steps)(
    'write %i (%s) held while "sign out everywhere" runs: the sign-out is complete, the login ended if it was named before it',
    async (k) => {
      const { laptop, phone, phoneId, laptopId } = await setUp(plan)
      const result = await interleave(laptop, plan.path, laptopId, signOutAda, kthWrite(k))
      expect(await signedIn(phone, phoneId)).toBe(false) // signed in before the sign-out: ended
      const { laptop: lives, unnamed } = await adaSessions()
      expect(unnamed).toEqual([])
      if (k >= plan.seenFrom) {
        // Seen by the sign-out: ended with the rest, and the request does not claim it lives.
        expect(lives).toEqual([])
        expect(await signedIn(laptop, cookieOf(result) ?? laptopId)).toBe(false)
      } else {
        // Written after it: the login is bound after the sign-out, and lives.
        expect(result.statusCode).toBe(200)
        expect(lives).toEqual([cookieOf(result) ?? laptopId])
      }
      await expectComplete()
    },
  )

  it.each(steps)(
    'the Lambda killed right after write %i (%s): nothing bound escapes the user item, one session at most',
    async (k) => {
      const { laptop, phone, phoneId, laptopId } = await setUp(plan)
      killAfterWrite(laptop, k)
      // Past the commit point the request may still answer: its later writes are left to a reader.
      await laptop.send(plan.path, laptopId)
      expect(await signedIn(phone, phoneId)).toBe(true) // nothing of the laptop's affects the phone
      await expectComplete()
      expect(await signedIn(phone, phoneId)).toBe(false)
    },
  )

  it.each(steps)(
    'write %i (%s) applied and its reply lost: the request succeeds, bound and named, in one place',
    async (k) => {
      const { laptop, laptopId } = await setUp(plan)
      const isKth = kthWrite(k)
      laptop.proxy.intercept((request) => (isKth(request) ? 'applyThenDrop' : undefined))
      const result = await laptop.send(plan.path, laptopId)
      expect(result.statusCode).toBe(200)
      const id = cookieOf(result) ?? laptopId
      expect(await adaSessions()).toMatchObject({ unnamed: [], laptop: [id] })
      expect(await signedIn(laptop, laptopId)).toBe(!plan.regenerates)
      await expectComplete()
    },
  )
})

describe('"sign out everywhere" without transactions, its own writes held while a login runs', () => {
  /** A store whose calls go through `a`'s proxy. */
  const storeBehind = (a: Actor) =>
    new DynamoDBSessionStore({
      client: a.client,
      tableName: tables.name,
      transactions: false,
      users: userSessions(),
    })
  const SIGN_OUT_WRITES = [
    [1, 'the lease taken'],
    [2, 'the listed sessions deleted'],
    [3, 'the entries dropped and the lease freed'],
  ] as const

  it.each(SIGN_OUT_WRITES)(
    'write %i (%s) held: a login that meanwhile tries to bind waits for it, then lives',
    async (k) => {
      const { laptop, phone, phoneId, laptopId } = await setUp(PLANS[0] as Plan)
      const signer = await lambda()
      const hold = holdCall(signer, kthWrite(k))
      const signOut = storeBehind(signer).users.endAll('ada')
      await hold.held
      // Before the lease, the login runs to its end; under it, it writes its pending item, then tries
      // to add ada's entry, refused while leased.
      const adding = nthCall(laptop, 'UpdateItem', 1)
      const login = laptop.send('login/ada', laptopId)
      await (k === 1 ? login : adding)
      hold.release()
      // The phone; with k = 1 the login too, bound before the lease; under it, the pending item of the
      // login's refused attempt too, if the index showed it before the login dropped it.
      const ended = await signOut
      if (k === 1) expect(ended).toBe(2)
      else expect([1, 2]).toContain(ended)
      const result = await login
      expect(await signedIn(phone, phoneId)).toBe(false)
      const { laptop: lives, unnamed } = await adaSessions()
      expect(unnamed).toEqual([])
      if (k === 1) expect(lives).toEqual([])
      else {
        expect(result.statusCode).toBe(200)
        expect(lives).toEqual([cookieOf(result)])
      }
      await expectComplete()
    },
  )

  it('a sign-out killed holding the lease holds a login up for the lease at most; the login then binds, named', async () => {
    const { laptop, laptopId } = await setUp(PLANS[0] as Plan)
    const signer = await lambda()
    killAfterWrite(signer, 1)
    await expect(storeBehind(signer).users.endAll('ada')).rejects.toThrow()
    const started = Date.now()
    const result = await laptop.send('login/ada', laptopId)
    expect(result.statusCode).toBe(200)
    expect(Date.now() - started).toBeLessThan(6_000 + 2_000)
    expect(await adaSessions()).toMatchObject({ unnamed: [], laptop: [cookieOf(result)] })
    await expectComplete()
  })
})

describe('a login past its commit point whose confirmation failed, left to the next reader', () => {
  /** The laptop's login answered with its new cookie, its last two writes failed (the entry, the item). */
  async function unconfirmedLogin(): Promise<{ laptop: Actor; phone: Actor; phoneId: string; next: string }> {
    const { laptop, phone, phoneId, laptopId } = await setUp(PLANS[0] as Plan)
    const commit = kthWrite(3)
    let committed = false
    laptop.proxy.intercept((request) => {
      if (committed && request.op === 'UpdateItem') return 'internal'
      if (commit(request)) committed = true
      return undefined
    })
    const result = await laptop.send('login/ada', laptopId)
    laptop.proxy.reset()
    expect(result.statusCode).toBe(200)
    const next = cookieOf(result) as string
    const item = (await userItemOf(raw, tables.name, 'ada'))?.user_sessions?.M ?? {}
    expect(Object.values(item).map((entry) => entry.S)).toContain(next) // added before the commit
    return { laptop, phone, phoneId, next }
  }

  it('the next request confirms it (its entry named first), and a sign-out then ends it', async () => {
    const { laptop, next } = await unconfirmedLogin()
    expect(await signedIn(laptop, next)).toBe(true)
    expect(await adaSessions()).toMatchObject({ unnamed: [], laptop: [next] })
    await expectComplete()
    expect(await signedIn(laptop, next)).toBe(false)
  })

  it('a sign-out before the next request ends it: that request finds no session, and none comes back', async () => {
    const { laptop, phone, phoneId, next } = await unconfirmedLogin()
    expect(await signOutAda()).toBe(2)
    expect(await signedIn(laptop, next)).toBe(false)
    expect(await signedIn(phone, phoneId)).toBe(false)
    expect((await adaSessions()).bound).toEqual([])
  })

  it('a reader whose entry write is held while a sign-out runs does not confirm it', async () => {
    const { laptop, next } = await unconfirmedLogin()
    const me = await interleave(laptop, 'me', next, signOutAda, ({ op }) => op === 'UpdateItem')
    expect(body(me)).toBeNull()
    expect(await signedIn(laptop, next)).toBe(false)
    expect((await adaSessions()).bound).toEqual([])
  })
})

describe('"sign out everywhere" racing logins and binds, over random interleavings', () => {
  /**
   * One round: the phone signed in before; then at once, each call of each request delayed at random at
   * its own proxy, one write's reply lost now and then: the sign-out, a login from an anonymous session,
   * a bound session's new login, a bind without regenerate, and a request of the phone.
   */
  async function round(seedValue: number, transactions: boolean) {
    const random = seededRandom(seedValue)
    const make = () => (transactions ? tables.lambda(route, { store: { users: userSessions() } }) : lambda())
    const [phone, laptop, tablet, desk, signer] = await Promise.all([make(), make(), make(), make(), make()])
    const phoneId = cookieOf(await phone.send('login/ada')) as string
    const tabletId = cookieOf(await tablet.send('login/ada')) as string
    const laptopId = await seed(raw, tables.name, { laptop: 1 })
    const deskId = await seed(raw, tables.name, { desk: 1 })
    for (const a of [phone, laptop, tablet, desk, signer]) {
      const delays = Array.from({ length: 10 }, () => Math.floor(random() * 30))
      const lose = random() < 0.3 ? 1 + Math.floor(random() * 4) : 0
      let calls = 0
      let writes = 0
      a.proxy.intercept(({ op }) => {
        if (WRITE_OPS.has(op) && ++writes === lose) return 'applyThenDrop'
        return { delayMs: delays[calls++ % delays.length] ?? 0 }
      })
    }
    const store = new DynamoDBSessionStore({
      client: signer.client,
      tableName: tables.name,
      transactions,
      users: userSessions(),
    })
    const [ended, ...results] = await Promise.all([
      store.users.endAll('ada'),
      laptop.send('login/ada', laptopId),
      tablet.send('login/ada', tabletId),
      desk.send('bind/ada', deskId),
      phone.send('me', phoneId),
    ])
    return { ended, results, phone, phoneId }
  }

  for (const transactions of [true, false]) {
    for (let r = 1; r <= 8; r++) {
      it(`${transactions ? 'with' : 'without'} transactions, round ${r}: no 5xx; the phone is signed out; nothing bound escapes the user's item`, async () => {
        const { ended, results, phone, phoneId } = await round(
          3000 + r + (transactions ? 0 : 100),
          transactions,
        )
        expect(ended).toBeGreaterThanOrEqual(1) // the phone, at least
        for (const result of results) expect([200, 409]).toContain(result.statusCode)
        expect(await signedIn(phone, phoneId)).toBe(false)
        const { unnamed, laptop } = await adaSessions()
        expect(unnamed).toEqual([])
        expect(laptop.length).toBeLessThanOrEqual(1)
        await expectComplete()
      })
    }
  }
})
