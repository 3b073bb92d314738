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
import type { DynamoDBStoreProps, ResolvedStoreProps } from '../store/props.ts'
import { PROPS_HINTS, PROPS_RULES } from '../store/props.ts'
import { SETTINGS_RULES, type StoreSettings } from '../store/settings-rules.ts'
import type { SessionTable } from '../store/table.ts'

/**
 * Options of every DynamoDB store, whatever its transport: the table layout ({@link DynamoDBStoreProps}),
 * the store's settings, its reads and its time limit.
 *
 * @example
 * ```ts
 * const options: DynamoDBBaseOptions = { tableName: 'Sessions', consistentRead: false, timeoutMs: 2000 }
 * ```
 */
export interface DynamoDBBaseOptions extends DynamoDBStoreProps, StoreSettings {
  /**
   * Strongly consistent reads. Default `true`. `false` halves the read units, but a read may miss a write
   * made a moment before: a session created by the previous request may not be found yet (and a write
   * would then start a new one), and two quick writes may see a stale version (409 Conflict).
   */
  consistentRead?: boolean | undefined
  /**
   * A time limit for each DynamoDB call, SDK retries included, in milliseconds; past it the call is
   * aborted and fails with {@link SessionStoreError}, so no call hangs a request for ever. Default 5000.
   */
  timeoutMs?: number | undefined
  /**
   * Home Regions on a global table in multi-Region eventual consistency: `homeRegions({ region, peers })`.
   * Default: none (every call to this store's Region).
   */
  homeRegions?: HomeRegionsPlugin | undefined
}

/**
 * What a store needs of home Regions (`homeRegions()`): a table that writes each item in its home.
 *
 * @example
 * ```ts
 * const plugin: HomeRegionsPlugin = homeRegions({ region: 'eu-west-1', peers: {} })
 * ```
 */
export interface HomeRegionsPlugin {
  /**
   * Wraps a store's table in this Region.
   *
   * @internal
   */
  wrap(local: SessionTable, props: ResolvedStoreProps): SessionTable
}

/**
 * Options of {@link DynamoDBSessionStore}: the table layout ({@link DynamoDBStoreProps}) and how to talk to it.
 *
 * @example
 * ```ts
 * const options: DynamoDBSessionStoreOptions = { tableName: 'Sessions', consistentRead: false }
 * ```
 */
export interface DynamoDBSessionStoreOptions extends DynamoDBBaseOptions {
  /** The SDK client. Default: one client shared by every store, created on first use (no I/O at import). */
  client?: DynamoDBClient | undefined
}

/** Throws {@link SessionConfigError} unless `value` is a positive, finite number (of milliseconds). */
export function positiveNumber(value: unknown, path: string): void {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new SessionConfigError(`${path} must be a positive number of milliseconds`)
  }
}

/** What each option of {@link DynamoDBBaseOptions} accepts. */
export const BASE_RULES: Readonly<Record<keyof DynamoDBBaseOptions, OptionRule>> = {
  ...PROPS_RULES,
  ...SETTINGS_RULES,
  consistentRead: 'boolean',
  logger: 'logger',
  timeoutMs: positiveNumber,
  homeRegions: 'object',
}

/** What each option of {@link DynamoDBSessionStoreOptions} accepts. */
export const STORE_RULES: Readonly<Record<keyof DynamoDBSessionStoreOptions, OptionRule>> = {
  ...BASE_RULES,
  client: 'object',
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
