/**
 * `npm start`: the counter of `template.yaml` on http://localhost:3000, with no Docker and no AWS account.
 *
 * - DynamoDB: an embedded DynamoDB Local (Java 17+), or the one `AWS_ENDPOINT_URL_DYNAMODB` points at
 *   (e.g. `docker compose up dynamodb` and `AWS_ENDPOINT_URL_DYNAMODB=http://localhost:8000`).
 * - The table is created from the template's `AWS::DynamoDB::Table` (key schema, global secondary
 *   indexes, TTL) if it is missing; an existing one that lacks one of those indexes stops it with a
 *   message saying so.
 * - The function's environment is the template's, resolved as `sam local` resolves it, with the
 *   parameter overrides `CookieSecure=false` (plain http) and `LocalDynamoDBEndpoint=<endpoint>`;
 *   variables already set in the shell win (`COOKIE_SECURE=true npm start`).
 * - Each request becomes an API Gateway HTTP API (payload 2.0) event for the route the template
 *   declares; the result is mapped back the way API Gateway does it. `HEAD` is answered as the `GET`
 *   of the same URL, headers included, without the body (the handler runs: a counting route counts).
 * - A handler built for response streaming (a function URL in `RESPONSE_STREAM` mode, Middy's
 *   `executionModeStreamifyResponse`) is served too: its prelude becomes the status and headers, and the
 *   body goes out as the handler writes it (scripts/lambda-streaming.ts).
 * - Stops everything it started (the HTTP server, DynamoDB Local's JVM) on SIGINT or SIGTERM, sent to
 *   it or to the `npm start` that runs it (npm forwards both; `start` `exec`s node so no shell sits in
 *   between), and when that parent process goes away.
 *
 * Environment: `PORT` (default 3000), `HOST` (default 127.0.0.1), `AWS_ENDPOINT_URL_DYNAMODB`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'
import { type RunningDynamoDBLocal, startDynamoDBLocal } from './dynamodb-local.ts'
import {
  createLambdaContext,
  fromHandlerResult,
  type HttpResponse,
  matchRoute,
  toHttpApiEvent,
} from './http-to-lambda.ts'
import { installStreamingRuntime, isStreamingHandler, responseStreamFor } from './lambda-streaming.ts'
import {
  DEFAULT_TEMPLATE_PATH,
  ensureTable,
  findFunction,
  findTable,
  loadTemplate,
  resolveIntrinsics,
} from './sam-template.ts'

/** A Lambda handler for HTTP API events: async, like every handler on the nodejs24.x runtime. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => unknown

/** Where the dev server reports requests and errors. */
export interface DevServerLog {
  info(message: string): void
  error(message: string, error?: unknown): void
}

const consoleLog: DevServerLog = {
  info: (message) => console.log(message),
  error: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)),
}

/** Silences the dev server (tests). */
export const silentLog: DevServerLog = { info() {}, error() {} }

export interface DevServerOptions {
  handler: HttpApiHandler
  /** HTTP API route keys, e.g. `['GET /', 'ANY /{proxy+}']`. Default `['$default']`: everything. */
  routes?: readonly string[]
  /** Default 3000; `0` picks a free port. */
  port?: number
  /** Default `127.0.0.1` (this machine only). */
  host?: string
  /** Default `function`. */
  functionName?: string
  /** The function's timeout: after it the request fails with a 500, as in Lambda. Default 3. */
  timeoutSeconds?: number
  memorySize?: number
  region?: string
  log?: DevServerLog
}

export interface DevServer {
  /** `http://localhost:PORT` */
  url: string
  port: number
  close(): Promise<void>
}

const notFound: HttpResponse = jsonResponse(404, { message: 'Not Found' })
const internalError: HttpResponse = jsonResponse(500, { message: 'Internal Server Error' })

function jsonResponse(statusCode: number, body: unknown): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
  }
}

class TimeoutError extends Error {
  override name = 'TimeoutError'
}

