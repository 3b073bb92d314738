/**
 * The package without the AWS SDK: `dynamoSession()` over {@link LiteSessionStore}, which sends to
 * DynamoDB over `node:https` (signed by `aws4`), and everything else the root entry exports but the SDK
 * store. Import from here only, and a session Lambda loads in a few milliseconds where the SDK's
 * DynamoDB client alone takes about a hundred.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import { dynamoSession } from 'middy-dynamodb-session/lite'
 *
 * export const handler = middy()
 *   .use(dynamoSession<{ count: number }>({ store: { tableName: process.env.TABLE_NAME } }))
 *   .handler(async (event, context) => {
 *     const count = ((await context.session.get('count')) ?? 0) + 1
 *     await context.session.set('count', count)
 *     return { statusCode: 200, body: JSON.stringify({ count }) }
 *   })
 * ```
 *
 * @module
 */
export type { AuditOptions, SessionEvent, SessionEventType } from '../audit.ts'
export type { SessionCookieOptions } from '../cookie.ts'
export type { JsonValue, SessionData } from '../data.ts'
export { DYNAMODB_ITEM_LIMIT, DynamoDBStoreBase } from '../dynamodb/base-store.ts'
export { type DeleteExpiredOptions, deleteExpiredSessions } from '../dynamodb/delete-expired.ts'
export {
  type HomeRegionsOptions,
  homeRegions,
  type RegionPeer,
  type WhenHomeUnreachable,
} from '../dynamodb/home-regions.ts'
export type { DynamoDBBaseOptions, HomeRegionsPlugin } from '../dynamodb/options.ts'
export type { DynamoDBOperation, DynamoDBReply, DynamoDBTransport } from '../dynamodb/transport.ts'
export {
  ReauthenticationRequiredError,
  SessionBusyError,
  SessionConfigError,
  SessionConflictError,
  type SessionConflictReason,
  SessionDataError,
  SessionError,
  SessionNotBoundError,
  SessionStoreError,
  SessionTooLargeError,
  TooManySessionsError,
} from '../errors.ts'
export {
  DEFAULT_EXPIRY,
  DEFAULT_INACTIVITY_SECONDS,
  Expiry,
  MAX_LIFETIME_SECONDS,
  type SessionExpiry,
} from '../expiry.ts'
export type { CrossSiteOptions } from '../http/cross-site.ts'
export { DEFAULT_ID_SCHEME, type SessionIdScheme } from '../id.ts'
export type { SessionLogger } from '../logger.ts'
export {
  type DynamoSessionOptions,
  type SessionContext,
  type SessionHandler,
  sessionRoute,
} from '../middleware.ts'
export type { RenewalOptions } from '../renewal.ts'
export type { Session } from '../session.ts'
export type { UsersPlugin } from '../store/binding.ts'
export type { StoreCall, StoreObserver } from '../store/calls.ts'
export { jsonStringCodec, nativeMapCodec, type SessionDataCodec } from '../store/codec.ts'
export { SUCCESSOR_SECONDS } from '../store/engine.ts'
export type { SessionFormat } from '../store/format.ts'
export { type GzipCodecOptions, gzipCodec } from '../store/gzip-codec.ts'
export type { DynamoDBStoreKey, DynamoDBStoreProps } from '../store/props.ts'
export type { StoreSettings } from '../store/settings-rules.ts'
export type { SessionStore, UserSessionInfo, UserSessionPage } from '../store/types.ts'
export { USER_LIMITS } from '../user-binding.ts'
export { dynamoSession, dynamoSession as default, type LiteSessionOptions } from './dynamo-session.ts'
export {
  type AwsCredentials,
  DynamoDBHttpError,
  HttpTransport,
  type HttpTransportOptions,
} from './http-transport.ts'
export { LiteSessionStore, type LiteSessionStoreOptions } from './store.ts'
