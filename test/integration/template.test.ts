/**
 * template.yaml, examples/example-table-cfn.yml and docker-compose.yml agree with each other and with
 * the store props the counter uses (key, user-sessions index, TTL); `npm start`'s table is created from
 * the template; and the function builds the way `sam build` builds it (esbuild, with the template's
 * BuildProperties) into a bundle that runs.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb'
import type { Context } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parse } from 'yaml'
import { createLambdaContext } from '../../scripts/http-to-lambda.ts'
import {
  DEFAULT_TEMPLATE_PATH,
  ensureTable,
  findFunction,
  findTable,
  loadTemplate,
  parseTemplate,
  resolveIntrinsics,
  type Template,
} from '../../scripts/sam-template.ts'
import { DEFAULT_STORE_PROPS } from '../../src/store/index.ts'
import { USER_INDEX_NAME } from '../../src/users/index.ts'
import { dynamoEndpoint, localClient } from '../support/dynamo.ts'
import { normaliseStatements, sessionPolicyStatements } from '../support/iam.ts'
import { SESSIONS_TABLE_PROPERTIES, USER_SESSIONS_INDEX } from '../support/table-schema.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
let template: Template

beforeAll(async () => {
  template = await loadTemplate()
})

function resource(id: string) {
  const found = template.Resources[id]
  if (!found) throw new Error(`template.yaml has no ${id}`)
  return found
}

describe('template.yaml', () => {
  it('is a SAM template', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31')
  })

  it('has the sessions table: on-demand, key schema and TTL attribute of the store defaults, and nothing else but the user-sessions index', () => {
    const table = resource('SessionsTable')
    expect(table.Type).toBe('AWS::DynamoDB::Table')
    expect(table.Properties).toEqual(SESSIONS_TABLE_PROPERTIES)
    expect(DEFAULT_STORE_PROPS.sortKey).toBeUndefined()
  })

  it('indexes bound sessions as user-sessions: bound_user (S) / bound_key (S), projecting only what a list shows', () => {
    const { GlobalSecondaryIndexes, AttributeDefinitions } = resource('SessionsTable').Properties as {
      GlobalSecondaryIndexes: unknown[]
      AttributeDefinitions: unknown[]
    }
    expect(GlobalSecondaryIndexes).toEqual([USER_SESSIONS_INDEX])
    expect(AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'bound_user', AttributeType: 'S' },
        { AttributeName: 'bound_key', AttributeType: 'S' },
      ]),
    )
    // The names the library uses by default.
    expect(GlobalSecondaryIndexes).toEqual([USER_SESSIONS_INDEX])
    expect(USER_INDEX_NAME).toBe('user-sessions')
  })

  it('has the counter function on nodejs24.x arm64, built by esbuild from examples/counter/index.ts', () => {
    const fn = resource('CounterFunction')
    expect(fn.Type).toBe('AWS::Serverless::Function')
    expect(fn.Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: { Variables: { TABLE_NAME: { Ref: 'SessionsTable' } } },
    })
    expect(fn.Metadata).toMatchObject({
      BuildMethod: 'esbuild',
      BuildProperties: {
        Format: 'esm',
        OutExtension: ['.js=.mjs'],
        Target: 'es2023',
        Minify: true,
        EntryPoints: ['examples/counter/index.ts'],
        External: ['@aws-sdk/*', '@aws-lambda-powertools/*'],
      },
    })
    // Powertools from its public layer (the bundle leaves it out), and X-Ray on for its Tracer.
    // A CloudFormation !Sub string: its placeholders are CloudFormation's.
    const layer = `arn:aws:lambda:\${AWS::Region}:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:\${PowertoolsLayerVersion}`
    expect(fn.Properties?.Layers).toEqual([{ 'Fn::Sub': layer }])
    expect(fn.Properties?.Tracing).toBe('Active')
    const definition = findFunction(template, DEFAULT_TEMPLATE_PATH)
    expect(existsSync(definition.entryPoint)).toBe(true)
    // The bundle is named after the entry point; the Handler's file part must match it.
    expect(basename(definition.entryPoint, '.ts')).toBe('index')
  })

  it('grants the function exactly the actions the middleware needs: SESSION_TABLE_ACTIONS on the table, Query on the user-sessions index only', () => {
    const policies = resource('CounterFunction').Properties?.Policies as unknown[]
    expect(policies).toHaveLength(1)
    // No SAM policy template (DynamoDBCrudPolicy would add Scan, Query on the table, BatchGetItem, ...).
    expect(policies.every((policy) => typeof policy === 'object' && policy !== null)).toBe(true)
    const [policy] = policies as { Statement: Record<string, unknown>[] }[]
    expect(normaliseStatements(policy?.Statement ?? [])).toEqual(
      normaliseStatements(sessionPolicyStatements('SessionsTable', USER_INDEX_NAME)),
    )
    expect(resolveIntrinsics(policy?.Statement[1]?.Resource, { template })).toBe(
      'SessionsTable.Arn/index/user-sessions',
    )
  })

  it('routes GET / and ANY /{proxy+} of an HTTP API to the function, and outputs the API URL', () => {
    expect(resource('CounterApi').Type).toBe('AWS::Serverless::HttpApi')
    const events = resource('CounterFunction').Properties?.Events as Record<
      string,
      { Type: string; Properties: object }
    >
    expect(Object.values(events)).toEqual([
      { Type: 'HttpApi', Properties: { ApiId: { Ref: 'CounterApi' }, Path: '/', Method: 'GET' } },
      { Type: 'HttpApi', Properties: { ApiId: { Ref: 'CounterApi' }, Path: '/{proxy+}', Method: 'ANY' } },
    ])
    expect(findFunction(template, DEFAULT_TEMPLATE_PATH).routes).toEqual(['GET /', 'ANY /{proxy+}'])
    expect(resolveIntrinsics(template.Outputs?.ApiUrl?.Value, { template, region: 'eu-west-1' })).toBe(
      'https://CounterApi.execute-api.eu-west-1.amazonaws.com/',
    )
  })

  it('keeps cookies Secure in AWS and adds no endpoint there; sam local overrides give plain-http settings', () => {
    const { environment } = findFunction(template, DEFAULT_TEMPLATE_PATH)
    const powertools = { POWERTOOLS_SERVICE_NAME: 'counter', POWERTOOLS_METRICS_NAMESPACE: 'Sessions' }
    expect(resolveIntrinsics(environment, { template })).toEqual({
      TABLE_NAME: 'SessionsTable',
      COOKIE_SECURE: 'true',
      ...powertools,
    })
    const local = { CookieSecure: 'false', LocalDynamoDBEndpoint: 'http://dynamodb:8000' }
    expect(resolveIntrinsics(environment, { template, parameters: local })).toEqual({
      TABLE_NAME: 'SessionsTable',
      COOKIE_SECURE: 'false',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://dynamodb:8000',
      ...powertools,
    })
  })
})

describe('examples/example-table-cfn.yml', () => {
  it('creates the table the store finds with no options: TowerSessions, the default keys, the user-sessions index, TTL on', () => {
    const cfn = parseTemplate(readFileSync(join(root, 'examples/example-table-cfn.yml'), 'utf8'))
    const tables = Object.values(cfn.Resources).filter((r) => r.Type === 'AWS::DynamoDB::Table')
    expect(tables).toHaveLength(1)
    expect(tables[0]?.Properties).toEqual({
      TableName: DEFAULT_STORE_PROPS.tableName,
      ...SESSIONS_TABLE_PROPERTIES,
    })
    expect(DEFAULT_STORE_PROPS.tableName).toBe('TowerSessions')
  })
})

describe('docker-compose.yml', () => {
  interface Service {
    image: string
    command: string[]
    ports?: string[]
    networks: string[]
    environment?: Record<string, string>
  }
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>
    networks: Record<string, { name: string }>
  }
  const service = (name: string): Service => {
    const found = compose.services[name]
    if (!found) throw new Error(`docker-compose.yml has no service ${name}`)
    return found
  }

  it('pins every image to a version (no :latest)', () => {
    const images = Object.values(compose.services).map((entry) => entry.image)
    expect(images).toEqual(['amazon/dynamodb-local:3.3.1', expect.stringMatching(/^amazon\/aws-cli:/)])
    for (const image of images) expect(image).toMatch(/^[\w./-]+:\d+\.\d+\.\d+$/)
  })

  it('runs DynamoDB Local in memory with -sharedDb, published on 127.0.0.1:8000 only, on the network sessions-local', () => {
    const dynamodb = service('dynamodb')
    expect(dynamodb.command).toEqual(expect.arrayContaining(['-sharedDb', '-inMemory']))
    expect(dynamodb.ports).toEqual(['127.0.0.1:8000:8000'])
    expect(compose.networks['sessions-local']?.name).toBe('sessions-local')
    for (const entry of Object.values(compose.services)) expect(entry.networks).toContain('sessions-local')
  })

  it("creates template.yaml's SessionsTable (what sam local passes as TABLE_NAME) and TowerSessions: keys, index, billing, TTL", () => {
    const createTables = service('create-tables')
    // What compose hands the shell: `$$` becomes `$`, and no single `$` is left for compose to interpolate.
    const script = createTables.command.join('\n')
    expect(script.replaceAll('$$', '')).not.toContain('$')
    // Run it with a stand-in `aws` that logs its arguments (one JSON array per call).
    const bin = mkdtempSync(join(tmpdir(), 'compose-aws-'))
    try {
      const log = join(bin, 'calls.jsonl')
      writeFileSync(
        join(bin, 'aws'),
        [
          '#!/bin/sh',
          `node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@" >> "${log}"`,
          // No table exists yet; everything else succeeds.
          '[ "$2" = describe-table ] && exit 1',
          'exit 0',
        ].join('\n'),
      )
      chmodSync(join(bin, 'aws'), 0o755)
      execFileSync('sh', ['-c', script.replaceAll('$$', '$')], {
        env: { ...createTables.environment, PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH}` },
        stdio: 'pipe',
      })
      const calls = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as string[])
      const option = (call: string[], name: string) => call[call.indexOf(name) + 1]
      const created = calls.filter((call) => call[1] === 'create-table')
      const ttl = calls.filter((call) => call[1] === 'update-time-to-live')

      const table = findTable(template)
      expect(table.tableName).toBe('SessionsTable')
      const names = [table.tableName, DEFAULT_STORE_PROPS.tableName]
      expect(created.map((call) => option(call, '--table-name'))).toEqual(names)
      expect(ttl.map((call) => option(call, '--table-name'))).toEqual(names)

      // Every property of the template's table, as the CLI creates it: nothing more, nothing less.
      const { TimeToLiveSpecification, ...properties } = resource('SessionsTable').Properties ?? {}
      for (const call of created) {
        const input = JSON.parse(option(call, '--cli-input-json') ?? '') as Record<string, unknown>
        expect(input).toEqual(properties)
        expect(input.GlobalSecondaryIndexes).toEqual([USER_SESSIONS_INDEX])
      }
      for (const call of ttl) {
        expect(JSON.parse(option(call, '--time-to-live-specification') ?? '')).toEqual(
          TimeToLiveSpecification,
        )
      }
      expect(createTables.environment?.AWS_ENDPOINT_URL_DYNAMODB).toBe('http://dynamodb:8000')
    } finally {
      rmSync(bin, { recursive: true, force: true })
    }
  })

  it('has a table definition DynamoDB (Local) accepts: the table it creates has the index, queryable', async () => {
    const definition = JSON.parse(service('create-tables').environment?.TABLE_DEFINITION ?? '') as Omit<
      CreateTableCommandInput,
      'TableName'
    >
    const client = localClient()
    const tableName = `compose-${crypto.randomUUID()}`
    try {
      await client.send(new CreateTableCommand({ ...definition, TableName: tableName }))
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
      expect(Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.KeySchema])).toEqual([
        [USER_SESSIONS_INDEX.IndexName, USER_SESSIONS_INDEX.KeySchema],
      ])
      expect(Table?.GlobalSecondaryIndexes?.[0]?.Projection).toEqual(USER_SESSIONS_INDEX.Projection)
      const { Count } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: USER_INDEX_NAME,
          KeyConditionExpression: 'bound_user = :u',
          ExpressionAttributeValues: { ':u': { S: 'nobody' } },
        }),
      )
      expect(Count).toBe(0)
    } finally {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {})
      client.destroy()
    }
  })
})

describe("ensureTable (npm start's table, from template.yaml)", () => {
  const client = localClient()
  afterAll(() => client.destroy())

  const describeIndexes = async (tableName: string) => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
    return (Table?.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection, IndexStatus }) => ({
      IndexName,
      KeySchema,
      Projection,
      IndexStatus,
    }))
  }

  it("reads the template's index, and creates the table with it (active), then leaves it be", async () => {
    const table = findTable(template)
    expect(table.globalSecondaryIndexes).toEqual([USER_SESSIONS_INDEX])
    const tableName = `ensure-${crypto.randomUUID()}`
    expect(await ensureTable(client, tableName, table)).toBe('created')
    expect(await describeIndexes(tableName)).toEqual([{ ...USER_SESSIONS_INDEX, IndexStatus: 'ACTIVE' }])
    expect(await ensureTable(client, tableName, table)).toBe('exists')
  })

  it('refuses, naming the index, a table made before the template had it', async () => {
    const table = findTable(template)
    const tableName = `ensure-old-${crypto.randomUUID()}`
    const [key] = table.attributeDefinitions
    const old = { ...table, attributeDefinitions: key ? [key] : [], globalSecondaryIndexes: [] }
    expect(await ensureTable(client, tableName, old)).toBe('created')
    expect(await describeIndexes(tableName)).toEqual([])
    await expect(ensureTable(client, tableName, table)).rejects.toThrow(
      `Table ${tableName} exists without the index user-sessions that the template declares`,
    )
  })
})

/**
 * The esbuild command line `sam build` runs for `BuildMethod: esbuild` (aws-lambda-builders'
 * EsbuildCommandBuilder): bundle for node into the artifacts dir, Target/Format/Minify defaults, then
 * each BuildProperty turned into a flag (PascalCase → kebab-case; lists repeat `--flag:value`).
 */
