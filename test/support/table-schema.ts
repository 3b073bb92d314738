/**
 * The sessions table the store needs with its default props (table name aside): key, the index that
 * lists a user's sessions, TTL. template.yaml, examples/example-table-cfn.yml and docker-compose.yml
 * must declare exactly this; the tests check each against it.
 */

import { USER_ATTRIBUTES } from '../../src/store/binding.ts'
import { DEFAULT_STORE_PROPS } from '../../src/store/index.ts'
import { USER_INDEX_NAME } from '../../src/users/index.ts'

const key = DEFAULT_STORE_PROPS.partitionKey.name

/** `bound_user` / `bound_key`: the index's keys; it projects only what a list of sessions shows. */
export const USER_SESSIONS_INDEX = {
  IndexName: USER_INDEX_NAME,
  KeySchema: [
    { AttributeName: USER_ATTRIBUTES.user, KeyType: 'HASH' as const },
    { AttributeName: USER_ATTRIBUTES.key, KeyType: 'RANGE' as const },
  ],
  Projection: {
    ProjectionType: 'INCLUDE' as const,
    NonKeyAttributes: [
      USER_ATTRIBUTES.handle,
      USER_ATTRIBUTES.meta,
      USER_ATTRIBUTES.lastUsed,
      DEFAULT_STORE_PROPS.expiryName,
    ],
  },
}

/** The table's properties as CloudFormation (and CreateTable) take them, on demand, with TTL. */
export const SESSIONS_TABLE_PROPERTIES = {
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: key, AttributeType: 'S' },
    { AttributeName: USER_ATTRIBUTES.user, AttributeType: 'S' },
    { AttributeName: USER_ATTRIBUTES.key, AttributeType: 'S' },
  ],
  KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
  GlobalSecondaryIndexes: [USER_SESSIONS_INDEX],
  TimeToLiveSpecification: { AttributeName: DEFAULT_STORE_PROPS.expiryName, Enabled: true },
}
