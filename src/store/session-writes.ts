/**
 * The two ways the engine writes a changed session: the whole item (every attribute, conditional on the
 * version as read), or one update of the changed keys only (each conditional on its value as read).
 * Pure: they build the write, the engine sends it.
 *
 * @module
 */
import { type JsonValue, ownValue } from '../data.ts'
import { encodeExpiry } from '../expiry.ts'
import { USER_ATTRIBUTES } from './binding.ts'
import type { SessionDataCodec } from './codec.ts'
import { type Item, type ItemLayout, MAX_TOKENS, revisionOf } from './item-layout.ts'
import { type Condition, type Path, type Update, when } from './table.ts'
import type { NewSessionRecord, SessionChange, SessionRecord, UnreadChange } from './types.ts'

/**
 * The whole item `change` leads to on top of `base`, under `id` (a new id for a regenerate). The values
 * of keys the change left alone are the ones `base` was read with: the format may write them back in
 * their stored form.
 */
export function wholeItem(
  layout: ItemLayout,
  change: SessionChange,
  base: SessionRecord,
  after: NewSessionRecord,
  token: string,
  id = base.id,
): Item {
  const revision = revisionOf(base)
  const keys = change.cleared ? [] : Object.keys(base.data).filter((key) => !change.entries.has(key))
  return layout.item(
    id,
    after,
    id === base.id ? layout.nextVersion(revision) : layout.nextVersion(undefined),
    layout.tokensAfter(id === base.id ? revision : undefined, token, change.now),
    { revision, keys: new Set(keys) },
  )
}

/**
 * What an update of keys in place needs of the item: its data a map, alive at `now`, and a version of
 * this store's, if any.
 */
function liveMapConditions(props: ItemLayout['props'], now: number): Condition[] {
  const { dataName, expiryName, versionName } = props
  return [
    when.hasType([dataName], 'M'),
    when.gt([expiryName], { N: String(now) }),
    when.or(when.missing([versionName]), when.hasType([versionName], 'N')),
  ]
}

/**
 * The one update of a session a request set keys of without reading it (`blindWrites`): the keys, the
 * default expiry from now, a write token, the version. It holds only where nothing more is needed to
 * write it right: a session of this store's map format, alive, on the default expiry policy, within its
 * absolute lifetime and not due for renewal, with room for one more write token; and not written by this
 * very write already (its token, when the SDK sends it again after a lost reply). Otherwise the engine
 * falls back to the write of a request that read.
 */
export function unreadWrite(
  layout: ItemLayout,
  change: UnreadChange,
  expiresAt: number,
  token: string,
  nowMs: number,
): { update: Update; condition: Condition } {
  const { props, format } = layout
  const encode = format.encodeEntry as (value: JsonValue) => ReturnType<SessionDataCodec['encode']>
  const { dataName, expiryName, versionName, expiryPolicyName, writeTokensName, createdName, renewedName } =
    props
  const { now, maxLifetime, renewal } = change
  const set: [Path, Item[string]][] = [...change.entries].map(([key, value]) => [
    [dataName, key],
    encode(value),
  ])
  set.push(
    [[expiryName], { N: String(expiresAt) }],
    [[writeTokensName, token], { N: String(now) }],
    // A bound session's last use, for its user's list (an unbound session's is read by nobody).
    [[USER_ATTRIBUTES.lastUsed], { N: String(nowMs) }],
  )
  const conditions: Condition[] = [
    ...liveMapConditions(props, now),
    when.missing([expiryPolicyName]),
    when.sizeBelow([writeTokensName], MAX_TOKENS),
    when.missing([writeTokensName, token]),
  ]
  // The rolling expiry stays short of the absolute deadline (created_at + maxLifetime).
  if (maxLifetime !== undefined)
    conditions.push(when.gt([createdName], { N: String(expiresAt - maxLifetime - 1) }))
  // Renewal is not due: the id was issued (renewed, or else created) less than `every` seconds ago.
  if (renewal) {
    const since = { N: String(now - renewal.every) }
    conditions.push(
      when.or(
        when.gt([renewedName], since),
        when.and(when.missing([renewedName]), when.gt([createdName], since)),
      ),
    )
  }
  return { update: { set, add: [[[versionName], 1]] }, condition: when.and(...conditions) }
}

/**
 * One update of the changed keys only, conditional on each still holding what the request loaded and on
 * the expiry policy being unchanged (the new `expire_at` depends on it). `nowMs` is a bound session's
 * last use.
 */
export function inPlaceWrite(
  layout: ItemLayout,
  change: SessionChange,
  base: SessionRecord,
  after: NewSessionRecord,
  token: string,
  nowMs: number,
): { update: Update; condition: Condition } {
  const { expiresAt, createdAt } = after
  const { props, format } = layout
  const encode = format.encodeEntry as (value: JsonValue) => ReturnType<SessionDataCodec['encode']>
  const now = change.now
  const { dataName, expiryName, versionName, expiryPolicyName, writeTokensName } = props
  const set: [Path, Item[string]][] = []
  const remove: Path[] = []
  const conditions: Condition[] = [
    when.exists([writeTokensName]),
    ...liveMapConditions(props, now),
    base.expiry
      ? when.eq([expiryPolicyName], { S: encodeExpiry(base.expiry) })
      : when.missing([expiryPolicyName]),
  ]
  for (const [key, value] of change.entries) {
    const path: Path = [dataName, key]
    if (value === undefined) remove.push(path)
    else set.push([path, encode(value)])
    const loaded = ownValue(base.data, key) as JsonValue | undefined
    conditions.push(loaded === undefined ? when.missing(path) : when.eq(path, encode(loaded)))
  }
  if (change.expiry?.policy) set.push([[expiryPolicyName], { S: encodeExpiry(change.expiry.policy) }])
  else if (change.expiry) remove.push([expiryPolicyName])
  set.push([[expiryName], { N: String(expiresAt) }], [[writeTokensName, token], { N: String(now) }])
  if (base.user) set.push([[USER_ATTRIBUTES.lastUsed], { N: String(nowMs) }])
  if (base.createdAt === undefined && createdAt !== undefined) {
    set.push([[props.createdName], { N: String(createdAt) }])
  }
  if (change.authenticatedAt !== undefined) {
    set.push([[props.authenticatedName], { N: String(change.authenticatedAt) }])
  }
  if (change.csrfSecret !== undefined) {
    set.push([[props.csrfName], { S: change.csrfSecret }])
    conditions.push(when.missing([props.csrfName]))
  }
  for (const stale of layout.staleTokens(revisionOf(base), now)) remove.push([writeTokensName, stale])
  return { update: { set, remove, add: [[[versionName], 1]] }, condition: when.and(...conditions) }
}
