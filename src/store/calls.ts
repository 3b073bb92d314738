/**
 * The scope a request's store operations run in when it observes them (`audit.observe`): the tables
 * (DynamoDB's, and the test kit's memory table) report each call there, and ask DynamoDB for the
 * capacity it consumed only then. Without an observer nothing is reported, and nothing asked.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { SessionStore } from './types.ts'

/**
 * One call of the table (a DynamoDB operation, or its equivalent on the memory table), made.
 *
 * @example
 * ```ts
 * const call: StoreCall = { operation: 'GetItem', ms: 3.2, attempts: 1, capacity: 0.5 }
 * ```
 */
export interface StoreCall {
  /** The DynamoDB operation (`GetItem`, `UpdateItem`, `TransactWriteItems`...). */
  readonly operation: string
  /** How long it took, retries included, in milliseconds. */
  readonly ms: number
  /** How many times the SDK sent it (1 when it was not retried). */
  readonly attempts: number
  /** The capacity units it consumed, when DynamoDB said (a refused condition does not say). */
  readonly capacity?: number | undefined
  /** Why it did not succeed: `condition` (refused by its condition), or the error's name. */
  readonly reason?: string | undefined
}

/**
 * How a request observes its store: given the store and where its calls go, the store the request
 * uses instead (each operation run in a scope where the store reports its calls to `report`, in a span...). Made by
 * `storeObserver()` of the `/powertools` subpath.
 *
 * @example
 * ```ts
 * const observe: StoreObserver = (store, report) => store // observes nothing
 * ```
 */
export type StoreObserver = (store: SessionStore, report: (call: StoreCall) => void) => SessionStore

/**
 * Where the calls of the store operation running now are reported, if anywhere.
 *
 * @example
 * ```ts
 * await storeCalls.run((call) => console.log(call.operation), () => store.load(id))
 * ```
 */
export const storeCalls = new AsyncLocalStorage<(call: StoreCall) => void>()
