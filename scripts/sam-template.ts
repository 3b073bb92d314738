/**
 * Reads `template.yaml` (AWS SAM / CloudFormation) for local tooling: the YAML short-form intrinsics
 * (`!Ref`, `!GetAtt`, `!Sub`, `!If`, ...), the sessions table, the function's handler, routes and
 * environment, and creates the table (with its indexes) in DynamoDB (Local) the way CloudFormation would.
 * The dev server and the tests use it, so the template stays the single source of truth.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve as resolvePath } from 'node:path'
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb'
import { type CollectionTag, parse, type ScalarTag } from 'yaml'

/** A parsed template; values keep CloudFormation's long form (`{ Ref }`, `{ 'Fn::GetAtt': [...] }`). */
export interface Template {
  Parameters?: Record<string, { Type?: string; Default?: unknown }>
  Conditions?: Record<string, unknown>
  Resources: Record<string, TemplateResource>
  Outputs?: Record<string, { Value: unknown; Description?: string }>
  [key: string]: unknown
}

export interface TemplateResource {
  Type: string
  Properties?: Record<string, unknown>
  Metadata?: Record<string, unknown>
  [key: string]: unknown
}

const FUNCTIONS = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'Transform',
]

function intrinsicTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = []
  const add = (tag: string, wrap: (value: unknown) => unknown) => {
    tags.push({ tag, resolve: (value: string) => wrap(value) })
    for (const collection of ['seq', 'map'] as const) {
      tags.push({ tag, collection, resolve: (node) => wrap(node.toJSON()) })
    }
  }
  add('!Ref', (value) => ({ Ref: value }))
  add('!Condition', (value) => ({ Condition: value }))
  add('!GetAtt', (value) => {
    if (typeof value !== 'string') return { 'Fn::GetAtt': value }
    const dot = value.indexOf('.')
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] }
  })
  for (const name of FUNCTIONS) add(`!${name}`, (value) => ({ [`Fn::${name}`]: value }))
  return tags
}

/**
 * Parses a template, turning short-form intrinsics into their long form.
 *
 * @example
 * parseTemplate('A: !GetAtt Table.Arn') // { A: { 'Fn::GetAtt': ['Table', 'Arn'] } }
 */
export function parseTemplate(text: string): Template {
  const template = parse(text, { customTags: intrinsicTags() }) as Template | null
  if (!template || typeof template !== 'object' || !template.Resources) {
    throw new Error('Not a CloudFormation template: no Resources section')
  }
  return template
}

/** Default path of the repository's SAM template. */
export const DEFAULT_TEMPLATE_PATH = resolvePath(import.meta.dirname, '..', 'template.yaml')

export async function loadTemplate(path: string = DEFAULT_TEMPLATE_PATH): Promise<Template> {
  return parseTemplate(await readFile(path, 'utf8'))
}

export interface ResolveContext {
  template: Template
  /** Parameter values overriding the template's defaults (like `--parameter-overrides`). */
  parameters?: Record<string, string>
  region?: string
  accountId?: string
}

/** Marker for `!Ref AWS::NoValue`: the key holding it is dropped. */
const NO_VALUE = Symbol('AWS::NoValue')

/**
 * Resolves intrinsics the way `sam local` does: `!Ref` to a resource gives its logical id, `!Ref` to a
 * parameter its override or default, conditions are evaluated, `AWS::NoValue` removes the key.
 */
export function resolveIntrinsics(value: unknown, context: ResolveContext): unknown {
  const result = resolveValue(value, context)
  return result === NO_VALUE ? undefined : result
}

function resolveValue(value: unknown, context: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveValue(item, context)).filter((item) => item !== NO_VALUE)
  }
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  const [first] = entries
  if (entries.length === 1 && first) {
    const [key, argument] = first
    if (key === 'Ref') return resolveRef(String(argument), context)
    if (key === 'Condition') return evaluateCondition(String(argument), context)
    if (key.startsWith('Fn::')) return resolveFunction(key.slice(4), argument, context)
  }
  const out: Record<string, unknown> = {}
  for (const [key, item] of entries) {
    const resolved = resolveValue(item, context)
    if (resolved !== NO_VALUE) out[key] = resolved
  }
  return out
}

function resolveRef(name: string, context: ResolveContext): unknown {
  switch (name) {
    case 'AWS::NoValue':
      return NO_VALUE
    case 'AWS::Region':
      return context.region ?? 'us-east-1'
    case 'AWS::AccountId':
      return context.accountId ?? '123456789012'
    case 'AWS::Partition':
      return 'aws'
    case 'AWS::URLSuffix':
      return 'amazonaws.com'
    case 'AWS::StackName':
      return 'local'
  }
  const parameter = context.template.Parameters?.[name]
  if (parameter) return context.parameters?.[name] ?? parameter.Default
  if (context.template.Resources[name]) return name
  throw new Error(`!Ref ${name}: no such parameter or resource`)
}

