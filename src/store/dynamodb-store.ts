/**
 * {@link SessionStore} on Amazon DynamoDB: one item per session, conditional writes against lost updates
 * and resurrection, expiry checked in code (TTL deletes lazily).
 *
 * @module
 */

import { randomUUID } from 'node:crypto'
import {
  type $Command,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  type DynamoDBClientResolvedConfig,
  GetItemCommand,
  PutItemCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { checkOptions, integerFrom, type OptionRule, type OptionTable } from '../config.ts'
import { type JsonValue, ownValue, type SessionData } from '../data.ts'
import {
  PACKAGE_NAME,
  SessionBusyError,
  SessionConfigError,
  SessionStoreError,
  SessionTooLargeError,
} from '../errors.ts'
import { encodeExpiry } from '../expiry.ts'
import type { SessionIdScheme } from '../id.ts'
import { type SessionLogger, silentLogger } from '../logger.ts'
import { applyChange, conflictOf, expiresAtAfter, policyAfter } from './change.ts'
import { nativeMapCodec, type SessionDataCodec } from './codec.ts'
import { ExpressionBuilder } from './expression.ts'
import { codecFormat, type SessionFormat } from './format.ts'
import { ITEM_LIMIT, type Item, ItemLayout, newWriteToken, revisionOf, sameState } from './item-layout.ts'
import {
  type DynamoDBStoreProps,
  PROPS_HINTS,
  PROPS_RULES,
  type ResolvedStoreProps,
  resolveStoreProps,
} from './props.ts'
import type { NewSessionRecord, SaveResult, SessionChange, SessionRecord, SessionStore } from './types.ts'
import {
  assertUserNamespace,
  type BindingStep,
  bindingRefusal,
  bindingUpdates,
  DynamoDBUserIndex,
  readBinding,
  USER_ATTRIBUTES,
  type UserIndexOptions,
} from './user-index.ts'

/**
 * DynamoDB's item size limit, in bytes.
 *
 * @example
 * ```ts
 * if (error instanceof SessionTooLargeError) console.log(error.size, 'of', DYNAMODB_ITEM_LIMIT)
 * ```
 */
export const DYNAMODB_ITEM_LIMIT = ITEM_LIMIT

/**
 * Options of {@link DynamoDBSessionStore}: the table layout ({@link DynamoDBStoreProps}) and how to talk to it.
 *
 * @example
 * ```ts
 * const options: DynamoDBSessionStoreOptions = { tableName: 'Sessions', consistentRead: false }
 * ```
 */
export interface DynamoDBSessionStoreOptions extends DynamoDBStoreProps {
  /** The SDK client. Default: one client shared by every store, created on first use (no I/O at import). */
  client?: DynamoDBClient | undefined
  /**
   * Strongly consistent reads. Default `true`. `false` halves the read units, but a read may miss a write
   * made a moment before: a session created by the previous request may not be found yet (and a write
   * would then start a new one), and two quick writes may see a stale version (409 Conflict).
   */
  consistentRead?: boolean | undefined
  /** How data is stored. Default {@link nativeMapCodec}. Not together with `format`. */
  codec?: SessionDataCodec | undefined
  /**
   * A whole session format instead of a `codec`: its ids and its `data` attribute, e.g.
   * `towerSessionsFormat()` from `middy-dynamodb-session/tower-sessions`, to share sessions with a Rust
   * service. Not together with `codec`.
   */
  format?: SessionFormat | undefined
  /** Told about corrupted items and retried id collisions. Default: silent. */
  logger?: SessionLogger | undefined
  /**
   * How many fresh ids `create()` (and `regenerate()`) try before giving up: the first, then retries on
   * an id collision. Default 6, as the Rust crate (one attempt and 5 retries).
   */
  createAttempts?: number | undefined
  /**
   * How many times a write is retried on top of concurrent changes of *other* keys (or of the expiry
   * policy) before it fails with a `contention` conflict, with a short random backoff between attempts.
   * With the default native map codec, requests that change different keys need no retry at all.
   * Default 10.
   */
  maxConflictRetries?: number | undefined
  /** The clock, in epoch milliseconds. Default `Date.now`; tests move it. */
  now?: (() => number) | undefined
  /** The id generator. Default: the format's (this library's 32-character ids); tests force collisions with it. */
  generateId?: (() => string) | undefined
  /**
   * A time limit for each DynamoDB call, SDK retries included, in milliseconds; past it the call is
   * aborted and fails with {@link SessionStoreError}, so no call hangs a request for ever. Default 5000.
   */
  timeoutMs?: number | undefined
  /** Sessions bound to users (`session.bindUser()`): the index that lists them, and limits. */
  users?: UserIndexOptions | undefined
}

/**
 * Any command of the DynamoDB client, as {@link DynamoDBSessionStore.send} takes it.
 *
 * @example
 * ```ts
 * const command: DynamoDBCommand<GetItemCommandInput, GetItemCommandOutput> = new GetItemCommand(input)
 * ```
 */
export type DynamoDBCommand<Input extends ServiceInputTypes, Output extends ServiceOutputTypes> = $Command<
  Input,
  Output,
  DynamoDBClientResolvedConfig,
  ServiceInputTypes,
  ServiceOutputTypes
>

let sharedClient: DynamoDBClient | undefined

function positiveNumber(value: unknown, path: string): void {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new SessionConfigError(`${path} must be a positive number of milliseconds`)
  }
}

