import type { TestProject } from 'vitest/node'
import { startDynamoDBLocal } from '../../scripts/dynamodb-local.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string
  }
}

/** One DynamoDB Local for the whole run; each test file creates its own uniquely named tables. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const ddb = await startDynamoDBLocal()
  project.provide('dynamoEndpoint', ddb.endpoint)
  return () => ddb.stop()
}
