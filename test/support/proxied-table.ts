/**
 * One table on DynamoDB Local for a test file, reached two ways: `store`, a store on a healthy client (to
 * seed and check), and `client`, a client (3 SDK attempts per call) behind a fault proxy (`proxy`), for the
 * code under test. Made before the file's tests, closed after them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll } from 'vitest'
import { DynamoDBSessionStore } from '../../src/index.ts'
import { createTable, dynamoEndpoint, localClient } from './dynamo.ts'
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts'
import type { Wire } from './transport.ts'

export interface ProxiedTable {
  tableName: string
  /** A store on a client that reaches DynamoDB Local directly. */
  store: DynamoDBSessionStore
  proxy: FaultProxy
  /** A client behind `proxy`, with 3 SDK attempts per call. */
  client: DynamoDBClient
  /** The same place for the transport under test (./transport.ts): the client, and the proxy's endpoint. */
  wire: Wire
}

/** Registers the set-up and tear-down; the fields are there once the file's `beforeAll` hooks have run. */
export function proxiedTable(): ProxiedTable {
  const healthy = localClient()
  const table = {} as ProxiedTable
  beforeAll(async () => {
    table.tableName = await createTable(healthy)
    table.store = new DynamoDBSessionStore({ client: healthy, tableName: table.tableName })
    table.proxy = await startFaultProxy(dynamoEndpoint())
    table.client = localClient({ endpoint: table.proxy.endpoint, maxAttempts: 3 })
    table.wire = { client: table.client, endpoint: table.proxy.endpoint, maxAttempts: 3 }
  })
  afterAll(async () => {
    table.client.destroy()
    healthy.destroy()
    await table.proxy.close()
  })
  return table
}
