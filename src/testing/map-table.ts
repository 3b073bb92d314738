/**
 * The {@link SessionTable} port on a `Map`, for the test kit: conditions evaluated and updates applied as
 * DynamoDB does (a differential test runs the same writes on both and compares), each call in one
 * synchronous step, so there is no interleaving inside a call. Imports nothing of the AWS SDK at run time.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { SessionStoreError, SessionTooLargeError } from '../errors.ts'
import { storeCalls } from '../store/calls.ts'
import { itemSize } from '../store/codec.ts'
import type {
  Condition,
  IndexPage,
  IndexQuery,
  Item,
  Path,
  Refusal,
  Returning,
  SessionTable,
  Transacted,
  Update,
  Write,
  Written,
} from '../store/table.ts'

const ITEM_LIMIT = 400 * 1024

/** Decimal text as sign, digits and exponent, to compare and add numbers exactly as DynamoDB does. */
function decimal(text: string): { sign: 1 | -1; digits: bigint; exponent: number } {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim())
  if (!match) return { sign: 1, digits: 0n, exponent: 0 }
  const [, sign = '', whole = '', fraction = '', exp = '0'] = match
  const digits = BigInt(`${whole}${fraction}` || '0')
  return { sign: sign === '-' ? -1 : 1, digits, exponent: Number(exp) - fraction.length }
}

/** `a` compared with `b` (negative, 0, positive), both decimal numbers. */
function compareNumbers(a: string, b: string): number {
  const [x, y] = [decimal(a), decimal(b)]
  const exponent = Math.min(x.exponent, y.exponent)
  const scaled = (n: typeof x) => BigInt(n.sign) * n.digits * 10n ** BigInt(n.exponent - exponent)
  const difference = scaled(x) - scaled(y)
  return difference < 0n ? -1 : difference > 0n ? 1 : 0
}

/** `a + b`, exactly, as decimal text. */
function addNumbers(a: string, b: string): string {
  const [x, y] = [decimal(a), decimal(b)]
  const exponent = Math.min(x.exponent, y.exponent)
  const scaled = (n: typeof x) => BigInt(n.sign) * n.digits * 10n ** BigInt(n.exponent - exponent)
  const sum = scaled(x) + scaled(y)
  if (exponent >= 0 || sum === 0n) return (sum * 10n ** BigInt(Math.max(0, exponent))).toString()
  const negative = sum < 0n
  const text = (negative ? -sum : sum).toString().padStart(-exponent + 1, '0')
  const point = text.length + exponent
  const fraction = text.slice(point).replace(/0+$/, '')
  return `${negative ? '-' : ''}${text.slice(0, point)}${fraction ? `.${fraction}` : ''}`
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/** The single type tag of an attribute value. */
function typeOf(value: AttributeValue): string {
  return (
    Object.keys(value).find((key) => (value as unknown as Record<string, unknown>)[key] !== undefined) ?? ''
  )
}

/** Whether two attribute values are equal as DynamoDB compares them (numbers by value, sets unordered). */
function same(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a)
  if (type !== typeOf(b)) return false
  switch (type) {
    case 'S':
      return a.S === b.S
    case 'N':
      return compareNumbers(a.N as string, b.N as string) === 0
    case 'B':
      return compareBytes(a.B as Uint8Array, b.B as Uint8Array) === 0
    case 'BOOL':
      return a.BOOL === b.BOOL
    case 'NULL':
      return true
    case 'L': {
      const [x, y] = [a.L as AttributeValue[], b.L as AttributeValue[]]
      return x.length === y.length && x.every((value, i) => same(value, y[i] as AttributeValue))
    }
    case 'M': {
      const [x, y] = [a.M as Record<string, AttributeValue>, b.M as Record<string, AttributeValue>]
      const keys = Object.keys(x)
      return (
        keys.length === Object.keys(y).length &&
        keys.every((k) => k in y && same(x[k] as AttributeValue, y[k] as AttributeValue))
      )
    }
    case 'SS':
      return sameSet(a.SS as string[], b.SS as string[], (p, q) => p === q)
    case 'NS':
      return sameSet(a.NS as string[], b.NS as string[], (p, q) => compareNumbers(p, q) === 0)
    case 'BS':
      return sameSet(a.BS as Uint8Array[], b.BS as Uint8Array[], (p, q) => compareBytes(p, q) === 0)
  }
  return false
}

