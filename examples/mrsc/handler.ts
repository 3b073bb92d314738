/**
 * A session function for a DynamoDB global table in multi-Region strong consistency (MRSC): the lite
 * subpath (no AWS SDK to load), and `transactions: false`, since MRSC refuses `TransactWriteItems`
 * (docs/multi-region.md). `GET /` counts visits, `POST /login` starts a new session id with the same data
 * (what a sign-in does), `POST /logout` ends the session. Deployed by ./template.yaml in each Region.
 */
import middy from '@middy/core'
import { dynamoSession } from '../../src/lite/index.ts'

type Data = { count: number }

export const handler = middy()
  .use(
    dynamoSession<Data>({
      store: { tableName: process.env.TABLE_NAME, transactions: false },
      cookie: { secure: process.env.COOKIE_SECURE !== 'false' },
    }),
  )
  .handler(async (event, context) => {
    const { session } = context
    const { method, path } = (event as { requestContext: { http: { method: string; path: string } } })
      .requestContext.http
    if (method === 'POST' && path === '/login') {
      await session.regenerate()
      return { statusCode: 204 }
    }
    if (method === 'POST' && path === '/logout') {
      await session.destroy()
      return { statusCode: 204 }
    }
    const count = ((await session.get('count')) ?? 0) + 1
    await session.set('count', count)
    return { statusCode: 200, body: JSON.stringify({ count }) }
  })
