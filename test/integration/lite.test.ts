/**
 * The `lite` subpath's fetch transport on its own: what the SDK does for a store, it does (retries of
 * throttling, 5xx and lost connections with the same body, the time limit, errors named as the SDK names
 * them, binary values), its requests are signed as the SDK signs them (the SDK's own signer is the
 * oracle), and its settings come from the Lambda environment at the first request, not at import. The
 * suites that go through the fault proxy run over it too (the `fetch` project of vitest.config.ts).
 */
import { createHash, createHmac } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { SignatureV4 } from '@smithy/signature-v4'
import { afterEach, describe, expect, it } from 'vitest'
import { DynamoDBSessionStore, gzipCodec, SessionStoreError } from '../../src/index.ts'
import { regionEndpoint } from '../../src/lite/http-transport.ts'
import {
  DynamoDBHttpError,
  dynamoSession,
  HttpTransport,
  LiteSessionStore,
  SessionConfigError,
  type SessionContext,
} from '../../src/lite/index.ts'
import { sessionKey } from '../../src/store/props.ts'
import { freshContext, type HttpResult } from '../support/app.ts'
import { localCredentials } from '../support/dynamo.ts'
import { httpApiV2Event } from '../support/events.ts'
import { type Fault, gate } from '../support/fault-proxy.ts'
import { proxiedTable } from '../support/proxied-table.ts'

const table = proxiedTable()
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600

/** A lite store behind the proxy, with the test's credentials. */
function liteStore(options: ConstructorParameters<typeof LiteSessionStore>[0] = {}) {
  return new LiteSessionStore({
    tableName: table.tableName,
    endpoint: table.proxy.endpoint,
    region: 'us-east-1',
    credentials: localCredentials,
    ...options,
  })
}

/** Records each request the proxy sees (operation, headers, body text), from now on. */
function recording() {
  const requests: { op: string; headers: IncomingHttpHeaders; text: string }[] = []
  table.proxy.intercept(({ op, headers, text }) => {
    requests.push({ op, headers, text })
    return undefined
  })
  return requests
}

afterEach(() => table.proxy.reset())

describe('the fetch transport against DynamoDB Local', () => {
  it('stores and reads what the SDK store reads and stores, binary (gzip) values included', async () => {
    const lite = liteStore({ codec: gzipCodec() })
    const sdk = new DynamoDBSessionStore({
      client: table.client,
      tableName: table.tableName,
      codec: gzipCodec(),
    })
    const data = { text: 'é'.repeat(3000), list: [1, 2, { deep: true }] }
    const written = await lite.create({ data, expiresAt: inAnHour() })
    expect((await sdk.load(written.id))?.data).toEqual(data)
    const other = await sdk.create({ data: { text: 'ü'.repeat(4000) }, expiresAt: inAnHour() })
    expect((await lite.load(other.id))?.data).toEqual({ text: 'ü'.repeat(4000) })
    // The raw item really holds a binary value (the codec compressed the data).
    const raw = await table.client.send(
      new GetItemCommand({ TableName: table.tableName, Key: sessionKey(lite.props, written.id) }),
    )
    expect(raw.Item?.data?.B).toBeInstanceOf(Uint8Array)
    const rawOther = await table.client.send(
      new GetItemCommand({ TableName: table.tableName, Key: sessionKey(lite.props, other.id) }),
    )
    expect(rawOther.Item?.data?.B).toBeInstanceOf(Uint8Array)
  })

  it('sends no AWS SDK header: the requests are its own', async () => {
    const requests = recording()
    await liteStore().load('x'.repeat(32))
    expect(requests.map((r) => r.op)).toEqual(['GetItem'])
    const { headers } = requests[0] as { headers: IncomingHttpHeaders }
    expect(headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem')
    expect(headers['content-type']).toBe('application/x-amz-json-1.0')
    expect(headers['amz-sdk-invocation-id']).toBeUndefined()
    expect(headers['x-amz-user-agent']).toBeUndefined()
  })
})

const bytes = (data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data)

/** The SDK's own Signature V4 signer, over node:crypto. */
class Sha256 {
  readonly #hash
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret))
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.#hash.update(bytes(data))
  }
  async digest() {
    return new Uint8Array(this.#hash.digest())
  }
}

