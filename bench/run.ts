/**
 * `npm run bench`: DynamoDB calls, capacity units and in-process latency per request type, for this
 * library and for express-session + connect-dynamodb under serverless-http, against a Middy handler with
 * no sessions; then the compression study, bundle sizes, cold import times, cold starts over the SDK and
 * over the `lite` subpath, the transport comparison and tower-sessions decode times. Prints figures and informational PASS/FAIL targets; never asserts timings. Exits non-zero only
 * when the harness breaks.
 *
 * Environment: `BENCH_CLIENTS` (simulated clients per contender, default 120), `BENCH_WARMUP` (default 15),
 * `BENCH_COLD_RUNS` (node processes per bundle for cold import, default 9).
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { startDynamoDBLocal } from '../scripts/dynamodb-local.ts'
import { ADDED_BYTES_TARGET, bundleSizes, ROOT } from './bundle-size.ts'
import { coldImports, coldImportTable } from './cold-import.ts'
import { coldStarts, coldStartTable } from './cold-start.ts'
import { compressionStudy } from './compression.ts'
import { concurrencyStudy } from './concurrency.ts'
import { expressSessionContender } from './contenders/express-session.ts'
import { middyPlainContender } from './contenders/middy-plain.ts'
import { middySessionContender } from './contenders/middy-session.ts'
import type { Contender } from './contenders/types.ts'
import { environment } from './lib/environment.ts'
import { instrument } from './lib/instrument.ts'
import { kb } from './lib/stats.ts'
import { type ContenderStats, firstRequest, newStats, REQUESTS_PER_CLIENT, runClient } from './mix.ts'
import { blindWriteTarget, bytesTable, callTargets, mixTable, type Target, targetTable } from './report.ts'
import { towerDecodeStudy } from './tower-decode.ts'
import { compareTransports } from './transports.ts'
import { usersStudy } from './users.ts'

function intFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name])
  return Number.isInteger(value) && value > 0 ? value : fallback
}

const CLIENTS = intFromEnv('BENCH_CLIENTS', 120)
const WARMUP = intFromEnv('BENCH_WARMUP', 15)
const COLD_RUNS = intFromEnv('BENCH_COLD_RUNS', 9)

const TABLES = {
  strong: 'bench-middy-session-strong',
  eventual: 'bench-middy-session-eventual',
  connectDefault: 'bench-connect-dynamodb-default',
  connectRolling: 'bench-connect-dynamodb-rolling',
  compression: 'bench-compression',
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }

async function createTable(client: DynamoDBClient, tableName: string, hashKey: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: hashKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  )
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`)
}

const started = performance.now()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`
console.log(`# middy-dynamodb-session benchmarks\n\n${environment(ROOT)}\n`)
const ddb = await startDynamoDBLocal()
log(`DynamoDB Local on ${ddb.endpoint} (${elapsed()})`)
const newClient = () => new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials })
let targets: Target[] = []
try {
  const admin = newClient()
  await createTable(admin, TABLES.strong, 'session_id')
  await createTable(admin, TABLES.eventual, 'session_id')
  await createTable(admin, TABLES.connectDefault, 'id')
  await createTable(admin, TABLES.connectRolling, 'id')
  await createTable(admin, TABLES.compression, 'session_id')

  const stats = new Map<string, ContenderStats>()
  const build = (make: () => Contender): Contender => {
    // Whatever the handler's module scope and constructors send lands in `init`.
    const holder = newStats()
    const contender = make()
    if (contender.recorder) {
      holder.init = contender.recorder.current
    }
    stats.set(contender.key, holder)
    return contender
  }
  const contenders = [
    build(() =>
      middySessionContender({
        key: 'a',
        label:
          'middy-dynamodb-session (this library), defaults: strongly consistent reads, 14-day rolling expiry, touch at most hourly',
        client: newClient(),
        tableName: TABLES.strong,
      }),
    ),
    build(() =>
      middySessionContender({
        key: 'a-ec',
        label: 'the same with `store: { consistentRead: false }`',
        client: newClient(),
        tableName: TABLES.eventual,
        consistentRead: false,
      }),
    ),
    build(() =>
      middySessionContender({
        key: 'a-bw',
        label:
          'the defaults with `blindWrites: true` (a set() of a key the request did not read: one write, no read)',
        client: newClient(),
        tableName: TABLES.strong,
        blindWrites: true,
      }),
    ),
    build(() =>
      expressSessionContender({
        key: 'b1',
        label:
          'express-session + connect-dynamodb under serverless-http, express-session defaults (resave: true, saveUninitialized: true)',
        client: newClient(),
        tableName: TABLES.connectDefault,
        recommended: false,
      }),
    ),
    build(() =>
      expressSessionContender({
        key: 'b2',
        label:
          'the same with `rolling: true, resave: false, saveUninitialized: false`, cookie maxAge 14 days',
        client: newClient(),
        tableName: TABLES.connectRolling,
        recommended: true,
      }),
    ),
    build(middyPlainContender),
  ]

  for (const contender of contenders) {
    const holder = stats.get(contender.key)
    if (holder) holder.firstRequest = await firstRequest(contender)
  }
  for (let client = 0; client < WARMUP; client++) {
    for (const contender of contenders) await runClient(contender, undefined)
  }
  log(`warm-up done: ${WARMUP} clients each (${elapsed()})`)
  for (let client = 0; client < CLIENTS; client++) {
    for (const contender of contenders) await runClient(contender, stats.get(contender.key))
  }
  log(`mix done: ${CLIENTS} clients × ${REQUESTS_PER_CLIENT} requests each (${elapsed()})`)

  console.log('## DynamoDB calls, capacity units and latency per request\n')
  console.log(mixTable({ contenders, stats, baselines: { b1: 'b1', b2: 'b2', c: 'c' } }))
  console.log('\n## Bytes per DynamoDB call, over the whole mix\n')
  console.log(bytesTable({ contenders, stats }))
  const ours = stats.get('a')
  if (ours) targets = callTargets(ours)
  const blind = stats.get('a-bw')
  if (blind) targets.push(blindWriteTarget(blind))

  const compressionClient = newClient()
  const compression = await compressionStudy(
    compressionClient,
    instrument(compressionClient),
    TABLES.compression,
  )
  log(`compression study done (${elapsed()})`)
  console.log('\n## Compressing large session data?\n')
  console.log(compression.markdown)
  const from = (bytes: number | undefined) =>
    bytes === undefined ? 'no size of the sweep' : `${kb(bytes)} of JSON`
  console.log(
    `gzip first saves a write unit at ${from(compression.gzipSavesWritesFrom)}, ` +
      `a strongly consistent read unit at ${from(compression.gzipSavesReadsFrom)}.`,
  )
  console.log('\n## Concurrent writers on one session\n')
  console.log(await concurrencyStudy(ddb.endpoint))
  log(`concurrency study done (${elapsed()})`)
  console.log("\n## A user's sessions: what binding costs\n")
  console.log(await usersStudy(ddb.endpoint))
  log(`users study done (${elapsed()})`)
} finally {
  await ddb.stop()
}

const sizes = await bundleSizes()
log(`bundles built (${elapsed()})`)
console.log(
  '\n## Bundle size (esbuild, node, esm, minified, @aws-sdk/* and @aws-lambda-powertools/* external)\n',
)
console.log(sizes.markdown)
targets.push({
  name: 'the library adds at most 30 KB minified',
  pass: sizes.addedByLibrary <= ADDED_BYTES_TARGET,
  measured: `${kb(sizes.addedByLibrary)} (DESIGN.md example − no-session Middy handler)`,
})

console.log('\n## Cold import\n')
console.log(coldImportTable(coldImports(sizes.bundles, COLD_RUNS), COLD_RUNS))
log(`cold imports done (${elapsed()})`)

// The cold starts and the transports need DynamoDB Local again (a fresh one, on its own).
const coldDdb = await startDynamoDBLocal()
try {
  console.log('\n## Cold start: the AWS SDK against `middy-dynamodb-session/lite`\n')
  const starts = await coldStarts(sizes.bundles, coldDdb.endpoint, COLD_RUNS)
  console.log(coldStartTable(starts, COLD_RUNS))
  // The counter's figures include Powertools' own import (Logger and Metrics on both sides).
  for (const start of starts.filter((start) => !start.untargeted)) {
    targets.push({
      name: `lite: cold import ≤ 0.3× the SDK's (${start.label})`,
      pass:
        start.lite.importMs <= 0.3 * start.sdk.importMs &&
        start.lite.importCpuMs <= 0.3 * start.sdk.importCpuMs,
      measured: `${(start.lite.importMs / start.sdk.importMs).toFixed(2)}× ms, ${(start.lite.importCpuMs / start.sdk.importCpuMs).toFixed(2)}× CPU`,
    })
    targets.push({
      name: `lite: import + first request ≤ 0.4× the SDK's (${start.label})`,
      pass:
        start.lite.totalMs <= 0.4 * start.sdk.totalMs && start.lite.totalCpuMs <= 0.4 * start.sdk.totalCpuMs,
      measured: `${(start.lite.totalMs / start.sdk.totalMs).toFixed(2)}× ms, ${(start.lite.totalCpuMs / start.sdk.totalCpuMs).toFixed(2)}× CPU`,
    })
  }
  log(`cold starts done (${elapsed()})`)
  console.log('\n## The light transport, chosen by measurement\n')
  console.log(await compareTransports(coldDdb.endpoint, COLD_RUNS))
  log(`transports done (${elapsed()})`)
} finally {
  await coldDdb.stop()
}

console.log('\n## tower-sessions records: decode time\n')
console.log(towerDecodeStudy())
log(`tower-sessions decode times done (${elapsed()})`)

console.log('\n## Targets (informational)\n')
console.log(targetTable(targets))
console.log(`\nBench wall time: ${elapsed()}.`)
