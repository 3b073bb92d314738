/**
 * The counter Lambda of `template.yaml`: counts each visitor's page views in a server-side session.
 *
 * Environment:
 * - `TABLE_NAME`: the sessions table (the template passes `!Ref SessionsTable`).
 * - `COOKIE_SECURE`: `false` drops the cookie's `Secure` attribute, for plain http://localhost only
 *   (`npm start` and `sam local` set it); unset or anything else keeps the default, `Secure`.
 * - `AWS_ENDPOINT_URL_DYNAMODB`: read by the AWS SDK itself, to point at DynamoDB Local.
 */
import middy from '@middy/core'
import { dynamoSession } from '../../src/index.ts'
import { readCounterRequest, routeCounter } from './routes.ts'

/** What the counter keeps in a session. */
export type CounterData = { count: number }

export const handler = middy()
  .use(
    dynamoSession<CounterData>({
      store: { tableName: process.env.TABLE_NAME },
      cookie: { secure: process.env.COOKIE_SECURE !== 'false' },
    }),
  )
  .handler(async (event, context) => routeCounter(readCounterRequest(event), context.session))
