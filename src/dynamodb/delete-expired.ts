/**
 * Deleting expired sessions in bulk, for tables without TTL and for local development. A standalone
 * function rather than a store method, so that a Lambda that only serves sessions does not bundle it.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { SessionStoreError } from '../errors.ts'
import { USER_ATTRIBUTES } from '../store/binding.ts'
import { sessionIdFromKey, sessionKey } from '../store/props.ts'
import { when } from '../store/table.ts'
import type { DynamoDBStoreBase } from './base-store.ts'
import { tableOf } from './table.ts'

/**
 * Options of {@link deleteExpiredSessions}.
 *
 * @example
 * ```ts
 * const options: DeleteExpiredOptions = { maxRetries: 4, baseDelayMs: 100 }
 * ```
 */
export interface DeleteExpiredOptions {
  /** How many times unprocessed deletes of one batch are retried, with exponential backoff. Default 8. */
  maxRetries?: number | undefined
  /** The first backoff delay, in milliseconds; each retry doubles it (with jitter). Default 50. */
  baseDelayMs?: number | undefined
  /** The clock, in epoch milliseconds: items whose expiry is at or before it are deleted. Default `Date.now`. */
  now?: (() => number) | undefined
}

type Key = Record<string, AttributeValue>

/**
 * Deletes every expired session of `store` (what TTL does, for tables without it and for local
 * development), as the Rust crate's `delete_expired`: a Scan for expired items of the store's key shape,
 * then BatchWriteItem in chunks of 25, retrying unprocessed items with exponential backoff; a user's item
 * (the users' feature) is deleted on its own, only if still expired then. Items of other entities sharing
 * the table (keys without the store's prefix and suffix) are left alone. Needs `dynamodb:Scan` and
 * `dynamodb:BatchWriteItem`, and `dynamodb:DeleteItem` when users are bound. Resolves the number of items deleted; DynamoDB failures
 * reject with {@link SessionStoreError}.
 *
 * @example
 * ```ts
 * import { DynamoDBSessionStore, deleteExpiredSessions } from 'middy-dynamodb-session'
 *
 * const deleted = await deleteExpiredSessions(new DynamoDBSessionStore({ tableName: 'Sessions' }))
 * ```
 */
export async function deleteExpiredSessions(
  store: DynamoDBStoreBase,
  options: DeleteExpiredOptions = {},
): Promise<number> {
  const { partitionKey, sortKey, tableName, expiryName } = store.props
  const now = Math.floor((options.now ?? Date.now)() / 1000)
  const names: Record<string, string> = { '#pk': partitionKey.name, '#exp': expiryName }
  const values: Key = { ':now': { N: String(now) } }
  let filter = '#exp <= :now'
  if (partitionKey.prefix) {
    filter += ' AND begins_with(#pk, :prefix)'
    values[':prefix'] = { S: partitionKey.prefix }
  }
  // Only the keys come back (and whether an item is a user's): a Scan costs the same read units with or
  // without a projection, but moves less.
  names['#us'] = USER_ATTRIBUTES.sessions
  const projection = sortKey ? '#pk, #sk, #us' : '#pk, #us'
  if (sortKey) names['#sk'] = sortKey.name
  // A user's item is deleted on its own, only if it is still expired (see below).
  const table = tableOf(store)
  const stillExpired = when.lt([expiryName], { N: String(now + 1) })
  let deleted = 0
  let startKey: Key | undefined
  do {
    const page = (await store.request('Scan', {
      TableName: tableName,
      FilterExpression: filter,
      ProjectionExpression: projection,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...(startKey && { ExclusiveStartKey: startKey }),
    })) as { Items?: Key[]; LastEvaluatedKey?: Key }
    const keys: Key[] = []
    for (const item of page.Items ?? []) {
      const value = item[partitionKey.name]?.S
      const id = value === undefined ? undefined : sessionIdFromKey(store.props, value)
      if (id === undefined) continue
      const key = sessionKey(store.props, id)
      if (sortKey && item[sortKey.name]?.S !== key[sortKey.name]?.S) continue
      // A user's item: deleted only if still expired, since a bind may have renewed it since the Scan
      // (one that lost its fresh entry would let that session escape "sign out everywhere").
      if (item[USER_ATTRIBUTES.sessions]) {
        if ((await table.write({ delete: key, if: stillExpired })).made) deleted++
      } else keys.push(key)
    }
    for (let i = 0; i < keys.length; i += 25) {
      await batchDelete(store, keys.slice(i, i + 25), options.maxRetries ?? 8, options.baseDelayMs ?? 50)
    }
    deleted += keys.length
    startKey = page.LastEvaluatedKey
  } while (startKey)
  return deleted
}

/** One BatchWriteItem of up to 25 deletes, retrying what DynamoDB left unprocessed. */
async function batchDelete(store: DynamoDBStoreBase, keys: Key[], maxRetries: number, baseDelayMs: number) {
  const { tableName } = store.props
  let pending = keys.map((Key) => ({ DeleteRequest: { Key } }))
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > maxRetries) {
      throw new SessionStoreError('BatchWriteItem', `${pending.length} expired sessions left unprocessed`)
    }
    if (attempt > 0) {
      const delay = baseDelayMs * 2 ** (attempt - 1)
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random() / 2)))
    }
    const result = (await store.request('BatchWriteItem', { RequestItems: { [tableName]: pending } })) as {
      UnprocessedItems?: Record<string, typeof pending>
    }
    pending = result.UnprocessedItems?.[tableName] ?? []
  }
}