/** What each option of {@link DynamoDBSessionStoreOptions} accepts. */
export const STORE_RULES: Readonly<Record<keyof DynamoDBSessionStoreOptions, OptionRule>> = {
  ...PROPS_RULES,
  client: 'object',
  consistentRead: 'boolean',
  codec: 'object',
  format: 'object',
  logger: 'logger',
  createAttempts: integerFrom(1),
  maxConflictRetries: integerFrom(0),
  now: 'function',
  generateId: 'function',
  timeoutMs: positiveNumber,
  users: 'object',
}

/** Keys given for store options by mistake, with where they belong. */
export const STORE_HINTS: Readonly<Record<string, string>> = {
  ...PROPS_HINTS,
  secrets: 'secrets is an option of dynamoSession() itself, beside store',
  secret: 'did you mean secrets? It is an option of dynamoSession() itself, beside store',
  region: 'give a client of your own: store: { client: new DynamoDBClient({ region }) }',
  endpoint: 'give a client of your own: store: { client: new DynamoDBClient({ endpoint }) }',
  expiry: 'expiry is an option of dynamoSession() itself, beside store',
  maxSessionsPerUser: 'did you mean users: { maxSessionsPerUser }?',
}

const STORE_OPTIONS: OptionTable = { rules: STORE_RULES, hints: STORE_HINTS }

/** What each option of `users` accepts (the values are checked as they are resolved). */
export const USERS_OPTIONS: OptionTable = {
  rules: { indexName: 'string', maxSessionsPerUser: 'any', whenFull: 'any' },
  hints: { max: 'did you mean maxSessionsPerUser?', limit: 'did you mean maxSessionsPerUser?' },
}

/**
 * Throws {@link SessionConfigError} unless `options` are options of {@link DynamoDBSessionStore}: known
 * keys only (with a hint for a mistaken one), each of the right type. `path` prefixes names in messages.
 *
 * @example
 * ```ts
 * checkStoreOptions({ tablename: 'x' }) // throws: Unknown option tablename: did you mean tableName?
 * ```
 */
export function checkStoreOptions(options: unknown, path = '', table: OptionTable = STORE_OPTIONS): void {
  checkOptions(options, table, path)
  checkOptions((options as { users?: unknown } | undefined)?.users, USERS_OPTIONS, `${path}users.`)
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error
}

/**
 * The most keys one in-place update changes; beyond, the whole item is written (expressions are capped at
 * 4 KB). The memory store follows the same rule.
 */
export const MAX_IN_PLACE_KEYS = 50
/**
 * How long, in seconds, the item `regenerate()` leaves under the old id names the new one: a logout that
 * presents the old id within this time ends the new session too.
 *
 * @example
 * ```ts
 * // After a login at t, a logout sent with the pre-login cookie until t + SUCCESSOR_SECONDS ends both.
 * const until = new Date((nowSeconds + SUCCESSOR_SECONDS) * 1000)
 * ```
 */
export const SUCCESSOR_SECONDS = 3600
/** The most successors one `destroy()` follows (the memory store too). */
export const MAX_SUCCESSORS = 8
/**
 * The most times a write is tried again after a user's item needed something first (created, a lease
 * waited out, room made): each of those changes what the next attempt finds.
 */
const MAX_BUSY = 20
/** The default of {@link DynamoDBSessionStoreOptions.timeoutMs}. */
const DEFAULT_TIMEOUT_MS = 5_000

