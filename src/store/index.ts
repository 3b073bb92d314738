/**
 * For people writing a store of their own (a `SessionStore` over another database) or reading this
 * library's items from other code: the records a store loads and writes, the change a save carries, the
 * users' index a store may offer, and the table layout's resolved props with their defaults. A handler
 * needs none of it: `dynamoSession()` and `SessionStore` come from the package root.
 *
 * @example
 * ```ts
 * import type { SessionStore } from 'middy-dynamodb-session'
 * import { DEFAULT_STORE_PROPS, type SessionRecord } from 'middy-dynamodb-session/store'
 *
 * console.log(DEFAULT_STORE_PROPS.tableName) // 'TowerSessions', as the Rust crate
 * const load: SessionStore['load'] = async (id): Promise<SessionRecord | undefined> => undefined
 * ```
 *
 * @packageDocumentation
 */
export type { SessionRenewal } from '../renewal.ts'
export type { FormatLoaded, FormatRecord } from './format.ts'
export { DEFAULT_STORE_PROPS, type ResolvedStoreProps } from './props.ts'
export type {
  NewSessionRecord,
  SaveResult,
  SessionChange,
  SessionRecord,
  UnreadChange,
  UserBinding,
  UserSessionIndex,
} from './types.ts'
