/**
 * The part of the Lambda Node.js runtime's response streaming that a handler built for a function URL in
 * `RESPONSE_STREAM` mode uses (Middy's `executionModeStreamifyResponse` calls the runtime's global
 * `awslambda.streamifyResponse` when the handler is built, and `awslambda.HttpResponseStream.from` to
 * write the response's prelude), so the dev server can serve such a handler over plain HTTP: the
 * prelude becomes the status line and headers (its `cookies` as `Set-Cookie`), then the body streams
 * through as it is written.
 */
import type { ServerResponse } from 'node:http'
import { Writable } from 'node:stream'
import { fromHandlerResult } from './http-to-lambda.ts'

const STREAMING = Symbol.for('middy-dynamodb-session.dev-server.streaming')

/** A response stream that can be told its prelude (status, headers, cookies) before the body. */
type PreludeSink = Writable & { prelude?: (prelude: unknown) => void }

/**
 * Gives the runtime's `awslambda` global its streaming members, unless it has them (in Lambda it does;
 * here the AWS SDK may have made the object for its own use): call it before importing a handler module
 * (Middy reads them when the handler is built). Returns a function that takes them away again.
 *
 * @example
 * installStreamingRuntime()
 * const { handler } = await import('./stream.ts')
 */
export function installStreamingRuntime(): () => void {
  const global = globalThis as { awslambda?: Record<string, unknown> }
  const runtime = global.awslambda ?? {}
  global.awslambda = runtime
  if (typeof runtime.streamifyResponse === 'function') return () => undefined
  runtime.streamifyResponse = <T extends object>(handler: T): T =>
    Object.assign(handler, { [STREAMING]: true })
  runtime.HttpResponseStream = {
    from(stream: PreludeSink, prelude: unknown): PreludeSink {
      stream.prelude?.(prelude)
      return stream
    },
  }
  return () => {
    delete runtime.streamifyResponse
    delete runtime.HttpResponseStream
  }
}

/**
 * Whether `handler` was built by `awslambda.streamifyResponse` (it takes `(event, responseStream, context)`).
 *
 * @example
 * if (isStreamingHandler(handler)) await handler(event, responseStreamFor(res, false), context)
 */
export function isStreamingHandler(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as { [STREAMING]?: boolean })[STREAMING] === true
}

/**
 * A response stream writing to `res`: the prelude as the status and headers (`200` and no headers if the
 * handler streams without one), then each chunk as it comes; the body is left out for a `HEAD` request.
 *
 * @example
 * await handler(event, responseStreamFor(res, req.method === 'HEAD'), context)
 */
export function responseStreamFor(res: ServerResponse, head: boolean): Writable {
  let started = false
  const start = (prelude: unknown) => {
    if (started) return
    started = true
    const { statusCode, headers } = fromHandlerResult({ ...(prelude as object), body: '' })
    res.writeHead(statusCode, headers)
  }
  const stream: PreludeSink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      start({ statusCode: 200 })
      if (head || chunk.length === 0) return done()
      res.write(chunk, () => done())
    },
    final(done) {
      start({ statusCode: 200 })
      res.end(() => done())
    },
  })
  stream.prelude = start
  return stream
}
