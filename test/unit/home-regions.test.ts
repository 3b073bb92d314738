/**
 * Home Regions (`homeRegions()`), as a table decorator over two memory tables standing for two Regions'
 * copies of a global table: reads stay here, every write goes to its item's home (recorded at creation,
 * remembered from reads, read when unknown), a transaction goes to the home of the session it is about,
 * and a home that does not answer fails the write, or sends it here with `whenUnreachable:
 * 'write-locally'`. The store built with it is checked too: its option is validated, and a session it
 * creates records this Region.
 */
import { describe, expect, it } from 'vitest'
import { HomeRegionTable } from '../../src/dynamodb/home-regions.ts'
import { DynamoDBSessionStore, homeRegions, SessionConfigError, SessionStoreError } from '../../src/index.ts'
import { DEFAULT_STORE_PROPS } from '../../src/store/index.ts'
import type { Item, SessionTable, Write } from '../../src/store/table.ts'
import { MapTable } from '../../src/testing/map-table.ts'

const props = DEFAULT_STORE_PROPS
const key = (id: string): Item => ({ session_id: { S: id } })
const homedIn = (id: string, home: string, n = 1): Item => ({
  ...key(id),
  n: { N: String(n) },
  home_region: { S: home },
})

/** Region `b`'s view: its own table, and region `a`'s (which may be made to fail). */
function regions(whenUnreachable: 'fail' | 'write-locally' = 'fail') {
  const a = new MapTable(['session_id'])
  const b = new MapTable(['session_id'])
  let aDown = false
  const reachableA: SessionTable = new Proxy(a, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) =>
        aDown
          ? Promise.reject(new SessionStoreError('UpdateItem', 'Region a does not answer'))
          : value.apply(target, args)
    },
  })
  const table = new HomeRegionTable(b, props, {
    region: 'b',
    tables: new Map<string, SessionTable>([
      ['a', reachableA],
      ['b', b],
    ]),
    whenUnreachable,
    attribute: 'home_region',
  })
  return { a, b, table, takeDown: () => (aDown = true) }
}

/** Both Regions hold `item` (it was created in its home and replicated). */
async function replicated(a: MapTable, b: MapTable, item: Item) {
  await a.write({ put: item })
  await b.write({ put: item })
}

const bump: Write = {
  update: { set: [[['n'], { N: '2' }]] },
  key: key('s'),
  if: { op: 'exists', path: ['session_id'] },
}

