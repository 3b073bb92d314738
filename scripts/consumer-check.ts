/**
 * Installs the package the way a user does and checks that it works there, outside this repository.
 *
 * 1. `npm pack` (the `prepack` script builds dist/), then checks the tarball: the entry points are in it,
 *    every source map points at a file that is shipped too, and nothing of tests, scripts or benches.
 * 2. A fresh consumer directory gets the tarball and the peer dependencies only (`@middy/core`,
 *    `@aws-sdk/client-dynamodb`, at the versions this repository is tested with). There:
 *    - ESM `import` and CommonJS `require()` (require(esm)), each under Node 24 and Node 22, run a
 *      middy handler whose session writes through a stand-in DynamoDB client and sets the cookie, the
 *      same handler on the `testing` subpath's MemoryStore over two visits, and a `tower-sessions` id.
 *    - esbuild bundles a consumer of the root entry only: nothing of the `testing` or `tower-sessions`
 *      subpaths (nor `@msgpack/msgpack`, which only `tower-sessions` uses) is in it, while a consumer of
 *      the subpaths does get them.
 * 3. Then the type-only packages a strict TypeScript user adds (`@types/node`, and
 *    `@aws/durable-execution-sdk-js`, the optional peer whose types `@middy/core`'s .d.ts imports), and
 *    a strict consumer (`strict`, `module`/`moduleResolution` `nodenext`, `skipLibCheck: false`) of the
 *    root entry and both subpaths, in an ES module and a CommonJS module, compiles under TypeScript 6
 *    (this repository's) and TypeScript 7.
 *    `// @ts-expect-error` lines prove that `context.session` is really typed.
 *
 * 4. docs/your-app.md, followed in a fresh directory of its own: `npm init -y` and `npm pkg set
 *    type=module`, the tarball with the peers and the dev tools the page installs, its `tsconfig.json`,
 *    its `src/handler.ts` and `test/handler.test.ts` (the page's code blocks, as written); then its code
 *    compiles under TypeScript 6 and 7, its test passes (vitest), its `npx esbuild` command (taken from
 *    the page) builds a bundle that loads, and its template passes cfn-lint and the SAM translator.
 *
 * Node 22 and TypeScript 7 come through `npx` (cached by npm after the first run). Writes a report of
 * the checks to `test-results/consumer-check.json` and exits 1 when one fails.
 *
 *   node scripts/consumer-check.ts [--keep]   (--keep: leave the consumer directory for inspection)
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix, resolve } from 'node:path'
import { buildSync } from 'esbuild'

/** The TypeScript 7 release the consumer is compiled with (`npm view typescript dist-tags`). */
const TYPESCRIPT_7 = '7.0.2'
/** The oldest Node line the package supports; require(esm) needs 22.12 or later in it. */
const NODE_22 = 'node@22'

const root = resolve(import.meta.dirname, '..')
const keep = process.argv.includes('--keep')

interface Check {
  name: string
  ok: boolean
  ms: number
  detail?: string
}
const checks: Check[] = []

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  })
}

function output(result: SpawnSyncReturns<string>): string {
  return `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim()
}

/** Runs one named check; a thrown error fails it with its message. */
function check(name: string, body: () => string | undefined): boolean {
  const started = performance.now()
  let ok = true
  let detail: string | undefined
  try {
    detail = body()
  } catch (error) {
    ok = false
    detail = error instanceof Error ? error.message : String(error)
  }
  const ms = Math.round(performance.now() - started)
  checks.push({ name, ok, ms, ...(detail ? { detail } : {}) })
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${(ms / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ''}`)
  return ok
}

