/**
 * What binding sessions to users costs: a login that binds (against one that does not), listing a user's
 * 10 and 100 sessions, ending 10 and 100 ("sign out everywhere"), and an ordinary request of a bound
 * session against one of an anonymous session. DynamoDB calls and capacity units as DynamoDB Local reports
 * them (`ReturnConsumedCapacity: 'TOTAL'`, the user index's units included). Never asserts.
 *
 * Runs alone (`node bench/users.ts`, starting its own DynamoDB Local) or from `bench/run.ts`.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { startDynamoDBLocal } from '../scripts/dynamodb-local.ts'
import { ensureTable, findTable, loadTemplate } from '../scripts/sam-template.ts'
import { DynamoDBSessionStore, dynamoSession, USER_LIMITS } from '../src/index.ts'
import { itemSize } from '../src/store/codec.ts'
import { CookieJar, httpEvent } from '../src/testing/index.ts'
import { userSessions } from '../src/users/index.ts'
import { userItemKey } from '../src/users/user-index.ts'
import { callCount, emptyTally, instrument, type Tally } from './lib/instrument.ts'
import { markdownTable, num } from './lib/stats.ts'

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }

function describeTally(tally: Tally, per = 1): string[] {
  const calls = [...tally.calls].map(([operation, count]) => `${num(count / per)} ${operation}`).join(' + ')
  return [
    calls || 'none',
    num(callCount(tally) / per),
    num(tally.readUnits / per),
    num(tally.writeUnits / per),
  ]
}

/** Runs the study against `endpoint` and returns it as Markdown. */
export async function usersStudy(endpoint: string): Promise<string> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials })
  const recorder = instrument(client)
  const tableName = `bench-users-${Math.random().toString(36).slice(2)}`
  // The table as template.yaml defines it: its key and the user-sessions index.
  await ensureTable(client, tableName, findTable(await loadTemplate()))
  // A clock the study moves, so that a touch has a later expiry to write.
  let offsetMs = 0
  const now = () => Date.now() + offsetMs
  const store = new DynamoDBSessionStore({ client, tableName, now, users: userSessions() })
  const handler = middy()
    .use(dynamoSession<{ cart: number; name: string }>({ store, touchAfter: 0, now }))
    .handler(async (event, context) => {
      const path = (event as { rawPath: string }).rawPath
      if (path.startsWith('/login/')) {
        await context.session.regenerate()
        const name = path.slice('/login/'.length)
        if (name !== 'anonymous')
          await context.session.bindUser(name, { meta: { ua: 'Mozilla/5.0 (bench)' } })
        await context.session.set('name', name)
      } else if (path === '/read') {
        await context.session.get('cart')
      } else {
        await context.session.set('cart', ((await context.session.get('cart')) ?? 0) + 1)
      }
      return { statusCode: 200 }
    })
  const request = async (jar: CookieJar, path: string) => {
    const event = httpEvent('http-api-v2', { path, jar })
    jar.takeFrom(await handler(event, { awsRequestId: 'bench' } as never), event)
  }
  const measure = async (work: () => Promise<unknown>): Promise<Tally> => {
    const tally = emptyTally()
    recorder.current = tally
    await work()
    recorder.current = emptyTally() // later calls never count in a tally already measured
    return tally
  }
  const rows: string[][] = []
  const row = (what: string, tally: Tally, per = 1) => rows.push([what, ...describeTally(tally, per)])

  // A login: regenerate an existing session, without and with a user binding (the first bind of a user
  // also creates that user's item: shown apart).
  for (const [what, name] of [
    ['login, anonymous (regenerate only)', 'anonymous'],
    ["login that binds a user's first session", 'first-user'],
    ['login that binds (the user has sessions already)', 'first-user'],
  ] as const) {
    const jar = new CookieJar()
    await request(jar, '/write')
    row(what, await measure(() => request(jar, `/login/${name}`)))
  }

  // Ordinary requests, anonymous and bound: a write, and a read that touches.
  for (const bound of [false, true]) {
    const jar = new CookieJar()
    await request(jar, '/write')
    if (bound) await request(jar, '/login/ordinary-user')
    const kind = bound ? 'bound' : 'anonymous'
    offsetMs += 2000
    row(`${kind} session: a request that writes`, await measure(() => request(jar, '/write')))
    offsetMs += 2000
    row(`${kind} session: a read that touches`, await measure(() => request(jar, '/read')))
  }

  // Listing and ending 10 and 100 sessions of one user; the user's item and the last bind's cost.
  const sizes: string[][] = []
  for (const count of [10, 100]) {
    const user = `user-${count}`
    let lastBind = emptyTally()
    for (let i = 0; i < count; i++) {
      const jar = new CookieJar()
      await request(jar, '/write')
      if (i < count - 1) await request(jar, `/login/${user}`)
      else lastBind = await measure(() => request(jar, `/login/${user}`))
    }
    const userItem = await client.send(
      new GetItemCommand({ TableName: tableName, Key: userItemKey(store.props, user), ConsistentRead: true }),
    )
    sizes.push([
      String(count),
      num(itemSize(userItem.Item ?? {})),
      describeTally(lastBind)[0] ?? '',
      num(lastBind.writeUnits),
    ])
    row(`list ${count} sessions (one page)`, await measure(() => store.users.list(user, { limit: 1000 })))
    row(`end all ${count} sessions`, await measure(() => store.users.endAll(user)))
  }
  client.destroy()
  return [
    markdownTable(['operation', 'DynamoDB calls', 'calls', 'read units', 'write units'], rows),
    '',
    "The user's item (one entry per bound session: a 12-character handle and the id) and the bind that made " +
      `the last of them, with the default cap of ${USER_LIMITS.sessionsPerUser} sessions a user (its bound):`,
    '',
    markdownTable(
      ['sessions bound', "user's item, bytes", 'DynamoDB calls of that bind', 'write units'],
      sizes,
    ),
    '',
    'Units as DynamoDB Local reports them with `ReturnConsumedCapacity: TOTAL` (table and index together; ' +
      'transactional writes count double, as in DynamoDB). A touch runs on every read here (`touchAfter: 0`); ' +
      'with the default throttle it is at most one per session per hour.',
  ].join('\n')
}

if (import.meta.main) {
  const ddb = await startDynamoDBLocal()
  try {
    console.log("## A user's sessions: what binding costs\n")
    console.log(await usersStudy(ddb.endpoint))
  } finally {
    await ddb.stop()
  }
}
