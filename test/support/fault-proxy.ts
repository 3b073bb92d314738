/**
 * An HTTP proxy in front of DynamoDB Local that injects faults and forces interleavings: the real SDK
 * (with its real retries) talks to it, and each request is forwarded, answered with an error, delayed,
 * held until the test releases it, dropped before it reaches DynamoDB, or forwarded and then dropped
 * so that DynamoDB applies the write but the client never hears the reply.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/**
 * What the proxy does with one request:
 * - `forward`: pass it on and relay the answer;
 * - `throttle`, `provisioned`, `internal`: answer with that DynamoDB error without forwarding;
 * - `drop`: close the connection before DynamoDB sees the request;
 * - `applyThenDrop`: forward it, wait for DynamoDB's answer (so a write is applied), then close the
 *   connection instead of relaying the answer: the reply is lost and the SDK retries;
 * - `{ delayMs }`: forward after a delay.
 */
export type Fault =
  | 'forward'
  | 'throttle'
  | 'provisioned'
  | 'internal'
  | 'drop'
  | 'applyThenDrop'
  | { delayMs: number }
  /** Answers with this DynamoDB error (HTTP 400), without forwarding: e.g. a cancelled transaction. */
  | { error: string; message?: string; extra?: Record<string, unknown> }

/** One request as an interceptor sees it. */
export interface InterceptedRequest {
  /** The DynamoDB operation, e.g. `UpdateItem`. */
  op: string
  /** The parsed JSON body. */
  body: Record<string, unknown>
  /** The raw body text, for matching. */
  text: string
  /** The request's headers, as received (lower-case names). */
  headers: IncomingHttpHeaders
}

/**
 * Decides what to do with a request; it may wait (hold the request) on anything first. Returning
 * `undefined` passes the request to the next rule (and finally to the scripted faults).
 */
export type Interceptor = (request: InterceptedRequest) => Fault | undefined | Promise<Fault | undefined>

export interface FaultProxy {
  endpoint: string
  /** Faults for the next requests, in order; once used up, `then` applies to every later request. */
  script(faults: Fault[], then?: Fault): void
  /**
   * Adds a rule, checked before the script for every request, newest rule first. Returns a function
   * that removes it.
   */
  intercept(interceptor: Interceptor): () => void
  /** Removes every rule and resets the script to `forward`. */
  reset(): void
  /** The DynamoDB operations (X-Amz-Target suffix) the proxy has seen, faulted or not. */
  seen: string[]
  close(): Promise<void>
}

const ERRORS = {
  throttle: [400, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput.'],
  provisioned: [
    400,
    'ProvisionedThroughputExceededException',
    'The level of configured provisioned throughput exceeded.',
  ],
  internal: [500, 'InternalServerError', 'Internal server error'],
} as const

function answerError(res: ServerResponse, kind: keyof typeof ERRORS): void {
  const [status, type, message] = ERRORS[kind]
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault-proxy' })
  res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }))
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target)
  let queue: Fault[] = []
  let fallback: Fault = 'forward'
  let rules: Interceptor[] = []
  const seen: string[] = []
  const sockets = new Set<Socket>()

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, relay: boolean) => {
    const proxied = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (!relay) {
          // Read the whole answer (the write has been applied), then lose it.
          answer.resume()
          answer.on('end', () => res.socket?.destroy())
          return
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    proxied.on('error', () => res.destroy())
    proxied.end(body)
  }

  const decide = async (request: InterceptedRequest): Promise<Fault> => {
    for (const rule of [...rules].reverse()) {
      const fault = await rule(request)
      if (fault !== undefined) return fault
    }
    return queue.length > 0 ? (queue.shift() as Fault) : fallback
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', async () => {
      const op = String(req.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '')
      seen.push(op)
      const body = Buffer.concat(chunks)
      const text = body.toString('utf8')
      let parsed: Record<string, unknown> = {}
      try {
        parsed = JSON.parse(text) as Record<string, unknown>
      } catch {
        // not JSON: match on text only
      }
      const fault = await decide({ op, body: parsed, text, headers: req.headers })
      if (fault === 'forward') forward(req, res, body, true)
      else if (fault === 'applyThenDrop') forward(req, res, body, false)
      else if (fault === 'drop') res.socket?.destroy()
      else if (typeof fault === 'object' && 'error' in fault) {
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': 'fault-proxy',
        })
        const type = `com.amazonaws.dynamodb.v20120810#${fault.error}`
        res.end(JSON.stringify({ __type: type, message: fault.message ?? fault.error, ...fault.extra }))
      } else if (typeof fault === 'object') {
        setTimeout(() => forward(req, res, body, true), fault.delayMs).unref()
      } else answerError(res, fault)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    script(faults, then = 'forward') {
      queue = [...faults]
      fallback = then
    },
    intercept(interceptor) {
      rules.push(interceptor)
      return () => {
        rules = rules.filter((rule) => rule !== interceptor)
      }
    },
    reset() {
      rules = []
      queue = []
      fallback = 'forward'
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** The DynamoDB operations that write an item. */
export const WRITE_OPS: ReadonlySet<string> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
])

/** A promise with its resolver, for holding requests at the proxy until the test says so. */
export function gate(): { open: () => void; opened: Promise<void> } {
  const { promise, resolve } = Promise.withResolvers<void>()
  return { open: () => resolve(), opened: promise }
}

/** What a DynamoDB global table with multi-Region strong consistency (MRSC) answers a transaction. */
export const NO_TRANSACTIONS: Fault = {
  error: 'ValidationException',
  message: 'TransactWriteItems is not supported on a table with multi-Region strong consistency',
}

/** Makes `proxy` refuse `TransactWriteItems` as an MRSC table does; returns the rule's removal. */
export function refuseTransactions(proxy: FaultProxy): () => void {
  return proxy.intercept(({ op }) => (op === 'TransactWriteItems' ? NO_TRANSACTIONS : undefined))
}