function sameSet<T>(a: T[], b: T[], equal: (p: T, q: T) => boolean): boolean {
  return a.length === b.length && a.every((p) => b.some((q) => equal(p, q)))
}

/** `a` compared with `b` when DynamoDB orders them (numbers, strings by UTF-8 bytes, binaries); else undefined. */
function order(a: AttributeValue, b: AttributeValue): number | undefined {
  const type = typeOf(a)
  if (type !== typeOf(b)) return undefined
  if (type === 'N') return compareNumbers(a.N as string, b.N as string)
  if (type === 'S') return Buffer.compare(Buffer.from(a.S as string), Buffer.from(b.S as string))
  if (type === 'B') return compareBytes(a.B as Uint8Array, b.B as Uint8Array)
  return undefined
}

/** The value at `path` in `item`, if there is one. */
function at(item: Item | undefined, path: Path): AttributeValue | undefined {
  let value: AttributeValue | undefined = item?.[path[0]]
  for (const key of path.slice(1)) value = value?.M && Object.hasOwn(value.M, key) ? value.M[key] : undefined
  return value
}

/** `size()` of a value; `undefined` for numbers, booleans and nulls (a condition on it is false). */
function sizeOf(value: AttributeValue): number | undefined {
  if (value.S !== undefined) return value.S.length // UTF-16 code units, as DynamoDB counts them
  if (value.B !== undefined) return value.B.length
  if (value.M) return Object.keys(value.M).length
  if (value.L) return value.L.length
  const set = value.SS ?? value.NS ?? value.BS
  return set?.length
}

/**
 * Whether `condition` holds on `item` (`undefined`: no item).
 *
 * @example
 * ```ts
 * holds({ op: 'eq', path: ['version'], value: { N: '3' } }, { version: { N: '3.0' } }) // true
 * ```
 */
export function holds(condition: Condition, item: Item | undefined, operation = 'UpdateItem'): boolean {
  switch (condition.op) {
    case 'exists':
      return at(item, condition.path) !== undefined
    case 'missing':
      return at(item, condition.path) === undefined
    case 'eq': {
      const value = at(item, condition.path)
      return value !== undefined && same(value, condition.value)
    }
    case 'lt':
    case 'gt': {
      const value = at(item, condition.path)
      const compared = value && order(value, condition.value)
      return compared !== undefined && (condition.op === 'lt' ? compared < 0 : compared > 0)
    }
    case 'hasType': {
      const value = at(item, condition.path)
      return value !== undefined && typeOf(value) === condition.type
    }
    case 'sizeBelow': {
      const value = at(item, condition.path)
      const size = value && sizeOf(value)
      return size !== undefined && size < condition.size
    }
    case 'and':
      return condition.of.every((c) => holds(c, item, operation))
    case 'or':
      return condition.of.some((c) => holds(c, item, operation))
  }
}

function invalid(operation: string): SessionStoreError {
  return new SessionStoreError(operation, `DynamoDB ${operation} failed (ValidationException)`)
}

/** Throws where DynamoDB refuses the expression itself: `<` and `>` only take numbers, strings and binaries. */
function assertValid(condition: Condition, operation: string): void {
  if (condition.op === 'and' || condition.op === 'or') {
    for (const c of condition.of) assertValid(c, operation)
  } else if (
    (condition.op === 'lt' || condition.op === 'gt') &&
    !['N', 'S', 'B'].includes(typeOf(condition.value))
  ) {
    throw invalid(operation)
  }
}

function copy<T>(value: T): T {
  return structuredClone(value)
}

/** The map that holds `path`'s last segment, or `undefined` when a parent is missing or not a map. */
function parentOf(item: Item, path: Path): Record<string, AttributeValue> | undefined {
  let parent: Record<string, AttributeValue> = item
  for (const key of path.slice(0, -1)) {
    const next = parent[key]
    if (!next?.M) return undefined
    parent = next.M
  }
  return parent
}

