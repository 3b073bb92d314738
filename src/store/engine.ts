/**
 * The session write algorithm, once, over any {@link SessionTable}: create with id retries, a save in place
 * (one update of the changed keys, each conditional on its value as loaded) or of the whole item
 * (conditional on the version), re-basing onto concurrent changes of other keys, regenerate (the new item
 * and a short-lived successor under the old id, in one transaction), touch, destroy following successors,
 * write tokens by which a write whose reply was lost recognises itself, and the users' items kept in step
 * in the same transactions. The table decides nothing: every rule is a typed condition here.
 *
 * @module
 */
import { randomUUID } from 'node:crypto'
import type { JsonValue, SessionData } from '../data.ts'
import {
  PACKAGE_NAME,
  SessionBusyError,
  SessionConfigError,
  SessionConflictError,
  SessionStoreError,
  SessionTooLargeError,
} from '../errors.ts'
import { cappedExpiry, expireAtFor, outlived } from '../expiry.ts'
import type { SessionIdScheme } from '../id.ts'
import type { SessionLogger } from '../logger.ts'
import { renewalDue, type SessionRenewal } from '../renewal.ts'
import {
  type BindingStep,
  bindingPlan,
  readBinding,
  type StoreUsers,
  USER_ATTRIBUTES,
  usersNeeded,
} from './binding.ts'
import { applyChange, changesStored, conflictOf, expiresAtAfter, policyAfter } from './change.ts'
import { nativeMapCodec, type SessionDataCodec } from './codec.ts'
import { codecFormat, type SessionFormat } from './format.ts'
import {
  type Item,
  type ItemLayout,
  newWriteToken,
  type PendingMarker,
  revisionOf,
  sameState,
} from './item-layout.ts'
import { inPlaceWrite, unreadWrite, wholeItem } from './session-writes.ts'
import { type Condition, type Path, type SessionTable, type Write, when } from './table.ts'
import type {
  NewSessionRecord,
  SaveResult,
  SessionChange,
  SessionRecord,
  UnreadChange,
  UserBinding,
} from './types.ts'

/**
 * The most keys one in-place update changes; beyond, the whole item is written (expressions are capped at
 * 4 KB).
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
/** The most successors one `destroy()` follows. */
export const MAX_SUCCESSORS = 8
/**
 * The most times a write is tried again after a user's item needed something first (created, a lease
 * waited out, room made): each of those changes what the next attempt finds.
 */
const MAX_BUSY = 20

/**
 * Whether `error` is the table's `replicated` conflict: another Region kept writing the item at the same
 * moment until the table's retries ran out (DynamoDB's MRSC global tables; nothing written).
 */
function isReplicated(error: unknown): boolean {
  return error instanceof SessionConflictError && error.reason === 'replicated'
}

/** What `written` resolves to, or `undefined` for a {@link isReplicated} conflict. */
function unlessReplicated<T>(written: Promise<T>): Promise<T | undefined> {
  return written.catch((error: unknown) => (isReplicated(error) ? undefined : Promise.reject(error)))
}

const REPLICATED = { status: 'conflict', reason: 'replicated' } as const

/** A short random pause before the next attempt on a busy session: full jitter, up to 200 ms. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** attempt)
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A user's item that refused every attempt (other requests' transactions on it): try again shortly. */
function stayedBusy(): SessionBusyError {
  return new SessionBusyError('TransactWriteItems', 1, 'stayed busy')
}

/**
 * One write attempt: done; or its condition failed on the item as it now is (`null`: no item), and
 * `ending` says whether the write meant to end the session; or it was refused for now (a transaction in
 * progress on the item, a user's item prepared) and may be tried again as it is.
 */
type Attempt =
  | { readonly done: SaveResult }
  | { readonly failed: Item | null; readonly ending?: boolean }
  | { readonly busy: true }

/**
 * What `change` on top of `base` stores, or `undefined` when it leaves no session (empty or expired). A
 * session bound to a user stays, even empty: it is that user's login.
 */
