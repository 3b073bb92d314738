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
  /** Optional: what a production function at INFO logs (logins, logouts, unknown ids...; see `/powertools`). */
  info?(message: string, ...details: Record<string, unknown>[]): void
  /** Optional: what happens on every request (a load, a save, each DynamoDB call; see `/powertools`). */
  debug?(message: string, ...details: Record<string, unknown>[]): void
  /** Something worth knowing that did not fail the request (a corrupted item, a cookie clash...). */
  warn(message: string, ...details: Record<string, unknown>[]): void
  /** Something that failed but could not be reported otherwise (a save after a handler error). */
  error(message: string, ...details: Record<string, unknown>[]): void
}

/** The default logger: says nothing. */
export const silentLogger: SessionLogger = Object.freeze({ warn() {}, error() {} })