/** `item` after `update` (a copy), or a ValidationException where DynamoDB refuses the update. */
export function updated(item: Item, update: Update): Item {
  const result = copy(item)
  for (const [path, value] of update.set ?? []) {
    const parent = parentOf(result, path)
    if (!parent) throw invalid('UpdateItem')
    parent[path[path.length - 1] as string] = copy(value)
  }
  for (const path of update.remove ?? []) {
    const parent = parentOf(result, path)
    if (!parent) throw invalid('UpdateItem')
    delete parent[path[path.length - 1] as string]
  }
  for (const [path, amount] of update.add ?? []) {
    const parent = parentOf(result, path)
    const last = path[path.length - 1] as string
    const current = parent?.[last]
    if (!parent || (current !== undefined && current.N === undefined)) throw invalid('UpdateItem')
    parent[last] = { N: addNumbers(current?.N ?? '0', String(amount)) }
  }
  return result
}

/** Options of a {@link MapTable}. */
export interface MapTableOptions {
  /** The items, to share them between tables (each with its own clock). Default: a map of its own. */
  readonly items?: Map<string, Item> | undefined
  /**
   * TTL on `attribute` (epoch seconds): an item whose time has come (by `now`, epoch ms) is deleted before
   * the next call looks at the table, as if DynamoDB's TTL had run at once.
   */
  readonly ttl?: { readonly attribute: string; readonly now: () => number } | undefined
  /**
   * `false`: refuse `transact()` as a multi-Region strongly consistent (MRSC) global table refuses
   * `TransactWriteItems`. Default `true`.
   */
  readonly transactions?: boolean | undefined
}

/**
 * A {@link SessionTable} on a `Map`, its items keyed by their key attributes.
 *
 * @example
 * ```ts
 * const table = new MapTable(['session_id'])
 * await table.write({ put: { session_id: { S: 'a' }, n: { N: '1' } } })
 * ```
 */
export class MapTable implements SessionTable {
  /** The key attribute names: the partition key's, and the sort key's if any. */
  readonly keyNames: readonly string[]
  readonly #items: Map<string, Item>
  readonly #ttl: MapTableOptions['ttl']
  readonly #transactions: boolean

  constructor(keyNames: readonly string[], options: MapTableOptions = {}) {
    this.keyNames = keyNames
    this.#items = options.items ?? new Map()
    this.#ttl = options.ttl
    this.#transactions = options.transactions ?? true
  }

  /** Every item (copies), in the order they were first written. */
  items(): Item[] {
    this.#sweep()
    return [...this.#items.values()].map(copy)
  }

  /** Forgets every item. */
  clear(): void {
    this.#items.clear()
  }

  /** TTL, at once: items whose expiry attribute has passed are deleted before anything else happens. */
  #sweep(): void {
    if (!this.#ttl) return
    const { attribute, now } = this.#ttl
    const seconds = Math.floor(now() / 1000)
    for (const [id, item] of this.#items) {
      if (Number(item[attribute]?.N) <= seconds) this.#items.delete(id)
    }
  }

  #id(keyOrItem: Item): string {
    return JSON.stringify(this.keyNames.map((name) => keyOrItem[name]))
  }

