/**
 * How a session is laid out in a DynamoDB item, in one place: the key, `expire_at`, the data (through the
 * store's format), the version, the per-session expiry policy, the write tokens, and the successor of a
 * regenerated session. Reads items into records (with the revision later writes are conditional on) and
 * builds items and conditions. No I/O.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import type { SessionData } from '../data.ts'
import { PACKAGE_NAME, SessionTooLargeError } from '../errors.ts'
import { decodeExpiry, encodeExpiry, type SessionExpiry } from '../expiry.ts'
import type { SessionLogger } from '../logger.ts'
import { bindingAttributes, readBinding } from './binding.ts'
import { itemSize } from './codec.ts'
import type { FormatLoaded, SessionFormat } from './format.ts'
import { type ResolvedStoreProps, sessionKey } from './props.ts'
import { type Condition, when } from './table.ts'
import type { SessionRecord, UserBinding } from './types.ts'

/** A DynamoDB item. */
export type Item = Record<string, AttributeValue>

/** DynamoDB's item size limit, in bytes. */
export const ITEM_LIMIT = 400 * 1024
/**
 * How long, in seconds, the new item of a regenerate without transactions may stay pending: past it,
 * unconfirmed, it has expired (a Lambda that died between the steps leaves nothing live).
 */
export const PENDING_SECONDS = 60
/** How long a write token is kept: longer than any SDK retry of the write that carries it. */
export const TOKEN_SECONDS = 60
/**
 * A write that reads keeps the newest this many of the tokens it found (and any of the same second as the
 * last of them) beside its own: a write whose reply was lost recognises itself on the SDK's retry (within
 * the store's `timeoutMs`, 5 s by default; in practice well under a second) unless one more than this
 * many writes that read, each in a later second, landed in between. At 100 writes a minute the item holds 4 or 5
 * tokens, about 75 to 90 bytes.
 */
const KEPT_TOKENS = 3
/** A write without a read needs fewer tokens than this in the item (it adds one and drops none). */
export const MAX_TOKENS = 5
/** Bytes set aside in every item for the tokens, the version, the policy and the key. */
const BOOKKEEPING_BYTES = MAX_TOKENS * 24 + 512

/**
 * The record's optional attributes, each under the prop that names it: epoch seconds (N), or a string.
 * Written when present, read back when of the right type.
 */
const OPTIONAL_ATTRIBUTES = [
  ['createdAt', 'createdName', 'N'],
  ['authenticatedAt', 'authenticatedName', 'N'],
  ['renewedAt', 'renewedName', 'N'],
  ['csrfSecret', 'csrfName', 'S'],
] as const

/** The fields {@link OPTIONAL_ATTRIBUTES} describe. */
type OptionalFields = {
  -readonly [F in (typeof OPTIONAL_ATTRIBUTES)[number][0]]?: SessionRecord[F]
}

/**
 * What the DynamoDB store knows of an item as it was read, for the conditional writes that follow.
 */
export interface ItemRevision {
  /** The version attribute as read, whatever its type; `undefined` when the item has none. */
  readonly version: AttributeValue | undefined
  /** The `data` and `expire_at` attributes as read: what an unversioned format's writes are conditional on. */
  readonly stored: { readonly data: AttributeValue; readonly expiresAt: AttributeValue }
  /** What the format read (its data, and its notes for writing unchanged values back as they were). */
  readonly loaded: FormatLoaded
  /**
   * The write tokens as read, newest first (token, epoch seconds); `undefined` when the item has no token
   * map. Pairs, not an object keyed by token: random keys would give every object a shape of its own.
   */
  readonly tokens: readonly (readonly [token: string, at: number])[] | undefined
  /** Whether the keys of the data can be updated in place (a map the codec reads back exactly). */
  readonly inPlace: boolean
}

/**
 * Whether two revisions are of the same stored state: the same version, or, for a format without one, the
 * same stored data.
 */
export function sameState(a: ItemRevision, b: ItemRevision): boolean {
  if (a.version || b.version) return JSON.stringify(a.version) === JSON.stringify(b.version)
  const [x, y] = [a.stored.data, b.stored.data]
  if (x.B && y.B) return Buffer.compare(x.B, y.B) === 0
  return JSON.stringify(x) === JSON.stringify(y)
}

const TOKEN_BYTES = 6
/** Random bytes for write tokens, drawn for 128 tokens at once: one `randomBytes` call costs more than a whole token. */
let tokenPool = Buffer.alloc(0)
let tokenAt = 0