function evaluateCondition(name: string, context: ResolveContext): boolean {
  const condition = context.template.Conditions?.[name]
  if (condition === undefined) throw new Error(`Condition ${name} is not defined`)
  return Boolean(resolveValue(condition, context))
}

function resolveFunction(name: string, argument: unknown, context: ResolveContext): unknown {
  const args = Array.isArray(argument) ? argument : [argument]
  switch (name) {
    case 'If': {
      const [condition, whenTrue, whenFalse] = args
      return resolveValue(evaluateCondition(String(condition), context) ? whenTrue : whenFalse, context)
    }
    case 'Equals': {
      const [left, right] = args.map((item) => resolveValue(item, context))
      return String(left) === String(right)
    }
    case 'Not':
      return !resolveValue(args[0], context)
    case 'And':
      return args.every((item) => resolveValue(item, context))
    case 'Or':
      return args.some((item) => resolveValue(item, context))
    case 'Join': {
      const [separator, items] = args
      return (resolveValue(items, context) as unknown[]).join(String(separator))
    }
    case 'Sub': {
      const [text, variables = {}] = args
      const values = resolveValue(variables, context) as Record<string, unknown>
      return String(text).replace(/\$\{([^}!]+)\}/g, (_, key: string) => {
        if (key in values) return String(values[key])
        if (key.includes('.')) return key
        return String(resolveRef(key, context))
      })
    }
    case 'GetAtt':
      return (args as string[]).join('.')
    default:
      throw new Error(`Fn::${name} is not supported by the local tooling`)
  }
}

/** What CreateTable needs, read from an `AWS::DynamoDB::Table` resource. */
export interface TableDefinition {
  logicalId: string
  /** `TableName` if the template sets one, else the logical id (what `sam local` resolves `!Ref` to). */
  tableName: string
  attributeDefinitions: AttributeDefinition[]
  keySchema: KeySchemaElement[]
  /** `GlobalSecondaryIndexes` as the template declares them (none: `[]`). */
  globalSecondaryIndexes: GlobalSecondaryIndex[]
  billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED'
  timeToLive?: { attributeName: string; enabled: boolean }
}

/** Finds the table resource: the given logical id, or the template's only `AWS::DynamoDB::Table`. */
export function findTable(template: Template, logicalId?: string): TableDefinition {
  const id = logicalId ?? onlyResourceOfType(template, 'AWS::DynamoDB::Table')
  const resource = template.Resources[id]
  if (resource?.Type !== 'AWS::DynamoDB::Table') throw new Error(`${id} is not an AWS::DynamoDB::Table`)
  const props = (resource.Properties ?? {}) as {
    TableName?: string
    AttributeDefinitions?: AttributeDefinition[]
    KeySchema?: KeySchemaElement[]
    GlobalSecondaryIndexes?: GlobalSecondaryIndex[]
    BillingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED'
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean }
  }
  if (!props.KeySchema || !props.AttributeDefinitions) throw new Error(`${id} has no KeySchema`)
  const ttl = props.TimeToLiveSpecification
  return {
    logicalId: id,
    tableName: props.TableName ?? id,
    attributeDefinitions: props.AttributeDefinitions,
    keySchema: props.KeySchema,
    globalSecondaryIndexes: props.GlobalSecondaryIndexes ?? [],
    billingMode: props.BillingMode ?? 'PROVISIONED',
    ...(ttl ? { timeToLive: { attributeName: ttl.AttributeName, enabled: ttl.Enabled } } : {}),
  }
}

function onlyResourceOfType(template: Template, type: string): string {
  const ids = Object.keys(template.Resources).filter((id) => template.Resources[id]?.Type === type)
  const [id] = ids
  if (ids.length !== 1 || !id)
    throw new Error(`Expected exactly one ${type} in the template, found ${ids.length}`)
  return id
}

/** The parts of an `AWS::Serverless::Function` a local runner needs. */
export interface FunctionDefinition {
  logicalId: string
  /** Absolute path of the source module: `CodeUri` + esbuild `EntryPoints[0]`. */
  entryPoint: string
  /** The export named after the dot of `Handler` (`index.handler` → `handler`). */
  exportName: string
  /** HTTP API route keys (`GET /`, `ANY /{proxy+}`, `$default`). */
  routes: string[]
  /** `Environment.Variables`, intrinsics unresolved. */
  environment: Record<string, unknown>
  timeoutSeconds: number
  memorySize: number
}

