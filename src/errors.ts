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
 * Data or an expiry the session cannot store, refused by the `session` method that was given it: a value
 * that is not JSON-compatible (a function, a symbol, a bigint, `NaN`, a `Date`, a class instance, a
 * cycle, a lone surrogate...), one the codec in use could not read back, a session that would not fit
 * (`SessionTooLargeError`), or a fixed expiry that has already passed.
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
 * Why a {@link SessionConflictError} was thrown:
 * - `key`: another request changed a key this request changed too (or removed one it set);
 * - `expiry`: another request changed the per-session expiry this request changed too;
 * - `ended`: the session was ended (logout, `regenerate()` elsewhere, or expiry) by another request;
 * - `contention`: the session kept changing under concurrent requests until the retries ran out;
 * - `replicated`: on a multi-Region strongly consistent global table, another Region kept writing the
 *   session at the same moment (`ReplicatedWriteConflictException`) until the retries ran out.
 *
 * @example
 * ```ts
 * if (error instanceof SessionConflictError && error.reason === 'ended') return redirectToLogin()
 * ```
 */
export type SessionConflictReason = 'key' | 'expiry' | 'ended' | 'contention' | 'replicated'

const NOT_SAVED = "none of this request's session changes was saved"
const CONFLICT_MESSAGES: Record<SessionConflictReason, string> = {
  key: `Another request changed the same session key at the same time; ${NOT_SAVED}`,
  expiry: `Another request changed the session expiry at the same time; ${NOT_SAVED}`,
  ended: `The session was ended by another request (a logout, a new login or its expiry); ${NOT_SAVED}`,
  contention: `The session kept changing under concurrent requests; ${NOT_SAVED}`,
  replicated: `Another Region kept writing the session at the same moment; ${NOT_SAVED}`,
}

/**
 * The request's changes to the session could not be saved because of another request: see
 * {@link SessionConflictError.reason}. None of them was written: no key, no expiry, no binding to a user,
 * no new id. What the request did at once to *other* sessions stays done: `endUserSession()`,
 * `endAllUserSessions()`, and the room `bindUser()` made at the cap (entries of ended sessions dropped, or
 * the least recently used session ended; a user's empty item created). Carries
 * `statusCode` 409 and `expose: true`, so `@middy/http-error-handler` answers `409 Conflict` with the
 * message; the client may retry.
 *
 * @example
 * ```ts
 * middy().use(dynamoSession()).use(httpErrorHandler()) // a conflict becomes a 409 response
 * ```
 */
export class SessionConflictError extends SessionError {
  /** HTTP status for `@middy/http-error-handler`. */
  readonly statusCode = 409
  /** The message is safe to show to the client. */
  readonly expose = true
  /** What happened. */
  readonly reason: SessionConflictReason

  constructor(reason: SessionConflictReason, options?: { cause?: unknown }) {
    super(CONFLICT_MESSAGES[reason], options)
    this.reason = reason
  }
}

/**
 * The session would exceed DynamoDB's 400 KB item limit (or the room a codec has). A kind of
 * {@link SessionDataError}: `set()` throws it for the value that would not fit, and nothing is stored. It
 * can come at the end of a request only when concurrent requests together grew the session past the
 * limit, or with a custom codec that cannot tell sizes; the stored session is then unchanged.
 *
 * @example
 * ```ts
 * await session.set('blob', 'x'.repeat(500_000)) // throws SessionTooLargeError
 * ```
 */
export class SessionTooLargeError extends SessionDataError {
  /** The estimated item size in bytes. */
  readonly size: number
  /** The limit it exceeded, in bytes. */
  readonly limit: number

  constructor(size: number, limit: number) {
    super(`Session data of about ${size} bytes exceeds the ${limit} bytes a DynamoDB item has room for`)
    this.size = size
    this.limit = limit
  }
}

/**
 * A user call (`listUserSessions()`, `endUserSession()`, `endAllUserSessions()`) on a session bound to no
 * user: the request is not signed in. A kind of {@link SessionDataError}, with `statusCode` 401 and
 * `expose: true`, so `@middy/http-error-handler` answers `401 Unauthorized`.
 *
 * @example
 * ```ts
 * if (error instanceof SessionNotBoundError) return { statusCode: 401, body: 'Sign in first' }
 * ```
 */
