/**
 * The routes of the global-table examples (../mrsc, ../mrec), over whichever session middleware each
 * gives: `GET /` counts visits, `POST /login` starts a new session id with the same data (what a sign-in
 * does), `POST /logout` ends the session.
 */
import middy, { type MiddlewareObj } from '@middy/core'
import type { SessionContext } from '../../src/index.ts'

/** What a visit stores. */
export type VisitsData = { count: number }

/** The visits handler, over `sessions` (a `dynamoSession<VisitsData>()`). */
export function visitsHandler(sessions: MiddlewareObj<unknown, unknown, Error, SessionContext<VisitsData>>) {
  return middy()
    .use(sessions)
    .handler(async (event, context) => {
      const { session } = context
      const { method, path } = (event as { requestContext: { http: { method: string; path: string } } })
        .requestContext.http
      if (method === 'POST' && path === '/login') {
        await session.regenerate()
        return { statusCode: 204 }
      }
      if (method === 'POST' && path === '/logout') {
        await session.destroy()
        return { statusCode: 204 }
      }
      const count = ((await session.get('count')) ?? 0) + 1
      await session.set('count', count)
      return { statusCode: 200, body: JSON.stringify({ count }) }
    })
}
