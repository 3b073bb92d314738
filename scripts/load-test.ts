/**
 * A bounded load test of the counter through `npm start`'s dev server, on loopback only.
 *
 * N clients (default 200) each send M requests (default 20) to `GET /api/count`, one after another,
 * with their own cookie jar; clients run in parallel, at most `concurrency` at a
 * time (default: all), over a shared pool of keep-alive connections (default 64, as behind a proxy; it
 * also mixes clients on each connection, which the isolation check then covers). Then each client reads
 * its count once with `GET /api/peek`. Checks:
 *
 * - no 5xx and no failed request;
 * - no lost increment: each client's final count equals its number of successful `/api/count` requests;
 * - isolation: the counts a client sees go 1, 2, 3, ... exactly, its session id never changes, and no
 *   two clients share an id;
 * - completion: every planned request was sent before the deadline.
 *
 * Prints requests, errors by status, latency percentiles, throughput and wall time; exits 1 if a check
 * fails. Every loop is bounded in count (at most 10,000 clients × 10,000 requests) and in time (a
 * deadline for the whole run, a timeout per request).
 *
 * Usage: `node scripts/load-test.ts [--clients N] [--requests M] [--concurrency C] [--connections K]
 * [--deadline-seconds S] [--url http://127.0.0.1:PORT]`, or the environment variables `LOAD_CLIENTS`,
 * `LOAD_REQUESTS`, `LOAD_CONCURRENCY`, `LOAD_CONNECTIONS`, `LOAD_DEADLINE_SECONDS`, `LOAD_BASE_URL`
 * (flags win). Without a URL
 * it starts the dev server on a free loopback port, with its own embedded DynamoDB Local unless
 * `AWS_ENDPOINT_URL_DYNAMODB` points at one.
 */
import { Agent, request } from 'node:http'
import { parseArgs } from 'node:util'
import { CookieJar } from './cookie-jar.ts'
import { type DevServerLog, type RunningDevServer, runDevServer } from './dev-server.ts'

export interface LoadTestOptions {
  /** Simulated browsers, each with its own session. */
  clients: number
  /** `GET /api/count` requests per client, sent one after another. */
  requestsPerClient: number
  /** An already running server (loopback only). Default: start the dev server on a free port. */
  baseUrl?: string | undefined
  /** Clients in flight at once. Default: all of them. */
  concurrency?: number | undefined
  /**
   * HTTP connections (keep-alive) the clients share, as behind a proxy. Default 64. One per client
   * (`connections: clients`) opens them all at once, which the in-process dev server may be slow to accept.
   */
  connections?: number | undefined
  /** No request is started after this many milliseconds from the start. Default 120,000. */
  deadlineMs?: number | undefined
  /** Each request is aborted after this many milliseconds. Default 15,000. */
  requestTimeoutMs?: number | undefined
}

export interface LoadTestChecks {
  /** No response with a 5xx status. */
  noServerErrors: boolean
  /** No request failed at all (any non-200 status, a network error or a timeout). */
  noFailedRequests: boolean
  /** Each client's final count equals its number of successful increments. */
  noLostIncrements: boolean
  /** Each client saw 1, 2, 3, ... under one id of its own. */
  isolation: boolean
  /** Every planned request was sent before the deadline. */
  completed: boolean
}

export interface LoadTestResult {
  clients: number
  requestsPerClient: number
  concurrency: number
  connections: number
  baseUrl: string
  /** Requests planned, `/api/count` only. */
  planned: number
  /** Requests sent, `/api/count` only (the final `/api/peek` reads are not counted). */
  sent: number
  /** Responses with status 200. */
  ok: number
  /** Failed requests by status (`"500"`, `"404"`...) or by cause (`"network"`, `"timeout"`). */
  errors: Record<string, number>
  /** Latency of the `/api/count` requests, milliseconds. */
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number }
  /** Sent requests per second of wall time. */
  throughputPerSecond: number
  wallTimeMs: number
  checks: LoadTestChecks
  /** What went wrong, at most 20 lines. */
  failures: string[]
  passed: boolean
}

