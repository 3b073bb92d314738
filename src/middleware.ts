/**
 * The Middy middleware that wires the request's cookie, the handler's {@link Session} and the store
 * together, over whichever store the entry point makes (`dynamoSession()`: ./dynamo-session.ts).
 *
 * @module
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { MiddlewareObj, Request } from '@middy/core'
import type { Context } from 'aws-lambda'
import { type AuditOptions, assertAuditOptions, auditKey, auditSink } from './audit.ts'
import { checkOptions, integerFrom, type OptionRule, type OptionTable } from './config.ts'
import {
  COOKIE_OPTIONS,
  clearingSetCookie,
  type ResolvedCookieOptions,
  resolveCookieOptions,
  type SessionCookieOptions,
  sessionSetCookie,
} from './cookie.ts'
import type { SessionData } from './data.ts'
import { type DynamoDBSessionStoreOptions, STORE_RULES } from './dynamodb/options.ts'
import { PACKAGE_NAME, SessionConfigError } from './errors.ts'
import {
  assertExpiry,
  assertLifetime,
  DEFAULT_EXPIRY,
  defaultTouchAfter,
  expireAtFor,
  type SessionExpiry,
} from './expiry.ts'
import {
  addSetCookies,
  assertCrossSiteOptions,
  type CrossSiteOptions,
  crossSiteRefusal,
  DEFAULT_TOKEN_HEADER,
  isHttpEvent,
  keepOutOfSharedCaches,
  readRequestCookies,
  refusedResponse,
  tokenToCheck,
} from './http/index.ts'
import { DEFAULT_ID_SCHEME, type SessionIdScheme } from './id.ts'
import { type SessionLogger, silentLogger } from './logger.ts'
import { type RenewalOptions, resolveRenewal } from './renewal.ts'
import { type FlushOutcome, flushSession, Session } from './session.ts'
import { assertSecrets, signSessionId, unsignSessionId } from './signing.ts'
import type { SessionStore } from './store/types.ts'

/**
 * Options of {@link dynamoSession}. All optional.
 *
 * @example
 * ```ts
 * const options: DynamoSessionOptions = {
 *   store: { tableName: process.env.TABLE_NAME },
 *   cookie: { sameSite: 'strict' },
 *   expiry: Expiry.onInactivity(8 * 3600),
 *   logger: console,
 * }
 * ```
 */
