/**
 * {@link SessionStore} on Amazon DynamoDB: one item per session, conditional writes against lost updates
 * and resurrection, expiry checked in code (TTL deletes lazily).
 *
 * @module
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { SessionConfigError, SessionStoreError, SessionTooLargeError } from '../errors.ts'
import { decodeExpiry, encodeExpiry } from '../expiry.ts'
import { generateSessionId, isSessionId } from '../id.ts'
import { type SessionLogger, silentLogger } from '../logger.ts'
import { itemSize, nativeMapCodec, type SessionDataCodec } from './codec.ts'
import {
  type DynamoDBStoreProps,
  type ResolvedStoreProps,
  resolveStoreProps,
  sessionIdFromKey,
  sessionKey,
} from './props.ts'
import type { DeleteResult, NewSessionRecord, SaveResult, SessionRecord, SessionStore } from './types.ts'

/** DynamoDB's item size limit, in bytes. */
export const DYNAMODB_ITEM_LIMIT = 400 * 1024

/**
 * Options of {@link DynamoDBSessionStore}: the table layout ({@link DynamoDBStoreProps}) and how to talk to it.
 *
 * @example
 * ```ts
 * const options: DynamoDBSessionStoreOptions = { tableName: 'Sessions', consistentRead: false }
 * ```
 */
export interface DynamoDBSessionStoreOptions extends DynamoDBStoreProps {
  /** The SDK client. Default: one client shared by every store, created on first use (no I/O at import). */
  client?: DynamoDBClient | undefined
  /**
   * Strongly consistent reads. Default `true`. `false` halves the read units, but a read may miss a write
   * made a moment before: a session created by the previous request may not be found yet (and a write
   * would then start a new one), and two quick writes may see a stale version (409 Conflict).
   */
  consistentRead?: boolean | undefined
  /** How data is stored. Default {@link nativeMapCodec}. */
  codec?: SessionDataCodec | undefined
  /** Told about corrupted items and retried id collisions. Default: silent. */
  logger?: SessionLogger | undefined
  /** How many fresh ids `create()` tries before giving up. Default 5, as the Rust crate. */
  createAttempts?: number | undefined
  /** The clock, in epoch milliseconds. Default `Date.now`; tests move it. */
  now?: (() => number) | undefined
  /** The id generator. Default {@link generateSessionId}; tests force collisions with it. */
  generateId?: (() => string) | undefined
  /**
   * A time limit for each DynamoDB call, SDK retries included, in milliseconds; past it the call is
   * aborted and fails with {@link SessionStoreError}. Default: none (the SDK's own timeouts apply).
   */
  timeoutMs?: number | undefined
}

let sharedClient: DynamoDBClient | undefined

/** The client shared by stores that were given none, created on first use. */
function defaultClient(): DynamoDBClient {
  sharedClient ??= new DynamoDBClient({})
  return sharedClient
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error
}

/**
 * Sessions in a DynamoDB table. Usable on its own (admin scripts, other frameworks) as well as behind
 * {@link dynamoSession}.
 *
 * @example
 * ```ts
 * const store = new DynamoDBSessionStore({ tableName: 'Sessions' })
 * const created = await store.create({ data: { userId: 'u-1' }, expiresAt: Math.floor(Date.now() / 1000) + 3600 })
 * const loaded = await store.load(created.id)
 * await store.delete(created.id)
 * ```
 */
export class DynamoDBSessionStore implements SessionStore {
  /** The resolved table layout. */
  readonly props: ResolvedStoreProps
  readonly #client: DynamoDBClient | undefined
  readonly #consistentRead: boolean
  readonly #codec: SessionDataCodec
  readonly #logger: SessionLogger
  readonly #createAttempts: number
  readonly #now: () => number
  readonly #generateId: () => string
  readonly #timeoutMs: number | undefined