function mustSucceed(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${output(result)}`)
  return result.stdout.trim()
}

function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>
  }
  const version = lock.packages[`node_modules/${name}`]?.version
  if (!version) throw new Error(`${name} is not in package-lock.json`)
  return version
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}

/** Every file the package's `exports` points at: each entry point's `types` and `default`. */
function exportTargets(): string[] {
  const { exports } = readJson<{ exports: Record<string, string | Record<string, string>> }>(
    join(root, 'package.json'),
  )
  return Object.values(exports)
    .flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)))
    .map((path) => posix.normalize(path))
}

/** The files esbuild reads to bundle `code` in `dir`, as a Lambda deployment bundles a handler. */
function bundledFiles(dir: string, code: string): string[] {
  const result = buildSync({
    stdin: { contents: code, resolveDir: dir, sourcefile: 'handler.mjs' },
    absWorkingDir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['@aws-sdk/*'],
    write: false,
    metafile: true,
    logLevel: 'error',
  })
  return Object.keys(result.metafile.inputs)
}

// --- the consumer's files ------------------------------------------------------------------------

/** Runs a handler once, as an HTTP API would, with a DynamoDB client that records what it is sent. */
const runtimeBody = `
const sent = []
const client = { send: async (command) => { sent.push(command.constructor.name); return {} } }
const event = {
  version: '2.0', routeKey: '$default', rawPath: '/', rawQueryString: '', headers: {}, isBase64Encoded: false,
  requestContext: { http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'x' } },
}
const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 }
const countVisit = async (_event, context) => {
  const count = ((await context.session.get('count')) ?? 0) + 1
  await context.session.set('count', count)
  return { statusCode: 200, body: String(count) }
}
const handler = middy().use(dynamoSession({ client, store: { tableName: 'Sessions' } })).handler(countVisit)
const response = await handler(event, context)
// The testing subpath: the same handler on a MemoryStore, a first visit and a return visit with the jar.
const clock = testClock()
const jar = new CookieJar({ now: clock.now })
const store = new MemoryStore({ now: clock.now })
const tested = middy().use(dynamoSession({ store, now: clock.now })).handler(countVisit)
const visit = async () => {
  const request = httpEvent('http-api-v2', { path: '/', jar })
  const result = await tested(request, { ...context })
  jar.takeFrom(result, request)
  return result.body
}
const memoryVisits = [await visit(), await visit()]
let configError = 'not thrown'
try {
  dynamoSession({ cookie: { sameSite: 'none', secure: false } })
} catch (error) {
  configError = error instanceof SessionConfigError ? 'SessionConfigError' : String(error)
}
console.log(JSON.stringify({
  node: process.version,
  defaultIsNamed: defaultExport === dynamoSession,
  sent,
  cookie: /^id=[\\w-]+;/.test(response.cookies?.[0] ?? ''),
  configError,
  memoryVisits,
  towerId: isTowerSessionId(generateTowerSessionId()),
  users: typeof userSessions().attach,
  storeTable: DEFAULT_STORE_PROPS.tableName,
}))
`

const esm = `import middy from '@middy/core'
import defaultExport, { dynamoSession, SessionConfigError } from 'middy-dynamodb-session'
import { CookieJar, httpEvent, MemoryStore, testClock } from 'middy-dynamodb-session/testing'
import { generateTowerSessionId, isTowerSessionId } from 'middy-dynamodb-session/tower-sessions'
import { userSessions } from 'middy-dynamodb-session/users'
import { DEFAULT_STORE_PROPS } from 'middy-dynamodb-session/store'
${runtimeBody}`

// @middy/core 7 is ESM-only (an "import" condition and nothing else), so CommonJS code loads it with import().
const cjs = `const { default: defaultExport, dynamoSession, SessionConfigError } = require('middy-dynamodb-session')
const { CookieJar, httpEvent, MemoryStore, testClock } = require('middy-dynamodb-session/testing')
const { generateTowerSessionId, isTowerSessionId } = require('middy-dynamodb-session/tower-sessions')
const { userSessions } = require('middy-dynamodb-session/users')
const { DEFAULT_STORE_PROPS } = require('middy-dynamodb-session/store')
;(async () => {
const { default: middy } = await import('@middy/core')
${runtimeBody}
})().catch((error) => { console.error(error); process.exit(1) })
`

const rootOnlyHandler = `import middy from '@middy/core'
import { dynamoSession } from 'middy-dynamodb-session'
export const handler = middy()
  .use(dynamoSession())
  .handler(async (_event, context) => ({ statusCode: 200, body: String(await context.session.get('count')) }))
