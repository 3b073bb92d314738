/**
 * Forcing interleavings of concurrent requests: each "actor" is a Lambda (a Middy handler with the
 * session middleware and http-error-handler) whose DynamoDB client talks through its own fault proxy,
 * so a test can hold, delay or drop exactly that actor's calls. Tables are seeded and inspected with
 * raw DynamoDB calls, independent of the store under test.
 */
import { randomBytes } from 'node:crypto'
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb'
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { parseSetCookie } from 'cookie'
import { afterAll, afterEach, beforeEach } from 'vitest'
import type { DynamoSessionOptions, SessionContext } from '../../src/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { freshContext, type HttpResult } from './app.ts'
import { createTable, dynamoEndpoint, localClient, localCredentials } from './dynamo.ts'
import { httpApiV2Event } from './events.ts'
import { type FaultProxy, gate, type InterceptedRequest, startFaultProxy, WRITE_OPS } from './fault-proxy.ts'
import { isStore, sessionOn } from './transport.ts'

/** The default partition key prefix (the Rust crate's). */
const PREFIX = 'SESSIONS::TOWER::'

export type Data = Record<string, unknown>
export type Session = SessionContext<Data>['session']

/** What a route does with the session; `path` is the request path without the leading slash. */
export type Route = (
  session: Session,
  path: string,
  body: string | undefined,
) => Promise<HttpResult | undefined>

export interface Actor {
  proxy: FaultProxy
  client: DynamoDBClient
  /** One request on `path`, with the session cookie `id` (if any). */
  send(path: string, id?: string, body?: string): Promise<HttpResult>
  close(): Promise<void>
}

export interface ActorOptions extends DynamoSessionOptions {
  /** SDK attempts per call (retries included). Default 3. */
  maxAttempts?: number
  /** What the Lambda context's `getRemainingTimeInMillis()` answers at the start of each request. Default 30 s. */
  remainingMs?: number
}

/** A route's answer: 200, with `value` as JSON. */
export const json = (value: unknown): HttpResult => ({ statusCode: 200, body: JSON.stringify(value) })

/**
 * A login as the users' tests make one: a new id, bound to `userId` with its device's metadata, the name
 * set; answers the binding.
 */
export async function signIn(session: Session, userId: string): Promise<HttpResult> {
  await session.regenerate()
  await session.bindUser(userId, { meta: { ua: `device of ${userId}` } })
  await session.set('name', userId)
  return json(await session.user())
}

/** A Lambda behind its own fault proxy, running `route` for every request. */
export async function actor(tableName: string, route: Route, options: ActorOptions = {}): Promise<Actor> {
  const proxy = await startFaultProxy(dynamoEndpoint())
  const { maxAttempts = 3, remainingMs, ...sessionOptions } = options
  const client = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: localCredentials,
    maxAttempts,
  })
  const handler = middy()
    .use(
      sessionOn<Data>(
        { client, endpoint: proxy.endpoint, maxAttempts },
        {
          ...sessionOptions,
          store: isStore(sessionOptions.store)
            ? sessionOptions.store
            : { tableName, users: userSessions(), ...(sessionOptions.store as object | undefined) },
        },
      ),
    )
    .use(httpErrorHandler({ logger: false }))
    .handler(async (event, context) => {
      const { rawPath, body } = event as { rawPath: string; body?: string }
      return (await route(context.session, rawPath.slice(1), body)) ?? { statusCode: 200, body: 'ok' }
    })
  return {
    proxy,
    client,
    send: (path, id, body) =>
      handler(
        httpApiV2Event({
          path: `/${path}`,
          ...(id ? { cookieHeader: `id=${id}` } : {}),
          ...(body ? { body } : {}),
        }),
        {
          ...freshContext(),
          ...(remainingMs !== undefined && { getRemainingTimeInMillis: () => remainingMs }),
        } as SessionContext<Data>,
      ) as Promise<HttpResult>,
    async close() {
      client.destroy()
      await proxy.close()
    },
  }
}