const MAX_CLIENTS = 10_000
const MAX_REQUESTS_PER_CLIENT = 10_000
const MAX_FAILURE_LINES = 20
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

function assertCount(value: number, name: string, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${value}`)
  }
}

/** Refuses anything but http on a loopback address: this tool must never load someone else's server. */
export function assertLoopbackUrl(url: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new Error(`Not a URL: ${url}`)
  }
  const host = parsed.hostname
  const loopback = LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host)
  if (parsed.protocol !== 'http:' || !loopback) {
    throw new Error(`The load test only targets http on a loopback address, not ${parsed.origin}`)
  }
  return parsed
}

/** The nearest-rank percentile `p` (0..100) of sorted `values`; 0 for none. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] ?? 0
}

interface ClientOutcome {
  index: number
  ids: Set<string>
  /** Counts seen in successful `/api/count` responses, in order. */
  seen: number[]
  successes: number
  attempted: number
  finalCount: number | undefined
}

type Tally = { latencies: number[]; errors: Record<string, number>; ok: number; sent: number }

class RequestTimeoutError extends Error {
  override name = 'TimeoutError'
}

/** One GET over the shared keep-alive agent: status, body and `Set-Cookie` values, or a rejection. */
function get(
  url: URL,
  cookie: string | undefined,
  agent: Agent,
  timeoutMs: number,
): Promise<{ status: number; body: string; setCookies: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: cookie === undefined ? {} : { cookie } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        clearTimeout(timer)
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          setCookies: res.headers['set-cookie'] ?? [],
        })
      })
    })
    // A time limit for the whole exchange, queueing for a free connection included.
    const timer = setTimeout(
      () => req.destroy(new RequestTimeoutError(`no response in ${timeoutMs} ms`)),
      timeoutMs,
    )
    req.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    req.end()
  })
}

async function runClient(
  index: number,
  options: { url: URL; requests: number; deadline: number; timeoutMs: number; agent: Agent },
  tally: Tally,
  failures: string[],
): Promise<ClientOutcome> {
  const outcome: ClientOutcome = {
    index,
    ids: new Set(),
    seen: [],
    successes: 0,
    attempted: 0,
    finalCount: undefined,
  }
  const jar = new CookieJar('id')
  const fail = (line: string) => {
    if (failures.length < MAX_FAILURE_LINES) failures.push(`client ${index}: ${line}`)
  }
  const send = async (path: string) => {
    const response = await get(new URL(path, options.url), jar.header(), options.agent, options.timeoutMs)
    jar.store(response.setCookies)
    if (jar.value !== undefined) outcome.ids.add(jar.value)
    return response
  }

  for (let i = 0; i < options.requests; i++) {
    if (Date.now() >= options.deadline) break
    outcome.attempted++
    tally.sent++
    const started = performance.now()
    try {
      const { status, body } = await send('/api/count')
      tally.latencies.push(performance.now() - started)
      if (status !== 200) {
        tally.errors[String(status)] = (tally.errors[String(status)] ?? 0) + 1
        fail(`request ${i + 1}: status ${status}`)
        continue
      }
      tally.ok++
      outcome.successes++
      const count = (JSON.parse(body) as { count?: unknown }).count
      outcome.seen.push(typeof count === 'number' ? count : Number.NaN)
    } catch (error) {
      const cause = (error as Error).name === 'TimeoutError' ? 'timeout' : 'network'
      tally.errors[cause] = (tally.errors[cause] ?? 0) + 1
      fail(`request ${i + 1}: ${cause} (${(error as Error).message})`)
    }
  }

  // One read of the final count (bounded by the same timeout; it does not move the count).
  if (jar.value !== undefined) {
    try {
      const { status, body } = await send('/api/peek')
      if (status === 200) {
        const count = (JSON.parse(body) as { count?: unknown }).count
        if (typeof count === 'number') outcome.finalCount = count
      } else fail(`final /api/peek: status ${status}`)
    } catch (error) {
      fail(`final /api/peek: ${(error as Error).message}`)
    }
  } else if (outcome.successes > 0) {
    fail('no session cookie after successful requests')
  }
  return outcome
}

/**
 * Runs the load test and returns its figures and checks (it prints nothing).
 *
 * @example
 * const result = await runLoadTest({ clients: 20, requestsPerClient: 5 })
 * if (!result.passed) console.error(result.failures)
 */
export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const clients = options.clients
  const requestsPerClient = options.requestsPerClient
  const concurrency = options.concurrency ?? clients
  const connections = options.connections ?? 64
  assertCount(clients, 'clients', MAX_CLIENTS)
  assertCount(requestsPerClient, 'requestsPerClient', MAX_REQUESTS_PER_CLIENT)
  assertCount(concurrency, 'concurrency', MAX_CLIENTS)
  assertCount(connections, 'connections', MAX_CLIENTS)
  const deadlineMs = options.deadlineMs ?? 120_000
  const timeoutMs = options.requestTimeoutMs ?? 15_000
  if (!(deadlineMs > 0) || !(timeoutMs > 0))
    throw new RangeError('deadlineMs and requestTimeoutMs must be > 0')

  const serverErrors: string[] = []
  const serverLog: DevServerLog = {
    info() {},
    error(message) {
      if (serverErrors.length < MAX_FAILURE_LINES) serverErrors.push(`server: ${message}`)
    },
  }
  let server: RunningDevServer | undefined
  let url: URL
  if (options.baseUrl === undefined) {
    server = await runDevServer({ port: 0, host: '127.0.0.1', log: serverLog })
    url = new URL(`http://127.0.0.1:${server.port}`)
  } else {
    url = assertLoopbackUrl(options.baseUrl)
  }

  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const tally: Tally = { latencies: [], errors: {}, ok: 0, sent: 0 }
  const failures: string[] = []
  const outcomes: ClientOutcome[] = []
  let started = performance.now()
  const deadline = Date.now() + deadlineMs
  try {
    // Warm-up, not measured: one session created and read (JIT, SDK client, DynamoDB Local's JVM).
    const warmUp: Tally = { latencies: [], errors: {}, ok: 0, sent: 0 }
    await runClient(-1, { url, requests: 1, deadline, timeoutMs, agent }, warmUp, [])
    started = performance.now()
    let next = 0
    const worker = async () => {
      while (next < clients) {
        const index = next++
        outcomes.push(
          await runClient(
            index,
            { url, requests: requestsPerClient, deadline, timeoutMs, agent },
            tally,
            failures,
          ),
        )
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, clients) }, worker))
  } finally {
    agent.destroy()
    await server?.close()
  }
  const wallTimeMs = performance.now() - started

  // The checks.
  const note = (line: string) => {
    if (failures.length < MAX_FAILURE_LINES) failures.push(line)
  }
  let lost = 0
  let mixed = 0
  const owners = new Map<string, number>()
  for (const outcome of outcomes.sort((a, b) => a.index - b.index)) {
    if (outcome.successes > 0 && outcome.finalCount !== outcome.successes) {
      lost++
      note(`client ${outcome.index}: final count ${outcome.finalCount} after ${outcome.successes} increments`)
    }
    const inOrder = outcome.seen.every((count, i) => count === i + 1)
    if (!inOrder || outcome.ids.size > 1) {
      mixed++
      note(
        `client ${outcome.index}: saw counts ${outcome.seen.slice(0, 10).join(',')} under ${outcome.ids.size} ids`,
      )
    }
    for (const id of outcome.ids) {
      const owner = owners.get(id)
      if (owner !== undefined && owner !== outcome.index) {
        mixed++
        note(`clients ${owner} and ${outcome.index} share a session id`)
      }
      owners.set(id, outcome.index)
    }
  }
  const planned = clients * requestsPerClient
  const serverErrorCount = Object.entries(tally.errors)
    .filter(([status]) => /^5\d\d$/.test(status))
    .reduce((sum, [, n]) => sum + n, 0)
  const checks: LoadTestChecks = {
    noServerErrors: serverErrorCount === 0 && serverErrors.length === 0,
    noFailedRequests: tally.ok === tally.sent,
    noLostIncrements: lost === 0,
    isolation: mixed === 0,
    completed: tally.sent === planned,
  }
  if (!checks.completed) note(`deadline: ${tally.sent} of ${planned} requests sent in ${deadlineMs} ms`)
  failures.push(...serverErrors.slice(0, Math.max(0, MAX_FAILURE_LINES - failures.length)))

  const sorted = [...tally.latencies].sort((a, b) => a - b)
  const round = (n: number) => Math.round(n * 10) / 10
  return {
    clients,
    requestsPerClient,
    concurrency: Math.min(concurrency, clients),
    connections,
    baseUrl: url.origin,
    planned,
    sent: tally.sent,
    ok: tally.ok,
    errors: tally.errors,
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? 0),
      mean: round(sorted.length === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / sorted.length),
    },
    throughputPerSecond: round(tally.sent / (wallTimeMs / 1000)),
    wallTimeMs: Math.round(wallTimeMs),
    checks,
    failures,
    passed: Object.values(checks).every(Boolean),
  }
}