export interface DynamoSessionOptions {
  /**
   * The DynamoDB table layout and read options ({@link DynamoDBSessionStoreOptions}), or a ready
   * {@link SessionStore} of your own. Default: `new DynamoDBSessionStore()` with the Rust crate's defaults.
   */
  store?: DynamoDBSessionStoreOptions | SessionStore | undefined
  /** Your own DynamoDB client (ignored when `store` is a store object). Default: a shared client made on first use. */
  client?: DynamoDBClient | undefined
  /** Cookie attributes. Defaults: `id`, `Path=/`, `HttpOnly`, `Secure`, `SameSite=Lax`. */
  cookie?: SessionCookieOptions | undefined
  /** The default expiry policy. Default `Expiry.onInactivity(14 days)`. */
  expiry?: SessionExpiry | undefined
  /**
   * A request that only reads a rolling session pushes its expiry forward (one small UpdateItem, and a
   * refreshed cookie) only when at least this many seconds have passed since the expiry was last set.
   * Default: a tenth of the inactivity window, at most 3600 (one hour for the two-week default). `0`
   * touches on every read.
   */
  touchAfter?: number | undefined
  /**
   * An absolute lifetime, in seconds: a session ends this long after it was created, however active it
   * is (OWASP ASVS 7.3.2); its expiry, rolling or not, never passes that deadline, and a touch never
   * moves it past. `regenerate()` (a login) starts a new lifetime. At most 400 days. Default: none.
   */
  maxLifetime?: number | undefined
  /**
   * Renew the session id every `every` seconds of a session's use (OWASP's renewal timeout): the first
   * request that finds its id that old moves the session to a new id (one transaction instead of its
   * save or touch) and sends the new cookie; the session keeps its data, lifetime and user. Requests that
   * still carry the old cookie reach the renewed session for `grace` seconds (default 30) and are sent the
   * new cookie; after that the old id names nothing. A logout with the old cookie ends the renewed session
   * too. See {@link RenewalOptions}. Default: off.
   */
  renewal?: RenewalOptions | undefined
  /**
   * Refuse cross-site requests that could change state (CSRF): a `POST`, `PUT`, `PATCH` or `DELETE` whose
   * `Sec-Fetch-Site` is `cross-site` or `same-site`, or, from a browser too old to send it, whose `Origin`
   * is not this host, is answered `403` before the handler runs (and logged). Requests without either
   * header (non-browser clients) pass, unless `requireToken` asks them for a valid CSRF token
   * (`session.csrfToken()`) in the `x-csrf-token` header. `trustedOrigins` lets chosen sites through;
   * `false` switches the check off. Default: on, no trusted origins, no token required.
   */
  crossSite?: CrossSiteOptions | false | undefined
  /**
   * Audit events (created, loaded, unknown id presented, saved, conflict, regenerated, destroyed, bound,
   * ended...): `onEvent` is called once per event with a keyed hash of the session id, never the id. See
   * {@link SessionEvent}. Default: none, and nothing is computed.
   */
  audit?: AuditOptions | undefined
  /**
   * `set()` on a stored session the request has not read does not read it: at the end of the request
   * the keys are written in one conditional `UpdateItem` (half the calls of a read and a write), **last
   * writer wins** on them: a concurrent change of the same key is overwritten, not answered `409` (a key
   * the request read keeps that promise, and so does every request that reads first). One call for values
   * up to 4 KB with the native map codec, unless the session has a per-session expiry, is near its
   * absolute deadline, is due for renewal, or holds 5 write tokens (each blind write adds one; a write
   * that reads keeps at most the newest 3 of the last minute): then the refused update returns the item, which is saved
   * as usual, still last writer wins. Larger values and other codecs read first. Default `false`.
   */
  blindWrites?: boolean | undefined
  /** Persist session changes even when the handler throws. Default `false`: an error saves nothing. */
  saveOnError?: boolean | undefined
  /** Where warnings go (corrupted items, cookie clashes, id collisions). Never given ids or data. Default: silent. */
  logger?: SessionLogger | undefined
  /** The clock, in epoch milliseconds. Default `Date.now`; tests move it. */
  now?: (() => number) | undefined
  /**
   * Sign the cookie: its value becomes `<id>.<HMAC-SHA256>`. The first secret signs, every one verifies,
   * so prepend a new secret to rotate and drop the old one once its sessions have expired. Each secret
   * needs at least 32 characters. Default: unsigned (the id alone carries 192 random bits).
   */
  secrets?: readonly string[] | undefined
  /**
   * When DynamoDB cannot be read (after the SDK's retries), run the handler instead of failing the
   * request with {@link SessionStoreError}: its reads see an empty session (`session.unavailable` is
   * `true`), every change (`set`, `delete`, `clear`, `setExpiry`, `regenerate`) throws that
   * `SessionStoreError`, and `destroy()` still deletes the session. Writes that fail still fail the
   * request: nothing is ever answered as saved that was not. Default `false`.
   */
  failOpen?: boolean | undefined
  /**
   * How many times a write is retried on top of concurrent changes before the request fails with a
   * `contention` {@link SessionConflictError}; see {@link DynamoDBSessionStoreOptions.maxConflictRetries}.
   * Only with `store` as options (a ready store object has its own). Default 10.
   */
  maxConflictRetries?: number | undefined
}

/**
 * The Lambda context with the session attached, as the handler sees it after `.use(dynamoSession<T>())`.
 *
 * @example
 * ```ts
 * const handler = async (event: unknown, context: SessionContext<{ count: number }>) =>
 *   context.session.get('count')
 * ```
 */
export type SessionContext<T extends object = SessionData> = Context & { session: Session<T> }

function nonNegativeSeconds(value: unknown, path: string): void {
  if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
    throw new SessionConfigError(`${path} must be a number of seconds, 0 or more`)
  }
}

function secretList(value: unknown, path: string): void {
  if (typeof value === 'string') {
    throw new SessionConfigError(`${path} must be an array of strings: wrap one secret in [ ]`)
  }
  if (!Array.isArray(value)) throw new SessionConfigError(`${path} must be an array of strings`)
}

/** Where each store option belongs when given at the top level by mistake. */
const UNDER_STORE = Object.fromEntries(
  Object.keys(STORE_RULES)
    .filter((key) => key !== 'client' && key !== 'logger' && key !== 'now' && key !== 'maxConflictRetries')
    .map((key) => [key, `${key} belongs under store: { store: { ${key} } }`]),
)
/** Where each cookie option belongs when given at the top level by mistake. */
const UNDER_COOKIE = Object.fromEntries(
  Object.keys(COOKIE_OPTIONS.rules).map((key) => [
    key,
    `${key} belongs under cookie: { cookie: { ${key} } }`,
  ]),
)
const LIFETIME = "a session's lifetime is expiry: Expiry.onInactivity(seconds)"

