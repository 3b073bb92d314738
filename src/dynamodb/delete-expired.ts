/**
 * Deleting expired sessions in bulk, for tables without TTL and for local development. A standalone
 * function rather than a store method, so that a Lambda that only serves sessions does not bundle it.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { SessionStoreError } from '../errors.ts'
import { sessionIdFromKey, sessionKey } from '../store/props.ts'
import type { DynamoDBStoreBase } from './base-store.ts'

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
 * then BatchWriteItem in chunks of 25, retrying unprocessed items with exponential backoff. Items of other
 * entities sharing the table (keys without the store's prefix and suffix) are left alone. Needs
 * `dynamodb:Scan` and `dynamodb:BatchWriteItem`. Resolves the number of items deleted; DynamoDB failures
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
  // Only the keys come back: a Scan costs the same read units with or without a projection, but moves less.
  const projection = sortKey ? '#pk, #sk' : '#pk'
  if (sortKey) names['#sk'] = sortKey.name
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
      keys.push(key)
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