describe('its signature', () => {
  it.each([
    ['without a session token', localCredentials],
    ['with a session token (a Lambda role)', { ...localCredentials, sessionToken: 'token+/=' }],
  ])('is the one the SDK computes for the same request (%s)', async (_name, credentials) => {
    const requests = recording()
    await liteStore({ credentials }).load('y'.repeat(32))
    const { headers, text } = requests[0] as { headers: IncomingHttpHeaders; text: string }
    const amzDate = String(headers['x-amz-date'])
    const url = new URL(table.proxy.endpoint)
    const signer = new SignatureV4({
      credentials,
      region: 'us-east-1',
      service: 'dynamodb',
      sha256: Sha256,
      applyChecksum: false,
    })
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.0',
          'content-length': String(Buffer.byteLength(text)),
          'x-amz-target': 'DynamoDB_20120810.GetItem',
        },
        body: text,
      },
      {
        signingDate: new Date(
          `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
        ),
      },
    )
    const signature = (h: unknown) => /Signature=([0-9a-f]{64})/.exec(String(h))?.[1]
    expect(signature(headers.authorization)).toBeDefined()
    const signedHeaders = (h: unknown) => /SignedHeaders=([^,]+)/.exec(String(h))?.[1]
    expect(signedHeaders(headers.authorization)).toBe(signedHeaders(signed.headers.authorization))
    expect(signature(headers.authorization)).toBe(signature(signed.headers.authorization))
    expect(String(headers.authorization)).toContain(`Credential=${credentials.accessKeyId}/`)
    expect(headers['x-amz-security-token']).toBe(
      'sessionToken' in credentials ? credentials.sessionToken : undefined,
    )
  })
})

describe('its retries, as the SDK retries', () => {
  it.each<[string, Fault[], number]>([
    ['throttled twice', ['provisioned', 'throttle'], 3],
    ['a 500, then answered', ['internal'], 2],
    ['the connection dropped before DynamoDB saw it', ['drop'], 2],
  ])('%s: answered after %#, with the same body each time', async (_name, faults, attempts) => {
    const created = await table.store.create({ data: { n: 1 }, expiresAt: inAnHour() })
    const requests = recording()
    table.proxy.script(faults)
    const calls: number[] = []
    const store = liteStore()
    const { storeCalls } = await import('../../src/store/calls.ts')
    const loaded = await storeCalls.run(
      (call) => calls.push(call.attempts),
      () => store.load(created.id),
    )
    expect(loaded?.data).toEqual({ n: 1 })
    expect(requests.map((r) => r.op)).toEqual(Array(attempts).fill('GetItem'))
    expect(new Set(requests.map((r) => r.text)).size).toBe(1)
    expect(calls).toEqual([attempts])
  })

  it('a write whose reply was lost after DynamoDB applied it is sent again and recognised: one session', async () => {
    const requests = recording()
    table.proxy.script(['applyThenDrop'])
    const created = await liteStore().create({ data: { once: true }, expiresAt: inAnHour() })
    expect(requests.map((r) => r.op)).toEqual(['PutItem', 'PutItem'])
    expect((await table.store.load(created.id))?.data).toEqual({ once: true })
  })

  it('gives up after maxAttempts: a SessionStoreError that says the table is throttled, the error as its cause', async () => {
    table.proxy.script([], 'provisioned')
    const requests = recording()
    const error = await liteStore({ maxAttempts: 2 })
      .load('z'.repeat(32))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SessionStoreError)
    expect((error as Error).message).toMatch(/is throttled/)
    const cause = (error as Error).cause as DynamoDBHttpError
    expect(cause).toBeInstanceOf(DynamoDBHttpError)
    expect(cause.name).toBe('ProvisionedThroughputExceededException')
    expect(cause.$metadata).toEqual({ httpStatusCode: 400, attempts: 2 })
    expect(requests).toHaveLength(2)
  })

  it('does not retry what DynamoDB refused for good (a validation error): one request', async () => {
    table.proxy.script([
      { error: 'ValidationException', message: 'One or more parameter values were invalid' },
    ])
    const requests = recording()
    const error = await liteStore()
      .load('v'.repeat(32))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SessionStoreError)
    expect(((error as Error).cause as Error).name).toBe('ValidationException')
    expect(requests).toHaveLength(1)
  })

  it('nothing listening (a connection refused) is retried, then a SessionStoreError whose cause says so', async () => {
    const store = liteStore({ endpoint: 'http://127.0.0.1:9' })
    const error = await store.load('w'.repeat(32)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SessionStoreError)
    const cause = (error as Error).cause as DynamoDBHttpError
    expect(cause.name).toBe('NetworkError')
    expect(cause.$metadata.attempts).toBe(3)
  })

  it('stops at the time limit, mid-request or mid-backoff: "timed out", no attempt after it', async () => {
    const held = gate()
    table.proxy.intercept(async (): Promise<Fault> => {
      await held.opened
      return 'forward'
    })
    const requests = recording()
    const started = Date.now()
    const error = await liteStore({ timeoutMs: 300 })
      .load('t'.repeat(32))
      .catch((e: unknown) => e)
    const took = Date.now() - started
    held.open()
    expect(error).toBeInstanceOf(SessionStoreError)
    expect((error as Error).message).toMatch(/timed out after 300 ms/)
    expect(took).toBeLessThan(3000)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(requests).toHaveLength(1)
  })
})

describe('its settings', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  })

  it("come from Lambda's environment at the first request, not at construction", async () => {
    for (const key of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      delete process.env[key]
    }
    delete process.env.AWS_ENDPOINT_URL
    const store = new LiteSessionStore({ tableName: table.tableName })
    process.env.AWS_ENDPOINT_URL_DYNAMODB = table.proxy.endpoint
    process.env.AWS_REGION = 'eu-west-1'
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLAMBDA'
    process.env.AWS_SECRET_ACCESS_KEY = 'secret'
    process.env.AWS_SESSION_TOKEN = 'role-token'
    const requests = recording()
    await store.load('e'.repeat(32))
    const { headers } = requests[0] as { headers: IncomingHttpHeaders }
    expect(String(headers.authorization)).toMatch(
      /Credential=AKIDLAMBDA\/\d{8}\/eu-west-1\/dynamodb\/aws4_request/,
    )
    expect(headers['x-amz-security-token']).toBe('role-token')
  })

  it('without credentials or a Region: a SessionStoreError that says which, and no request', async () => {
    for (const key of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      delete process.env[key]
    }
    const requests = recording()
    const noRegion = await new LiteSessionStore({ tableName: 'Sessions', endpoint: table.proxy.endpoint })
      .load('r'.repeat(32))
      .catch((e: unknown) => e)
    expect((noRegion as Error).message).toMatch(/no AWS region is set/)
    const noCredentials = await new LiteSessionStore({
      tableName: 'Sessions',
      endpoint: table.proxy.endpoint,
      region: 'us-east-1',
    })
      .load('r'.repeat(32))
      .catch((e: unknown) => e)
    expect(noCredentials).toBeInstanceOf(SessionStoreError)
    expect((noCredentials as Error).message).toMatch(/no valid AWS credentials/)
    expect(requests).toHaveLength(0)
  })

  it("the Region's public endpoint, China's included", () => {
    expect(regionEndpoint('eu-west-1')).toBe('https://dynamodb.eu-west-1.amazonaws.com')
    expect(regionEndpoint('us-gov-west-1')).toBe('https://dynamodb.us-gov-west-1.amazonaws.com')
    expect(regionEndpoint('cn-northwest-1')).toBe('https://dynamodb.cn-northwest-1.amazonaws.com.cn')
  })

  it('credentials from a function, asked at each request (a rotating source)', async () => {
    let asked = 0
    const store = liteStore({
      credentials: async () => ({ accessKeyId: `AKID${++asked}`, secretAccessKey: 's' }),
    })
    const requests = recording()
    await store.load('f'.repeat(32))
    await store.load('f'.repeat(32))
    expect(asked).toBe(2)
    expect(requests.map((r) => /Credential=(\w+)\//.exec(String(r.headers.authorization))?.[1])).toEqual([
      'AKID1',
      'AKID2',
    ])
  })

  it('refuses what is not its own: an SDK client, a transport without send, bad attempts', () => {
    expect(() => new LiteSessionStore({ client: {} } as never)).toThrow(/sends without the AWS SDK/)
    expect(() => dynamoSession({ client: {} } as never)).toThrow(SessionConfigError)
    expect(() => new LiteSessionStore({ transport: {} as never })).toThrow(/must be a transport/)
    expect(() => new LiteSessionStore({ maxAttempts: 0 })).toThrow(/1 or more/)
    expect(() => new LiteSessionStore({ credentials: { accessKeyId: 'a' } as never })).toThrow(
      SessionConfigError,
    )
  })
})

describe('dynamoSession() of the lite subpath', () => {
  it('serves a counter end to end over the fetch transport', async () => {
    const requests = recording()
    const handler = middy()
      .use(
        dynamoSession<{ count: number }>({
          store: {
            tableName: table.tableName,
            endpoint: table.proxy.endpoint,
            region: 'us-east-1',
            credentials: localCredentials,
          },
        }),
      )
      .handler(async (_event, context) => {
        const count = ((await context.session.get('count')) ?? 0) + 1
        await context.session.set('count', count)
        return { statusCode: 200, body: String(count) }
      })
    const call = (cookie?: string) =>
      handler(
        httpApiV2Event(cookie ? { cookieHeader: cookie } : {}),
        freshContext() as SessionContext<{ count: number }>,
      ) as Promise<HttpResult>
    const first = await call()
    const cookie = String(first.cookies?.[0]).split(';')[0]
    expect((await call(cookie)).body).toBe('2')
    expect((await call(cookie)).body).toBe('3')
    expect(requests.every((r) => r.headers['amz-sdk-invocation-id'] === undefined)).toBe(true)
    expect(requests.map((r) => r.op)).toEqual(['PutItem', 'GetItem', 'UpdateItem', 'GetItem', 'UpdateItem'])
  })

  it('a transport of your own is used as given', async () => {
    const inner = new HttpTransport({
      endpoint: table.proxy.endpoint,
      region: 'us-east-1',
      credentials: localCredentials,
    })
    const sent: string[] = []
    const store = liteStore({
      transport: {
        send: (operation, input, signal) => {
          sent.push(operation)
          return inner.send(operation, input, signal)
        },
      },
    })
    const created = await store.create({ data: { a: 1 }, expiresAt: inAnHour() })
    await store.load(created.id)
    expect(sent).toEqual(['PutItem', 'GetItem'])
  })
})
