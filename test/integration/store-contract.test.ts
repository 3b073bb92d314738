import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, expect } from 'vitest'
import { DynamoDBSessionStore, homeRegions } from '../../src/index.ts'
import { createTable, dynamoEndpoint, localClient } from '../support/dynamo.ts'
import { type FaultProxy, refuseTransactions, startFaultProxy } from '../support/fault-proxy.ts'
import { storeContract } from '../support/store-contract.ts'
import { storeOn, TRANSPORT } from '../support/transport.ts'

const client = localClient()
let tableName: string
/** Another Region's copy, for the store with home Regions (it must stay empty). */
let otherTable: string
/** A proxy that refuses `TransactWriteItems` as a multi-Region strongly consistent table does. */
let mrsc: { proxy: FaultProxy; client: DynamoDBClient }
beforeAll(async () => {
  tableName = await createTable(client, { ttl: false })
  otherTable = await createTable(client, { ttl: false, userIndex: false })
  const proxy = await startFaultProxy(dynamoEndpoint())
  refuseTransactions(proxy)
  mrsc = { proxy, client: localClient({ endpoint: proxy.endpoint }) }
})
afterAll(async () => {
  // Every session was created, and so written, in its home: nothing went to the other Region.
  const other = await client.send(new ScanCommand({ TableName: otherTable }))
  expect(other.Count).toBe(0)
  mrsc.client.destroy()
  await mrsc.proxy.close()
})

storeContract(`DynamoDB store on DynamoDB Local (${TRANSPORT})`, async (options) =>
  storeOn({ client, endpoint: dynamoEndpoint() }, { tableName, ...options }),
)

storeContract(
  `DynamoDB store without transactions, on a table that refuses them as MRSC does (${TRANSPORT})`,
  async (options) =>
    storeOn(
      { client: mrsc.client, endpoint: mrsc.proxy.endpoint },
      { tableName, ...options, transactions: false },
    ),
)

// With home Regions, in the Region that is the home of every session it creates: the decorator changes
// nothing here (the other Region's table is another table of this DynamoDB Local, never written).
storeContract(`DynamoDB store with home Regions, in its sessions' home (${TRANSPORT})`, async (options) =>
  storeOn(
    { client, endpoint: dynamoEndpoint() },
    {
      tableName,
      ...options,
      homeRegions: homeRegions({
        region: 'here',
        peers: { elsewhere: new DynamoDBSessionStore({ client, tableName: otherTable }) },
      }),
    },
  ),
)