/**
 * A fresh write token: 48 random bits (it tells one item's last few writes apart, nothing more: not a
 * secret, so its bytes may wait in a pool).
 */
export function newWriteToken(): string {
  if (tokenAt + TOKEN_BYTES > tokenPool.length) {
    tokenPool = randomBytes(TOKEN_BYTES * 128)
    tokenAt = 0
  }
  tokenAt += TOKEN_BYTES
  return tokenPool.toString('base64url', tokenAt - TOKEN_BYTES, tokenAt)
}

/** The time from which a write at `now` keeps the tokens of `tokens` (newest first): see `staleTokens`. */
function keptSince(tokens: NonNullable<ItemRevision['tokens']>, now: number): number {
  return Math.max(tokens[KEPT_TOKENS - 1]?.[1] ?? 0, now - TOKEN_SECONDS)
}

/** What a pending item says ({@link ItemLayout.pendingOf}): the id it replaces, the expiry it takes. */
export interface PendingMarker {
  readonly from: string
  readonly expiresAt: AttributeValue
}

/** Whether a raw attribute holds only types the native map codec writes back identically. */
function plainDocument(value: AttributeValue): boolean {
  if (value.L) return value.L.every(plainDocument)
  if (value.M) return Object.values(value.M).every(plainDocument)
  return (
    value.S !== undefined || value.N !== undefined || value.BOOL !== undefined || value.NULL !== undefined
  )
}

/** The revision a record of the DynamoDB store carries. */
export function revisionOf(record: SessionRecord): ItemRevision {
  const revision = record.revision as ItemRevision | undefined
  if (!revision?.stored) throw new TypeError('This record was not read or written by a DynamoDBSessionStore')
  return revision
}

/**
 * The item layout of one store: its props and format.
 *
 * @example
 * ```ts
 * const layout = new ItemLayout(resolveStoreProps(), codecFormat(nativeMapCodec), console, Date.now)
 * const record = layout.read(id, item)
 * ```
 */
export class ItemLayout {
  readonly props: ResolvedStoreProps
  readonly format: SessionFormat
  /** The bytes an item has left for session data. */
  readonly room: number
  readonly #logger: SessionLogger
  readonly #now: () => number

  constructor(props: ResolvedStoreProps, format: SessionFormat, logger: SessionLogger, now: () => number) {
    this.props = props
    this.format = format
    this.#logger = logger
    this.#now = now
    const names = [props.partitionKey.name, props.sortKey?.name ?? '', ...Object.values(props)].join('')
    this.room = ITEM_LIMIT - BOOKKEEPING_BYTES - Buffer.byteLength(names) - 2 * 255
  }

  /** The key of session `id`. */
  key(id: string): Item {
    return sessionKey(this.props, id)
  }

  /** The successor id a tombstone left by `regenerate()` names, if `item` is one. */
  successorOf(item: Item | null | undefined): string | undefined {
    return item?.[this.props.successorName]?.S
  }

  /**
   * The id a renewal's item under the old id names while its grace window is open at `now` (epoch
   * seconds); `undefined` for any other item, and once the window has closed.
   */
  graceSuccessorOf(item: Item | null | undefined, now: number): string | undefined {
    const until = Number(item?.[this.props.graceName]?.N)
    return until > now ? this.successorOf(item) : undefined
  }

  /**
   * What a pending item says (`transactions: false`): the old id its regenerate replaces, and the expiry it
   * takes once confirmed; `undefined` for any other item.
   */
  pendingOf(item: Item | null | undefined): PendingMarker | undefined {
    const pending = item?.[this.props.pendingName]?.M
    const from = pending?.from?.S
    return from !== undefined && pending?.expire_at?.N !== undefined
      ? { from, expiresAt: pending.expire_at }
      : undefined
  }

  /**
   * `created` as the first step of a regenerate without transactions writes it: not a live session (for
   * any reader, this library's or another service's) until confirmed, and gone in
   * {@link PENDING_SECONDS} if it never is.
   */
  pending(created: Item, from: string, now: number): Item {
    const { expiryName, pendingName } = this.props
    const expiresAt = created[expiryName] as AttributeValue
    return {
      ...created,
      [expiryName]: { N: String(Math.min(Number(expiresAt.N), now + PENDING_SECONDS)) },
      [pendingName]: { M: { from: { S: from }, expire_at: expiresAt } },
    }
  }

  /** Whether `item` carries the write token `token` (a write of ours was applied). */
  hasToken(item: Item | null | undefined, token: string): boolean {
    return item?.[this.props.writeTokensName]?.M?.[token] !== undefined
  }

