/**
 * The dev server over real HTTP: the counter (against the suite's DynamoDB Local) with cookie jars,
 * the adapter with stand-in handlers, and `node scripts/dev-server.ts` itself as `npm start` runs it
 * (its own embedded DynamoDB Local, clean shutdown, the no-Java message).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CookieJar } from '../../scripts/cookie-jar.ts'
import {
  type DevServer,
  type DevServerLog,
  type HttpApiHandler,
  startDevServer,
} from '../../scripts/dev-server.ts'
import { freePort } from '../../scripts/dynamodb-local.ts'
import {
  DEFAULT_TEMPLATE_PATH,
  ensureTable,
  findFunction,
  findTable,
  loadTemplate,
} from '../../scripts/sam-template.ts'
import { dynamoEndpoint, localClient } from '../support/dynamo.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

function collectingLog(): DevServerLog & { lines: string[]; errors: unknown[] } {
  const lines: string[] = []
  const errors: unknown[] = []
  return {
    lines,
    errors,
    info: (message) => lines.push(message),
    error: (message, error) => {
      lines.push(message)
      errors.push(error)
    },
  }
}

/** The request headers that send the jar's cookies. */
function cookieHeaders(jar: CookieJar): Record<string, string> {
  const cookie = jar.header()
  return cookie === undefined ? {} : { cookie }
}

/** Feeds the jar from a fetch response and returns the response's Set-Cookie values. */
function storeCookies(jar: CookieJar, response: Response): string[] {
  const setCookies = response.headers.getSetCookie()
  jar.store(setCookies)
  return setCookies
}

