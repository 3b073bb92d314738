/**
 * The mutation gate (`npm run mutations`): applies each mutation of test/mutations/list.ts in turn (in
 * memory, through test/mutations/vitest.config.ts) and runs the tests it names, which must then fail;
 * two mutations at a time, each in its own vitest process.
 * First a baseline run checks that every named test exists and passes on the code as it is. Prints one
 * line per mutation and writes test-results/mutations.json (`{ checks: [{ name, ok }] }`, read by .ci/run).
 *
 * Why not Stryker: its mutants are generic (operators flipped, blocks emptied), thousands of them over
 * these files, each run against whole test files on DynamoDB Local: hours, not minutes. The promises this
 * gate guards are protocol steps (a condition, a token, a successor, a lease), which a named mutation
 * states exactly and a named test must catch.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Mutation, mutations, type NamedTest } from '../test/mutations/list.ts'
import { startDynamoDBLocal } from './dynamodb-local.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const reports = join(root, 'test-results', 'mutations')

interface Assertion {
  title: string
  status: string
}

interface Check {
  name: string
  ok: boolean
}

/** Problems with the list itself: duplicate ids, files missing, text that does not occur exactly once. */
function listProblems(): string[] {
  const problems: string[] = []
  const ids = new Set<string>()
  for (const m of mutations) {
    if (ids.has(m.id)) problems.push(`${m.id}: the id is used twice`)
    ids.add(m.id)
    if (m.caughtBy.length === 0) problems.push(`${m.id}: names no test`)
    const path = join(root, m.file)
    if (!existsSync(path)) {
      problems.push(`${m.id}: no file ${m.file}`)
      continue
    }
    const count = readFileSync(path, 'utf8').split(m.find).length - 1
    if (count !== 1) problems.push(`${m.id}: its text occurs ${count} times in ${m.file} (the code moved?)`)
    if (m.find === m.replace) problems.push(`${m.id}: replaces its text by itself`)
  }
  return problems
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A run's assertions, and the messages of test files that failed as a whole (e.g. did not load). */
interface Outcome {
  assertions: Assertion[]
  fileErrors: string[]
}

/** Runs the named tests (with `mutation` applied, if any); resolves what the report says. */
function run(tests: readonly NamedTest[], endpoint: string, mutation?: Mutation): Promise<Outcome> {
  const report = join(reports, `${mutation?.id ?? 'baseline'}.json`)
  rmSync(report, { force: true })
  const files = [...new Set(tests.map((t) => t.file))]
  const pattern = [...new Set(tests.map((t) => escapeRegExp(t.test)))].join('|')
  const args = [
    join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--config',
    'test/mutations/vitest.config.ts',
    '-t',
    pattern,
    ...files,
  ]
  const env = {
    ...process.env,
    TEST_DYNAMODB_ENDPOINT: endpoint,
    MUTATION_REPORT: report,
    MUTATION: mutation?.id ?? '',
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('exit', () => {
      if (!existsSync(report)) {
        reject(new Error(`vitest wrote no report (${mutation?.id ?? 'baseline'}):\n${stderr.slice(-2000)}`))
        return
      }
      const json = JSON.parse(readFileSync(report, 'utf8')) as {
        testResults: { assertionResults: Assertion[]; message?: string }[]
      }
      resolve({
        assertions: json.testResults.flatMap((file) => file.assertionResults),
        fileErrors: json.testResults.flatMap((file) =>
          file.message ? [file.message.split('\n')[0] ?? ''] : [],
        ),
      })
    })
  })
}

/** The assertions a named test selects. */
function selected(assertions: Assertion[], test: NamedTest): Assertion[] {
  return assertions.filter((a) => a.title.startsWith(test.test))
}

async function main(): Promise<number> {
  mkdirSync(reports, { recursive: true })
  const checks: Check[] = []
  const only = process.argv.slice(2)
  const chosen = only.length > 0 ? mutations.filter((m) => only.includes(m.id)) : mutations
  const problems = listProblems()
  for (const problem of problems) {
    console.log(`✗ ${problem}`)
    checks.push({ name: `mutation list: ${problem}`, ok: false })
  }
  const ddb = await startDynamoDBLocal()
  const started = Date.now()
  try {
    const named = chosen.flatMap((m) => m.caughtBy)
    const { assertions: baseline, fileErrors } = await run(named, ddb.endpoint)
    for (const error of fileErrors) {
      console.log(`✗ baseline: a test file failed: ${error}`)
      checks.push({ name: `baseline: ${error}`, ok: false })
    }
    for (const test of new Set(named.map((t) => `${t.file}\t${t.test}`))) {
      const [file, title] = test.split('\t') as [string, string]
      const found = selected(baseline, { file, test: title })
      const ok = found.length > 0 && found.every((a) => a.status === 'passed')
      const state = found.length === 0 ? 'no such test' : found.map((a) => a.status).join(', ')
      if (!ok) console.log(`✗ baseline: "${title}" (${file}): ${state}`)
      checks.push({ name: `baseline: ${title}`, ok })
    }
    // Two mutations at a time (each run is mostly vitest starting up, on one core): `MUTATION_JOBS` to change.
    const jobs = Math.max(1, Number(process.env.MUTATION_JOBS) || 2)
    const runnable = chosen.filter((m) => !problems.some((p) => p.startsWith(`${m.id}:`)))
    const results: Check[] = []
    let next = 0
    const worker = async () => {
      for (let index = next++; index < runnable.length; index = next++) {
        const mutation = runnable[index] as Mutation
        const t0 = Date.now()
        const { assertions, fileErrors } = await run(mutation.caughtBy, ddb.endpoint, mutation)
        const failing = mutation.caughtBy.filter((t) =>
          selected(assertions, t).some((a) => a.status === 'failed'),
        )
        const seconds = ((Date.now() - t0) / 1000).toFixed(1)
        // A mutation that stops the code from loading proves nothing: it must fail a named test's assertions.
        const ok = failing.length > 0
        const by = failing.map((t) => `"${t.test}"`).join(', ')
        const why = fileErrors.length > 0 ? `the tests did not run: ${fileErrors.join('; ')}` : 'SURVIVED'
        console.log(
          ok
            ? `✓ ${mutation.id} (${seconds} s): caught by ${by}`
            : `✗ ${mutation.id} (${seconds} s): ${why} (${mutation.breaks})`,
        )
        results[index] = { name: `${mutation.id} caught`, ok }
      }
    }
    await Promise.all(Array.from({ length: jobs }, worker))
    checks.push(...results)
  } finally {
    await ddb.stop()
  }
  const failed = checks.filter((c) => !c.ok).length
  writeFileSync(join(root, 'test-results', 'mutations.json'), `${JSON.stringify({ checks }, null, 2)}\n`)
  console.log(
    `${chosen.length} mutations, ${checks.length - failed} checks passed, ${failed} failed, in ${Math.round((Date.now() - started) / 1000)} s`,
  )
  return failed === 0 ? 0 : 1
}

process.exitCode = await main()
