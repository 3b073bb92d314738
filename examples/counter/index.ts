/**
 * The counter Lambda of `template.yaml` (./app.ts), sending to DynamoDB with the AWS SDK, whose client
 * Powertools Tracer captures (each DynamoDB call a subsegment, under the session operation that made it).
 * ./lite.ts is the same without the SDK.
 */
import { Tracer } from '@aws-lambda-powertools/tracer'
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { dynamoSession } from '../../src/index.ts'
import { type CounterData, counterHandler, service, sessionOptions } from './app.ts'

export type { CounterData } from './app.ts'

const tracer = new Tracer({ serviceName: service })

export const handler = counterHandler(
  dynamoSession<CounterData>({
    ...sessionOptions(tracer),
    client: tracer.captureAWSv3Client(new DynamoDBClient({})),
  }),
  captureLambdaHandler(tracer),
)
