/**
 * `middy-dynamodb-session/testing`: tools to test a handler that uses the session middleware, in any
 * test runner: events for every AWS front door, a browser-like cookie jar, and a clock a test moves.
 * Opt-in: the package's main entry never imports it, so none of it lands in a production bundle.
 *
 * @example
 * ```ts
 * import { CookieJar, httpEvent, testClock } from 'middy-dynamodb-session/testing'
 *
 * const clock = testClock()
 * const handler = middy().use(dynamoSession({ now: clock.now })).handler(countVisits)
 * const jar = new CookieJar({ now: clock.now })
 *
 * const first = httpEvent('http-api-v2', { path: '/api/count', jar })
 * jar.takeFrom(await handler(first, context), first) // first visit: the session cookie
 * const again = httpEvent('http-api-v2', { path: '/api/count', jar })
 * await handler(again, context) // return visit: { count: 2 }
 *
 * clock.advance({ days: 15 }) // past the 14-day inactivity window: the cookie and the session expire
 * ```
 *
 * @packageDocumentation
 */
export { type Duration, type TestClock, testClock } from './clock.ts'
export { CookieJar, type CookieJarOptions, type ParsedSetCookie } from './cookie-jar.ts'
export { type HttpEventMap, type HttpEventOptions, httpEvent } from './events.ts'
export { FRONT_DOORS, type KnownFrontDoor } from './front-doors.ts'
export { MemoryStore, type MemoryStoreOptions, MemoryTable } from './memory-store.ts'
export { readSetCookies } from './set-cookies.ts'
