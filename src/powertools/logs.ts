/**
 * Session logs: the audit stream as structured log records, through Powertools Logger or any logger of
 * the same shape. Levels are chosen so that a production function at INFO writes nothing for an ordinary
 * request (a visit, a load, a save, a touch, a DynamoDB call are DEBUG), and something for what an
 * operator or a security team acts on: logins, logouts, ends, unknown ids (INFO), conflicts and refused
 * cross-site requests (WARN). A record holds the event: the keyed id hash, never the id.
 *
 * @module
 */
import type { SessionEvent, SessionEventType } from '../audit.ts'
import type { SessionLogger } from '../logger.ts'

/**
 * The level each audit event is logged at.
 *
 * @example
 * ```ts
 * console.log(SESSION_LOG_LEVELS.conflict) // 'warn'
 * ```
 */
export const SESSION_LOG_LEVELS: Readonly<Record<SessionEventType, 'debug' | 'info' | 'warn'>> =
  Object.freeze({
    created: 'debug',
    loaded: 'debug',
    saved: 'debug',
    touched: 'debug',
    'store-call': 'debug',
    'unknown-id': 'info',
    expired: 'info',
    regenerated: 'info',
    renewed: 'info',
    destroyed: 'info',
    bound: 'info',
    ended: 'info',
    conflict: 'warn',
    'cross-site-refused': 'warn',
  })

/**
 * An audit `onEvent` that logs each event as `session <type>` with its fields, at its
 * {@link SESSION_LOG_LEVELS} level. A logger without `debug` or `info` (the library's `SessionLogger`
 * only requires `warn` and `error`) skips the events of that level.
 *
 * @example
 * ```ts
 * import { Logger } from '@aws-lambda-powertools/logger'
 * dynamoSession({ audit: { onEvent: sessionLogs(new Logger({ serviceName: 'shop' })) } })
 * ```
 */
export function sessionLogs(logger: SessionLogger): (event: SessionEvent) => void {
  return (event) => {
    logger[SESSION_LOG_LEVELS[event.type]]?.(`session ${event.type}`, { ...event })
  }
}
