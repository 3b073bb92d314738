/**
 * What a failed DynamoDB call means, in words a developer can act on: the table, and the reason (the table
 * or its index missing, no credentials or region, access denied, throttled). Built from the SDK error's
 * name and from what its message names (an index, an action), never from the rest of its text, which can
 * quote a request's values.
 *
 * @module
 */

/**
 * Whether `error` is DynamoDB's refusal of a write that another Region made to the same item at the same
 * moment (`ReplicatedWriteConflictException`, multi-Region strongly consistent global tables): nothing was
 * written, and the same write may be sent again.
 */
export function isReplicatedConflict(error: unknown): boolean {
  return errorName(error) === 'ReplicatedWriteConflictException'
}

/** The error's name, or its type when it is not an `Error`. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error
}

/**
 * The reason a call to `tableName` failed with `error`, as a clause (`table "Sessions" does not exist...`),
 * or `undefined` for an error without a known meaning.
 *
 * @example
 * ```ts
 * failureReason(error, 'Sessions') // 'table "Sessions" does not exist in this account and region (TABLE_NAME?)'
 * ```
 */
export function failureReason(error: unknown, tableName: string): string | undefined {
  const name = errorName(error)
  const message = error instanceof Error ? error.message : ''
  const table = `table "${tableName}"`
  if (name === 'ResourceNotFoundException') {
    return `${table} does not exist in this account and region (is TABLE_NAME right? template.yaml creates it)`
  }
  if (name === 'ValidationException' && /specified index/i.test(message)) {
    const index = /index:?\s*([\w.-]+)/i.exec(message)?.[1]
    return `${table} has no index${index ? ` "${index}"` : ''}: the users' feature lists sessions with it (see template.yaml)`
  }
  if (/Region is missing/i.test(message))
    return 'no AWS region is set (Lambda sets AWS_REGION; locally, set it)'
  if (
    name === 'CredentialsProviderError' ||
    name === 'UnrecognizedClientException' ||
    name === 'InvalidSignatureException'
  ) {
    return 'no valid AWS credentials (on Lambda the function role gives them; locally, set AWS_PROFILE or AWS_ACCESS_KEY_ID)'
  }
  if (name === 'AccessDeniedException') {
    const action = /dynamodb:\w+/.exec(message)?.[0]
    return `access to ${table} was denied: the function role needs ${action ?? 'the dynamodb action'} on it`
  }
  if (/Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(name)) {
    return `${table} is throttled: its capacity ran out and the SDK's retries with it`
  }
  return undefined
}

/**
 * The message of a {@link SessionStoreError} for `operation` on `tableName` that failed with `error`.
 *
 * @example
 * ```ts
 * failureMessage('GetItem', error, 'Sessions') // 'DynamoDB GetItem failed: table "Sessions" does not exist ... (ResourceNotFoundException)'
 * ```
 */
export function failureMessage(operation: string, error: unknown, tableName: string): string {
  const reason = failureReason(error, tableName)
  const name = errorName(error)
  return reason
    ? `DynamoDB ${operation} failed: ${reason} (${name})`
    : `DynamoDB ${operation} on table "${tableName}" failed (${name})`
}
