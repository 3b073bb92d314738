/**
 * Room for one more session of a user at the cap (`maxSessionsPerUser`): the entries of sessions that are
 * provably gone are dropped, each only while it still names the id checked; else the least recently used
 * session is ended (`'end-least-recent'`) or the bind refused with `TooManySessionsError`. And what a
 * refused binding write needs before it is tried again.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { TooManySessionsError } from '../errors.ts'
import { type BindingRefusal, USER_ATTRIBUTES } from '../store/binding.ts'
import { sessionKey } from '../store/props.ts'
import { type Path, when } from '../store/table.ts'
import {
  entryIds,
  foreignItem,
  type Item,
  MAX_HOPS,
  MAX_ROUNDS,
  type UserItems,
  type UserPolicy,
  waitLimit,
} from './user-items.ts'

/**
 * The handles a clean-up may drop, and, when none, the handle the `'end-least-recent'` policy ends: an
 * entry is dropped only when its session is provably gone (no item, or expired; successors followed), so
 * a live session that lost its binding attributes (rewritten by another writer) is never stale.
 *
 * @example
 * ```ts
 * roomPlan([['h1', { gone: true, lastUsed: 0 }]]) // { stale: ['h1'], leastRecent: undefined }
 * ```
 */
export function roomPlan(states: Iterable<readonly [string, { gone: boolean; lastUsed: number }]>): {
  stale: string[]
  leastRecent: string | undefined
} {
  const stale: string[] = []
  let leastRecent: { handle: string; lastUsed: number } | undefined
  for (const [handle, { gone, lastUsed }] of states) {
    if (gone) stale.push(handle)
    else if (!leastRecent || lastUsed < leastRecent.lastUsed) leastRecent = { handle, lastUsed }
  }
  return { stale, leastRecent: leastRecent?.handle }
}

/**
 * The clean-up at the cap of one store's users.
 *
 * @example
 * ```ts
 * await new Room(items, policy, (userId, handle) => index.end(userId, handle)).checkRoom('u-42')
 * ```
 */
export class Room {
  readonly #items: UserItems
  readonly #policy: UserPolicy
  readonly #end: (userId: string, handle: string) => Promise<boolean>

  constructor(
    items: UserItems,
    policy: UserPolicy,
    end: (userId: string, handle: string) => Promise<boolean>,
  ) {
    this.#items = items
    this.#policy = policy
    this.#end = end
  }

  async checkRoom(userId: string, options: { deadline?: number | undefined } = {}): Promise<void> {
    this.#items.check(userId)
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if ((await this.makeRoom(userId, options.deadline, round)) !== 'changed') return
    }
  }
  /**
   * What a bind refused for `refusal` needs before it is tried again: the user's item created, a lease
   * waited out, or room made. Throws when there is nothing to wait for (a full user under the `'refuse'`
   * policy: {@link TooManySessionsError}; a foreign item at the user's key: {@link SessionStoreError}).
   *
   * @internal
   */
  async prepare(
    userId: string,
    refusal: BindingRefusal,
    deadline: number | undefined,
    attempt: number,
  ): Promise<void> {
    switch (refusal.kind) {
      case 'no-user-item':
        return this.#items.createUserItem(userId)
      case 'foreign':
        throw foreignItem('TransactWriteItems')
      case 'locked':
        return this.#items.waitOut(refusal.until, waitLimit(deadline), 'TransactWriteItems', attempt)
      case 'full':
        await this.makeRoom(userId, deadline, attempt)
        return
      case 'ended':
        return
    }
  }
  /**
   * Makes room for one more session of `userId` if the user is full: drops the entries whose session is
   * provably gone, each only while it still names the session that was checked; with none, ends the
   * least recently used session (`'end-least-recent'`) or throws {@link TooManySessionsError}. Resolves
   * `'room'` when there was room, `'changed'` when it changed the item (check again).
   *
   * @internal
   */
  async makeRoom(userId: string, deadline: number | undefined, attempt: number): Promise<'room' | 'changed'> {
    const item = await this.#items.read(userId)
    if (item && !item[USER_ATTRIBUTES.sessions]?.M) throw foreignItem('GetItem')
    // A user's first session: the item now, so the bind's transaction needs no second try.
    if (!item) await this.#items.createUserItem(userId)
    const sids = new Map(entryIds(item))
    if (sids.size < this.#policy.maxSessions) return 'room'
    const until = Number(item?.[USER_ATTRIBUTES.revoking]?.N)
    if (until >= this.#items.host.now()) {
      // Being signed out everywhere: the entries are about to go.
      await this.#items.waitOut(until, waitLimit(deadline), 'GetItem', attempt)
      return 'changed'
    }
    const states = await this.#states([...sids.values()])
    const { stale, leastRecent } = roomPlan(
      [...sids].map(([handle, sid]) => [handle, states.get(sid) ?? { gone: false, lastUsed: 0 }] as const),
    )
    if (stale.length === 0) {
      if (this.#policy.whenFull === 'refuse' || leastRecent === undefined) {
        throw new TooManySessionsError(this.#policy.maxSessions)
      }
      await this.#end(userId, leastRecent)
      return 'changed'
    }
    const paths = stale.map((handle) => [[USER_ATTRIBUTES.sessions, handle] as Path, handle] as const)
    // Each removal only while the entry still names the session found gone (a regenerate moves it).
    await this.#items.update(
      userId,
      { remove: paths.map(([path]) => path) },
      when.and(...paths.map(([path, handle]) => when.eq(path, { S: sids.get(handle) ?? '' }))),
    )
    return 'changed'
  }
  /**
   * Whether each session is provably gone (no item, or expired and naming no successor; a successor is
   * followed, never taken as gone) and when it was last used, with strongly consistent batch reads.
   */
  async #states(ids: string[]): Promise<Map<string, { gone: boolean; lastUsed: number }>> {
    const { props } = this.#items.host
    const nowSeconds = this.#items.nowSeconds()
    const states = new Map<string, { gone: boolean; lastUsed: number }>()
    let frontier = ids.map((id) => ({ origin: id, id }))
    for (let hop = 0; frontier.length > 0 && hop < MAX_HOPS; hop++) {
      const items = await this.#itemsOf(frontier.map(({ id }) => id))
      const next: typeof frontier = []
      for (const { origin, id } of frontier) {
        const item = items.get(id)
        const successor = item?.[props.successorName]?.S
        if (successor !== undefined) {
          next.push({ origin, id: successor })
          continue
        }
        const live = item !== undefined && Number(item[props.expiryName]?.N) > nowSeconds
        states.set(origin, { gone: !live, lastUsed: Number(item?.[USER_ATTRIBUTES.lastUsed]?.N ?? 0) })
      }
      frontier = next
    }
    return states
  }
  /** The items of session `ids` (key, expiry, successor, last use), read consistently. */
  async #itemsOf(ids: string[]): Promise<Map<string, Item>> {
    const { props } = this.#items.host
    const byKey = new Map(ids.map((id) => [JSON.stringify(sessionKey(props, id)), id]))
    const keyNames = [props.partitionKey.name, ...(props.sortKey ? [props.sortKey.name] : [])]
    const items = await this.#items.table.getMany(
      ids.map((id) => sessionKey(props, id)),
      [props.expiryName, props.successorName, USER_ATTRIBUTES.lastUsed],
    )
    const found = new Map<string, Item>()
    for (const item of items) {
      const key = Object.fromEntries(keyNames.map((k) => [k, item[k] as AttributeValue]))
      const id = byKey.get(JSON.stringify(key))
      if (id !== undefined) found.set(id, item)
    }
    return found
  }
}
