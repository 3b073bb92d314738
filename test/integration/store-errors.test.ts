/**
 * Errors that say what to do (issue 19): a failed DynamoDB call becomes a SessionStoreError whose message
 * names the operation, the table and the reason in words, never more of the SDK's text than the index or
 * the action it names. The table and index cases on DynamoDB Local; the others from the SDK's own error
 * names (they need AWS, or its absence, to happen for real).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { failureMessage } from '../../src/dynamodb/failure.ts'
import { generateSessionId } from '../../src/id.ts'
import { DynamoDBSessionStore, SessionStoreError } from '../../src/index.ts'
import { userSessions } from '../../src/users/index.ts'
import { createTable, localClient } from '../support/dynamo.ts'

const client = localClient()
afterAll(() => client.destroy())

function sdkError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name })
}

describe('on DynamoDB Local', () => {
  it('a table that does not exist is named, with what to check', async () => {
    const store = new DynamoDBSessionStore({ client, tableName: 'NoSuchSessions' })
    const error = await store.load(generateSessionId()).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SessionStoreError)
    expect((error as SessionStoreError).operation).toBe('GetItem')
    expect((error as Error).message).toBe(
      'DynamoDB GetItem failed: table "NoSuchSessions" does not exist in this account and region (is TABLE_NAME right? template.yaml creates it) (ResourceNotFoundException)',
    )
  })

  it("a table without the users' index is named, with the index", async () => {
    const tableName = await createTable(client, { userIndex: false })
    const store = new DynamoDBSessionStore({ client, tableName, users: userSessions() })
    const error = await store.users.list('ada').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SessionStoreError)
    expect((error as Error).message).toMatch(
      new RegExp(
        `^DynamoDB Query failed: table "${tableName}" has no index "user-sessions": the users' feature lists sessions with it`,
      ),
    )
  })
})

describe('from the SDK error names', () => {
  it.each([
    [
      'no credentials',
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      /^DynamoDB PutItem failed: no valid AWS credentials \(on Lambda the function role gives them; locally, set AWS_PROFILE or AWS_ACCESS_KEY_ID\) \(CredentialsProviderError\)$/,
    ],
    [
      'a bad key',
      sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      /no valid AWS credentials/,
    ],
    [
      'no region',
      sdkError('Error', 'Region is missing'),
      /^DynamoDB PutItem failed: no AWS region is set \(Lambda sets AWS_REGION; locally, set it\) \(Error\)$/,
    ],
    [
      'access denied, naming the action only',
      sdkError(
        'AccessDeniedException',
        'User: arn:aws:sts::123456789012:assumed-role/fn-role/fn is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/Sessions',
      ),
      /^DynamoDB PutItem failed: access to table "Sessions" was denied: the function role needs dynamodb:PutItem on it \(AccessDeniedException\)$/,
    ],
    [
      'throttled',
      sdkError(
        'ProvisionedThroughputExceededException',
        'The level of configured provisioned throughput for the table was exceeded.',
      ),
      /table "Sessions" is throttled/,
    ],
    [
      'throttled (on demand)',
      sdkError('ThrottlingException', 'Rate exceeded'),
      /table "Sessions" is throttled/,
    ],
    [
      'anything else',
      sdkError('InternalServerError', 'Internal server error'),
      /^DynamoDB PutItem on table "Sessions" failed \(InternalServerError\)$/,
    ],
  ])('%s', (_, error, message) => {
    const text = failureMessage('PutItem', error, 'Sessions')
    expect(text).toMatch(message)
    expect(text).not.toContain('arn:')
    expect(text).not.toContain('123456789012')
  })

  it('quotes nothing else of a validation message (it may hold a request value)', () => {
    const text = failureMessage(
      'PutItem',
      sdkError('ValidationException', 'One or more parameter values were invalid: id=SECRETVALUE'),
      'Sessions',
    )
    expect(text).toBe('DynamoDB PutItem on table "Sessions" failed (ValidationException)')
  })
})
