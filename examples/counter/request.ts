/**
 * Reads what the counter's routes need from an HTTP event of any front door the middleware supports:
 * HTTP API and Function URL (payload 2.0), REST API (1.0) and ALB.
 */

export interface CounterRequest {
  method: string
  /** The path inside the API: without a named stage's `/stage` prefix. */
  path: string
  /** Whether the client asked for HTML (a browser's form post), from `Accept`. */
  acceptsHtml: boolean
  /** The `User-Agent` header, `''` without one. */
  userAgent: string
  /** The string fields of a form (`application/x-www-form-urlencoded`) or JSON object body. */
  fields: Readonly<Record<string, string>>
}

type AnyHttpEvent = {
  rawPath?: string
  path?: string
  httpMethod?: string
  requestContext?: { http?: { method?: string }; stage?: string }
  headers?: Record<string, string | undefined> | null
  multiValueHeaders?: Record<string, string[] | undefined> | null
  body?: string | null
  isBase64Encoded?: boolean
}

/** All values of a header, whatever the case of its name and wherever the front door put it. */
function headerValues(event: AnyHttpEvent, name: string): string[] {
  const values: string[] = []
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name && value !== undefined) values.push(value)
  }
  for (const [key, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === name && list) values.push(...list)
  }
  return values
}

/** A form's or a JSON object's string fields; anything else (no body, bad JSON, other types) has none. */
function readFields(event: AnyHttpEvent): Record<string, string> {
  if (!event.body) return {}
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body
  const type = (headerValues(event, 'content-type')[0] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text))
  if (type !== 'application/json') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return {}
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
  return Object.fromEntries(Object.entries(value).filter(([, field]) => typeof field === 'string'))
}

/**
 * Method, path, `Accept`, `User-Agent` and body fields of any HTTP event.
 *
 * @example
 * readCounterRequest({ rawPath: '/prod/api/peek', requestContext: { stage: 'prod', http: { method: 'GET' } } })
 * // { method: 'GET', path: '/api/peek', acceptsHtml: false, userAgent: '', fields: {} }
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
  return {
    method,
    path,
    acceptsHtml: headerValues(event, 'accept').join(',').includes('text/html'),
    userAgent: headerValues(event, 'user-agent')[0] ?? '',
    fields: readFields(event),
  }
}