/** The options of {@link dynamoSession}, and hints for the keys people give by mistake. */
const MIDDLEWARE_OPTIONS: OptionTable = {
  rules: {
    store: 'object',
    client: 'object',
    cookie: 'object',
    expiry: (value, path) => assertExpiry(value, path),
    touchAfter: nonNegativeSeconds,
    maxLifetime: assertLifetime,
    renewal: (value, path) => resolveRenewal(value, path),
    crossSite: assertCrossSiteOptions,
    audit: assertAuditOptions,
    saveOnError: 'boolean',
    blindWrites: 'boolean',
    logger: 'logger',
    now: 'function',
    secrets: secretList,
    failOpen: 'boolean',
    maxConflictRetries: integerFrom(0),
  } satisfies Record<keyof DynamoSessionOptions, OptionRule>,
  hints: {
    ...UNDER_STORE,
    ...UNDER_COOKIE,
    secret: 'did you mean secrets? (an array: the first secret signs, every one verifies)',
    keys: 'did you mean secrets? (an array: the first secret signs, every one verifies)',
    maxAge: `did you mean expiry? ${LIFETIME}`,
    ttl: `did you mean expiry? ${LIFETIME}`,
    expires: `did you mean expiry? ${LIFETIME}, or Expiry.atDateTime(date)`,
    rolling: 'expiry: Expiry.onInactivity(seconds) rolls; Expiry.atDateTime(date) does not',
    genid: 'ids are made by the store: store: { generateId }',
    resave: 'only what changed is saved, and only when it changed',
    saveUninitialized: 'a session is stored only once something is set in it',
  },
}

const STORE_METHODS = ['load', 'create', 'save', 'regenerate', 'touch', 'destroy'] as const

function isSessionStore(value: unknown): value is SessionStore {
  return STORE_METHODS.every(
    (method) => typeof (value as Partial<SessionStore> | undefined)?.[method] === 'function',
  )
}

/**
 * The id in the first of the session cookie's `values` that is one we issued (the right shape and, with
 * secrets, a valid signature); the rest (garbage, forgeries, stale duplicates) is ignored. No I/O.
 */
function sessionIdFrom(
  values: readonly string[],
  secrets: readonly string[] | undefined,
  ids: SessionIdScheme,
) {
  for (const value of values) {
    const id = secrets ? unsignSessionId(value, secrets, ids) : ids.isId(value) ? value : undefined
    if (id !== undefined) return id
  }
  return undefined
}

function setCookieFor(
  outcome: FlushOutcome,
  cookie: ResolvedCookieOptions,
  secrets: readonly string[] | undefined,
  nowSeconds: number,
): string | undefined {
  if (outcome.cookie === 'clear') return clearingSetCookie(cookie)
  if (outcome.cookie === 'none') return undefined
  const value = secrets?.[0] === undefined ? outcome.id : signSessionId(outcome.id, secrets[0])
  return sessionSetCookie(cookie, value, outcome.persistent ? outcome.expiresAt : undefined, nowSeconds)
}

/** Time kept back from the invocation's remaining time for the after hook to answer. */
const DEADLINE_MARGIN_MS = 500

/** When the request must be done, on the real clock: Lambda's remaining time less a margin, if known. */
/** The front door's request id (`requestContext.requestId`), if the event has one. */
function requestIdOf(event: unknown): string | undefined {
  try {
    const context = (event as { requestContext?: { requestId?: unknown } } | null)?.requestContext
    return typeof context?.requestId === 'string' ? context.requestId : undefined
  } catch {
    return undefined // a hostile event object: the event goes without it
  }
}

function deadlineOf(context: { getRemainingTimeInMillis?: unknown }): number | undefined {
  const remaining =
    typeof context.getRemainingTimeInMillis === 'function'
      ? Number(context.getRemainingTimeInMillis())
      : Number.NaN
  return Number.isFinite(remaining) ? Date.now() + remaining - DEADLINE_MARGIN_MS : undefined
}