describe('the counter on the dev server', () => {
  let server: DevServer
  const log = collectingLog()
  const client = localClient()

  beforeAll(async () => {
    const template = await loadTemplate()
    const fn = findFunction(template, DEFAULT_TEMPLATE_PATH)
    const tableName = `dev-server-${crypto.randomUUID()}`
    await ensureTable(client, tableName, findTable(template))
    vi.stubEnv('TABLE_NAME', tableName)
    vi.stubEnv('COOKIE_SECURE', 'false')
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamoEndpoint())
    vi.stubEnv('AWS_REGION', 'us-east-1')
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local')
    const { handler } = await import('../../examples/counter/index.ts')
    server = await startDevServer({
      handler: handler as unknown as HttpApiHandler,
      routes: fn.routes,
      port: 0,
      functionName: fn.logicalId,
      timeoutSeconds: fn.timeoutSeconds,
      log,
    })
  })

  afterAll(async () => {
    await server?.close()
    vi.unstubAllEnvs()
    client.destroy()
  })

  async function get(jar: CookieJar, path: string, init: RequestInit = {}) {
    const response = await fetch(`${server.url}${path}`, {
      redirect: 'manual',
      ...init,
      headers: { ...cookieHeaders(jar), ...(init.headers as Record<string, string>) },
    })
    const setCookies = storeCookies(jar, response)
    return { response, setCookies, body: await response.text() }
  }

  const count = async (jar: CookieJar, path = '/api/count') =>
    (JSON.parse((await get(jar, path)).body) as { count: number }).count

  it('listens on a free port and names it localhost', () => {
    expect(server.url).toBe(`http://localhost:${server.port}`)
  })

  it('counts 1, 2, 3 for one cookie jar; a second jar starts at 1', async () => {
    const alice = new CookieJar()
    expect([await count(alice), await count(alice), await count(alice)]).toEqual([1, 2, 3])
    const bob = new CookieJar()
    expect(await count(bob)).toBe(1)
    expect(await count(alice)).toBe(4)
  })

  it('serves the page at /, counting too, with the count in #count', async () => {
    const jar = new CookieJar()
    const first = await get(jar, '/')
    expect(first.response.status).toBe(200)
    expect(first.response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(first.body).toContain('<span id="count">1</span>')
    expect((await get(jar, '/')).body).toContain('<span id="count">2</span>')
  })

  it('peeks without counting (0 and no cookie for a new visitor)', async () => {
    const jar = new CookieJar()
    const fresh = await get(jar, '/api/peek')
    expect(JSON.parse(fresh.body)).toEqual({ count: 0 })
    expect(fresh.setCookies).toEqual([])
    await count(jar)
    await count(jar)
    expect(await count(jar, '/api/peek')).toBe(2)
    expect(await count(jar, '/api/peek')).toBe(2)
    expect(await count(jar)).toBe(3)
  })

  it('answers /health and /favicon.ico without a cookie', async () => {
    const jar = new CookieJar()
    const health = await get(jar, '/health')
    expect(health.response.status).toBe(200)
    expect(health.body).toBe('ok')
    const favicon = await get(jar, '/favicon.ico')
    expect(favicon.response.status).toBe(404)
    expect([...health.setCookies, ...favicon.setCookies]).toEqual([])
    expect(jar.header()).toBeUndefined()
  })

  it('starts over after POST /reset: a form post is redirected (303) to the page', async () => {
    const jar = new CookieJar()
    await count(jar)
    await count(jar)
    const reset = await get(jar, '/reset', {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    })
    expect(reset.response.status).toBe(303)
    expect(reset.response.headers.get('location')).toBe('./')
    expect(reset.setCookies.some((cookie) => /^id=;.*Max-Age=0/.test(cookie))).toBe(true)
    expect(jar.header()).toBeUndefined()
    expect(await count(jar)).toBe(1)
  })

  it('answers HEAD as the GET of the same URL: status and headers, no body', async () => {
    const jar = new CookieJar()
    await count(jar)
    const head = await get(jar, '/api/peek', { method: 'HEAD' })
    const getPeek = await get(jar, '/api/peek')
    expect(head.response.status).toBe(200)
    expect(head.body).toBe('')
    for (const name of ['content-type', 'content-length', 'cache-control']) {
      expect(head.response.headers.get(name), name).toBe(getPeek.response.headers.get(name))
    }
    expect(Number(head.response.headers.get('content-length'))).toBe(Buffer.byteLength(getPeek.body))
    const page = await get(jar, '/', { method: 'HEAD' })
    expect(page.response.status).toBe(200)
    expect(page.response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.body).toBe('')
    const missing = await get(new CookieJar(), '/favicon.ico', { method: 'HEAD' })
    expect(missing.response.status).toBe(404)
    expect(missing.body).toBe('')
    expect(log.lines).toContainEqual(expect.stringMatching(/^HEAD \/api\/peek 200 \d+ ms$/))
  })

  it('answers 404 {"message":"Not Found"} itself where no route matches (POST /), as API Gateway does', async () => {
    const response = await fetch(`${server.url}/`, { method: 'POST' })
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ message: 'Not Found' })
  })

  it('logs one line per request', async () => {
    const before = log.lines.length
    const errors = log.errors.length
    await count(new CookieJar())
    await fetch(`${server.url}/`, { method: 'POST' })
    await get(new CookieJar(), '/health')
    expect(log.lines.slice(before)).toEqual([
      expect.stringMatching(/^GET \/api\/count 200 \d+ ms$/),
      expect.stringMatching(/^POST \/ 404 \d+ ms \(no route\)$/),
      expect.stringMatching(/^GET \/health 200 \d+ ms$/),
    ])
    expect(log.errors.slice(errors)).toEqual([])
  })
})

