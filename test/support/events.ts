/**
 * Lambda events per AWS front door, for this repository's tests: the testing subpath's `httpEvent`
 * with the defaults of the `events/` samples (`GET /api/count`) and two hatches the public builder has
 * no use for: a raw `Cookie` header, and a payload 2.0 `cookies` array as is.
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
import { FRONT_DOORS, type HttpEventMap, httpEvent, type KnownFrontDoor } from '../../src/testing/index.ts'

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
  /** Extra request headers, as `httpEvent` adds them (a `cookie` header stays a header). */
  headers?: Record<string, string>
  /** A request body. */
  body?: string
}

/** Any of the events the factories build. */
export type HttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent | ALBEvent

function factory<D extends KnownFrontDoor>(frontDoor: D): (options?: EventOptions) => HttpEventMap[D] {
  return (options = {}) => {
    const event = httpEvent(frontDoor, {
      method: options.method,
      path: options.path ?? '/api/count',
      cookie: options.cookieHeader,
      headers: options.headers,
      body: options.body,
    })
    if (options.cookies !== undefined && 'rawPath' in event) event.cookies = options.cookies
    return event
  }
}

/** An API Gateway HTTP API event, payload format 2.0 (`ANY /{proxy+}` route, `GET /` for `/`). */
export const httpApiV2Event = factory('http-api-v2')

/** A Lambda function URL event (payload format 2.0, host `<url-id>.lambda-url.<region>.on.aws`). */
export const functionUrlEvent = factory('function-url')

/** An API Gateway REST API proxy event (`/{proxy+}` resource, stage `Prod`): `headers` and `multiValueHeaders`. */
export const restApiV1Event = factory('rest-api-v1')

/** An Application Load Balancer event, target group without multi-value headers (`headers`). */
export const albEvent = factory('alb')

/** An Application Load Balancer event, target group with `lambda.multi_value_headers.enabled` (`multiValueHeaders`). */
export const albMultiValueEvent = factory('alb-multi-value')

/** One front door and the factory of its events. */
export interface FrontDoorEventFactory {
  readonly frontDoor: KnownFrontDoor
  readonly event: (options?: EventOptions) => HttpEvent
}

/** Every front door with its factory, to run one test per door. */
export const frontDoorEvents: readonly FrontDoorEventFactory[] = FRONT_DOORS.map((frontDoor) => ({
  frontDoor,
  event: factory(frontDoor),
}))
