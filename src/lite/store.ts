/**
 * The DynamoDB store of the `lite` subpath: the same engine and table as `DynamoDBSessionStore`, sending
 * through a {@link HttpTransport} (or any {@link DynamoDBTransport}) instead of the AWS SDK.
 *
 * @module
 */
import { checkOptions, integerFrom, type OptionRule, type OptionTable } from '../config.ts'
import { DynamoDBStoreBase } from '../dynamodb/base-store.ts'
import { BASE_RULES, type DynamoDBBaseOptions, STORE_HINTS } from '../dynamodb/options.ts'
import type { DynamoDBTransport } from '../dynamodb/transport.ts'
import { SessionConfigError } from '../errors.ts'
import { HttpTransport, type HttpTransportOptions } from './http-transport.ts'

/**
 * Options of {@link LiteSessionStore}: those of every DynamoDB store, and where and how to send
 * ({@link HttpTransportOptions}), or a transport of your own.
 *
 * @example
 * ```ts
 * const options: LiteSessionStoreOptions = { tableName: 'Sessions', region: 'eu-west-1' }
 * ```
 */
export interface LiteSessionStoreOptions extends DynamoDBBaseOptions, HttpTransportOptions {
  /** Sends the requests. Default: a {@link HttpTransport} with this store's transport options. */
  transport?: DynamoDBTransport | undefined
}

function transportRule(value: unknown, path: string): void {
  if (typeof (value as { send?: unknown } | null)?.send !== 'function') {
    throw new SessionConfigError(
      `${path} must be a transport: an object with a send(operation, input, signal) method`,
    )
  }
}

/** What each option of {@link LiteSessionStoreOptions} accepts. */
export const LITE_STORE_RULES: Readonly<Record<keyof LiteSessionStoreOptions, OptionRule>> = {
  ...BASE_RULES,
  region: 'string',
  endpoint: 'string',
  credentials: (value, path) => {
    if (typeof value === 'function') return
    const given = value as { accessKeyId?: unknown; secretAccessKey?: unknown } | null
    if (typeof given?.accessKeyId !== 'string' || typeof given.secretAccessKey !== 'string') {
      throw new SessionConfigError(
        `${path} must be { accessKeyId, secretAccessKey, sessionToken? } or a function`,
      )
    }
  },
  maxAttempts: integerFrom(1),
  transport: transportRule,
}

const LITE_STORE_OPTIONS: OptionTable = {
  rules: LITE_STORE_RULES,
  hints: {
    ...STORE_HINTS,
    client: 'the lite store sends without the AWS SDK: give region, endpoint or credentials instead',
  },
}

/**
 * Throws {@link SessionConfigError} unless `options` are options of {@link LiteSessionStore}.
 *
 * @example
 * ```ts
 * checkLiteStoreOptions({ client }) // throws: the lite store sends without the AWS SDK...
 * ```
 */
export function checkLiteStoreOptions(options: unknown, path = ''): void {
  checkOptions(options, LITE_STORE_OPTIONS, path)
}

/**
 * Sessions in a DynamoDB table, without the AWS SDK: what `DynamoDBSessionStore` does (the same engine,
 * items, conditions and promises), sent over `node:https`. Its cold start is the point: importing it takes a
 * few milliseconds, the SDK's DynamoDB client about a hundred.
 *
 * @example
 * ```ts
 * import { LiteSessionStore } from 'middy-dynamodb-session/lite'
 *
 * const store = new LiteSessionStore({ tableName: 'Sessions' }) // Region and credentials from Lambda's environment
 * const loaded = await store.load(id)
 * ```
 */
export class LiteSessionStore extends DynamoDBStoreBase {
  constructor(options: LiteSessionStoreOptions = {}) {
    checkLiteStoreOptions(options)
    const transport = options.transport ?? new HttpTransport(options)
    super(options, () => transport)
  }
}