describe('the HTTP ⇄ Lambda adapter with stand-in handlers', () => {
  let server: DevServer
  const log = collectingLog()
  let lastEvent: APIGatewayProxyEventV2 | undefined

  const handler: HttpApiHandler = async (event, context) => {
    lastEvent = event
    switch (event.rawPath) {
      case '/echo':
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event),
        }
      case '/cookies':
        return {
          statusCode: 200,
          cookies: ['a=1; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly', 'b=2; Path=/', 'c=3'],
          body: 'three cookies',
        }
      case '/binary': {
        // Echo the bytes back base64-encoded, as a function serving an image would.
        const bytes = event.isBase64Encoded
          ? Buffer.from(event.body ?? '', 'base64')
          : Buffer.from(event.body ?? '')
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/octet-stream' },
          body: bytes.toString('base64'),
          isBase64Encoded: true,
        }
      }
      case '/object':
        return { hello: 'world' }
      case '/string':
        return 'plain'
      case '/context':
        return { functionName: context.functionName, remaining: context.getRemainingTimeInMillis() }
      case '/slow':
        await new Promise((resolve) => setTimeout(resolve, 2_000))
        return { statusCode: 200, body: 'too late' }
      case '/malformed':
        return { statusCode: 'teapot' }
      default:
        throw new Error('boom')
    }
  }

  beforeAll(async () => {
    server = await startDevServer({ handler, port: 0, log, functionName: 'StandIn', timeoutSeconds: 0.5 })
  })
  afterAll(() => server?.close())

  it('sends a faithful payload 2.0 event', async () => {
    const response = await fetch(`${server.url}/echo?b=2&a=1&a=3`, {
      headers: { cookie: 'id=abc; theme=dark', 'x-custom': 'yes', 'user-agent': 'vitest' },
    })
    const event = (await response.json()) as APIGatewayProxyEventV2
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/echo',
      rawQueryString: 'b=2&a=1&a=3',
      cookies: ['id=abc', 'theme=dark'],
      queryStringParameters: { a: '1,3', b: '2' },
      isBase64Encoded: false,
      requestContext: {
        domainName: 'localhost',
        stage: '$default',
        routeKey: '$default',
        http: {
          method: 'GET',
          path: '/echo',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'vitest',
        },
      },
    })
    expect(event.headers).toMatchObject({ 'x-custom': 'yes', host: `localhost:${server.port}` })
    expect(event.headers).not.toHaveProperty('cookie')
    expect(event).not.toHaveProperty('body')
    expect(typeof event.requestContext.timeEpoch).toBe('number')
    expect(event.requestContext.time).toMatch(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/)
  })

  it('writes each entry of cookies as its own Set-Cookie header', async () => {
    const response = await fetch(`${server.url}/cookies`)
    expect(response.headers.getSetCookie()).toEqual([
      'a=1; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly',
      'b=2; Path=/',
      'c=3',
    ])
    expect(await response.text()).toBe('three cookies')
  })

  it('passes binary bodies base64-encoded both ways', async () => {
    const bytes = Buffer.from([0, 255, 1, 254, 137, 80, 78, 71])
    const response = await fetch(`${server.url}/binary`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    })
    expect(lastEvent?.isBase64Encoded).toBe(true)
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes)
  })

  it('infers 200 JSON for an object or a string without statusCode, as Lambda serialises them', async () => {
    const object = await fetch(`${server.url}/object`)
    expect(object.status).toBe(200)
    expect(object.headers.get('content-type')).toBe('application/json')
    expect(await object.json()).toEqual({ hello: 'world' })
    const text = await fetch(`${server.url}/string`)
    expect(text.headers.get('content-type')).toBe('application/json')
    expect(await text.text()).toBe('"plain"')
  })

  it('gives the handler a Lambda context', async () => {
    const body = (await (await fetch(`${server.url}/context`)).json()) as {
      functionName: string
      remaining: number
    }
    expect(body.functionName).toBe('StandIn')
    expect(body.remaining).toBeGreaterThan(0)
    expect(body.remaining).toBeLessThanOrEqual(500)
  })

  it('answers 500 when the handler throws, times out or returns something unmappable, and logs why', async () => {
    for (const path of ['/throws', '/slow', '/malformed']) {
      const response = await fetch(`${server.url}${path}`)
      expect(response.status, path).toBe(500)
      expect(await response.json()).toEqual({ message: 'Internal Server Error' })
    }
    expect(log.errors.map((error) => (error as Error).message)).toEqual([
      'boom',
      'Task timed out after 0.50 seconds',
      'statusCode must be an integer HTTP status, got "teapot"',
    ])
  })
})