/** A user's item that refused every attempt (other requests' transactions on it): try again shortly. */
function stayedBusy(): SessionBusyError {
  return new SessionBusyError('TransactWriteItems', 1, 'stayed busy')
}

/** A short random pause before the next attempt on a busy session: full jitter, up to 200 ms. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** attempt)
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * One write attempt: done; or its condition failed on the item as it now is (`null`: no item), and
 * `ending` says whether the write meant to end the session; or it was refused for now (a transaction in
 * progress on the item, throttling) and may be tried again as it is.
 */
type Attempt =
  | { readonly done: SaveResult }
  | { readonly failed: Item | null; readonly ending?: boolean }
  | { readonly busy: true }

/**
 * What `change` on top of `base` stores, or `undefined` when it leaves no session (empty or expired). A
 * session bound to a user stays, even empty: it is that user's login.
 */
export function storedAfter(change: SessionChange, base: SessionRecord): NewSessionRecord | undefined {
  const data = applyChange(base.data, change)
  const expiresAt = expiresAtAfter(change, base)
  const user = change.user ? change.user.binding : base.user
  if ((Object.keys(data).length === 0 && !user) || expiresAt <= change.now) return undefined
  return { data, expiresAt, expiry: policyAfter(change, base), user }
}

/**
 * Sessions in a DynamoDB table. Usable on its own (admin scripts, other frameworks) as well as behind
 * {@link dynamoSession}.
 *
 * How it writes (all conditional, all retried safely by the SDK):
 * - a new session: one `PutItem` that must not find an item (a fresh id on a collision);
 * - a change with the default native map codec: one `UpdateItem` of just the changed keys, conditional on
 *   each of them still holding what the request loaded, so requests that change different keys never
 *   conflict; other codecs, `clear()` and more than 50 keys write the whole item, conditional on the
 *   version, and re-base onto concurrent changes of other keys;
 * - `regenerate()`: one `TransactWriteItems` that writes the new item and replaces the old one, if
 *   unchanged, by a short-lived item naming the new id;
 * - a touch: one `UpdateItem` of `expire_at`, only if the session is unchanged;
 * - `destroy()`: one `DeleteItem` (plus one per successor of a regenerated session).
 *
 * Every write carries a random token recorded in the item for a minute, so a write whose reply was lost
 * recognises itself when the SDK retries it.
 *
 * @example
 * ```ts
 * const store = new DynamoDBSessionStore({ tableName: 'Sessions' })
 * const created = await store.create({ data: { userId: 'u-1' }, expiresAt: Math.floor(Date.now() / 1000) + 3600 })
 * const loaded = await store.load(created.id)
 * await store.destroy(created.id)
 * ```
 */
export class DynamoDBSessionStore implements SessionStore {
  /** The resolved table layout. */
  readonly props: ResolvedStoreProps
  /** The shape of this store's ids (its format's). */
  readonly ids: SessionIdScheme
  /** The sessions of each user: list them, end one, end all (see {@link DynamoDBUserIndex}). */
  readonly users: DynamoDBUserIndex
  /** See {@link SessionStore.entrySize}; present when the codec tells sizes. */
  readonly entrySize?: (key: string, value: JsonValue) => number
  readonly #layout: ItemLayout
  readonly #client: DynamoDBClient | undefined
  readonly #consistentRead: boolean
  readonly #logger: SessionLogger
  readonly #createAttempts: number
  readonly #maxConflictRetries: number
  readonly #now: () => number
  readonly #generateId: () => string
  readonly #timeoutMs: number

