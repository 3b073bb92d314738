/**
 * The DynamoDB layout of session items: the props of the Rust crate `tower-sessions-dynamodb-store`
 * (`DynamoDBStoreProps`) with the same defaults, plus the two attributes optimistic concurrency and
 * per-session expiry need.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { checkOptions, type OptionRule, type OptionTable } from '../config.ts'
import { SessionConfigError } from '../errors.ts'

/**
 * A key attribute: its name, and the text around the session id in its value.
 *
 * @example
 * ```ts
 * const partitionKey: DynamoDBStoreKey = { name: 'pk', prefix: 'SESSION#' } // pk = "SESSION#<id>"
 * ```
 */
export interface DynamoDBStoreKey {
  /** The attribute name. */
  name: string
  /** Text before the session id in the key value. */
  prefix?: string | undefined
  /** Text after the session id in the key value. */
  suffix?: string | undefined
}

/**
 * Where and how sessions are stored. Every prop is optional; the defaults match
 * `tower-sessions-dynamodb-store`, so a table made for it works unchanged.
 *
 * @example
 * ```ts
 * const props: DynamoDBStoreProps = {
 *   tableName: 'App',
 *   partitionKey: { name: 'pk', prefix: 'SESSION#' },
 *   sortKey: { name: 'sk', prefix: 'SESSION#' },
 *   expiryName: 'ttl',
 * }
 * ```
 */
export interface DynamoDBStoreProps {
  /** Table name. Default `"TowerSessions"`. */
  tableName?: string | undefined
  /** Partition key. Default `{ name: "session_id", prefix: "SESSIONS::TOWER::", suffix: "" }`. */
  partitionKey?: DynamoDBStoreKey | undefined
  /** Optional sort key, for tables that have one; its value is built from the session id too. Default none. */
  sortKey?: DynamoDBStoreKey | undefined
  /** The expiry attribute: epoch seconds (Number), the one to enable TTL on. Default `"expire_at"`. */
  expiryName?: string | undefined
  /** The session data attribute. Default `"data"`. */
  dataName?: string | undefined
  /** The version attribute that guards against lost updates. Default `"version"`. */
  versionName?: string | undefined
  /** The attribute holding a per-session expiry set by `session.setExpiry()`. Default `"expiry_policy"`. */
  expiryPolicyName?: string | undefined
  /**
   * A small map of the last minute's write tokens (token → epoch seconds), by which a write whose reply
   * was lost recognises itself when the SDK retries it. Default `"write_tokens"`.
   */
  writeTokensName?: string | undefined
  /**
   * On the short-lived item `regenerate()` leaves under the old id: the new id, so that a logout racing
   * the regenerate also ends the new session. Default `"successor"`.
   */
  successorName?: string | undefined
  /** When the session was created (epoch seconds), for `maxLifetime`. Default `"created_at"`. */
  createdName?: string | undefined
  /** When the user last authenticated (epoch seconds), from `session.recordAuthentication()`. Default `"authenticated_at"`. */
  authenticatedName?: string | undefined
  /** When the session's id was last renewed (epoch seconds), for the middleware's `renewal`. Default `"renewed_at"`. */
  renewedName?: string | undefined
  /**
   * On the item a renewal leaves under the old id: until when (epoch seconds) that id still reaches the
   * renewed session, for requests racing the renewal. Default `"grace_until"`.
   */
  graceName?: string | undefined
  /** The session's CSRF secret (S), from the first `session.csrfToken()`. Default `"csrf_secret"`. */
  csrfName?: string | undefined
  /**
   * With `transactions: false`, on a regenerated session's new item until it is confirmed: the old id
   * and the expiry the item takes then (M: `from`, `expire_at`). Default `"pending"`.
   */
  pendingName?: string | undefined
}

/**
 * Props with every default filled in.
 *
 * @example
 * ```ts
 * const { tableName, partitionKey }: ResolvedStoreProps = new DynamoDBSessionStore().props
 * ```
 */
export interface ResolvedStoreProps {
  readonly tableName: string
  readonly partitionKey: Required<DynamoDBStoreKey>
  readonly sortKey: Required<DynamoDBStoreKey> | undefined
  readonly expiryName: string
  readonly dataName: string
  readonly versionName: string
  readonly expiryPolicyName: string
  readonly writeTokensName: string
  readonly successorName: string
  readonly createdName: string
  readonly authenticatedName: string
  readonly renewedName: string
  readonly graceName: string
  readonly csrfName: string
  readonly pendingName: string
}

/**
 * The defaults of `tower-sessions-dynamodb-store`.
 *
 * @example
 * ```ts
 * DEFAULT_STORE_PROPS.partitionKey.prefix // 'SESSIONS::TOWER::'
 * ```
 */
export const DEFAULT_STORE_PROPS: ResolvedStoreProps = Object.freeze({
  tableName: 'TowerSessions',
  partitionKey: Object.freeze({ name: 'session_id', prefix: 'SESSIONS::TOWER::', suffix: '' }),
  sortKey: undefined,
  expiryName: 'expire_at',
  dataName: 'data',
  versionName: 'version',
  expiryPolicyName: 'expiry_policy',
  writeTokensName: 'write_tokens',
  successorName: 'successor',
  createdName: 'created_at',
  authenticatedName: 'authenticated_at',
  renewedName: 'renewed_at',
  graceName: 'grace_until',
  csrfName: 'csrf_secret',
  pendingName: 'pending',
})

// DynamoDB limits: table names 3-255 of [a-zA-Z0-9_.-]; attribute names 1-255 bytes (key names).
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/

