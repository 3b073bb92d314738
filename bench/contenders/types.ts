/** What the bench needs from each contender: one HTTP API v2 invocation at a time. */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'
import type { CallRecorder } from '../lib/instrument.ts'

/** The parts of an HTTP API v2 result the bench looks at. */
export interface HttpResult {
  statusCode: number
  body: string
  /** `Set-Cookie` values (payload 2.0 puts them in `cookies`). */
  cookies: string[]
}

export interface Contender {
  /** Short key used in the table, e.g. `a`. */
  readonly key: string
  /** What it is, e.g. `middy-dynamodb-session`. */
  readonly label: string
  /** Counts its DynamoDB calls; `undefined` for a contender without DynamoDB. */
  readonly recorder: CallRecorder | undefined
  /** One Lambda invocation. */
  invoke(event: APIGatewayProxyEventV2): Promise<HttpResult>
  /** The contender's clock, epoch ms. */
  now(): number
  /** Moves the contender's clock forward, where it has one to move (the library's `now` option). */
  advance?(seconds: number): void
}

/** A Lambda-like context; a new object per invocation, as Lambda gives each its own. */
export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    memoryLimitInMB: '1024',
    awsRequestId: crypto.randomUUID(),
    logGroupName: '/aws/lambda/bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }
}

/**
 * Normalises a payload 2.0 result (structured or a bare string). API Gateway sends a `set-cookie` found in
 * `headers` as well as those in `cookies`: serverless-http puts a lone `Set-Cookie` there.
 */
export function toHttpResult(result: unknown): HttpResult {
  if (typeof result === 'string') return { statusCode: 200, body: result, cookies: [] }
  const structured = (result ?? {}) as {
    statusCode?: number
    body?: string
    cookies?: string[]
    headers?: Record<string, string | number | boolean>
  }
  const cookies = [...(structured.cookies ?? [])]
  for (const [name, value] of Object.entries(structured.headers ?? {})) {
    if (name.toLowerCase() === 'set-cookie') cookies.push(String(value))
  }
  return { statusCode: structured.statusCode ?? 200, body: structured.body ?? '', cookies }
}
