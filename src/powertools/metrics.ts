/**
 * Session metrics: the audit stream as CloudWatch metrics, through anything with Powertools Metrics'
 * `addMetric` (so the Embedded Metric Format lines it writes). Counts only, no dimension of their own:
 * the cost stays that of one metric per name, whatever the traffic (no per-user or per-session
 * dimension; the reason of a conflict is part of the name).
 *
 * @module
 */
import type { SessionEvent, SessionEventType } from '../audit.ts'

/**
 * What the adapter needs of a metrics client: Powertools `Metrics` fits as it is.
 *
 * @example
 * ```ts
 * import { Metrics } from '@aws-lambda-powertools/metrics'
 * const metrics: SessionMetricsClient = new Metrics({ namespace: 'Shop', serviceName: 'web' })
 * ```
 */
export interface SessionMetricsClient {
  /** Adds one value to the metric `name` (published with the invocation's other metrics). */
  addMetric(name: string, unit: 'Count', value: number): void
}

/**
 * The metric each audit event counts (1 per event; `SessionsEnded` counts the sessions ended). A
 * `conflict` also counts `SessionConflicts` followed by its reason (`SessionConflictsKey`,
 * `SessionConflictsExpiry`, `SessionConflictsEnded`, `SessionConflictsContention`,
 * `SessionConflictsReplicated`). A `store-call` counts
 * `DynamoDBCalls`, and adds its retries to `DynamoDBRetries`, its capacity units to
 * `DynamoDBCapacityUnits`, and a failure other than a refused condition to `DynamoDBErrors`.
 *
 * @example
 * ```ts
 * console.log(SESSION_METRICS['unknown-id']) // 'UnknownSessionIds'
 * ```
 */
export const SESSION_METRICS: Readonly<Record<SessionEventType, string>> = Object.freeze({
  created: 'SessionsCreated',
  loaded: 'SessionsLoaded',
  'unknown-id': 'UnknownSessionIds',
  expired: 'SessionsExpired',
  saved: 'SessionsSaved',
  touched: 'SessionsTouched',
  conflict: 'SessionConflicts',
  regenerated: 'SessionsRegenerated',
  renewed: 'SessionsRenewed',
  destroyed: 'SessionsDestroyed',
  bound: 'SessionsBound',
  ended: 'SessionsEnded',
  'cross-site-refused': 'CrossSiteRefused',
  'store-call': 'DynamoDBCalls',
})

/** `key` → `Key`: the reason's part of a metric name. */
const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

/**
 * An audit `onEvent` that counts each event in `metrics` ({@link SESSION_METRICS}).
 *
 * @example
 * ```ts
 * const count = sessionMetrics(new Metrics({ namespace: 'Shop' }))
 * dynamoSession({ audit: { onEvent: count, calls: true } })
 * ```
 */
export function sessionMetrics(metrics: SessionMetricsClient): (event: SessionEvent) => void {
  return (event) => {
    metrics.addMetric(SESSION_METRICS[event.type], 'Count', event.type === 'ended' ? (event.count ?? 0) : 1)
    if (event.type === 'conflict' && event.reason) {
      metrics.addMetric(`SessionConflicts${capitalized(event.reason)}`, 'Count', 1)
    }
    if (event.type !== 'store-call') return
    if (event.attempts !== undefined && event.attempts > 1) {
      metrics.addMetric('DynamoDBRetries', 'Count', event.attempts - 1)
    }
    if (event.capacity !== undefined) metrics.addMetric('DynamoDBCapacityUnits', 'Count', event.capacity)
    if (event.reason !== undefined && event.reason !== 'condition')
      metrics.addMetric('DynamoDBErrors', 'Count', 1)
  }
}
