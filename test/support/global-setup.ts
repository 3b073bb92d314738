import type { TestProject } from 'vitest/node'
import { startDynamoDBLocal } from '../../scripts/dynamodb-local.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string
  }
}

/**
 * One DynamoDB Local for the whole run; each test file creates its own uniquely named tables. With
 * `TEST_DYNAMODB_ENDPOINT` set (`npm run mutations` runs vitest many times), the one already running there.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const running = process.env.TEST_DYNAMODB_ENDPOINT
  if (running) {
    project.provide('dynamoEndpoint', running)
    return async () => {}
  }
  const ddb = await startDynamoDBLocal()
  project.provide('dynamoEndpoint', ddb.endpoint)
  return () => ddb.stop()
}
