/**
 * The table port's two implementations side by side: the same random items, conditions, updates and
 * transactions run on DynamoDB Local (through DynamoDBTable, conditions compiled to expressions) and on the
 * test kit's MapTable, and every outcome must be the same: made or refused, the item returned, the item
 * left behind, and the errors. The memory table is the DynamoDB semantics the engine relies on, or this
 * fails.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBTable } from '../../src/dynamodb/table.ts'
import { DynamoDBSessionStore } from '../../src/index.ts'
import type { Condition, Item, Path, Returning, Update, Write } from '../../src/store/table.ts'
import { MapTable } from '../../src/testing/map-table.ts'
import { createTable, localClient } from '../support/dynamo.ts'

const client = localClient()
let dynamo: DynamoDBTable
beforeAll(async () => {
  // With the index that lists a user's sessions (bound_user, bound_key), as template.yaml makes it.
  const tableName = await createTable(client, { ttl: false })
  const store = new DynamoDBSessionStore({ client, tableName })
  dynamo = new DynamoDBTable(tableName, (operation, input) => store.request(operation, input))
})
afterAll(() => client.destroy())

const KEY = 'session_id'
let serial = 0
const freshKey = (): Item => ({ [KEY]: { S: `k${serial++}` } })

// Values, including the cases where DynamoDB's comparisons are subtle: numbers by value ('1' = '1.0'),
// strings by UTF-8 bytes, maps unordered, lists ordered.
// Stored numbers as this library writes them (String(n)); conditions also compare other spellings.
const number = fc.constantFrom('0', '1', '-1', '2', '10', '2.5', '-0.5', '100000000000000000001')
const spelled = fc.constantFrom(
  '0',
  '1',
  '1.0',
  '01',
  '-1',
  '2',
  '10',
  '2.50',
  '-0.5',
  '100000000000000000001',
)
const text = fc.constantFrom('', 'a', 'b', 'B', 'é', '\u{1F600}', '\uFFFD', 'ab')
const scalar: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  number.map((N) => ({ N })),
  text.map((S) => ({ S })),
  fc.boolean().map((BOOL) => ({ BOOL })),
  fc.constant({ NULL: true }),
)
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 2 }).map((L) => ({ L })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ x: scalar, y: scalar }, { requiredKeys: [] })
      .map((M) => ({ M: M as Record<string, unknown> })),
  },
) as fc.Arbitrary<Item[string]>
const path: fc.Arbitrary<Path> = fc.constantFrom<Path>(
  ['a'],
  ['b'],
  ['m'],
  ['m', 'x'],
  ['m', 'y'],
  ['m', 'x', 'z'],
)
const attributes = fc.record({ a: value, b: value, m: value }, { requiredKeys: [] }) as fc.Arbitrary<Item>

const leaf: fc.Arbitrary<Condition> = fc.oneof(
  path.map((p) => ({ op: 'exists' as const, path: p })),
  path.map((p) => ({ op: 'missing' as const, path: p })),
  fc
    .tuple(
      fc.constantFrom('eq' as const, 'lt' as const, 'gt' as const),
      path,
      fc.oneof(
        value,
        spelled.map((N) => ({ N }) as Item[string]),
      ),
    )
    .map(([op, p, v]) => ({ op, path: p, value: v })),
  fc
    .tuple(path, fc.constantFrom('S' as const, 'N' as const, 'M' as const, 'L' as const, 'BOOL' as const))
    .map(([p, type]) => ({
      op: 'hasType' as const,
      path: p,
      type,
    })),
  fc.tuple(fc.constantFrom<Path>(['m'], ['a'], ['b']), fc.integer({ min: 0, max: 3 })).map(([p, size]) => ({
    op: 'sizeBelow' as const,
    path: p,
    size,
  })),
)
const condition: fc.Arbitrary<Condition> = fc.oneof(
  { weight: 3, arbitrary: leaf },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('and' as const, 'or' as const), fc.array(leaf, { minLength: 2, maxLength: 3 }))
      .map(([op, of]) => ({ op, of })),
  },
)
// An update's paths must not overlap (DynamoDB refuses that): one path per top-level attribute.
const update: fc.Arbitrary<Update> = fc
  .record({
    a: fc.option(
      fc.oneof(
        value.map((v) => ({ set: v })),
        fc.constant({ remove: true }),
        fc.integer({ min: -3, max: 3 }).map((n) => ({ add: n })),
      ),
    ),
    m: fc.option(
      fc.tuple(
        fc.constantFrom<Path>(['m'], ['m', 'x'], ['m', 'x', 'z']),
        fc.oneof(
          value.map((v) => ({ set: v })),
          fc.constant({ remove: true }),
        ),
      ),
    ),
  })
  .map(({ a, m }) => {
    const set: [Path, Item[string]][] = []
    const remove: Path[] = []
    const add: [Path, number][] = []
    if (a && 'set' in a) set.push([['a'], a.set])
    if (a && 'remove' in a) remove.push(['a'])
    if (a && 'add' in a) add.push([['a'], a.add])
    if (m && 'set' in m[1]) set.push([m[0], m[1].set])
    if (m && 'remove' in m[1]) remove.push(m[0])
    if (set.length + remove.length + add.length === 0) set.push([['b'], { S: 'set' }])
    return { set, remove, add }
  })
const returning = fc.constantFrom<Returning>('none', 'old', 'new')

type Outcome = { threw: string } | { result: unknown; after: Item | undefined }

async function outcome(run: () => Promise<unknown>, read: () => Promise<Item | undefined>): Promise<Outcome> {
  try {
    const result = await run()
    return { result, after: await read() }
  } catch (error) {
    return { threw: (error as Error).name }
  }
}

/** Runs `scenario` on both tables, each from the same starting items, and compares what each did. */
async function compare(
  start: (Item | null)[],
  scenario: (table: DynamoDBTable | MapTable, keys: Item[]) => Promise<unknown>,
) {
  const keys = start.map(() => freshKey())
  const memory = new MapTable([KEY])
  const seed = async (table: DynamoDBTable | MapTable) => {
    for (const [i, item] of start.entries()) if (item) await table.write({ put: { ...item, ...keys[i] } })
  }
  await seed(dynamo)
  await seed(memory)
  const readAll = (table: DynamoDBTable | MapTable) => async () => {
    const items = await Promise.all(keys.map((key) => table.get(key, { consistent: true })))
    return { items } as unknown as Item
  }
  const onDynamo = await outcome(() => scenario(dynamo, keys), readAll(dynamo))
  const onMemory = await outcome(() => scenario(memory, keys), readAll(memory))
  expect(onMemory).toEqual(onDynamo)
}