export function storedAfter(
  change: SessionChange,
  base: SessionRecord,
  restart = false,
): NewSessionRecord | undefined {
  const data = applyChange(base.data, change)
  // A regenerate (a login) starts a new lifetime; a session stored without a creation time counts from now.
  const createdAt = restart ? change.now : (base.createdAt ?? change.now)
  const expiresAt = cappedExpiry(expiresAtAfter(change, base), createdAt, change.maxLifetime)
  const user = change.user ? change.user.binding : base.user
  // A regenerate (a login) drops the CSRF secret: tokens handed out before it stop working.
  const csrfSecret = change.csrfSecret ?? (restart ? undefined : base.csrfSecret)
  // A session stays while it holds data, a user, or a CSRF secret (its tokens are in pages).
  if ((Object.keys(data).length === 0 && !user && !csrfSecret) || expiresAt <= change.now) return undefined
  const authenticatedAt = change.authenticatedAt ?? base.authenticatedAt
  const renewedAt = restart ? undefined : base.renewedAt
  const expiry = policyAfter(change, base)
  return { data, expiresAt, expiry, user, createdAt, authenticatedAt, renewedAt, csrfSecret }
}

/**
 * The format a store's options name: `format`, or the `codec`'s (default the native map codec); both is
 * a {@link SessionConfigError}.
 */
export function formatOf(options: {
  codec?: SessionDataCodec | undefined
  format?: SessionFormat | undefined
}): SessionFormat {
  if (options.format && options.codec) {
    throw new SessionConfigError('Give a store either a format or a codec, not both')
  }
  return options.format ?? codecFormat(options.codec ?? nativeMapCodec)
}

/** The engine's settings, resolved once by its store. */
export interface EngineOptions {
  readonly table: SessionTable
  readonly layout: ItemLayout
  readonly ids: SessionIdScheme
  /** The users' feature, if the store has it. */
  readonly users: StoreUsers | undefined
  readonly logger: SessionLogger
  readonly now: () => number
  readonly generateId: () => string
  readonly createAttempts: number
  readonly maxConflictRetries: number
  readonly consistentRead: boolean
  /**
   * Whether `regenerate()` and a bind write in one transaction, or in steps (MRSC global tables, which
   * have no transactions).
   */
  readonly transactions: boolean
}

/**
 * The algorithm of every store: `DynamoDBSessionStore` runs it over DynamoDB.
 *
 * @example
 * ```ts
 * const engine = new SessionEngine({ table, layout, ids, users, logger, now, generateId, createAttempts: 6, maxConflictRetries: 10, consistentRead: true })
 * const created = await engine.create({ data: { a: 1 }, expiresAt })
 * ```
 */
export class SessionEngine {
  readonly #table: SessionTable
  readonly #layout: ItemLayout
  readonly #o: EngineOptions

  constructor(options: EngineOptions) {
    this.#o = options
    this.#table = options.table
    this.#layout = options.layout
  }

  #nowSeconds(): number {
    return Math.floor(this.#o.now() / 1000)
  }

  #newId(): string {
    const id = this.#o.generateId()
    if (!this.#o.ids.isId(id)) throw new SessionConfigError('generateId returned an id of the wrong shape')
    return id
  }

