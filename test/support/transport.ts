/**
 * The transport the code under test sends with: the AWS SDK (the default), or, with
 * `SESSION_TRANSPORT=lite` (the `lite` project of vitest.config.ts), the `lite` subpath's HTTP
 * transport. The suites that go through the fault proxy build their stores and middleware here, so each
 * runs on both; seeding and checking stay on raw SDK clients.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { MiddlewareObj } from '@middy/core'
import { describe } from 'vitest'
import {
  DynamoDBSessionStore,
  type DynamoDBSessionStoreOptions,
  type DynamoSessionOptions,
  dynamoSession,
  type SessionContext,
  type SessionData,
} from '../../src/index.ts'
import {
  type LiteSessionOptions,
  LiteSessionStore,
  dynamoSession as liteDynamoSession,
} from '../../src/lite/index.ts'
import { localCredentials } from './dynamo.ts'

/** Whether `store` (a `store` option) is a ready store rather than the options of one. */
export const isStore = (store: unknown): store is object =>
  typeof (store as { load?: unknown } | undefined)?.load === 'function'

/** Which transport this run tests. */
export const TRANSPORT: 'sdk' | 'lite' = process.env.SESSION_TRANSPORT === 'lite' ? 'lite' : 'sdk'

/**
 * `describe` for the runs over `transport` only; on the other, the block is not registered at all (not
 * skipped): for what only one transport has, as the SDK's mocks.
 */
export function describeFor(transport: 'sdk' | 'lite'): (name: string, body: () => void) => void {
  return (name, body) => {
    if (TRANSPORT === transport) describe(name, body)
  }
}

/** Where a store under test sends: the SDK `client`, or for the lite transport `endpoint` (the same place). */
export interface Wire {
  readonly client: DynamoDBClient
  readonly endpoint: string
  /** Attempts per call, retries included (the SDK's `maxAttempts`). Default 3. */
  readonly maxAttempts?: number | undefined
}

/** The lite transport's options that send where `wire`'s client sends. */
function liteOptions(wire: Wire) {
  return {
    endpoint: wire.endpoint,
    region: 'us-east-1',
    credentials: localCredentials,
    maxAttempts: wire.maxAttempts ?? 3,
  }
}

/** A DynamoDB store on `wire`, over this run's transport. */
export function storeOn(
  wire: Wire,
  options: Omit<DynamoDBSessionStoreOptions, 'client'> = {},
): DynamoDBSessionStore | LiteSessionStore {
  if (TRANSPORT === 'sdk') return new DynamoDBSessionStore({ ...options, client: wire.client })
  return new LiteSessionStore({ ...options, ...liteOptions(wire) })
}

/** `dynamoSession()` on `wire`, over this run's transport (a store given as an object is used as it is). */
export function sessionOn<T extends object = SessionData>(
  wire: Wire,
  options: Omit<DynamoSessionOptions, 'client'> = {},
): MiddlewareObj<unknown, unknown, Error, SessionContext<T>> {
  if (TRANSPORT === 'sdk') return dynamoSession<T>({ ...options, client: wire.client })
  const { store } = options
  const liteStore = isStore(store) ? store : { ...(store as object | undefined), ...liteOptions(wire) }
  return liteDynamoSession<T>({ ...options, store: liteStore } as LiteSessionOptions)
}
