/**
 * What the settings every store shares accept, for the option checker (src/config.ts): the engine's
 * (`codec` or `format`, `now`, `generateId`, `createAttempts`, `maxConflictRetries`) and the users'
 * feature. The DynamoDB store adds its own; the test kit's store takes these.
 *
 * @module
 */
import { integerFrom, type OptionRule } from '../config.ts'
import { SessionConfigError } from '../errors.ts'
import type { SessionLogger } from '../logger.ts'
import type { UsersPlugin } from './binding.ts'
import type { SessionDataCodec } from './codec.ts'
import type { SessionFormat } from './format.ts'

/**
 * The settings every store shares (the DynamoDB store and the test kit's `MemoryStore`): how data is
 * stored, the clock, ids, retries, the logger, and the users' feature.
 *
 * @example
 * ```ts
 * const settings: StoreSettings = { createAttempts: 3, maxConflictRetries: 0, now: clock.now }
 * ```
 */
export interface StoreSettings {
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
  /** Sessions bound to users: `userSessions()` from `middy-dynamodb-session/users`. Default: none. */
  users?: UsersPlugin | undefined
  /**
   * Whether `regenerate()` (a login, an id renewal) and a bind write in one `TransactWriteItems`. Default
   * `true`. `false` writes in steps instead (a regenerate: the new item pending, the old item replaced,
   * the new one confirmed; a bind: the user's entry before the session, the entries it leaves after), for
   * DynamoDB global tables in multi-Region strong consistency (MRSC), which do not support transactions
   * (docs/multi-region.md).
   */
  transactions?: boolean | undefined
}

function usersPlugin(value: unknown, path: string): void {
  if (typeof (value as { attach?: unknown } | null)?.attach !== 'function') {
    throw new SessionConfigError(
      `${path} must be userSessions({ ... }) from 'middy-dynamodb-session/users' (its options go inside the call)`,
    )
  }
}

/**
 * The rules of the settings every store shares.
 *
 * @example
 * ```ts
 * checkOptions(options, { rules: { ...SETTINGS_RULES, table: 'object' } }, '')
 * ```
 */
export const SETTINGS_RULES = {
  codec: 'object',
  format: 'object',
  now: 'function',
  generateId: 'function',
  createAttempts: integerFrom(1),
  maxConflictRetries: integerFrom(0),
  users: usersPlugin,
  transactions: 'boolean',
} as const satisfies Readonly<Record<Exclude<keyof StoreSettings, 'logger'>, OptionRule>>
