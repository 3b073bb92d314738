/**
 * The counter Lambda of `template.yaml`: counts each visitor's page views in a server-side session, with
 * a sign-in demo of a user's sessions (sign in as a name, see your devices, sign one out).
 *
 * Environment:
 * - `TABLE_NAME`: the sessions table (the template passes `!Ref SessionsTable`), with the
 *   `user-sessions` index the template gives it.
 * - `COOKIE_SECURE`: `false` drops the cookie's `Secure` attribute, for plain http://localhost only
 *   (`npm start` and `sam local` set it); unset or anything else keeps the default, `Secure`.
 * - `AWS_ENDPOINT_URL_DYNAMODB`: read by the AWS SDK itself, to point at DynamoDB Local.
 */
import middy from '@middy/core'
import { dynamoSession } from '../../src/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { readCounterRequest, routeCounter } from './routes.ts'
import { routeSignIn, signInSection } from './signin.ts'

/** What the counter keeps in a session: the count, and the name of the user signed in. */
export type CounterData = { count: number; name: string }

export const handler = middy()
  .use(
    dynamoSession<CounterData>({
      // The sign-in demo binds sessions to users: the users' feature is opt-in.
      store: { tableName: process.env.TABLE_NAME, users: userSessions() },
      cookie: { secure: process.env.COOKIE_SECURE !== 'false' },
    }),
  )
  .handler(async (event, context) => {
    const request = readCounterRequest(event)
    const { session } = context
    return (
      (await routeSignIn(request, session)) ??
      routeCounter(request, session, { pageSection: () => signInSection(session) })
    )
  })
