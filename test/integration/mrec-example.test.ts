/**
 * examples/mrec (./template.yaml's function, home Regions on an MREC global table) against DynamoDB Local:
 * it counts, signs in under a new id and out, and records its own Region as the home of the sessions it
 * creates; a session homed in the peer Region is written through the peer's client. The two Regions'
 * clients reach the same DynamoDB Local here; bench/mrec.ts and mrec-replicator.test.ts run two Regions.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ExampleFunction, exampleFunction } from '../support/app.ts'
import { localClient } from '../support/dynamo.ts'
import { cookieOf, seed } from '../support/race.ts'

const raw = localClient()
let example: ExampleFunction

beforeAll(async () => {
  example = await exampleFunction(raw, () => import('../../examples/mrec/handler.ts'), {
    region: 'eu-west-1',
    extra: { PEER_REGION: 'us-east-1' },
  })
})
afterAll(async () => {
  raw.destroy()
  await example.close()
})

const call = (method: string, path: string, id?: string) => example.call(method, path, id)
const homeOf = async (id: string) =>
  (
    await raw.send(
      new GetItemCommand({
        TableName: example.tableName,
        Key: { session_id: { S: `SESSIONS::TOWER::${id}` } },
      }),
    )
  ).Item?.home_region?.S

describe('examples/mrec', () => {
  it('counts, signs in under a new id and out; its sessions are homed in its own Region', async () => {
    const first = await call('GET', '/')
    const id = cookieOf(first) as string
    expect(JSON.parse(first.body ?? '{}')).toEqual({ count: 1 })
    expect(await homeOf(id)).toBe('eu-west-1')
    const login = await call('POST', '/login', id)
    expect(login.statusCode).toBe(204)
    const next = cookieOf(login) as string
    expect(next).not.toBe(id)
    expect(await homeOf(next)).toBe('eu-west-1')
    expect(JSON.parse((await call('GET', '/', next)).body ?? '{}')).toEqual({ count: 2 })
    expect((await call('POST', '/logout', next)).statusCode).toBe(204)
    expect(JSON.parse((await call('GET', '/', next)).body ?? '{}')).toEqual({ count: 1 })
  })

  it('writes a session homed in the peer Region through the peer, signed for that Region', async () => {
    const id = await seed(raw, example.tableName, { count: 5 }, { home_region: { S: 'us-east-1' } })
    const regions: string[] = []
    example.proxy.intercept(({ headers }) => {
      regions.push(/Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(headers.authorization))?.[1] ?? '')
      return undefined
    })
    expect(JSON.parse((await call('GET', '/', id)).body ?? '{}')).toEqual({ count: 6 })
    // The read here (eu-west-1), the write in the session's home (us-east-1).
    expect(regions).toEqual(['eu-west-1', 'us-east-1'])
    expect(await homeOf(id)).toBe('us-east-1')
  })
})