  constructor(options: DynamoDBSessionStoreOptions = {}) {
    this.props = resolveStoreProps(options)
    this.#client = options.client
    this.#consistentRead = options.consistentRead ?? true
    this.#codec = options.codec ?? nativeMapCodec
    this.#logger = options.logger ?? silentLogger
    this.#createAttempts = options.createAttempts ?? 5
    if (!Number.isInteger(this.#createAttempts) || this.#createAttempts < 1) {
      throw new SessionConfigError('createAttempts must be a positive integer')
    }
    this.#now = options.now ?? Date.now
    this.#generateId = options.generateId ?? generateSessionId
    this.#timeoutMs = options.timeoutMs
    if (this.#timeoutMs !== undefined && !(Number.isFinite(this.#timeoutMs) && this.#timeoutMs > 0)) {
      throw new SessionConfigError('timeoutMs must be a positive number of milliseconds')
    }
  }

  get #dynamo(): DynamoDBClient {
    return this.#client ?? defaultClient()
  }

  #nowSeconds(): number {
    return Math.floor(this.#now() / 1000)
  }

  /**
   * Runs one DynamoDB call within `timeoutMs`, turning its failures into typed errors (conditional check
   * failures pass through to the caller).
   */
  async #send<T>(
    operation: string,
    call: (client: DynamoDBClient, options: { abortSignal?: AbortSignal }) => Promise<T>,
  ): Promise<T> {
    const timeout = this.#timeoutMs === undefined ? undefined : AbortSignal.timeout(this.#timeoutMs)
    try {
      return await call(this.#dynamo, timeout ? { abortSignal: timeout } : {})
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error
      if (timeout?.aborted) {
        throw new SessionStoreError(
          operation,
          `DynamoDB ${operation} timed out after ${this.#timeoutMs} ms`,
          {
            cause: error,
          },
        )
      }
      if (errorName(error) === 'ValidationException' && /item size/i.test(String((error as Error).message))) {
        throw new SessionTooLargeError(DYNAMODB_ITEM_LIMIT + 1, DYNAMODB_ITEM_LIMIT)
      }
      throw new SessionStoreError(operation, `DynamoDB ${operation} failed (${errorName(error)})`, {
        cause: error,
      })
    }
  }

  /** Reads an item into a record; `undefined` (with a warning for corruption) when it is not a live session. */
  #parse(id: string, item: Record<string, AttributeValue> | undefined): SessionRecord | undefined {
    if (!item) return undefined
    const { expiryName, dataName, versionName, expiryPolicyName, tableName } = this.props
    const expiresAt = Number(item[expiryName]?.N)
    const rawVersion = item[versionName]
    const version = rawVersion === undefined ? 0 : Number(rawVersion.N)
    const rawPolicy = item[expiryPolicyName]
    const expiry = rawPolicy?.S === undefined ? undefined : decodeExpiry(rawPolicy.S)
    const rawData = item[dataName]
    let problem: string | undefined
    let data: SessionRecord['data'] | undefined
    if (!Number.isFinite(expiresAt)) problem = `no numeric "${expiryName}"`
    else if (!Number.isSafeInteger(version) || version < 0) problem = `no valid "${versionName}"`
    else if (rawPolicy !== undefined && expiry === undefined) problem = `unreadable "${expiryPolicyName}"`
    else if (rawData === undefined) problem = `no "${dataName}"`
    else {
      try {
        data = this.#codec.decode(rawData)
      } catch (error) {
        problem = `undecodable "${dataName}" (${error instanceof Error ? error.message : 'unknown'})`
      }
    }
    if (problem !== undefined || data === undefined) {
      this.#logger.warn('middy-dynamodb-session: ignoring a corrupted session item', { tableName, problem })
      return undefined
    }
    if (expiresAt <= this.#nowSeconds()) return undefined // expired; TTL has not removed it yet
    return { id, data, expiresAt, version, expiry }
  }

  #item(record: SessionRecord): Record<string, AttributeValue> {
    const { expiryName, dataName, versionName, expiryPolicyName } = this.props
    const item: Record<string, AttributeValue> = {
      ...sessionKey(this.props, record.id),
      [expiryName]: { N: String(record.expiresAt) },
      [versionName]: { N: String(record.version) },
      [dataName]: this.#codec.encode(record.data),
    }
    if (record.expiry) item[expiryPolicyName] = { S: encodeExpiry(record.expiry) }
    const size = itemSize(item)
    if (size > DYNAMODB_ITEM_LIMIT) throw new SessionTooLargeError(size, DYNAMODB_ITEM_LIMIT)
    return item
  }

  /**
   * The condition of a write that must find the item at `version` (and so never recreates a deleted one),
   * returning the item as it is when it does not. Version 0 is an item written without a version
   * attribute (by hand, say): it must still exist.
   */
  #versionCondition(version: number) {
    const unversioned = version === 0
    const names: Record<string, string> = unversioned
      ? { '#pk': this.props.partitionKey.name, '#ver': this.props.versionName }
      : { '#ver': this.props.versionName }
    return {
      ConditionExpression: unversioned
        ? 'attribute_exists(#pk) AND attribute_not_exists(#ver)'
        : '#ver = :ver',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: unversioned ? undefined : { ':ver': { N: String(version) } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    }
  }

  async load(id: string): Promise<SessionRecord | undefined> {
    if (!isSessionId(id)) return undefined
    const result = await this.#send('GetItem', (client, options) =>
      client.send(
        new GetItemCommand({
          TableName: this.props.tableName,
          Key: sessionKey(this.props, id),
          ConsistentRead: this.#consistentRead,
        }),
        options,
      ),
    )
    return this.#parse(id, result.Item)
  }

  async create(record: NewSessionRecord): Promise<SessionRecord> {
    for (let attempt = 1; attempt <= this.#createAttempts; attempt++) {
      const id = this.#generateId()
      if (!isSessionId(id)) throw new SessionConfigError('generateId returned an id of the wrong shape')
      const created: SessionRecord = { ...record, id, version: 1 }
      try {
        const item = this.#item(created)
        await this.#send('PutItem', (client, options) =>
          client.send(
            new PutItemCommand({
              TableName: this.props.tableName,
              Item: item,
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': this.props.partitionKey.name },
            }),
            options,
          ),
        )
        return created
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error
        this.#logger.warn('middy-dynamodb-session: session id collision, retrying with a new id', { attempt })
      }
    }
    throw new SessionStoreError('PutItem', `No unused session id found in ${this.#createAttempts} attempts`)
  }

  async save(record: SessionRecord): Promise<SaveResult> {
    const next: SessionRecord = { ...record, version: record.version + 1 }
    const item = this.#item(next)
    try {
      await this.#send('PutItem', (client, options) =>
        client.send(
          new PutItemCommand({
            TableName: this.props.tableName,
            Item: item,
            ...this.#versionCondition(record.version),
          }),
          options,
        ),
      )
      return { status: 'saved', version: next.version }
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error
      const current = this.#parse(record.id, error.Item)
      return current ? { status: 'conflict', current } : { status: 'gone' }
    }
  }

  async touch(id: string, expiresAt: number): Promise<boolean> {
    try {
      await this.#send('UpdateItem', (client, options) =>
        client.send(
          new UpdateItemCommand({
            TableName: this.props.tableName,
            Key: sessionKey(this.props, id),
            UpdateExpression: 'SET #exp = :exp',
            ConditionExpression: 'attribute_exists(#pk) AND #exp < :exp',
            ExpressionAttributeNames: { '#pk': this.props.partitionKey.name, '#exp': this.props.expiryName },
            ExpressionAttributeValues: { ':exp': { N: String(expiresAt) } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
          options,
        ),
      )
      return true
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error
      // Still there (another request already moved the expiry further): not gone.
      return error.Item !== undefined && this.#parse(id, error.Item) !== undefined
    }
  }

  async delete(id: string, expectedVersion?: number): Promise<DeleteResult> {
    try {
      await this.#send('DeleteItem', (client, options) =>
        client.send(
          new DeleteItemCommand({
            TableName: this.props.tableName,
            Key: sessionKey(this.props, id),
            ...(expectedVersion !== undefined && this.#versionCondition(expectedVersion)),
          }),
          options,
        ),
      )
      return { status: 'deleted' }
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error
      const current = this.#parse(id, error.Item)
      return current ? { status: 'conflict', current } : { status: 'gone' }
    }
  }

  /**
   * Deletes every expired session (what TTL does, for tables without it and for local development), as
   * the Rust crate's `delete_expired`: a Scan for expired items of this store's key shape, then
   * BatchWriteItem in chunks of 25, retrying unprocessed items with exponential backoff. Items of other
   * entities sharing the table (keys without this store's prefix and suffix) are left alone. Needs
   * `dynamodb:Scan` and `dynamodb:BatchWriteItem`. Resolves the number of items deleted.
   *
   * @example
   * ```ts
   * const deleted = await new DynamoDBSessionStore({ tableName: 'Sessions' }).deleteExpired()
   * ```
   */
  async deleteExpired(options: { maxRetries?: number; baseDelayMs?: number } = {}): Promise<number> {
    const maxRetries = options.maxRetries ?? 8
    const baseDelayMs = options.baseDelayMs ?? 50
    const { partitionKey, sortKey, tableName, expiryName } = this.props
    const names: Record<string, string> = { '#pk': partitionKey.name, '#exp': expiryName }
    const values: Record<string, AttributeValue> = { ':now': { N: String(this.#nowSeconds()) } }
    let filter = '#exp <= :now'
    if (partitionKey.prefix) {
      filter += ' AND begins_with(#pk, :prefix)'
      values[':prefix'] = { S: partitionKey.prefix }
    }
    // Only the keys come back: a Scan costs the same read units with or without a projection, but moves less.
    const projection = sortKey ? '#pk, #sk' : '#pk'
    if (sortKey) names['#sk'] = sortKey.name
    let deleted = 0
    let startKey: Record<string, AttributeValue> | undefined
    do {
      const exclusiveStartKey = startKey
      const page = await this.#send('Scan', (client, options) =>
        client.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: filter,
            ProjectionExpression: projection,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ExclusiveStartKey: exclusiveStartKey,
          }),
          options,
        ),
      )
      const keys: Record<string, AttributeValue>[] = []
      for (const item of page.Items ?? []) {
        const value = item[partitionKey.name]?.S
        const id = value === undefined ? undefined : sessionIdFromKey(this.props, value)
        if (id === undefined) continue
        const key = sessionKey(this.props, id)
        if (sortKey && item[sortKey.name]?.S !== key[sortKey.name]?.S) continue
        keys.push(key)
      }
      for (let i = 0; i < keys.length; i += 25) {
        await this.#batchDelete(keys.slice(i, i + 25), maxRetries, baseDelayMs)
      }
      deleted += keys.length
      startKey = page.LastEvaluatedKey
    } while (startKey)
    return deleted
  }

  async #batchDelete(keys: Record<string, AttributeValue>[], maxRetries: number, baseDelayMs: number) {
    const { tableName } = this.props
    let pending = keys.map((Key) => ({ DeleteRequest: { Key } }))
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > maxRetries) {
        throw new SessionStoreError('BatchWriteItem', `${pending.length} expired sessions left unprocessed`)
      }
      if (attempt > 0) {
        const delay = baseDelayMs * 2 ** (attempt - 1)
        await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random() / 2)))
      }
      const requests = pending
      const result = await this.#send('BatchWriteItem', (client, options) =>
        client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }), options),
      )
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending
    }
  }
}
