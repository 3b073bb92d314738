import { randomUUID } from 'node:crypto'
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb'
import { inject } from 'vitest'
import { USER_SESSIONS_INDEX } from './table-schema.ts'

/** Credentials DynamoDB Local accepts (it runs with -sharedDb, so any will do). */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' }

export function dynamoEndpoint(): string {
  return inject('dynamoEndpoint')
}

/** A real SDK v3 client pointed at the suite's DynamoDB Local. */
export function localClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: dynamoEndpoint(),
    region: 'us-east-1',
    credentials: localCredentials,
    ...config,
  })
}

export interface TableKeys {
  partitionKey?: string
  sortKey?: string
  expiryName?: string
  /** Turn TTL on (default). DynamoDB Local does delete expired items, a little after they expire. */
  ttl?: boolean
  /** Create the index that lists a user's sessions (default), as template.yaml does. */
  userIndex?: boolean
}

/** Creates a fresh table (unique name) with TTL on, and returns its name. */
export async function createTable(client: DynamoDBClient, keys: TableKeys = {}): Promise<string> {
  const tableName = `sessions-${randomUUID()}`
  const pk = keys.partitionKey ?? 'session_id'
  const attributes = [{ AttributeName: pk, AttributeType: 'S' as const }]
  const schema = [{ AttributeName: pk, KeyType: 'HASH' as const }]
  if (keys.sortKey) {
    attributes.push({ AttributeName: keys.sortKey, AttributeType: 'S' })
    schema.push({ AttributeName: keys.sortKey, KeyType: 'RANGE' as never })
  }
  const userIndex = keys.userIndex ?? true
  if (userIndex) {
    attributes.push(
      { AttributeName: 'bound_user', AttributeType: 'S' },
      { AttributeName: 'bound_key', AttributeType: 'S' },
    )
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: attributes,
      KeySchema: schema,
      BillingMode: 'PAY_PER_REQUEST',
      ...(userIndex && {
        GlobalSecondaryIndexes: [
          {
            ...USER_SESSIONS_INDEX,
            Projection: {
              ...USER_SESSIONS_INDEX.Projection,
              NonKeyAttributes: USER_SESSIONS_INDEX.Projection.NonKeyAttributes.map((name) =>
                name === 'expire_at' ? (keys.expiryName ?? name) : name,
              ),
            },
          },
        ],
      }),
    }),
  )
  if (keys.ttl === false) return tableName
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: keys.expiryName ?? 'expire_at', Enabled: true },
    }),
  )
  return tableName
}

export async function dropTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }))
}

/** A command a {@link countingClient} sent and was answered: its name (`UpdateItem`), input and output. */
export interface AnsweredCall {
  name: string
  input: Record<string, unknown>
  output: Record<string, unknown>
}

/**
 * A client that records the name of every command it sends (`GetItem`, as it is sent), for call counting,
 * and each one answered, with its input and output.
 */
export function countingClient(config: DynamoDBClientConfig = {}): {
  client: DynamoDBClient
  calls: string[]
  answered: AnsweredCall[]
} {
  const client = localClient(config)
  const calls: string[] = []
  const answered: AnsweredCall[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '')
      calls.push(name)
      const result = await next(args)
      answered.push({ name, input: args.input as never, output: result.output as never })
      return result
    },
    { step: 'initialize', name: 'countCalls' },
  )
  return { client, calls, answered }
}
