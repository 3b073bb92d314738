/**
 * {@link SessionStore} on Amazon DynamoDB: one item per session, conditional writes against lost updates
 * and resurrection, expiry checked in code (TTL deletes lazily).
 *
 * @module
 */
import {
  type $Command,
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  type DynamoDBClientResolvedConfig,
  GetItemCommand,
  PutItemCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { PACKAGE_NAME, SessionConfigError, SessionStoreError, SessionTooLargeError } from '../errors.ts'
import { decodeExpiry, encodeExpiry } from '../expiry.ts'
import { generateSessionId, isSessionId } from '../id.ts'
import { type SessionLogger, silentLogger } from '../logger.ts'
import { itemSize, nativeMapCodec, type SessionDataCodec } from './codec.ts'
import { type DynamoDBStoreProps, type ResolvedStoreProps, resolveStoreProps, sessionKey } from './props.ts'
import type { DeleteResult, NewSessionRecord, SaveResult, SessionRecord, SessionStore } from './types.ts'

/**
 * DynamoDB's item size limit, in bytes.
 *
 * @example
 * ```ts
 * if (error instanceof SessionTooLargeError) console.log(error.size, 'of', DYNAMODB_ITEM_LIMIT)
 * ```
 */
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

/**
 * Any command of the DynamoDB client, as {@link DynamoDBSessionStore.send} takes it.
 *
 * @example
 * ```ts
 * const command: DynamoDBCommand<GetItemCommandInput, GetItemCommandOutput> = new GetItemCommand(input)
 * ```
 */
export type DynamoDBCommand<Input extends ServiceInputTypes, Output extends ServiceOutputTypes> = $Command<
  Input,
  Output,
  DynamoDBClientResolvedConfig,
  ServiceInputTypes,
  ServiceOutputTypes
>

type Item = Record<string, AttributeValue>

let sharedClient: DynamoDBClient | undefined

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
    const createAttempts = options.createAttempts ?? 5
    const timeoutMs = options.timeoutMs
    this.props = resolveStoreProps(options)
    if (!Number.isInteger(createAttempts) || createAttempts < 1) {
      throw new SessionConfigError('createAttempts must be a positive integer')
    }
    if (timeoutMs !== undefined && !(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      throw new SessionConfigError('timeoutMs must be a positive number of milliseconds')
    }
    this.#client = options.client
    this.#consistentRead = options.consistentRead ?? true
    this.#codec = options.codec ?? nativeMapCodec
    this.#logger = options.logger ?? silentLogger
    this.#createAttempts = createAttempts
    this.#now = options.now ?? Date.now
    this.#generateId = options.generateId ?? generateSessionId
    this.#timeoutMs = timeoutMs
  }

  /**
   * The DynamoDB client this store sends with: the one it was given, or the client shared by every store
   * that was given none (created on first use).
   *
   * @example
   * ```ts
   * await store.client.send(new DescribeTableCommand({ TableName: store.props.tableName }))
   * ```
   */
  get client(): DynamoDBClient {
    if (this.#client) return this.#client
    sharedClient ??= new DynamoDBClient({})
    return sharedClient
  }

  /**
   * Sends one command with {@link DynamoDBSessionStore.client} within `timeoutMs`. A failure (after the
   * SDK's retries) becomes a {@link SessionStoreError} naming `operation`, with the SDK error as `cause`;
   * DynamoDB's item size refusal becomes a {@link SessionTooLargeError}; a failed condition
   * (`ConditionalCheckFailedException`) is thrown as it is.
   *
   * @example
   * ```ts
   * const page = await store.send('Scan', new ScanCommand({ TableName: store.props.tableName }))
   * ```
   */
  async send<Input extends ServiceInputTypes, Output extends ServiceOutputTypes>(
    operation: string,
    command: DynamoDBCommand<Input, Output>,
  ): Promise<Output> {
    const ms = this.#timeoutMs
    const timeout = ms ? AbortSignal.timeout(ms) : undefined
    try {
      return await this.client.send(command, timeout ? { abortSignal: timeout } : {})
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error
      const name = errorName(error)
      if (timeout?.aborted) {
        throw new SessionStoreError(operation, `DynamoDB ${operation} timed out after ${ms} ms`, {
          cause: error,
        })
      }
      if (name === 'ValidationException' && /item size/i.test(String((error as Error).message))) {
        throw new SessionTooLargeError(DYNAMODB_ITEM_LIMIT + 1, DYNAMODB_ITEM_LIMIT)
      }
      throw new SessionStoreError(operation, `DynamoDB ${operation} failed (${name})`, { cause: error })
    }
  }

  /**
   * Sends a conditional write; resolves `undefined` when it was made, or the item as it was when the
   * condition failed (`null` when there was none).
   */
  async #write<Input extends ServiceInputTypes, Output extends ServiceOutputTypes>(
    operation: string,
    command: DynamoDBCommand<Input, Output>,
  ) {
    try {
      await this.send(operation, command)
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return error.Item ?? null
      throw error
    }
  }

  /** Reads an item into a record; `undefined` (with a warning for corruption) when it is not a live session. */
  #parse(id: string, item: Item | null | undefined): SessionRecord | undefined {
    if (!item) return undefined
    const { expiryName, dataName, versionName, expiryPolicyName, tableName } = this.props
    const expiresAt = Number(item[expiryName]?.N)
    const rawVersion = item[versionName]
    const version = rawVersion ? Number(rawVersion.N) : 0
    const rawPolicy = item[expiryPolicyName]
    const expiry = rawPolicy && decodeExpiry(rawPolicy.S ?? '')
    const rawData = item[dataName]
    let problem: string | undefined
    let data: SessionRecord['data'] | undefined
    if (!Number.isFinite(expiresAt)) problem = `no numeric "${expiryName}"`
    else if (!Number.isSafeInteger(version) || version < 0) problem = `no valid "${versionName}"`
    else if (rawPolicy && !expiry) problem = `unreadable "${expiryPolicyName}"`
    else if (!rawData) problem = `no "${dataName}"`
    else {
      try {
        data = this.#codec.decode(rawData)
      } catch (error) {
        // The error's name only: a decoder's message may quote the stored data (JSON.parse does).
        problem = `undecodable "${dataName}" (${error instanceof Error ? error.name : typeof error})`
      }
    }
    if (!data) {
      this.#logger.warn(`${PACKAGE_NAME}: ignoring a corrupted session item`, { tableName, problem })
      return undefined
    }
    // Expired, but TTL has not removed it yet: no session.
    return expiresAt > Math.floor(this.#now() / 1000) ? { id, data, expiresAt, version, expiry } : undefined
  }

  /** The outcome of a save or a delete whose condition failed on `item`. */
  #conflict(
    id: string,
    item: Item | null,
  ): { status: 'conflict'; current: SessionRecord } | { status: 'gone' } {
    const current = this.#parse(id, item)
    return current ? { status: 'conflict', current } : { status: 'gone' }
  }

  #item(record: SessionRecord): Item {
    const { expiryName, dataName, versionName, expiryPolicyName } = this.props
    const item: Item = {
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

  /** The table and the key of session `id`. */
  #key(id: string) {
    return { TableName: this.props.tableName, Key: sessionKey(this.props, id) }
  }

  /** A write's condition, returning the item as it is when the condition fails. */
  #condition(expression: string, names: Record<string, string>, values?: Item) {
    return {
      ConditionExpression: expression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    }
  }

  /**
   * The condition of a write that must find the item at `version` (and so never recreates a deleted one).
   * Version 0 is an item written without a version attribute (by hand, say): it must still exist.
   */
  #ifVersion(version: number) {
    const { partitionKey, versionName } = this.props
    return version
      ? this.#condition('#ver = :ver', { '#ver': versionName }, { ':ver': { N: String(version) } })
      : this.#condition('attribute_exists(#pk) AND attribute_not_exists(#ver)', {
          '#pk': partitionKey.name,
          '#ver': versionName,
        })
  }

  async load(id: string): Promise<SessionRecord | undefined> {
    if (!isSessionId(id)) return undefined
    const result = await this.send(
      'GetItem',
      new GetItemCommand({ ...this.#key(id), ConsistentRead: this.#consistentRead }),
    )
    return this.#parse(id, result.Item)
  }

  async create(record: NewSessionRecord): Promise<SessionRecord> {
    for (let attempt = 1; attempt <= this.#createAttempts; attempt++) {
      const id = this.#generateId()
      if (!isSessionId(id)) throw new SessionConfigError('generateId returned an id of the wrong shape')
      const created: SessionRecord = { ...record, id, version: 1 }
      const collided = await this.#write(
        'PutItem',
        new PutItemCommand({
          TableName: this.props.tableName,
          Item: this.#item(created),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': this.props.partitionKey.name },
        }),
      )
      if (collided === undefined) return created
      this.#logger.warn(`${PACKAGE_NAME}: session id collision, retrying with a new id`, { attempt })
    }
    throw new SessionStoreError('PutItem', `No unused session id found in ${this.#createAttempts} attempts`)
  }

  async save(record: SessionRecord): Promise<SaveResult> {
    const version = record.version + 1
    const item = this.#item({ ...record, version })
    const failed = await this.#write(
      'PutItem',
      new PutItemCommand({ TableName: this.props.tableName, Item: item, ...this.#ifVersion(record.version) }),
    )
    return failed === undefined ? { status: 'saved', version } : this.#conflict(record.id, failed)
  }

  async touch(id: string, expiresAt: number): Promise<boolean> {
    const failed = await this.#write(
      'UpdateItem',
      new UpdateItemCommand({
        ...this.#key(id),
        UpdateExpression: 'SET #exp = :exp',
        ...this.#condition(
          'attribute_exists(#pk) AND #exp < :exp',
          { '#pk': this.props.partitionKey.name, '#exp': this.props.expiryName },
          { ':exp': { N: String(expiresAt) } },
        ),
      }),
    )
    // Still there (another request already moved the expiry further): not gone.
    return failed === undefined || this.#parse(id, failed) !== undefined
  }

  async delete(id: string, expectedVersion?: number): Promise<DeleteResult> {
    const failed = await this.#write(
      'DeleteItem',
      new DeleteItemCommand({
        ...this.#key(id),
        ...(expectedVersion !== undefined && this.#ifVersion(expectedVersion)),
      }),
    )
    return failed === undefined ? { status: 'deleted' } : this.#conflict(id, failed)
  }
}
