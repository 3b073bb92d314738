// examples/testing/counter.test.ts: run with `npx vitest run`
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { type DynamoSessionOptions, dynamoSession, type SessionContext } from 'middy-dynamodb-session'
import { CookieJar, httpEvent, MemoryStore, testClock } from 'middy-dynamodb-session/testing'
import { expect, it } from 'vitest'

type Data = { count: number }

// The handler under test. In an app it has a module of its own (`export const handler = counter()`);
// taking the session options lets a test give it a MemoryStore and a clock.
function counter(options: DynamoSessionOptions = {}) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(dynamoSession<Data>(options))
    .handler(async (_event, context) => {
      const count = ((await context.session.get('count')) ?? 0) + 1
      await context.session.set('count', count)
      return { statusCode: 200, body: JSON.stringify({ count }) }
    })
}

// One browser in front of the handler: the store and the middleware share the test's clock.
function browser() {
  const clock = testClock()
  const store = new MemoryStore({ now: clock.now })
  const handler = counter({ store, now: clock.now })
  const jar = new CookieJar({ now: clock.now })
  const visit = async () => {
    const event = httpEvent('http-api-v2', { path: '/', jar }) // the jar's cookies go in...
    const result = await handler(event, {} as SessionContext<Data>) // (middy adds `session` to the context)
    jar.takeFrom(result, event) // ...and the response's Set-Cookie comes back into the jar
    return JSON.parse(String(result.body))
  }
  return { clock, store, jar, visit }
}

it('counts the visits of one browser', async () => {
  const { store, jar, visit } = browser()
  expect(await visit()).toEqual({ count: 1 }) // first visit: a new session, and its cookie
  const id = jar.value
  expect(id).toBeDefined()
  expect(await visit()).toEqual({ count: 2 }) // return visit, with the jar's cookie
  expect(jar.value).toBe(id)
  expect(store.sessions()).toMatchObject([{ id, data: { count: 2 } }])
})

it('starts again once the session has expired', async () => {
  const { clock, store, jar, visit } = browser()
  expect(await visit()).toEqual({ count: 1 })
  clock.advance({ days: 14, seconds: 1 }) // past the default 14 days of inactivity
  expect(jar.value).toBeUndefined() // the browser dropped the cookie,
  expect(store.sessions()).toEqual([]) // and the store the session
  expect(await visit()).toEqual({ count: 1 })
})
