/**
 * The MREC simulation of bench/mrec.ts, checked against what AWS documents of multi-Region eventual
 * consistency: a write reaches the other Region after the lag and not before, the whole item; two writes of
 * one item in two Regions within the lag end as the later one in both (last writer wins per item); and so a
 * delete in one Region followed, within the lag, by a write in the other is undone. Two tables of this
 * run's DynamoDB Local are the two Regions.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MrecSimulation, startMrec } from '../../bench/lib/mrec-sim.ts'
import { Replicator, recordWriteTimes, simRegion, WriteTimes } from '../../bench/lib/replicator.ts'
import { CookieJar } from '../../src/testing/index.ts'
import { createTable, dynamoEndpoint, localClient } from '../support/dynamo.ts'

const client = localClient()
let replicator: Replicator
const tables: string[] = []
const LAG_MS = 300

beforeAll(async () => {
  const regions = []
  for (const name of ['a', 'b']) {
    const tableName = await createTable(client, { ttl: false, userIndex: false })
    tables.push(tableName)
    regions.push(await simRegion(name, client, dynamoEndpoint(), tableName))
  }
  replicator = new Replicator(regions, { lagMs: LAG_MS })
  await replicator.start()
})
afterAll(async () => {
  await replicator.stop()
  client.destroy()
})

const key = (id: string) => ({ session_id: { S: id } })
const put = (region: number, id: string, value: string) =>
  client.send(
    new PutItemCommand({
      TableName: tables[region],
      Item: { ...key(id), v: { S: value }, [`by_${region}`]: { S: value } },
    }),
  )
const read = async (region: number, id: string) =>
  (await client.send(new GetItemCommand({ TableName: tables[region], Key: key(id), ConsistentRead: true })))
    .Item
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the MREC simulation', () => {
  it('copies a write to the other Region after the lag, not before, as the whole item', async () => {
    await put(0, 'one', 'x')
    await pause(LAG_MS / 3)
    expect(await read(1, 'one')).toBeUndefined()
    await replicator.settled()
    expect(await read(1, 'one')).toEqual(await read(0, 'one'))
  })

  /**
   * Regions a and b, replicated in rounds run by hand with b's stream read first in each, written by
   * clients that record when each write was answered in `times` (a's, b's).
   */
  async function steppedRegions(times: [WriteTimes, WriteTimes]) {
    const writers = [localClient(), localClient()]
    for (const [i, writer] of writers.entries())
      recordWriteTimes(writer, times[i] as WriteTimes, ['session_id'])
    const tableNames = [
      await createTable(client, { ttl: false, userIndex: false }),
      await createTable(client, { ttl: false, userIndex: false }),
    ]
    const stepped = new Replicator(
      [
        await simRegion('b', client, dynamoEndpoint(), tableNames[1] as string, times[1]),
        await simRegion('a', client, dynamoEndpoint(), tableNames[0] as string, times[0]),
      ],
      { lagMs: 0 },
    )
    await stepped.start({ manual: true })
    const settle = async () => {
      while (await stepped.step()) {
        // One more round: a round that read records may have left copies to apply.
      }
    }
    const write = (region: number, id: string, v: string) =>
      writers[region]?.send(
        new PutItemCommand({ TableName: tableNames[region], Item: { ...key(id), v: { S: v } } }),
      )
    const value = async (region: number, id: string) =>
      (
        await client.send(
          new GetItemCommand({ TableName: tableNames[region], Key: key(id), ConsistentRead: true }),
        )
      ).Item?.v
    // Both streams read once: DynamoDB Local then serves them from their first record on.
    await write(0, 'warm', 'a')
    await write(1, 'warm', 'b')
    for (let round = 0; round < 3; round++) await settle()
    const close = () => {
      for (const writer of writers) writer.destroy()
    }
    return { write, settle, value, close }
  }

  it('the later write wins by when DynamoDB answered it, however late the stream shows the earlier one', async () => {
    const regions = await steppedRegions([new WriteTimes(), new WriteTimes()])
    try {
      await regions.write(0, 'late', 'first')
      await regions.write(1, 'late', 'second')
      await regions.settle()
      expect(await regions.value(0, 'late')).toEqual({ S: 'second' })
      expect(await regions.value(1, 'late')).toEqual({ S: 'second' })
    } finally {
      regions.close()
    }
  })

  it('two writes answered in the same millisecond in two Regions end as one of them in both', async () => {
    // Every write answered at the same instant.
    const instant = Date.now()
    class SameInstant extends WriteTimes {
      override record(keyItem: Parameters<WriteTimes['record']>[0]): void {
        super.record(keyItem, instant)
      }
    }
    const regions = await steppedRegions([new SameInstant(), new SameInstant()])
    try {
      await regions.write(0, 'tie', 'from-a')
      await regions.write(1, 'tie', 'from-b')
      await regions.settle()
      const [a, b] = [await regions.value(0, 'tie'), await regions.value(1, 'tie')]
      expect(a).toEqual(b)
      expect([{ S: 'from-a' }, { S: 'from-b' }]).toContainEqual(a)
    } finally {
      regions.close()
    }
  })

  it('two writes of one item in two Regions within the lag: the later wins, whole, in both', async () => {
    await put(0, 'two', 'first')
    await pause(50)
    await put(1, 'two', 'second')
    await replicator.settled()
    const [a, b] = [await read(0, 'two'), await read(1, 'two')]
    expect(a).toEqual(b)
    expect(a?.v).toEqual({ S: 'second' })
    expect(a?.by_0).toBeUndefined() // the earlier item lost whole, not merged
  })

  it('a delete in one Region, then a write in the other within the lag: the item comes back in both', async () => {
    await put(0, 'three', 'x')
    await replicator.settled()
    await client.send(new DeleteItemCommand({ TableName: tables[0], Key: key('three') }))
    await pause(50)
    await put(1, 'three', 'after')
    await replicator.settled()
    expect((await read(0, 'three'))?.v).toEqual({ S: 'after' })
    expect((await read(1, 'three'))?.v).toEqual({ S: 'after' })
  })

  it('a write after the lag has passed wins as any later write does: a delete then stays', async () => {
    await put(1, 'four', 'x')
    await replicator.settled()
    await client.send(new DeleteItemCommand({ TableName: tables[1], Key: key('four') }))
    await replicator.settled()
    expect(await read(0, 'four')).toBeUndefined()
    expect(await read(1, 'four')).toBeUndefined()
    expect(replicator.stats.applied).toBeGreaterThan(0)
  })
})

