import { beforeAll } from 'vitest'
import { DynamoDBSessionStore } from '../../src/index.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { storeContract } from '../support/store-contract.ts'

const client = localClient()
let tableName: string
beforeAll(async () => {
  tableName = await createTable(client, { ttl: false })
})

storeContract(
  'DynamoDBSessionStore on DynamoDB Local',
  async (options) => new DynamoDBSessionStore({ client, tableName, ...options }),
)
