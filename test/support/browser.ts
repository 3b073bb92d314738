/**
 * One browser in front of a handler, on the HTTP API (payload 2.0) front door: its jar sends the cookies
 * it holds and keeps what each response sets, on the test's clock. The suites that drive the middleware
 * through several requests share it.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { CookieJar, type HttpEventOptions, httpEvent } from '../../src/testing/index.ts'

/** A Middy handler on the payload 2.0 door, whatever its session's data. */
type Handler = (event: APIGatewayProxyEventV2, context: never) => Promise<APIGatewayProxyStructuredResultV2>

/**
 * A browser for `handler`: `send(path, request?)` makes one request with the jar's cookies and keeps what
 * the response set.
 */
export function browserFor(handler: Handler, now: () => number, jar = new CookieJar({ now })) {
  return {
    jar,
    async send(
      path: string,
      request: Omit<HttpEventOptions, 'path' | 'jar'> = {},
    ): Promise<APIGatewayProxyStructuredResultV2> {
      const event = httpEvent('http-api-v2', { path, jar, ...request })
      const result = await handler(event, {} as never)
      jar.takeFrom(result, event)
      return result
    },
  }
}
