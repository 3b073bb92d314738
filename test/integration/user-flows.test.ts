import { afterAll } from 'vitest'
import { localClient } from '../support/dynamo.ts'
import { localStores } from '../support/local-stores.ts'
import { userFlows } from '../support/user-flows.ts'

const client = localClient()
afterAll(() => client.destroy())

// A table per test (with the index that lists a user's sessions, as template.yaml creates it; no TTL:
// the clock moves), through the middleware with the store on the flows' clock.
userFlows('DynamoDBSessionStore on DynamoDB Local', localStores(client, { users: true }))
