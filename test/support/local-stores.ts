/**
 * Stores on DynamoDB Local for the suites that run on both stores: a fresh table per call (with the index
 * that lists a user's sessions, as template.yaml creates it; no TTL: the tests' clock moves, and reads
 * check expire_at), the store on the suite's clock.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBSessionStore } from '../../src/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { createTable } from './dynamo.ts'

/** A factory of DynamoDB stores on fresh tables, with the users' feature when `users` is set. */
export function localStores(client: DynamoDBClient, options: { users?: boolean } = {}) {
  return async (now: () => number) =>
    new DynamoDBSessionStore({
      client,
      tableName: await createTable(client, { ttl: false }),
      now,
      ...(options.users && { users: userSessions() }),
    })
}
