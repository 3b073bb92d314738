import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll } from 'vitest'
import { DynamoDBSessionStore, homeRegions } from '../../src/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { createTable, dynamoEndpoint, localClient } from '../support/dynamo.ts'
import { type FaultProxy, refuseTransactions, startFaultProxy } from '../support/fault-proxy.ts'
import { storeOn, TRANSPORT } from '../support/transport.ts'
import { userContract } from '../support/user-contract.ts'

const client = localClient()
let tableName: string
/** Another Region's copy, for the store with home Regions: written only by deletes, which go everywhere. */
let otherTable: string
/** A proxy that refuses `TransactWriteItems` as a multi-Region strongly consistent table does. */
let mrsc: { proxy: FaultProxy; client: DynamoDBClient }
beforeAll(async () => {
  // With the index that lists a user's sessions, as template.yaml creates it; no TTL: the clock moves.
  tableName = await createTable(client, { ttl: false })
  otherTable = await createTable(client, { ttl: false })
  const proxy = await startFaultProxy(dynamoEndpoint())
  refuseTransactions(proxy)
  mrsc = { proxy, client: localClient({ endpoint: proxy.endpoint }) }
})
afterAll(async () => {
  client.destroy()
  mrsc.client.destroy()
  await mrsc.proxy.close()
})

userContract(
  `DynamoDB store on DynamoDB Local (${TRANSPORT})`,
  async ({ maxSessionsPerUser, whenFull, ...options }) =>
    storeOn(
      { client, endpoint: dynamoEndpoint() },
      { tableName, ...options, users: userSessions({ maxSessionsPerUser, whenFull }) },
    ),
)

userContract(
  `DynamoDB store without transactions, on a table that refuses them as MRSC does (${TRANSPORT})`,
  async ({ maxSessionsPerUser, whenFull, ...options }) =>
    storeOn(
      { client: mrsc.client, endpoint: mrsc.proxy.endpoint },
      { tableName, ...options, transactions: false, users: userSessions({ maxSessionsPerUser, whenFull }) },
    ),
)

userContract(
  `DynamoDB store with home Regions, in its sessions' and users' home (${TRANSPORT})`,
  async ({ maxSessionsPerUser, whenFull, ...options }) =>
    storeOn(
      { client, endpoint: dynamoEndpoint() },
      {
        tableName,
        ...options,
        users: userSessions({ maxSessionsPerUser, whenFull }),
        homeRegions: homeRegions({
          region: 'here',
          peers: { elsewhere: new DynamoDBSessionStore({ client, tableName: otherTable }) },
        }),
      },
    ),
)
