/**
 * Minified bundle sizes (esbuild: platform node, format esm, minify, `@aws-sdk/*` external, and
 * `@aws-lambda-powertools/*`, which the counter takes from the Powertools layer, as template.yaml builds it): the counter example and DESIGN.md's example with the library, the same handlers
 * without sessions, and express-session + connect-dynamodb + serverless-http for comparison. What the
 * library adds = with-session bundle − no-session bundle; esbuild's metafile also attributes the output
 * bytes to `src/` and the `cookie` dependency directly.
 *
 * Run alone: `node bench/bundle-size.ts`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { type BuildOptions, build, type Plugin } from 'esbuild'
import { kb, markdownTable } from './lib/stats.ts'

export const ROOT = join(import.meta.dirname, '..')
/** Where bundles are written: inside node_modules, so their `@aws-sdk/*` and `@middy/*` imports resolve. */
export const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'middy-dynamodb-session-bench')

/** Issue 18's target for what the library adds to DESIGN.md's example, minified: 30 KB. */
export const ADDED_BYTES_TARGET = 30_720

export interface Bundle {
  name: string
  /** Path of the written `.mjs`. */
  file: string
  bytes: number
  gzipBytes: number
  /** Output bytes from the library's own modules (`src/`). */
  srcBytes: number
  /** Output bytes from `node_modules/cookie`. */
  cookieBytes: number
  /** Output bytes per input module. */
  inputs: Map<string, number>
}

interface Entry {
  name: string
  /** A file to bundle, or source code to bundle from the repository root. */
  entry: { file: string } | { code: string }
  /** CommonJS dependencies inside an ESM bundle need a `require`. */
  needsRequire?: boolean
  /**
   * Built over `middy-dynamodb-session/lite`: the entry's import of the root entry becomes one of the lite
   * subpath (one source, both builds). `aws4` is CommonJS: implies `needsRequire` (template.yaml's banner).
   */
  lite?: boolean
}

/** Resolves the root entry (`src/index.ts`, as a fixture imports it) to the lite subpath's. */
const ROOT_TO_LITE: Plugin = {
  name: 'root-to-lite',
  setup(build) {
    build.onResolve({ filter: /\/src\/index\.ts$/ }, () => ({ path: join(ROOT, 'src', 'lite', 'index.ts') }))
  },
}

const REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);"

