/**
 * The counter's routes, kept apart from the Lambda wiring so they read (and test) on their own.
 * They work for every front door the middleware supports: HTTP API and Function URL (payload 2.0),
 * REST API (1.0) and ALB.
 */
import { counterPage } from './page.ts'
import type { CounterRequest } from './request.ts'
import { backToPage, type CounterResponse, html, json, text } from './responses.ts'

export type { CounterRequest } from './request.ts'
export { readCounterRequest } from './request.ts'
export type { CounterResponse } from './responses.ts'

/** The part of the session the routes use; `Session<{ count: number }>` fits it. */
export interface CounterSession {
  get(key: 'count'): Promise<number | undefined>
  set(key: 'count', value: number): Promise<void>
  destroy(): Promise<void>
}

export interface CounterRouteOptions {
  /** HTML the page shows below the count (the sign-in demo's section), made after the count went up. */
  pageSection?: () => Promise<string>
}

async function increment(session: CounterSession): Promise<number> {
  const count = ((await session.get('count')) ?? 0) + 1
  await session.set('count', count)
  return count
}

/**
 * Routes one request. Only the routes that need the session touch it: `/health`, 404s (such as the
 * `/favicon.ico` every browser asks for) and `/api/peek` for a new visitor cost no DynamoDB call and
 * set no cookie.
 *
 * - `GET /`: HTML page, increments the count
 * - `GET /api/count`: `{"count":N}`, increments the count
 * - `GET /api/peek`: `{"count":N}`, reads only (0 for a new visitor)
 * - `GET /health`: `ok`
 * - `POST /reset`: destroys the session; `303 See Other` back to the page when the client accepts HTML
 *   (a form post), else `200 {"count":0}`
 * - anything else: `404 Not Found`
 */
export async function routeCounter(
  request: CounterRequest,
  session: CounterSession,
  options: CounterRouteOptions = {},
): Promise<CounterResponse> {
  const route = `${request.method} ${request.path}`
  switch (route) {
    case 'GET /': {
      const count = await increment(session)
      return html(counterPage(count, (await options.pageSection?.()) ?? ''))
    }
    case 'GET /api/count':
      return json({ count: await increment(session) })
    case 'GET /api/peek':
      return json({ count: (await session.get('count')) ?? 0 })
    case 'GET /health':
      return text(200, 'ok')
    case 'POST /reset':
      await session.destroy()
      return request.acceptsHtml ? backToPage(request.path) : json({ count: 0 })
    default:
      return text(404, 'Not Found')
  }
}