  #mustBeNew(): Condition {
    return when.missing([this.#layout.props.partitionKey.name])
  }

  /**
   * The live session `id` names; or, while a renewal's grace window is open, the renewed session under
   * its new id.
   */
  async load(id: string, consistent = this.#o.consistentRead): Promise<SessionRecord | undefined> {
    let next: string | undefined = id
    for (let hop = 0; hop < MAX_SUCCESSORS && this.#o.ids.isId(next); hop++) {
      // A renewal's new item was written a moment ago: an eventually consistent read could miss it.
      const item = await this.#table.get(this.#layout.key(next), { consistent: consistent || hop > 0 })
      const record = this.#layout.read(next, item)
      if (record) return record
      // A regenerate without transactions that got past its commit point: confirmed here, if not yet.
      const confirmed = await this.#confirmed(next, item)
      if (confirmed) return confirmed
      next = this.#layout.graceSuccessorOf(item, this.#nowSeconds())
    }
    return undefined
  }

  async create(
    record: NewSessionRecord,
    options: { deadline?: number | undefined } = {},
  ): Promise<SessionRecord> {
    const now = this.#nowSeconds()
    record = { ...record, createdAt: record.createdAt ?? now }
    let busy = 0
    for (let attempt = 1; ; attempt++) {
      const id = this.#newId()
      const token = newWriteToken()
      const layout = this.#layout
      const item = layout.item(
        id,
        record,
        layout.nextVersion(undefined),
        layout.tokensAfter(undefined, token, now),
      )
      const put: Write = { put: item, if: this.#mustBeNew() }
      const binding = record.user && { from: undefined, to: record.user, fromId: id, toId: id }
      const outcome = !binding
        ? await this.#table
            .write(put)
            .then((w) => (w.made ? { ok: true as const } : { failed: w.current ?? null }))
        : this.#o.transactions
          ? await this.#transact(put, binding, options.deadline, busy)
          : await this.#createInSteps(item, binding, token, options.deadline, busy)
      if ('busy' in outcome) {
        // A user's item was being prepared or leased: the same id may be tried again.
        if (++busy > MAX_BUSY) throw stayedBusy()
        attempt--
        continue
      }
      // Our own item, when the SDK retried a put whose reply was lost.
      const failed = 'failed' in outcome ? outcome.failed : undefined
      if (failed === undefined || layout.hasToken(failed, token)) {
        return { ...record, id, revision: layout.revision(item, { data: record.data }) }
      }
      this.#collided(attempt, 'PutItem')
    }
  }

  /**
   * {@link SessionEngine.create} of a bound session without a transaction: the item pending (as the
   * regenerate of itself: no reader confirms it), then its user's entry, then the item confirmed, so that
   * a bound session is never missing from its user's item. Ended in between (by "sign out everywhere"),
   * or refused by the user's item for now: `busy`, to be created again.
   */
  async #createInSteps(
    item: Item,
    step: BindingStep,
    token: string,
    deadline: number | undefined,
    attempt: number,
  ): Promise<{ ok: true } | { failed: Item | null } | { busy: true }> {
    const put = await this.#putPending(item, step.toId, token)
    if ('failed' in put) return put
    if (!(await this.#namedOrDropped(this.#usersFor(step), step, deadline, attempt))) return { busy: true }
    // Its entry was added just now: a sign-out that removed it deleted the item too, and it is not confirmed.
    return (await this.#confirm(step.toId, put.pending)) ? { ok: true } : { busy: true }
  }

  /**
   * A fresh id was taken (a collision): logged, and tried again with another, until `createAttempts`
   * ids were tried; then a {@link SessionStoreError} naming `operation`.
   */
  #collided(attempt: number, operation: string): void {
    if (attempt >= this.#o.createAttempts) {
      throw new SessionStoreError(operation, `No unused session id found in ${attempt} attempts`)
    }
    this.#o.logger.warn(`${PACKAGE_NAME}: session id collision, retrying with a new id`, { attempt })
  }

  /**
   * Saves `change`; when the session's id is due for renewal (`change.renewal`), the same write moves it
   * to a new id, as a regenerate that keeps its lifetime and leaves the old id a grace window.
   */
  save(change: SessionChange): Promise<SaveResult> {
    const { renewal } = change
    return this.#rebasing(change, (base, whole, busy) => {
      if (renewalDue(renewal, base, change.now)) {
        return this.#regenerateOnce(change, base, busy, renewal)
      }
      // A request that only came to renew found the session renewed by another: nothing left to do.
      if (base.id !== change.base.id && !changesStored(change)) {
        return Promise.resolve({ done: { status: 'saved', record: base } })
      }
      return this.#saveOnce(change, base, whole, busy)
    })
  }

  /**
   * Sets keys of session `id` that the request never read: one conditional update when nothing else is
   * needed ({@link unreadWrite}); otherwise, from the item that update was refused on (no extra read when
   * it was refused), the write of a request that read it, following a renewal's grace. `gone` when `id`
   * names no live session.
   */
  async saveUnread(id: string, change: UnreadChange): Promise<SaveResult> {
    if (!this.#o.ids.isId(id)) return { status: 'gone' }
    const layout = this.#layout
    const { now } = change
    let current: Item | undefined
    if (layout.format.encodeEntry && layout.format.versioned && change.entries.size <= MAX_IN_PLACE_KEYS) {
      const expiresAt = expireAtFor(change.defaultExpiry, now)
      const token = newWriteToken()
      const { update, condition } = unreadWrite(layout, change, expiresAt, token, this.#o.now())
      const written = await unlessReplicated(
        this.#table.write({ update, key: layout.key(id), if: condition }),
      )
      if (!written) return REPLICATED
      const record = { id, data: Object.fromEntries(change.entries), expiresAt, revision: undefined }
      if (written.made) return { status: 'saved', record }
      current = written.current
      // Made by this very write before the SDK sent it again (its reply was lost): saved there, or
      // carried into a new id by a renewal or a login since (or ended since: then as if never made).
      if (layout.hasToken(current, token)) {
        if (layout.read(id, current)) return { status: 'saved', record }
        return (await this.#carriedOn(current)) ?? { status: 'gone' }
      }
    } else {
      current = await this.#table.get(layout.key(id), { consistent: true })
    }
    const base = await this.#liveOrRenewed(id, current)
    // Past its absolute deadline (a lifetime shortened since it was written): no session, as for a read.
    if (!base || outlived(base.createdAt, change.maxLifetime, now)) return { status: 'gone' }
    // The keys were never read: last writer wins on them, in this write as in the one update.
    return this.save({ ...change, base, cleared: false, unread: true })
  }

  /**
   * The live session `item` (read under `id`) holds; or, when it is a renewal's item whose grace window is
   * open, the renewed session under its new id (read strongly consistently: it was written a moment ago).
   */
  async #liveOrRenewed(id: string, item: Item | null | undefined): Promise<SessionRecord | undefined> {
    // A pending new item (a regenerate without transactions): live once its old item names it.
    const record = this.#layout.read(id, item) ?? (await this.#confirmed(id, item))
    const renewed = record ? undefined : this.#layout.graceSuccessorOf(item, this.#nowSeconds())
    return renewed === undefined ? record : this.load(renewed, true)
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
      const outcome = await unlessReplicated(attempt(base, whole, busy))
      if (!outcome) return REPLICATED
      if ('done' in outcome) return outcome.done
      if ('busy' in outcome) {
        // A user's item prepared, or a lease of "sign out everywhere" waited out: again, without
        // spending a retry that concurrent changes of the session may need.
        if (++busy > MAX_BUSY) throw stayedBusy()
        tries--
        continue
      }
      // Renewed meanwhile by another request: within the grace window, the change goes on at the new id.
      const current = await this.#liveOrRenewed(base.id, outcome.failed)
      if (!current) return { status: outcome.ending ? 'ended' : 'gone' }
      const reason = conflictOf(change, current)
      if (reason) return { status: 'conflict', reason }
      // A condition that failed on an unchanged item cannot be met in place: write the whole item.
      whole ||= current.id === base.id && sameState(revisionOf(current), revisionOf(base))
      base = current
      if (tries >= this.#o.maxConflictRetries) return { status: 'conflict', reason: 'contention' }
      await backoff(tries)
    }
  }

  /**
   * Writes the session item (`write`), the items `also`, and what keeps the users' items in step with
   * `step`, in one transaction. Resolves `ok`; `failed` with the session item as it was when its condition
   * failed (`null` when there was none, or when a user's item says the session was ended meanwhile);
   * `alsoFailed` when the first of `also` failed its condition; or `busy` when the same write may be
   * tried again (a user's item prepared, a lease waited out, another transaction in the way).
   *
   * A reply lost after DynamoDB applied the transaction needs no write token to be recognised: the SDK
   * sends it again with the same token, which DynamoDB answers as done (for 10 minutes).
   */
  async #transact(
    write: Write,
    step: BindingStep,
    deadline: number | undefined,
    attempt: number,
    also: Write[] = [],
  ): Promise<{ ok: true } | { failed: Item | null } | { alsoFailed: true } | { busy: true }> {
    const nowMs = this.#o.now()
    const users = this.#usersFor(step)
    const updates = users ? users.writes(step, nowMs) : []
    const outcome = await this.#table.transact([write, ...also, ...updates.map((u) => u.write)], randomUUID())
    if (outcome.made) return { ok: true }
    const { refusals } = outcome
    const first = refusals[0]
    if (typeof first === 'object') return { failed: first.current ?? null }
    if (also.length > 0 && typeof refusals[1] === 'object') return { alsoFailed: true }
    for (const [index, refusal] of refusals.entries()) {
      const userId = updates[index - 1 - also.length]?.userId
      if (userId === undefined || typeof refusal !== 'object') continue
      const why = (users as StoreUsers).refusal(refusal.current, nowMs)
      if (why.kind === 'ended') return { failed: null }
      await (users as StoreUsers).prepare(userId, why, deadline, attempt)
      return { busy: true }
    }
    // Refused for no condition of ours (another transaction on one of the items): shortly, again.
    await backoff(attempt)
    return { busy: true }
  }

  /**
   * {@link SessionEngine.#transact} without a transaction (`transactions: false`), for a session `write`
   * that keeps the id: a new binding's entry first, then the write (its own, when its reply was lost:
   * `token`), then the entries it leaves, so that a bound session is never missing from its user's item
   * (docs/multi-region.md has the argument).
   */
  async #bindInSteps(
    write: Write,
    step: BindingStep,
    token: string,
    deadline: number | undefined,
    attempt: number,
  ): Promise<{ ok: true } | { failed: Item | null } | { busy: true }> {
    const users = this.#usersFor(step)
    if (users && !(await users.addBefore(step, deadline, attempt))) return { busy: true }
    const written = await this.#table.write(write)
    if (!written.made && !this.#layout.hasToken(written.current, token)) {
      // Not bound: the entry added for it goes (a re-based attempt adds it again).
      const { add } = bindingPlan(step)
      if (add) await users?.unlist(add.binding, add.toId).catch(() => undefined)
      return { failed: written.current ?? null }
    }
    await users?.dropAfter(step)
    return { ok: true }
  }

  /** The users' feature, when `step` changes a binding; without it, {@link usersNeeded} is thrown. */
  #usersFor(step: BindingStep): StoreUsers | undefined {
    const { follow, add, drop } = bindingPlan(step)
    if (!follow && !add && !drop) return undefined
    if (!this.#o.users) throw usersNeeded()
    return this.#o.users
  }

  /** Deletes the session if it is still as `base` was read: the change emptied it (or it expired). */
  async #end(base: SessionRecord, now: number): Promise<Attempt> {
    const written = await this.#table.write({
      delete: this.#layout.key(base.id),
      if: this.#layout.unchangedIf(revisionOf(base), now),
    })
    return written.made ? { done: { status: 'ended' } } : { failed: written.current ?? null, ending: true }
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
    const layout = this.#layout
    if (change.user) {
      // A bind or unbind: the whole item, and the users' items in step, in one transaction.
      const written = wholeItem(layout, change, base, after, token)
      const put: Write = { put: written, if: layout.unchangedIf(revisionOf(base), change.now) }
      const step = { from: base.user, to: after.user, fromId: base.id, toId: base.id }
      const outcome = this.#o.transactions
        ? await this.#transact(put, step, change.deadline, busy)
        : await this.#bindInSteps(put, step, token, change.deadline, busy)
      if ('busy' in outcome) return { busy: true }
      if ('failed' in outcome) return { failed: outcome.failed }
      const revision = layout.revision(written, { data: after.data })
      return { done: { status: 'saved', record: { id: base.id, ...after, revision } } }
    }
    const inPlace =
      !whole && revisionOf(base).inPlace && !change.cleared && change.entries.size <= MAX_IN_PLACE_KEYS
    let written: Item | undefined
    let failed: Item | null | undefined
    if (inPlace) {
      const { update, condition } = inPlaceWrite(layout, change, base, after, token, this.#o.now())
      const result = await this.#table.write({ update, key: layout.key(base.id), if: condition })
      if (result.made) written = layout.afterInPlace(revisionOf(base), after.expiresAt, token, change.now)
      else failed = result.current ?? null
    } else {
      written = wholeItem(layout, change, base, after, token)
      const result = await this.#table.write({
        put: written,
        if: layout.unchangedIf(revisionOf(base), change.now),
      })
      if (!result.made) failed = result.current ?? null
    }
    if (failed === undefined && written) {
      const revision = layout.revision(written, { data: after.data })
      return { done: { status: 'saved', record: { id: base.id, ...after, revision } } }
    }
    // Written by an attempt whose reply was lost, then retried by the SDK: the item as it is now.
    if (layout.hasToken(failed, token)) {
      const current = layout.read(base.id, failed)
      if (current) return { done: { status: 'saved', record: { ...current, ...after, id: base.id } } }
      const carried = await this.#carriedOn(failed)
      if (carried) return { done: carried }
    }
    return { failed: failed ?? null }
  }

  /**
   * A write applied, whose reply was lost, and then carried into a new id by a renewal or a regenerate (a
   * login) before the SDK's retry (`failed`, the old id's item now, carries its token): it is saved
   * there. Only a renewal's new id may be handed to this request's cookie: after a login, the old id must
   * not lead to the new one. `undefined` when the new id names no session any more.
   */
  async #carriedOn(failed: Item | null | undefined): Promise<SaveResult | undefined> {
    const layout = this.#layout
    const successor = layout.successorOf(failed)
    const moved = successor === undefined ? undefined : await this.load(successor, true)
    if (moved && layout.graceSuccessorOf(failed, this.#nowSeconds()) !== undefined) {
      return { status: 'saved', record: moved }
    }
    if (moved) return { status: 'saved', record: moved, elsewhere: true }
    return undefined
  }

  /**
   * One transaction: the new item under a fresh id, and, if the session is still as `base` was read,
   * the old item replaced by one that only names the new id for {@link SUCCESSOR_SECONDS}. A renewal
   * (`renewal` given) keeps the session's lifetime, and its old id reaches the new one for its grace.
   */
  async #regenerateOnce(
    change: SessionChange,
    base: SessionRecord,
    busy: number,
    renewal?: SessionRenewal,
  ): Promise<Attempt> {
    const { now } = change
    const stored = storedAfter(change, base, !renewal)
    if (!stored) return this.#end(base, now)
    const after = renewal ? { ...stored, renewedAt: now } : stored
    const graceUntil = renewal && now + renewal.grace
    if (!this.#o.transactions) return this.#regenerateInSteps(change, base, after, graceUntil, busy)
    const revision = revisionOf(base)
    const layout = this.#layout
    for (let attempt = 1; ; attempt++) {
      const { id, created, tombstone } = this.#moved(change, base, after, graceUntil)
      const outcome = await this.#transact(
        { put: tombstone, if: layout.unchangedIf(revision, now) },
        { from: base.user, to: after.user, fromId: base.id, toId: id },
        change.deadline,
        busy,
        [{ put: created, if: this.#mustBeNew() }],
      )
      if ('ok' in outcome) return this.#regenerated(id, after, created, renewal !== undefined)
      if ('busy' in outcome) return { busy: true }
      if ('failed' in outcome) return { failed: outcome.failed }
      // The new id is taken: a collision (a lost reply of our own transaction never gets here, see #transact).
      this.#collided(attempt, 'TransactWriteItems')
    }
  }

  /**
   * {@link SessionEngine.regenerate} without a transaction, in three writes (docs/multi-region.md has the
   * argument for each crash point):
   * 1. the new item under a fresh id, pending: no reader counts it as a session, and unconfirmed it
   *    expires in `PENDING_SECONDS` (60);
   * 2. the old item replaced, if the session is still as `base` was read, by one naming the new id: the
   *    commit point. Refused, the pending item is deleted and the caller re-reads;
   * 3. the new item confirmed: its expiry, and no longer pending. A Lambda that dies before it leaves the
   *    new session to the first request that reaches it through the old item, which confirms it.
   *
   * A new binding's entry is added to its user's item between 1 and 2; a bound new item is confirmed
   * only once its entry names it, and the entries the session leaves are dropped after 3.
   */
  async #regenerateInSteps(
    change: SessionChange,
    base: SessionRecord,
    after: NewSessionRecord,
    graceUntil: number | undefined,
    busy: number,
  ): Promise<Attempt> {
    const { now } = change
    const revision = revisionOf(base)
    const layout = this.#layout
    for (let attempt = 1; ; attempt++) {
      const { id, token, created, tombstone } = this.#moved(change, base, after, graceUntil)
      const step = { from: base.user, to: after.user, fromId: base.id, toId: id }
      const users = this.#usersFor(step)
      const put = await this.#putPending(created, base.id, token)
      // Taken by another session: a collision.
      if ('failed' in put) {
        this.#collided(attempt, 'PutItem')
        continue
      }
      // The pending item first, so that its entry never names an id without an item (that the clean-up
      // at the cap would take for a session gone).
      if (!(await this.#namedOrDropped(users, step, change.deadline, busy))) return { busy: true }
      const replaced = await this.#table.write({ put: tombstone, if: layout.unchangedIf(revision, now) })
      // Refused, unless by this very write (its reply lost): not committed, the pending item goes.
      if (!replaced.made && layout.successorOf(replaced.current) !== id) {
        await this.#dropPending(id, base.id)
        return { failed: replaced.current ?? null }
      }
      // A bound session's entry moves to the new id first (a new binding's was added before the commit).
      // Unanswered, it is left to the first reader (null); gone, the session was ended meanwhile.
      const moving = this.#confirm(id, put.pending, bindingPlan(step).follow?.binding, change.deadline)
      const confirmed = await moving.catch(() => null)
      if (confirmed === undefined) return { failed: null }
      await users?.dropAfter(step)
      return this.#regenerated(id, after, created, graceUntil !== undefined)
    }
  }

  /**
   * What a regenerate of `base` writes at each attempt: a fresh id, the item `change` stores under it (with
   * its write token), and the item that replaces the old id, naming the new one (for `graceUntil`, a
   * renewal's).
   */
  #moved(
    change: SessionChange,
    base: SessionRecord,
    after: NewSessionRecord,
    graceUntil: number | undefined,
  ): { id: string; token: string; created: Item; tombstone: Item } {
    const { now } = change
    const id = this.#newId()
    const token = newWriteToken()
    const created = wholeItem(this.#layout, change, base, after, token, id)
    const expiresAt = now + SUCCESSOR_SECONDS
    const tombstone = this.#layout.tombstone(base.id, id, revisionOf(base), expiresAt, now, graceUntil)
    return { id, token, created, tombstone }
  }

  /**
   * The session `item` (read under `id`) holds once confirmed, when it is a pending item whose regenerate
   * got past its commit point (its old item names `id`); `undefined` for any other item, or one that is
   * not (yet) a session.
   */
  async #confirmed(id: string, item: Item | null | undefined): Promise<SessionRecord | undefined> {
    const pending = this.#layout.pendingOf(item)
    if (!pending) return undefined
    const from = await this.#table.get(this.#layout.key(pending.from), { consistent: true })
    if (this.#layout.successorOf(from) !== id) return undefined
    return this.#layout.read(id, await unlessReplicated(this.#confirm(id, pending, readBinding(item ?? {}))))
  }

  /**
   * Adds the entry of a new binding (`step`, whose new item is pending) to its user's item (`users`, the
   * store's users' feature when `step` needs it); resolves
   * `false` when the write must be tried again (see `StoreUsers.addBefore`). Refused, or failed, the
   * pending item goes.
   */
  async #namedOrDropped(
    users: StoreUsers | undefined,
    step: BindingStep,
    deadline: number | undefined,
    attempt: number,
  ): Promise<boolean> {
    const added = await users?.addBefore(step, deadline, attempt).catch(async (error: unknown) => {
      await this.#dropPending(step.toId, step.fromId)
      throw error
    })
    if (added === false) await this.#dropPending(step.toId, step.fromId)
    return added !== false
  }

  /**
   * Writes `created` pending under its id (new), as the regenerate of `from`: its pending marker, or the
   * item found there instead when the id was taken (a collision; its own write, reply lost, counts as made).
   */
  async #putPending(
    created: Item,
    from: string,
    token: string,
  ): Promise<{ pending: PendingMarker } | { failed: Item | null }> {
    const layout = this.#layout
    const item = layout.pending(created, from, this.#nowSeconds())
    const put = await this.#table.write({ put: item, if: this.#mustBeNew() })
    if (!put.made && !layout.hasToken(put.current, token)) return { failed: put.current ?? null }
    return { pending: layout.pendingOf(item) as PendingMarker }
  }

  /** Deletes the pending item of `id`, while it is still the one a regenerate of `from` wrote. */
  async #dropPending(id: string, from: string): Promise<void> {
    const ours = when.eq([this.#layout.props.pendingName, 'from'], { S: from })
    await this.#table.write({ delete: this.#layout.key(id), if: ours }).catch(() => undefined)
  }

  /**
   * Step 3 of {@link SessionEngine.regenerate} without transactions: the pending item of `id` takes its
   * expiry and stops being pending, while it has not expired. The item after it (or as another request
   * confirmed it); `undefined` when it is gone. With `binding` (a bound session's new id, or an item a
   * reader found), only once its user's entry is moved to name it: an entry that names neither id means
   * the session was ended, and the pending item goes; without the users' feature it stays pending, for a
   * function that has it.
   */
  async #confirm(
    id: string,
    pending: PendingMarker,
    binding?: UserBinding,
    deadline?: number,
  ): Promise<Item | undefined> {
    if (binding) {
      const { users } = this.#o
      if (!users) return undefined
      if (!(await users.moveEntry(binding, pending.from, id, deadline))) {
        await this.#dropPending(id, pending.from)
        return undefined
      }
    }
    const layout = this.#layout
    const { expiryName, pendingName } = layout.props
    const written = await this.#table.write(
      {
        update: { set: [[[expiryName], pending.expiresAt]], remove: [[pendingName]] },
        key: layout.key(id),
        if: when.and(
          when.eq([pendingName, 'from'], { S: pending.from }),
          when.gt([expiryName], { N: String(this.#nowSeconds()) }),
        ),
      },
      'new',
    )
    if (written.made) return written.item
    return layout.pendingOf(written.current) ? undefined : written.current
  }

  #regenerated(id: string, after: NewSessionRecord, created: Item, renewed: boolean): Attempt {
    const revision = this.#layout.revision(created, { data: after.data })
    const record = { id, ...after, revision }
    return { done: renewed ? { status: 'saved', record, renewed } : { status: 'saved', record } }
  }

  async touch(base: SessionRecord, expiresAt: number): Promise<SessionRecord | undefined> {
    const layout = this.#layout
    const { expiryName } = layout.props
    const target = { N: String(expiresAt) }
    const set: [Path, Item[string]][] = [[[expiryName], target]]
    // A bound session's last use, for its user's list of sessions.
    if (base.user) set.push([[USER_ATTRIBUTES.lastUsed], { N: String(this.#o.now()) }])
    // A session stored before creation times were recorded counts its lifetime from its first touch.
    const createdAt = base.createdAt ?? this.#nowSeconds()
    if (base.createdAt === undefined) set.push([[layout.props.createdName], { N: String(createdAt) }])
    // Written meanwhile by another Region, again and again: not touched, as when changed meanwhile.
    const written = await unlessReplicated(
      this.#table.write({
        update: { set },
        key: layout.key(base.id),
        if: when.and(layout.unchangedIf(revisionOf(base), this.#nowSeconds()), when.lt([expiryName], target)),
      }),
    )
    if (!written) return undefined
    const touched = (at: number): SessionRecord => {
      const revision = revisionOf(base)
      const stored = { ...revision.stored, expiresAt: { N: String(at) } }
      return { ...base, expiresAt: at, createdAt, revision: { ...revision, stored } }
    }
    if (written.made) return touched(expiresAt)
    // Touched already, by this touch's own lost reply or by a concurrent one: as good.
    const current = layout.read(base.id, written.current)
    if (current && sameState(revisionOf(current), revisionOf(base)) && current.expiresAt >= expiresAt) {
      return touched(current.expiresAt)
    }
    return undefined
  }

  /** See `SessionStore.checkEntry`: the format's own rules for one entry. */
  checkEntry(key: string, value: JsonValue): void {
    this.#layout.format.check?.(key, value)
  }

  /** See `SessionStore.assertFits`: the data must leave room in an item for the rest of it. */
  assertFits(size: number, data: () => SessionData): void {
    const room = this.#layout.room
    const { assertFits } = this.#layout.format
    if (assertFits) assertFits(size, room, data)
    else if (size > room) throw new SessionTooLargeError(size, room)
  }

  async destroy(id: string): Promise<void> {
    const layout = this.#layout
    let next: string | undefined = id
    for (let hop = 0; next !== undefined && hop < MAX_SUCCESSORS; hop++) {
      // A regenerated session's old item is not deleted by this: its successor is, and then it expires.
      const written = await this.#table.write(
        { delete: layout.key(next), if: when.missing([layout.props.successorName]) },
        'old',
      )
      // A session bound to a user leaves that user's list too.
      const binding = written.made && written.item && readBinding(written.item)
      if (binding) await this.#o.users?.unlist(binding, next)
      const failed = written.made ? undefined : written.current
      // Followed only while the successor item lives (TTL may not have removed it yet), as reads count it.
      const alive = Number(failed?.[layout.props.expiryName]?.N) > this.#nowSeconds()
      const successor = alive ? layout.successorOf(failed) : undefined
      next = this.#o.ids.isId(successor) ? successor : undefined
    }
  }
}
