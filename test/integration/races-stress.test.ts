/**
 * The concurrency promises under stress, not only in the interleavings races.test.ts forces: rounds of
 * concurrent requests on one session (writers of distinct keys, incrementers of one key, readers that
 * touch, logins that regenerate, a logout), each request's every DynamoDB call delayed at random at its
 * own proxy, and some writes' replies lost after DynamoDB applied them.
 *
 * Seeded, but not replayable: a seed fixes the requests, their delays and which replies are lost, while the
 * interleaving they produce also depends on real timers, the event loop and DynamoDB Local, so a round that
 * failed once may pass when run again. A failing round therefore prints the order in which its calls
 * reached the proxies (and which replies were lost): that order is what a gated test in races.test.ts then
 * forces, deterministically. This file is the net for interleavings nobody thought of, not the proof of
 * any one of them.
 *
 * A request that presents the cookie after the session was ended or replaced finds no session and
 * starts a fresh one (a new id, only its own change): that is not the old session coming back. The seed
 * carries a marker to tell its lineage (the seed and what regenerate() made of it) from those.
 *
 * After every round:
 * - nothing failed with anything but 409 (no 500, no hang);
 * - "a logout stays final": if a logout was answered, no session of the seed's lineage is alive;
 * - "one live descendant": otherwise exactly one is, whatever logins raced;
 * - "no lost update": every acknowledged write of a key is in a live session (the lineage's, or the
 *   fresh one its response's cookie names), and the lineage's count went up by exactly the increments
 *   acknowledged on it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { afterAll, describe, expect, it, onTestFailed } from 'vitest'
import type { HttpResult } from '../support/app.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { refuseTransactions, WRITE_OPS } from '../support/fault-proxy.ts'
import {
  type Actor,
  actor,
  cookieOf,
  liveSessions,
  type Route,
  scan,
  seed,
  seededRandom,
} from '../support/race.ts'

const raw: DynamoDBClient = localClient()
afterAll(() => raw.destroy())

type Op = 'set' | 'incr' | 'read' | 'login' | 'logout'

const route: Route = async (session, path) => {
  const [op, key = ''] = path.split('/')
  switch (op) {
    case 'set':
      await session.get(key)
      await session.set(key, 1)
      return { statusCode: 200 }
    case 'put': // a set without a read: with blindWrites, one update
      await session.set(key, 1)
      return { statusCode: 200 }
    case 'incr': {
      const count = ((await session.get('count')) as number | undefined) ?? 0
      await session.set('count', count + 1)
      return { statusCode: 200 }
    }
    case 'read':
      await session.get('count')
      return { statusCode: 200 }
    case 'login':
      await session.regenerate()
      await session.set('role', 'user')
      return { statusCode: 200 }
    case 'logout':
      await session.destroy()
      return { statusCode: 204 }
  }
  return { statusCode: 404 }
}

/**
 * One round: `ops` run at once on a fresh session, with random delays (up to `spread` ms per call, more
 * for a logout, which makes one call where others make two) and lost replies at every proxy.
 */
