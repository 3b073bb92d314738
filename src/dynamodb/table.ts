/**
 * The {@link SessionTable} port on DynamoDB: conditions and updates compiled to expressions (every name
 * and value a placeholder), refused conditions read from `ConditionalCheckFailedException` and
 * `TransactionCanceledException` with the item as it was, batches chunked and their unprocessed keys
 * retried with backoff.
 *
 * @module
 */
import { SessionConflictError, SessionStoreError } from '../errors.ts'
import type {
  Condition,
  IndexPage,
  IndexQuery,
  Item,
  Path,
  Refusal,
  Returning,
  SessionTable,
  Transacted,
  Update,
  Write,
  Written,
} from '../store/table.ts'
import { ExpressionBuilder } from './expression.ts'
import { errorName, isReplicatedConflict } from './failure.ts'
import type { DynamoDBOperation } from './transport.ts'

/** Sends one request (with the store's time limit and error mapping); see `DynamoDBStoreBase.request`. */
export type Send = (operation: DynamoDBOperation, input: Record<string, unknown>) => Promise<unknown>

/**
 * The table of a store that sends through its own `request` (a DynamoDB store, or a peer in another
 * Region), under the store's table name.
 *
 * @example
 * ```ts
 * const table = tableOf(store)
 * await table.write({ delete: key, if: when.lt(['expire_at'], { N: String(now + 1) }) })
 * ```
 */
export function tableOf(store: {
  readonly props: { readonly tableName: string }
  request(operation: DynamoDBOperation, input: Record<string, unknown>): Promise<unknown>
}): DynamoDBTable {
  return new DynamoDBTable(store.props.tableName, (operation, input) => store.request(operation, input))
}

/** The expression of `condition`, with its names and values added to `x`. */
export function conditionExpression(x: ExpressionBuilder, condition: Condition): string {
  const path = (p: Path) => x.path(...p)
  switch (condition.op) {
    case 'exists':
      return `attribute_exists(${path(condition.path)})`
    case 'missing':
      return `attribute_not_exists(${path(condition.path)})`
    case 'eq':
      return `${path(condition.path)} = ${x.value(condition.value)}`
    case 'lt':
      return `${path(condition.path)} < ${x.value(condition.value)}`
    case 'gt':
      return `${path(condition.path)} > ${x.value(condition.value)}`
    case 'hasType':
      return `attribute_type(${path(condition.path)}, ${x.value({ S: condition.type })})`
    case 'sizeBelow':
      return `size(${path(condition.path)}) < ${x.value({ N: String(condition.size) })}`
    case 'and':
    case 'or': {
      const parts = condition.of.map((c) => conditionExpression(x, c))
      return parts.length === 1
        ? (parts[0] as string)
        : `(${parts.join(condition.op === 'and' ? ' AND ' : ' OR ')})`
    }
  }
}

/** The update expression of `update`, with its names and values added to `x`. */
export function updateExpression(x: ExpressionBuilder, update: Update): string {
  const clauses: string[] = []
  const set = (update.set ?? []).map(([p, value]) => `${x.path(...p)} = ${x.value(value)}`)
  if (set.length > 0) clauses.push(`SET ${set.join(', ')}`)
  const remove = (update.remove ?? []).map((p) => x.path(...p))
  if (remove.length > 0) clauses.push(`REMOVE ${remove.join(', ')}`)
  const add = (update.add ?? []).map(([p, n]) => `${x.path(...p)} ${x.value({ N: String(n) })}`)
  if (add.length > 0) clauses.push(`ADD ${add.join(', ')}`)
  return clauses.join(' ')
}

/** The request parameters of one write (its table, key or item, expressions). */
function writeInput(tableName: string, write: Write) {
  const x = new ExpressionBuilder()
  const condition = write.if && conditionExpression(x, write.if)
  const target =
    'put' in write
      ? { Item: write.put }
      : 'update' in write
        ? { Key: write.key, UpdateExpression: updateExpression(x, write.update) }
        : { Key: write.delete }
  const { ExpressionAttributeNames, ExpressionAttributeValues } = x.attributes()
  return {
    TableName: tableName,
    ...target,
    ...(condition !== undefined && { ConditionExpression: condition }),
    ...(Object.keys(ExpressionAttributeNames).length > 0 && { ExpressionAttributeNames }),
    ...(ExpressionAttributeValues && { ExpressionAttributeValues }),
  }
}

const RETURN_VALUES = { none: 'NONE', old: 'ALL_OLD', new: 'ALL_NEW' } as const

/** A short random backoff before the `attempt`th try again (none before the first). */
async function pause(attempt: number): Promise<void> {
  if (attempt > 0)
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt) * Math.random()))
}

async function unprocessedPause(attempt: number, operation: string): Promise<void> {
  if (attempt > 8) throw new SessionStoreError(operation, `DynamoDB ${operation} left items unprocessed`)
  await pause(attempt)
}

/**
 * How many more times a write refused because another Region wrote the item at the same moment is sent
 * (after the SDK's own retries of each) before the request is told it conflicted (`replicated`).
 */
const REPLICATED_RETRIES = 4

/**
 * The {@link SessionTable} of one DynamoDB table.
 *
 * @example
 * ```ts
 * const table = new DynamoDBTable('Sessions', (operation, input) => store.request(operation, input))
 * ```
 */
export class DynamoDBTable implements SessionTable {
  readonly tableName: string
  readonly #send: Send

