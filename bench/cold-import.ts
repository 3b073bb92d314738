/**
 * Cold import time: a fresh `node` process per run imports one bundle (see bundle-size.ts), as a Lambda
 * cold start does; medians over the runs. `import` is the time `await import(bundle)` took inside the
 * process (wall clock), `CPU` the CPU time it used (less sensitive to a busy machine); `process` is
 * spawn-to-exit as the parent saw it (Node's own start-up included). The bundles
 * leave `@aws-sdk/*` external, so the SDK's import is part of the figure, as on Lambda's runtime.
 *
 * Run alone: `node bench/cold-import.ts` (builds the bundles first). `BENCH_COLD_RUNS` sets the runs.
 */
import { spawnSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { type Bundle, bundleSizes, ROOT } from './bundle-size.ts'
import { markdownTable, median, num } from './lib/stats.ts'

const CHILD = `
if (process.env.BENCH_PRELOAD) await import(process.env.BENCH_PRELOAD)
const cpu = process.cpuUsage()
const started = performance.now()
await import(process.env.BENCH_IMPORT)
const importMs = performance.now() - started
const used = process.cpuUsage(cpu)
console.log(JSON.stringify({ importMs, cpuMs: (used.user + used.system) / 1000 }))
`

const SDK = '@aws-sdk/client-dynamodb'

export interface ColdImport {
  name: string
  importMs: number
  cpuMs: number
  processMs: number
  minImportMs: number
  minProcessMs: number
}

interface Target {
  name: string
  /** What `import()` gets: a file URL or a bare specifier. */
  specifier: string
  /** Imported first, untimed: isolates what the bundle adds on top of it. */
  preload?: string
}

function runOnce(target: Target): { importMs: number; cpuMs: number; processMs: number } {
  const started = performance.now()
  const child = spawnSync(process.execPath, ['--input-type=module', '--eval', CHILD], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      BENCH_IMPORT: target.specifier,
      BENCH_PRELOAD: target.preload ?? '',
      AWS_REGION: 'us-east-1',
      TABLE_NAME: 'bench',
    },
  })
  const processMs = performance.now() - started
  if (child.status !== 0) throw new Error(`importing ${target.name} failed:\n${child.stderr}`)
  const line = child.stdout.trim().split('\n').pop() ?? '{}'
  const { importMs, cpuMs } = JSON.parse(line) as { importMs: number; cpuMs: number }
  return { importMs, cpuMs, processMs }
}

/** Imports each target `runs` times, in turns (so machine noise spreads evenly), and takes medians. */
export function coldImports(bundles: Bundle[], runs: number): ColdImport[] {
  const targets: Target[] = [
    { name: 'node:fs only (Node start-up)', specifier: 'node:fs' },
    { name: '@aws-sdk/client-dynamodb alone', specifier: SDK },
    ...bundles
      .filter((bundle) => bundle.name !== 'counter-without-session')
      .map((bundle) => ({ name: bundle.name, specifier: pathToFileURL(bundle.file).href })),
    ...bundles
      .filter(
        (bundle) =>
          bundle.name !== 'no-session' &&
          bundle.name !== 'counter-without-session' &&
          !bundle.name.endsWith('-lite'),
      )
      .map((bundle) => ({
        name: `${bundle.name}, SDK already imported`,
        specifier: pathToFileURL(bundle.file).href,
        preload: SDK,
      })),
  ]
  const samples = new Map(
    targets.map((target) => [
      target.name,
      { imports: [] as number[], cpu: [] as number[], processes: [] as number[] },
    ]),
  )
  for (const target of targets) runOnce(target) // warms the file cache
  for (let run = 0; run < runs; run++) {
    for (const target of targets) {
      const { importMs, cpuMs, processMs } = runOnce(target)
      samples.get(target.name)?.imports.push(importMs)
      samples.get(target.name)?.cpu.push(cpuMs)
      samples.get(target.name)?.processes.push(processMs)
    }
  }
  return targets.map((target) => {
    const s = samples.get(target.name)
    const imports = s?.imports ?? []
    const processes = s?.processes ?? []
    return {
      name: target.name,
      importMs: median(imports),
      cpuMs: median(s?.cpu ?? []),
      processMs: median(processes),
      minImportMs: Math.min(...imports),
      minProcessMs: Math.min(...processes),
    }
  })
}

export function coldImportTable(results: ColdImport[], runs: number): string {
  return [
    `${runs} fresh \`node\` processes each: median (and fastest); CPU: median.`,
    '',
    markdownTable(
      ['imported', 'import ms', 'import CPU ms', 'process ms'],
      results.map((r) => [
        r.name,
        `${num(r.importMs, 1)} (${num(r.minImportMs, 1)})`,
        num(r.cpuMs, 1),
        `${num(r.processMs, 1)} (${num(r.minProcessMs, 1)})`,
      ]),
    ),
  ].join('\n')
}

if (import.meta.main) {
  const runs = Number(process.env.BENCH_COLD_RUNS) || 15
  const { bundles } = await bundleSizes()
  console.log(coldImportTable(coldImports(bundles, runs), runs))
}
