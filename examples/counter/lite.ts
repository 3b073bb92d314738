/**
 * The counter Lambda (./app.ts) without the AWS SDK: `middy-dynamodb-session/lite` sends to DynamoDB with
 * `fetch`, its Region, credentials and endpoint from the environment as the SDK takes them. To deploy it,
 * point template.yaml's `EntryPoints` here (docs/lite.md).
 */
import { dynamoSession } from '../../src/lite/index.ts'
import { type CounterData, counterHandler, sessionOptions } from './app.ts'

export const handler = counterHandler(dynamoSession<CounterData>(sessionOptions()))