function samEsbuildArgs(buildProperties: Record<string, unknown>, outdir: string): string[] {
  const props = new Map(
    Object.entries(buildProperties).map(([key, value]) => [
      key.replace(/(?<!^)([A-Z])/g, '_$1').toLowerCase(),
      value,
    ]),
  )
  const args = ['--bundle', '--platform=node', `--outdir=${outdir}`]
  if (!props.has('target')) args.push('--target=es2020')
  if (!props.has('format')) args.push('--format=cjs')
  if (!props.has('minify')) args.push('--minify')
  for (const flag of ['minify', 'sourcemap']) if (props.get(flag) === true) args.push(`--${flag}`)
  for (const flag of ['target', 'format', 'main_fields', 'sources_content']) {
    if (props.has(flag)) args.push(`--${flag.replaceAll('_', '-')}=${props.get(flag)}`)
  }
  for (const flag of ['external', 'loader', 'out_extension', 'banner']) {
    for (const value of (props.get(flag) as string[] | undefined) ?? []) {
      args.push(`--${flag.replaceAll('_', '-')}:${value}`)
    }
  }
  args.push(...((props.get('entry_points') as string[] | undefined) ?? []))
  return args
}

/**
 * The counter as `sam build` builds it: the template's entry point (the AWS SDK), and the lite one that
 * docs/lite.md deploys by pointing `EntryPoints` at it. Each takes from the Powertools layer only what it
 * imports: the lite build leaves out Tracer (examples/counter/lite.ts says why) and the SDK.
 */