/**
 * How {@link sessionMiddleware} makes the store its `store` option describes: checks the options, then
 * builds the store (the AWS SDK's for `dynamoSession()`, `node:https` for the `lite` subpath's).
 *
 * @example
 * ```ts
 * const stores: StoreMaker = { check: checkStoreOptions, make: (options) => new DynamoDBSessionStore(options) }
 * ```
 */
export interface StoreMaker {
  check(options: unknown, path: string): void
  make(options: StoreMakerOptions): SessionStore
}

/** What {@link StoreMaker.make} is given: the `store` options, with the middleware's logger and clock. */
export type StoreMakerOptions = DynamoDBSessionStoreOptions & {
  logger: SessionLogger
  now: () => number
}

/**
 * The session middleware over the store `stores` makes: what `dynamoSession()` is, with the AWS SDK's
 * store. See `dynamoSession` for what it does.
 *
 * @example
 * ```ts
 * const middleware = sessionMiddleware<{ n: number }>({ store: { tableName: 'Sessions' } }, stores)
 * ```
 */
export function sessionMiddleware<T extends object = SessionData>(
  options: DynamoSessionOptions,
  stores: StoreMaker,
): MiddlewareObj<unknown, unknown, Error, SessionContext<T>> {
  checkOptions(options, MIDDLEWARE_OPTIONS, '')
  checkOptions(options.cookie, COOKIE_OPTIONS, 'cookie.')
  if ('secrets' in options && options.secrets === undefined) {
    // `secrets: process.env.SECRETS?.split(',')` with the variable unset: never fall back to unsigned.
    throw new SessionConfigError(
      'secrets is undefined (is its environment variable set?); leave the key out for unsigned cookies',
    )
  }
  if (!isSessionStore(options.store)) stores.check(options.store, 'store.')
  const logger = options.logger ?? silentLogger
  const now = options.now ?? Date.now
  const cookie = resolveCookieOptions(options.cookie)
  const expiry = options.expiry ?? DEFAULT_EXPIRY
  const touchAfter = options.touchAfter === undefined ? defaultTouchAfter(expiry) : options.touchAfter
  if (!(touchAfter >= 0 && Number.isFinite(touchAfter))) {
    throw new SessionConfigError('touchAfter must be a number of seconds, 0 or more')
  }
  const nowSeconds = Math.floor(now() / 1000)
  if (expireAtFor(expiry, nowSeconds) <= nowSeconds) {
    throw new SessionConfigError('The default expiry is a fixed date that has already passed')
  }
  const { maxConflictRetries } = options
  const secrets = options.secrets === undefined ? undefined : [...options.secrets]
  if (secrets) assertSecrets(secrets)
  let store: SessionStore
  if (isSessionStore(options.store)) {
    if (maxConflictRetries !== undefined) {
      throw new SessionConfigError(
        'maxConflictRetries applies to the store built from options: set it on your store',
      )
    }
    store = options.store
  } else {
    const retries = maxConflictRetries === undefined ? {} : { maxConflictRetries }
    store = stores.make({ client: options.client, logger, now, ...retries, ...options.store })
  }
  const ids = store.ids ?? DEFAULT_ID_SCHEME
  const crossSite = options.crossSite === false ? undefined : (options.crossSite ?? {})
  const trustedOrigins = crossSite && new Set(crossSite.trustedOrigins ?? [])
  const tokenHeader = crossSite?.requireToken ? (crossSite.tokenHeader ?? DEFAULT_TOKEN_HEADER) : undefined
  const renewal = options.renewal && resolveRenewal(options.renewal, 'renewal')
  const auditing = options.audit && { options: options.audit, key: auditKey(options.audit, secrets) }
  const sessions = new WeakMap<object, Session<T>>()

  const finish = async (request: Request<unknown, unknown, Error, SessionContext<T>>) => {
    const session = sessions.get(request)
    if (!session) return
    const nowSeconds = Math.floor(now() / 1000)
    const setCookie = setCookieFor(await session[flushSession](nowSeconds), cookie, secrets, nowSeconds)
    // A detached session (no HTTP front door) never yields a cookie: the result stays as it is.
    if (!setCookie) return
    // The cookie is this browser's alone: no shared cache (a CDN, a proxy) may keep the response.
    const response = addSetCookies(request.event, request.response, [setCookie], logger)
    request.response = keepOutOfSharedCaches(request.event, response)
  }

  return {
    name: 'dynamoSession',
    before(request) {
      // No HTTP request, no cookie: an SQS batch, a schedule, a direct invoke.
      const detached = !isHttpEvent(request.event)
      const refusal =
        detached || !trustedOrigins ? undefined : crossSiteRefusal(request.event, trustedOrigins)
      const audit = auditing && auditSink(auditing.options, auditing.key, requestIdOf(request.event), logger)
      const refuse = (reason: string) => {
        audit?.('cross-site-refused', { reason })
        logger.warn(`${PACKAGE_NAME}: refused a cross-site request that could change state`, { reason })
        return refusedResponse()
      }
      if (refusal) return refuse(refusal)
      const presented = detached ? [] : readRequestCookies(request.event, cookie.name)
      const id = sessionIdFrom(presented, secrets, ids)
      // A session cookie that holds no id this server could have issued (malformed, or a bad signature):
      // forged or garbled, never looked up.
      if (id === undefined && presented.length > 0) audit?.('unknown-id', { reason: 'malformed' })
      const observe = auditing && audit && auditing.options.observe
      const session = new Session<T>({
        deadline: deadlineOf(request.context),
        store: observe ? observe(store, (call) => audit('store-call', call)) : store,
        id,
        expiry,
        touchAfter,
        maxLifetime: options.maxLifetime,
        renewal,
        blindWrites: options.blindWrites,
        now,
        failOpen: options.failOpen,
        detached,
        logger,
        audit,
      })
      const attach = () => {
        sessions.set(request, session)
        request.context.session = session
      }
      // A client that says nothing of where it comes from, asked for the session's CSRF token.
      const token =
        tokenHeader === undefined || detached ? undefined : tokenToCheck(request.event, tokenHeader)
      if (token === undefined) return attach()
      if (token === null) return refuse('no CSRF token') // refused without reading the session
      return session
        .verifyCsrfToken(token)
        .then((valid) => (valid ? attach() : refuse('no valid CSRF token')))
    },
    after: (request) => finish(request),
    async onError(request) {
      if (!options.saveOnError) return
      try {
        await finish(request)
      } catch (error) {
        // The handler's error matters more; a failed save must not replace it.
        logger.error(`${PACKAGE_NAME}: could not save the session after an error`, {
          error: error instanceof Error ? error.name : typeof error,
        })
      }
    },
  }
}

