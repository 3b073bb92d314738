/**
 * `dynamoSession()` of the `lite` subpath: the same middleware as the root entry's, whose default store
 * is a {@link LiteSessionStore}.
 *
 * @module
 */
import type { MiddlewareObj } from '@middy/core'
import type { SessionData } from '../data.ts'
import { SessionConfigError } from '../errors.ts'
import {
  type DynamoSessionOptions,
  type SessionContext,
  type StoreMaker,
  sessionMiddleware,
} from '../middleware.ts'
import type { SessionStore } from '../store/types.ts'
import { checkLiteStoreOptions, LiteSessionStore, type LiteSessionStoreOptions } from './store.ts'

/**
 * Options of the `lite` subpath's `dynamoSession()`: the root's, with `store` the options of a
 * {@link LiteSessionStore} (or a store of your own), and no SDK `client`.
 *
 * @example
 * ```ts
 * const options: LiteSessionOptions = { store: { tableName: 'Sessions', timeoutMs: 2000 } }
 * ```
 */
export type LiteSessionOptions = Omit<DynamoSessionOptions, 'store' | 'client'> & {
  /** The table layout, read and transport options ({@link LiteSessionStoreOptions}), or a store of your own. */
  store?: LiteSessionStoreOptions | SessionStore | undefined
}

const LITE_STORES: StoreMaker = {
  check: checkLiteStoreOptions,
  make: ({ client: _client, ...options }) => new LiteSessionStore(options as LiteSessionStoreOptions),
}

/**
 * Server-side sessions stored in DynamoDB, as a Middy middleware, without the AWS SDK: what the root
 * entry's `dynamoSession()` does, with a {@link LiteSessionStore} made from `store`'s options.
 *
 * @typeParam T - the shape of the session data; `context.session` is typed `Session<T>`.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { dynamoSession } from 'middy-dynamodb-session/lite'
 *
 * export const handler = middy()
 *   .use(dynamoSession<{ count: number }>({ store: { tableName: process.env.TABLE_NAME } }))
 *   .handler(async (_event, context) => {
 *     const count = ((await context.session.get('count')) ?? 0) + 1
 *     await context.session.set('count', count)
 *     return { statusCode: 200, body: String(count) }
 *   })
 * ```
 */
export function dynamoSession<T extends object = SessionData>(
  options: LiteSessionOptions = {},
): MiddlewareObj<unknown, unknown, Error, SessionContext<T>> {
  if ((options as { client?: unknown }).client !== undefined) {
    throw new SessionConfigError(
      'client is an AWS SDK client: the lite store sends without the SDK (give store: { region, endpoint, credentials })',
    )
  }
  return sessionMiddleware<T>(options as DynamoSessionOptions, LITE_STORES)
}
