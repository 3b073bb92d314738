/**
 * "Sign out everywhere": ends every session of a user, completely, under a short lease on the user's item
 * that a concurrent bind waits for, fenced by the item's version so a stalled sign-out whose lease ran out
 * starts over; the index is the second net. The argument is in SECURITY.md.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { SessionBusyError } from '../errors.ts'
import { USER_ATTRIBUTES } from '../store/binding.ts'
import { sessionKey } from '../store/props.ts'
import { type Condition, type Path, when } from '../store/table.ts'
import {
  bindingRefusal,
  entryIds,
  foreignItem,
  type Item,
  MAX_ROUNDS,
  USER_LEASE_MS,
  type UserItems,
  unlockedIf,
  waitLimit,
} from './user-items.ts'

/**
 * A lease of "sign out everywhere" on a user's item: until when (epoch ms, renewed), whose (a random
 * token), the `user_version` it saw, and the entries it read with it.
 */
interface Lease {
  until: number
  readonly token: string
  readonly version: string | undefined
  readonly entries: readonly (readonly [handle: string, sid: string])[]
}

/**
 * "Sign out everywhere" of one store's users.
 *
 * @example
 * ```ts
 * const ended = await new SignOut(items).endAll('u-42')
 * ```
 */
export class SignOut {
  readonly #items: UserItems

  constructor(items: UserItems) {
    this.#items = items
  }