describe('this library on the MREC simulation, without and with home Regions', () => {
  /** Two Regions (two tables of this run's DynamoDB Local), closed after the tests. */
  async function simulation(homes: boolean): Promise<MrecSimulation> {
    const sim = await startMrec({ endpoints: [dynamoEndpoint(), dynamoEndpoint()], lagMs: LAG_MS, homes })
    simulations.push(sim)
    return sim
  }
  /** A session created in Region a and replicated to b; the simulation and the session's jar. */
  async function sessionIn(homes: boolean): Promise<{ sim: MrecSimulation; jar: CookieJar }> {
    const sim = await simulation(homes)
    const jar = new CookieJar()
    expect(await sim.a.request(jar, '/set/k/start')).toBe(200)
    await sim.replicator.settled()
    expect(await sim.read('b', jar.value)).toEqual({ k: 'start' })
    return { sim, jar }
  }
  /** A session created in Region a, then a request in b with its cookie at once; the jar after it. */
  async function createdThenVisited(homes: boolean) {
    const sim = await simulation(homes)
    const jar = new CookieJar()
    expect(await sim.a.request(jar, '/set/k/a')).toBe(200)
    const created = jar.value
    expect(await sim.b.request(jar, '/set/k2/b')).toBe(200)
    return { sim, jar, created }
  }
  /** A session of Region a, its key `k` then set at once in both Regions; the two answers (a's, b's). */
  async function sameKeyAtOnce(homes: boolean) {
    const { sim, jar } = await sessionIn(homes)
    const id = jar.value as string
    const statuses = await Promise.all([
      sim.a.request(id, '/set/k/from-a'),
      sim.b.request(id, '/set/k/from-b'),
    ])
    return { sim, id, statuses }
  }
  const simulations: MrecSimulation[] = []
  afterAll(async () => {
    for (const sim of simulations) await sim.close()
  })

  it('without: a logout in one Region, then a write in the other within the lag, brings the session back in both', async () => {
    const { sim, jar } = await sessionIn(false)
    const stale = jar.value as string
    expect(await sim.a.request(jar, '/logout')).toBe(200)
    expect(await sim.b.request(stale, '/set/k/after')).toBe(200)
    await sim.replicator.settled()
    expect(await sim.read('a', stale)).toEqual({ k: 'after' })
    expect(await sim.read('b', stale)).toEqual({ k: 'after' })
  })

  it('with: the write goes to the home Region, where the session is gone: it stays ended in both', async () => {
    const { sim, jar } = await sessionIn(true)
    const stale = jar.value as string
    expect(await sim.a.request(jar, '/logout')).toBe(200)
    await sim.b.request(stale, '/set/k/after')
    await sim.replicator.settled()
    expect(await sim.read('a', stale)).toBeUndefined()
    expect(await sim.read('b', stale)).toBeUndefined()
    expect(sim.b.crossRegionCalls()).toBeGreaterThan(0)
  })

  it('without: a session created in one Region is not in the other yet: a request there starts a new one', async () => {
    const { jar, created } = await createdThenVisited(false)
    expect(jar.value).not.toBe(created)
  })

  it('with: a session created in one Region is read there by a request in the other, and written in its home', async () => {
    const { sim, jar, created } = await createdThenVisited(true)
    expect(jar.value).toBe(created)
    await sim.replicator.settled()
    expect(await sim.read('b', jar.value)).toEqual({ k: 'a', k2: 'b' })
  })

  it('without: the same key changed at once in both Regions: both answered 200, one change lost', async () => {
    const { sim, id, statuses } = await sameKeyAtOnce(false)
    expect(statuses).toEqual([200, 200])
    await sim.replicator.settled()
    const [a, b] = [await sim.read('a', id), await sim.read('b', id)]
    expect(a).toEqual(b)
    expect(['from-a', 'from-b']).toContain(a?.k)
  })

  it('with: the same key changed at once in both Regions: one 200, one 409, as within one Region', async () => {
    const { sim, id, statuses } = await sameKeyAtOnce(true)
    expect([...statuses].sort()).toEqual([200, 409])
    await sim.replicator.settled()
    const kept = statuses[0] === 200 ? 'from-a' : 'from-b'
    expect(await sim.read('a', id)).toEqual({ k: kept })
    expect(await sim.read('b', id)).toEqual({ k: kept })
  })
})
