/**
 * A small harness for middleware tests: a Middy handler with `dynamoSession()` against DynamoDB Local,
 * a counting client, the testing subpath's clock, and HTTP API v2 requests whose Set-Cookie values come
 * back parsed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'
import { parseSetCookie, type SetCookie } from 'cookie'
import { vi } from 'vitest'
import { type DynamoSessionOptions, dynamoSession, type SessionContext } from '../../src/index.ts'
import { HttpTransport } from '../../src/lite/http-transport.ts'
import { readSetCookies, testClock } from '../../src/testing/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { countingClient, createTable, dynamoEndpoint } from './dynamo.ts'
import { type EventOptions, httpApiV2Event } from './events.ts'
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts'

/** A handler result as the tests read it, whatever the front door: every place a cookie can go. */
export type HttpResult = {
  statusCode: number
  body?: string
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  cookies?: string[]
}

/** A Lambda-like context; a new object per invocation, as Lambda gives each its own. */
export function freshContext(): Context {
  return {
    awsRequestId: `test-${Math.random().toString(36).slice(2)}`,
    functionName: 'sessions-test',
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context
}

export type TestHandler<T extends object> = (
  event: unknown,
  context: SessionContext<T>,
) => Promise<APIGatewayProxyStructuredResultV2 | string | undefined>

export interface TestApp {
  client: DynamoDBClient
  calls: string[]
  tableName: string
  /** Moves the clock used by the middleware and the store. */
  advance(seconds: number): void
  nowSeconds(): number
  /** One request: `cookie` is the `Cookie` header to send. */
  request(
    cookie?: string,
    options?: EventOptions,
  ): Promise<{ response: APIGatewayProxyStructuredResultV2; setCookies: SetCookie[] }>
}

/** A handler with `dynamoSession()`, its own table, a counting client and a movable clock. */
export async function testApp<T extends object>(
  handler: TestHandler<T>,
  options: DynamoSessionOptions = {},
): Promise<TestApp> {
  const { client, calls } = countingClient()
  const tableName = await createTable(client)
  calls.length = 0
  // A frozen clock that only moves when told: expiry arithmetic in tests is exact.
  const { now, advance } = testClock()
  const wrapped = middy()
    .use(
      dynamoSession<T>({
        client,
        now,
        ...options,
        store: { tableName, users: userSessions(), ...(options.store as object) },
      }),
    )
    .handler(handler as never)
  return {
    client,
    calls,
    tableName,
    advance(seconds) {
      advance({ seconds })
    },
    nowSeconds: () => Math.floor(now() / 1000),
    async request(cookie, options = {}) {
      const event = httpApiV2Event(cookie === undefined ? options : { ...options, cookieHeader: cookie })
      const response = (await wrapped(
        event,
        freshContext() as SessionContext<T>,
      )) as APIGatewayProxyStructuredResultV2
      return { response, setCookies: readSetCookies(response, event).map((c) => parseSetCookie(c)) }
    },
  }
}

/**
 * The environment a template gives an example's function, as Lambda sets it, pointed at `endpoint` (default
 * this run's DynamoDB Local) and `tableName`, with `COOKIE_SECURE=false` and the variables in `extra`. Undo
 * with `vi.unstubAllEnvs()`.
 */
export function stubLambdaEnvironment(
  tableName: string,
  options: { endpoint?: string; region?: string; extra?: Record<string, string> } = {},
): void {
  const variables = {
    TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: options.endpoint ?? dynamoEndpoint(),
    AWS_REGION: options.region ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    COOKIE_SECURE: 'false',
    ...options.extra,
  }
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value)
}

/** An example's function (a global-table example's), loaded by {@link exampleFunction}. */
export interface ExampleFunction {
  /** Its table, fresh, without TTL. */
  readonly tableName: string
  /** The proxy between the function and DynamoDB Local. */
  readonly proxy: FaultProxy
  /** Sends the function an HTTP API v2 request, with the cookie of session `id` if given. */
  call(method: string, path: string, id?: string): Promise<HttpResult>
  /** Stops the proxy and unstubs the environment. */
  close(): Promise<void>
}

/**
 * Loads an example's function (`load`, which imports its module) with the environment its template gives
 * it ({@link stubLambdaEnvironment}: `region`, `extra`) over a fresh table of `client`'s, its calls to
 * DynamoDB through a fault proxy that `prepare` may set up first (e.g. to refuse transactions).
 */
export async function exampleFunction(
  client: DynamoDBClient,
  load: () => Promise<{ handler: unknown }>,
  options: { region?: string; extra?: Record<string, string>; prepare?: (proxy: FaultProxy) => void } = {},
): Promise<ExampleFunction> {
  const tableName = await createTable(client, { ttl: false, userIndex: false })
  const proxy = await startFaultProxy(dynamoEndpoint())
  options.prepare?.(proxy)
  stubLambdaEnvironment(tableName, { endpoint: proxy.endpoint, region: options.region, extra: options.extra })
  const handler = (await load()).handler as (event: unknown, context: Context) => Promise<HttpResult>
  return {
    tableName,
    proxy,
    call: (method, path, id) =>
      handler(httpApiV2Event({ method, path, ...(id ? { cookieHeader: `id=${id}` } : {}) }), freshContext()),
    async close() {
      vi.unstubAllEnvs()
      await proxy.close()
    },
  }
}

/**
 * The exported handler of examples/counter, loaded with the environment the template gives it, pointed at
 * this run's DynamoDB Local and `tableName`, with `COOKIE_SECURE=false`. The counter reads `TABLE_NAME`
 * when loaded, and its shared client takes the endpoint from the SDK (the lite build, from the same
 * variable). Undo with `vi.unstubAllEnvs()`.
 */
export async function loadCounter(tableName: string): Promise<(event: unknown, context: Context) => unknown> {
  stubLambdaEnvironment(tableName)
  // The lite project (./transport.ts) runs the counter's lite build: the same app without the SDK.
  const counter =
    process.env.SESSION_TRANSPORT === 'lite'
      ? await import('../../examples/counter/lite.ts')
      : await import('../../examples/counter/index.ts')
  return counter.handler as never
}

export { CookieJar } from '../../src/testing/index.ts'

/** A DynamoDB command some client sent: its name (`GetItem`) and input. */
export interface SentCommand {
  name: string
  input: Record<string, unknown>
}

/**
 * Records every command every DynamoDB client sends (the counter's own shared client included), and every
 * request the lite subpath's HTTP transport sends, passing them through; undo with `vi.restoreAllMocks()`.
 */
export function recordSentCommands(): SentCommand[] {
  const sent: SentCommand[] = []
  const send = DynamoDBClient.prototype.send
  vi.spyOn(DynamoDBClient.prototype, 'send').mockImplementation(function (
    this: DynamoDBClient,
    ...args: Parameters<DynamoDBClient['send']>
  ) {
    const [command] = args
    sent.push({
      name: command.constructor.name.replace(/Command$/, ''),
      input: command.input as Record<string, unknown>,
    })
    return send.apply(this, args)
  } as DynamoDBClient['send'])
  const liteSend = HttpTransport.prototype.send
  vi.spyOn(HttpTransport.prototype, 'send').mockImplementation(function (
    this: HttpTransport,
    ...args: Parameters<HttpTransport['send']>
  ) {
    const [name, input] = args
    sent.push({ name, input })
    return liteSend.apply(this, args)
  })
  return sent
}
