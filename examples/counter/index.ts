/**
 * The counter Lambda of `template.yaml` (./app.ts), sending to DynamoDB with the AWS SDK, whose client
 * Powertools Tracer captures (each DynamoDB call a subsegment). ./lite.ts is the same without the SDK.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { dynamoSession } from '../../src/index.ts'
import { type CounterData, counterHandler, sessionOptions, tracer } from './app.ts'

export type { CounterData } from './app.ts'

export const handler = counterHandler(
  dynamoSession<CounterData>({
    ...sessionOptions(),
    client: tracer.captureAWSv3Client(new DynamoDBClient({})),
  }),
)