/** The props that name one attribute, in the order they are checked. */
const ATTRIBUTES = [
  'expiryName',
  'dataName',
  'versionName',
  'expiryPolicyName',
  'writeTokensName',
  'successorName',
  'createdName',
  'authenticatedName',
  'renewedName',
  'graceName',
  'csrfName',
  'pendingName',
] as const

function attributeName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw new SessionConfigError(`${what} must be an attribute name of 1 to 255 characters`)
  }
  return value
}

/** The keys of a {@link DynamoDBStoreKey}. */
const KEY_OPTIONS: OptionTable = {
  rules: { name: 'string', prefix: 'string', suffix: 'string' },
  hints: { attributeName: 'did you mean name?', AttributeName: 'did you mean name?' },
}

/** What each prop accepts (the values themselves are checked as they are resolved). */
export const PROPS_RULES: Readonly<Record<keyof DynamoDBStoreProps, OptionRule>> = {
  tableName: 'any',
  partitionKey: 'object',
  sortKey: 'object',
  expiryName: 'any',
  dataName: 'any',
  versionName: 'any',
  expiryPolicyName: 'any',
  writeTokensName: 'any',
  successorName: 'any',
  createdName: 'any',
  authenticatedName: 'any',
  renewedName: 'any',
  graceName: 'any',
  csrfName: 'any',
  pendingName: 'any',
}

/** Keys given for props by mistake, with where they belong. */
export const PROPS_HINTS: Readonly<Record<string, string>> = {
  table: 'did you mean tableName?',
  name: 'did you mean tableName?',
  hashKey: 'did you mean partitionKey: { name }?',
  rangeKey: 'did you mean sortKey: { name }?',
  ttlAttribute: 'did you mean expiryName?',
  ttl: 'did you mean expiryName? (the lifetime itself is the middleware option expiry)',
}

function key(input: DynamoDBStoreKey | undefined, what: string): Required<DynamoDBStoreKey> | undefined {
  if (input === undefined) return undefined
  if (typeof input !== 'object' || input === null) throw new SessionConfigError(`${what} must be an object`)
  checkOptions(input, KEY_OPTIONS, `${what}.`)
  const resolved = { name: attributeName(input.name, `${what}.name`), prefix: '', suffix: '' }
  for (const affix of ['prefix', 'suffix'] as const) {
    const value = input[affix]
    if (value === undefined) continue
    if (typeof value !== 'string') throw new SessionConfigError(`${what}.${affix} must be a string`)
    resolved[affix] = value
  }
  return resolved
}

/**
 * Fills in the defaults and rejects props that cannot work (empty names, a bad table name, two roles
 * sharing one attribute name), with a {@link SessionConfigError}.
 *
 * @example
 * ```ts
 * resolveStoreProps({ tableName: 'Sessions' }).partitionKey.name // 'session_id'
 * ```
 */
export function resolveStoreProps(props: DynamoDBStoreProps = {}): ResolvedStoreProps {
  if ('tableName' in props && props.tableName === undefined) {
    // `{ tableName: process.env.TABLE_NAME }` with the variable unset: never fall back silently.
    throw new SessionConfigError(
      'tableName is undefined (is the TABLE_NAME environment variable set?); leave the key out to use the default table',
    )
  }
  const tableName = props.tableName ?? DEFAULT_STORE_PROPS.tableName
  if (typeof tableName !== 'string' || !TABLE_NAME.test(tableName)) {
    throw new SessionConfigError(
      'tableName must be 3 to 255 characters of [A-Za-z0-9_.-] (is TABLE_NAME set?)',
    )
  }
  const partitionKey = key(props.partitionKey, 'partitionKey') ?? DEFAULT_STORE_PROPS.partitionKey
  const sortKey = key(props.sortKey, 'sortKey')
  const names = {} as Record<(typeof ATTRIBUTES)[number], string>
  for (const role of ATTRIBUTES) names[role] = attributeName(props[role] ?? DEFAULT_STORE_PROPS[role], role)
  // Each attribute in one role only. Role by attribute name:
  const roles = new Map([[partitionKey.name, 'partitionKey.name']])
  const claim = (role: string, name: string) => {
    const other = roles.get(name)
    if (other) throw new SessionConfigError(`${role} and ${other} cannot both be the attribute "${name}"`)
    roles.set(name, role)
  }
  if (sortKey) claim('sortKey.name', sortKey.name)
  for (const role of ATTRIBUTES) claim(role, names[role])
  return { tableName, partitionKey, sortKey, ...names }
}

/**
 * The primary key of the item for session `id`: `prefix + id + suffix` for the partition key, and likewise
 * for the sort key when there is one.
 *
 * @example
 * ```ts
 * sessionKey(DEFAULT_STORE_PROPS, 'abc') // { session_id: { S: 'SESSIONS::TOWER::abc' } }
 * ```
 */
export function sessionKey(props: ResolvedStoreProps, id: string): Record<string, AttributeValue> {
  const { partitionKey: pk, sortKey: sk } = props
  const item: Record<string, AttributeValue> = { [pk.name]: { S: `${pk.prefix}${id}${pk.suffix}` } }
  if (sk) item[sk.name] = { S: `${sk.prefix}${id}${sk.suffix}` }
  return item
}

/**
 * The session id inside a partition key value, or `undefined` when the value is not one of ours (another
 * entity in a shared table, say).
 *
 * @example
 * ```ts
 * sessionIdFromKey(DEFAULT_STORE_PROPS, 'SESSIONS::TOWER::abc') // 'abc'
 * ```
 */
export function sessionIdFromKey(props: ResolvedStoreProps, value: string): string | undefined {
  const { prefix, suffix } = props.partitionKey
  if (value.length < prefix.length + suffix.length) return undefined
  if (!value.startsWith(prefix) || !value.endsWith(suffix)) return undefined
  return value.slice(prefix.length, value.length - suffix.length)
}
