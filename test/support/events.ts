/**
 * Lambda events per AWS front door, for tests. Each factory starts from the first-visit sample in
 * `events/` (so tests and `sam local invoke -e` use the same shapes) and puts a cookie header where
 * that front door carries it.
 *
 * @example
 * ```ts
 * import { frontDoorEvents } from '../support/events.ts'
 * for (const { frontDoor, event } of frontDoorEvents) {
 *   const e = event({ cookieHeader: 'id=q3Jz0m2b4uWk1yC8XvQ9dNfH7sLpTa-_; theme=dark' })
 * }
 * ```
 */
import type { ALBEvent, APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda'
import albSample from '../../events/alb-first-visit.json' with { type: 'json' }
import albMultiValueSample from '../../events/alb-multi-value-first-visit.json' with { type: 'json' }
import functionUrlSample from '../../events/function-url-first-visit.json' with { type: 'json' }
import httpApiV2Sample from '../../events/http-api-v2-first-visit.json' with { type: 'json' }
import restApiV1Sample from '../../events/rest-api-v1-first-visit.json' with { type: 'json' }
import { cookiesArrayFrom } from '../../scripts/http-to-lambda.ts'
import type { FrontDoor } from '../../src/http/front-door.ts'

/** The session id the `*-return-visit.json` and `*-other-cookies.json` samples carry (cookie `id`). */
export const SAMPLE_SESSION_ID = 'q3Jz0m2b4uWk1yC8XvQ9dNfH7sLpTa-_'

/** What to change in a sample event. Everything is optional: no option gives the first-visit sample. */
export interface EventOptions {
  /**
   * A `Cookie` request header as a browser sends it (`'theme=dark; id=...'`). Payload 2.0 events get it
   * split on `;` into `cookies` (as API Gateway does); REST API and ALB events get it as the `Cookie`
   * header (`headers` and/or `multiValueHeaders`, as that door sends headers).
   */
  cookieHeader?: string
  /** Payload 2.0 only: the `cookies` array as is (wins over `cookieHeader`). Ignored by other doors. */
  cookies?: string[]
  /** The request path, `/api/count` by default. */
  path?: string
  /** The HTTP method, `GET` by default. */
  method?: string
  /** Extra request headers, added with the case given (and as one-item lists where the door uses them). */
  headers?: Record<string, string>
  /** A request body. */
  body?: string
}

/** Any of the events the factories build. */
export type HttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent | ALBEvent

function clone<T>(sample: unknown): T {
  return structuredClone(sample) as T
}

function payloadV2Event(sample: unknown, options: EventOptions): APIGatewayProxyEventV2 {
  const event = clone<APIGatewayProxyEventV2>(sample)
  const path = options.path ?? event.rawPath
  event.rawPath = path
  event.requestContext.http.path = path
  event.requestContext.http.method = options.method ?? event.requestContext.http.method
  if (event.pathParameters?.proxy !== undefined) {
    // The HTTP API sample comes through template.yaml's `ANY /{proxy+}` route; `/` has its own `GET /`.
    if (path === '/') {
      event.routeKey = 'GET /'
      event.requestContext.routeKey = 'GET /'
      delete event.pathParameters
    } else {
      event.pathParameters.proxy = path.replace(/^\//, '')
    }
  }
  const cookies =
    options.cookies ??
    (options.cookieHeader === undefined ? undefined : cookiesArrayFrom(options.cookieHeader))
  if (cookies !== undefined) event.cookies = cookies
  Object.assign(event.headers, options.headers)
  if (options.body !== undefined) event.body = options.body
  return event
}

/** An API Gateway HTTP API event, payload format 2.0 (`$default` route). */
export function httpApiV2Event(options: EventOptions = {}): APIGatewayProxyEventV2 {
  return payloadV2Event(httpApiV2Sample, options)
}

/** A Lambda function URL event (payload format 2.0, host `<url-id>.lambda-url.<region>.on.aws`). */
export function functionUrlEvent(options: EventOptions = {}): APIGatewayProxyEventV2 {
  return payloadV2Event(functionUrlSample, options)
}

/** An API Gateway REST API proxy event (`/{proxy+}` resource, stage `Prod`): `headers` and `multiValueHeaders`. */
export function restApiV1Event(options: EventOptions = {}): APIGatewayProxyEvent {
  const event = clone<APIGatewayProxyEvent>(restApiV1Sample)
  const path = options.path ?? event.path
  const method = options.method ?? event.httpMethod
  event.path = path
  event.httpMethod = method
  event.pathParameters = { proxy: path.replace(/^\//, '') }
  event.requestContext.path = `/${event.requestContext.stage}${path}`
  event.requestContext.httpMethod = method
  const headers: Record<string, string> = { ...options.headers }
  if (options.cookieHeader !== undefined) headers.Cookie = options.cookieHeader
  for (const [name, value] of Object.entries(headers)) {
    event.headers[name] = value
    event.multiValueHeaders[name] = [value]
  }
  if (options.body !== undefined) event.body = options.body
  return event
}

function albLikeEvent(sample: unknown, options: EventOptions, multiValue: boolean): ALBEvent {
  const event = clone<ALBEvent>(sample)
  event.path = options.path ?? event.path
  event.httpMethod = options.method ?? event.httpMethod
  const headers: Record<string, string> = { ...options.headers }
  if (options.cookieHeader !== undefined) headers.cookie = options.cookieHeader
  for (const [name, value] of Object.entries(headers)) {
    if (multiValue) event.multiValueHeaders = { ...event.multiValueHeaders, [name]: [value] }
    else event.headers = { ...event.headers, [name]: value }
  }
  if (options.body !== undefined) event.body = options.body
  return event
}

/** An Application Load Balancer event, target group without multi-value headers (`headers`). */
export function albEvent(options: EventOptions = {}): ALBEvent {
  return albLikeEvent(albSample, options, false)
}

/** An Application Load Balancer event, target group with `lambda.multi_value_headers.enabled` (`multiValueHeaders`). */
export function albMultiValueEvent(options: EventOptions = {}): ALBEvent {
  return albLikeEvent(albMultiValueSample, options, true)
}

/** One front door and the factory of its events. */
export interface FrontDoorEventFactory {
  readonly frontDoor: Exclude<FrontDoor, 'unknown'>
  readonly event: (options?: EventOptions) => HttpEvent
}

/** Every front door with its factory, to run one test per door. */
export const frontDoorEvents: readonly FrontDoorEventFactory[] = [
  { frontDoor: 'http-api-v2', event: httpApiV2Event },
  { frontDoor: 'function-url', event: functionUrlEvent },
  { frontDoor: 'rest-api-v1', event: restApiV1Event },
  { frontDoor: 'alb', event: albEvent },
  { frontDoor: 'alb-multi-value', event: albMultiValueEvent },
]