  #key(item: Item): Item {
    return Object.fromEntries(this.keyNames.map((name) => [name, item[name] as AttributeValue]))
  }

  /** Reports a call to the request that observes its store's calls, if one does (`audit.calls`). */
  #report(operation: string, reason?: string, calls = 1): void {
    const listener = storeCalls.getStore()
    for (let i = 0; i < calls; i++) listener?.({ operation, ms: 0, attempts: 1, reason })
  }

  async get(key: Item): Promise<Item | undefined> {
    this.#sweep()
    this.#report('GetItem')
    const item = this.#items.get(this.#id(key))
    return item && copy(item)
  }

  /** What `write` leaves at its item (`undefined`: deleted), or throws where DynamoDB would. */
  #after(write: Write, current: Item | undefined, operation: string): Item | undefined {
    if ('delete' in write) return undefined
    const next = 'put' in write ? copy(write.put) : updated(current ?? this.#key(write.key), write.update)
    if (itemSize(next) > ITEM_LIMIT) throw new SessionTooLargeError(itemSize(next), ITEM_LIMIT)
    if (
      this.keyNames.some(
        (name) => next[name]?.S === undefined && next[name]?.N === undefined && next[name]?.B === undefined,
      )
    ) {
      throw invalid(operation)
    }
    return next
  }

  #targetOf(write: Write): Item {
    return 'put' in write ? write.put : 'update' in write ? write.key : write.delete
  }

  async write(write: Write, returning: Returning = 'none'): Promise<Written> {
    this.#sweep()
    const operation = 'put' in write ? 'PutItem' : 'update' in write ? 'UpdateItem' : 'DeleteItem'
    const id = this.#id(this.#targetOf(write))
    const current = this.#items.get(id)
    if (write.if) assertValid(write.if, operation)
    const refused = write.if && !holds(write.if, current, operation)
    this.#report(operation, refused ? 'condition' : undefined)
    if (refused) return { made: false, current: current && copy(current) }
    const after = this.#after(write, current, operation)
    if (after) this.#items.set(id, after)
    else this.#items.delete(id)
    const returned = returning === 'old' ? current : returning === 'new' ? after : undefined
    return { made: true, item: returned && copy(returned) }
  }

  async transact(writes: readonly Write[]): Promise<Transacted> {
    if (!this.#transactions) {
      throw new SessionStoreError(
        'TransactWriteItems',
        'This table does not support transactions (an MRSC global table)',
      )
    }
    this.#sweep()
    const ids = writes.map((write) => this.#id(this.#targetOf(write)))
    if (new Set(ids).size !== ids.length) throw invalid('TransactWriteItems')
    for (const write of writes) if (write.if) assertValid(write.if, 'TransactWriteItems')
    // Each write in turn: refused by its condition, or what it would leave (a path DynamoDB cannot
    // update fails the whole call, as it does there).
    const outcomes = writes.map((write, i) => {
      const current = this.#items.get(ids[i] as string)
      if (write.if && !holds(write.if, current, 'TransactWriteItems')) {
        return { refusal: { current: current && copy(current) } as Refusal }
      }
      return { after: this.#after(write, current, 'TransactWriteItems') }
    })
    const refused = outcomes.some((outcome) => 'refusal' in outcome)
    this.#report('TransactWriteItems', refused ? 'condition' : undefined)
    if (refused) {
      return {
        made: false,
        refusals: outcomes.map(
          (outcome): Refusal => ('refusal' in outcome ? (outcome.refusal as Refusal) : 'none'),
        ),
      }
    }
    outcomes.forEach((outcome, i) => {
      const after = 'after' in outcome ? outcome.after : undefined
      if (after) this.#items.set(ids[i] as string, after)
      else this.#items.delete(ids[i] as string)
    })
    return { made: true }
  }

  async getMany(keys: readonly Item[], attributes: readonly string[]): Promise<Item[]> {
    this.#sweep()
    this.#report('BatchGetItem', undefined, Math.ceil(keys.length / 100))
    const names = new Set([...this.keyNames, ...attributes])
    return keys.flatMap((key) => {
      const item = this.#items.get(this.#id(key))
      return item ? [copy(Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name))))] : []
    })
  }

  async query(query: IndexQuery): Promise<IndexPage> {
    this.#sweep()
    this.#report('Query')
    const [name, value] = query.partition
    const sortOf = (item: Item) => item[query.sort] as AttributeValue
    const inIndex = [...this.#items.values()].filter(
      (item) =>
        item[name] !== undefined &&
        same(item[name] as AttributeValue, value) &&
        item[query.sort]?.S !== undefined &&
        (query.below === undefined || (order(sortOf(item), query.below) ?? 0) < 0),
    )
    inIndex.sort((a, b) => -(order(sortOf(a), sortOf(b)) ?? 0))
    const read = query.limit === undefined ? inIndex : inIndex.slice(0, query.limit)
    const more = query.limit !== undefined && read.length === query.limit
    const lastRead = read[read.length - 1]
    const last =
      more && lastRead
        ? copy(
            Object.fromEntries(
              [...this.keyNames, name, query.sort].map((k) => [k, lastRead[k] as AttributeValue]),
            ),
          )
        : undefined
    const wanted = new Set(query.attributes)
    const items = read
      .filter((item) => !query.filter || holds(query.filter, item, 'Query'))
      .map((item) => copy(Object.fromEntries(Object.entries(item).filter(([k]) => wanted.has(k)))))
    return { items, last }
  }

  async deleteMany(keys: readonly Item[]): Promise<void> {
    this.#report('BatchWriteItem', undefined, Math.ceil(keys.length / 25))
    for (const key of keys) this.#items.delete(this.#id(key))
  }
}
