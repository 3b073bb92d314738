/**
 * A warm container over many invocations (issue 21): does anything grow at module level? One handler
 * (`middy().use(dynamoSession())` over the test kit's `MemoryStore`, the same engine as DynamoDB's over a
 * table in memory) serves `BENCH_WARM_N` invocations (default 100,000) from a fixed crowd of browsers:
 * first visits, returning reads and writes, logins, logouts and cookies that name nothing, with the
 * audit stream on (so its per-request objects are made too). After a garbage collection, the heap and the
 * RSS are read every tenth of the run; the store's own data is bounded by the crowd (its sessions expire
 * and are swept), so what grows beyond it is a leak.
 *
 * The RSS includes V8's young generation, which V8 sizes to the allocation rate: left to itself, on this
 * machine it grows from 64 to 128 MB early in the run and never shrinks, a third more RSS that is not the
 * library's. `npm run bench:warm` fixes its size (`--min-semi-space-size=64 --max-semi-space-size=64`), so
 * that what the RSS shows growing is memory the process keeps; the table shows the young generation too.
 *
 * Run: `npm run bench:warm` (`node --expose-gc` and those two flags). Prints a table; asserts nothing.
 */
import { getHeapSpaceStatistics } from 'node:v8'
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { dynamoSession, Expiry } from '../src/index.ts'
import { CookieJar, httpEvent, MemoryStore, testClock } from '../src/testing/index.ts'
import { userSessions } from '../src/users/index.ts'
import { markdownTable, num } from './lib/stats.ts'

const N = Number(process.env.BENCH_WARM_N ?? 100_000)
const BROWSERS = 500
const CHECKPOINTS = 10

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc, as npm run bench:warm does')

const clock = testClock()
const store = new MemoryStore({ now: clock.now, users: userSessions() })
let events = 0
type Data = { n?: number; page?: string }
const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(
    dynamoSession<Data>({
      store,
      now: clock.now,
      expiry: Expiry.onInactivity(600),
      audit: {
        onEvent: () => {
          events += 1
        },
        key: 'k'.repeat(32),
      },
    }),
  )
  .handler(async (event, { session }) => {
    const step = event.rawPath
    if (step === '/write') await session.set('n', ((await session.get('n')) ?? 0) + 1)
    if (step === '/read') await session.get('n')
    if (step === '/login') {
      await session.regenerate()
      await session.bindUser(`user-${event.rawQueryString}`)
    }
    if (step === '/logout') await session.destroy()
    return { statusCode: 200, body: 'ok' }
  })

const browsers = Array.from({ length: BROWSERS }, () => new CookieJar({ now: clock.now }))
/** The request the `i`th invocation sends: mostly reads and writes, some logins, logouts and forged cookies. */
function requestOf(i: number) {
  const kind = i % 20
  const path =
    kind < 8 ? '/write' : kind < 16 ? '/read' : kind < 18 ? '/login' : kind < 19 ? '/logout' : '/read'
  return { path, forged: kind === 19 }
}

const rows: string[][] = []
const first = { heap: 0, rss: 0, kept: 0 }
/** Bytes V8's young generation (its new space) holds now. */
const youngGeneration = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0
const started = performance.now()
for (let i = 0; i < N; i++) {
  const jar = browsers[i % BROWSERS] as CookieJar
  const { path, forged } = requestOf(i)
  const event = forged
    ? httpEvent('http-api-v2', { path, headers: { cookie: `id=${'F'.repeat(32)}` } })
    : httpEvent('http-api-v2', { path: `${path}?u=${i % 50}`, jar })
  const result = await handler(event, {} as never)
  if (!forged) jar.takeFrom(result, event)
  clock.advance({ seconds: 1 }) // 100,000 invocations: about 28 hours, so sessions expire and are swept
  if ((i + 1) % (N / CHECKPOINTS) === 0) {
    gc()
    const { heapUsed, rss, external } = process.memoryUsage()
    const young = youngGeneration()
    const kept = rss - young
    if (first.heap === 0) Object.assign(first, { heap: heapUsed, rss, kept })
    rows.push([
      String(i + 1),
      num(heapUsed / 2 ** 20),
      `${num(((heapUsed - first.heap) / first.heap) * 100)} %`,
      num(rss / 2 ** 20),
      `${num(((rss - first.rss) / first.rss) * 100)} %`,
      num(young / 2 ** 20),
      num(kept / 2 ** 20),
      `${num(((kept - first.kept) / first.kept) * 100)} %`,
      num(external / 2 ** 20),
      String(store.sessions().length),
    ])
  }
}
const seconds = (performance.now() - started) / 1000

console.log(`## A warm container: ${N} invocations of one handler (${BROWSERS} browsers, MemoryStore)\n`)
console.log(
  markdownTable(
    [
      'invocations',
      'heap used MB',
      'heap vs first',
      'RSS MB',
      'RSS vs first',
      'young generation MB',
      'RSS less young generation MB',
      'vs first',
      'external MB',
      'live sessions',
    ],
    rows,
  ),
)
console.log(
  `\n${N} invocations in ${num(seconds)} s (${num((seconds * 1e6) / N)} µs each), ${events} audit events.`,
)
