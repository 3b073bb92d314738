import {
  type $Command,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  type DynamoDBClientResolvedConfig,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { DynamoDBStoreBase } from './base-store.ts'
import { checkStoreOptions, type DynamoDBSessionStoreOptions } from './options.ts'
import type { DynamoDBOperation, DynamoDBReply } from './transport.ts'

export { DYNAMODB_ITEM_LIMIT } from './base-store.ts'

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

/** The SDK command of each operation a store sends. */
// biome-ignore lint/suspicious/noExplicitAny: each command takes its own input; the transport's is checked by DynamoDB.
const COMMANDS: Record<DynamoDBOperation, new (input: any) => object> = {
  GetItem: GetItemCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
  TransactWriteItems: TransactWriteItemsCommand,
  BatchGetItem: BatchGetItemCommand,
  BatchWriteItem: BatchWriteItemCommand,
  Query: QueryCommand,
  Scan: ScanCommand,
}

export { MAX_IN_PLACE_KEYS, MAX_SUCCESSORS, SUCCESSOR_SECONDS, storedAfter } from '../store/engine.ts'

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
export class DynamoDBSessionStore extends DynamoDBStoreBase {
  readonly #client: DynamoDBClient | undefined

  constructor(options: DynamoDBSessionStoreOptions = {}) {
    checkStoreOptions(options)
    super(options, (store) => ({
      send: (operation, input, signal) =>
        (store as DynamoDBSessionStore).#sendCommand(new COMMANDS[operation](input) as never, signal),
    }))
    this.#client = options.client
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

  async #sendCommand(command: DynamoDBCommand<never, never>, signal: AbortSignal): Promise<DynamoDBReply> {
    const output = (await this.client.send(command, { abortSignal: signal })) as Record<string, unknown> & {
      $metadata?: { attempts?: number }
    }
    return { output, attempts: output.$metadata?.attempts ?? 1 }
  }

  /**
   * Sends one command with {@link DynamoDBSessionStore.client} within `timeoutMs`, as
   * {@link DynamoDBStoreBase.request} sends a request: a failure (after the SDK's retries) becomes a
   * {@link SessionStoreError} naming `operation`, with the SDK error as `cause`; DynamoDB's item size
   * refusal becomes a {@link SessionTooLargeError}; a failed condition (`ConditionalCheckFailedException`,
   * `TransactionCanceledException`) is thrown as it is.
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
    const input = command.input as Record<string, unknown> | undefined
    const output = await this.dispatch(operation, input, (signal) =>
      this.#sendCommand(command as never, signal),
    )
    return output as Output
  }
}
