/**
 * Front-door detection, reading the request's session cookie and writing `Set-Cookie` into the
 * response the way each AWS front door expects. Pure functions, no I/O; nothing here knows of
 * DynamoDB or sessions.
 *
 * @module
 */
export { keepOutOfSharedCaches, privateCacheControl } from './cache-control.ts'
export {
  assertCrossSiteOptions,
  type CrossSiteOptions,
  crossSiteRefusal,
  DEFAULT_TOKEN_HEADER,
  refusedResponse,
  tokenToCheck,
} from './cross-site.ts'
export { detectFrontDoor, type FrontDoor, isHttpEvent } from './front-door.ts'
export { COOKIE_READ_LIMITS, readRequestCookies } from './request-cookies.ts'
export { addSetCookies, type CookieWriteLogger } from './response-cookies.ts'