/** Finds the function resource (the given logical id, or the only one) and what it runs and serves. */
export function findFunction(
  template: Template,
  templatePath: string,
  logicalId?: string,
): FunctionDefinition {
  const id = logicalId ?? onlyResourceOfType(template, 'AWS::Serverless::Function')
  const resource = template.Resources[id]
  if (resource?.Type !== 'AWS::Serverless::Function')
    throw new Error(`${id} is not an AWS::Serverless::Function`)
  const globals = ((template.Globals as { Function?: Record<string, unknown> } | undefined)?.Function ??
    {}) as {
    Timeout?: number
    MemorySize?: number
    Environment?: { Variables?: Record<string, unknown> }
  }
  const props = (resource.Properties ?? {}) as {
    Handler?: string
    CodeUri?: string
    Timeout?: number
    MemorySize?: number
    Environment?: { Variables?: Record<string, unknown> }
    Events?: Record<string, { Type: string; Properties?: { Path?: string; Method?: string } }>
  }
  const handler = props.Handler ?? ''
  const dot = handler.lastIndexOf('.')
  if (dot < 1) throw new Error(`${id}: Handler must look like file.export, got "${handler}"`)
  const buildProperties = (resource.Metadata?.BuildProperties ?? {}) as { EntryPoints?: string[] }
  const codeUri = resolvePath(dirname(templatePath), props.CodeUri ?? '.')
  const entry = buildProperties.EntryPoints?.[0] ?? `${handler.slice(0, dot)}.ts`
  const routes = Object.values(props.Events ?? {})
    .filter((event) => event.Type === 'HttpApi')
    .map((event) => {
      const { Path, Method } = event.Properties ?? {}
      if (!Path || !Method) return '$default'
      const method = Method.toUpperCase()
      return `${method === '*' ? 'ANY' : method} ${Path}`
    })
  return {
    logicalId: id,
    entryPoint: resolvePath(codeUri, entry),
    exportName: handler.slice(dot + 1),
    routes: routes.length > 0 ? routes : ['$default'],
    environment: { ...globals.Environment?.Variables, ...props.Environment?.Variables },
    timeoutSeconds: props.Timeout ?? globals.Timeout ?? 3,
    memorySize: props.MemorySize ?? globals.MemorySize ?? 128,
  }
}

/** What a provisioned table (or index) gets locally; on-demand ones need none. */
const LOCAL_THROUGHPUT = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 }

/** An index as CreateTable takes it: with throughput on a provisioned table. */
function indexFor(table: TableDefinition, index: GlobalSecondaryIndex): GlobalSecondaryIndex {
  return table.billingMode === 'PROVISIONED' ? { ProvisionedThroughput: LOCAL_THROUGHPUT, ...index } : index
}

/**
 * Creates the table with its global secondary indexes (and turns TTL on) unless a table of that name
 * exists. An existing table is left as it is, but one that lacks an index of the template (made before
 * the template had it) is an error that says so, rather than a demo that fails at its first query.
 * Returns what it did.
 *
 * @example
 * await ensureTable(client, 'SessionsTable', findTable(await loadTemplate()))
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  table: TableDefinition,
): Promise<'created' | 'exists'> {
  let existing: TableDescription | undefined
  try {
    existing = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error
  }
  if (existing) {
    assertHasIndexes(tableName, table, existing)
    return 'exists'
  }
  const indexes = table.globalSecondaryIndexes.map((index) => indexFor(table, index))
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: table.attributeDefinitions,
        KeySchema: table.keySchema,
        BillingMode: table.billingMode,
        ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
        ...(table.billingMode === 'PROVISIONED' ? { ProvisionedThroughput: LOCAL_THROUGHPUT } : {}),
      }),
    )
  } catch (error) {
    // Someone else created it between our DescribeTable and CreateTable.
    if ((error as Error).name === 'ResourceInUseException') return 'exists'
    throw error
  }
  await waitUntilActive(client, tableName)
  if (table.timeToLive?.enabled) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: table.timeToLive.attributeName, Enabled: true },
      }),
    )
  }
  return 'created'
}

function assertHasIndexes(tableName: string, table: TableDefinition, existing: TableDescription): void {
  const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName))
  const missing = table.globalSecondaryIndexes
    .map((index) => index.IndexName)
    .filter((name) => !present.has(name))
  if (missing.length > 0) {
    throw new Error(
      `Table ${tableName} exists without the index ${missing.join(', ')} that the template declares: ` +
        'delete the table to have it created again, or add the index to it',
    )
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE')
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return
    if (Date.now() > deadline) {
      throw new Error(`Table ${tableName} is not active yet (table ${Table?.TableStatus}, indexes included)`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
