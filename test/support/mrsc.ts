/**
 * What the tests of the plans without transactions (`transactions: false`, for MRSC global tables) share:
 * a Lambda behind a proxy that refuses transactions as an MRSC table does, the Lambda killed right after
 * a given write, and what a reader of this library reaches in the table.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBSessionStore } from '../../src/index.ts'
import type { SessionRecord } from '../../src/store/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { refuseTransactions } from './fault-proxy.ts'
import { type Actor, type ActorOptions, kthWrite, type RaceTables, type Route, scan } from './race.ts'

/** A Lambda without transactions (and with the users' feature), behind a proxy that refuses them. */
export async function mrscLambda(
  tables: RaceTables,
  route: Route,
  options: ActorOptions = {},
): Promise<Actor> {
  const created = await tables.lambda(route, {
    ...options,
    store: { users: userSessions(), transactions: false, ...(options.store as object) },
  })
  refuseTransactions(created.proxy)
  return created
}

/** Lets the `k`-th write through, then drops every later call: the Lambda died right after write `k`. */
export function killAfterWrite(a: Actor, k: number): void {
  const isKth = kthWrite(k)
  let dead = false
  a.proxy.intercept((request) => {
    if (dead) return 'drop'
    if (isKth(request)) dead = true
    return undefined
  })
}

/** A store that reads (and confirms) the table as the library does, without transactions. */
export const mrscReader = (client: DynamoDBClient, tableName: string): DynamoDBSessionStore =>
  new DynamoDBSessionStore({ client, tableName, transactions: false, users: userSessions() })

/**
 * The sessions of the table a reader of this library reaches, by id: `load()` of each id, which also
 * confirms a new item past its commit point. Only sessions under their own id (not a renewal's old id
 * reaching the new one within its grace); users' items left out.
 */
export async function reachable(
  client: DynamoDBClient,
  tableName: string,
): Promise<Map<string, SessionRecord>> {
  const store = mrscReader(client, tableName)
  const found = new Map<string, SessionRecord>()
  for (const { id } of await scan(client, tableName)) {
    if (id.startsWith('USER#')) continue
    const record = await store.load(id)
    if (record && record.id === id) found.set(id, record)
  }
  return found
}
