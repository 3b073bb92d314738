/**
 * The light transport, chosen by measurement: four ways to send a DynamoDB `GetItem`, each in fresh
 * `node` processes against DynamoDB Local: the AWS SDK v3 client; `aws4fetch` (Signature V4 over
 * `fetch`); `@aws-lite/client` with `@aws-lite/dynamodb`; and `aws4` (the Node signer aws4fetch's author
 * wrote first, which `@aws-lite` itself builds on) over `node:http` with a keep-alive agent, loaded as the
 * `lite` subpath's transport loads it. Per candidate:
 * the import and client set-up, the first request (what a cold start pays on top of the import), and
 * the CPU of a warm request (mean over 300). Medians over the processes.
 *
 * Run alone: `node bench/transports.ts` (starts its own DynamoDB Local). `BENCH_COLD_RUNS` sets the runs.
 */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { startDynamoDBLocal } from '../scripts/dynamodb-local.ts'
import { ROOT } from './bundle-size.ts'
import { markdownTable, median, num } from './lib/stats.ts'
import { createSessionsTable } from './lib/table.ts'

/** Each candidate's set-up: it defines `get()`, one strongly consistent GetItem of `key`. */
const CANDIDATES: Record<string, string> = {
  '@aws-sdk/client-dynamodb': `
    const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb')
    const client = new DynamoDBClient({ endpoint, region, credentials })
    get = () => client.send(new GetItemCommand(input))`,
  'aws4fetch + fetch': `
    const { AwsClient } = await import('aws4fetch')
    const client = new AwsClient({ ...credentials, service: 'dynamodb', region, retries: 0 })
    get = async () => {
      const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' }
      const response = await client.fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(input) })
      return response.json()
    }`,
  '@aws-lite/client + @aws-lite/dynamodb': `
    const awsLite = (await import('@aws-lite/client')).default
    const dynamodb = (await import('@aws-lite/dynamodb')).default
    const aws = await awsLite({ region, endpoint, ...credentials, plugins: [dynamodb], autoloadPlugins: false })
    get = () => aws.DynamoDB.GetItem({ TableName: input.TableName, Key: { session_id: input.Key.session_id.S }, ConsistentRead: true })`,
  'aws4 + node:http': `
    const aws4 = (await import('aws4')).default
    // As CommonJS: an ESM import of node:http would load undici too (its WebSocket getters).
    const http = process.getBuiltinModule('node:http')
    const agent = new http.Agent({ keepAlive: true })
    const url = new URL(endpoint)
    get = () => new Promise((resolve, reject) => {
      const body = JSON.stringify(input)
      const request = aws4.sign({
        host: url.hostname, port: url.port, path: '/', method: 'POST', service: 'dynamodb', region, body,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      }, credentials)
      const req = http.request({ ...request, agent }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => { text += chunk })
        res.on('end', () => resolve(JSON.parse(text)))
      })
      req.on('error', reject)
      req.end(body)
    })`,
}

const child = (setup: string) => `
const endpoint = process.env.BENCH_ENDPOINT
const region = 'us-east-1'
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }
const input = { TableName: process.env.BENCH_TABLE, Key: { session_id: { S: process.env.BENCH_KEY } }, ConsistentRead: true }
let get
const ms = (u) => (u.user + u.system) / 1000
const cpu0 = process.cpuUsage()
const t0 = performance.now()
${setup}
const t1 = performance.now()
const cpu1 = process.cpuUsage(cpu0)
const first = await get()
const t2 = performance.now()
const cpu2 = process.cpuUsage(cpu0)
const found = JSON.stringify(first).includes('bench-value')
if (!found) throw new Error('the item was not read: ' + JSON.stringify(first))
const warm0 = process.cpuUsage()
for (let i = 0; i < 300; i++) await get()
const warm = process.cpuUsage(warm0)
console.log(JSON.stringify({
  importMs: t1 - t0, importCpuMs: ms(cpu1), firstMs: t2 - t1, firstCpuMs: ms(cpu2) - ms(cpu1), warmCpuMs: ms(warm) / 300,
}))
`

interface Sample {
  importMs: number
  importCpuMs: number
  firstMs: number
  firstCpuMs: number
  warmCpuMs: number
}

export async function compareTransports(endpoint: string, runs: number): Promise<string> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
  const table = `transports-${randomUUID()}`
  await createSessionsTable(client, table)
  const key = 'bench-key'
  await client.send(
    new PutItemCommand({ TableName: table, Item: { session_id: { S: key }, data: { S: 'bench-value' } } }),
  )
  client.destroy()
  const samples = new Map(Object.keys(CANDIDATES).map((name) => [name, [] as Sample[]]))
  for (let run = -1; run < runs; run++) {
    for (const [name, setup] of Object.entries(CANDIDATES)) {
      const result = spawnSync(process.execPath, ['--input-type=module', '--eval', child(setup)], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, BENCH_ENDPOINT: endpoint, BENCH_TABLE: table, BENCH_KEY: key },
      })
      if (result.status !== 0) throw new Error(`${name} failed:\n${result.stderr}`)
      // The first round warms the file cache: not counted.
      if (run >= 0) samples.get(name)?.push(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}'))
    }
  }
  const rows = [...samples].map(([name, list]) => {
    const m = (pick: (s: Sample) => number) => median(list.map(pick))
    return [
      name,
      num(
        m((s) => s.importMs),
        1,
      ),
      num(
        m((s) => s.importCpuMs),
        1,
      ),
      num(
        m((s) => s.firstMs),
        1,
      ),
      num(
        m((s) => s.firstCpuMs),
        1,
      ),
      num(
        m((s) => s.importMs + s.firstMs),
        1,
      ),
      num(
        m((s) => s.importCpuMs + s.firstCpuMs),
        1,
      ),
      num(
        m((s) => s.warmCpuMs * 1000),
        0,
      ),
    ]
  })
  return [
    `${runs} fresh \`node\` processes per candidate, taking turns; medians. "first": the first GetItem after the import and set-up.`,
    '',
    markdownTable(
      [
        'transport',
        'import ms',
        'import CPU ms',
        'first request ms',
        'first request CPU ms',
        'cold total ms',
        'cold total CPU ms',
        'warm request CPU µs',
      ],
      rows,
    ),
  ].join('\n')
}

if (import.meta.main) {
  const runs = Number(process.env.BENCH_COLD_RUNS) || 11
  const given = process.env.AWS_ENDPOINT_URL_DYNAMODB
  const local = given ? undefined : await startDynamoDBLocal()
  try {
    console.log(await compareTransports(given ?? (local as { endpoint: string }).endpoint, runs))
  } finally {
    await local?.stop()
  }
}
