/**
 * The session in a Powertools HTTP router (`@aws-lambda-powertools/event-handler/http`) resolved inside a
 * `middy()` chain with `dynamoSession()`: the router's routes read it from their request context, typed.
 *
 * @module
 */
import type { Context } from 'aws-lambda'
import type { SessionData } from '../data.ts'
import { SessionConfigError } from '../errors.ts'
import type { SessionContext } from '../middleware.ts'
import type { Session } from '../session.ts'

/**
 * The session of a Powertools router route, from its request context (`reqCtx`): the one
 * `dynamoSession<T>()` attached to the Lambda context the router was resolved with. Throws
 * {@link SessionConfigError} when the router was resolved outside such a chain.
 *
 * @typeParam T - the shape of the session data, as given to `dynamoSession<T>()`.
 *
 * @example
 * ```ts
 * import { Router } from '@aws-lambda-powertools/event-handler/http'
 *
 * const app = new Router()
 * app.get('/count', async (reqCtx) => {
 *   const session = routerSession<{ count: number }>(reqCtx)
 *   const count = ((await session.get('count')) ?? 0) + 1
 *   await session.set('count', count)
 *   return { count }
 * })
 * export const handler = middy()
 *   .use(dynamoSession<{ count: number }>())
 *   .handler((event: unknown, context: Context) => app.resolve(event, context))
 * ```
 */
export function routerSession<T extends object = SessionData>(reqCtx: {
  readonly context: Context
}): Session<T> {
  const { session } = reqCtx.context as Partial<SessionContext<T>>
  if (!session) {
    throw new SessionConfigError(
      'routerSession() needs the router resolved inside a middy() chain that uses dynamoSession()',
    )
  }
  return session
}