const BUILDS = [
  {
    entry: 'examples/counter/index.ts',
    handler: 'index.handler',
    external: /^(@aws-sdk\/|@aws-lambda-powertools\/)/,
    powertools: [
      'logger',
      'logger/middleware',
      'metrics',
      'metrics/middleware',
      'tracer',
      'tracer/middleware',
    ],
  },
  {
    entry: 'examples/counter/lite.ts',
    handler: 'lite.handler',
    external: /^@aws-lambda-powertools\//,
    powertools: ['logger', 'logger/middleware', 'metrics', 'metrics/middleware'],
  },
]

describe.each(BUILDS)('the function built as sam build builds it, from $entry', (build) => {
  // Inside the repository (gitignored), so the external @aws-sdk/* and @aws-lambda-powertools/* resolve
  // from node_modules as the Lambda runtime and the Powertools layer provide them.
  const outdir = join(
    root,
    'test-results',
    `sam-build-${process.pid}-${basename(build.entry, '.ts')}`,
    'CounterFunction',
  )
  const metafile = join(dirname(outdir), 'meta.json')
  const client = localClient()

  beforeAll(() => {
    mkdirSync(outdir, { recursive: true })
    const buildProperties = {
      ...(resource('CounterFunction').Metadata?.BuildProperties as Record<string, unknown>),
      EntryPoints: [build.entry],
    }
    execFileSync(
      join(root, 'node_modules/.bin/esbuild'),
      [...samEsbuildArgs(buildProperties, outdir), `--metafile=${metafile}`, '--log-level=warning'],
      { cwd: root, stdio: 'pipe' },
    )
  })

  afterAll(() => {
    vi.unstubAllEnvs()
    client.destroy()
    rmSync(dirname(outdir), { recursive: true, force: true })
  })

  // esbuild names the file after the entry point: the lite build's Handler is lite.handler.
  const file = build.handler.replace(/\.handler$/, '.mjs')

  it(`writes the file Handler ${build.handler} names`, () => {
    expect(existsSync(join(outdir, file))).toBe(true)
  })

  it('bundles only what sam build installs (npm install --omit=dev, from the lockfile), and leaves out only Node built-ins, @aws-sdk/* (in the SDK build) and the Powertools layer', () => {
    const meta = JSON.parse(readFileSync(metafile, 'utf8')) as {
      inputs: Record<string, unknown>
      outputs: Record<string, { imports: { path: string; external?: boolean }[] }>
    }
    const packages = new Set(
      Object.keys(meta.inputs)
        .map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1])
        .filter((name) => name !== undefined),
    )
    // sam build copies the project without node_modules and runs `npm install --omit=dev` there: it gets
    // the lockfile's packages not flagged dev (dependencies, the root's peer dependencies, and theirs). A
    // peer that is also a devDependency is flagged dev, and would be missing there.
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>
    }
    const installable = new Set(
      Object.entries(lock.packages)
        .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev)
        .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)),
    )
    for (const name of packages) expect(installable, `bundled ${name}`).toContain(name)
    const externals = Object.values(meta.outputs).flatMap((output) =>
      output.imports.filter((entry) => entry.external).map((entry) => entry.path),
    )
    // Node's built-ins, some named without `node:` (aws4 requires 'url' and 'querystring').
    for (const path of externals.filter((path) => !isBuiltin(path))) expect(path).toMatch(build.external)
    // What the counter takes from the Powertools layer: Logger and Metrics, Tracer in the SDK build, and
    // their middlewares.
    expect(
      [...new Set(externals.filter((path) => path.startsWith('@aws-lambda-powertools/')))].sort(),
    ).toEqual(build.powertools.map((name) => `@aws-lambda-powertools/${name}`))
  })

  it('runs on an HTTP API event against DynamoDB, with a Secure cookie as in AWS', async () => {
    const tableName = `sam-build-${crypto.randomUUID()}`
    await ensureTable(client, tableName, findTable(template))
    // The environment the template gives the function in AWS, with our table and DynamoDB Local.
    const environment = resolveIntrinsics(findFunction(template, DEFAULT_TEMPLATE_PATH).environment, {
      template,
    }) as Record<string, string>
    for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value)
    vi.stubEnv('TABLE_NAME', tableName)
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamoEndpoint())
    vi.stubEnv('AWS_REGION', 'us-east-1')
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local')

    const bundle = (await import(pathToFileURL(join(outdir, file)).href)) as {
      handler: (
        event: unknown,
        context: Context,
      ) => Promise<{ statusCode: number; body: string; cookies?: string[] }>
    }
    const event = JSON.parse(
      readFileSync(join(root, 'events/http-api-v2-first-visit.json'), 'utf8'),
    ) as unknown
    const context = createLambdaContext({ functionName: 'CounterFunction', timeoutMs: 10_000 })
    const response = await bundle.handler(event, context)
    expect(response.statusCode).toBe(200)
    expect(JSON.parse(response.body)).toEqual({ count: 1 })
    expect(response.cookies).toHaveLength(1)
    expect(response.cookies?.[0]).toMatch(/^id=[\w-]+;.*; HttpOnly; Secure; SameSite=Lax/)
  })
})
