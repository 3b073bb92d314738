/**
 * The options of the stores, as the option checker takes them (src/config.ts): what each accepts, and
 * hints for the keys people give by mistake. No AWS SDK at run time: the test kit's store uses them too.
 *
 * @module
 */
import { checkOptions, integerFrom, type OptionRule, type OptionTable } from '../config.ts'
import { SessionConfigError } from '../errors.ts'
import type { DynamoDBSessionStoreOptions } from './dynamodb-store.ts'
import { PROPS_HINTS, PROPS_RULES } from './props.ts'

function positiveNumber(value: unknown, path: string): void {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new SessionConfigError(`${path} must be a positive number of milliseconds`)
  }
}

/** What each option of {@link DynamoDBSessionStoreOptions} accepts. */
export const STORE_RULES: Readonly<Record<keyof DynamoDBSessionStoreOptions, OptionRule>> = {
  ...PROPS_RULES,
  client: 'object',
  consistentRead: 'boolean',
  codec: 'object',
  format: 'object',
  logger: 'logger',
  createAttempts: integerFrom(1),
  maxConflictRetries: integerFrom(0),
  now: 'function',
  generateId: 'function',
  timeoutMs: positiveNumber,
  users: 'object',
}

/** Keys given for store options by mistake, with where they belong. */
export const STORE_HINTS: Readonly<Record<string, string>> = {
  ...PROPS_HINTS,
  secrets: 'secrets is an option of dynamoSession() itself, beside store',
  secret: 'did you mean secrets? It is an option of dynamoSession() itself, beside store',
  region: 'give a client of your own: store: { client: new DynamoDBClient({ region }) }',
  endpoint: 'give a client of your own: store: { client: new DynamoDBClient({ endpoint }) }',
  expiry: 'expiry is an option of dynamoSession() itself, beside store',
  maxSessionsPerUser: 'did you mean users: { maxSessionsPerUser }?',
}

const STORE_OPTIONS: OptionTable = { rules: STORE_RULES, hints: STORE_HINTS }

/** What each option of `users` accepts (the values are checked as they are resolved). */
export const USERS_OPTIONS: OptionTable = {
  rules: { indexName: 'string', maxSessionsPerUser: 'any', whenFull: 'any' },
  hints: { max: 'did you mean maxSessionsPerUser?', limit: 'did you mean maxSessionsPerUser?' },
}

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
  checkOptions((options as { users?: unknown } | undefined)?.users, USERS_OPTIONS, `${path}users.`)
}