/** A fresh id of the library's shape (24 random bytes, base64url). */
export const newId = (): string => randomBytes(24).toString('base64url')

/**
 * Seeds a stored session with raw attributes, laid out as the library writes one (src/store/item-layout.ts):
 * version 1 and a write-token map, so a save takes the default path, one `UpdateItem` of the changed keys.
 * `extra` overrides, adds or (with `undefined`) removes attributes: `{ write_tokens: undefined }` seeds an
 * item written before write tokens, whose saves take the whole-item `PutItem` path.
 */
export async function seed(
  client: DynamoDBClient,
  tableName: string,
  data: Data,
  extra: Record<string, AttributeValue | undefined> = {},
  id: string = newId(),
): Promise<string> {
  const item: Record<string, AttributeValue> = {
    session_id: { S: `${PREFIX}${id}` },
    expire_at: { N: String(Math.floor(Date.now() / 1000) + 3600) },
    data: { M: marshall(data) },
    version: { N: '1' },
    write_tokens: { M: {} },
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete item[name]
    else item[name] = value
  }
  await client.send(new PutItemCommand({ TableName: tableName, Item: item }))
  return id
}

/** A raw item of the table, its id taken from the key. */
export interface RawSession {
  id: string
  item: Record<string, AttributeValue>
  /** The data, unmarshalled, when it is a map. */
  data: Data | undefined
  expireAt: number
}

/** Every item in the table. */
export async function scan(client: DynamoDBClient, tableName: string): Promise<RawSession[]> {
  const items: RawSession[] = []
  let start: Record<string, AttributeValue> | undefined
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    )
    for (const item of page.Items ?? []) {
      const key = item.session_id?.S ?? ''
      items.push({
        id: key.slice(PREFIX.length),
        item,
        data: item.data?.M ? (unmarshall(item.data.M) as Data) : undefined,
        expireAt: Number(item.expire_at?.N),
      })
    }
    start = page.LastEvaluatedKey
  } while (start)
  return items
}

/** The sessions a cookie could still reach: items with data whose expiry has not passed. */
export async function liveSessions(client: DynamoDBClient, tableName: string): Promise<RawSession[]> {
  const now = Math.floor(Date.now() / 1000)
  return (await scan(client, tableName)).filter((s) => s.data !== undefined && s.expireAt > now)
}

/** The session cookie a response sets: its value, or `''` when it expires the cookie; `undefined` if none. */
export function cookieOf(result: HttpResult): string | undefined {
  for (const text of result.cookies ?? []) {
    const cookie = parseSetCookie(text)
    if (cookie.name !== 'id') continue
    return cookie.maxAge !== undefined && cookie.maxAge <= 0 ? '' : (cookie.value ?? '')
  }
  return undefined
}

export { seededRandom } from '../../scripts/seeded-random.ts'

/** An actor that keeps the session cookie its responses set, as a browser does. */
export type Device = Actor & { id: string | undefined; call(path: string): Promise<HttpResult> }

/** An {@link actor} with a cookie: `call(path)` sends the cookie it holds and keeps the one it gets back. */
export async function device(tableName: string, route: Route, options: ActorOptions = {}): Promise<Device> {
  const created = await actor(tableName, route, options)
  const dev: Device = Object.assign(created, {
    id: undefined as string | undefined,
    async call(path: string) {
      const result = await created.send(path, dev.id)
      const cookie = cookieOf(result)
      if (cookie !== undefined) dev.id = cookie || undefined
      return result
    },
  })
  return dev
}