/** Runs `call` (one invocation of the handler), failing it after `timeoutMs` as Lambda would. */
async function invoke(call: () => unknown, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TimeoutError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
      timeoutMs,
    )
  })
  try {
    return await Promise.race([Promise.resolve().then(call), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Writes the response; for a `HEAD` request the headers only (`content-length` as the body's). */
function writeResponse(res: ServerResponse, response: HttpResponse, head = false): void {
  const headers: Record<string, string | string[]> = { ...response.headers }
  const bodyless = response.statusCode === 204 || response.statusCode === 304
  if (!bodyless) headers['content-length'] = String(response.body.length)
  res.writeHead(response.statusCode, headers)
  res.end(bodyless || head ? undefined : response.body)
}

function displayHost(host: string): string {
  return ['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'].includes(host) ? 'localhost' : host
}

/**
 * Serves a Lambda handler over HTTP the way an HTTP API (payload 2.0) would call it.
 *
 * @example
 * const server = await startDevServer({ handler, routes: ['GET /', 'ANY /{proxy+}'], port: 0 })
 * await fetch(`${server.url}/api/count`)
 * await server.close()
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const routes = options.routes ?? ['$default']
  const log = options.log ?? consoleLog
  const host = options.host ?? '127.0.0.1'
  const timeoutMs = (options.timeoutSeconds ?? 3) * 1000
  const functionName = options.functionName ?? 'function'

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now()
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const head = req.method === 'HEAD'
    // HEAD runs the GET route and sends its headers only (as Express routes HEAD).
    const method = head ? 'GET' : (req.method ?? 'GET')
    const url = req.url ?? '/'
    const path = url.split('?')[0] ?? '/'
    const match = matchRoute(routes, method, path)
    let response = notFound
    if (match) {
      const event = toHttpApiEvent(
        {
          method,
          url,
          httpVersion: req.httpVersion,
          rawHeaders: req.rawHeaders,
          remoteAddress: req.socket.remoteAddress,
          localPort: req.socket.localPort,
          body: Buffer.concat(chunks),
        },
        { ...match, now: new Date(started) },
      )
      const context = createLambdaContext({
        functionName,
        timeoutMs,
        startedAt: started,
        ...(options.memorySize ? { memorySize: options.memorySize } : {}),
        ...(options.region ? { region: options.region } : {}),
      })
      if (isStreamingHandler(options.handler)) {
        // A function URL in RESPONSE_STREAM mode: the prelude and the body go out as the handler writes them.
        const stream = responseStreamFor(res, head)
        const streaming = options.handler as unknown as (e: unknown, s: Writable, c: Context) => unknown
        try {
          await invoke(() => streaming(event, stream, context), timeoutMs)
          log.info(`${req.method ?? method} ${url} ${res.statusCode} ${Date.now() - started} ms (streamed)`)
        } catch (error) {
          log.error(`${method} ${url}: the function failed (request ${context.awsRequestId})`, error)
          if (res.headersSent) res.destroy()
          else writeResponse(res, internalError, head)
        }
        return
      }
      try {
        response = fromHandlerResult(await invoke(() => options.handler(event, context), timeoutMs))
      } catch (error) {
        log.error(`${method} ${url}: the function failed (request ${context.awsRequestId})`, error)
        response = internalError
      }
    }
    writeResponse(res, response, head)
    log.info(
      `${req.method ?? method} ${url} ${response.statusCode} ${Date.now() - started} ms${match ? '' : ' (no route)'}`,
    )
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error(`${req.method} ${req.url}: the dev server failed`, error)
      if (!res.headersSent) writeResponse(res, internalError, req.method === 'HEAD')
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 3000, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${displayHost(host)}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        // Keep-alive connections (browsers) would otherwise hold close() open.
        server.closeAllConnections()
      }),
  }
}

export interface RunDevServerOptions {
  /** Default: the repository's `template.yaml`. */
  templatePath?: string
  /** Logical id of the function; default the template's only `AWS::Serverless::Function`. */
  functionId?: string
  port?: number
  host?: string
  log?: DevServerLog
}

export interface RunningDevServer extends DevServer {
  /** The DynamoDB endpoint in use (embedded or `AWS_ENDPOINT_URL_DYNAMODB`). */
  endpoint: string
  /** The table the function uses (`TABLE_NAME`). */
  tableName: string
  /** Whether DynamoDB Local was started here (and is stopped by `close()`). */
  embedded: boolean
}

/**
 * Everything `npm start` does, as a function: DynamoDB (embedded unless `AWS_ENDPOINT_URL_DYNAMODB` is
 * set), the table, the function's environment (written to `process.env`, restored by `close()`), the
 * handler module, and the HTTP server.
 *
 * @example
 * const server = await runDevServer({ port: 0 })
 * console.log(server.url)
 * await server.close()
 */
export async function runDevServer(options: RunDevServerOptions = {}): Promise<RunningDevServer> {
  const templatePath = options.templatePath ?? DEFAULT_TEMPLATE_PATH
  const template = await loadTemplate(templatePath)
  const fn = findFunction(template, templatePath, options.functionId)
  // The table the function's environment refers to (`TABLE_NAME: !Ref SessionsTable`), else the only one.
  const tableVariable = Object.entries(fn.environment).find(([, value]) => {
    const ref = (value as { Ref?: unknown } | null)?.Ref
    return typeof ref === 'string' && template.Resources[ref]?.Type === 'AWS::DynamoDB::Table'
  })
  const table = findTable(template, (tableVariable?.[1] as { Ref?: string } | undefined)?.Ref)

  const previousEnv = new Map<string, string | undefined>()
  const setEnv = (name: string, value: string | undefined) => {
    if (!previousEnv.has(name)) previousEnv.set(name, process.env[name])
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  const restoreEnv = () => {
    for (const [name, value] of previousEnv) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }

  let ddb: RunningDynamoDBLocal | undefined
  try {
    const external = process.env.AWS_ENDPOINT_URL_DYNAMODB
    if (!external) ddb = await startDynamoDBLocal()
    const endpoint = external ?? (ddb as RunningDynamoDBLocal).endpoint
    setEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint)
    if (!process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION) setEnv('AWS_REGION', 'us-east-1')
    // DynamoDB Local accepts any credentials. Against our own, they must not depend on an AWS profile (or
    // an expired SSO login): the SDK ignores AWS_ACCESS_KEY_ID while AWS_PROFILE is set, so unset it.
    if (ddb || (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE)) {
      setEnv('AWS_PROFILE', undefined)
      setEnv('AWS_SESSION_TOKEN', undefined)
      setEnv('AWS_ACCESS_KEY_ID', 'local')
      setEnv('AWS_SECRET_ACCESS_KEY', 'local')
    }
    const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'

    // The template's environment, as `sam local start-api --parameter-overrides ...` would resolve it.
    const parameters: Record<string, string> = {}
    if (template.Parameters?.CookieSecure) parameters.CookieSecure = 'false'
    if (template.Parameters?.LocalDynamoDBEndpoint) parameters.LocalDynamoDBEndpoint = endpoint
    const environment = resolveIntrinsics(fn.environment, { template, parameters, region }) as Record<
      string,
      unknown
    >
    for (const [name, value] of Object.entries(environment)) {
      if (process.env[name] === undefined && value !== undefined) setEnv(name, String(value))
    }
    const tableName = (tableVariable && process.env[tableVariable[0]]) || table.tableName

    const client = new DynamoDBClient({ endpoint, region })
    try {
      await ensureTable(client, tableName, table)
    } finally {
      client.destroy()
    }

    // A handler built for response streaming needs the runtime's awslambda global when it is built.
    installStreamingRuntime()
    const module = (await import(pathToFileURL(fn.entryPoint).href)) as Record<string, unknown>
    const handler = module[fn.exportName]
    if (typeof handler !== 'function') {
      throw new Error(`${fn.entryPoint} has no exported function "${fn.exportName}"`)
    }
    const server = await startDevServer({
      handler: handler as HttpApiHandler,
      routes: fn.routes,
      functionName: fn.logicalId,
      timeoutSeconds: fn.timeoutSeconds,
      memorySize: fn.memorySize,
      region,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.log ? { log: options.log } : {}),
    })
    const stopDynamo = ddb
    return {
      ...server,
      endpoint,
      tableName,
      embedded: stopDynamo !== undefined,
      async close() {
        try {
          await server.close()
        } finally {
          await stopDynamo?.stop()
          restoreEnv()
        }
      },
    }
  } catch (error) {
    await ddb?.stop()
    restoreEnv()
    throw error
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${value}"`)
  return port
}

/** A repeat of the signal within this time is the same stop (npm forwards the Ctrl-C the terminal sent us too). */
const SAME_STOP_MS = 1000
/** How long a graceful stop may take before the process exits anyway (the JVM is then killed on 'exit'). */
const STOP_TIMEOUT_MS = 10_000

async function main(): Promise<void> {
  let server: RunningDevServer | undefined
  let stoppingSince: number | undefined
  // Installed before anything starts: a signal while DynamoDB Local boots must still take the JVM down,
  // which process.exit() does (dynamodb-local.ts kills it on 'exit'); dying of the signal would not.
  const stop = (reason: string) => {
    if (stoppingSince !== undefined) {
      // A second Ctrl-C: stop waiting. The copy npm forwards of the first one is not a second one.
      if (Date.now() - stoppingSince > SAME_STOP_MS) process.exit(130)
      return
    }
    stoppingSince = Date.now()
    if (!server) process.exit(130) // not up yet: nothing to close gracefully
    console.log(`${reason}: shutting down`)
    setTimeout(() => {
      console.error(`not stopped after ${STOP_TIMEOUT_MS / 1000} s: exiting`)
      process.exit(1)
    }, STOP_TIMEOUT_MS).unref()
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGHUP', () => stop('SIGHUP'))
  // If the parent (npm, a shell) dies without passing a signal on (e.g. SIGKILL), this process is
  // re-parented: stop rather than keep the port and the JVM.
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) stop('parent process gone')
  }, 500).unref()

  try {
    const port = parsePort(process.env.PORT)
    server = await runDevServer({ port, host: process.env.HOST || '127.0.0.1' })
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    if (code === 'EADDRINUSE')
      console.error(`Port ${process.env.PORT ?? 3000} is in use: set PORT to another one.`)
    else console.error(message)
    process.exit(1)
  }
  const where = server.embedded ? `embedded DynamoDB Local on ${server.endpoint}` : server.endpoint
  console.log(`Counter ready: ${server.url}  (table ${server.tableName}, ${where}; Ctrl-C stops)`)
}

// Run only as `node scripts/dev-server.ts`, not when a test imports this module.
if (import.meta.main) await main()
