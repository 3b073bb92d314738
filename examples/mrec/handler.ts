/**
 * A session function for a DynamoDB global table in multi-Region eventual consistency (MREC), with home
 * Regions: every session is written in the Region that created it, and read where this function runs
 * (docs/multi-region.md). `PEER_REGION` names the other replica's Region. The routes are
 * ../global-tables/visits.ts's. Deployed by ./template.yaml in each Region.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBSessionStore, dynamoSession, homeRegions } from '../../src/index.ts'
import { type VisitsData, visitsHandler } from '../global-tables/visits.ts'

const tableName = process.env.TABLE_NAME
const here = process.env.AWS_REGION ?? ''
const other = process.env.PEER_REGION ?? ''
// The same table, in the other Region: where the writes of the sessions created there go.
const peer = new DynamoDBSessionStore({ tableName, client: new DynamoDBClient({ region: other }) })

export const handler = visitsHandler(
  dynamoSession<VisitsData>({
    store: { tableName, homeRegions: homeRegions({ region: here, peers: { [other]: peer } }) },
    cookie: { secure: process.env.COOKIE_SECURE !== 'false' },
  }),
)
