/**
 * What every DynamoDB store shares, whatever its transport: the engine over the DynamoDB table port, and
 * each request sent within the store's time limit, reported to a request that observes its calls, and its
 * failure turned into an error a developer can act on. No AWS SDK at run time: the SDK store
 * (./store.ts) and the `lite` subpath's store (../lite/store.ts) add their transports.
 *
 * @module
 */
import { SessionStoreError, SessionTooLargeError } from '../errors.ts'
import { silentLogger } from '../logger.ts'
import { storeCalls } from '../store/calls.ts'
import { formatOf } from '../store/engine.ts'
import { EngineStore } from '../store/engine-store.ts'
import { ITEM_LIMIT } from '../store/item-layout.ts'
import { type ResolvedStoreProps, resolveStoreProps } from '../store/props.ts'
import { errorName, failureMessage, isReplicatedConflict } from './failure.ts'
import type { DynamoDBBaseOptions } from './options.ts'
import { DynamoDBTable } from './table.ts'
import type { DynamoDBOperation, DynamoDBReply, DynamoDBTransport } from './transport.ts'

/**
 * DynamoDB's item size limit, in bytes.
 *
 * @example
 * ```ts
 * if (error instanceof SessionTooLargeError) console.log(error.size, 'of', DYNAMODB_ITEM_LIMIT)
 * ```
 */
export const DYNAMODB_ITEM_LIMIT = ITEM_LIMIT

/** The default of {@link DynamoDBBaseOptions.timeoutMs}. */
const DEFAULT_TIMEOUT_MS = 5_000

/** A refused condition, which the table reads: thrown as the transport gave it. */
const REFUSED = new Set(['ConditionalCheckFailedException', 'TransactionCanceledException'])

/**
 * Sessions in a DynamoDB table, over a {@link DynamoDBTransport}: the base of `DynamoDBSessionStore`
 * (the AWS SDK) and of the `lite` subpath's `LiteSessionStore` (`node:https`, signed by `aws4`).
 *
 * @example
 * ```ts
 * class LoggedStore extends DynamoDBStoreBase {
 *   constructor(transport: DynamoDBTransport) {
 *     super({ tableName: 'Sessions' }, () => transport)
 *   }
 * }
 * ```
 */
export class DynamoDBStoreBase extends EngineStore {
  /** The resolved table layout. */
  readonly props: ResolvedStoreProps
  readonly #timeoutMs: number
  readonly #transport: DynamoDBTransport

  /**
   * `transport` makes this store's transport, once, given the store (whose own fields, such as the SDK
   * store's client, its `send` may read when called).
   */
  constructor(options: DynamoDBBaseOptions, transport: (store: DynamoDBStoreBase) => DynamoDBTransport) {
    const props = resolveStoreProps(options)
    super(
      (store) => {
        const table = new DynamoDBTable(props.tableName, (operation, input) =>
          (store as DynamoDBStoreBase).request(operation, input),
        )
        return options.homeRegions ? options.homeRegions.wrap(table, props) : table
      },
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
        transactions: options.transactions,
      },
    )
    this.props = props
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#transport = transport(this)
  }

  /**
   * Sends one request in DynamoDB's JSON shapes through this store's transport, within `timeoutMs`. A
   * failure (after the transport's retries) becomes a {@link SessionStoreError} naming `operation`, with
   * the transport's error as `cause`; DynamoDB's item size refusal becomes a {@link SessionTooLargeError};
   * a refused condition (`ConditionalCheckFailedException`, `TransactionCanceledException`) is thrown as
   * it is.
   *
   * @example
   * ```ts
   * const { Items } = await store.request('Scan', { TableName: store.props.tableName, Limit: 10 })
   * ```
   */
  request(operation: DynamoDBOperation, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.dispatch(operation, input, (signal) => this.#transport.send(operation, input, signal))
  }

  /**
   * Runs `send` (one request of `operation` with `input`) under the store's time limit, reporting it to a
   * request that observes its calls, with its failure mapped as {@link DynamoDBStoreBase.request} says.
   *
   * @internal
   */
  protected async dispatch(
    operation: string,
    input: Record<string, unknown> | undefined,
    send: (signal: AbortSignal) => Promise<DynamoDBReply>,
  ): Promise<Record<string, unknown>> {
    const ms = this.#timeoutMs
    // The table the request names (a transaction names several: then this store's).
    const named = input?.TableName
    const table = typeof named === 'string' ? named : this.props.tableName
    // A timer cleared once answered (not `AbortSignal.timeout`: its timer would still fire, and build its
    // error, seconds after every call that was answered).
    const limit = new AbortController()
    const timer = setTimeout(() => limit.abort(), ms)
    const { signal: timeout } = limit
    const listener = storeCalls.getStore()
    // Asked for only when a request reports its calls, of the operations that have it (items, batches, queries).
    if (listener && input && /Item|Query|Scan/.test(operation)) input.ReturnConsumedCapacity = 'TOTAL'
    const started = performance.now()
    const report = (attempts: unknown, consumed: unknown, reason?: string) => {
      const capacity = consumed ? [consumed as { CapacityUnits?: number }].flat() : undefined
      listener?.({
        operation,
        ms: performance.now() - started,
        attempts: typeof attempts === 'number' ? attempts : 1,
        capacity: capacity?.reduce((sum, t) => sum + (t.CapacityUnits ?? 0), 0),
        reason,
      })
    }
    try {
      const { output, attempts } = await send(timeout)
      report(attempts, output.ConsumedCapacity)
      return output
    } catch (error) {
      const name = errorName(error)
      const refused = REFUSED.has(name)
      const { $metadata } = error as { $metadata?: { attempts?: number } }
      report($metadata?.attempts, undefined, refused ? 'condition' : name)
      // A write another Region made at the same moment: the table sends it again (./table.ts).
      if (refused || isReplicatedConflict(error)) throw error
      if (timeout.aborted) {
        const message = `DynamoDB ${operation} on table "${table}" timed out after ${ms} ms`
        throw new SessionStoreError(operation, message, { cause: error })
      }
      if (name === 'ValidationException' && /item size/i.test(String((error as Error).message))) {
        throw new SessionTooLargeError(ITEM_LIMIT + 1, ITEM_LIMIT)
      }
      throw new SessionStoreError(operation, failureMessage(operation, error, table), { cause: error })
    } finally {
      clearTimeout(timer)
    }
  }
}
