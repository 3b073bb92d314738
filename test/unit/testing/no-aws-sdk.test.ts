/**
 * The test kit runs without the AWS SDK: `middy-dynamodb-session/testing` bundles (esbuild, as a Lambda
 * build would) with no `@aws-sdk/*` import at all, because MemoryStore is the engine over a table in
 * memory, not a DynamoDB store that never sends.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const entry = fileURLToPath(new URL('../../../src/testing/index.ts', import.meta.url))

describe('middy-dynamodb-session/testing', () => {
  it('bundles with no @aws-sdk import', async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      metafile: true,
      external: ['@aws-sdk/*', 'cookie', '@msgpack/*'],
    })
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path))
    expect(imports.filter((path) => path.startsWith('@aws-sdk/'))).toEqual([])
    // The bundle does contain the engine the DynamoDB store runs (so the check is not vacuous).
    expect(Object.keys(result.metafile.inputs).some((path) => path.endsWith('src/store/engine.ts'))).toBe(
      true,
    )
  })
})
