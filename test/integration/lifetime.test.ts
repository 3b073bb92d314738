import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { afterAll, expect, it } from 'vitest'
import { DynamoDBSessionStore, dynamoSession, type SessionContext } from '../../src/index.ts'
import { DEFAULT_STORE_PROPS } from '../../src/store/index.ts'
import { sessionKey } from '../../src/store/props.ts'
import { httpEvent, testClock } from '../../src/testing/index.ts'
import { auditFlows } from '../support/audit-flows.ts'
import { blindWriteFlows } from '../support/blind-write-flows.ts'
import { csrfFlows } from '../support/csrf-flows.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { lifetimeFlows } from '../support/lifetime-flows.ts'
import { localStores } from '../support/local-stores.ts'
import { observabilityFlows } from '../support/observability-flows.ts'
import { reauthFlows } from '../support/reauth-flows.ts'
import { renewalFlows } from '../support/renewal-flows.ts'

const client = localClient()
afterAll(() => client.destroy())

// A table per test, no TTL (the clock moves; reads check expire_at), through the middleware: the absolute
// lifetime, recent authentication, audit events, id renewal, CSRF tokens and writes without a read.
lifetimeFlows('DynamoDBSessionStore on DynamoDB Local', localStores(client))
reauthFlows('DynamoDBSessionStore on DynamoDB Local', localStores(client))
auditFlows('DynamoDBSessionStore on DynamoDB Local', localStores(client, { users: true }))
renewalFlows('DynamoDBSessionStore on DynamoDB Local', localStores(client, { users: true }))
csrfFlows('DynamoDBSessionStore on DynamoDB Local', localStores(client))
blindWriteFlows('DynamoDBSessionStore on DynamoDB Local', localStores(client))
observabilityFlows('DynamoDBSessionStore on DynamoDB Local', localStores(client, { users: true }), true)

it('a session an earlier version stored (no created_at) counts its lifetime from its next in-place write', async () => {
  const clock = testClock()
  const tableName = await createTable(client, { ttl: false })
  const store = new DynamoDBSessionStore({ client, tableName, now: clock.now })
  const now = Math.floor(clock.now() / 1000)
  const id = 'A'.repeat(32)
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        ...sessionKey(DEFAULT_STORE_PROPS, id),
        expire_at: { N: String(now + 1800) },
        data: { M: { visits: { N: '7' } } },
        version: { N: '3' },
        write_tokens: { M: {} },
      },
    }),
  )
  const handler = middy()
    .use(dynamoSession<{ visits: number }>({ store, now: clock.now, maxLifetime: 3600 }))
    .handler(async (_event: unknown, context: SessionContext<{ visits: number }>) => {
      await context.session.set('visits', ((await context.session.get('visits')) ?? 0) + 1)
      return { statusCode: 200, body: 'ok' }
    })
  clock.advance({ seconds: 100 })
  const event = httpEvent('http-api-v2', { path: '/', headers: { cookie: `id=${id}` } })
  await handler(event, {} as SessionContext<{ visits: number }>)
  const item = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: sessionKey(DEFAULT_STORE_PROPS, id),
      ConsistentRead: true,
    }),
  )
  expect(item.Item?.data?.M?.visits?.N).toBe('8') // written in place
  expect(item.Item?.version?.N).toBe('4')
  expect(item.Item?.created_at?.N).toBe(String(now + 100))
  // Two weeks of inactivity (the default) would end later than the deadline: an hour after this write.
  expect(Number(item.Item?.expire_at?.N)).toBe(now + 100 + 3600)
  clock.advance({ seconds: 3600 })
  expect(await store.load(id)).toBeUndefined()
})
