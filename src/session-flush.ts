/**
 * The end of a session's request: the destroys it asked for, then exactly one step for what is left (a
 * create, a save of the changes, a regenerate, a throttled touch, or nothing), and what the cookie must
 * become.
 *
 * @module
 */
import type { JsonValue, SessionData } from './data.ts'
import { PACKAGE_NAME, SessionConflictError, SessionStoreError } from './errors.ts'
import { cappedExpiry, cookieHasExpiry, expireAtFor, isRolling, isTouchDue } from './expiry.ts'
import { renewalDue } from './renewal.ts'
import type { Changes, Phase, SessionInit } from './session-state.ts'
import { changesStored } from './store/change.ts'
import type { SaveResult, SessionRecord, SessionStore } from './store/types.ts'

/**
 * What the end of a request means for the session cookie:
 * - `none`: leave the browser's cookie as it is;
 * - `set`: send the cookie for `id`, expiring at `expiresAt` (epoch seconds) unless `persistent` is false
 *   (a browser-session cookie);
 * - `clear`: send an expired cookie so the browser forgets it.
 *
 * @example
 * ```ts
 * const outcome: FlushOutcome = { cookie: 'set', id, expiresAt: 1767225600, persistent: true }
 * ```
 */
export type FlushOutcome =
  | { readonly cookie: 'none' }
  | { readonly cookie: 'clear' }
  | { readonly cookie: 'set'; readonly id: string; readonly expiresAt: number; readonly persistent: boolean }

const NONE: FlushOutcome = Object.freeze({ cookie: 'none' })
const CLEAR: FlushOutcome = Object.freeze({ cookie: 'clear' })

/** A session's request as it ends: its phase (no read in flight any more), data, changes and destroys. */
export interface EndingRequest {
  readonly init: SessionInit
  readonly phase: Phase
  readonly data: SessionData
  readonly changes: Changes
  /** Ids `destroy()` asked to delete, in order. */
  readonly destroyed: readonly string[]
  /** The instant the writes count from, epoch seconds. */
  readonly now: number
}

/** What a flush did: the cookie, and the session as stored afterwards (`undefined` when none is). */
export interface Flushed {
  readonly outcome: FlushOutcome
  readonly written: SessionRecord | undefined
}

function cookieFor(init: SessionInit, record: SessionRecord): FlushOutcome {
  const expiry = record.expiry ?? init.expiry
  return { cookie: 'set', id: record.id, expiresAt: record.expiresAt, persistent: cookieHasExpiry(expiry) }
}

/**
 * Persists what `request` changed. Throws `SessionConflictError` when a concurrent request's change
 * collides with it (nothing of this request's changes is then written) and `SessionStoreError` when the
 * store fails.
 */
export async function flushRequest(request: EndingRequest): Promise<Flushed> {
  const flushed = await flushOnce(request)
  const { written } = flushed
  // Reached through the grace window of a renewal: this browser still holds the old id.
  if (written && written.id !== request.init.id && flushed.outcome.cookie === 'none') {
    return { outcome: cookieFor(request.init, written), written }
  }
  return flushed
}

