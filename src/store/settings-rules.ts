/**
 * What the settings every store shares accept, for the option checker (src/config.ts): the engine's
 * (`codec` or `format`, `now`, `generateId`, `createAttempts`, `maxConflictRetries`) and the users'
 * feature. The DynamoDB store adds its own; the test kit's store takes these.
 *
 * @module
 */
import { integerFrom, type OptionRule } from '../config.ts'
import { SessionConfigError } from '../errors.ts'

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
} as const satisfies Readonly<Record<string, OptionRule>>
