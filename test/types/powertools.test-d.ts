/**
 * Powertools' own instances fit the library's hooks as they are, with no cast: a Powertools Logger as
 * the `logger` option (it did not before issue 22: the optional `details` parameter clashed with its rest
 * parameters), and Logger, Metrics and Tracer given to `powertools()`.
 */
import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { Tracer } from '@aws-lambda-powertools/tracer'
import { describe, expectTypeOf, it } from 'vitest'
import { dynamoSession, type SessionLogger } from '../../src/index.ts'
import { powertools, type SessionMetricsClient, type SessionTracer } from '../../src/powertools/index.ts'

describe('Powertools instances fit', () => {
  it('Logger is a SessionLogger, and so are console and a warn/error object', () => {
    expectTypeOf(new Logger()).toExtend<SessionLogger>()
    expectTypeOf(console).toExtend<SessionLogger>()
    expectTypeOf({ warn(_message: string) {}, error(_message: string) {} }).toExtend<SessionLogger>()
    dynamoSession({ logger: new Logger({ serviceName: 'shop' }) })
  })

  it('Metrics and Tracer fit the adapters', () => {
    expectTypeOf(new Metrics()).toExtend<SessionMetricsClient>()
    expectTypeOf(new Tracer()).toExtend<SessionTracer>()
    const logger = new Logger()
    dynamoSession({ logger, audit: powertools({ logger, metrics: new Metrics(), tracer: new Tracer() }) })
  })
})
