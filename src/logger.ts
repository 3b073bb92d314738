/**
 * The logging hook. Anything with `warn` and `error` methods fits: `console`, a Powertools `Logger`,
 * pino... The library never passes it a session id or session data.
 *
 * @example
 * ```ts
 * import { Logger } from '@aws-lambda-powertools/logger'
 * dynamoSession({ logger: new Logger({ serviceName: 'shop' }) })
 * dynamoSession({ logger: console })
 * ```
 */
export interface SessionLogger {
  warn(message: string, details?: Record<string, unknown>): void
  error(message: string, details?: Record<string, unknown>): void
}

/** The default logger: says nothing. */
export const silentLogger: SessionLogger = Object.freeze({ warn() {}, error() {} })