// `node scripts/dev-server.ts`, as `npm start` runs it.
describe('the dev server CLI', () => {
  const children = new Set<ChildProcess>()
  /** Processes started below `npm start` (dev server, JVM): a failed test must not leave them running. */
  const descendants = new Map<number, string>()

  afterAll(async () => {
    // SIGTERM first: the dev server then stops its JVM; SIGKILL would leave it running.
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
    for (const [pid, command] of descendants) {
      // Only if the pid still names the same process (not a reused pid).
      if (commandLine(pid) !== command) continue
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone, as it should be.
      }
    }
  })

  /** Runs `node scripts/dev-server.ts`, or `npm start` (npm, which runs it) with `viaNpm`. */
  function startCli(env: Record<string, string | undefined>, { viaNpm = false } = {}) {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete childEnv[name]
    const child = viaNpm
      ? spawn('npm', ['start'], { cwd: root, env: childEnv })
      : spawn(process.execPath, ['scripts/dev-server.ts'], { cwd: root, env: childEnv })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const ready = async (timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs
      while (!/Counter ready: (\S+)/.test(stdout)) {
        if (child.exitCode !== null) throw new Error(`dev server exited early: ${stderr}`)
        if (Date.now() > deadline) throw new Error(`dev server not ready: ${stdout}${stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      return /Counter ready: (\S+)/.exec(stdout)?.[1] ?? ''
    }
    return { child, exited, ready, output: () => ({ stdout, stderr }) }
  }

  /** Child processes of a process (Linux /proc), to find the JVM the dev server started. */
  function childPids(pid: number): number[] {
    const pids: number[] = []
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
        if (ppid === pid) pids.push(Number(entry))
      } catch {
        // The process ended while we looked.
      }
    }
    return pids
  }

  /** Every process below `pid`: for `npm start`, the dev server's node and DynamoDB Local's JVM. */
  function descendantPids(pid: number): number[] {
    const direct = childPids(pid)
    return [...direct, ...direct.flatMap((child) => descendantPids(child))]
  }

  /** The command line of a process (Linux /proc), or '' once it has ended. */
  function commandLine(pid: number): string {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
    } catch {
      return ''
    }
  }

  /** Whether the process still runs after a grace period (a killed JVM takes a moment to be reaped). */
  async function isRunning(pid: number): Promise<boolean> {
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(pid, 0)
      } catch {
        return false
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return true
  }

  it('starts its own DynamoDB Local, serves the counter on PORT, and stops everything on SIGTERM', async () => {
    const port = await freePort()
    // A profile that does not exist must not matter: the embedded DynamoDB Local gets dummy credentials.
    const cli = startCli({
      PORT: String(port),
      AWS_ENDPOINT_URL_DYNAMODB: undefined,
      TABLE_NAME: undefined,
      AWS_PROFILE: 'no-such-profile',
    })
    const url = await cli.ready()
    expect(url).toBe(`http://localhost:${port}`)
    expect(cli.output().stdout).toMatch(/table SessionsTable, embedded DynamoDB Local/)

    const jar = new CookieJar()
    for (const expected of [1, 2]) {
      const response = await fetch(`${url}/api/count`, { headers: cookieHeaders(jar) })
      storeCookies(jar, response)
      expect(await response.json()).toEqual({ count: expected })
    }
    // The EMF line Powertools Metrics would send for each request (issue 22), and no session id anywhere.
    const emf = cli
      .output()
      .stdout.split('\n')
      .filter((line) => line.startsWith('{"_aws"'))
      .map(
        (line) =>
          JSON.parse(line) as Record<string, unknown> & {
            _aws: { CloudWatchMetrics: { Namespace: string }[] }
          },
      )
    expect(emf.map((line) => line._aws.CloudWatchMetrics[0]?.Namespace)).toEqual(['Sessions', 'Sessions'])
    expect(
      emf.map(({ SessionsCreated, SessionsLoaded, SessionsSaved }) => ({
        SessionsCreated,
        SessionsLoaded,
        SessionsSaved,
      })),
    ).toEqual([
      { SessionsCreated: 1, SessionsLoaded: undefined, SessionsSaved: undefined },
      { SessionsCreated: undefined, SessionsLoaded: 1, SessionsSaved: 1 },
    ])
    expect(cli.output().stdout).not.toContain(jar.value as string)
    const jvms = childPids(cli.child.pid ?? -1)
    expect(jvms.length).toBeGreaterThan(0)

    cli.child.kill('SIGTERM')
    expect(await cli.exited).toBe(0)
    for (const pid of jvms) expect(await isRunning(pid), `JVM ${pid} still running`).toBe(false)
    await expect(fetch(`${url}/health`)).rejects.toThrow()
  }, 90_000)

  it('takes its JVM down when stopped while DynamoDB Local is still starting', async () => {
    const cli = startCli({ PORT: '0', AWS_ENDPOINT_URL_DYNAMODB: undefined })
    const pid = cli.child.pid ?? -1
    let jvms: number[] = []
    for (let i = 0; i < 300 && jvms.length === 0 && cli.child.exitCode === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      jvms = childPids(pid)
    }
    expect(jvms.length).toBeGreaterThan(0)
    cli.child.kill('SIGTERM')
    // Not up yet, so nothing to close gracefully: it exits at once with 130 and the JVM goes with it.
    // A 0 would mean the server was already up and closed gracefully: not the case this test is about.
    expect(await cli.exited).toBe(130)
    expect(cli.output().stdout).not.toMatch(/Counter ready|shutting down/)
    for (const jvm of jvms) expect(await isRunning(jvm), `JVM ${jvm} still running`).toBe(false)
  }, 90_000)

  it('uses the DynamoDB that AWS_ENDPOINT_URL_DYNAMODB names, creating the table there', async () => {
    const port = await freePort()
    const tableName = `cli-${crypto.randomUUID()}`
    const cli = startCli({
      PORT: String(port),
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
      TABLE_NAME: tableName,
    })
    const url = await cli.ready()
    expect(cli.output().stdout).toContain(`table ${tableName}, ${dynamoEndpoint()}`)
    expect(childPids(cli.child.pid ?? -1)).toEqual([])
    expect(await (await fetch(`${url}/api/count`)).json()).toEqual({ count: 1 })
    cli.child.kill('SIGINT')
    expect(await cli.exited).toBe(0)
  }, 90_000)

  it('npm start: SIGTERM to npm stops the dev server and its JVM (npm passes it on; no shell between)', async () => {
    const cli = startCli({ PORT: '0', AWS_ENDPOINT_URL_DYNAMODB: undefined }, { viaNpm: true })
    const url = await cli.ready()
    const started = descendantPids(cli.child.pid ?? -1)
    for (const pid of started) descendants.set(pid, commandLine(pid))
    expect(started.map(commandLine)).toEqual([
      expect.stringMatching(/node scripts\/dev-server\.ts$/),
      expect.stringMatching(/^java .*DynamoDBLocal\.jar/),
    ])
    expect((await fetch(`${url}/health`)).status).toBe(200)
    cli.child.kill('SIGTERM')
    await cli.exited
    for (const pid of started) expect(await isRunning(pid), `${commandLine(pid)} still running`).toBe(false)
    await expect(fetch(`${url}/health`)).rejects.toThrow()
  }, 90_000)

  // Against the suite's DynamoDB (no JVM to wait for): the signal reaching the dev server is what matters,
  // and the JVM's shutdown on SIGINT is the same code as on SIGTERM.
  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`npm start: ${signal} to npm stops the dev server${signal === 'SIGKILL' ? ' (it notices its parent is gone)' : ''}`, async () => {
      const cli = startCli(
        { PORT: '0', AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(), TABLE_NAME: `npm-${signal}` },
        { viaNpm: true },
      )
      const url = await cli.ready()
      const started = descendantPids(cli.child.pid ?? -1)
      for (const pid of started) descendants.set(pid, commandLine(pid))
      expect(started.map(commandLine)).toEqual([expect.stringMatching(/node scripts\/dev-server\.ts$/)])
      cli.child.kill(signal)
      await cli.exited
      for (const pid of started) expect(await isRunning(pid), `${commandLine(pid)} still running`).toBe(false)
      await expect(fetch(`${url}/health`)).rejects.toThrow()
    }, 60_000)
  }

  it('exits 1 with a clear message when the port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => blocker.once('listening', resolve))
    const { port } = blocker.address() as { port: number }
    try {
      const cli = startCli({
        PORT: String(port),
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
        TABLE_NAME: 'cli-port',
      })
      expect(await cli.exited).toBe(1)
      expect(cli.output().stderr).toContain(`Port ${port} is in use`)
    } finally {
      blocker.close()
    }
  })

  it('exits 1 with the Java message when there is no Java and no AWS_ENDPOINT_URL_DYNAMODB', async () => {
    const cli = startCli({ PORT: '0', AWS_ENDPOINT_URL_DYNAMODB: undefined, PATH: '/nonexistent' })
    expect(await cli.exited).toBe(1)
    const { stderr } = cli.output()
    expect(stderr).toContain('DynamoDB Local needs Java 17 or newer')
    expect(stderr).toContain('docker compose up')
  })
})