`

const subpathsHandler = `import { MemoryStore } from 'middy-dynamodb-session/testing'
import { encodeTowerRecord } from 'middy-dynamodb-session/tower-sessions'
import { userSessions } from 'middy-dynamodb-session/users'
export const used = [MemoryStore, encodeTowerRecord, userSessions]
`

/** What only the opt-in subpaths bring: their own modules, and `@msgpack/msgpack` (tower-sessions). */
const OPT_IN =
  /^node_modules\/(?:middy-dynamodb-session\/dist\/(testing|tower-sessions|users|powertools)\/|(@msgpack)\/msgpack\/)/

const expectedRuntime = {
  defaultIsNamed: true,
  sent: ['PutItemCommand'],
  cookie: true,
  configError: 'SessionConfigError',
  memoryVisits: ['1', '2'],
  towerId: true,
  users: 'function',
  storeTable: 'TowerSessions',
}

const tsconfig = {
  compilerOptions: {
    strict: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2024',
    // TypeScript 6 includes no @types package unless named here.
    types: ['node'],
    skipLibCheck: false,
    noEmit: true,
  },
  include: ['consumer.ts', 'consumer.cts'],
}

const consumerTs = `import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
import dynamoSessionDefault, {
  dynamoSession,
  type Session,
  SessionConfigError,
  type SessionContext,
  type SessionHandler,
  type SessionStore,
} from 'middy-dynamodb-session'
import { CookieJar, httpEvent, MemoryStore, MemoryTable, testClock } from 'middy-dynamodb-session/testing'
import { generateTowerSessionId, isTowerSessionId } from 'middy-dynamodb-session/tower-sessions'

type Data = { count: number; user?: { name: string } }

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(dynamoSession<Data>({ store: { tableName: process.env.TABLE_NAME ?? 'Sessions' } }))
  .handler(async (_event, context) => {
    const session: Session<Data> = context.session
    const count: number = ((await session.get('count')) ?? 0) + 1
    await context.session.set('count', count)
    const name: string | undefined = (await context.session.get('user'))?.name
    // @ts-expect-error: 'count' holds a number
    await context.session.set('count', 'one')
    // @ts-expect-error: not a key of Data
    await context.session.get('missing')
    return { statusCode: 200, body: JSON.stringify({ count, name }) }
  })

export const plain = middy().handler(async (_event, context) => {
  // @ts-expect-error: no session without the middleware
  await context.session.get('count')
  return { statusCode: 200 }
})

// A handler written apart from middy(), then used.
const visit: SessionHandler<Data, APIGatewayProxyEventV2, APIGatewayProxyResultV2> = async (_event, context) => {
  await context.session.set('count', 1)
  // @ts-expect-error: 'user' holds an object
  await context.session.set('user', 'Ada')
  return { statusCode: 204 }
}
export const visits = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(dynamoSessionDefault<Data>())
  .handler(visit)

export const contextType = (context: SessionContext<Data>): Promise<number | undefined> =>
  context.session.get('count')
export const isConfigError = (error: unknown): boolean => error instanceof SessionConfigError

// The testing subpath: the handler above on a MemoryStore, driven by an event, a jar and a clock.
const clock = testClock()
const store: SessionStore = new MemoryStore({ table: new MemoryTable(), now: clock.now })
const tested = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(dynamoSession<Data>({ store, now: clock.now }))
  .handler(visit)
export const firstVisit = (jar: CookieJar = new CookieJar({ now: clock.now })) =>
  tested(httpEvent('http-api-v2', { path: '/', jar }), {} as SessionContext<Data>)
// @ts-expect-error: not a front door
export const notAnEvent = () => httpEvent('sqs', { path: '/' })

// The tower-sessions subpath.
export const towerId: string = generateTowerSessionId()
export const isTower: boolean = isTowerSessionId(towerId)
`

const consumerCts = `import sessions = require('middy-dynamodb-session')
import storeKit = require('middy-dynamodb-session/store')
import testing = require('middy-dynamodb-session/testing')
import tower = require('middy-dynamodb-session/tower-sessions')

