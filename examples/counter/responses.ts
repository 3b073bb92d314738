/** The few kinds of response the counter's routes send. None may be cached: they depend on the session. */

export interface CounterResponse {
  statusCode: number
  headers: Record<string, string>
  body: string
}

const noStore = { 'cache-control': 'no-store' }

export function json(value: unknown, statusCode = 200): CounterResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...noStore },
    body: JSON.stringify(value),
  }
}

export function text(statusCode: number, body: string): CounterResponse {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8', ...noStore }, body }
}

export function html(body: string): CounterResponse {
  return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', ...noStore }, body }
}

/**
 * `303 See Other` back to the page after a browser's form post to `path`. The location is relative
 * (`./` from `/reset`, `../../` from `/sessions/x/end`), so it lands on the page under any stage prefix.
 *
 * @example
 * backToPage('/sessions/end-others').headers.location // '../'
 */
export function backToPage(path: string): CounterResponse {
  const depth = path.split('/').length - 2
  return {
    statusCode: 303,
    headers: { location: depth > 0 ? '../'.repeat(depth) : './', ...noStore },
    body: '',
  }
}
