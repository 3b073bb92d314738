/** (a) This library on Middy: `middy().use(dynamoSession({ client, store: { tableName } }))`. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { dynamoSession, type SessionContext } from '../../src/index.ts'
import { instrument } from '../lib/instrument.ts'
import { route } from './routes.ts'
import { type Contender, lambdaContext, toHttpResult } from './types.ts'

export interface MiddySessionOptions {
  key: string
  label: string
  client: DynamoDBClient
  tableName: string
  /** `store.consistentRead`; the library's default is `true`. */
  consistentRead?: boolean
  /** The middleware's `blindWrites`; the library's default is `false`. */
  blindWrites?: boolean
}

export function middySessionContender(options: MiddySessionOptions): Contender {
  const recorder = instrument(options.client)
  // A clock the bench can move, so a "touch due" visit happens without waiting an hour.
  let offsetMs = 0
  const now = () => Date.now() + offsetMs
  const store =
    options.consistentRead === undefined
      ? { tableName: options.tableName }
      : { tableName: options.tableName, consistentRead: options.consistentRead }
  const handler = middy()
    .use(
      dynamoSession<{ count: number; seen?: number }>({
        client: options.client,
        store,
        now,
        ...(options.blindWrites && { blindWrites: true }),
      }),
    )
    .handler(async (event, context) => route(event, context.session))
  return {
    key: options.key,
    label: options.label,
    recorder,
    now,
    advance(seconds) {
      offsetMs += seconds * 1000
    },
    async invoke(event) {
      // Middy's `before` hook attaches `context.session`; Lambda passes a plain context.
      const context = lambdaContext() as SessionContext<{ count: number }>
      return toHttpResult(await handler(event, context))
    },
  }
}
