/**
 * template.yaml as AWS sees it: linted by the Python cfn-lint, and transformed by aws-sam-translator
 * (the library behind `sam build`, `sam deploy` and the AWS::Serverless transform) into the plain
 * CloudFormation resources that get deployed, which are asserted here.
 * Both are Python packages: `python3 -m pip install cfn-lint aws-sam-translator`.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { USER_INDEX_NAME } from '../../src/users/index.ts'
import { normaliseStatements, sessionPolicyStatements } from '../support/iam.ts'
import { SESSIONS_TABLE_PROPERTIES, USER_SESSIONS_INDEX } from '../support/table-schema.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const templates = [
  'template.yaml',
  'examples/example-table-cfn.yml',
  'examples/mrsc/template.yaml',
  'examples/mrec/template.yaml',
]

interface Resource {
  Type: string
  Properties: Record<string, unknown>
}

function python(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', args, {
      cwd: root,
      env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.once('error', (error) => reject(new Error(`python3 could not run: ${error.message}`)))
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

let lint: Awaited<ReturnType<typeof python>>
let resources: Record<string, Resource>
let mrsc: Record<string, Resource>
let mrec: Record<string, Resource>

beforeAll(async () => {
  const [linted, translated, translatedMrsc, translatedMrec] = await Promise.all([
    python([
      '-c',
      "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; main()",
      ...templates,
    ]),
    python([join('scripts', 'sam-translate.py'), 'template.yaml']),
    python([join('scripts', 'sam-translate.py'), 'examples/mrsc/template.yaml']),
    python([join('scripts', 'sam-translate.py'), 'examples/mrec/template.yaml']),
  ])
  lint = linted
  for (const run of [translated, translatedMrsc, translatedMrec]) {
    if (run.code !== 0) throw new Error(`scripts/sam-translate.py failed:\n${run.stderr}`)
  }
  resources = (JSON.parse(translated.stdout) as { Resources: Record<string, Resource> }).Resources
  mrsc = (JSON.parse(translatedMrsc.stdout) as { Resources: Record<string, Resource> }).Resources
  mrec = (JSON.parse(translatedMrec.stdout) as { Resources: Record<string, Resource> }).Resources
}, 60_000)

function only(type: string): [string, Resource] {
  const found = Object.entries(resources).filter(([, resource]) => resource.Type === type)
  expect(
    found.map(([id]) => id),
    type,
  ).toHaveLength(1)
  return found[0] as [string, Resource]
}

describe('cfn-lint', () => {
  it(`finds nothing to report in ${templates.join(' and ')}`, () => {
    expect(`${lint.stdout}${lint.stderr}`).toBe('')
    expect(lint.code).toBe(0)
  })
})

describe('template.yaml through the SAM translator', () => {
  it('yields the table, the function, its role and two invoke permissions, the HTTP API with its stage, and the dashboard', () => {
    expect(
      Object.values(resources)
        .map((resource) => resource.Type)
        .sort(),
    ).toEqual([
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Stage',
      'AWS::CloudWatch::Dashboard',
      'AWS::DynamoDB::Table',
      'AWS::IAM::Role',
      'AWS::Lambda::Function',
      'AWS::Lambda::Permission',
      'AWS::Lambda::Permission',
    ])
  })

  it("has the sessions table: the store's key (S, hash only), on-demand, TTL on expire_at, the user-sessions index", () => {
    const [, table] = only('AWS::DynamoDB::Table')
    expect(table.Properties).toEqual(SESSIONS_TABLE_PROPERTIES)
  })

  it('has the user-sessions index: bound_user (S, hash) / bound_key (S, range), INCLUDE only what a list shows, on demand', () => {
    const [, table] = only('AWS::DynamoDB::Table')
    const { GlobalSecondaryIndexes, AttributeDefinitions, BillingMode } = table.Properties as {
      GlobalSecondaryIndexes: Record<string, unknown>[]
      AttributeDefinitions: unknown[]
      BillingMode: string
    }
    expect(GlobalSecondaryIndexes).toEqual([USER_SESSIONS_INDEX])
    expect(AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'bound_user', AttributeType: 'S' },
        { AttributeName: 'bound_key', AttributeType: 'S' },
      ]),
    )
    // On demand: the index inherits the table's billing, so it has no throughput of its own.
    expect(BillingMode).toBe('PAY_PER_REQUEST')
    expect(GlobalSecondaryIndexes[0]).not.toHaveProperty('ProvisionedThroughput')
  })

  it('has the function: nodejs24.x on arm64, index.handler, its role, TABLE_NAME from the table', () => {
    const [, fn] = only('AWS::Lambda::Function')
    const [roleId] = only('AWS::IAM::Role')
    const [tableId] = only('AWS::DynamoDB::Table')
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
      Environment: { Variables: { TABLE_NAME: { Ref: tableId } } },
    })
  })

  it('has the HTTP API: GET / and ANY /{proxy+} to the function (payload 2.0), deployed, allowed to invoke it', () => {
    const [apiId, api] = only('AWS::ApiGatewayV2::Api')
    const [functionId] = only('AWS::Lambda::Function')
    const paths = (api.Properties.Body as { paths: Record<string, Record<string, unknown>> }).paths
    expect(Object.keys(paths).sort()).toEqual(['/', '/{proxy+}'])
    const integrations = [paths['/']?.get, paths['/{proxy+}']?.['x-amazon-apigateway-any-method']]
    for (const operation of integrations) {
      expect(operation).toMatchObject({
        'x-amazon-apigateway-integration': {
          type: 'aws_proxy',
          payloadFormatVersion: '2.0',
          uri: { 'Fn::Sub': expect.stringContaining(`\${${functionId}.Arn}`) },
        },
      })
    }
    const [, stage] = only('AWS::ApiGatewayV2::Stage')
    expect(stage.Properties).toMatchObject({ ApiId: { Ref: apiId }, StageName: '$default', AutoDeploy: true })
    const permissions = Object.values(resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Permission',
    )
    for (const permission of permissions) {
      expect(permission.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        FunctionName: { Ref: functionId },
        Principal: 'apigateway.amazonaws.com',
      })
    }
  })

  it('gives the role basic execution, X-Ray writes, exactly SESSION_TABLE_ACTIONS on the sessions table, and Query on the user-sessions index only', () => {
    const [, role] = only('AWS::IAM::Role')
    const [tableId] = only('AWS::DynamoDB::Table')
    expect(role.Properties.ManagedPolicyArns).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      'arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess',
    ])
    const statements = (
      role.Properties.Policies as { PolicyDocument: { Statement: Record<string, unknown>[] } }[]
    ).flatMap((policy) => policy.PolicyDocument.Statement)
    expect(normaliseStatements(statements)).toEqual(
      normaliseStatements(sessionPolicyStatements(tableId, USER_INDEX_NAME)),
    )
    expect([...((statements[0]?.Action ?? []) as string[])].sort()).toEqual(
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:BatchGetItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ].sort(),
    )
    expect(statements[1]).toEqual({
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      Resource: { 'Fn::Sub': `\${${tableId}.Arn}/index/user-sessions` },
    })
  })
})

describe('examples/mrsc/template.yaml (an MRSC global table) through the SAM translator', () => {
  const policyOf = (roleId: string) =>
    ((mrsc[roleId]?.Properties.Policies ?? []) as { PolicyDocument: { Statement: unknown[] } }[]).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    )
  const table = { 'Fn::GetAtt': ['SessionsTable', 'Arn'] }

  it('has a global table in strong consistency: the store key, on demand, two replicas and a witness, no TTL', () => {
    expect(mrsc.SessionsTable?.Type).toBe('AWS::DynamoDB::GlobalTable')
    expect(mrsc.SessionsTable?.Properties).toEqual({
      BillingMode: 'PAY_PER_REQUEST',
      MultiRegionConsistency: 'STRONG',
      AttributeDefinitions: [{ AttributeName: 'session_id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'session_id', KeyType: 'HASH' }],
      Replicas: [{ Region: { Ref: 'AWS::Region' } }, { Region: { Ref: 'ReplicaRegion' } }],
      GlobalTableWitnesses: [{ Region: { Ref: 'WitnessRegion' } }],
    })
  })

  it('gives the session function the four item actions on the table, and nothing else', () => {
    expect(mrsc.SessionFunction?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'handler.handler',
      Environment: { Variables: { TABLE_NAME: { Ref: 'SessionsTable' } } },
    })
    expect(policyOf('SessionFunctionRole')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: table,
      },
    ])
  })

  it('runs the sweeper hourly with Scan and BatchWriteItem on the table only', () => {
    expect(mrsc.SweeperFunction?.Properties).toMatchObject({
      Handler: 'sweeper.handler',
      Environment: { Variables: { TABLE_NAME: { Ref: 'SessionsTable' } } },
    })
    expect(policyOf('SweeperFunctionRole')).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:Scan', 'dynamodb:BatchWriteItem'], Resource: table },
    ])
    const schedules = Object.values(mrsc).filter((r) => r.Type === 'AWS::Scheduler::Schedule')
    expect(schedules.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        ScheduleExpression: 'rate(1 hour)',
        Target: expect.objectContaining({ Arn: { 'Fn::GetAtt': ['SweeperFunction', 'Arn'] } }),
      }),
    ])
  })
})

describe('examples/mrec/template.yaml (an MREC global table, home Regions) through the SAM translator', () => {
  it('has a global table in eventual consistency: the store key, on demand, two replicas, its stream, TTL', () => {
    expect(mrec.SessionsTable?.Type).toBe('AWS::DynamoDB::GlobalTable')
    expect(mrec.SessionsTable?.Properties).toEqual({
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'session_id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'session_id', KeyType: 'HASH' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expire_at', Enabled: true },
      Replicas: [{ Region: { Ref: 'AWS::Region' } }, { Region: { Ref: 'PeerRegion' } }],
    })
  })

  it('gives the function the four item actions on the table here and on its replica in the peer Region, and nothing else', () => {
    expect(mrec.SessionFunction?.Properties).toMatchObject({
      Handler: 'handler.handler',
      Environment: {
        Variables: { TABLE_NAME: { Ref: 'SessionsTable' }, PEER_REGION: { Ref: 'PeerRegion' } },
      },
    })
    const policies = (mrec.SessionFunctionRole?.Properties.Policies ?? []) as {
      PolicyDocument: { Statement: unknown[] }
    }[]
    expect(policies.flatMap((policy) => policy.PolicyDocument.Statement)).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: [
          { 'Fn::GetAtt': ['SessionsTable', 'Arn'] },
          {
            'Fn::Sub': `arn:\${AWS::Partition}:dynamodb:\${PeerRegion}:\${AWS::AccountId}:table/\${SessionsTable}`,
          },
        ],
      },
    ])
  })
})
