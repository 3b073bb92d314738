import middy from '@middy/core'
import type { Route } from '@middy/http-router'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda'
import { describe, expectTypeOf, it } from 'vitest'
import { dynamoSession, type Session, type SessionHandler, sessionRoute } from '../../src/index.ts'

type Data = { count: number }
type Event = APIGatewayProxyEventV2
type Result = APIGatewayProxyResultV2

describe('SessionHandler', () => {
  it('types the context of a handler written apart from middy(), and .handler() takes it', () => {
    const count: SessionHandler<Data, Event, Result> = async (event, context) => {
      expectTypeOf(event).toEqualTypeOf<Event>()
      expectTypeOf(context.session).toEqualTypeOf<Session<Data>>()
      expectTypeOf(context.getRemainingTimeInMillis).toBeFunction()
      // @ts-expect-error: 'count' holds a number
      await context.session.set('count', 'one')
      return { statusCode: 200 }
    }
    middy<Event, Result>().use(dynamoSession<Data>()).handler(count)
  })

  it('is not a handler for a context without the session (middy() without the middleware)', () => {
    const count: SessionHandler<Data, Event, Result> = async () => ({ statusCode: 200 })
    // @ts-expect-error: no dynamoSession() in the chain
    middy<Event, Result>().handler(count)
    expectTypeOf(count).parameter(1).not.toEqualTypeOf<Context>()
  })

  it("is not a plain Lambda handler, which is what @middy/http-router's routes are typed as", () => {
    const count: SessionHandler<Data, Event, Result> = async () => ({ statusCode: 200 })
    // @ts-expect-error: a route's handler is called with a plain Context as far as its types know
    const route: Route<Event, Result> = { method: 'GET', path: '/count', handler: count }
    expectTypeOf(route).not.toBeAny()
  })

  it('becomes a route handler with sessionRoute(), no cast', () => {
    const count: SessionHandler<Data, Event, Result> = async () => ({ statusCode: 200 })
    const route: Route<Event, Result> = { method: 'GET', path: '/count', handler: sessionRoute(count) }
    expectTypeOf(route.handler).not.toBeAny()
  })
})
