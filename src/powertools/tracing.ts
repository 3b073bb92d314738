/**
 * Session spans: each store operation of a request as a named subsegment of the request's X-Ray trace,
 * through Powertools Tracer. Off (tracing disabled, or no segment), the operation runs as it is.
 *
 * @module
 */
import type { SessionSpan } from './observer.ts'

/**
 * What the adapter needs of a trace subsegment (aws-xray-sdk-core's `Subsegment` fits).
 *
 * @example
 * ```ts
 * const part: TraceSegment = tracer.getSegment()!.addNewSubsegment('session.load')
 * ```
 */
export interface TraceSegment {
  /** A new subsegment of this one, open. */
  addNewSubsegment(name: string): TraceSegment
  /** Records the error the part ended with. */
  addError(error: Error): void
  /** Ends the part. */
  close(): void
}

/**
 * What the adapter needs of a tracer: Powertools `Tracer` fits as it is.
 *
 * @example
 * ```ts
 * import { Tracer } from '@aws-lambda-powertools/tracer'
 * const tracer: SessionTracer = new Tracer({ serviceName: 'shop' })
 * ```
 */
export interface SessionTracer {
  /** Whether traces are being recorded. */
  isTracingEnabled(): boolean
  /** The current segment or subsegment, if any. */
  getSegment(): TraceSegment | undefined
  /** Makes `segment` the current one. */
  setSegment(segment: TraceSegment): void
}

/**
 * An audit `span` that runs each store operation in a subsegment named after it (`session.load`,
 * `session.save`, `session.regenerate`, `session.users.endAll`...), with its error recorded.
 *
 * @example
 * ```ts
 * const tracer = new Tracer({ serviceName: 'shop' })
 * dynamoSession({ audit: { onEvent() {}, span: sessionSpans(tracer) } })
 * ```
 */
export function sessionSpans(tracer: SessionTracer): SessionSpan {
  return async (name, operation) => {
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined
    if (!parent) return operation()
    const part = parent.addNewSubsegment(name)
    tracer.setSegment(part)
    try {
      return await operation()
    } catch (error) {
      if (error instanceof Error) part.addError(error)
      throw error
    } finally {
      part.close()
      tracer.setSegment(parent)
    }
  }
}
