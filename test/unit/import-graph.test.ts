/**
 * The core imports nothing of DynamoDB: the session, the engine and its port, the item layout and every
 * store-neutral module bundle (esbuild, as a Lambda build would) without the AWS SDK at run time and
 * without the DynamoDB store, its table or its expressions. Only the DynamoDB side (the store, its table,
 * `dynamoSession()`, which builds the default store) may import them; the `lite` subpath reaches the
 * table but never the SDK.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const src = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url))

/** The store-neutral modules: what every store and the session are made of. */
const CORE = [
  'session.ts',
  'store/engine.ts',
  'store/engine-store.ts',
  'store/table.ts',
  'store/item-layout.ts',
  'store/change.ts',
  'store/types.ts',
  'store/codec.ts',
  'store/format.ts',
  'dynamodb/options.ts',
  'store/binding.ts',
  'users/index.ts',
  'config.ts',
  'cookie.ts',
  'http/index.ts',
  'signing.ts',
  'middleware.ts',
]
const DYNAMODB = ['dynamodb/store.ts', 'dynamodb/table.ts', 'dynamodb/expression.ts']

async function inputsOf(entry: string) {
  const result = await build({
    entryPoints: [src(entry)],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    metafile: true,
    external: ['@aws-sdk/*', 'cookie', '@msgpack/*', 'aws4'],
  })
  const files = Object.keys(result.metafile.inputs)
  const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path))
  return { files, imports }
}

describe('the import graph', () => {
  it.each(CORE)('%s reaches neither the AWS SDK nor the DynamoDB store', async (entry) => {
    const { files, imports } = await inputsOf(entry)
    expect(imports.filter((path) => path.startsWith('@aws-sdk/'))).toEqual([])
    expect(files.filter((file) => DYNAMODB.some((d) => file.endsWith(`src/${d}`)))).toEqual([])
  })

  it('the lite subpath reaches neither the AWS SDK nor the SDK store: only aws4 and Node modules', async () => {
    const { files, imports } = await inputsOf('lite/index.ts')
    expect(imports.filter((path) => path.startsWith('@aws-sdk/'))).toEqual([])
    expect(imports).toContain('aws4')
    expect(files.filter((file) => /src\/(dynamodb\/store|dynamo-session)\.ts$/.test(file))).toEqual([])
  })

  it('the DynamoDB store does import the SDK (so the check above can fail)', async () => {
    const { imports } = await inputsOf('dynamodb/store.ts')
    expect(imports).toContain('@aws-sdk/client-dynamodb')
  })
})
