/**
 * Home Regions, for DynamoDB global tables in multi-Region eventual consistency (MREC): each session is
 * written in one Region, its home, recorded in its item when it is created, while it is read where the
 * function runs. A condition is evaluated against the item in the Region that writes, so with every write
 * of a session in its home the per-key `409`s and a final logout hold across Regions, as within one; a
 * write from another Region pays a round trip to the home. A table decorator: the engine does not know.
 *
 * @module
 */
import { SessionConfigError, SessionStoreError } from '../errors.ts'
import type { ResolvedStoreProps } from '../store/props.ts'
import type {
  IndexPage,
  IndexQuery,
  Item,
  Returning,
  SessionTable,
  Transacted,
  Write,
  Written,
} from '../store/table.ts'
import type { HomeRegionsPlugin } from './options.ts'
import { tableOf } from './table.ts'
import type { DynamoDBOperation } from './transport.ts'

/**
 * What a write does when its session's home Region does not answer (a `SessionStoreError` there, after
 * the transport's retries): `'fail'` (the default: the request answers `503`, the session as it was), or
 * `'write-locally'`: the write goes to this Region, where the replication's "last writer wins" decides
 * as without home Regions.
 *
 * @example
 * ```ts
 * const fallback: WhenHomeUnreachable = 'write-locally'
 * ```
 */
export type WhenHomeUnreachable = 'fail' | 'write-locally'

/**
 * Options of {@link homeRegions}.
 *
 * @example
 * ```ts
 * const options: HomeRegionsOptions = {
 *   region: 'eu-west-1',
 *   peers: { 'us-east-1': new DynamoDBSessionStore({ tableName: 'Sessions', client: usEast1 }) },
 * }
 * ```
 */
export interface HomeRegionsOptions {
  /** This function's Region: the home of the sessions it creates, and where every read goes. */
  readonly region: string
  /** The store of the same table in each other Region, by Region: where the writes of its sessions go. */
  readonly peers: Readonly<Record<string, RegionPeer>>
  /** See {@link WhenHomeUnreachable}. Default `'fail'`. */
  readonly whenUnreachable?: WhenHomeUnreachable | undefined
  /** The attribute that records an item's home Region. Default `"home_region"`. */
  readonly attribute?: string | undefined
}

/**
 * A store of the same table in another Region, as {@link HomeRegionsOptions.peers} takes it: any
 * `DynamoDBSessionStore` or `LiteSessionStore`.
 *
 * @example
 * ```ts
 * const peer: RegionPeer = new DynamoDBSessionStore({ tableName: 'Sessions', client: usEast1 })
 * ```
 */
export interface RegionPeer {
  /** The store's resolved layout: its table name and keys. */
  readonly props: ResolvedStoreProps
  /** Sends one request to its Region (`DynamoDBStoreBase.request`). */
  request(operation: DynamoDBOperation, input: Record<string, unknown>): Promise<unknown>
}

/** How many items' home Regions one store remembers (the oldest forgotten first). */
const REMEMBERED = 10_000

/**
 * Home Regions for a store on an MREC global table: every session is written in the Region that created
 * it, read in this one. Give each Region's functions their own `region` and the stores of the others as
 * `peers`. docs/multi-region.md says when it is worth its cost: a write from outside the home is a
 * cross-Region round trip, and the first write of a session this store has not read costs a read of its
 * home.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
 * import { DynamoDBSessionStore, dynamoSession, homeRegions } from 'middy-dynamodb-session'
 *
 * const peer = new DynamoDBSessionStore({ tableName: 'Sessions', client: new DynamoDBClient({ region: 'us-east-1' }) })
 * export const sessions = dynamoSession({
 *   store: { tableName: 'Sessions', homeRegions: homeRegions({ region: 'eu-west-1', peers: { 'us-east-1': peer } }) },
 * })
 * ```
 */
export function homeRegions(options: HomeRegionsOptions): HomeRegionsPlugin {
  const { region, peers, whenUnreachable = 'fail', attribute = 'home_region' } = options
  if (typeof region !== 'string' || region === '')
    throw new SessionConfigError('homeRegions.region must be a Region name')
  if (typeof peers !== 'object' || peers === null) {
    throw new SessionConfigError('homeRegions.peers must map Region names to stores of the same table')
  }
  if (whenUnreachable !== 'fail' && whenUnreachable !== 'write-locally') {
    throw new SessionConfigError("homeRegions.whenUnreachable must be 'fail' or 'write-locally'")
  }
  return {
    wrap(local, props) {
      const tables = new Map<string, SessionTable>([[region, local]])
      for (const [name, peer] of Object.entries(peers)) tables.set(name, tableOf(peer))
      return new HomeRegionTable(local, props, { region, tables, whenUnreachable, attribute })
    },
  }
}

/**
 * A table that reads in this Region and writes each item in its home Region (see {@link homeRegions}).
 *
 * @example
 * ```ts
 * const table = new HomeRegionTable(local, props, { region: 'a', tables: new Map([['a', local], ['b', b]]), whenUnreachable: 'fail', attribute: 'home_region' })
 * ```
 */
export class HomeRegionTable implements SessionTable {
  readonly #local: SessionTable
  readonly #keyNames: string[]
  readonly #region: string
  readonly #tables: ReadonlyMap<string, SessionTable>
  readonly #whenUnreachable: WhenHomeUnreachable
  readonly #attribute: string
  readonly #homes = new Map<string, string>()