async function bundle({ name, entry, needsRequire, lite }: Entry): Promise<Bundle> {
  const file = join(OUT_DIR, `${name}.mjs`)
  const options: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*', '@aws-lambda-powertools/*'],
    outfile: file,
    write: false,
    metafile: true,
    logLevel: 'error',
    ...(needsRequire || lite ? { banner: { js: REQUIRE_BANNER } } : {}),
    ...(lite ? { plugins: [ROOT_TO_LITE] } : {}),
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : {
          stdin: { contents: entry.code, resolveDir: ROOT, sourcefile: `${name}.ts`, loader: 'ts' as const },
        }),
  }
  const result = await build(options)
  const output = result.outputFiles?.[0]
  if (!output) throw new Error(`esbuild wrote nothing for ${name}`)
  writeFileSync(file, output.contents)
  let srcBytes = 0
  let cookieBytes = 0
  const inputs = new Map<string, number>()
  for (const meta of Object.values(result.metafile?.outputs ?? {})) {
    for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
      inputs.set(input, (inputs.get(input) ?? 0) + bytesInOutput)
      if (input.startsWith('src/')) srcBytes += bytesInOutput
      else if (input.startsWith('node_modules/cookie/')) cookieBytes += bytesInOutput
    }
  }
  return {
    name,
    file,
    bytes: output.contents.byteLength,
    gzipBytes: gzipSync(output.contents).byteLength,
    srcBytes,
    cookieBytes,
    inputs,
  }
}

const COUNTER_ENTRY = join(ROOT, 'examples', 'counter', 'index.ts')
const COUNTER_LITE_ENTRY = join(ROOT, 'examples', 'counter', 'lite.ts')
const COUNTER_ROUTES = join(ROOT, 'examples', 'counter', 'routes.ts')

/** The counter example's routes, sign-in demo included, with a session that keeps nothing: the example minus the library. */
const COUNTER_WITHOUT_SESSION = `
import middy from '@middy/core'
import { serveCounter } from './examples/counter/serve.ts'
const none = {
  get: async () => undefined, set: async () => undefined, destroy: async () => undefined,
  has: async () => false, regenerate: async () => undefined, bindUser: async () => undefined,
  user: async () => undefined, listUserSessions: async () => ({ sessions: [] }),
  endUserSession: async () => false, endAllUserSessions: async () => 0,
}
export const handler = middy().handler((event) => serveCounter(event, none as never))
`

export interface BundleReport {
  bundles: Bundle[]
  /** Bytes the library adds to DESIGN.md's example (with-session − no-session). */
  addedByLibrary: number
  /** The same for the counter example, when it exists. */
  addedToCounter: number | undefined
  /** What the opt-in tower-sessions format adds on top (its example − DESIGN.md's example). */
  addedByTowerFormat: number
  markdown: string
}

/** `src/dynamodb/store.ts 6061, ...`: the library's modules and `cookie`, largest first. */
function breakdown(bundle: Bundle | undefined): string {
  if (!bundle) return 'n/a'
  return [...bundle.inputs]
    .filter(
      ([input, bytes]) => bytes > 0 && (input.startsWith('src/') || input.startsWith('node_modules/cookie/')),
    )
    .sort((a, b) => b[1] - a[1])
    .map(([input, bytes]) => `${input.replace(/^node_modules\/(cookie)\/.*$/, '$1')} ${bytes}`)
    .join(', ')
}

export async function bundleSizes(): Promise<BundleReport> {
  mkdirSync(OUT_DIR, { recursive: true })
  const entries: Entry[] = [
    { name: 'no-session', entry: { file: join(ROOT, 'bench', 'fixtures', 'no-session.ts') } },
    { name: 'design-example', entry: { file: join(ROOT, 'bench', 'fixtures', 'design-example.ts') } },
    {
      name: 'design-example-lite',
      entry: { file: join(ROOT, 'bench', 'fixtures', 'design-example.ts') },
      lite: true,
    },
    {
      name: 'tower-sessions-example',
      entry: { file: join(ROOT, 'bench', 'fixtures', 'tower-sessions-example.ts') },
    },
  ]
  const haveCounter = existsSync(COUNTER_ENTRY) && existsSync(COUNTER_ROUTES)
  if (haveCounter) {
    entries.push({ name: 'counter-without-session', entry: { code: COUNTER_WITHOUT_SESSION } })
    entries.push({ name: 'counter', entry: { file: COUNTER_ENTRY } })
    entries.push({ name: 'counter-lite', entry: { file: COUNTER_LITE_ENTRY }, needsRequire: true })
    entries.push({
      name: 'counter-lite-traced',
      entry: { file: join(ROOT, 'bench', 'fixtures', 'counter-lite-traced.ts') },
      needsRequire: true,
    })
    const plain = { file: join(ROOT, 'bench', 'fixtures', 'counter-plain.ts') }
    entries.push({ name: 'counter-plain', entry: plain })
    entries.push({ name: 'counter-plain-lite', entry: plain, lite: true })
  }
  entries.push({
    name: 'express-session-counter',
    entry: { file: join(ROOT, 'bench', 'fixtures', 'express-counter.ts') },
    needsRequire: true,
  })
  const bundles: Bundle[] = []
  for (const entry of entries) bundles.push(await bundle(entry))
  const size = (name: string) => bundles.find((b) => b.name === name)
  const added = (withSession: string, without: string) => {
    const a = size(withSession)
    const b = size(without)
    return a && b ? a.bytes - b.bytes : undefined
  }
  const addedByLibrary = added('design-example', 'no-session') ?? Number.NaN
  const addedToCounter = haveCounter ? added('counter', 'counter-without-session') : undefined
  const addedByTowerFormat = added('tower-sessions-example', 'design-example') ?? Number.NaN
  const towerGzip =
    (size('tower-sessions-example')?.gzipBytes ?? 0) - (size('design-example')?.gzipBytes ?? 0)
  const descriptions: Record<string, string> = {
    'no-session': 'Middy handler, no sessions (bench/fixtures/no-session.ts)',
    'design-example': "DESIGN.md's example with dynamoSession() (bench/fixtures/design-example.ts)",
    'tower-sessions-example':
      'the same with `format: towerSessionsFormat()` (bench/fixtures/tower-sessions-example.ts)',
    'counter-without-session': "examples/counter's routes, no sessions",
    'design-example-lite': 'the same over `middy-dynamodb-session/lite` (aws4 bundled, no SDK)',
    counter: 'examples/counter/index.ts',
    'counter-lite':
      'examples/counter/lite.ts (the counter over `middy-dynamodb-session/lite`, without Tracer)',
    'counter-lite-traced': 'the same with Powertools Tracer (bench/fixtures/counter-lite-traced.ts)',
    'counter-plain': "the counter's routes and sessions without Powertools (bench/fixtures/counter-plain.ts)",
    'counter-plain-lite': 'the same over `middy-dynamodb-session/lite`',
    'express-session-counter': 'express + express-session + connect-dynamodb + serverless-http counter',
  }
  const markdown = [
    markdownTable(
      ['bundle', 'minified', 'gzip', 'from src/', 'from cookie'],
      bundles.map((b) => [
        descriptions[b.name] ?? b.name,
        `${kb(b.bytes)} (${b.bytes} B)`,
        kb(b.gzipBytes),
        kb(b.srcBytes),
        kb(b.cookieBytes),
      ]),
    ),
    '',
    `What the library adds to a Middy handler (DESIGN.md example − no-session): **${kb(addedByLibrary)}** minified` +
      (addedToCounter === undefined ? '.' : `; to the counter example: **${kb(addedToCounter)}**.`),
    '',
    `The opt-in tower-sessions format adds **${kb(addedByTowerFormat)}** minified (${kb(towerGzip)} gzip), ` +
      '@msgpack/msgpack included; a bundle that does not import `middy-dynamodb-session/tower-sessions` has none of it.',
    '',
    `Minified bytes per module in the DESIGN.md example: ${breakdown(size('design-example'))}.`,
  ].join('\n')
  return { bundles, addedByLibrary, addedToCounter, addedByTowerFormat, markdown }
}

if (import.meta.main) {
  const report = await bundleSizes()
  console.log(report.markdown)
}
