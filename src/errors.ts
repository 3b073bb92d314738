/**
 * Typed errors. Every error this package throws is a {@link SessionError}; `instanceof` works on each
 * class, and the underlying failure (an AWS SDK error, say) is kept as `cause`. Messages never contain a
 * session id or session data.
 *
 * @module
 */

/**
 * Identifies errors from this package, as Middy's own packages do with `cause.package`.
 *
 * @example
 * ```ts
 * if (error instanceof SessionError && error.package === PACKAGE_NAME) console.warn(error.message)
 * ```
 */
export const PACKAGE_NAME = 'middy-dynamodb-session'

/**
 * Base class of every error this package throws.
 *
 * @example
 * ```ts
 * try {
 *   await context.session.set('cart', cart)
 * } catch (error) {
 *   if (error instanceof SessionError) console.warn(error.name, error.message)
 * }
 * ```
 */
export class SessionError extends Error {
  /** The package that threw: always `'middy-dynamodb-session'`. */
  readonly package = PACKAGE_NAME

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/**
 * Options or store props that cannot work: an empty attribute name, the partition and sort key sharing a
 * name, a non-positive duration... Thrown when the middleware or store is constructed, never per request.
 *
 * @example
 * ```ts
 * new DynamoDBSessionStore({ partitionKey: { name: '' } }) // throws SessionConfigError
 * ```
 */
export class SessionConfigError extends SessionError {}

/**
 * A value given to `session.set()` that cannot be stored as JSON-compatible data (a function, a symbol, a
 * bigint, `NaN`, a `Date`, a class instance, a cycle...).
 *
 * @example
 * ```ts
 * await session.set('when', new Date()) // throws SessionDataError: store date.toISOString() instead
 * ```
 */
export class SessionDataError extends SessionError {}

/**
 * DynamoDB could not be reached or refused the request (after the SDK's own retries). The request fails
 * and nothing already stored is damaged; `cause` holds the SDK error.
 *
 * @example
 * ```ts
 * if (error instanceof SessionStoreError) logger.error('session store unavailable', { cause: error.cause })
 * ```
 */
export class SessionStoreError extends SessionError {
  /** The DynamoDB operation that failed, e.g. `'GetItem'`. */
  readonly operation: string

  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.operation = operation
  }
}

/**
 * Another request changed the same session key at the same time, or the session was destroyed or
 * regenerated while this request was using it. Nothing was written. Carries `statusCode` 409 and
 * `expose: true`, so `@middy/http-error-handler` answers `409 Conflict`; the client may retry.
 *
 * @example
 * ```ts
 * middy().use(httpErrorHandler()).use(dynamoSession()) // a conflict becomes a 409 response
 * ```
 */
export class SessionConflictError extends SessionError {
  /** HTTP status for `@middy/http-error-handler`. */
  readonly statusCode = 409
  /** The message is safe to show to the client. */
  readonly expose = true
}

/**
 * The session item would exceed DynamoDB's 400 KB item limit. It was refused before it was sent; the stored
 * session is unchanged.
 *
 * @example
 * ```ts
 * await session.set('blob', 'x'.repeat(500_000)) // the after hook throws SessionTooLargeError
 * ```
 */
export class SessionTooLargeError extends SessionError {
  /** The estimated item size in bytes. */
  readonly size: number
  /** The limit it exceeded, in bytes. */
  readonly limit: number

  constructor(size: number, limit: number) {
    super(`Session item of about ${size} bytes exceeds the DynamoDB item limit of ${limit} bytes`)
    this.size = size
    this.limit = limit
  }
}
