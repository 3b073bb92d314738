/**
 * Streamed responses (issue 19): a Function URL in `RESPONSE_STREAM` mode, through Middy's
 * `executionModeStreamifyResponse`. Middy runs the after hooks before it writes the response's prelude,
 * so the session is saved and its `Set-Cookie` is in the prelude before the first byte of the body; a
 * session call made from inside the body stream comes after the request's end and is refused. The
 * Lambda runtime's `awslambda` global is stubbed (no runtime here); the store is DynamoDB Local.
 */
import { Readable, Writable } from 'node:stream'
import middy from '@middy/core'
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { afterAll, expect, it } from 'vitest'
import { dynamoSession, type SessionContext, SessionDataError } from '../../src/index.ts'
import { CookieJar, httpEvent } from '../../src/testing/index.ts'
import { localClient } from '../support/dynamo.ts'
import { localStores } from '../support/local-stores.ts'

const client = localClient()
afterAll(() => {
  client.destroy()
  const runtime = (globalThis as { awslambda?: Record<string, unknown> }).awslambda
  delete runtime?.streamifyResponse
  delete runtime?.HttpResponseStream
})

/** What the stubbed runtime saw: the prelude Middy wrote, and the body chunks, in order. */
interface Streamed {
  prelude: { statusCode?: number; cookies?: string[]; headers?: Record<string, string> } | undefined
  chunks: string[]
  /** Whether the session was already stored when the first body chunk was written. */
  storedAtFirstChunk: boolean | undefined
}

/** The Lambda runtime's streaming API, as far as Middy uses it. */
function stubRuntime(streamed: Streamed, stored: () => Promise<boolean>) {
  // The AWS SDK may have made the global already (for its own use): add the streaming members to it.
  const global = globalThis as { awslambda?: Record<string, unknown> }
  global.awslambda ??= {}
  global.awslambda.streamifyResponse = (handler: unknown) => handler
  global.awslambda.HttpResponseStream = {
    from(stream: Writable, prelude: Streamed['prelude']) {
      streamed.prelude = prelude
      return stream
    },
  }
  return new Writable({
    write(chunk, _encoding, done) {
      const text = String(chunk)
      if (text === '') return done()
      streamed.chunks.push(text)
      if (streamed.storedAtFirstChunk !== undefined) return done()
      stored().then((yes) => {
        streamed.storedAtFirstChunk = yes
        done()
      }, done)
    },
  })
}

it('a streamed response carries the cookie in its prelude, the session saved before the body; a call from the body is refused', async () => {
  const store = await localStores(client)(Date.now)
  const streamed: Streamed = { prelude: undefined, chunks: [], storedAtFirstChunk: undefined }
  let lateCall: unknown
  const jar = new CookieJar()
  const responseStream = stubRuntime(streamed, async () => {
    const id = /^id=([^;]+)/.exec(streamed.prelude?.cookies?.[0] ?? '')?.[1]
    return id !== undefined && (await store.load(id))?.data.visits === 1
  })
  type Data = { visits: number; late?: number }
  const handler = middy<APIGatewayProxyEventV2, unknown>({ executionMode: executionModeStreamifyResponse })
    .use(dynamoSession<Data>({ store }))
    .handler(async (_event: APIGatewayProxyEventV2, context: SessionContext<Data>) => {
      const { session } = context
      await session.set('visits', ((await session.get('visits')) ?? 0) + 1)
      async function* body() {
        yield 'one '
        // An LLM's tokens, say: by now the request has ended, and the session with it.
        lateCall = await session.set('late', 1).catch((error: unknown) => error)
        yield 'two'
      }
      return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: Readable.from(body()) }
    })
  const event = httpEvent('function-url', { path: '/stream', jar })
  await (handler as unknown as (e: unknown, s: Writable, c: unknown) => Promise<void>)(
    event,
    responseStream,
    {},
  )
  expect(streamed.prelude?.statusCode).toBe(200)
  expect(streamed.prelude?.cookies).toHaveLength(1)
  expect(streamed.prelude?.cookies?.[0]).toMatch(/^id=[A-Za-z0-9_-]{32}; /)
  const headers = Object.entries(streamed.prelude?.headers ?? {})
  const cacheControl = headers.find(([name]) => name.toLowerCase() === 'cache-control')?.[1]
  expect(cacheControl).toMatch(/^private, no-cache="Set-Cookie"$/) // no shared cache keeps it
  expect(streamed.chunks.join('')).toBe('one two')
  expect(streamed.storedAtFirstChunk).toBe(true) // saved before the first byte of the body
  expect(lateCall).toBeInstanceOf(SessionDataError) // refused, not silently lost
  jar.store(streamed.prelude?.cookies ?? [])
  expect((await store.load(jar.value as string))?.data).toEqual({ visits: 1 })
})
