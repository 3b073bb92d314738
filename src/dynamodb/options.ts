/**
 * The options of the stores: the DynamoDB store's, and, for the option checker (src/config.ts), what each
 * accepts and hints for the keys people give by mistake. No AWS SDK at run time: the test kit's store
 * uses them too.
 *
 * @module
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { checkOptions, type OptionRule, type OptionTable } from '../config.ts'
import { SessionConfigError } from '../errors.ts'
import type { SessionLogger } from '../logger.ts'
import type { UsersPlugin } from '../store/binding.ts'
import type { SessionDataCodec } from '../store/codec.ts'
import type { SessionFormat } from '../store/format.ts'
import type { DynamoDBStoreProps } from '../store/props.ts'
import { PROPS_HINTS, PROPS_RULES } from '../store/props.ts'
import { SETTINGS_RULES } from '../store/settings-rules.ts'

/**
 * Options of {@link DynamoDBSessionStore}: the table layout ({@link DynamoDBStoreProps}) and how to talk to it.
 *
 * @example
 * ```ts
 * const options: DynamoDBSessionStoreOptions = { tableName: 'Sessions', consistentRead: false }
 * ```
 */
export interface DynamoDBSessionStoreOptions extends DynamoDBStoreProps {
  /** The SDK client. Default: one client shared by every store, created on first use (no I/O at import). */
  client?: DynamoDBClient | undefined
  /**
   * Strongly consistent reads. Default `true`. `false` halves the read units, but a read may miss a write
   * made a moment before: a session created by the previous request may not be found yet (and a write
   * would then start a new one), and two quick writes may see a stale version (409 Conflict).
   */
  consistentRead?: boolean | undefined
  /** How data is stored. Default `nativeMapCodec`. Not together with `format`. */
  codec?: SessionDataCodec | undefined
  /**
   * A whole session format instead of a `codec`: its ids and its `data` attribute, e.g.
   * `towerSessionsFormat()` from `middy-dynamodb-session/tower-sessions`, to share sessions with a Rust
   * service. Not together with `codec`.
   */
  format?: SessionFormat | undefined
  /** Told about corrupted items and retried id collisions. Default: silent. */
  logger?: SessionLogger | undefined
  /**
   * How many fresh ids `create()` (and `regenerate()`) try before giving up: the first, then retries on
   * an id collision. Default 6, as the Rust crate (one attempt and 5 retries).
   */
  createAttempts?: number | undefined
  /**
   * How many times a write is retried on top of concurrent changes of *other* keys (or of the expiry
   * policy) before it fails with a `contention` conflict, with a short random backoff between attempts.
   * With the default native map codec, requests that change different keys need no retry at all.
   * Default 10.
   */
  maxConflictRetries?: number | undefined
  /** The clock, in epoch milliseconds. Default `Date.now`; tests move it. */
  now?: (() => number) | undefined
  /** The id generator. Default: the format's (this library's 32-character ids); tests force collisions with it. */
  generateId?: (() => string) | undefined
  /**
   * A time limit for each DynamoDB call, SDK retries included, in milliseconds; past it the call is
   * aborted and fails with {@link SessionStoreError}, so no call hangs a request for ever. Default 5000.
   */
  timeoutMs?: number | undefined
  /** Sessions bound to users: `userSessions()` from `middy-dynamodb-session/users`. Default: none. */
  users?: UsersPlugin | undefined
}

function positiveNumber(value: unknown, path: string): void {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new SessionConfigError(`${path} must be a positive number of milliseconds`)
  }
}

/** What each option of {@link DynamoDBSessionStoreOptions} accepts. */
export const STORE_RULES: Readonly<Record<keyof DynamoDBSessionStoreOptions, OptionRule>> = {
  ...PROPS_RULES,
  ...SETTINGS_RULES,
  client: 'object',
  consistentRead: 'boolean',
  logger: 'logger',
  timeoutMs: positiveNumber,
}

/** Keys given for store options by mistake, with where they belong. */
export const STORE_HINTS: Readonly<Record<string, string>> = {
  ...PROPS_HINTS,
  secrets: 'secrets is an option of dynamoSession() itself, beside store',
  secret: 'did you mean secrets? It is an option of dynamoSession() itself, beside store',
  region: 'give a client of your own: store: { client: new DynamoDBClient({ region }) }',
  endpoint: 'give a client of your own: store: { client: new DynamoDBClient({ endpoint }) }',
  expiry: 'expiry is an option of dynamoSession() itself, beside store',
  maxSessionsPerUser: 'did you mean users: userSessions({ maxSessionsPerUser })?',
}

const STORE_OPTIONS: OptionTable = { rules: STORE_RULES, hints: STORE_HINTS }

/**
 * Throws {@link SessionConfigError} unless `options` are options of {@link DynamoDBSessionStore}: known
 * keys only (with a hint for a mistaken one), each of the right type. `path` prefixes names in messages.
 *
 * @example
 * ```ts
 * checkStoreOptions({ tablename: 'x' }) // throws: Unknown option tablename: did you mean tableName?
 * ```
 */
export function checkStoreOptions(options: unknown, path = '', table: OptionTable = STORE_OPTIONS): void {
  checkOptions(options, table, path)
}