  constructor(tableName: string, send: Send) {
    this.tableName = tableName
    this.#send = send
  }

  async get(key: Item, options: { consistent?: boolean | undefined } = {}): Promise<Item | undefined> {
    const input = { TableName: this.tableName, Key: key, ConsistentRead: options.consistent ?? true }
    const result = (await this.#send('GetItem', input)) as { Item?: Item }
    return result.Item
  }

  async write(write: Write, returning: Returning = 'none'): Promise<Written> {
    const input = {
      ...writeInput(this.tableName, write),
      ...(returning !== 'none' && { ReturnValues: RETURN_VALUES[returning] }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    }
    const operation = 'put' in write ? 'PutItem' : 'update' in write ? 'UpdateItem' : 'DeleteItem'
    try {
      const result = (await this.#sendAgainOnReplicatedConflict(operation, input)) as { Attributes?: Item }
      return { made: true, item: result.Attributes }
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error
      return { made: false, current: (error as { Item?: Item }).Item }
    }
  }

  /**
   * Sends a write; refused because another Region wrote the item at the same moment (nothing written),
   * sends it again after a short backoff, like a write refused by a concurrent change, and then throws a
   * `replicated` {@link SessionConflictError}. Its condition is evaluated again each time.
   */
  async #sendAgainOnReplicatedConflict(
    operation: DynamoDBOperation,
    input: Record<string, unknown>,
  ): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      await pause(attempt)
      try {
        return await this.#send(operation, input)
      } catch (error) {
        if (!isReplicatedConflict(error)) throw error
        if (attempt >= REPLICATED_RETRIES) throw new SessionConflictError('replicated', { cause: error })
      }
    }
  }

  async transact(writes: readonly Write[], token: string): Promise<Transacted> {
    const items = writes.map((write) => {
      const input = {
        ...writeInput(this.tableName, write),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      }
      return 'put' in write ? { Put: input } : 'update' in write ? { Update: input } : { Delete: input }
    })
    try {
      await this.#send('TransactWriteItems', { ClientRequestToken: token, TransactItems: items })
      return { made: true }
    } catch (error) {
      if (errorName(error) !== 'TransactionCanceledException') throw error
      const reasons =
        (error as { CancellationReasons?: { Code?: string; Item?: Item }[] }).CancellationReasons ?? []
      const refusals: Refusal[] = writes.map((_, index) => {
        const reason = reasons[index]
        if (reason?.Code === 'ConditionalCheckFailed') return { current: reason.Item }
        return reason?.Code === undefined || reason.Code === 'None' ? 'none' : 'conflict'
      })
      return { made: false, refusals }
    }
  }

  async getMany(keys: readonly Item[], attributes: readonly string[]): Promise<Item[]> {
    const found: Item[] = []
    const x = new ExpressionBuilder()
    const keyNames = Object.keys(keys[0] ?? {})
    const projection = [...new Set([...keyNames, ...attributes])].map((name) => x.name(name)).join(', ')
    const { ExpressionAttributeNames } = x.attributes()
    let pending = [...keys]
    for (let attempt = 0; pending.length > 0; attempt++) {
      await unprocessedPause(attempt, 'BatchGetItem')
      const chunk = pending.slice(0, 100)
      const result = (await this.#send('BatchGetItem', {
        RequestItems: {
          [this.tableName]: {
            Keys: chunk,
            ConsistentRead: true,
            ProjectionExpression: projection,
            ExpressionAttributeNames,
          },
        },
      })) as { Responses?: Record<string, Item[]>; UnprocessedKeys?: Record<string, { Keys?: Item[] }> }
      found.push(...(result.Responses?.[this.tableName] ?? []))
      pending = [...(result.UnprocessedKeys?.[this.tableName]?.Keys ?? []), ...pending.slice(100)]
    }
    return found
  }

  async query(query: IndexQuery): Promise<IndexPage> {
    const x = new ExpressionBuilder()
    const [name, value] = query.partition
    let keyCondition = `${x.name(name)} = ${x.value(value)}`
    if (query.below) keyCondition += ` AND ${x.name(query.sort)} < ${x.value(query.below)}`
    const filter = query.filter && conditionExpression(x, query.filter)
    const projection = query.attributes.map((n) => x.name(n)).join(', ')
    const result = (await this.#send('Query', {
      TableName: this.tableName,
      IndexName: query.index,
      KeyConditionExpression: keyCondition,
      ...(filter !== undefined && { FilterExpression: filter }),
      ProjectionExpression: projection,
      ScanIndexForward: false,
      ...(query.limit !== undefined && { Limit: query.limit }),
      ...x.attributes(),
    })) as { Items?: Item[]; LastEvaluatedKey?: Item }
    return { items: result.Items ?? [], last: result.LastEvaluatedKey }
  }

  async deleteMany(keys: readonly Item[]): Promise<void> {
    let pending = keys.map((Key) => ({ DeleteRequest: { Key } }))
    for (let attempt = 0; pending.length > 0; attempt++) {
      await unprocessedPause(attempt, 'BatchWriteItem')
      const chunk = pending.slice(0, 25)
      const result = (await this.#send('BatchWriteItem', { RequestItems: { [this.tableName]: chunk } })) as {
        UnprocessedItems?: Record<string, typeof pending>
      }
      pending = [...(result.UnprocessedItems?.[this.tableName] ?? []), ...pending.slice(25)]
    }
  }
}
