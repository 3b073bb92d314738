import middy from '@middy/core'
import httpCors from '@middy/http-cors'
import httpErrorHandler from '@middy/http-error-handler'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import httpRouterHandler, { type Route } from '@middy/http-router'
import httpSecurityHeaders from '@middy/http-security-headers'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
import { parseSetCookie } from 'cookie'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  DynamoDBSessionStore,
  dynamoSession,
  SessionConfigError,
  type SessionContext,
  type SessionHandler,
  sessionRoute,
} from '../../src/index.ts'
import { freshContext, type HttpResult } from '../support/app.ts'
import { countingClient, createTable } from '../support/dynamo.ts'
import { httpApiV2Event, restApiV1Event } from '../support/events.ts'
import { changeOf } from '../support/store-contract.ts'

type Data = { count: number; name: string }
const ctx = () => freshContext() as SessionContext<Data>

const { client, calls } = countingClient()
let tableName: string
beforeAll(async () => {
  tableName = await createTable(client)
})
const session = () => dynamoSession<Data>({ client, store: { tableName } })
const quiet = { logger: false as const }

describe('@middy/http-error-handler', () => {
  it('an error after a session change: the error response, nothing saved, no cookie', async () => {
    const handler = middy()
      .use(session())
      .use(httpErrorHandler(quiet))
      .handler(async (_event, context) => {
        await context.session.set('count', 1)
        throw Object.assign(new Error('Teapot'), { statusCode: 418, expose: true })
      })
    calls.length = 0
    const response = (await handler(httpApiV2Event(), ctx())) as HttpResult
    expect(response.statusCode).toBe(418)
    expect(response.body).toBe('Teapot')
    expect(calls).toEqual([])
    expect(response.cookies).toBeUndefined()
  })

  it('with saveOnError, the error response carries the new session cookie', async () => {
    const handler = middy()
      .use(dynamoSession<Data>({ client, store: { tableName }, saveOnError: true }))
      .use(httpErrorHandler(quiet))
      .handler(async (_event, context) => {
        await context.session.set('count', 1)
        throw Object.assign(new Error('Bad'), { statusCode: 400, expose: true })
      })
    const response = (await handler(httpApiV2Event(), ctx())) as HttpResult
    expect(response.statusCode).toBe(400)
    const cookie = parseSetCookie(response.cookies?.[0] ?? '')
    expect(cookie.name).toBe('id')
    expect((await new DynamoDBSessionStore({ client, tableName }).load(cookie.value ?? ''))?.data).toEqual({
      count: 1,
    })
  })

  it('turns a session conflict into 409 Conflict', async () => {
    const store = new DynamoDBSessionStore({ client, tableName })
    const seeded = await store.create({ data: { count: 0 }, expiresAt: Math.floor(Date.now() / 1000) + 600 })
    const handler = middy()
      .use(session())
      .use(httpErrorHandler(quiet))
      .handler(async (_event, context) => {
        const n = ((await context.session.get('count')) ?? 0) + 1
        // Another request changes the same key meanwhile.
        const current = await store.load(seeded.id)
        if (current) await store.save(changeOf(current, { count: 100 }))
        await context.session.set('count', n)
        return { statusCode: 200 }
      })
    const response = (await handler(httpApiV2Event({ cookieHeader: `id=${seeded.id}` }), ctx())) as HttpResult
    expect(response.statusCode).toBe(409)
    expect(response.cookies).toBeUndefined()
    expect((await store.load(seeded.id))?.data).toEqual({ count: 100 })
  })
})

describe('@middy/http-cors', () => {
  it('a preflight answered early costs no session I/O and sets no cookie', async () => {
    const handler = middy()
      // disableBeforePreflightResponse: false makes http-cors answer the preflight in `before`.
      .use(
        httpCors({
          origin: 'https://app.example.com',
          credentials: true,
          disableBeforePreflightResponse: false,
        }),
      )
      .use(session())
      .handler(async (_event, context) => {
        await context.session.set('count', 1)
        return { statusCode: 200 }
      })
    calls.length = 0
    const response = (await handler(
      httpApiV2Event({ method: 'OPTIONS', headers: { origin: 'https://app.example.com' } }),
      ctx(),
    )) as HttpResult
    expect(response.statusCode).toBe(204)
    expect(calls).toEqual([])
    expect(response.cookies).toBeUndefined()
  })

  it('a credentialed GET gets both the CORS headers and the session cookie, in either order', async () => {
    for (const order of ['cors first', 'session first']) {
      const cors = httpCors({ origin: 'https://app.example.com', credentials: true })
      const chain = order === 'cors first' ? [cors, session()] : [session(), cors]
      const handler = middy()
        .use(chain)
        .handler(async (_event, context: SessionContext<Data>) => {
          await context.session.set('count', 1)
          return { statusCode: 200, body: 'ok' }
        })
      const response = (await handler(
        httpApiV2Event({ headers: { origin: 'https://app.example.com' } }),
        ctx(),
      )) as HttpResult
      expect(response.headers?.['Access-Control-Allow-Origin']).toBe('https://app.example.com')
      expect(response.headers?.['Access-Control-Allow-Credentials']).toBe('true')
      expect(response.cookies).toHaveLength(1)
    }
  })
})

