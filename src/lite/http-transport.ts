/**
 * A {@link DynamoDBTransport} over Node's own `node:https` (or `node:http` for a local endpoint) with a
 * keep-alive agent, each request signed with Signature V4 by `aws4`: DynamoDB's JSON protocol by hand
 * (one POST per request), retried as the AWS SDK v3 retries (3 attempts, full-jitter backoff from 100 ms,
 * 500 ms when throttled), with errors named as the SDK names them. Credentials and Region come from the
 * Lambda environment (or options), the endpoint from `AWS_ENDPOINT_URL_DYNAMODB`.
 *
 * Why not `fetch`: Node loads its `fetch` (undici) on first use, about 55 ms of CPU that a cold start would
 * pay on its first request; `node:https` is a few milliseconds (bench/transports.ts has the comparison).
 *
 * @module
 */
import type { Agent, IncomingMessage, RequestOptions } from 'node:http'
import { createRequire } from 'node:module'
import aws4 from 'aws4'
import type { DynamoDBOperation, DynamoDBReply, DynamoDBTransport } from '../dynamodb/transport.ts'

/**
 * AWS credentials: Lambda gives a function's role as `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
 * `AWS_SESSION_TOKEN`.
 *
 * @example
 * ```ts
 * const credentials: AwsCredentials = { accessKeyId: 'local', secretAccessKey: 'local' }
 * ```
 */
export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
}

/**
 * Options of {@link HttpTransport}. Each has a default from the environment, read at the first request
 * (none at import).
 *
 * @example
 * ```ts
 * const options: HttpTransportOptions = { region: 'eu-west-1', maxAttempts: 5 }
 * ```
 */
export interface HttpTransportOptions {
  /** The Region. Default `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string | undefined
  /**
   * The endpoint. Default `AWS_ENDPOINT_URL_DYNAMODB`, then `AWS_ENDPOINT_URL`, then the Region's
   * `https://dynamodb.<region>.amazonaws.com`.
   */
  endpoint?: string | undefined
  /**
   * Credentials, or a function that gives them (called at each request: cache inside it). Default: the
   * environment's (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), as Lambda sets them.
   */
  credentials?: AwsCredentials | (() => AwsCredentials | Promise<AwsCredentials>) | undefined
  /** Attempts per request, the first included, as the SDK's `maxAttempts`. Default 3. */
  maxAttempts?: number | undefined
}

/** What the SDK retries as throttling (its own list), with a longer backoff. */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'TransactionInProgressException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
])
/** What else the SDK retries: transient errors, and DynamoDB's retryable `ReplicatedWriteConflictException`. */
const TRANSIENT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ReplicatedWriteConflictException',
])

/**
 * An error DynamoDB answered, or a request that never got an answer, as the SDK shapes its errors:
 * `name` is DynamoDB's error name (or `NetworkError`), with `$metadata` and, when DynamoDB sent them,
 * `Item` (a refused condition) and `CancellationReasons` (a cancelled transaction).
 *
 * @example
 * ```ts
 * if (error instanceof DynamoDBHttpError && error.name === 'ConditionalCheckFailedException') console.log(error.Item)
 * ```
 */
export class DynamoDBHttpError extends Error {
  /** `client` for DynamoDB's 4xx answers, `server` for 5xx and lost connections. */
  readonly $fault: 'client' | 'server'
  /** The HTTP status (none when no answer came) and the attempts made. */
  readonly $metadata: { httpStatusCode?: number | undefined; attempts: number }
  /** The item as it was, when a condition was refused and `ReturnValuesOnConditionCheckFailure` asked. */
  readonly Item?: Record<string, unknown> | undefined
  /** Why each write of a cancelled transaction was refused. */
  readonly CancellationReasons?: unknown[] | undefined

