/**
 * The dev server serving a handler built for response streaming (a function URL in `RESPONSE_STREAM`
 * mode, Middy's `executionModeStreamifyResponse`) over real HTTP: the prelude becomes the status and
 * headers (the session cookie among them), the body arrives in the chunks the handler wrote, and the
 * session is stored against the suite's DynamoDB Local.
 */
import { Readable } from 'node:stream'
import middy from '@middy/core'
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { afterAll, expect, it } from 'vitest'
import { type HttpApiHandler, silentLog, startDevServer } from '../../scripts/dev-server.ts'
import { installStreamingRuntime } from '../../scripts/lambda-streaming.ts'
import { dynamoSession, type SessionContext } from '../../src/index.ts'
import { CookieJar } from '../../src/testing/index.ts'
import { localClient } from '../support/dynamo.ts'
import { localStores } from '../support/local-stores.ts'

const client = localClient()
// As the dev server does before it imports the handler module: Middy reads it when the handler is built.
const uninstall = installStreamingRuntime()
afterAll(() => {
  client.destroy()
  uninstall()
})

it('streams the body as written, with the session cookie in the headers; the session is stored', async () => {
  const store = await localStores(client)(Date.now)
  type Data = { visits: number }
  const handler = middy<APIGatewayProxyEventV2, unknown>({ executionMode: executionModeStreamifyResponse })
    .use(dynamoSession<Data>({ store, cookie: { secure: false } }))
    .handler(async (_event: APIGatewayProxyEventV2, context: SessionContext<Data>) => {
      const visits = ((await context.session.get('visits')) ?? 0) + 1
      await context.session.set('visits', visits)
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/plain' },
        body: Readable.from([`visit ${visits}: `, 'streamed']),
      }
    })
  const server = await startDevServer({
    handler: handler as unknown as HttpApiHandler,
    port: 0,
    log: silentLog,
  })
  try {
    const jar = new CookieJar()
    const headers = () => ({ cookie: jar.header() ?? '' })
    const first = await fetch(`${server.url}/chat`, { headers: headers() })
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('text/plain')
    expect(first.headers.get('content-length')).toBeNull() // chunked: the body streams
    jar.store(first.headers.getSetCookie())
    expect(jar.value).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(await first.text()).toBe('visit 1: streamed')
    const second = await fetch(`${server.url}/chat`, { headers: headers() })
    expect(await second.text()).toBe('visit 2: streamed')
    expect((await store.load(jar.value as string))?.data).toEqual({ visits: 2 })
    const head = await fetch(`${server.url}/chat`, { method: 'HEAD', headers: headers() })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  } finally {
    await server.close()
  }
})