async function round(
  seedValue: number,
  ops: Op[],
  spread = 25,
  renewal = false,
  blind = false,
  noTransactions = false,
  logoutHead = 0,
) {
  const random = seededRandom(seedValue)
  trace.length = 0
  trace.push(`seed ${seedValue}: ${ops.map((op, i) => `#${i} ${op}`).join(', ')}`)
  const tableName = await createTable(raw, { ttl: false })
  // With renewal, the seed's id is already old enough: every request finds it due.
  const created = { N: String(Math.floor(Date.now() / 1000) - 120) }
  const id = await seed(raw, tableName, { count: 0, lineage: true }, renewal ? { created_at: created } : {})
  const options = {
    touchAfter: 0,
    ...(renewal && { renewal: { every: 60, grace: 30 } }),
    ...(blind && { blindWrites: true }),
    // Without transactions (MRSC's three-step regenerate), on proxies that refuse them as MRSC does.
    ...(noTransactions && { store: { users: undefined, transactions: false } }),
  }
  const actors: Actor[] = await Promise.all(ops.map(() => actor(tableName, route, options)))
  if (noTransactions) {
    for (const a of actors) refuseTransactions(a.proxy)
  }
  for (const [index, a] of actors.entries()) {
    const most = ops[index] === 'logout' ? 3 * spread : spread
    const delays = Array.from({ length: 8 }, () => Math.floor(random() * most))
    const loseReply = random() < 0.25
    let calls = 0
    a.proxy.intercept(({ op }) => {
      // `logoutHead` more before the logout's first call: a login of several calls then often lands first.
      const head = calls === 0 && ops[index] === 'logout' ? logoutHead : 0
      const delayMs = (delays[calls++ % delays.length] ?? 0) + head
      if (loseReply && WRITE_OPS.has(op) && calls <= 2) {
        trace.push(`#${index} ${ops[index]}: ${op} applied, reply lost`)
        return 'applyThenDrop'
      }
      // Logged when it is forwarded, so the trace is the order the calls reached DynamoDB Local.
      setTimeout(() => trace.push(`#${index} ${ops[index]}: ${op}`), delayMs)
      return { delayMs }
    })
  }
  try {
    const results = await Promise.all(
      ops.map((op, i) => (actors[i] as Actor).send(op === 'set' ? `${blind ? 'put' : 'set'}/k${i}` : op, id)),
    )
    // Once every request has answered, no new item is left pending: each regenerate confirmed its own.
    const pending = (await scan(raw, tableName)).filter((s) => s.item.pending !== undefined)
    expect(pending.map((s) => s.id)).toEqual([])
    return { id, results, live: await liveSessions(raw, tableName), tableName }
  } finally {
    await Promise.all(actors.map((a) => a.close()))
  }
}

/** What the current round did, in order, printed when its test fails. */
const trace: string[] = []

function pick(random: () => number): Op[] {
  const ops: Op[] = []
  for (let i = 0; i < 14; i++)
    ops.push((['set', 'set', 'incr', 'incr', 'read'] as const)[Math.floor(random() * 5)] ?? 'set')
  const logins = Math.floor(random() * 3) // 0, 1 or 2 racing logins
  for (let i = 0; i < logins; i++) ops.splice(Math.floor(random() * ops.length), 0, 'login')
  if (random() < 0.4) ops.splice(Math.floor(random() * ops.length), 0, 'logout')
  return ops
}

describe('the concurrency promises under stress (random delays, lost replies)', () => {
  // Rounds 13 to 18: every request with id renewal on, the session due, so the first to write renews it
  // while the others race it with the old id (through the grace window, or told 409). Rounds 19 on:
  // blindWrites, each writer of its own key setting it without a read (one update); 22 on, both.
  // Rounds 25 to 32: without transactions (the three-step regenerate of MRSC tables), 29 on racing a
  // renewal too.
  for (let r = 1; r <= 32; r++) {
    const noTransactions = r > 24
    const renewal = (r > 12 && r <= 18) || (r > 21 && r <= 24) || r > 28
    const blind = r > 18 && r <= 24
    const what = `${renewal ? ', racing a renewal' : ''}${blind ? ', writes without a read' : ''}${noTransactions ? ', without transactions' : ''}`
    it(`round ${r}${what}: no 5xx; a logout stays final; one live descendant; no lost update`, async () => {
      onTestFailed(() =>
        console.error(`The calls of the failed round, as they reached DynamoDB:\n${trace.join('\n')}`),
      )
      const ops = pick(seededRandom(1000 + r))
      const { id, results, live, tableName } = await round(2000 + r, ops, 25, renewal, blind, noTransactions)
      for (const result of results) expect([200, 204, 409]).toContain(result.statusCode)
      const lineage = live.filter((s) => s.data?.lineage === true)
      if (ops.includes('logout')) {
        expect(results[ops.indexOf('logout')]?.statusCode).toBe(204)
        expect(lineage).toEqual([])
      } else {
        expect(lineage).toHaveLength(1)
      }
      const descendant = lineage[0]
      // The lineage's ids: the seed's, its live descendant, and every id it moved from or to (a login's,
      // a renewal's), as the items left under the old ids name them, even once a logout ended the new
      // one. A fresh session is never moved in a round (nothing renews a new id).
      const moved = (await scan(raw, tableName)).filter((s) => s.item.successor !== undefined)
      const lineageIds = new Set([id, descendant?.id, ...moved.flatMap((s) => [s.id, s.item.successor?.S])])
      ops.forEach((op, i) => {
        if (results[i]?.statusCode !== 200) return
        const cookie = cookieOf(results[i] as HttpResult)
        const fresh = cookie !== undefined && !lineageIds.has(cookie)
        // A fresh session holds this request's change alone.
        if (fresh && (op === 'set' || op === 'incr'))
          expect(live.find((s) => s.id === cookie)?.data).toEqual(
            op === 'incr' ? { count: 1 } : { [`k${i}`]: 1 },
          )
        else if (op === 'set' && descendant) expect(descendant.data?.[`k${i}`]).toBe(1)
      })
      if (!descendant) return
      const onLineage = ops.filter((o, i) => {
        const cookie = cookieOf(results[i] as HttpResult)
        return (
          o === 'incr' && results[i]?.statusCode === 200 && (cookie === undefined || lineageIds.has(cookie))
        )
      })
      expect(descendant.data?.count).toBe(onLineage.length)
      // Distinct-key writers never conflict: every one of them was acknowledged, unless a login
      // replaced the session under it first (then it was told so with a 409).
      if (!ops.includes('login')) {
        expect(ops.filter((o, i) => o === 'set' && results[i]?.statusCode !== 200)).toEqual([])
      }
      // At most one login carried the lineage on (the others were told 409, or started fresh sessions).
      const carried = ops.filter(
        (o, k) => o === 'login' && cookieOf(results[k] as HttpResult) === descendant.id,
      )
      expect(carried.length).toBeLessThanOrEqual(1)
      if (carried.length === 1) expect(descendant.data?.role).toBe('user')
    })
  }
})

describe('a logout racing a login, over many random interleavings', () => {
  it.each([
    ['in one transaction', false],
    ['without transactions (MRSC)', true],
  ])(
    '%s: whichever lands first, nothing of the session lives on once the logout is answered',
    async (_how, noTransactions) => {
      let loginsFirst = 0
      onTestFailed(() =>
        console.error(`The calls of the failed round, as they reached DynamoDB:\n${trace.join('\n')}`),
      )
      for (let r = 1; r <= 16; r++) {
        const ops: Op[] = ['login', 'set', 'logout', 'incr']
        // Without transactions a login is 4 calls to the logout's 1: every other round the logout waits a
        // quarter second first, so that both orders happen on a loaded machine too.
        const head = noTransactions && r % 2 === 0 ? 250 : 0
        const { results, live } = await round(3000 + r, ops, 20, false, false, noTransactions, head)
        expect(results[2]?.statusCode).toBe(204)
        expect(live.filter((s) => s.data?.lineage === true)).toEqual([])
        const login = results[0]
        expect([200, 409]).toContain(login?.statusCode)
        // A login answered 200 with the lineage landed before the logout, which then ended its successor.
        if (login?.statusCode === 200 && !live.some((s) => s.id === cookieOf(login))) loginsFirst++
      }
      // Both orders happened (so the test proves the successor is followed, not only the easy order).
      expect(loginsFirst).toBeGreaterThan(0)
    },
  )
})