type Data = { count: number }
export const middleware = sessions.dynamoSession<Data>({ store: { tableName: 'Sessions' } })
export const read = (context: sessions.SessionContext<Data>): Promise<number | undefined> =>
  context.session.get('count')
// @ts-expect-error: 'count' holds a number
export const wrong = (context: sessions.SessionContext<Data>) => context.session.set('count', 'one')
export const store: sessions.SessionStore = new testing.MemoryStore({ now: testing.testClock().now })
export const towerId: string = tower.generateTowerSessionId()
export const loaded = (record: storeKit.SessionRecord | undefined): string | undefined => record?.id
export const table: string = storeKit.DEFAULT_STORE_PROPS.tableName
`

/**
 * The `lite` subpath in a consumer: a first visit against a stand-in DynamoDB endpoint (a local HTTP
 * server that records each request's operation and signature), with the settings Lambda gives in the
 * environment; and the AWS SDK never loaded.
 */
const lite = `import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import middy from '@middy/core'
const seen = []
const server = createServer((request, response) => {
  seen.push([String(request.headers['x-amz-target']).split('.')[1], /^AWS4-HMAC-SHA256 Credential=AKIDLITE\\//.test(String(request.headers.authorization))])
  request.resume()
  request.on('end', () => response.end('{}'))
}).listen(0, '127.0.0.1')
await new Promise((resolve) => server.on('listening', resolve))
Object.assign(process.env, {
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:' + server.address().port,
  AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDLITE', AWS_SECRET_ACCESS_KEY: 'secret',
})
const { dynamoSession, SessionConfigError } = await import('middy-dynamodb-session/lite')
const handler = middy().use(dynamoSession({ store: { tableName: 'Sessions' } })).handler(async (_event, context) => {
  await context.session.set('count', 1)
  return { statusCode: 200, body: 'ok' }
})
const event = {
  version: '2.0', routeKey: '$default', rawPath: '/', rawQueryString: '', headers: {}, isBase64Encoded: false,
  requestContext: { http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'x' } },
}
const result = await handler(event, { getRemainingTimeInMillis: () => 30000 })
server.close()
const sdkLoaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('@aws-sdk'))
console.log(JSON.stringify({ node: process.version, seen, cookie: (result.cookies ?? []).length, sdkLoaded, typedErrors: typeof SessionConfigError === 'function' }))
`
const expectedLite = { seen: [['PutItem', true]], cookie: 1, sdkLoaded: false, typedErrors: true }

// --- the checks ----------------------------------------------------------------------------------

function main(): number {
  const started = performance.now()
  const work = mkdtempSync(join(tmpdir(), 'consumer-check-'))
  const consumer = join(work, 'consumer')
  mkdirSync(consumer)
  let tarball = ''
  let files: string[] = []

  const packed = check('npm pack (prepack builds dist/)', () => {
    const result = run('npm', ['pack', '--json', '--pack-destination', work], root)
    const [info] = JSON.parse(mustSucceed(result, 'npm pack')) as {
      filename: string
      size: number
      unpackedSize: number
      files: { path: string }[]
    }[]
    if (!info) throw new Error('npm pack printed no package')
    tarball = join(work, info.filename)
    files = info.files.map((file) => file.path)
    return `${info.filename}, ${(info.size / 1024).toFixed(0)} KB (${(info.unpackedSize / 1024).toFixed(0)} KB unpacked), ${files.length} files`
  })
  if (!packed) return finish(work, started)

  check('the tarball: entry points, maps with their sources, no tests', () => {
    for (const required of ['README.md', 'LICENSE', ...exportTargets()]) {
      if (!files.includes(required)) throw new Error(`${required} is not in the tarball`)
    }
    const stray = files.filter((path) => /^(test|scripts|bench|examples|events|docs)\//.test(path))
    if (stray.length > 0) throw new Error(`not for users: ${stray.join(', ')}`)
    // The tarball's files are the repository's (npm pack just built dist/).
    const maps = files.filter((path) => path.endsWith('.map'))
    for (const map of maps) {
      const { sources } = readJson<{ sources: string[] }>(join(root, map))
      for (const source of sources) {
        const shipped = posix.normalize(posix.join(posix.dirname(map), source))
        if (!files.includes(shipped)) throw new Error(`${map} points at ${shipped}, which is not shipped`)
      }
    }
    return `${maps.length} maps, each source shipped`
  })

  writeFileSync(join(consumer, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n')
  const peers = ['@middy/core', '@aws-sdk/client-dynamodb'].map((name) => `${name}@${lockedVersion(name)}`)
  const installed = check(`npm install the tarball + ${peers.join(' + ')}`, () => {
    const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...peers]
    mustSucceed(run('npm', args, consumer), 'npm install')
    const ours = readJson<{ version: string }>(
      join(consumer, 'node_modules/middy-dynamodb-session/package.json'),
    )
    // The public types refer to aws-lambda's: they must come with the package.
    const lambdaTypes = readJson<{ version: string }>(
      join(consumer, 'node_modules/@types/aws-lambda/package.json'),
    )
    return `middy-dynamodb-session ${ours.version}, @types/aws-lambda ${lambdaTypes.version} (a dependency)`
  })
  if (!installed) return finish(work, started)

  writeFileSync(join(consumer, 'esm.mjs'), esm)
  writeFileSync(join(consumer, 'cjs.cjs'), cjs)
  const runtimes: [string, string[]][] = [
    ['Node 24', [process.execPath]],
    ['Node 22', ['npx', '--yes', `--package=${NODE_22}`, '--', 'node']],
  ]
  for (const [runtime, command] of runtimes) {
    for (const [style, file] of [
      ['ESM import', 'esm.mjs'],
      ['CommonJS require()', 'cjs.cjs'],
    ] as const) {
      check(`${style} under ${runtime}`, () => {
        const [executable = 'node', ...args] = command
        const stdout = mustSucceed(run(executable, [...args, file], consumer), `node ${file}`)
        const result = JSON.parse(stdout.split('\n').at(-1) ?? '{}') as { node: string } & Record<
          string,
          unknown
        >
        const [major, minor] = result.node.slice(1).split('.').map(Number)
        if (runtime === 'Node 22' && !(major === 22 && (minor ?? 0) >= 12))
          throw new Error(`expected Node 22.12 or later, ran ${result.node}`)
        const { node, ...rest } = result
        if (JSON.stringify(rest) !== JSON.stringify(expectedRuntime))
          throw new Error(`expected ${JSON.stringify(expectedRuntime)}, got ${JSON.stringify(rest)}`)
        return `${node}: one PutItem, Set-Cookie, SessionConfigError instanceof; MemoryStore visits 1, 2; a tower id`
      })
    }
  }

  writeFileSync(join(consumer, 'lite.mjs'), lite)
  for (const [runtime, command] of runtimes) {
    check(
      `the lite subpath under ${runtime}: a first visit over node:https, signed, the SDK not loaded`,
      () => {
        const [executable = 'node', ...args] = command
        const stdout = mustSucceed(run(executable, [...args, 'lite.mjs'], consumer), 'node lite.mjs')
        const { node, ...rest } = JSON.parse(stdout.split('\n').at(-1) ?? '{}') as { node: string }
        if (JSON.stringify(rest) !== JSON.stringify(expectedLite))
          throw new Error(`expected ${JSON.stringify(expectedLite)}, got ${JSON.stringify(rest)}`)
        return `${node}: one signed PutItem, Set-Cookie, no @aws-sdk module loaded`
      },
    )
  }

  check(
    'esbuild: a root-entry handler bundles nothing of testing, tower-sessions, users or @msgpack/msgpack',
    () => {
      const rootFiles = bundledFiles(consumer, rootOnlyHandler)
      const leaked = rootFiles.filter((path) => OPT_IN.test(path))
      if (leaked.length > 0) throw new Error(`the root entry pulls in: ${leaked.join(', ')}`)
      // The same test on a consumer of the subpaths finds all four: the pattern does match what it guards.
      const optedIn = new Set(
        bundledFiles(consumer, subpathsHandler).flatMap((path) => {
          const [, folder, msgpack] = OPT_IN.exec(path) ?? []
          return folder ?? msgpack ?? []
        }),
      )
      if (optedIn.size !== 4) throw new Error(`a subpath consumer bundled only ${[...optedIn].join(', ')}`)
      return `${rootFiles.length} files, none of them opt-in; a subpath consumer gets ${[...optedIn].join(', ')}`
    },
  )

  const durable = readJson<{ peerDependencies: Record<string, string> }>(
    join(consumer, 'node_modules/@middy/core/package.json'),
  ).peerDependencies['@aws/durable-execution-sdk-js']
  const typePackages = [
    `@types/node@${lockedVersion('@types/node')}`,
    `@aws/durable-execution-sdk-js@${durable}`,
  ]
  const typed = check(`npm install -D ${typePackages.join(' ')} (types for a strict consumer)`, () => {
    const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', ...typePackages]
    mustSucceed(run('npm', args, consumer), 'npm install')
    return undefined
  })
  if (!typed) return finish(work, started)

  writeFileSync(join(consumer, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`)
  writeFileSync(join(consumer, 'consumer.ts'), consumerTs)
  writeFileSync(join(consumer, 'consumer.cts'), consumerCts)
  const compilers: [string, string[]][] = [
    ['TypeScript 6', [process.execPath, join(root, 'node_modules/typescript/bin/tsc')]],
    ['TypeScript 7', ['npx', '--yes', `--package=typescript@${TYPESCRIPT_7}`, '--', 'tsc']],
  ]
  for (const [name, [executable = 'tsc', ...args]] of compilers) {
    check(`strict consumer (nodenext, no skipLibCheck, ESM + CJS) compiles under ${name}`, () => {
      const version = mustSucceed(run(executable, [...args, '--version'], consumer), 'tsc --version')
      mustSucceed(run(executable, [...args, '-p', '.', '--pretty', 'false'], consumer), `tsc (${version})`)
      return version
    })
  }
  followYourApp(work, tarball, peers)
  return finish(work, started)
}

