/**
 * `dynamoSession()`: the session middleware over the AWS SDK's DynamoDB store (./middleware.ts has the
 * middleware itself; the `lite` subpath has the same over `fetch`).
 *
 * @module
 */
import type { MiddlewareObj } from '@middy/core'
import type { SessionData } from './data.ts'
import { checkStoreOptions } from './dynamodb/options.ts'
import { DynamoDBSessionStore } from './dynamodb/store.ts'
import {
  type DynamoSessionOptions,
  type SessionContext,
  type StoreMaker,
  sessionMiddleware,
} from './middleware.ts'

/** The AWS SDK's store, from the `store` options. */
const SDK_STORES: StoreMaker = {
  check: (options, path) => checkStoreOptions(options, path),
  make: (options) => new DynamoDBSessionStore(options),
}

/**
 * Server-side sessions stored in DynamoDB, as a Middy middleware.
 *
 * - `before`: reads the session cookie from any front door (HTTP API, REST API, Function URL, ALB), checks
 *   the id's shape without I/O and attaches `context.session`. Nothing is loaded yet.
 * - the handler: the first `await context.session.…` call loads the session (one GetItem).
 * - `after`: creates, saves (conditionally), touches or deletes as needed, and writes `Set-Cookie` where the
 *   front door expects it. A session that was never used costs no I/O and sends no cookie.
 * - `onError`: saves nothing unless `saveOnError` is set.
 *
 * Place it before `@middy/http-error-handler` in the `.use()` chain: Middy runs `onError` hooks in
 * reverse order, so the error handler's response then exists when the session's `onError` runs.
 *
 * @typeParam T - the shape of the session data; `context.session` is typed `Session<T>`.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { dynamoSession } from 'middy-dynamodb-session'
 *
 * type Data = { count: number }
 * export const handler = middy()
 *   .use(dynamoSession<Data>({ store: { tableName: process.env.TABLE_NAME } }))
 *   .handler(async (event, context) => {
 *     const count = ((await context.session.get('count')) ?? 0) + 1
 *     await context.session.set('count', count)
 *     return { statusCode: 200, body: JSON.stringify({ count }) }
 *   })
 * ```
 */
export function dynamoSession<T extends object = SessionData>(
  options: DynamoSessionOptions = {},
): MiddlewareObj<unknown, unknown, Error, SessionContext<T>> {
  return sessionMiddleware<T>(options, SDK_STORES)
}
