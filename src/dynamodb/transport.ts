/**
 * The seam between a DynamoDB store and the wire: a transport sends one request of DynamoDB's JSON
 * protocol and answers with its output. The AWS SDK v3 is the default transport (./store.ts); the
 * `lite` subpath gives one over `node:http` (../lite/http-transport.ts). No AWS SDK at run time here.
 *
 * @module
 */

/**
 * The DynamoDB operations a store sends.
 *
 * @example
 * ```ts
 * const operation: DynamoDBOperation = 'GetItem'
 * ```
 */
export type DynamoDBOperation =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'TransactWriteItems'
  | 'BatchGetItem'
  | 'BatchWriteItem'
  | 'Query'
  | 'Scan'

/**
 * What a transport answers: the operation's output, in the SDK's shapes (binary values as `Uint8Array`),
 * and how many times it sent the request (its retries included).
 *
 * @example
 * ```ts
 * const reply: DynamoDBReply = { output: { Item: { session_id: { S: 'x' } } }, attempts: 1 }
 * ```
 */
export interface DynamoDBReply {
  readonly output: Record<string, unknown>
  readonly attempts: number
}

/**
 * Sends DynamoDB requests for a store. `input` is the operation's input in the SDK's shapes (attribute
 * values as `{ S: 'x' }`, binary as `Uint8Array`). A transport retries what DynamoDB says may be retried
 * (throttling, 5xx, a connection lost before the reply) as the SDK does, and gives up when `signal`
 * aborts. It rejects with an `Error` whose `name` is DynamoDB's error name, as the SDK's exceptions are
 * named: a refused condition (`ConditionalCheckFailedException`) carries the item as `Item`, a cancelled
 * transaction (`TransactionCanceledException`) its `CancellationReasons`, and every error
 * `$metadata.attempts`.
 *
 * @example
 * ```ts
 * const counting: DynamoDBTransport = {
 *   send: (operation, input, signal) => {
 *     console.log(operation)
 *     return inner.send(operation, input, signal)
 *   },
 * }
 * ```
 */
export interface DynamoDBTransport {
  /** Sends `input` as `operation`, until answered, refused for good, out of attempts, or `signal` aborts. */
  send(
    operation: DynamoDBOperation,
    input: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<DynamoDBReply>
}
