/**
 * The IAM actions the middleware needs on the sessions table: what template.yaml grants the counter
 * function, no more and no less (checked on the template and on its SAM translation). Change it here
 * when the store sends other requests.
 *
 * A TransactWriteItems call needs no action of its own: each Put, Update and Delete in it is authorised
 * as dynamodb:PutItem, dynamodb:UpdateItem and dynamodb:DeleteItem, and a ConditionCheck in it as
 * dynamodb:ConditionCheckItem. deleteExpiredSessions() (Scan, BatchWriteItem) is an admin job's, not the
 * function's.
 */
export const SESSION_TABLE_ACTIONS: readonly string[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
]
