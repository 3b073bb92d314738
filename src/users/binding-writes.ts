/**
 * The writes of users' items that keep them in step with session writes: in one transaction with the
 * session's write ({@link bindingWrites}), or, without transactions (MRSC global tables), each on its
 * own, in the order that keeps "sign out everywhere" complete ({@link steppedBindingWrites},
 * {@link entryMoveWrite}; the argument is in docs/multi-region.md).
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import {
  type BindingStep,
  bindingPlan,
  type SteppedBindingWrites,
  USER_ATTRIBUTES,
  type UserWrite,
} from '../store/binding.ts'
import type { ResolvedStoreProps } from '../store/props.ts'
import { type Condition, type Path, type Update, when } from '../store/table.ts'
import type { UserBinding } from '../store/types.ts'
import { USER_ITEM_SECONDS, unlockedIf, userItemKey } from './user-items.ts'

/** What an add or a move of an entry counts: `user_version` + 1, and the user's item's expiry moved on. */
function counted(props: ResolvedStoreProps, nowMs: number): Pick<Update, 'set' | 'add'> {
  const expiry: [Path, AttributeValue] = [
    [props.expiryName],
    { N: String(Math.floor(nowMs / 1000) + USER_ITEM_SECONDS) },
  ]
  return { set: [expiry], add: [[[USER_ATTRIBUTES.version], 1]] }
}

/** A write of `userId`'s item. */
function userWrite(
  props: ResolvedStoreProps,
  userId: string,
  update: Update,
  condition?: Condition,
): UserWrite {
  return { userId, write: { update, key: userItemKey(props, userId), if: condition } }
}

/**
 * Adds `binding`'s entry, naming `toId` (and removes `replacing`), if the user is not leased and has room,
 * or if the entry names `toId` already (this very write, whose reply was lost, sent again by the SDK).
 */
function addWrite(
  props: ResolvedStoreProps,
  add: { binding: UserBinding; toId: string; replacing?: string | undefined },
  nowMs: number,
  maxSessions: number,
): UserWrite {
  const { sessions } = USER_ATTRIBUTES
  const path: Path = [sessions, add.binding.handle]
  const { set = [], add: bump } = counted(props, nowMs)
  return userWrite(
    props,
    add.binding.userId,
    {
      set: [[path, { S: add.toId }], ...set],
      remove: add.replacing ? [[sessions, add.replacing]] : [],
      add: bump,
    },
    when.or(
      when.eq(path, { S: add.toId }),
      when.and(when.exists([sessions]), unlockedIf(nowMs), when.sizeBelow([sessions], maxSessions)),
    ),
  )
}

/**
 * Points `binding`'s entry at `toId`, while it names one of `fromIds` (it was not ended meanwhile) and the
 * user is not being signed out everywhere.
 */
function moveWrite(
  props: ResolvedStoreProps,
  binding: UserBinding,
  fromIds: readonly string[],
  toId: string,
  nowMs: number,
): UserWrite {
  const path: Path = [USER_ATTRIBUTES.sessions, binding.handle]
  const { set = [], add } = counted(props, nowMs)
  return userWrite(
    props,
    binding.userId,
    { set: [[path, { S: toId }], ...set], add },
    when.and(when.or(...fromIds.map((id) => when.eq(path, { S: id }))), unlockedIf(nowMs)),
  )
}

/** Removes `binding`'s entry (only while it names `onlyId`, when given). */
function dropWrite(props: ResolvedStoreProps, binding: UserBinding, onlyId?: string): UserWrite {
  const path: Path = [USER_ATTRIBUTES.sessions, binding.handle]
  return userWrite(
    props,
    binding.userId,
    { remove: [path] },
    onlyId ? when.eq(path, { S: onlyId }) : undefined,
  )
}

/**
 * The writes of users' items that must commit with a session write, in the same transaction, each with
 * the user whose item it updates: add the new binding (if the user is not being signed out everywhere and
 * has room), drop the old one, or point a regenerated session's entry at its new id. An add or a follow
 * counts in `user_version` (so a sign-out whose lease ran out sees it) and moves the item's expiry to
 * {@link USER_ITEM_SECONDS} from now.
 */
export function bindingWrites(
  props: ResolvedStoreProps,
  step: BindingStep,
  nowMs: number,
  maxSessions: number,
): UserWrite[] {
  const { follow, add, drop } = bindingPlan(step)
  // A regenerated bound session: its entry follows it to the new id, unless it was ended meanwhile.
  if (follow) return [moveWrite(props, follow.binding, [step.fromId], follow.toId, nowMs)]
  const writes: UserWrite[] = []
  if (add) writes.push(addWrite(props, add, nowMs, maxSessions))
  // The session write is conditional on the session as read, whose binding names this entry.
  if (drop) writes.push(dropWrite(props, drop))
  return writes
}

/**
 * {@link bindingWrites} without a transaction (`transactions: false`), in the order that keeps "sign out
 * everywhere" complete: a new entry is added `before` the session write that binds (so a bound session
 * is never missing from its user's item), entries are dropped `after` the write that unbinds or moves
 * the session (each only while it still names the old id). A regenerate's entry is not moved here: its
 * new item is confirmed with {@link entryMoveWrite}.
 */
export function steppedBindingWrites(
  props: ResolvedStoreProps,
  step: BindingStep,
  nowMs: number,
  maxSessions: number,
): SteppedBindingWrites {
  const { add, drop } = bindingPlan(step)
  const after: UserWrite[] = []
  if (drop) after.push(dropWrite(props, drop, step.fromId))
  // The old handle's entry names the session until its write is made (and stays if it is refused).
  if (add?.replacing) after.push(dropWrite(props, { ...add.binding, handle: add.replacing }, step.fromId))
  const before = add && addWrite(props, { ...add, replacing: undefined }, nowMs, maxSessions)
  return { before, after }
}

/**
 * The write that confirms a regenerate's bound new item on its user's item, without a transaction: the
 * entry of `binding` names `toId`, if it names `fromId` (the session before) or `toId` already (added
 * before the commit, or moved by an earlier confirmation), and the user is not being signed out.
 */
export function entryMoveWrite(
  props: ResolvedStoreProps,
  binding: UserBinding,
  fromId: string,
  toId: string,
  nowMs: number,
): UserWrite {
  return moveWrite(props, binding, [fromId, toId], toId, nowMs)
}
