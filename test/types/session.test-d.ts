import middy from '@middy/core'
import { describe, expectTypeOf, it } from 'vitest'
import defaultExport, {
  dynamoSession,
  Expiry,
  type JsonValue,
  type Session,
  type SessionContext,
  type SessionData,
} from '../../src/index.ts'

type Data = { count: number; user?: { name: string } }

describe('types', () => {
  it('types context.session from dynamoSession<T>()', () => {
    middy()
      .use(dynamoSession<Data>({ store: { tableName: 'Sessions' } }))
      .handler(async (_event, context) => {
        expectTypeOf(context.session).toEqualTypeOf<Session<Data>>()
        expectTypeOf(context.session.get('count')).toEqualTypeOf<Promise<number | undefined>>()
        expectTypeOf(context.session.get('user')).toEqualTypeOf<Promise<{ name: string } | undefined>>()
        expectTypeOf(context.session.id).toEqualTypeOf<string | undefined>()
        // @ts-expect-error: not a key of Data
        await context.session.get('missing')
        // @ts-expect-error: wrong value type for the key
        await context.session.set('count', 'one')
        await context.session.set('count', 1)
        await context.session.setExpiry(Expiry.onInactivity(60))
        expectTypeOf(context.getRemainingTimeInMillis).toBeFunction() // still a Lambda context
        return { statusCode: 200 }
      })
  })

  it('makes context.session a type error without the middleware', () => {
    middy().handler(async (_event, context) => {
      // @ts-expect-error: no session on a plain Lambda context
      context.session.get('count')
      return { statusCode: 200 }
    })
  })

  it('defaults to untyped JSON data, and exports the middleware as default too', () => {
    middy()
      .use(defaultExport())
      .handler(async (_event, context) => {
        expectTypeOf(context.session).toEqualTypeOf<Session<SessionData>>()
        expectTypeOf(context.session.get('anything')).toEqualTypeOf<Promise<JsonValue | undefined>>()
        return { statusCode: 200 }
      })
    expectTypeOf(defaultExport).toEqualTypeOf(dynamoSession)
  })

  it('accepts interfaces as well as type aliases for the data', () => {
    interface Cart {
      items: string[]
    }
    const handler = async (_event: unknown, context: SessionContext<Cart>) => context.session.get('items')
    expectTypeOf(handler).returns.toEqualTypeOf<Promise<string[] | undefined>>()
  })
})
