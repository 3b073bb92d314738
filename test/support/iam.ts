/**
 * The IAM actions the middleware needs: what template.yaml grants the counter function, no more and no
 * less (checked on the template and on its SAM translation). Change it here when the store sends other
 * requests.
 *
 * On the sessions table: the item operations, BatchWriteItem ("sign out everywhere" deletes a user's
 * sessions in batches) and BatchGetItem (a full user's sessions are checked in one read). A TransactWriteItems call needs no action of its own: each Put, Update and Delete
 * in it is authorised as dynamodb:PutItem, dynamodb:UpdateItem and dynamodb:DeleteItem (the store sends
 * no ConditionCheck). deleteExpiredSessions() (Scan) is an admin job's, not the function's.
 *
 * On the `user-sessions` index only: Query (listing a user's sessions). Nothing queries the table itself.
 */
export const SESSION_TABLE_ACTIONS: readonly string[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:BatchGetItem',
]

/** The actions on the index that lists a user's sessions, and only there. */
export const USER_INDEX_ACTIONS: readonly string[] = ['dynamodb:Query']

/**
 * The policy statements of the counter function, as template.yaml writes them and the SAM translator
 * keeps them: `tableId` is the table's logical id.
 */
export function sessionPolicyStatements(tableId: string, indexName: string) {
  return [
    { Effect: 'Allow', Action: [...SESSION_TABLE_ACTIONS], Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } },
    {
      Effect: 'Allow',
      Action: [...USER_INDEX_ACTIONS],
      Resource: { 'Fn::Sub': `\${${tableId}.Arn}/index/${indexName}` },
    },
  ]
}

/** Statements with each `Action` list sorted, so two policies compare whatever the order of their actions. */
export function normaliseStatements(statements: readonly Record<string, unknown>[]) {
  return statements.map((statement) => ({
    ...statement,
    Action: [...(statement.Action as string[])].sort(),
  }))
}
