import {
  type $Command,
  ConditionalCheckFailedException,
  DynamoDBClient,
  type DynamoDBClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb'
import { SessionStoreError, SessionTooLargeError } from '../errors.ts'
import { silentLogger } from '../logger.ts'
import { storeCalls } from '../store/calls.ts'
import { formatOf } from '../store/engine.ts'
import { EngineStore } from '../store/engine-store.ts'
import { ITEM_LIMIT } from '../store/item-layout.ts'
import { type ResolvedStoreProps, resolveStoreProps } from '../store/props.ts'
import { errorName, failureMessage, isReplicatedConflict } from './failure.ts'
import { checkStoreOptions, type DynamoDBSessionStoreOptions } from './options.ts'
import { DynamoDBTable } from './table.ts'

/**
 * DynamoDB's item size limit, in bytes.
 *
 * @example
 * ```ts
 * if (error instanceof SessionTooLargeError) console.log(error.size, 'of', DYNAMODB_ITEM_LIMIT)
 * ```
 */
export const DYNAMODB_ITEM_LIMIT = ITEM_LIMIT

export type { DynamoDBSessionStoreOptions } from './options.ts'

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

let sharedClient: DynamoDBClient | undefined

export { MAX_IN_PLACE_KEYS, MAX_SUCCESSORS, SUCCESSOR_SECONDS, storedAfter } from '../store/engine.ts'

/** The default of {@link DynamoDBSessionStoreOptions.timeoutMs}. */
const DEFAULT_TIMEOUT_MS = 5_000

/**
 * Sessions in a DynamoDB table. Usable on its own (admin scripts, other frameworks) as well as behind
 * {@link dynamoSession}.
 *
 * How it writes (all conditional, all retried safely by the SDK):
 * - a new session: one `PutItem` that must not find an item (a fresh id on a collision);
 * - a change with the default native map codec: one `UpdateItem` of just the changed keys, conditional on
 *   each of them still holding what the request loaded, so requests that change different keys never
 *   conflict; other codecs, `clear()` and more than 50 keys write the whole item, conditional on the
 *   version, and re-base onto concurrent changes of other keys;
 * - `regenerate()`: one `TransactWriteItems` that writes the new item and replaces the old one, if
 *   unchanged, by a short-lived item naming the new id;
 * - a touch: one `UpdateItem` of `expire_at`, only if the session is unchanged;
 * - `destroy()`: one `DeleteItem` (plus one per successor of a regenerated session).
 *
 * Every write carries a random token recorded in the item for a minute, so a write whose reply was lost
 * recognises itself when the SDK retries it.
 *
 * @example
 * ```ts
 * const store = new DynamoDBSessionStore({ tableName: 'Sessions' })
 * const created = await store.create({ data: { userId: 'u-1' }, expiresAt: Math.floor(Date.now() / 1000) + 3600 })
 * const loaded = await store.load(created.id)
 * await store.destroy(created.id)
 * ```
 */
export class DynamoDBSessionStore extends EngineStore {
  /** The resolved table layout. */
  readonly props: ResolvedStoreProps
  readonly #client: DynamoDBClient | undefined
  readonly #timeoutMs: number

  constructor(options: DynamoDBSessionStoreOptions = {}) {
    checkStoreOptions(options)
    const props = resolveStoreProps(options)
    super(
      (store) =>
        new DynamoDBTable(props.tableName, (operation, command) =>
          (store as DynamoDBSessionStore).send(operation, command as never),
        ),
      {
        props,
        format: formatOf(options),
        logger: options.logger ?? silentLogger,
        now: options.now ?? Date.now,
        generateId: options.generateId,
        createAttempts: options.createAttempts,
        maxConflictRetries: options.maxConflictRetries,
        consistentRead: options.consistentRead,
        users: options.users,
      },
    )
    this.props = props
    this.#client = options.client
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
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
   * (`ConditionalCheckFailedException`, `TransactionCanceledException`) is thrown as it is.
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
    // The table the command names (a transaction names several: then this store's).
    const named = (command.input as { TableName?: unknown } | undefined)?.TableName
    const table = typeof named === 'string' ? named : this.props.tableName
    const timeout = AbortSignal.timeout(ms)
    const listener = storeCalls.getStore()
    // Asked for only when a request reports its calls, of the operations that have it (items, batches, queries).
    if (listener && /Item|Query|Scan/.test(operation)) {
      ;(command.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL'
    }
    const started = performance.now()
    const report = (reply: unknown, reason?: string) => {
      const { $metadata, ConsumedCapacity } = (reply ?? {}) as {
        $metadata?: { attempts?: number }
        ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[]
      }
      const consumed = ConsumedCapacity && [ConsumedCapacity].flat()
      listener?.({
        operation,
        ms: performance.now() - started,
        attempts: $metadata?.attempts ?? 1,
        capacity: consumed?.reduce((sum, table) => sum + (table.CapacityUnits ?? 0), 0),
        reason,
      })
    }
    try {
      const output = await this.client.send(command, { abortSignal: timeout })
      report(output)
      return output
    } catch (error) {
      const refused =
        error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException
      report(error, refused ? 'condition' : errorName(error))
      // A write another Region made at the same moment: the table sends it again (dynamodb/table.ts).
      if (refused || isReplicatedConflict(error)) throw error
      const name = errorName(error)
      if (timeout.aborted) {
        throw new SessionStoreError(
          operation,
          `DynamoDB ${operation} on table "${table}" timed out after ${ms} ms`,
          {
            cause: error,
          },
        )
      }
      if (name === 'ValidationException' && /item size/i.test(String((error as Error).message))) {
        throw new SessionTooLargeError(DYNAMODB_ITEM_LIMIT + 1, DYNAMODB_ITEM_LIMIT)
      }
      throw new SessionStoreError(operation, failureMessage(operation, error, table), {
        cause: error,
      })
    }
  }
}
