import { afterAll, beforeAll } from 'vitest'
import { userSessions } from '../../src/users/index.ts'
import { createTable, dynamoEndpoint, localClient } from '../support/dynamo.ts'
import { storeOn, TRANSPORT } from '../support/transport.ts'
import { userContract } from '../support/user-contract.ts'

const client = localClient()
let tableName: string
beforeAll(async () => {
  // With the index that lists a user's sessions, as template.yaml creates it; no TTL: the clock moves.
  tableName = await createTable(client, { ttl: false })
})
afterAll(() => client.destroy())

userContract(
  `DynamoDB store on DynamoDB Local (${TRANSPORT})`,
  async ({ maxSessionsPerUser, whenFull, ...options }) =>
    storeOn(
      { client, endpoint: dynamoEndpoint() },
      { tableName, ...options, users: userSessions({ maxSessionsPerUser, whenFull }) },
    ),
)