export class SessionNotBoundError extends SessionDataError {
  /** HTTP status for `@middy/http-error-handler`. */
  readonly statusCode = 401
  /** The message is safe to show to the client. */
  readonly expose = true

  constructor() {
    super('This session is not bound to a user (sign in first: see bindUser)')
  }
}

/**
 * A login would bind a session to a user who already has `users.maxSessionsPerUser` live sessions, and
 * the store's policy (`users.whenFull: 'refuse'`, the default) is to refuse it. A kind of
 * {@link SessionDataError}: `session.bindUser()` throws it before the handler goes on, so a handler can
 * catch it there; nothing was written. Carries `statusCode` 403 and `expose: true`, so
 * `@middy/http-error-handler` answers `403 Forbidden` with the message.
 *
 * @example
 * ```ts
 * try {
 *   await context.session.bindUser(user.id)
 * } catch (error) {
 *   if (error instanceof TooManySessionsError) return { statusCode: 403, body: 'Sign out another device first' }
 *   throw error
 * }
 * ```
 */
export class TooManySessionsError extends SessionDataError {
  /** HTTP status for `@middy/http-error-handler`. */
  readonly statusCode = 403
  /** The message is safe to show to the client. */
  readonly expose = true
  /** The most sessions one user may have (`users.maxSessionsPerUser`). */
  readonly limit: number

  constructor(limit: number) {
    super(`This user already has ${limit} live sessions (users.maxSessionsPerUser): end some first`)
    this.limit = limit
  }
}

/**
 * The user's sessions stayed busy (being signed out everywhere, by a request that holds a short lease on
 * them, or written by other requests' transactions at every try) for longer than this request could wait.
 * None of this request's session changes was written; trying again
 * after `retryAfter` seconds succeeds. A kind of {@link SessionStoreError}, with `statusCode` 503,
 * `expose: true` and a `Retry-After` header in `headers`, which `@middy/http-error-handler` adds to the
 * response.
 *
 * @example
 * ```ts
 * if (error instanceof SessionBusyError) return { statusCode: 503, headers: error.headers, body: 'Try again' }
 * ```
 */
export class SessionBusyError extends SessionStoreError {
  /** HTTP status for `@middy/http-error-handler`. */
  readonly statusCode = 503
  /** The message is safe to show to the client. */
  readonly expose = true
  /** Seconds after which a retry is expected to succeed. */
  readonly retryAfter: number
  /** Response headers for `@middy/http-error-handler`: `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>

  constructor(operation: string, retryAfter: number, why = 'are being signed out everywhere') {
    const seconds = Math.max(1, Math.ceil(retryAfter))
    super(operation, `The user's sessions ${why}; try again in ${seconds} s`)
    this.retryAfter = seconds
    this.headers = Object.freeze({ 'Retry-After': String(seconds) })
  }
}

/**
 * The route needs the user to have authenticated recently (OWASP ASVS 7.5.1, 7.5.3: before a password
 * change, a payment, a new device), and this session's last authentication is older than `maxAge`
 * seconds, or unknown. `session.requireRecentAuthentication(maxAge)` throws it. Carries `statusCode` 401
 * and `expose: true`, so `@middy/http-error-handler` answers `401 Unauthorized`: ask for the password
 * again, then call `session.recordAuthentication()`.
 *
 * @example
 * ```ts
 * await context.session.requireRecentAuthentication(300) // throws ReauthenticationRequiredError after 5 minutes
 * ```
 */
export class ReauthenticationRequiredError extends SessionError {
  /** HTTP status for `@middy/http-error-handler`. */
  readonly statusCode = 401
  /** The message is safe to show to the client. */
  readonly expose = true
  /** How recent an authentication the route asked for, in seconds. */
  readonly maxAge: number

  constructor(maxAge: number) {
    super(`This needs an authentication within the last ${maxAge} seconds: sign in again`)
    this.maxAge = maxAge
  }
}
