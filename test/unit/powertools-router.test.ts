/**
 * The session in Powertools' HTTP router (`@aws-lambda-powertools/event-handler/http`), resolved inside
 * a `middy()` chain with `dynamoSession()`: routes get the typed session from their request context with
 * `routerSession<T>(reqCtx)`, the cookie goes where the front door expects it, and a router resolved
 * outside such a chain is told so.
 */
import { Router } from '@aws-lambda-powertools/event-handler/http'
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { dynamoSession, type Session, SessionConfigError } from '../../src/index.ts'
import { routerSession } from '../../src/powertools/index.ts'
import { CookieJar, httpEvent, MemoryStore } from '../../src/testing/index.ts'

type Data = { count: number; name: string }

function app() {
  const router = new Router()
  router.get('/count', async (reqCtx) => {
    const session = routerSession<Data>(reqCtx)
    expectTypeOf(session).toEqualTypeOf<Session<Data>>()
    const count = ((await session.get('count')) ?? 0) + 1
    await session.set('count', count)
    return { count }
  })
  router.post('/logout', async (reqCtx) => {
    await routerSession<Data>(reqCtx).destroy()
    return { ok: true }
  })
  return router
}

describe('routerSession (Powertools HTTP router)', () => {
  it('counts per browser through the router, with the cookie in the HTTP API result', async () => {
    const store = new MemoryStore()
    const router = app()
    const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      .use(dynamoSession<Data>({ store }))
      .handler((event, context) => router.resolve(event, context))
    const jar = new CookieJar()
    const send = async (path: string, method = 'GET') => {
      const event = httpEvent('http-api-v2', { path, method, jar })
      const result = await handler(event, {} as never)
      jar.takeFrom(result, event)
      return result
    }
    const first = await send('/count')
    expect(first.statusCode).toBe(200)
    expect(JSON.parse(first.body as string)).toEqual({ count: 1 })
    expect(first.cookies?.[0]).toMatch(/^id=[A-Za-z0-9_-]{32}; /)
    expect(JSON.parse((await send('/count')).body as string)).toEqual({ count: 2 })
    expect(store.sessions().map((session) => session.data)).toEqual([{ count: 2 }])
    const other = new CookieJar()
    const event = httpEvent('http-api-v2', { path: '/count', jar: other })
    expect(JSON.parse((await handler(event, {} as never)).body as string)).toEqual({ count: 1 })
    await send('/logout', 'POST')
    expect(jar.value).toBeUndefined()
    expect(store.sessions()).toHaveLength(1)
  })

  it('a router resolved outside a dynamoSession() chain: SessionConfigError, in words', async () => {
    expect(() => routerSession({ context: {} as Context })).toThrow(SessionConfigError)
    expect(() => routerSession({ context: {} as Context })).toThrow(
      /inside a middy\(\) chain that uses dynamoSession\(\)/,
    )
    const result = await app().resolve(httpEvent('http-api-v2', { path: '/count' }), {} as never)
    expect(result.statusCode).toBe(500) // the router's own error answer: nothing counted, no cookie
    expect(result.cookies ?? []).toEqual([])
  })
})