/** The item of user `userId` (default key layout), read strongly consistently. */
export async function userItemOf(
  client: DynamoDBClient,
  tableName: string,
  userId: string,
): Promise<Record<string, AttributeValue> | undefined> {
  const Key = { session_id: { S: `${PREFIX}USER#${userId}` } }
  return (await client.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item
}

/**
 * Forces "the later write loses" between two actors: `first`'s write waits until `second` is about to
 * write; `second`'s write waits until `release()` (call it once `first` has answered).
 */
export function holdLaterWrite(first: Actor, second: Actor): { release: () => void } {
  const secondWriting = gate()
  const firstAnswered = gate()
  first.proxy.intercept(async ({ op }) => {
    if (WRITE_OPS.has(op)) await secondWriting.opened
    return undefined
  })
  second.proxy.intercept(async ({ op }) => {
    if (!WRITE_OPS.has(op)) return undefined
    secondWriting.open()
    await firstAnswered.opened
    return 'forward'
  })
  return { release: firstAnswered.open }
}

/**
 * Holds `a`'s first call that `matches` (an operation's name, or a test of the request) until `release()`
 * is called; `held` resolves once it is held. The calls before it, and every other call, go on.
 */
export function holdCall(
  a: Actor,
  matches: string | ((request: InterceptedRequest) => boolean),
): { held: Promise<void>; release: () => void } {
  const test = typeof matches === 'string' ? (request: InterceptedRequest) => request.op === matches : matches
  const held = gate()
  const release = gate()
  let first = true
  a.proxy.intercept(async (request) => {
    if (!first || !test(request)) return undefined
    first = false
    held.open()
    await release.opened
    return 'forward'
  })
  return { held: held.opened, release: release.open }
}

/** Resolves when `a` sends its `n`-th `op` call (its first retry, for `n` = 2); the calls go on. */
export function nthCall(a: Actor, op: string, n: number): Promise<void> {
  const reached = gate()
  let count = 0
  a.proxy.intercept((request) => {
    if (request.op === op && ++count === n) reached.open()
    return undefined
  })
  return reached.opened
}

/** Whether `request` answers before `a` sends its second `op` call (it did not wait and retry). */
export async function answersBeforeRetry(a: Actor, op: string, request: Promise<unknown>): Promise<boolean> {
  const retried = nthCall(a, op, 2)
  return (await Promise.race([request.then(() => true), retried.then(() => false)])) === true
}

/** Matches the `k`-th write a Lambda sends (1-based), counting from now. */
export function kthWrite(k: number): (request: InterceptedRequest) => boolean {
  let writes = 0
  return ({ op }) => WRITE_OPS.has(op) && ++writes === k
}

/**
 * Runs `held`'s request on `path` up to its first write (or the write `which` matches), then runs
 * `meanwhile` (other requests, to their end), then lets the held write go: the interleaving "A read, B
 * wrote, A writes", forced.
 */
export async function interleave(
  held: Actor,
  path: string,
  id: string,
  meanwhile: () => Promise<unknown>,
  which: (request: InterceptedRequest) => boolean = kthWrite(1),
): Promise<HttpResult> {
  const write = holdCall(held, which)
  const pending = held.send(path, id)
  await write.held // it has read the session and is about to write
  await meanwhile()
  write.release()
  return pending
}

/** What {@link raceTables} gives a file of race tests. */
export interface RaceTables {
  readonly raw: DynamoDBClient
  /** This test's table. */
  name: string
  /** The actors made for this test, closed after it. */
  readonly actors: Actor[]
  /** An actor serving `route` on this test's table, closed after the test. */
  lambda(route: Route, options?: ActorOptions): Promise<Actor>
}

/**
 * For a file of race tests (call it at the top level): a raw client, a fresh table before each test
 * (`name`: "no live session is left" is then a statement about that test alone), and the actors made
 * on it, closed after each test.
 */
export function raceTables(): RaceTables {
  const tables: RaceTables = {
    raw: localClient(),
    name: '',
    actors: [],
    async lambda(route, options = {}) {
      const created = await actor(tables.name, route, options)
      tables.actors.push(created)
      return created
    },
  }
  beforeEach(async () => {
    tables.name = await createTable(tables.raw, { ttl: false })
  })
  afterEach(async () => {
    await Promise.all(tables.actors.splice(0).map((a) => a.close()))
  })
  afterAll(() => tables.raw.destroy())
  return tables
}
