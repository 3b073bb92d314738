import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll } from 'vitest'
import { createTable, dynamoEndpoint, localClient } from '../support/dynamo.ts'
import { type FaultProxy, refuseTransactions, startFaultProxy } from '../support/fault-proxy.ts'
import { storeContract } from '../support/store-contract.ts'
import { storeOn, TRANSPORT } from '../support/transport.ts'

const client = localClient()
let tableName: string
/** A proxy that refuses `TransactWriteItems` as a multi-Region strongly consistent table does. */
let mrsc: { proxy: FaultProxy; client: DynamoDBClient }
beforeAll(async () => {
  tableName = await createTable(client, { ttl: false })
  const proxy = await startFaultProxy(dynamoEndpoint())
  refuseTransactions(proxy)
  mrsc = { proxy, client: localClient({ endpoint: proxy.endpoint }) }
})
afterAll(async () => {
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
