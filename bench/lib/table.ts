/**
 * The benches' sessions table on DynamoDB Local: the store's default key, on demand.
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb'

/** Creates `tableName` with the default partition key `session_id` (S), on demand. */
export async function createSessionsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'session_id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'session_id', AttributeType: 'S' }],
    }),
  )
}
