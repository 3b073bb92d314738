import { afterAll, beforeAll } from 'vitest'
import { DynamoDBSessionStore } from '../../src/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { userContract } from '../support/user-contract.ts'

const client = localClient()
let tableName: string
beforeAll(async () => {
  // With the index that lists a user's sessions, as template.yaml creates it; no TTL: the clock moves.
  tableName = await createTable(client, { ttl: false })
})
afterAll(() => client.destroy())

userContract(
  'DynamoDBSessionStore on DynamoDB Local',
  async ({ maxSessionsPerUser, whenFull, ...options }) =>
    new DynamoDBSessionStore({
      client,
      tableName,
      ...options,
      users: userSessions({ maxSessionsPerUser, whenFull }),
    }),
)