  constructor(
    name: string,
    message: string,
    details: {
      status?: number | undefined
      attempts: number
      body?: Record<string, unknown>
      cause?: unknown
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = name
    const { status, body } = details
    this.$fault = status !== undefined && status < 500 ? 'client' : 'server'
    this.$metadata = { httpStatusCode: status, attempts: details.attempts }
    if (body?.Item) this.Item = body.Item as Record<string, unknown>
    if (body?.CancellationReasons) this.CancellationReasons = body.CancellationReasons as unknown[]
  }
}

/**
 * Binary attribute values: base64 on the wire, `Uint8Array` in the SDK's shapes (and in this library). The
 * holder's own value is read, as a `Buffer` has turned itself into `{ type, data }` by the time `value` is.
 */
function toWire(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const own = this[key]
  return own instanceof Uint8Array
    ? Buffer.from(own.buffer, own.byteOffset, own.byteLength).toString('base64')
    : value
}
function fromWire(key: string, value: unknown): unknown {
  if (key === 'B' && typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'))
  if (key === 'BS' && Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return value.map((v: string) => new Uint8Array(Buffer.from(v, 'base64')))
  }
  return value
}
/** Whether `value` holds a binary value anywhere (the replacer, a call per node, only then). */
function hasBinary(value: unknown): boolean {
  if (value instanceof Uint8Array) return true
  if (typeof value !== 'object' || value === null) return false
  for (const key in value) if (hasBinary((value as Record<string, unknown>)[key])) return true
  return false
}

/** DynamoDB's JSON answer; the binary-decoding walk only when it holds a binary value. */
function parseReply(text: string): Record<string, unknown> {
  if (text.length === 0) return {}
  return JSON.parse(text, /"BS?":/.test(text) ? fromWire : undefined) as Record<string, unknown>
}

/** The error an answer with a non-2xx `status` and body `text` means. */
function answeredError(status: number, text: string, attempts: number): DynamoDBHttpError {
  let body: Record<string, unknown> = {}
  try {
    body = parseReply(text)
  } catch {
    // Not JSON (a proxy's page, say): named by its status below.
  }
  const type = typeof body.__type === 'string' ? body.__type : ''
  const name =
    type.slice(type.lastIndexOf('#') + 1) || (status >= 500 ? 'InternalServerError' : 'UnknownError')
  const message = body.message ?? body.Message
  return new DynamoDBHttpError(name, typeof message === 'string' ? message : `HTTP ${status}`, {
    status,
    attempts,
    body,
  })
}

/** Whether the SDK would send again a request that failed with `error`. */
function retryable(error: DynamoDBHttpError): boolean {
  const status = error.$metadata.httpStatusCode
  return (
    status === undefined ||
    status >= 500 ||
    status === 429 ||
    THROTTLING.has(error.name) ||
    TRANSIENT.has(error.name)
  )
}

/** A pause before attempt `attempt + 1`, full jitter as the SDK's, cut short when `signal` aborts. */
function backoff(attempt: number, throttled: boolean, signal: AbortSignal): Promise<void> {
  const ms = Math.floor(Math.min(20_000, Math.random() * 2 ** attempt * (throttled ? 500 : 100)))
  const { setTimeout: sleep } = builtin<typeof import('node:timers/promises')>('node:timers/promises')
  return sleep(ms, undefined, { signal })
}

/**
 * DynamoDB's public endpoint in `region`: `https://dynamodb.<region>.amazonaws.com`, `.com.cn` in the
 * China Regions. Other partitions (FIPS, dual-stack, isolated Regions) take the `endpoint` option.
 *
 * @example
 * ```ts
 * regionEndpoint('cn-north-1') // 'https://dynamodb.cn-north-1.amazonaws.com.cn'
 * ```
 */
export function regionEndpoint(region: string): string {
  return `https://dynamodb.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`
}

/**
 * A Node module, loaded as CommonJS when first needed: nothing at import, and `node:http` without the
 * undici an ES module's import of it also loads (above).
 */
function builtin<T>(name: string): T {
  return (process.getBuiltinModule?.(name) ?? createRequire(import.meta.url)(name)) as T
}

type HttpModule = typeof import('node:http')

/** Where requests go: the module and agent for the endpoint's protocol, its host, port and Region. */
interface Target {
  readonly http: HttpModule
  readonly agent: Agent
  readonly hostname: string
  readonly port: string
  readonly region: string
}

/** Sends `body` and reads the whole answer; rejects when the connection fails or `signal` aborts. */
function exchange(
  target: Target,
  options: RequestOptions,
  body: string,
  signal: AbortSignal,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = target.http.request(
      { ...options, agent: target.agent, signal },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        )
        response.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

/**
 * DynamoDB over `node:https`: the `lite` subpath's transport. Its import and first request cost a few
 * milliseconds where the AWS SDK's DynamoDB client takes about a hundred (`bench/`).
 *
 * @example
 * ```ts
 * const transport = new HttpTransport({ region: 'eu-west-1' })
 * const { output } = await transport.send('GetItem', { TableName: 'Sessions', Key: key }, AbortSignal.timeout(5000))
 * ```
 */
export class HttpTransport implements DynamoDBTransport {
  readonly #options: HttpTransportOptions
  #target: Target | undefined

  constructor(options: HttpTransportOptions = {}) {
    this.#options = options
  }

  /** The endpoint, its module and agent, and the Region, from the options or the environment, on first use. */
  #resolveTarget(attempts: number): Target {
    if (this.#target) return this.#target
    const env = process.env
    const region = this.#options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION
    if (!region) throw new DynamoDBHttpError('ConfigError', 'Region is missing', { attempts })
    const url = new URL(
      this.#options.endpoint ??
        env.AWS_ENDPOINT_URL_DYNAMODB ??
        env.AWS_ENDPOINT_URL ??
        regionEndpoint(region),
    )
    const http = builtin<HttpModule>(url.protocol === 'http:' ? 'node:http' : 'node:https')
    // As the SDK's: connections kept open between requests (and invocations), at most 50 at once.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 })
    this.#target = { http, agent, hostname: url.hostname, port: url.port, region }
    return this.#target
  }

  async #credentials(attempts: number): Promise<AwsCredentials> {
    const given = this.#options.credentials
    const credentials =
      typeof given === 'function'
        ? await given()
        : (given ?? {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
            sessionToken: process.env.AWS_SESSION_TOKEN,
          })
    if (!credentials.accessKeyId || !credentials.secretAccessKey) {
      const message =
        'No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give credentials'
      throw new DynamoDBHttpError('CredentialsProviderError', message, { attempts })
    }
    return credentials
  }

  /** See {@link DynamoDBTransport.send}: signed at each attempt, retried as the SDK retries. */
  async send(
    operation: DynamoDBOperation,
    input: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<DynamoDBReply> {
    const maxAttempts = Math.max(1, this.#options.maxAttempts ?? 3)
    const body = hasBinary(input) ? JSON.stringify(input, toWire) : JSON.stringify(input)
    for (let attempt = 1; ; attempt++) {
      const target = this.#resolveTarget(attempt)
      const credentials = await this.#credentials(attempt)
      // Signed afresh at each attempt: the signature carries the time.
      const signed = aws4.sign(
        {
          host: target.hostname,
          ...(target.port && { port: Number(target.port) }),
          path: '/',
          method: 'POST',
          service: 'dynamodb',
          region: target.region,
          headers: {
            'Content-Type': 'application/x-amz-json-1.0',
            'X-Amz-Target': `DynamoDB_20120810.${operation}`,
          },
          body,
        },
        credentials,
      )
      let error: DynamoDBHttpError
      try {
        const { status, text } = await exchange(target, signed as RequestOptions, body, signal)
        if (status >= 200 && status < 300) return { output: parseReply(text), attempts: attempt }
        error = answeredError(status, text, attempt)
      } catch (cause) {
        // Aborted by the store's time limit: no more attempts.
        if (signal.aborted) throw cause
        // No answer (the connection failed or was lost): DynamoDB may or may not have applied it.
        error = new DynamoDBHttpError('NetworkError', `No answer from DynamoDB: ${String(cause)}`, {
          attempts: attempt,
          cause,
        })
      }
      if (attempt >= maxAttempts || !retryable(error)) throw error
      await backoff(attempt, THROTTLING.has(error.name), signal)
    }
  }
}
