/**
 * A session function for a DynamoDB global table in multi-Region strong consistency (MRSC): the lite
 * subpath (no AWS SDK to load), and `transactions: false`, since MRSC refuses `TransactWriteItems`
 * (docs/multi-region.md). The routes are ../global-tables/visits.ts's. Deployed by ./template.yaml in
 * each Region.
 */
import { dynamoSession } from '../../src/lite/index.ts'
import { type VisitsData, visitsHandler } from '../global-tables/visits.ts'

export const handler = visitsHandler(
  dynamoSession<VisitsData>({
    store: { tableName: process.env.TABLE_NAME, transactions: false },
    cookie: { secure: process.env.COOKIE_SECURE !== 'false' },
  }),
)