/**
 * A handler written apart from `middy()` whose context carries the session: what `.handler()` receives
 * after `.use(dynamoSession<T>())`. Name it in a signature instead of spelling out `SessionContext<T>`.
 *
 * @typeParam T - the shape of the session data, as given to {@link dynamoSession}.
 * @typeParam TEvent - the event the handler receives.
 * @typeParam TResult - what the handler resolves to.
 *
 * @example
 * ```ts
 * import middy from '@middy/core'
 * import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
 * import { dynamoSession, type SessionHandler } from 'middy-dynamodb-session'
 *
 * type Data = { count: number }
 * const count: SessionHandler<Data, APIGatewayProxyEventV2, APIGatewayProxyResultV2> = async (event, context) => {
 *   const count = ((await context.session.get('count')) ?? 0) + 1
 *   await context.session.set('count', count)
 *   return { statusCode: 200, body: JSON.stringify({ count }) }
 * }
 * export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
 *   .use(dynamoSession<Data>())
 *   .handler(count)
 * ```
 */
export type SessionHandler<T extends object = SessionData, TEvent = unknown, TResult = unknown> = (
  event: TEvent,
  context: SessionContext<T>,
) => Promise<TResult>

/**
 * Turns a {@link SessionHandler} into a plain Lambda handler, as `@middy/http-router` types a route's
 * handler, without a cast: at run time it checks that `dynamoSession()` ran before it (otherwise it throws
 * {@link SessionConfigError} rather than failing later on a missing `context.session`).
 *
 * @example
 * ```ts
 * const routes: Route<APIGatewayProxyEventV2, APIGatewayProxyResultV2>[] = [
 *   { method: 'GET', path: '/count', handler: sessionRoute(count) },
 * ]
 * export const handler = middy().use(dynamoSession<Data>()).handler(httpRouterHandler(routes))
 * ```
 */
export function sessionRoute<T extends object = SessionData, TEvent = unknown, TResult = unknown>(
  handler: SessionHandler<T, TEvent, TResult>,
): (event: TEvent, context: Context) => Promise<TResult> {
  return (event, context) => {
    if (!(context as Partial<SessionContext<T>>).session) {
      throw new SessionConfigError('This handler needs dynamoSession() earlier in its middy() chain')
    }
    return handler(event, context as SessionContext<T>)
  }
}