  async endAll(
    userId: string,
    options: { except?: string | undefined; deadline?: number | undefined } = {},
  ): Promise<number> {
    this.#items.check(userId)
    const limit = waitLimit(options.deadline)
    const ended = new Set<string>()
    for (let round = 0; ; round++) {
      const lease = await this.#lease(userId, limit)
      const ids = (lease?.entries ?? []).filter(([handle]) => handle !== options.except)
      // 1. The sessions the user's item names (renewing the lease while it takes).
      for (let i = 0; i < ids.length; i += 25) {
        if (lease && !(await this.#renew(userId, lease))) break
        const batch = ids.slice(i, i + 25)
        await this.#items.table.deleteMany(batch.map(([, sid]) => sessionKey(this.#items.host.props, sid)))
        for (const [handle] of batch) ended.add(handle)
      }
      // 2. A second net: what the index still shows bound to the user (a session whose user's item
      //    expired, say), each deleted only if it is still bound to this user under that handle.
      if (!lease || (await this.#renew(userId, lease))) {
        for (const handle of await this.#deleteIndexed(userId, options.except, lease)) ended.add(handle)
      }
      // 3. Drop the entries and free the lease, if no bind or regenerate came in meanwhile (possible only
      //    if the lease ran out): else once more, from a fresh list.
      if (
        !lease ||
        (await this.#release(
          userId,
          lease,
          ids.map(([handle]) => handle),
        ))
      )
        return ended.size
      if (round + 1 >= MAX_ROUNDS || Date.now() > limit) throw new SessionBusyError('UpdateItem', 1)
    }
  }
  /**
   * Takes the lease on `userId`'s item and, in the same step, its entries and version; `undefined` when the
   * user has no item. Waits for a rival's lease to run out, until `limit`, then throws
   * {@link SessionBusyError}.
   */
  async #lease(userId: string, limit: number): Promise<Lease | undefined> {
    const { sessions, revoking, revokeToken, version } = USER_ATTRIBUTES
    const token = crypto.randomUUID()
    for (let attempt = 0; ; attempt++) {
      const now = this.#items.host.now()
      const until = now + USER_LEASE_MS
      const outcome = await this.#items.update(
        userId,
        {
          set: [
            [[revoking], { N: String(until) }],
            [[revokeToken], { S: token }],
          ],
        },
        when.and(when.exists([sessions]), unlockedIf(now)),
        'new',
      )
      const item = 'attributes' in outcome ? outcome.attributes : outcome.failed
      // Taken (also by this very call, whose reply was lost and which the SDK sent again): ours.
      if (item?.[revokeToken]?.S === token) {
        return { until: Number(item[revoking]?.N), token, version: item[version]?.N, entries: entryIds(item) }
      }
      const refusal = bindingRefusal(item, now, Number.POSITIVE_INFINITY)
      if (refusal.kind === 'no-user-item') return undefined // the user never bound a session
      if (refusal.kind === 'foreign') throw foreignItem('UpdateItem')
      // A rival's lease: wait it out (any other refusal is a passing race: a short backoff, bounded too).
      await this.#items.waitOut(refusal.kind === 'locked' ? refusal.until : now, limit, 'UpdateItem', attempt)
    }
  }
  /** The condition that the lease is still `lease` and no bind or regenerate came in since it was taken. */
  #stillOurs(lease: Lease): Condition {
    const version: Path = [USER_ATTRIBUTES.version]
    const sameVersion = lease.version ? when.eq(version, { N: lease.version }) : when.missing(version)
    return when.and(when.eq([USER_ATTRIBUTES.revokeToken], { S: lease.token }), sameVersion)
  }
  /** Extends the lease when less than half of it is left; resolves `false` when it is no longer ours. */
  async #renew(userId: string, lease: Lease): Promise<boolean> {
    const now = this.#items.host.now()
    if (lease.until - now > USER_LEASE_MS / 2) return true
    const until = now + USER_LEASE_MS
    const outcome = await this.#items.update(
      userId,
      { set: [[[USER_ATTRIBUTES.revoking], { N: String(until) }]] },
      this.#stillOurs(lease),
    )
    if ('failed' in outcome) return false
    lease.until = until
    return true
  }
  /**
   * Removes the ended entries and the lease, 100 entries per update (expressions are capped at 4 KB), the
   * last update freeing the lease; each only while the lease is ours and no bind came in. Resolves whether
   * it was so throughout.
   */
  async #release(userId: string, lease: Lease, handles: string[]): Promise<boolean> {
    const { sessions, revoking, revokeToken } = USER_ATTRIBUTES
    const chunks: string[][] = []
    for (let i = 0; i < handles.length; i += 100) chunks.push(handles.slice(i, i + 100))
    if (chunks.length === 0) chunks.push([])
    for (const [index, chunk] of chunks.entries()) {
      if (!(await this.#renew(userId, lease))) return false
      const removals: Path[] = chunk.map((handle) => [sessions, handle])
      if (index === chunks.length - 1) removals.push([revoking], [revokeToken])
      const outcome = await this.#items.update(userId, { remove: removals }, this.#stillOurs(lease))
      if ('failed' in outcome) {
        // The last update's reply was lost and the SDK sent it again: the lease is already freed by it.
        const item = outcome.failed
        const freed = index === chunks.length - 1 && item?.[revokeToken] === undefined
        return freed && chunk.every((handle) => item?.[sessions]?.M?.[handle] === undefined)
      }
    }
    return true
  }
  /**
   * Deletes the sessions the index shows bound to `userId` (but `except`), each only while it is still
   * bound to that user under that handle; resolves their handles. The index is eventually consistent:
   * this is the second net, the user's item the first.
   */
  async #deleteIndexed(
    userId: string,
    except: string | undefined,
    lease: Lease | undefined,
  ): Promise<string[]> {
    const { props } = this.#items.host
    const { user, handle } = USER_ATTRIBUTES
    const keyNames = [props.partitionKey.name, ...(props.sortKey ? [props.sortKey.name] : [])]
    const handles: string[] = []
    let cursor: string | undefined
    do {
      const page = await this.#items.query(userId, {
        cursor,
        // Expired sessions are no sessions any more (TTL removes them): left alone, and not counted.
        filter: when.gt([props.expiryName], { N: String(this.#items.nowSeconds()) }),
        attributes: [...keyNames, handle, USER_ATTRIBUTES.key],
      })
      for (const item of page.items) {
        const name = item[handle]?.S
        if (name === undefined || name === except) continue
        if (lease && !(await this.#renew(userId, lease))) return handles
        const key: Item = Object.fromEntries(keyNames.map((k) => [k, item[k] as AttributeValue]))
        const written = await this.#items.table.write({
          delete: key,
          if: when.and(when.eq([user], { S: userId }), when.eq([handle], { S: name })),
        })
        if (written.made) handles.push(name)
      }
      cursor = page.last?.[USER_ATTRIBUTES.key]?.S
    } while (cursor)
    return handles
  }
}