async function flushOnce(request: EndingRequest): Promise<Flushed> {
  const { init, phase, changes } = request
  let outcome = NONE
  for (const id of request.destroyed) {
    await init.store.destroy(id)
    init.audit?.('destroyed', { id })
    outcome = CLEAR
  }
  // Keys set without a read (blindWrites), even when a later read failed (failOpen): they were accepted.
  const unreadKeys = (phase.kind === 'unread' || phase.kind === 'unavailable') && changes.entries.size > 0
  if (unreadKeys && phase.cookieId !== undefined) {
    const { saveUnread } = init.store
    if (saveUnread) return writeUnread(request, phase.cookieId, saveUnread, outcome)
    if (phase.kind === 'unavailable') throw phase.error
  }
  if (phase.kind !== 'ready') return { outcome, written: undefined } // never used, or unreadable
  const changed = changesStored(changes)
  if (init.detached) {
    if (changed) init.logger?.warn(`${PACKAGE_NAME}: session changes in a non-HTTP invocation are not saved`)
    return { outcome: NONE, written: undefined }
  }
  const base = phase.base
  if (!base) return created(request, outcome)
  const renewing = renewalDue(init.renewal, base, request.now)
  if (!changed && !changes.regenerate && !renewing) return touch(init, base, request.now)
  const change = {
    ...policyOf(request),
    base,
    entries: changes.entries,
    cleared: changes.cleared,
    expiry: changes.expiry,
    user: changes.user,
    authenticatedAt: changes.authenticatedAt,
    csrfSecret: changes.csrfSecret,
  }
  // A request that only read, and came to renew the id: like a touch, its renewal costs it nothing if it
  // fails (the session ended meanwhile, or DynamoDB failed), and it answers as it read.
  const renewalOnly = !changed && !changes.regenerate
  let result: SaveResult
  try {
    result = await (changes.regenerate ? init.store.regenerate(change) : init.store.save(change))
  } catch (error) {
    if (!(renewalOnly && error instanceof SessionStoreError)) throw error
    init.logger?.warn(`${PACKAGE_NAME}: could not renew a session id`, { operation: error.operation })
    // The renewal may have been applied all the same (a timeout after DynamoDB committed it): if the id
    // now leads to a new one, the browser must have it before the grace window closes.
    const moved = await init.store.load(base.id).catch(() => undefined)
    return { outcome: NONE, written: moved ?? base }
  }
  if (renewalOnly && (result.status === 'gone' || result.status === 'conflict')) {
    return { outcome: NONE, written: undefined }
  }
  return settled(init, result, changes, { id: base.id, userId: base.user?.userId }, changed)
}

/** What every write of the request is made under: the middleware's expiry, lifetime and renewal, the instant, the deadline. */
function policyOf({ init, now }: EndingRequest) {
  const { expiry, maxLifetime, renewal, deadline } = init
  return { defaultExpiry: expiry, maxLifetime, renewal, now, deadline }
}

/** A new session holding the request's data, if there is any: its cookie and audit event. */
async function created(request: EndingRequest, outcome: FlushOutcome): Promise<Flushed> {
  const written = await create(request)
  if (!written) return { outcome, written: undefined }
  audited(request.init, 'created', written, request.changes, undefined)
  return { outcome: cookieFor(request.init, written), written }
}

/**
 * Keys set on session `id` without a read (`blindWrites`): one update when nothing more is needed,
 * else the store reads and saves as usual. When the cookie names no live session any more, the request
 * starts a new one, as it would had it read the session first.
 */
async function writeUnread(
  request: EndingRequest,
  id: string,
  saveUnread: NonNullable<SessionStore['saveUnread']>,
  outcome: FlushOutcome,
): Promise<Flushed> {
  const { init, changes } = request
  const entries = changes.entries as ReadonlyMap<string, JsonValue>
  const result = await saveUnread.call(init.store, id, { ...policyOf(request), entries })
  // Gone, or ended (past its expiry) while the keys were saved: as a read would have found it, no session.
  if (result.status !== 'gone' && result.status !== 'ended') {
    return settled(init, result, changes, { id, userId: undefined }, true)
  }
  init.audit?.('unknown-id', { id })
  return created(request, outcome)
}

/** What a write's result means: its audit events, and the cookie (or the conflict, thrown). */
function settled(
  init: SessionInit,
  result: SaveResult,
  changes: Changes,
  from: { readonly id: string; readonly userId: string | undefined },
  changed: boolean,
): Flushed {
  const type = changes.regenerate ? 'regenerated' : 'saved'
  if (result.status === 'saved' && result.elsewhere) {
    // Saved, into the session a login moved on to: this request's cookie is not given its id.
    audited(init, type, { ...result.record, id: from.id }, changes, from.userId)
    return { outcome: NONE, written: undefined }
  }
  if (result.status === 'saved') {
    const { record } = result
    if (changed || changes.regenerate) audited(init, type, record, changes, from.userId)
    if (result.renewed) init.audit?.('renewed', { id: record.id, userId: record.user?.userId })
  } else if (result.status === 'ended') init.audit?.('destroyed', { id: from.id })
  else init.audit?.('conflict', { id: from.id, reason: result.status === 'gone' ? 'ended' : result.reason })
  const moved = changes.regenerate || (result.status === 'saved' && result.renewed === true)
  return afterWrite(init, result, moved || changes.expiry !== undefined)
}