/** The figures as the CLI prints them. */
export function formatLoadTestResult(result: LoadTestResult): string {
  const errors = Object.entries(result.errors)
  const lines = [
    `Load test: ${result.clients} clients × ${result.requestsPerClient} requests, ${result.concurrency} at a time over ${result.connections} connections, against ${result.baseUrl}/api/count`,
    `  requests     ${result.sent} sent of ${result.planned} planned, ${result.ok} ok`,
    `  errors       ${errors.length === 0 ? 'none' : errors.map(([status, n]) => `${status}: ${n}`).join(', ')}`,
    `  latency      p50 ${result.latencyMs.p50} ms, p90 ${result.latencyMs.p90} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms (mean ${result.latencyMs.mean} ms)`,
    `  throughput   ${result.throughputPerSecond} requests/s`,
    `  wall time    ${(result.wallTimeMs / 1000).toFixed(2)} s`,
    '  checks',
    ...Object.entries(result.checks).map(([name, ok]) => `    ${ok ? 'pass' : 'FAIL'}  ${name}`),
  ]
  if (result.failures.length > 0) lines.push('  failures', ...result.failures.map((line) => `    ${line}`))
  lines.push(result.passed ? 'PASS' : 'FAIL')
  return lines.join('\n')
}

function integerSetting(
  flag: string | undefined,
  env: string | undefined,
  fallback: number,
  name: string,
): number {
  const raw = flag ?? env
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value)) throw new RangeError(`${name} must be an integer, got "${raw}"`)
  return value
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string' },
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      connections: { type: 'string' },
      'deadline-seconds': { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    console.log(
      'node scripts/load-test.ts [--clients 200] [--requests 20] [--concurrency N] [--connections 64] [--deadline-seconds 120] [--url http://127.0.0.1:PORT]',
    )
    return
  }
  const env = process.env
  const clients = integerSetting(values.clients, env.LOAD_CLIENTS, 200, 'clients')
  const result = await runLoadTest({
    clients,
    requestsPerClient: integerSetting(values.requests, env.LOAD_REQUESTS, 20, 'requests'),
    concurrency: integerSetting(values.concurrency, env.LOAD_CONCURRENCY, clients, 'concurrency'),
    connections: integerSetting(values.connections, env.LOAD_CONNECTIONS, 64, 'connections'),
    deadlineMs:
      integerSetting(values['deadline-seconds'], env.LOAD_DEADLINE_SECONDS, 120, 'deadline-seconds') * 1000,
    baseUrl: values.url ?? (env.LOAD_BASE_URL || undefined),
  })
  console.log(formatLoadTestResult(result))
  process.exitCode = result.passed ? 0 : 1
}

// Run only as `node scripts/load-test.ts`, not when a test imports this module.
if (import.meta.main) {
  try {
    await main()
  } catch (error) {
    console.error((error as Error).message)
    process.exitCode = 1
  }
  // DynamoDB Local (a JVM) is stopped by close(); exit now rather than wait on idle keep-alive sockets.
  process.exit()
}