describe('MapTable does what DynamoDB does', () => {
  it('conditional puts and deletes: made or refused alike, the same item returned and left', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(attributes),
        condition,
        fc.boolean(),
        fc.constantFrom<Returning>('none', 'old'),
        attributes,
        async (item, cond, put, ret, next) => {
          await compare([item], (table, [key]) =>
            table.write(
              put ? { put: { ...next, ...key }, if: cond } : { delete: key as Item, if: cond },
              ret,
            ),
          )
        },
      ),
      {
        numRuns: 150,
        // The subtle cases, every run: size() counts UTF-16 units; strings order by UTF-8 bytes (U+FFFD
        // before an emoji, though not in UTF-16); numbers compare by value.
        examples: [
          [{ a: { S: '\u{1F600}' } }, { op: 'sizeBelow', path: ['a'], size: 2 }, false, 'none', {}],
          [{ a: { S: '\uFFFD' } }, { op: 'lt', path: ['a'], value: { S: '\u{1F600}' } }, false, 'none', {}],
          [{ a: { N: '1' } }, { op: 'eq', path: ['a'], value: { N: '1.0' } }, false, 'none', {}],
          [
            { a: { M: { x: { N: '2' } } } },
            { op: 'gt', path: ['a', 'x'], value: { N: '10' } },
            true,
            'old',
            {},
          ],
        ],
      },
    )
  })

  it('conditional updates: the same result, the same returned attributes, the same errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(attributes),
        fc.option(condition),
        update,
        returning,
        async (item, cond, change, ret) => {
          await compare([item], (table, [key]) =>
            table.write({ update: change, key: key as Item, if: cond ?? undefined }, ret),
          )
        },
      ),
      { numRuns: 200 },
    )
  })

  it('transactions: all or none, each write refused for its own condition', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.option(attributes), fc.option(attributes)),
        fc.tuple(condition, condition),
        fc.tuple(update, attributes),
        async (items, [first, second], [change, next]) => {
          await compare(items, async (table, [one, two]) => {
            const writes: Write[] = [
              { update: change, key: one as Item, if: first },
              { put: { ...next, ...two }, if: second },
            ]
            return table.transact(writes, crypto.randomUUID())
          })
        },
      ),
      { numRuns: 100 },
    )
  })

  it('batch reads with a projection, and batch deletes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(attributes), { minLength: 1, maxLength: 4 }), async (items) => {
        await compare(items, async (table, keys) => {
          const read = await table.getMany(keys, ['a', 'm'])
          await table.deleteMany(keys.slice(0, 2))
          return read.sort((p, q) => String(p[KEY]?.S).localeCompare(String(q[KEY]?.S)))
        })
      }),
      { numRuns: 40 },
    )
  })

  it('index queries: the same page, newest first, limited before the filter, with the same last key', async () => {
    const bound = fc.record({
      bound_user: fc.constantFrom('u1', 'u2').map((S) => ({ S })),
      bound_key: fc
        .constantFrom('2026-01-01#a', '2026-01-01#b', '2026-02-01#a', '2027-01-01#c', 'z')
        .map((S) => ({ S })),
      user_handle: fc.constantFrom('h1', 'h2').map((S) => ({ S })),
      expire_at: fc.integer({ min: 0, max: 20 }).map((n) => ({ N: String(n) })),
      last_used: fc.integer({ min: 0, max: 9 }).map((n) => ({ N: String(n) })),
    }) as fc.Arbitrary<Item>
    const unbound = attributes
    const query = fc.record({
      below: fc.option(fc.constantFrom('2026-01-01#b', '2026-02-01#a', 'z', '0')),
      limit: fc.option(fc.integer({ min: 1, max: 4 })),
      filtered: fc.boolean(),
      attributes: fc.subarray(['bound_key', 'user_handle', 'expire_at', 'last_used', KEY], { minLength: 1 }),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(bound, unbound), { minLength: 0, maxLength: 6 }),
        query,
        async (items, q) => {
          const user = `u-${serial++}` // only this case's items are in the index under this user
          // Distinct index keys (as bindings have: a time and a random handle): DynamoDB does not say in
          // which order it returns items that share one.
          const mine = items.map((item, i) =>
            item.bound_user
              ? { ...item, bound_user: { S: user }, bound_key: { S: `${item.bound_key?.S}#${i}` } }
              : item,
          )
          await compare(mine, async (table) => {
            const page = await table.query({
              index: 'user-sessions',
              partition: ['bound_user', { S: user }],
              sort: 'bound_key',
              below: q.below === null ? undefined : { S: q.below },
              filter: q.filtered ? { op: 'gt', path: ['expire_at'], value: { N: '10' } } : undefined,
              attributes: q.attributes,
              limit: q.limit ?? undefined,
            })
            // The last key names the item it stopped at: compare the index keys (the table key is a fresh id).
            const last = page.last && {
              bound_user: page.last.bound_user,
              bound_key: page.last.bound_key,
              keyed: KEY in page.last,
            }
            return {
              items: page.items.map(({ [KEY]: id, ...rest }) => ({ ...rest, id: id !== undefined })),
              last,
            }
          })
        },
      ),
      { numRuns: 60 },
    )
  })
})
