/**
 * `middy-dynamodb-session/powertools`: the session's audit stream as Powertools for AWS Lambda sees
 * operations: metrics (EMF), structured logs, trace subsegments, and the session in its HTTP router.
 * Adapters only: this subpath imports nothing from Powertools (your instances are passed in), and the main
 * entry point does not import it.
 *
 * @example
 * ```ts
 * import { Logger } from '@aws-lambda-powertools/logger'
 * import { Metrics } from '@aws-lambda-powertools/metrics'
 * import { Tracer } from '@aws-lambda-powertools/tracer'
 * import { powertools } from 'middy-dynamodb-session/powertools'
 *
 * const logger = new Logger()
 * const metrics = new Metrics()
 * const tracer = new Tracer()
 * dynamoSession({ logger, audit: powertools({ logger, metrics, tracer }) })
 * ```
 *
 * @module
 */
import type { AuditOptions, SessionEvent } from '../audit.ts'
import type { SessionLogger } from '../logger.ts'
import { sessionLogs } from './logs.ts'
import { type SessionMetricsClient, sessionMetrics } from './metrics.ts'
import { storeObserver } from './observer.ts'
import { type SessionTracer, sessionSpans } from './tracing.ts'

export { SESSION_LOG_LEVELS, sessionLogs } from './logs.ts'
export { SESSION_METRICS, type SessionMetricsClient, sessionMetrics } from './metrics.ts'
export { type SessionSpan, storeObserver } from './observer.ts'
export { routerSession } from './router.ts'
export { type SessionTracer, sessionSpans, type TraceSegment } from './tracing.ts'

/**
 * What {@link powertools} wires: any of the three, and the audit options' own.
 *
 * @example
 * ```ts
 * const tools: PowertoolsOptions = { metrics: new Metrics({ namespace: 'Shop' }) }
 * ```
 */
export interface PowertoolsOptions {
  /** Counts every event ({@link SESSION_METRICS}); also turns on `store-call` events. */
  metrics?: SessionMetricsClient | undefined
  /** Logs every event at its level ({@link SESSION_LOG_LEVELS}). */
  logger?: SessionLogger | undefined
  /** Runs each store operation in a subsegment of the request's trace. */
  tracer?: SessionTracer | undefined
  /** Other subscribers of the same stream, called after the adapters. */
  onEvent?: ((event: SessionEvent) => void) | undefined
  /** The key of the id hashes (`AuditOptions.key`). */
  key?: string | undefined
  /** Report each DynamoDB call as a `store-call` event. Default: `true` when `metrics` is given. */
  calls?: boolean | undefined
}

/**
 * The `audit` option that sends the session's events to Powertools: metrics, logs and trace
 * subsegments, each only when its instance is given.
 *
 * In the `middy()` chain, put Powertools' own middlewares (`logMetrics`, `injectLambdaContext`,
 * `captureLambdaHandler`) before `dynamoSession()`: Middy runs `after` hooks in reverse, so the session's
 * last events are recorded before the metrics are published and the segment is closed.
 *
 * @example
 * ```ts
 * export const handler = middy()
 *   .use(logMetrics(metrics))
 *   .use(dynamoSession({ audit: powertools({ metrics, logger }) }))
 *   .handler(app)
 * ```
 */
export function powertools(tools: PowertoolsOptions): AuditOptions {
  const subscribers = [
    tools.metrics && sessionMetrics(tools.metrics),
    tools.logger && sessionLogs(tools.logger),
    tools.onEvent,
  ].filter((subscriber) => subscriber !== undefined)
  const calls = tools.calls ?? tools.metrics !== undefined
  return {
    onEvent: (event) => {
      for (const subscriber of subscribers) subscriber(event)
    },
    ...((calls || tools.tracer) && {
      observe: storeObserver({ calls, span: tools.tracer && sessionSpans(tools.tracer) }),
    }),
    ...(tools.key !== undefined && { key: tools.key }),
  }
}
