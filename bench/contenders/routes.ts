/**
 * The bench's routes, shared by the Middy contenders (the Express contender has the same four in Express
 * style):
 * - `GET /api/count`: increments the session's count (a write);
 * - `GET /api/peek`: reads the count (read only);
 * - `POST /api/seen`: records when the client was last seen, without reading the session (a blind write);
 * - `GET /health`: never touches the session;
 * - `POST /logout`: destroys the session.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda'

export const PATHS = {
  count: '/api/count',
  peek: '/api/peek',
  seen: '/api/seen',
  health: '/health',
  logout: '/logout',
} as const

/** The part of `Session<{ count: number }>` the routes use. */
export interface CountSession {
  get(key: 'count'): Promise<number | undefined>
  set(key: 'count' | 'seen', value: number): Promise<void>
  destroy(): Promise<void>
}

/** A session that keeps nothing: the routes of the no-session contender. */
export const noSession: CountSession = {
  get: async () => undefined,
  set: async () => undefined,
  destroy: async () => undefined,
}

function json(value: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) }
}

export async function route(
  event: unknown,
  session: CountSession,
): Promise<APIGatewayProxyStructuredResultV2> {
  const { rawPath, requestContext } = event as {
    rawPath: string
    requestContext: { http: { method: string } }
  }
  const key = `${requestContext.http.method} ${rawPath}`
  switch (key) {
    case `GET ${PATHS.count}`: {
      const count = ((await session.get('count')) ?? 0) + 1
      await session.set('count', count)
      return json({ count })
    }
    case `GET ${PATHS.peek}`:
      return json({ count: (await session.get('count')) ?? 0 })
    case `POST ${PATHS.seen}`:
      await session.set('seen', Date.now())
      return json({})
    case `GET ${PATHS.health}`:
      return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' }
    case `POST ${PATHS.logout}`:
      await session.destroy()
      return json({ count: 0 })
    default:
      return { statusCode: 404, body: 'Not Found' }
  }
}
