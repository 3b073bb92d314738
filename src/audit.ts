/**
 * Audit events: one typed stream of what happens to sessions (the OWASP Session Management Cheat Sheet's
 * logging; ASVS 7.2), for a SIEM, logs or metrics. A session is named by a keyed hash of its id, never the
 * id itself: the same id gives the same hash under one key, and the id cannot be recovered from it. With no
 * `audit` option nothing is computed.
 *
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto'
import { checkOptions, type OptionRule, type OptionTable } from './config.ts'
import { PACKAGE_NAME, SessionConfigError } from './errors.ts'
import type { SessionLogger } from './logger.ts'
import { MIN_SECRET_LENGTH } from './signing.ts'
import type { StoreCall, StoreObserver } from './store/calls.ts'

/**
 * What happened:
 * - `created`: a new session was stored; `loaded`: a request read its stored session;
 * - `unknown-id`: the cookie named no session (forged, or ended or expired long ago: a signal to watch), or
 *   held no id this server could have issued (`reason: 'malformed'`: garbled, or a bad signature);
 * - `expired`: the cookie named a session past its absolute lifetime;
 * - `saved`: a request's changes were written; `touched`: a read-only request moved a rolling expiry;
 * - `conflict`: a request's changes were refused (`reason`: `key`, `expiry`, `ended`, `contention`,
 *   `replicated`);
 * - `regenerated`: the session moved to a new id (a login; `idHash` is the new id's);
 * - `renewed`: the session moved to a new id because its id was old enough (the `renewal` option; `idHash`
 *   is the new id's, and it keeps its lifetime);
 * - `destroyed`: a logout, or a change that left the session empty;
 * - `bound`: a session was bound to a user (`userId`); `ended`: `count` sessions of `userId` were ended
 *   (sign out one device, or everywhere);
 * - `cross-site-refused`: a cross-site request that could change state was answered 403 (`reason`);
 * - `store-call`: the store made one DynamoDB call (`operation`, `ms`, `attempts`, `capacity`, and
 *   `reason`: `condition` when its condition refused it, else the error's name when it failed). Only
 *   with an `audit.observe` that reports calls (`storeObserver({ calls: true })`).
 *
 * @example
 * ```ts
 * const type: SessionEventType = 'unknown-id'
 * ```
 */
export type SessionEventType =
  | 'created'
  | 'loaded'
  | 'unknown-id'
  | 'expired'
  | 'saved'
  | 'touched'
  | 'conflict'
  | 'regenerated'
  | 'renewed'
  | 'destroyed'
  | 'bound'
  | 'ended'
  | 'cross-site-refused'
  | 'store-call'

/**
 * One audit event.
 *
 * @example
 * ```ts
 * const event: SessionEvent = { type: 'loaded', idHash: 'pQ0r7...', requestId: 'UQ2LKhXJjoEEMqA=' }
 * ```
 */
export interface SessionEvent {
  readonly type: SessionEventType
  /** The keyed hash of the session id (HMAC-SHA256 under the audit key, 128 bits, base64url), if one is concerned. */
  readonly idHash?: string | undefined
  /** The user the session is bound to, when it is. */
  readonly userId?: string | undefined
  /** The front door's request id (`requestContext.requestId`), when it has one. */
  readonly requestId?: string | undefined
  /** Why (`conflict`, `cross-site-refused`, `unknown-id`; a failed `store-call`). */
  readonly reason?: string | undefined
  /** How many (`ended`). */
  readonly count?: number | undefined
  /** The DynamoDB operation (`store-call`). */
  readonly operation?: string | undefined
  /** How long the call took, SDK retries included, in milliseconds (`store-call`). */
  readonly ms?: number | undefined
  /** How many times the SDK sent the call: 1 when it was not retried (`store-call`). */
  readonly attempts?: number | undefined
  /** The capacity units the call consumed, when DynamoDB said (`store-call`). */
  readonly capacity?: number | undefined
}

/**
 * The `audit` option of `dynamoSession()`.
 *
 * @example
 * ```ts
 * const audit: AuditOptions = { onEvent: (event) => logger.info('session', event) }
 * ```
 */
export interface AuditOptions {
  /** Called once per event, synchronously, in order; what it throws is logged and ignored. */
  onEvent(event: SessionEvent): void
  /**
   * The key of the id hashes, at least 32 characters. Default: the first of `secrets`; without secrets, a
   * random key per function instance (hashes then match within one instance only).
   */
  key?: string | undefined
  /**
   * Observe each request's store operations: `storeObserver()` of the `/powertools` subpath reports each
   * DynamoDB call (`store-call` events, with the capacity it consumed: the store asks DynamoDB for it only
   * then) and runs each operation in a span of the request's trace. Default: none.
   */
  observe?: StoreObserver | undefined
}

/** What the session and the middleware call: the id in the clear, turned into its hash here. */
export type AuditSink = (
  type: SessionEventType,
  details?: {
    id?: string | undefined
    userId?: string | undefined
    reason?: string | undefined
    count?: number
  } & Partial<StoreCall>,
) => void

/**
 * The sink of one request: it hashes ids with `key`, adds `requestId`, and calls `onEvent`, whose errors
 * are logged (never thrown into the request).
 *
 * @example
 * ```ts
 * const audit = auditSink(options.audit, key, 'UQ2LKhXJjoEEMqA=', logger)
 * audit('loaded', { id })
 * ```
 */
export function auditSink(
  options: AuditOptions,
  key: string,
  requestId: string | undefined,
  logger: SessionLogger,
): AuditSink {
  return (type, details = {}) => {
    const { id, ...rest } = details
    const idHash =
      id === undefined ? undefined : createHmac('sha256', key).update(id).digest('base64url').slice(0, 22)
    try {
      options.onEvent({ type, ...(idHash && { idHash }), ...rest, ...(requestId && { requestId }) })
    } catch (error) {
      logger.error(`${PACKAGE_NAME}: the audit onEvent hook threw`, {
        type,
        error: error instanceof Error ? error.name : typeof error,
      })
    }
  }
}

/** The audit key: the one given, the first signing secret, or a random one for this instance. */
export function auditKey(options: AuditOptions, secrets: readonly string[] | undefined): string {
  return options.key ?? secrets?.[0] ?? randomBytes(32).toString('base64url')
}

/** What the `audit` option takes: `key` is an audit key, as long as a signing secret must be. */
const AUDIT_OPTIONS: OptionTable = {
  rules: {
    onEvent: 'function',
    observe: 'function',
    key: (value, path) => {
      if (!(typeof value === 'string' && value.length >= MIN_SECRET_LENGTH)) {
        throw new SessionConfigError(`${path} must be a string of at least ${MIN_SECRET_LENGTH} characters`)
      }
    },
  } satisfies Record<keyof AuditOptions, OptionRule>,
}

/** Throws `SessionConfigError` unless `value` is {@link AuditOptions} (the option checker's rules). */
export function assertAuditOptions(value: unknown, path: string): void {
  checkOptions(value, AUDIT_OPTIONS, `${path}.`)
  if (typeof (value as Partial<AuditOptions>).onEvent !== 'function') {
    throw new SessionConfigError(`${path} must be { onEvent(event) { ... } }, with an optional key`)
  }
}
