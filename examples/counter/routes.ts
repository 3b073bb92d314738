/**
 * The counter's routes, kept apart from the Lambda wiring so they read (and test) on their own.
 * They work for every front door the middleware supports: HTTP API and Function URL (payload 2.0),
 * REST API (1.0) and ALB.
 */
import { counterPage } from './page.ts'

/** The part of the session the routes use; `Session<{ count: number }>` fits it. */
export interface CounterSession {
  get(key: 'count'): Promise<number | undefined>
  set(key: 'count', value: number): Promise<void>
  destroy(): Promise<void>
}

export interface CounterResponse {
  statusCode: number
  headers: Record<string, string>
  body: string
}

export interface CounterRequest {
  method: string
  /** The path inside the API: without a named stage's `/stage` prefix. */
  path: string
  /** Whether the client asked for HTML (a browser's form post), from `Accept`. */
  acceptsHtml: boolean
}

type AnyHttpEvent = {
  rawPath?: string
  path?: string
  httpMethod?: string
  requestContext?: { http?: { method?: string }; stage?: string }
  headers?: Record<string, string | undefined> | null
  multiValueHeaders?: Record<string, string[] | undefined> | null
}

/** All values of a header, whatever the case of its name and wherever the front door put it. */
function header(event: AnyHttpEvent, name: string): string {
  const values: string[] = []
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name && value !== undefined) values.push(value)
  }
  for (const [key, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === name && list) values.push(...list)
  }
  return values.join(',')
}

/**
 * Method and path of any HTTP event.
 *
 * @example
 * readCounterRequest({ rawPath: '/prod/api/peek', requestContext: { stage: 'prod', http: { method: 'GET' } } })
 * // { method: 'GET', path: '/api/peek', acceptsHtml: false }
 */
export function readCounterRequest(input: unknown): CounterRequest {
  const event = (input ?? {}) as AnyHttpEvent
  const method = (event.requestContext?.http?.method ?? event.httpMethod ?? 'GET').toUpperCase()
  let path = event.rawPath ?? event.path ?? '/'
  // Payload 2.0 keeps a named stage in rawPath (/prod/api/count); the $default stage adds nothing.
  const stage = event.requestContext?.stage
  if (event.rawPath !== undefined && stage && stage !== '$default') {
    if (path === `/${stage}`) path = '/'
    else if (path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1)
  }
  return { method, path, acceptsHtml: header(event, 'accept').includes('text/html') }
}

const noStore = { 'cache-control': 'no-store' }

function json(value: unknown): CounterResponse {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', ...noStore },
    body: JSON.stringify(value),
  }
}

function text(statusCode: number, body: string): CounterResponse {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8', ...noStore }, body }
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
): Promise<CounterResponse> {
  const route = `${request.method} ${request.path}`
  switch (route) {
    case 'GET /': {
      const count = await increment(session)
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', ...noStore },
        body: counterPage(count),
      }
    }
    case 'GET /api/count':
      return json({ count: await increment(session) })
    case 'GET /api/peek':
      return json({ count: (await session.get('count')) ?? 0 })
    case 'GET /health':
      return text(200, 'ok')
    case 'POST /reset':
      await session.destroy()
      if (request.acceptsHtml) {
        // Relative, so it lands on the page under any stage prefix.
        return { statusCode: 303, headers: { location: './', ...noStore }, body: '' }
      }
      return json({ count: 0 })
    default:
      return text(404, 'Not Found')
  }
}
