/**
 * Session spans in a real Powertools Tracer: each store operation of a request becomes a subsegment of
 * the request's X-Ray segment, named after it, closed, with its error recorded; with tracing off, the
 * operations run as they are. (The X-Ray SDK's segments, in memory: no daemon is needed to read them.)
 */
import middy from '@middy/core'
import { beforeAll, describe, expect, it } from 'vitest'

type XRay = typeof import('aws-xray-sdk-core')
type Segment = InstanceType<XRay['Segment']>
let Tracer: typeof import('@aws-lambda-powertools/tracer').Tracer
let AWSXRay: XRay

beforeAll(async () => {
  // A Lambda environment, as far as Tracer is concerned: tracing is on only there.
  process.env.AWS_LAMBDA_FUNCTION_NAME = 'counter'
  process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x'
  process.env.AWS_XRAY_CONTEXT_MISSING = 'IGNORE_ERROR'
  ;({ Tracer } = await import('@aws-lambda-powertools/tracer'))
  AWSXRay = (await import('aws-xray-sdk-core')).default
})

const { dynamoSession, SessionStoreError } = await import('../../src/index.ts')
const { powertools, sessionSpans } = await import('../../src/powertools/index.ts')
const { httpEvent, CookieJar, MemoryStore } = await import('../../src/testing/index.ts')

/** Runs `run` in a fresh X-Ray context whose current segment is a new root segment; returns the root. */
async function traced(tracer: InstanceType<typeof Tracer>, run: () => Promise<unknown>): Promise<Segment> {
  const root = new AWSXRay.Segment('request')
  await AWSXRay.getNamespace().runPromise(async () => {
    tracer.setSegment(root)
    await run()
    if (tracer.isTracingEnabled()) expect(tracer.getSegment()).toBe(root) // every span restored its parent
  })
  return root
}

const names = (segment: Segment) =>
  (segment.subsegments ?? []).map((part) => ({
    name: part.name,
    closed: (part as unknown as { end_time?: number }).end_time !== undefined,
  }))

describe('session spans (Powertools Tracer)', () => {
  it("a request's store operations are subsegments of its segment, in order, each closed", async () => {
    const tracer = new Tracer({ serviceName: 'counter' })
    expect(tracer.isTracingEnabled()).toBe(true)
    const store = new MemoryStore()
    const jar = new CookieJar()
    const handler = middy()
      .use(dynamoSession<{ n: number }>({ store, audit: powertools({ tracer }) }))
      .handler(async (_event, { session }) => {
        await session.set('n', ((await session.get('n')) ?? 0) + 1)
        return { statusCode: 200, body: 'ok' }
      })
    const send = async () => {
      const event = httpEvent('http-api-v2', { path: '/', jar })
      jar.takeFrom(await handler(event, {} as never), event)
    }
    expect(names(await traced(tracer, send))).toEqual([{ name: 'session.create', closed: true }])
    expect(names(await traced(tracer, send))).toEqual([
      { name: 'session.load', closed: true },
      { name: 'session.save', closed: true },
    ])
  })

  it("records a failed operation's error on its subsegment, and rethrows it", async () => {
    const tracer = new Tracer({ serviceName: 'counter' })
    const span = sessionSpans(tracer)
    const failure = new SessionStoreError('GetItem', 'DynamoDB GetItem failed')
    let thrown: unknown
    const root = await traced(tracer, async () => {
      thrown = await span('session.load', () => Promise.reject(failure)).catch((error: unknown) => error)
    })
    expect(thrown).toBe(failure)
    const [part] = root.subsegments ?? []
    expect(part?.name).toBe('session.load')
    expect((part as unknown as { end_time?: number }).end_time).toBeDefined()
    expect(
      (part as unknown as { fault?: boolean; error?: boolean }).fault ?? (part as { error?: boolean }).error,
    ).toBe(true)
  })

  it('with tracing off, runs the operation and makes no subsegment', async () => {
    const tracer = new Tracer({ serviceName: 'counter', enabled: false })
    const span = sessionSpans(tracer)
    const root = await traced(tracer, async () => {
      expect(await span('session.load', async () => 42)).toBe(42)
    })
    expect(root.subsegments ?? []).toEqual([])
  })
})