  constructor(options: DynamoDBSessionStoreOptions = {}) {
    checkStoreOptions(options)
    const { createAttempts = 6, maxConflictRetries = 10, timeoutMs = DEFAULT_TIMEOUT_MS } = options
    this.props = resolveStoreProps(options)
    if (!Number.isInteger(createAttempts) || createAttempts < 1) {
      throw new SessionConfigError('createAttempts must be a positive integer')
    }
    if (!Number.isInteger(maxConflictRetries) || maxConflictRetries < 0) {
      throw new SessionConfigError('maxConflictRetries must be a whole number, 0 or more')
    }
    if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      throw new SessionConfigError('timeoutMs must be a positive number of milliseconds')
    }
    if (options.format && options.codec) {
      throw new SessionConfigError('Give a store either a format or a codec, not both')
    }
    const format = options.format ?? codecFormat(options.codec ?? nativeMapCodec)
    this.ids = format.ids
    this.#client = options.client
    this.#consistentRead = options.consistentRead ?? true
    this.#logger = options.logger ?? silentLogger
    this.#createAttempts = createAttempts
    this.#maxConflictRetries = maxConflictRetries
    this.#now = options.now ?? Date.now
    this.#generateId = options.generateId ?? format.ids.generate
    this.#timeoutMs = timeoutMs
    this.#layout = new ItemLayout(this.props, format, this.#logger, this.#now)
    const { entrySize } = format
    if (entrySize) this.entrySize = (key, value) => entrySize(key, value)
    this.users = new DynamoDBUserIndex(
      {
        props: this.props,
        send: (operation, command) => this.send(operation, command),
        destroy: (id) => this.destroy(id),
        now: () => this.#now(),
      },
      options.users,
    )
  }

  /**
   * The DynamoDB client this store sends with: the one it was given, or the client shared by every store
   * that was given none (created on first use).
   *
   * @example
   * ```ts
   * await store.client.send(new DescribeTableCommand({ TableName: store.props.tableName }))
   * ```
   */
  get client(): DynamoDBClient {
    if (this.#client) return this.#client
    sharedClient ??= new DynamoDBClient({})
    return sharedClient
  }

  /**
   * Sends one command with {@link DynamoDBSessionStore.client} within `timeoutMs`. A failure (after the
   * SDK's retries) becomes a {@link SessionStoreError} naming `operation`, with the SDK error as `cause`;
   * DynamoDB's item size refusal becomes a {@link SessionTooLargeError}; a failed condition
   * (`ConditionalCheckFailedException`, `TransactionCanceledException`) is thrown as it is.
   *
   * @example
   * ```ts
   * const page = await store.send('Scan', new ScanCommand({ TableName: store.props.tableName }))
   * ```
   */
  async send<Input extends ServiceInputTypes, Output extends ServiceOutputTypes>(
    operation: string,
    command: DynamoDBCommand<Input, Output>,
  ): Promise<Output> {
    const ms = this.#timeoutMs
    const timeout = AbortSignal.timeout(ms)
    try {
      return await this.client.send(command, { abortSignal: timeout })
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException) {
        throw error
      }
      const name = errorName(error)
      if (timeout.aborted) {
        throw new SessionStoreError(operation, `DynamoDB ${operation} timed out after ${ms} ms`, {
          cause: error,
        })
      }
      if (name === 'ValidationException' && /item size/i.test(String((error as Error).message))) {
        throw new SessionTooLargeError(DYNAMODB_ITEM_LIMIT + 1, DYNAMODB_ITEM_LIMIT)
      }
      throw new SessionStoreError(operation, `DynamoDB ${operation} failed (${name})`, { cause: error })
    }
  }

  /**
   * Sends a conditional write; resolves `undefined` when it was made, or the item as it was when the
   * condition failed (`null` when there was none).
   */
  async #conditional<Input extends ServiceInputTypes, Output extends ServiceOutputTypes>(
    operation: string,
    command: DynamoDBCommand<Input, Output>,
  ): Promise<Item | null | undefined> {
    try {
      await this.send(operation, command)
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return error.Item ?? null
      throw error
    }
  }

  #nowSeconds(): number {
    return Math.floor(this.#now() / 1000)
  }

  #newId(): string {
    const id = this.#generateId()
    if (!this.ids.isId(id)) throw new SessionConfigError('generateId returned an id of the wrong shape')
    return id
  }

  #table() {
    return { TableName: this.props.tableName }
  }

  /** A failed write's condition, for `ReturnValuesOnConditionCheckFailure`. */
  #onFailure(x: ExpressionBuilder, condition: string) {
    return {
      ConditionExpression: condition,
      ...x.attributes(),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    }
  }

  #mustBeNew(x: ExpressionBuilder): string {
    return `attribute_not_exists(${x.name(this.props.partitionKey.name)})`
  }

  async load(id: string): Promise<SessionRecord | undefined> {
    if (!this.ids.isId(id)) return undefined
    const result = await this.send(
      'GetItem',
      new GetItemCommand({
        ...this.#table(),
        Key: this.#layout.key(id),
        ConsistentRead: this.#consistentRead,
      }),
    )
    return this.#layout.read(id, result.Item)
  }

  async create(
    record: NewSessionRecord,
    options: { deadline?: number | undefined } = {},
  ): Promise<SessionRecord> {
    const now = this.#nowSeconds()
    let busy = 0
    for (let attempt = 1; attempt <= this.#createAttempts; attempt++) {
      const id = this.#newId()
      const token = newWriteToken()
      const item = this.#layout.item(
        id,
        record,
        this.#layout.nextVersion(undefined),
        this.#layout.tokensAfter(undefined, token, now),
      )
      const x = new ExpressionBuilder()
      const put = { ...this.#table(), Item: item, ...this.#onFailure(x, this.#mustBeNew(x)) }
      const binding = record.user && { from: undefined, to: record.user, fromId: id, toId: id }
      const outcome = binding
        ? await this.#transact({ Put: put }, binding, options.deadline, busy)
        : { failed: await this.#conditional('PutItem', new PutItemCommand(put)) }
      if ('busy' in outcome) {
        // A user's item was being prepared or leased: the same id may be tried again.
        if (++busy > MAX_BUSY) throw stayedBusy()
        attempt--
        continue
      }
      // Our own item, when the SDK retried a put whose reply was lost.
      const failed = 'failed' in outcome ? outcome.failed : undefined
      if (failed === undefined || this.#layout.hasToken(failed, token)) {
        return { ...record, id, revision: this.#layout.revision(item, { data: record.data }) }
      }
      this.#logger.warn(`${PACKAGE_NAME}: session id collision, retrying with a new id`, { attempt })
    }
    throw new SessionStoreError('PutItem', `No unused session id found in ${this.#createAttempts} attempts`)
  }

  save(change: SessionChange): Promise<SaveResult> {
    return this.#rebasing(change, (base, whole, busy) => this.#saveOnce(change, base, whole, busy))
  }

  regenerate(change: SessionChange): Promise<SaveResult> {
    return this.#rebasing(change, (base, _whole, busy) => this.#regenerateOnce(change, base, busy))
  }

  /**
   * Runs `attempt` on the session as loaded, then, while its condition fails on concurrent changes that
   * do not collide with `change`, again on the session as it now is (no extra read: the failed write
   * returns the item), after a short backoff.
   */
  async #rebasing(
    change: SessionChange,
    attempt: (base: SessionRecord, whole: boolean, busy: number) => Promise<Attempt>,
  ): Promise<SaveResult> {
    let base = change.base
    let whole = false
    let busy = 0
    for (let tries = 0; ; tries++) {
      const outcome = await attempt(base, whole, busy)
      if ('done' in outcome) return outcome.done
      if ('busy' in outcome) {
        // A user's item prepared, or a lease of "sign out everywhere" waited out: again, without
        // spending a retry that concurrent changes of the session may need.
        if (++busy > MAX_BUSY) throw stayedBusy()
        tries--
        continue
      }
      if ('failed' in outcome) {
        const current = this.#layout.read(base.id, outcome.failed)
        if (!current) return { status: outcome.ending ? 'ended' : 'gone' }
        const reason = conflictOf(change, current)
        if (reason) return { status: 'conflict', reason }
        // A condition that failed on an unchanged item cannot be met in place: write the whole item.
        whole ||= sameState(revisionOf(current), revisionOf(base))
        base = current
      }
      if (tries >= this.#maxConflictRetries) return { status: 'conflict', reason: 'contention' }
      await backoff(tries)
    }
  }

  /**
   * Writes the session item (`write`), the items `also`, and what keeps the users' items in step with
   * `step`, in one transaction. Resolves `ok`; `failed` with the session item as it was when its condition
   * failed (`null` when there was none, or when a user's item says the session was ended meanwhile);
   * `alsoFailed` with the first of `also` when its condition failed; or `busy` when the same write may be
   * tried again (a user's item was leased by "sign out everywhere" and the lease was waited out, or it was
   * missing or full and has been prepared). Waits give up at `deadline` with `SessionBusyError`.
   */
  async #transact(
    write: TransactWriteItem,
    step: BindingStep,
    deadline: number | undefined,
    attempt: number,
    also: TransactWriteItem[] = [],
  ): Promise<{ ok: true } | { failed: Item | null } | { alsoFailed: Item | null } | { busy: true }> {
    const nowMs = this.#now()
    const updates = bindingUpdates(this.props, step, nowMs, this.users.maxSessions)
    if (updates.length > 0) assertUserNamespace(this.props)
    const items = [write, ...also, ...updates.map(({ item }) => item)]
    try {
      // A reply lost after DynamoDB applied the transaction needs no write token to be recognised: the
      // SDK sends it again with the same ClientRequestToken, which DynamoDB answers as done (for 10 minutes).
      await this.send(
        'TransactWriteItems',
        new TransactWriteItemsCommand({ ClientRequestToken: randomUUID(), TransactItems: items }),
      )
      return { ok: true }
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error
      const reasons = error.CancellationReasons ?? []
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return { failed: reasons[0].Item ?? null }
      if (reasons[1]?.Code === 'ConditionalCheckFailed' && also.length > 0) {
        return { alsoFailed: reasons[1].Item ?? null }
      }
      const first = 1 + also.length
      for (const [index, reason] of reasons.entries()) {
        const userId = updates[index - first]?.userId
        if (userId === undefined || reason.Code !== 'ConditionalCheckFailed') continue
        const refusal = bindingRefusal(reason.Item, nowMs, this.users.maxSessions)
        if (refusal.kind === 'ended') return { failed: null }
        await this.users.prepare(userId, refusal, deadline, attempt)
        return { busy: true }
      }
      // Refused for no condition of ours (another transaction on one of the items): shortly, again.
      await backoff(attempt)
      return { busy: true }
    }
  }

  /** Deletes the session if it is still as `base` was read: the change emptied it (or it expired). */
  async #end(base: SessionRecord, now: number): Promise<Attempt> {
    const x = new ExpressionBuilder()
    const failed = await this.#conditional(
      'DeleteItem',
      new DeleteItemCommand({
        ...this.#table(),
        Key: this.#layout.key(base.id),
        ...this.#onFailure(x, this.#layout.unchanged(x, revisionOf(base), now)),
      }),
    )
    return failed === undefined ? { done: { status: 'ended' } } : { failed, ending: true }
  }

  async #saveOnce(
    change: SessionChange,
    base: SessionRecord,
    whole: boolean,
    busy: number,
  ): Promise<Attempt> {
    const after = storedAfter(change, base)
    if (!after) return this.#end(base, change.now)
    const token = newWriteToken()
    if (change.user) {
      // A bind or unbind: the whole item, and the users' items in step, in one transaction.
      const written = this.#wholeItem(change, base, after, token)
      const x = new ExpressionBuilder()
      const put = {
        ...this.#table(),
        Item: written,
        ...this.#onFailure(x, this.#layout.unchanged(x, revisionOf(base), change.now)),
      }
      const step = { from: base.user, to: after.user, fromId: base.id, toId: base.id }
      const outcome = await this.#transact({ Put: put }, step, change.deadline, busy)
      if ('busy' in outcome) return { busy: true }
      if ('failed' in outcome) return { failed: outcome.failed }
      const revision = this.#layout.revision(written, { data: after.data })
      return { done: { status: 'saved', record: { id: base.id, ...after, revision } } }
    }
    const inPlace =
      !whole && revisionOf(base).inPlace && !change.cleared && change.entries.size <= MAX_IN_PLACE_KEYS
    let written: Item | undefined
    let failed: Item | null | undefined
    if (inPlace) {
      const update = this.#updateInPlace(change, base, after.expiresAt, token)
      try {
        const result = await this.send('UpdateItem', update)
        // The attributes the update set (the new version among them), on top of the item as read.
        const { stored } = revisionOf(base)
        const { dataName, expiryName } = this.props
        written = { [dataName]: stored.data, [expiryName]: stored.expiresAt, ...result.Attributes }
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error
        failed = error.Item ?? null
      }
    } else {
      written = this.#wholeItem(change, base, after, token)
      const x = new ExpressionBuilder()
      failed = await this.#conditional(
        'PutItem',
        new PutItemCommand({
          ...this.#table(),
          Item: written,
          ...this.#onFailure(x, this.#layout.unchanged(x, revisionOf(base), change.now)),
        }),
      )
    }
    if (failed === undefined && written) {
      const revision = this.#layout.revision(written, { data: after.data })
      return { done: { status: 'saved', record: { id: base.id, ...after, revision } } }
    }
    // Written by an attempt whose reply was lost, then retried by the SDK: the item as it is now.
    const current = this.#layout.hasToken(failed, token) ? this.#layout.read(base.id, failed) : undefined
    if (current) return { done: { status: 'saved', record: { ...current, ...after, id: base.id } } }
    return { failed: failed ?? null }
  }

  /**
   * The whole item `change` leads to on top of `base`. The values of keys the change left alone are the
   * ones `base` was read with: the format may write them back in their stored form.
   */
  #wholeItem(
    change: SessionChange,
    base: SessionRecord,
    after: NewSessionRecord,
    token: string,
    id = base.id,
  ): Item {
    const revision = revisionOf(base)
    const keys = change.cleared ? [] : Object.keys(base.data).filter((key) => !change.entries.has(key))
    return this.#layout.item(
      id,
      after,
      id === base.id ? this.#layout.nextVersion(revision) : this.#layout.nextVersion(undefined),
      this.#layout.tokensAfter(id === base.id ? revision : undefined, token, change.now),
      { revision, keys: new Set(keys) },
    )
  }

  /**
   * One `UpdateItem` of the changed keys only, conditional on each still holding what the request loaded
   * and on the expiry policy being unchanged (the new `expire_at` depends on it).
   */
  #updateInPlace(change: SessionChange, base: SessionRecord, expiresAt: number, token: string) {
    const { props, format } = this.#layout
    const encode = format.encodeEntry as (value: JsonValue) => ReturnType<SessionDataCodec['encode']>
    const now = change.now
    const x = new ExpressionBuilder()
    const version = x.name(props.versionName)
    const policy = x.name(props.expiryPolicyName)
    const sets: string[] = []
    const removes: string[] = []
    const conditions = [
      `attribute_exists(${x.name(props.writeTokensName)})`,
      `attribute_type(${x.name(props.dataName)}, ${x.value({ S: 'M' })})`,
      `${x.name(props.expiryName)} > ${x.value({ N: String(now) })}`,
      `(attribute_not_exists(${version}) OR attribute_type(${version}, ${x.value({ S: 'N' })}))`,
      base.expiry
        ? `${policy} = ${x.value({ S: encodeExpiry(base.expiry) })}`
        : `attribute_not_exists(${policy})`,
    ]
    for (const [key, value] of change.entries) {
      const path = x.path(props.dataName, key)
      if (value === undefined) removes.push(path)
      else sets.push(`${path} = ${x.value(encode(value))}`)
      const loaded = ownValue(base.data, key) as JsonValue | undefined
      conditions.push(
        loaded === undefined ? `attribute_not_exists(${path})` : `${path} = ${x.value(encode(loaded))}`,
      )
    }
    if (change.expiry?.policy) sets.push(`${policy} = ${x.value({ S: encodeExpiry(change.expiry.policy) })}`)
    else if (change.expiry) removes.push(policy)
    sets.push(
      `${x.name(props.expiryName)} = ${x.value({ N: String(expiresAt) })}`,
      `${x.path(props.writeTokensName, token)} = ${x.value({ N: String(now) })}`,
    )
    if (base.user) sets.push(`${x.name(USER_ATTRIBUTES.lastUsed)} = ${x.value({ N: String(this.#now()) })}`)
    for (const stale of this.#layout.staleTokens(revisionOf(base), now)) {
      removes.push(x.path(props.writeTokensName, stale))
    }
    const remove = removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''
    return new UpdateItemCommand({
      ...this.#table(),
      Key: this.#layout.key(base.id),
      UpdateExpression: `SET ${sets.join(', ')}${remove} ADD ${version} ${x.value({ N: '1' })}`,
      ...this.#onFailure(x, conditions.join(' AND ')),
      // The new version, so the record this save returns can condition a later write.
      ReturnValues: 'UPDATED_NEW',
    })
  }

  /**
   * One transaction: the new item under a fresh id, and, if the session is still as `base` was read,
   * the old item replaced by one that only names the new id for {@link SUCCESSOR_SECONDS}.
   */
  async #regenerateOnce(change: SessionChange, base: SessionRecord, busy: number): Promise<Attempt> {
    const after = storedAfter(change, base)
    if (!after) return this.#end(base, change.now)
    const revision = revisionOf(base)
    const { now } = change
    for (let attempt = 1; ; attempt++) {
      const id = this.#newId()
      const token = newWriteToken()
      const fresh = new ExpressionBuilder()
      const old = new ExpressionBuilder()
      const tombstone = this.#layout.tombstone(
        base.id,
        id,
        this.#layout.nextVersion(revision),
        now + SUCCESSOR_SECONDS,
      )
      const created = this.#wholeItem(change, base, after, token, id)
      const outcome = await this.#transact(
        {
          Put: {
            ...this.#table(),
            Item: tombstone,
            ...this.#onFailure(old, this.#layout.unchanged(old, revision, now)),
          },
        },
        { from: base.user, to: after.user, fromId: base.id, toId: id },
        change.deadline,
        busy,
        [{ Put: { ...this.#table(), Item: created, ...this.#onFailure(fresh, this.#mustBeNew(fresh)) } }],
      )
      if ('ok' in outcome) return this.#regenerated(id, after, created)
      if ('busy' in outcome) return { busy: true }
      if ('failed' in outcome) return { failed: outcome.failed }
      // The new id is taken: a collision (a lost reply of our own transaction never gets here, see #transact).
      if (attempt >= this.#createAttempts) {
        throw new SessionStoreError('TransactWriteItems', `No unused session id found in ${attempt} attempts`)
      }
      this.#logger.warn(`${PACKAGE_NAME}: session id collision, retrying with a new id`, { attempt })
    }
  }

  #regenerated(id: string, after: NewSessionRecord, created: Item): Attempt {
    const revision = this.#layout.revision(created, { data: after.data })
    return { done: { status: 'saved', record: { id, ...after, revision } } }
  }

  async touch(base: SessionRecord, expiresAt: number): Promise<SessionRecord | undefined> {
    const x = new ExpressionBuilder()
    const expiry = x.name(this.props.expiryName)
    const target = x.value({ N: String(expiresAt) })
    const condition = `${this.#layout.unchanged(x, revisionOf(base), this.#nowSeconds())} AND ${expiry} < ${target}`
    // A bound session's last use, for its user's list of sessions.
    const lastUsed = base.user
      ? `, ${x.name(USER_ATTRIBUTES.lastUsed)} = ${x.value({ N: String(this.#now()) })}`
      : ''
    const failed = await this.#conditional(
      'UpdateItem',
      new UpdateItemCommand({
        ...this.#table(),
        Key: this.#layout.key(base.id),
        UpdateExpression: `SET ${expiry} = ${target}${lastUsed}`,
        ...this.#onFailure(x, condition),
      }),
    )
    const touched = (at: number): SessionRecord => {
      const revision = revisionOf(base)
      const stored = { ...revision.stored, expiresAt: { N: String(at) } }
      return { ...base, expiresAt: at, revision: { ...revision, stored } }
    }
    if (failed === undefined) return touched(expiresAt)
    // Touched already, by this touch's own lost reply or by a concurrent one: as good.
    const current = this.#layout.read(base.id, failed)
    if (current && sameState(revisionOf(current), revisionOf(base)) && current.expiresAt >= expiresAt) {
      return touched(current.expiresAt)
    }
    return undefined
  }

  async destroy(id: string): Promise<void> {
    let next: string | undefined = id
    for (let hop = 0; next !== undefined && hop < MAX_SUCCESSORS; hop++) {
      const x = new ExpressionBuilder()
      let deleted: Item | undefined
      let failed: Item | null | undefined
      try {
        // A regenerated session's old item is not deleted by this: its successor is, and then it expires.
        const result = await this.send(
          'DeleteItem',
          new DeleteItemCommand({
            ...this.#table(),
            Key: this.#layout.key(next),
            ...this.#onFailure(x, `attribute_not_exists(${x.name(this.props.successorName)})`),
            ReturnValues: 'ALL_OLD',
          }),
        )
        deleted = result.Attributes
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error
        failed = error.Item ?? null
      }
      // A session bound to a user leaves that user's list too.
      const binding = deleted && readBinding(deleted)
      if (binding) await this.users.unlist(binding, next)
      // Followed only while the successor item lives (TTL may not have removed it yet), as reads count it.
      const alive = Number(failed?.[this.props.expiryName]?.N) > this.#nowSeconds()
      const successor = alive ? this.#layout.successorOf(failed) : undefined
      next = this.ids.isId(successor) ? successor : undefined
    }
  }

  checkEntry(key: string, value: JsonValue): void {
    this.#layout.format.check?.(key, value)
  }

  assertFits(size: number, data: () => SessionData): void {
    const room = this.#layout.room
    const { assertFits } = this.#layout.format
    if (assertFits) assertFits(size, room, data)
    else if (size > room) throw new SessionTooLargeError(size, room)
  }
}
