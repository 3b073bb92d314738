/**
 * The counter Lambda (./app.ts) without the AWS SDK: `middy-dynamodb-session/lite` sends to DynamoDB with
 * `node:https`, its Region, credentials and endpoint from the environment as the SDK takes them. To deploy
 * it, point template.yaml's `EntryPoints` here and its `Handler` at `lite.handler` (docs/lite.md).
 *
 * It keeps Powertools Logger and Metrics and leaves out Powertools Tracer: Tracer loads the X-Ray SDK
 * (`aws-xray-sdk-core`), about as long to import as the AWS SDK this build does without (bench/RESULTS.md), and
 * its client capture is for the AWS SDK's clients. With `Tracing: Active` the function's own X-Ray segment
 * is still recorded; the session's subsegments are what this build gives up.
 */
import { dynamoSession } from '../../src/lite/index.ts'
import { type CounterData, counterHandler, sessionOptions } from './app.ts'

export const handler = counterHandler(dynamoSession<CounterData>(sessionOptions()))
