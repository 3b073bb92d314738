import { afterAll } from 'vitest'
import { DynamoDBSessionStore } from '../../src/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { userFlows } from '../support/user-flows.ts'

const client = localClient()
afterAll(() => client.destroy())

// A table per test (with the index that lists a user's sessions, as template.yaml creates it; no TTL:
// the clock moves), through the middleware with the store on the flows' clock.
userFlows(
  'DynamoDBSessionStore on DynamoDB Local',
  async (now) =>
    new DynamoDBSessionStore({
      client,
      tableName: await createTable(client, { ttl: false }),
      now,
      users: userSessions(),
    }),
)
