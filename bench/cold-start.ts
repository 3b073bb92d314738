/**
 * A cold start, side by side: the AWS SDK's DynamoDB client against `middy-dynamodb-session/lite`'s
 * transport (`aws4` over `node:https`). Each run is a fresh `node` process that imports one bundle
 * (bench/bundle-size.ts builds them, `@aws-sdk/*` and Powertools external as on Lambda's runtime and its
 * Powertools layer, `aws4` bundled) and then serves one request of a returning visitor against DynamoDB
 * Local: the counter's `GET /api/peek` (one GetItem) and DESIGN.md's example (GetItem + UpdateItem).
 * Medians over the runs, the pairs taking turns.
 *
 * Run alone: `node bench/cold-start.ts` (starts its own DynamoDB Local). `BENCH_COLD_RUNS` sets the runs.
 */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { startDynamoDBLocal } from '../scripts/dynamodb-local.ts'
import { DynamoDBSessionStore } from '../src/index.ts'
import { httpEvent } from '../src/testing/events.ts'
import { type Bundle, bundleSizes, ROOT } from './bundle-size.ts'
import { markdownTable, median, num } from './lib/stats.ts'
import { createSessionsTable } from './lib/table.ts'

const CHILD = `
const cpu = process.cpuUsage()
const started = performance.now()
const { handler } = await import(process.env.BENCH_IMPORT)
const importMs = performance.now() - started
const importCpu = process.cpuUsage(cpu)
const context = { getRemainingTimeInMillis: () => 30000, functionName: 'bench', awsRequestId: 'r' }
const result = await handler(JSON.parse(process.env.BENCH_EVENT), context)
const totalMs = performance.now() - started
const totalCpu = process.cpuUsage(cpu)
if (result.statusCode !== 200) throw new Error('status ' + result.statusCode + ': ' + result.body)
const ms = (u) => (u.user + u.system) / 1000
console.log(JSON.stringify({ importMs, importCpuMs: ms(importCpu), totalMs, totalCpuMs: ms(totalCpu) }))
`

interface Sample {
  importMs: number
  importCpuMs: number
  totalMs: number
  totalCpuMs: number
}

/** One pair: the same handler over the SDK and over the lite subpath, and the request it serves. */
interface Pair {
  readonly label: string
  readonly sdk: string
  readonly lite: string
  readonly path: string
  /** Shown for comparison only: bench/run.ts checks no target on it. */
  readonly untargeted?: true
}

const PAIRS: Pair[] = [
  {
    label: 'counter as it ships, GET /api/peek (GetItem)',
    sdk: 'counter',
    lite: 'counter-lite',
    path: '/api/peek',
  },
  {
    label: 'counter, Tracer in both builds, GET /api/peek (GetItem)',
    sdk: 'counter',
    lite: 'counter-lite-traced',
    path: '/api/peek',
    // What Tracer costs the lite build: shown beside the others, not one of issue 21's targets.
    untargeted: true,
  },
  {
    label: 'counter without Powertools, GET /api/peek (GetItem)',
    sdk: 'counter-plain',
    lite: 'counter-plain-lite',
    path: '/api/peek',
  },
  {
    label: "DESIGN.md's example (GetItem + UpdateItem)",
    sdk: 'design-example',
    lite: 'design-example-lite',
    path: '/',
  },
]

function runOnce(bundle: Bundle, env: Record<string, string>): Sample {
  const child = spawnSync(process.execPath, ['--input-type=module', '--eval', CHILD], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env, BENCH_IMPORT: pathToFileURL(bundle.file).href },
  })
  if (child.status !== 0) throw new Error(`${bundle.name} failed:\n${child.stderr}`)
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Sample
}

export interface ColdStart {
  label: string
  untargeted?: true
  sdk: Sample
  lite: Sample
}

/** Cold starts of each pair, `runs` times each, against the DynamoDB Local at `endpoint`. */
export async function coldStarts(bundles: Bundle[], endpoint: string, runs: number): Promise<ColdStart[]> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
  const tableName = `cold-start-${randomUUID()}`
  await createSessionsTable(client, tableName)
  const store = new DynamoDBSessionStore({ client, tableName })
  const results: ColdStart[] = []
  for (const pair of PAIRS) {
    const find = (name: string) => {
      const bundle = bundles.find((b) => b.name === name)
      if (!bundle) throw new Error(`no bundle ${name}`)
      return bundle
    }
    const sides = { sdk: find(pair.sdk), lite: find(pair.lite) }
    const samples = { sdk: [] as Sample[], lite: [] as Sample[] }
    for (let run = -1; run < runs; run++) {
      for (const side of ['sdk', 'lite'] as const) {
        // A returning visitor each time: a session of its own, one second old.
        const { id } = await store.create({
          data: { count: 1 },
          expiresAt: Math.floor(Date.now() / 1000) + 3600,
        })
        const event = httpEvent('http-api-v2', { path: pair.path, cookie: `id=${id}` })
        const sample = runOnce(sides[side], {
          BENCH_EVENT: JSON.stringify(event),
          TABLE_NAME: tableName,
          AWS_ENDPOINT_URL_DYNAMODB: endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          COOKIE_SECURE: 'false',
          POWERTOOLS_METRICS_DISABLED: 'true',
        })
        // The first turn of each side warms the file cache: not counted.
        if (run >= 0) samples[side].push(sample)
      }
    }
    const medianOf = (list: Sample[]): Sample => ({
      importMs: median(list.map((s) => s.importMs)),
      importCpuMs: median(list.map((s) => s.importCpuMs)),
      totalMs: median(list.map((s) => s.totalMs)),
      totalCpuMs: median(list.map((s) => s.totalCpuMs)),
    })
    results.push({
      label: pair.label,
      ...(pair.untargeted && { untargeted: true }),
      sdk: medianOf(samples.sdk),
      lite: medianOf(samples.lite),
    })
  }
  client.destroy()
  return results
}

export function coldStartTable(results: ColdStart[], runs: number): string {
  const ratio = (lite: number, sdk: number) => `${num(lite / sdk, 2)}×`
  const rows = results.flatMap((r) =>
    (['import', 'import + first request'] as const).map((what) => {
      const pick = (s: Sample) =>
        what === 'import' ? [s.importMs, s.importCpuMs] : [s.totalMs, s.totalCpuMs]
      const [sdkMs, sdkCpu] = pick(r.sdk) as [number, number]
      const [liteMs, liteCpu] = pick(r.lite) as [number, number]
      return [
        r.label,
        what,
        num(sdkMs, 1),
        num(liteMs, 1),
        ratio(liteMs, sdkMs),
        num(sdkCpu, 1),
        num(liteCpu, 1),
        ratio(liteCpu, sdkCpu),
      ]
    }),
  )
  return [
    `${runs} fresh \`node\` processes per side, taking turns; medians. "lite": \`middy-dynamodb-session/lite\`.`,
    '',
    markdownTable(
      ['handler', 'measured', 'SDK ms', 'lite ms', 'lite/SDK', 'SDK CPU ms', 'lite CPU ms', 'lite/SDK CPU'],
      rows,
    ),
  ].join('\n')
}

if (import.meta.main) {
  const runs = Number(process.env.BENCH_COLD_RUNS) || 15
  const { bundles } = await bundleSizes()
  const given = process.env.AWS_ENDPOINT_URL_DYNAMODB
  const local = given ? undefined : await startDynamoDBLocal()
  try {
    const endpoint = given ?? (local as { endpoint: string }).endpoint
    console.log(coldStartTable(await coldStarts(bundles, endpoint, runs), runs))
  } finally {
    await local?.stop()
  }
}
