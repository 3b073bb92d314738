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
import { type Item, type ItemLayout, revisionOf } from './item-layout.ts'
import { type Condition, type Path, type Update, when } from './table.ts'
import type { NewSessionRecord, SessionChange, SessionRecord } from './types.ts'

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
    when.hasType([dataName], 'M'),
    when.gt([expiryName], { N: String(now) }),
    when.or(when.missing([versionName]), when.hasType([versionName], 'N')),
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