/** The audit events of a stored write: its own, and `bound` when it bound the session to another user. */
function audited(
  init: SessionInit,
  type: 'created' | 'saved' | 'regenerated',
  record: SessionRecord,
  changes: Changes,
  boundBefore: string | undefined,
): void {
  if (!init.audit) return
  const userId = record.user?.userId
  init.audit(type, { id: record.id, userId })
  if (userId !== undefined && changes.user?.binding && userId !== boundBefore) {
    init.audit('bound', { id: record.id, userId })
  }
}

/** Stores a new session holding the request's data; `undefined` when there is nothing to store. */
async function create({ init, data, changes, now }: EndingRequest): Promise<SessionRecord | undefined> {
  const user = changes.user?.binding
  if (Object.keys(data).length === 0 && !user && !changes.csrfSecret) return undefined
  const expiry = changes.expiry?.policy
  const expiresAt = cappedExpiry(expireAtFor(expiry ?? init.expiry, now), now, init.maxLifetime)
  if (expiresAt <= now) {
    // A fixed expiry that passed while the request ran (set() checked it): nothing can be stored.
    init.logger?.warn(`${PACKAGE_NAME}: the session's fixed expiry passed during the request; not stored`)
    return undefined
  }
  return init.store.create(
    {
      data,
      expiresAt,
      expiry,
      createdAt: now,
      authenticatedAt: changes.authenticatedAt,
      csrfSecret: changes.csrfSecret,
      ...(user && { user }),
    },
    { deadline: init.deadline },
  )
}

/** Pushes a rolling expiry forward when it is due (a request that only read). */
async function touch(init: SessionInit, base: SessionRecord, now: number): Promise<Flushed> {
  const expiry = base.expiry ?? init.expiry
  // Never past the absolute deadline: a session at it is not touched at all.
  const target = cappedExpiry(expireAtFor(expiry, now), base.createdAt ?? now, init.maxLifetime)
  if (!isTouchDue(expiry, base.expiresAt, now, init.touchAfter) || target <= base.expiresAt) {
    return { outcome: NONE, written: base }
  }
  let touched: SessionRecord | undefined
  try {
    touched = await init.store.touch(base, target)
  } catch (error) {
    // The request only read, and read successfully: a failed touch costs a little lifetime, not the response.
    if (!(error instanceof SessionStoreError)) throw error
    init.logger?.warn(`${PACKAGE_NAME}: could not extend a session expiry`, { operation: error.operation })
    return { outcome: NONE, written: base }
  }
  if (!touched) return { outcome: NONE, written: base }
  init.audit?.('touched', { id: touched.id, userId: touched.user?.userId })
  return { outcome: cookieHasExpiry(expiry) ? cookieFor(init, touched) : NONE, written: touched }
}

/** The cookie after a save or a regenerate, or the conflict error. */
function afterWrite(init: SessionInit, result: SaveResult, alwaysSend: boolean): Flushed {
  switch (result.status) {
    case 'saved': {
      const expiry = result.record.expiry ?? init.expiry
      // The cookie carries the expiry: re-sent whenever the stored one moved, or the session moved.
      const send = alwaysSend || (isRolling(expiry) && cookieHasExpiry(expiry))
      return { outcome: send ? cookieFor(init, result.record) : NONE, written: result.record }
    }
    case 'ended':
      return { outcome: CLEAR, written: undefined }
    case 'gone':
      throw new SessionConflictError('ended')
    case 'conflict':
      throw new SessionConflictError(result.reason)
  }
}
