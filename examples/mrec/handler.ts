/**
 * A session function for a DynamoDB global table in multi-Region eventual consistency (MREC), with home
 * Regions: every session is written in the Region that created it, and read where this function runs
 * (docs/multi-region.md). `PEER_REGION` names the other replica's Region. `GET /` counts visits, `POST
 * /login` starts a new session id with the same data (what a sign-in does), `POST /logout` ends the
 * session. Deployed by ./template.yaml in each Region.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { DynamoDBSessionStore, dynamoSession, homeRegions } from '../../src/index.ts'

type Data = { count: number }

const tableName = process.env.TABLE_NAME
const here = process.env.AWS_REGION ?? ''
const other = process.env.PEER_REGION ?? ''
// The same table, in the other Region: where the writes of the sessions created there go.
const peer = new DynamoDBSessionStore({ tableName, client: new DynamoDBClient({ region: other }) })

export const handler = middy()
  .use(
    dynamoSession<Data>({
      store: { tableName, homeRegions: homeRegions({ region: here, peers: { [other]: peer } }) },
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