describe('@middy/http-router', () => {
  it('one Lambda, many routes: only routes that touch the session pay for it', async () => {
    const handler = middy()
      .use(session())
      .handler(
        httpRouterHandler([
          { method: 'GET', path: '/health', handler: async () => ({ statusCode: 200, body: 'ok' }) },
          {
            method: 'GET',
            path: '/count',
            handler: async (_event: unknown, context: SessionContext<Data>) => {
              const count = ((await context.session.get('count')) ?? 0) + 1
              await context.session.set('count', count)
              return { statusCode: 200, body: String(count) }
            },
          },
        ] as never) as never,
      )
    calls.length = 0
    const health = (await handler(httpApiV2Event({ path: '/health' }), ctx())) as HttpResult
    expect(health.body).toBe('ok')
    expect(calls).toEqual([])
    expect(health.cookies).toBeUndefined()

    const first = (await handler(httpApiV2Event({ path: '/count' }), ctx())) as HttpResult
    const id = parseSetCookie(first.cookies?.[0] ?? '').value
    const second = (await handler(
      httpApiV2Event({ path: '/count', cookieHeader: `id=${id}` }),
      ctx(),
    )) as HttpResult
    expect(second.body).toBe('2')
    calls.length = 0
    await handler(httpApiV2Event({ path: '/health', cookieHeader: `id=${id}` }), ctx())
    expect(calls).toEqual([])
  })

  it('sessionRoute(): a SessionHandler as a typed route handler, no cast; without dynamoSession() a clear error', async () => {
    const count: SessionHandler<Data, APIGatewayProxyEventV2, APIGatewayProxyResultV2> = async (
      _event,
      context,
    ) => {
      const next = ((await context.session.get('count')) ?? 0) + 1
      await context.session.set('count', next)
      return { statusCode: 200, body: String(next) }
    }
    const routes: Route<APIGatewayProxyEventV2, APIGatewayProxyResultV2>[] = [
      { method: 'GET', path: '/count', handler: sessionRoute(count) },
    ]
    const withSession = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
      .use(session())
      .handler(httpRouterHandler(routes))
    const first = (await withSession(httpApiV2Event({ path: '/count' }), ctx())) as HttpResult
    expect(first.body).toBe('1')
    const cookie = parseSetCookie(first.cookies?.[0] ?? '')
    const second = (await withSession(
      httpApiV2Event({ path: '/count', cookieHeader: `id=${cookie.value}` }),
      ctx(),
    )) as HttpResult
    expect(second.body).toBe('2')
    const without = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().handler(
      httpRouterHandler(routes),
    )
    await expect(without(httpApiV2Event({ path: '/count' }), ctx())).rejects.toBeInstanceOf(
      SessionConfigError,
    )
  })
})

describe('@middy/http-json-body-parser', () => {
  it('a parsed JSON body goes into the session', async () => {
    const handler = middy()
      .use(session())
      .use(httpJsonBodyParser())
      .handler(async (event, context) => {
        await context.session.set('name', (event as unknown as { body: { name: string } }).body.name)
        return { statusCode: 200, body: JSON.stringify({ hello: await context.session.get('name') }) }
      })
    const event = restApiV1Event({
      method: 'POST',
      body: JSON.stringify({ name: 'Ada' }),
      headers: { 'Content-Type': 'application/json' },
    })
    const response = (await handler(event as never, ctx())) as HttpResult
    expect(JSON.parse(response.body ?? '{}')).toEqual({ hello: 'Ada' })
    expect(response.multiValueHeaders?.['Set-Cookie']).toHaveLength(1)
    expect(response).not.toHaveProperty('cookies')
  })
})

describe('@middy/http-security-headers', () => {
  it('security headers and the session cookie live side by side', async () => {
    for (const order of ['headers first', 'session first']) {
      const headers = httpSecurityHeaders()
      const chain = order === 'headers first' ? [headers, session()] : [session(), headers]
      const handler = middy()
        .use(chain)
        .handler(async (_event, context: SessionContext<Data>) => {
          await context.session.set('count', 1)
          return { statusCode: 200, body: '<p>hi</p>', headers: { 'Content-Type': 'text/html' } }
        })
      const response = (await handler(httpApiV2Event(), ctx())) as HttpResult
      expect(response.headers?.['Strict-Transport-Security']).toBeDefined()
      expect(response.headers?.['Content-Type']).toBe('text/html')
      expect(response.cookies).toHaveLength(1)
    }
  })
})