/** The fenced code blocks of a Markdown page: their language and text. */
function fencedBlocks(markdown: string): { lang: string; code: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] ?? '',
    code: m[2] ?? '',
  }))
}

/** Follows docs/your-app.md in `work/my-app`, as a user would, with `tarball` for the package. */
function followYourApp(work: string, tarball: string, peers: string[]): void {
  const app = join(work, 'my-app')
  mkdirSync(app)
  const page = readFileSync(join(root, 'docs/your-app.md'), 'utf8')
  const blocks = fencedBlocks(page)
  const shell = blocks.filter((b) => b.lang === 'sh').map((b) => b.code.replace(/\\\n\s*/g, ''))
  const command = (start: string) => {
    const line = shell.flatMap((code) => code.split('\n')).find((text) => text.startsWith(start))
    if (!line) throw new Error(`docs/your-app.md has no \`${start}…\` command`)
    return line.split(/\s+/)
  }
  const tools = ['typescript', '@types/node', '@types/aws-lambda', 'vitest', 'esbuild'].map(
    (name) => `${name}@${lockedVersion(name)}`,
  )
  const ready = check('docs/your-app.md, step 1: npm init -y, type module, the tarball and its tools', () => {
    for (const [step, args] of [
      ['npm init -y', command('npm init -y').slice(1, 3)],
      ['npm pkg set type=module', ['pkg', 'set', 'type=module']],
    ] as const) {
      if (!page.includes(step)) throw new Error(`the page no longer says \`${step}\``)
      mustSucceed(run('npm', [...args], app), step)
    }
    const install = ['install', '--no-audit', '--no-fund', '--prefer-offline']
    mustSucceed(run('npm', [...install, tarball, ...peers], app), 'npm install (the package)')
    mustSucceed(run('npm', [...install, '--save-dev', ...tools], app), 'npm install --save-dev (its tools)')
    const type = readJson<{ type?: string }>(join(app, 'package.json')).type
    if (type !== 'module') throw new Error(`package.json has type ${type}`)
    return `${tools.length} dev tools`
  })
  if (!ready) return
  const written = check(
    'docs/your-app.md, steps 2 to 5: its tsconfig.json, code and template, as written',
    () => {
      const json = blocks.find((b) => b.lang === 'json')
      const yaml = blocks.find((b) => b.lang === 'yaml')
      if (!json || !yaml) throw new Error('the page has no tsconfig.json (json) or template (yaml) block')
      writeFileSync(join(app, 'tsconfig.json'), json.code)
      writeFileSync(join(app, 'template.yaml'), yaml.code)
      const named = blocks.flatMap((b) => {
        const path = /^\/\/ ([\w./-]+\.ts)\n/.exec(b.code)?.[1]
        return b.lang === 'ts' && path ? [{ path, code: b.code }] : []
      })
      for (const { path, code } of named) {
        mkdirSync(join(app, path, '..'), { recursive: true })
        writeFileSync(join(app, path), code)
      }
      return named.map((file) => file.path).join(', ')
    },
  )
  if (!written) return
  const compilers: [string, string[]][] = [
    ['TypeScript 6', [process.execPath, join(app, 'node_modules/typescript/bin/tsc')]],
    ['TypeScript 7', ['npx', '--yes', `--package=typescript@${TYPESCRIPT_7}`, '--', 'tsc']],
  ]
  for (const [name, [executable = 'tsc', ...args]] of compilers) {
    check(`docs/your-app.md: the app compiles under ${name} with the page's tsconfig.json`, () => {
      mustSucceed(run(executable, [...args, '-p', '.', '--pretty', 'false'], app), `tsc (${name})`)
      return undefined
    })
  }
  check("docs/your-app.md: the app's test passes (npx vitest run)", () => {
    // Under this Node (24): the page asks for Node 22 or newer, whatever `node` is on the PATH here.
    const vitest = [join(app, 'node_modules/vitest/vitest.mjs'), 'run']
    const result = mustSucceed(run(process.execPath, vitest, app), 'vitest run')
    if (!/1 passed/.test(result)) throw new Error(`vitest did not report 1 passed test:\n${result}`)
    return '1 passed'
  })
  check('docs/your-app.md: its esbuild command builds a bundle that loads (TABLE_NAME set)', () => {
    const [, , ...args] = command('npx esbuild')
    mustSucceed(run(join(app, 'node_modules/.bin/esbuild'), args, app), 'esbuild')
    const probe = "import('./dist/handler.mjs').then((m) => console.log(typeof m.handler))"
    const loaded = spawnSync(process.execPath, ['-e', probe], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, TABLE_NAME: 'Sessions', AWS_REGION: 'us-east-1' },
    })
    if (mustSucceed(loaded, 'node dist/handler.mjs') !== 'function') throw new Error('no handler function')
    return 'dist/handler.mjs exports handler'
  })
  check('docs/your-app.md: its template passes cfn-lint and the SAM translator', () => {
    mustSucceed(run('cfn-lint', ['template.yaml'], app), 'cfn-lint')
    mustSucceed(
      run('python3', [join(root, 'scripts/sam-translate.py'), 'template.yaml'], app),
      'SAM translator',
    )
    return undefined
  })
}

function finish(work: string, started: number): number {
  const failed = checks.filter((entry) => !entry.ok)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  mkdirSync(join(root, 'test-results'), { recursive: true })
  writeFileSync(
    join(root, 'test-results/consumer-check.json'),
    `${JSON.stringify({ seconds: Number(seconds), checks }, null, 2)}\n`,
  )
  if (keep) console.log(`consumer directory kept: ${join(work, 'consumer')}`)
  else rmSync(work, { recursive: true, force: true })
  console.log(
    `consumer check: ${checks.length - failed.length} passed, ${failed.length} failed in ${seconds} s`,
  )
  return failed.length === 0 ? 0 : 1
}

if (import.meta.main) process.exit(main())