describe('home Regions, a table that writes each item in its home', () => {
  it('creates a session here, recording this Region as its home', async () => {
    const { a, b, table } = regions()
    const created = await table.write({ put: key('s'), if: { op: 'missing', path: ['session_id'] } })
    expect(created.made).toBe(true)
    expect(await b.get(key('s'))).toEqual({ ...key('s'), home_region: { S: 'b' } })
    expect(await a.get(key('s'))).toBeUndefined()
  })

  it('reads here, and writes a session homed elsewhere in its home: the condition is judged there', async () => {
    const { a, b, table } = regions()
    await replicated(a, b, homedIn('s', 'a'))
    expect(await table.get(key('s'))).toEqual(homedIn('s', 'a'))
    expect((await table.write(bump)).made).toBe(true)
    expect((await a.get(key('s')))?.n).toEqual({ N: '2' })
    expect((await b.get(key('s')))?.n).toEqual({ N: '1' }) // replication brings it here, not this write
    // Gone in its home (a logout there, not yet replicated here): the write is refused, as within one Region.
    await a.write({ delete: key('s') })
    expect((await table.write(bump)).made).toBe(false)
    expect(await a.get(key('s'))).toBeUndefined()
  })

  it('a session not here yet (created a moment ago in another Region) is read there, and written there', async () => {
    const { a, b, table } = regions()
    await a.write({ put: homedIn('s', 'a') })
    expect(await table.get(key('s'))).toEqual(homedIn('s', 'a'))
    expect((await table.write(bump)).made).toBe(true)
    expect((await a.get(key('s')))?.n).toEqual({ N: '2' })
    expect(await b.get(key('s'))).toBeUndefined() // until replication
    // No item anywhere: none, after asking each Region once.
    expect(await table.get(key('nowhere'))).toBeUndefined()
  })

  it('a write of a session this store never read reads its home first', async () => {
    const { a, b, table } = regions()
    await replicated(a, b, homedIn('s', 'a'))
    expect((await table.write(bump)).made).toBe(true)
    expect((await a.get(key('s')))?.n).toEqual({ N: '2' })
  })

  it('a whole-item write keeps the home: the item written in its home still records it', async () => {
    const { a, b, table } = regions()
    await replicated(a, b, homedIn('s', 'a'))
    await table.get(key('s'))
    await table.write({ put: { ...key('s'), n: { N: '5' } } })
    expect(await a.get(key('s'))).toEqual(homedIn('s', 'a', 5))
  })

  it("a transaction goes to the home of its first write's item, every item it puts homed there", async () => {
    const { a, b, table } = regions()
    await replicated(a, b, homedIn('old', 'a'))
    await table.get(key('old'))
    const outcome = await table.transact(
      [
        { put: { ...key('old'), successor: { S: 'new' } } },
        { put: key('new'), if: { op: 'missing', path: ['session_id'] } },
      ],
      'token',
    )
    expect(outcome.made).toBe(true)
    expect(await a.get(key('new'))).toEqual({ ...key('new'), home_region: { S: 'a' } })
    expect((await a.get(key('old')))?.successor).toEqual({ S: 'new' })
    expect(await b.get(key('new'))).toBeUndefined()
  })

  it('ends a batch of items in every Region, whatever their home: "sign out everywhere" is final in each', async () => {
    const { a, b, table } = regions()
    await replicated(a, b, homedIn('x', 'a'))
    await replicated(a, b, homedIn('y', 'b'))
    await a.write({ put: homedIn('z', 'a') }) // created in a a moment ago, not here yet
    await table.deleteMany([key('x'), key('y'), key('z')])
    for (const id of ['x', 'y', 'z']) {
      expect(await a.get(key(id))).toBeUndefined()
      expect(await b.get(key(id))).toBeUndefined()
    }
  })

  it('a logout of a session not here yet (created a moment ago in its home) deletes it there too', async () => {
    const { a, table } = regions()
    await a.write({ put: homedIn('s', 'a') })
    const written = await table.write({ delete: key('s'), if: { op: 'missing', path: ['successor'] } })
    expect(written.made).toBe(true)
    expect(await a.get(key('s'))).toBeUndefined()
    // Any other write of it is judged here, where there is no item: refused, as for no session.
    await a.write({ put: homedIn('t', 'a') })
    expect((await table.write({ ...bump, key: key('t') })).made).toBe(false)
    expect((await a.get(key('t')))?.n).toEqual({ N: '1' })
  })

  it("a home that does not answer fails the write by default; with 'write-locally' it is written here", async () => {
    const failing = regions('fail')
    await replicated(failing.a, failing.b, homedIn('s', 'a'))
    failing.takeDown()
    await expect(failing.table.write(bump)).rejects.toBeInstanceOf(SessionStoreError)
    expect((await failing.b.get(key('s')))?.n).toEqual({ N: '1' })

    const local = regions('write-locally')
    await replicated(local.a, local.b, homedIn('s', 'a'))
    local.takeDown()
    expect((await local.table.write(bump)).made).toBe(true)
    expect((await local.b.get(key('s')))?.n).toEqual({ N: '2' })
  })

  it('validates its options, and the store takes it as its table', async () => {
    expect(() => homeRegions({ region: '', peers: {} })).toThrow(SessionConfigError)
    expect(() => homeRegions({ region: 'b', peers: {}, whenUnreachable: 'never' as 'fail' })).toThrow(
      /whenUnreachable/,
    )
    expect(() => new DynamoDBSessionStore({ tableName: 'Sessions', homeRegions: 'yes' as never })).toThrow(
      SessionConfigError,
    )
    const peer = new DynamoDBSessionStore({ tableName: 'Sessions' })
    const store = new DynamoDBSessionStore({
      tableName: 'Sessions',
      homeRegions: homeRegions({ region: 'b', peers: { a: peer } }),
    })
    expect(store.props.tableName).toBe('Sessions')
  })
})
