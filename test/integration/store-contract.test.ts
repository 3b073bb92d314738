import { beforeAll } from 'vitest'
import { createTable, dynamoEndpoint, localClient } from '../support/dynamo.ts'
import { storeContract } from '../support/store-contract.ts'
import { storeOn, TRANSPORT } from '../support/transport.ts'

const client = localClient()
let tableName: string
beforeAll(async () => {
  tableName = await createTable(client, { ttl: false })
})

storeContract(`DynamoDB store on DynamoDB Local (${TRANSPORT})`, async (options) =>
  storeOn({ client, endpoint: dynamoEndpoint() }, { tableName, ...options }),
)
