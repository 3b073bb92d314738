import { describe, expect, it } from 'vitest'
import { findFunction, findTable, parseTemplate, resolveIntrinsics } from '../../../scripts/sam-template.ts'

const source = `
Parameters:
  Stage:
    Type: String
    Default: dev
  Endpoint:
    Type: String
    Default: ''
Conditions:
  HasEndpoint: !Not [!Equals [!Ref Endpoint, '']]
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Timeout: 7
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub 'sessions-\${Stage}'
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }]
      KeySchema: [{ AttributeName: pk, KeyType: HASH }]
      TimeToLiveSpecification: { AttributeName: ttl, Enabled: true }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: app/
      Handler: main.run
      Environment:
        Variables:
          TABLE: !Ref Table
          ARN: !GetAtt Table.Arn
          URL: !Sub https://\${AWS::Region}.example/\${Stage}
          MODE: !If [IsProd, strict, relaxed]
          ENDPOINT: !If [HasEndpoint, !Ref Endpoint, !Ref AWS::NoValue]
          LIST: !Join [',', [a, !Ref Stage]]
      Events:
        Root: { Type: HttpApi, Properties: { Path: /, Method: get } }
        Any: { Type: HttpApi, Properties: { Path: '/{proxy+}', Method: any } }
        Queue: { Type: SQS, Properties: { Queue: arn } }
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints: [src/main.ts]
`

describe('parseTemplate', () => {
  it('reads the short-form intrinsics as their long form', () => {
    const template = parseTemplate(source)
    const environment = template.Resources.Fn?.Properties?.Environment as {
      Variables: Record<string, unknown>
    }
    const variables = environment.Variables
    expect(variables.TABLE).toEqual({ Ref: 'Table' })
    expect(variables.ARN).toEqual({ 'Fn::GetAtt': ['Table', 'Arn'] })
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation !Sub string, not a JS template
    expect(variables.URL).toEqual({ 'Fn::Sub': 'https://${AWS::Region}.example/${Stage}' })
    expect(variables.ENDPOINT).toEqual({
      'Fn::If': ['HasEndpoint', { Ref: 'Endpoint' }, { Ref: 'AWS::NoValue' }],
    })
    expect(template.Conditions?.HasEndpoint).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Endpoint' }, ''] }],
    })
  })

  it('refuses a document without Resources', () => {
    expect(() => parseTemplate('a: 1')).toThrow(/no Resources/)
  })
})

describe('resolveIntrinsics', () => {
  const template = parseTemplate(source)
  const fn = findFunction(template, '/repo/template.yaml')

  it('resolves like sam local: resources to their logical id, parameters to their default', () => {
    expect(resolveIntrinsics(fn.environment, { template, region: 'eu-west-1' })).toEqual({
      TABLE: 'Table',
      ARN: 'Table.Arn',
      URL: 'https://eu-west-1.example/dev',
      MODE: 'relaxed',
      LIST: 'a,dev',
    })
  })

  it('applies parameter overrides and conditions; AWS::NoValue drops the key', () => {
    const resolved = resolveIntrinsics(fn.environment, {
      template,
      parameters: { Stage: 'prod', Endpoint: 'http://localhost:8000' },
    })
    expect(resolved).toMatchObject({ MODE: 'strict', ENDPOINT: 'http://localhost:8000', LIST: 'a,prod' })
  })

  it('names a missing reference', () => {
    expect(() => resolveIntrinsics({ Ref: 'Nope' }, { template })).toThrow(/Nope/)
  })
})

describe('findFunction and findTable', () => {
  const template = parseTemplate(source)

  it('reads the entry point, export, HTTP API routes, timeout (Globals) and environment', () => {
    const fn = findFunction(template, '/repo/template.yaml')
    expect(fn).toMatchObject({
      logicalId: 'Fn',
      entryPoint: '/repo/app/src/main.ts',
      exportName: 'run',
      routes: ['GET /', 'ANY /{proxy+}'],
      timeoutSeconds: 7,
      memorySize: 128,
    })
  })

  it('reads the table key schema, billing mode and TTL', () => {
    const table = findTable(template)
    expect(table).toMatchObject({
      logicalId: 'Table',
      keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      attributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
      timeToLive: { attributeName: 'ttl', enabled: true },
    })
  })

  it('says when the template has no such resource', () => {
    expect(() => findTable(template, 'Fn')).toThrow(/not an AWS::DynamoDB::Table/)
    expect(() => findFunction(parseTemplate('Resources: {}'), '/t.yaml')).toThrow(/exactly one/)
  })
})