  /**
   * Reads an item into a record; `undefined` when it is not a live session: absent, expired (TTL has
   * not removed it yet), a regenerated session's tombstone, a new item still pending, or corrupted (with
   * a warning).
   */
  read(id: string, item: Item | null | undefined): SessionRecord | undefined {
    if (!item || this.successorOf(item) !== undefined || item[this.props.pendingName]) return undefined
    const { expiryName, dataName, expiryPolicyName, tableName } = this.props
    const expiresAt = Number(item[expiryName]?.N)
    const rawPolicy = item[expiryPolicyName]
    const expiry = rawPolicy && decodeExpiry(rawPolicy.S ?? '')
    const rawData = item[dataName]
    let problem: string | undefined
    let loaded: FormatLoaded | undefined
    if (!Number.isFinite(expiresAt)) problem = `no numeric "${expiryName}"`
    else if (rawPolicy && !expiry) problem = `unreadable "${expiryPolicyName}"`
    else if (!rawData) problem = `no "${dataName}"`
    else {
      try {
        loaded = this.format.decode(rawData, id)
      } catch (error) {
        // The error's name only: a decoder's message may quote the stored data (JSON.parse does).
        problem = `undecodable "${dataName}" (${error instanceof Error ? error.name : typeof error})`
      }
    }
    if (!loaded) {
      this.#logger.warn(`${PACKAGE_NAME}: ignoring a corrupted session item`, { tableName, problem })
      return undefined
    }
    if (expiresAt <= Math.floor(this.#now() / 1000)) return undefined
    const optional: Record<string, number | string> = {}
    for (const [field, prop, type] of OPTIONAL_ATTRIBUTES) {
      const raw = item[this.props[prop]]?.[type]
      if (type === 'S' && raw !== undefined) optional[field] = raw
      else if (type === 'N' && Number.isSafeInteger(Number(raw))) optional[field] = Number(raw)
    }
    const record: SessionRecord = {
      id,
      data: loaded.data,
      expiresAt,
      expiry: expiry || undefined,
      revision: this.revision(item, loaded),
      ...(optional as OptionalFields),
    }
    const user = readBinding(item)
    return user ? { ...record, user } : record
  }

  /** The revision of `item` (as read or as written), whose data the format read as `loaded`. */
  revision(item: Item, loaded: FormatLoaded): ItemRevision {
    const { expiryName, dataName, versionName, writeTokensName } = this.props
    const version = item[versionName]
    const tokens = this.#tokens(item[writeTokensName])
    const data = item[dataName] as AttributeValue
    return {
      version,
      stored: { data, expiresAt: item[expiryName] as AttributeValue },
      loaded,
      tokens,
      inPlace:
        this.format.encodeEntry !== undefined &&
        this.format.versioned &&
        tokens !== undefined &&
        data.M !== undefined &&
        plainDocument(data) &&
        (version === undefined || version.N !== undefined),
    }
  }

  #tokens(value: AttributeValue | undefined): [string, number][] | undefined {
    if (!value?.M) return undefined
    const tokens: [string, number][] = []
    const map = value.M
    // `for...in`: each item's map has keys of its own, where `Object.entries` is several times slower.
    for (const token in map) {
      const seconds = Number(map[token]?.N)
      if (Number.isFinite(seconds)) tokens.push([token, seconds])
    }
    return tokens.sort((a, b) => b[1] - a[1])
  }

  /**
   * The tokens of `revision` a write made at `now` drops: older than a minute, or older than the newest
   * {@link KEPT_TOKENS} (those of the same second as the last of them are kept: a second's writes are not
   * told apart by time).
   */
  staleTokens(revision: ItemRevision, now: number): string[] {
    const tokens = revision.tokens ?? []
    const since = keptSince(tokens, now)
    return tokens.filter(([, at]) => at < since).map(([token]) => token)
  }

  /** The token map a whole-item write at `now` stores: the revision's recent tokens and `token`. */
  tokensAfter(revision: ItemRevision | undefined, token: string, now: number): AttributeValue {
    const tokens = revision?.tokens ?? []
    const since = keptSince(tokens, now)
    const kept: [string, AttributeValue][] = []
    for (const [recent, at] of tokens) if (at >= since) kept.push([recent, { N: String(at) }])
    kept.push([token, { N: String(now) }])
    return { M: Object.fromEntries(kept) }
  }

  /**
   * The attributes a revision is read from after an in-place write from `revision` (asked back from
   * DynamoDB, they would cost every such write a larger reply to parse). The version is the next one: a
   * write of other keys made at the same moment also raised it, so it may be behind the item's, and a
   * later write that conditions on it is then refused and re-read, never applied over the other.
   */
  afterInPlace(revision: ItemRevision, expiresAt: number, token: string, now: number): Item {
    const { dataName, expiryName, versionName, writeTokensName } = this.props
    return {
      [dataName]: revision.stored.data,
      [expiryName]: { N: String(expiresAt) },
      [versionName]: this.nextVersion(revision) ?? { N: '1' },
      [writeTokensName]: this.tokensAfter(revision, token, now),
    }
  }

  /**
   * The version a whole-item write stores after `revision` (1 when it had none, or an unusable one);
   * `undefined` for a format whose items carry no version.
   */
  nextVersion(revision: ItemRevision | undefined): AttributeValue | undefined {
    if (!this.format.versioned) return undefined
    const current = Number(revision?.version?.N)
    return { N: String(Number.isSafeInteger(current) && current >= 0 ? current + 1 : 1) }
  }

  /**
   * A whole session item, size-checked. `keep`: the keys whose values are unchanged since `revision` was
   * read, which the format may write back in their stored form.
   */
  item(
    id: string,
    fields: {
      data: SessionData
      expiresAt: number
      expiry?: SessionExpiry | undefined
      user?: UserBinding | undefined
    } & { [F in keyof OptionalFields]?: OptionalFields[F] | undefined },
    version: AttributeValue | undefined,
    tokens: AttributeValue,
    keep?: { revision: ItemRevision; keys: ReadonlySet<string> },
  ): Item {
    const { expiryName, dataName, versionName, expiryPolicyName, writeTokensName } = this.props
    const record = { id, data: fields.data, expiresAt: fields.expiresAt }
    const item: Item = {
      ...this.key(id),
      [expiryName]: { N: String(fields.expiresAt) },
      [writeTokensName]: tokens,
      [dataName]: this.format.encode(record, keep && { loaded: keep.revision.loaded, keys: keep.keys }),
    }
    if (version) item[versionName] = version
    if (fields.expiry) item[expiryPolicyName] = { S: encodeExpiry(fields.expiry) }
    for (const [field, prop, type] of OPTIONAL_ATTRIBUTES) {
      const value = fields[field]
      if (value !== undefined)
        item[this.props[prop]] = type === 'N' ? { N: String(value) } : { S: String(value) }
    }
    if (fields.user) Object.assign(item, bindingAttributes(fields.user, this.#now()))
    const size = itemSize(item)
    if (size > ITEM_LIMIT) throw new SessionTooLargeError(size, ITEM_LIMIT)
    return item
  }

  /**
   * The item `regenerate()` leaves under the old id until `expiresAt`: no data, the new id, and the recent
   * write tokens of `revision` (the session as the regenerate read it), so that a write applied just before
   * the regenerate, whose reply was lost, still recognises itself when the SDK sends it again. A renewal's
   * also says until when the old id reaches the new session (`graceUntil`).
   */
  tombstone(
    id: string,
    successor: string,
    revision: ItemRevision,
    expiresAt: number,
    now: number,
    graceUntil?: number,
  ): Item {
    const { expiryName, versionName, successorName, writeTokensName, graceName } = this.props
    const item: Item = {
      ...this.key(id),
      [expiryName]: { N: String(expiresAt) },
      [successorName]: { S: successor },
    }
    if (graceUntil !== undefined) item[graceName] = { N: String(graceUntil) }
    const version = this.nextVersion(revision)
    if (version) item[versionName] = version
    const stale = new Set(this.staleTokens(revision, now))
    const kept = (revision.tokens ?? []).filter(([token]) => !stale.has(token))
    if (kept.length > 0) {
      item[writeTokensName] = { M: Object.fromEntries(kept.map(([token, at]) => [token, { N: String(at) }])) }
    }
    return item
  }

  /**
   * The condition that the item is still as `revision` read it (and so still exists) and has not
   * expired at `now`.
   */
  unchangedIf(revision: ItemRevision, now: number): Condition {
    const { partitionKey, versionName, expiryName, dataName } = this.props
    const alive = when.gt([expiryName], { N: String(now) })
    // Without a version, the stored data and expiry themselves: any other writer changes them.
    if (!this.format.versioned) {
      return when.and(
        when.eq([dataName], revision.stored.data),
        when.eq([expiryName], revision.stored.expiresAt),
        alive,
      )
    }
    const same = revision.version
      ? when.eq([versionName], revision.version)
      : when.and(when.exists([partitionKey.name]), when.missing([versionName]))
    return when.and(same, alive)
  }
}
