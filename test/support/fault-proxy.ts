/**
 * An HTTP proxy in front of DynamoDB Local that injects faults: the real SDK (with its real retries)
 * talks to it, and each request is either forwarded or answered with a throttling error, a 500, a
 * delay, or a dropped connection, as the test scripts it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault = 'forward' | 'throttle' | 'provisioned' | 'internal' | 'drop' | { delayMs: number }

export interface FaultProxy {
  endpoint: string
  /** Faults for the next requests, in order; once used up, `then` applies to every later request. */
  script(faults: Fault[], then?: Fault): void
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
  const seen: string[] = []
  const sockets = new Set<import('node:net').Socket>()

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const proxied = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    proxied.on('error', () => res.destroy())
    proxied.end(body)
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '')
      seen.push(target.replace(/^DynamoDB_\d+\./, ''))
      const fault = queue.length > 0 ? (queue.shift() as Fault) : fallback
      const body = Buffer.concat(chunks)
      if (fault === 'forward') forward(req, res, body)
      else if (fault === 'drop') res.socket?.destroy()
      else if (typeof fault === 'object') setTimeout(() => forward(req, res, body), fault.delayMs).unref()
      else answerError(res, fault)
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
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