  constructor(
    local: SessionTable,
    props: ResolvedStoreProps,
    options: {
      region: string
      tables: ReadonlyMap<string, SessionTable>
      whenUnreachable: WhenHomeUnreachable
      attribute: string
    },
  ) {
    this.#local = local
    this.#keyNames = [props.partitionKey.name, ...(props.sortKey ? [props.sortKey.name] : [])]
    this.#region = options.region
    this.#tables = options.tables
    this.#whenUnreachable = options.whenUnreachable
    this.#attribute = options.attribute
  }

  #keyOf(item: Item): string {
    return JSON.stringify(this.#keyNames.map((name) => item[name]?.S))
  }

  /** Remembers the home Region `item` records, if any. */
  #remember(item: Item | undefined): void {
    const home = item?.[this.#attribute]?.S
    if (!item || home === undefined) return
    const key = this.#keyOf(item)
    this.#homes.delete(key)
    this.#homes.set(key, home)
    if (this.#homes.size > REMEMBERED) this.#homes.delete(this.#homes.keys().next().value as string)
  }

  /**
   * The home of the item `write` writes: the one its put records; this Region's for an item it creates;
   * else the one remembered from a read, or read now; `undefined` when there is no item here (not yet
   * replicated from its home, or none at all).
   */
  async #homeOf(write: Write): Promise<string | undefined> {
    const key = 'put' in write ? write.put : 'key' in write ? write.key : write.delete
    const recorded = key[this.#attribute]?.S ?? this.#homes.get(this.#keyOf(key))
    if (recorded !== undefined) return recorded
    const creates = 'put' in write && write.if?.op === 'missing' && write.if.path[0] === this.#keyNames[0]
    if (creates) return this.#region
    const item = await this.#local.get(key, { consistent: true })
    this.#remember(item)
    return item?.[this.#attribute]?.S ?? (item ? this.#region : undefined)
  }

  /** `write` with its put recording `home`. */
  #homed(write: Write, home: string): Write {
    return 'put' in write && write.put[this.#attribute] === undefined
      ? { ...write, put: { ...write.put, [this.#attribute]: { S: home } } }
      : write
  }

  /** Whether `error`, from another Region, may be passed over: it did not answer, and writes fall back here. */
  #passesOver(error: unknown): boolean {
    return this.#whenUnreachable === 'write-locally' && error instanceof SessionStoreError
  }

  /** Runs `send` on `home`'s table; when it does not answer, here instead, if so configured. */
  async #at<T>(home: string, send: (table: SessionTable) => Promise<T>): Promise<T> {
    const table = this.#tables.get(home) ?? this.#local
    if (table === this.#local) return send(table)
    try {
      return await send(table)
    } catch (error) {
      if (!this.#passesOver(error)) throw error
      return send(this.#local)
    }
  }

  /**
   * The item here; when there is none, the item in the other Regions (the first that has it): a session
   * created a moment ago in another Region (a login there, a first visit) is found before it is replicated.
   */
  async get(key: Item, options?: { consistent?: boolean | undefined }): Promise<Item | undefined> {
    let item = await this.#local.get(key, options)
    for (const table of this.#tables.values()) {
      if (item || table === this.#local) continue
      item = await table.get(key, options).catch(() => undefined)
    }
    this.#remember(item)
    return item
  }

  async write(write: Write, returning?: Returning): Promise<Written> {
    const found = await this.#homeOf(write)
    // A delete of an item not here yet (created a moment ago in another Region): everywhere, so that it
    // is final wherever the item lives. Any other write of it is refused here, as on no item.
    if (found === undefined && 'delete' in write)
      return this.#everywhere((table) => table.write(write, returning))
    const home = found ?? this.#region
    const homed = this.#homed(write, home)
    const written = await this.#at(home, (table) => table.write(homed, returning))
    this.#remember(written.made ? ('put' in homed ? homed.put : undefined) : written.current)
    return written
  }

  async transact(writes: readonly Write[], token: string): Promise<Transacted> {
    // The home of the session the transaction is about: its first write's (a regenerate's old item).
    const home = (writes[0] && (await this.#homeOf(writes[0]))) ?? this.#region
    const homed = writes.map((write) => this.#homed(write, home))
    const outcome = await this.#at(home, (table) => table.transact(homed, token))
    if (outcome.made) for (const write of homed) if ('put' in write) this.#remember(write.put)
    return outcome
  }

  getMany(keys: readonly Item[], attributes: readonly string[]): Promise<Item[]> {
    return this.#local.getMany(keys, attributes)
  }

  /** Ends items in every Region (each a batch of deletes): final wherever each one is homed. */
  async deleteMany(keys: readonly Item[]): Promise<void> {
    await this.#everywhere((table) => table.deleteMany(keys))
  }

  /**
   * Runs `send` in every Region, this one's result returned. Another Region that does not answer fails
   * it, unless writes may fall back here (`'write-locally'`).
   */
  async #everywhere<T>(send: (table: SessionTable) => Promise<T>): Promise<T> {
    const tolerate = (error: unknown) => (this.#passesOver(error) ? undefined : Promise.reject(error))
    const others = [...this.#tables.values()].filter((table) => table !== this.#local)
    const [here] = await Promise.all([
      send(this.#local),
      ...others.map((table) => send(table).catch(tolerate)),
    ])
    return here as T
  }

  query(query: IndexQuery): Promise<IndexPage> {
    return this.#local.query(query)
  }
}
