/**
 * The counter Lambda of `template.yaml`, whichever way it sends to DynamoDB: counts each visitor's page
 * views in a server-side session, with a sign-in demo of a user's sessions (sign in as a name, see your
 * devices, sign one out). Its two entry points differ only in the session middleware: ./index.ts (the AWS
 * SDK, the template's) and ./lite.ts (`middy-dynamodb-session/lite`, without the SDK).
 *
 * Environment:
 * - `TABLE_NAME`: the sessions table (the template passes `!Ref SessionsTable`), with the
 *   `user-sessions` index the template gives it.
 * - `COOKIE_SECURE`: `false` drops the cookie's `Secure` attribute, for plain http://localhost only
 *   (`npm start` and `sam local` set it); unset or anything else keeps the default, `Secure`.
 * - `AWS_ENDPOINT_URL_DYNAMODB`: read by the AWS SDK itself (and by the lite store), to point at DynamoDB
 *   Local.
 * - `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_LOG_LEVEL`: read by Powertools
 *   (the template sets the first two; the level is INFO unless set, so an ordinary request logs nothing).
 *
 * Operations (docs/operations.md): each session event is counted in an EMF line Powertools Metrics prints
 * at the end of the request and logged by Powertools Logger at its level. The SDK entry point adds
 * Powertools Tracer (each store operation and DynamoDB call a subsegment of the X-Ray trace); the lite one
 * leaves it out, see ./lite.ts.
 */

import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import middy, { type MiddlewareObj } from '@middy/core'
import type { DynamoSessionOptions, SessionContext } from '../../src/index.ts'
import { powertools, type SessionTracer } from '../../src/powertools/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { serveCounter } from './serve.ts'

/** What the counter keeps in a session: the count, and the name of the user signed in. */
export type CounterData = { count: number; name: string }

/** The service name Powertools reports (the template sets `POWERTOOLS_SERVICE_NAME`). */
export const service = process.env.POWERTOOLS_SERVICE_NAME ?? 'counter'
/** The counter's Powertools Logger. */
export const logger = new Logger({ serviceName: service })
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Sessions',
  serviceName: service,
})
/**
 * The session options both entry points share: the table, the cookie, the logs and metrics, and the
 * session's trace subsegments when an entry point gives a `tracer`.
 */
export function sessionOptions(tracer?: SessionTracer) {
  return {
    // The sign-in demo binds sessions to users: the users' feature is opt-in.
    store: { tableName: process.env.TABLE_NAME, users: userSessions() },
    cookie: { secure: process.env.COOKIE_SECURE !== 'false' },
    logger,
    audit: powertools({ logger, metrics, tracer }),
  } satisfies DynamoSessionOptions
}

/**
 * The counter's handler, over the session middleware an entry point gives, and its tracing middleware
 * (Powertools `captureLambdaHandler`) if it traces.
 */
export function counterHandler(
  session: MiddlewareObj<unknown, unknown, Error, SessionContext<CounterData>>,
  tracing?: MiddlewareObj,
) {
  return (
    middy()
      // Powertools first: Middy runs `after` hooks in reverse, so the session's last events are counted
      // before the metrics are published and the trace segment is closed.
      .use(tracing ? [tracing] : [])
      .use(injectLambdaContext(logger))
      .use(logMetrics(metrics))
      .use(session)
      .handler((event, context) => serveCounter(event, context.session))
  )
}
