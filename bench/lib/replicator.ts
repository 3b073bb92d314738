/**
 * A simulation of DynamoDB global tables in multi-Region eventual consistency (MREC), for bench/mrec.ts:
 * each "Region" is a table (one per DynamoDB Local, or several tables of one), and a replicator copies
 * every write from one Region to the others as MREC does, as AWS documents it: asynchronously (after a
 * configurable lag), the whole item, and "last writer wins" per item by the time of the write.
 *
 * It reads each Region's writes from DynamoDB Local's stream of the table (`NEW_IMAGE`). DynamoDB Local
 * stamps stream records to the minute, so a write's time comes from the Region's {@link WriteTimes}: when
 * DynamoDB answered it, as the client that sent it recorded (a write in one Region answered before a write
 * in the other was sent is the earlier, however late the streams show them). A write it has no time for
 * is stamped when the replicator first sees it (it polls every few milliseconds). A copy is applied in the target Region only if the
 * item there has not been written later, and only while it is as the replicator last saw it (a
 * condition on each of its attributes): a write in the target Region that the replicator has not seen yet
 * makes the copy wait for the next poll, where the later of the two wins. The copies it applies come back
 * on the target's stream; it recognises them and does not send them on.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb'

type Item = Record<string, AttributeValue>

/** One Region of the simulated global table. */
export interface SimRegion {
  readonly name: string
  readonly client: DynamoDBClient
  /** The endpoint the stream calls go to (the client's). */
  readonly endpoint: string
  readonly tableName: string
  /** The table's latest stream (`StreamSpecification: NEW_IMAGE`). */
  readonly streamArn: string
  /** When this Region's writes were answered (by its Lambdas' clients, not the replicator's). */
  readonly writeTimes?: WriteTimes | undefined
}

/** A write time not taken this long after it was recorded belonged to a write that changed nothing. */
const STALE_WRITE_MS = 2000

/**
 * When each write of one Region was answered, per item, oldest first: `record()` by the client that
 * sent it (`recordWriteTimes`), `take()` by the replicator as the stream shows the write. A write that
 * changed nothing has no stream record: its time is dropped once it is {@link STALE_WRITE_MS} old.
 */
export class WriteTimes {
  readonly #times = new Map<string, number[]>()

  record(keyItem: Item, at: number): void {
    const key = canonical(keyItem)
    const times = this.#times.get(key) ?? []
    times.push(at)
    this.#times.set(key, times)
  }

  /** The time of the oldest write of `key` not taken yet; `undefined` when none was recorded. */
  take(key: string, now: number): number | undefined {
    const times = this.#times.get(key)
    while (times && times.length > 0) {
      const at = times.shift() as number
      if (now - at <= STALE_WRITE_MS) return at
    }
    return undefined
  }
}

/**
 * Records in `times` when each item write `client` sends is answered (single-item writes and each write
 * of a transaction), for the replicator's last-writer-wins.
 *
 * @example
 * ```ts
 * recordWriteTimes(lambdaClient, times, ['session_id'])
 * ```
 */
export function recordWriteTimes(
  client: DynamoDBClient,
  times: WriteTimes,
  keyNames: readonly string[],
): void {
  const keyOf = (item: Item | undefined) =>
    item && Object.fromEntries(keyNames.map((name) => [name, item[name] as AttributeValue]))
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args)
      const at = Date.now()
      const input = args.input as {
        Item?: Item
        Key?: Item
        TransactItems?: { Put?: { Item: Item }; Update?: { Key: Item }; Delete?: { Key: Item } }[]
      }
      const written = {
        PutItemCommand: [keyOf(input.Item)],
        UpdateItemCommand: [input.Key],
        DeleteItemCommand: [input.Key],
        TransactWriteItemsCommand: (input.TransactItems ?? []).map(
          (item) => keyOf(item.Put?.Item) ?? item.Update?.Key ?? item.Delete?.Key,
        ),
      }[String(context.commandName)]
      for (const key of written ?? []) if (key) times.record(key, at)
      return result
    },
    { step: 'initialize', name: 'recordWriteTimes' },
  )
}

/** What the replicator did, for the report. */
export interface ReplicatorStats {
  /** Writes seen in their own Region. */
  seen: number
  /** Copies applied in another Region. */
  applied: number
  /** Copies not applied: the item had been written later in the target Region (last writer wins). */
  superseded: number
  /** Copies that found a write the replicator had not seen yet, and waited for it. */
  deferred: number
}

interface Copy {
  readonly key: string
  readonly keyItem: Item
  readonly image: Item | null
  readonly at: number
  due: number
}

interface RegionState {
  readonly region: SimRegion
  /** Per shard, the iterator to read next (`null`: closed and read to its end). */
  readonly shards: Map<string, string | null>
  /** Per shard, the sequence number of the last record read. */
  readonly read: Map<string, string>
  /** Per item key, when it was last written here (its own write, or an applied copy). */
  readonly writtenAt: Map<string, number>
  /** Per item key, the item as the replicator last knew it here (`null`: none). */
  readonly known: Map<string, Item | null>
  /** Per item key, the images of copies applied here whose stream records have not come back yet. */
  readonly echoes: Map<string, string[]>
  /** Copies waiting to be applied here. */
  readonly inbox: Copy[]
}

/**
 * Turns on `tableName`'s stream (new images), as a global table's replication needs, and makes the Region
 * `name` of it, replicated with `client` (not one whose writes `writeTimes` records).
 *
 * @example
 * ```ts
 * const a = await simRegion('eu-west-1', client, endpoint, 'Sessions')
 * ```
 */
export async function simRegion(
  name: string,
  client: DynamoDBClient,
  endpoint: string,
  tableName: string,
  writeTimes?: WriteTimes,
): Promise<SimRegion> {
  await client.send(
    new UpdateTableCommand({
      TableName: tableName,
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    }),
  )
  const table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table
  const streamArn = table?.LatestStreamArn
  if (!streamArn) throw new Error(`${tableName}: no stream`)
  return { name, client, endpoint, tableName, streamArn, writeTimes }
}

/** A stable text of an item (attributes sorted, at every depth), to recognise an applied copy. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
}

async function streamCall(
  region: SimRegion,
  operation: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(region.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDBStreams_20120810.${operation}`,
      // DynamoDB Local wants the header's shape, not a valid signature.
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  })
  const json = (await response.json()) as Record<string, unknown>
  if (!response.ok)
    throw Object.assign(new Error(`${operation}: ${JSON.stringify(json)}`), { type: json.__type })
  return json
}

/**
 * The replicator: `start()` it once the tables exist, `settled()` waits until every write seen has
 * reached every Region (or lost to a later one), `stop()` ends it.
 *
 * @example
 * ```ts
 * const replicator = new Replicator([a, b], { lagMs: 500 })
 * await replicator.start()
 * await replicator.settled()
 * ```
 */
export class Replicator {
  readonly stats: ReplicatorStats = { seen: 0, applied: 0, superseded: 0, deferred: 0 }
  readonly lagMs: number
  readonly #pollMs: number
  readonly #states: RegionState[]
  #running = false
  #loop: Promise<void> | undefined
  #quietPolls = 0
  #polls = 0
  /**
   * Numbers the writes seen, to tell apart two answered in the same millisecond: a thousandth of one per
   * write (an epoch time in milliseconds holds no finer fraction: a smaller one would leave them equal).
   */
  #seq = 0

  constructor(regions: SimRegion[], options: { lagMs: number; pollMs?: number }) {
    this.lagMs = options.lagMs
    this.#pollMs = options.pollMs ?? 5
    this.#states = regions.map((region) => ({
      region,
      shards: new Map(),
      read: new Map(),
      writtenAt: new Map(),
      known: new Map(),
      echoes: new Map(),
      inbox: [],
    }))
  }

  /** Starts reading every Region's stream from its start. */
  async start(options: { manual?: boolean } = {}): Promise<void> {
    for (const state of this.#states) await this.#discoverShards(state, 'LATEST')
    if (options.manual) return
    this.#running = true
    this.#loop = this.#run()
  }

  async stop(): Promise<void> {
    this.#running = false
    await this.#loop
  }

  /** Resolves once nothing is waiting to be applied and the streams have been quiet for a few polls. */
  async settled(timeoutMs = 15_000): Promise<void> {
    this.#quietPolls = 0
    const limit = Date.now() + timeoutMs
    const busy = () =>
      this.#states.some((s) => s.inbox.length > 0 || [...s.echoes.values()].some((e) => e.length > 0))
    while (busy() || this.#quietPolls < 3) {
      if (Date.now() > limit) throw new Error('the replicator did not settle')
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs))
    }
  }

  async #discoverShards(state: RegionState, from: 'TRIM_HORIZON' | 'LATEST'): Promise<void> {
    const described = (await streamCall(state.region, 'DescribeStream', {
      StreamArn: state.region.streamArn,
    })) as {
      StreamDescription: { Shards: { ShardId: string }[] }
    }
    for (const { ShardId } of described.StreamDescription.Shards) {
      if (state.shards.has(ShardId)) continue
      const iterator = (await streamCall(state.region, 'GetShardIterator', {
        StreamArn: state.region.streamArn,
        ShardId,
        ShardIteratorType: from,
      })) as { ShardIterator: string }
      state.shards.set(ShardId, iterator.ShardIterator)
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      await this.step()
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs))
    }
  }

  /**
   * One round: reads each Region's stream, in the order the Regions were given, then applies the copies
   * that are due; resolves whether any stream had records. `start({ manual: true })` leaves the rounds
   * to the caller.
   */
  async step(): Promise<boolean> {
    let quiet = true
    for (const state of this.#states) {
      if (await this.#poll(state)) quiet = false
      if (++this.#polls % 200 === 0) await this.#discoverShards(state, 'TRIM_HORIZON')
    }
    for (const state of this.#states) await this.#deliver(state)
    this.#quietPolls = quiet ? this.#quietPolls + 1 : 0
    return !quiet
  }

  /** Reads the new records of `state`'s stream; resolves whether there were any. */
  async #poll(state: RegionState): Promise<boolean> {
    let any = false
    for (const [shardId, iterator] of state.shards) {
      if (iterator === null) continue
      let page: {
        Records: { eventName: string; dynamodb: { Keys: Item; NewImage?: Item; SequenceNumber: string } }[]
        NextShardIterator?: string
      }
      try {
        page = (await streamCall(state.region, 'GetRecords', { ShardIterator: iterator })) as typeof page
      } catch (error) {
        // DynamoDB Local refuses an iterator taken while its shard was empty once a record is in it:
        // a fresh one, after the last record read.
        if (!String((error as { type?: string }).type).endsWith('TrimmedDataAccessException')) throw error
        const last = state.read.get(shardId)
        const fresh = (await streamCall(state.region, 'GetShardIterator', {
          StreamArn: state.region.streamArn,
          ShardId: shardId,
          ...(last
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        })) as { ShardIterator: string }
        state.shards.set(shardId, fresh.ShardIterator)
        return true
      }
      state.shards.set(shardId, page.NextShardIterator ?? null)
      for (const record of page.Records) {
        any = true
        state.read.set(shardId, record.dynamodb.SequenceNumber)
        this.#observe(
          state,
          record.dynamodb.Keys,
          record.eventName === 'REMOVE' ? null : (record.dynamodb.NewImage ?? null),
        )
      }
    }
    return any
  }

  /** A record of `state`'s stream: a copy coming back, or a write of that Region's own, to send on. */
  #observe(state: RegionState, keyItem: Item, image: Item | null): void {
    const key = canonical(keyItem)
    const echoes = state.echoes.get(key)
    if (echoes && echoes[0] === canonical(image)) {
      echoes.shift()
      return
    }
    // The write's own time, or, for a write with none recorded, when it is first seen; made distinct from
    // every other (two writes answered in the same millisecond in two Regions would each lose to the other).
    const now = Date.now()
    this.#seq = (this.#seq + 1) % 1000
    const at = (state.region.writeTimes?.take(key, now) ?? now) + this.#seq / 1000
    this.stats.seen++
    state.writtenAt.set(key, at)
    state.known.set(key, image)
    for (const other of this.#states) {
      if (other !== state) other.inbox.push({ key, keyItem, image, at, due: at + this.lagMs })
    }
  }

  /** Applies the copies due in `state`, oldest write first. */
  async #deliver(state: RegionState): Promise<void> {
    const now = Date.now()
    const due = state.inbox.filter((copy) => copy.due <= now).sort((a, b) => a.at - b.at)
    for (const copy of due) {
      if ((state.writtenAt.get(copy.key) ?? 0) >= copy.at) {
        this.stats.superseded++
        state.inbox.splice(state.inbox.indexOf(copy), 1)
        continue
      }
      // Already so here (the same write made in both, or a delete of what is not here): no write, and no
      // stream record to wait for.
      if (canonical(copy.image) === canonical(state.known.get(copy.key) ?? null)) {
        state.inbox.splice(state.inbox.indexOf(copy), 1)
        state.writtenAt.set(copy.key, copy.at)
        this.stats.applied++
        continue
      }
      if (await this.#apply(state, copy)) {
        state.inbox.splice(state.inbox.indexOf(copy), 1)
        state.writtenAt.set(copy.key, copy.at)
        state.known.set(copy.key, copy.image)
        const echoes = state.echoes.get(copy.key) ?? []
        echoes.push(canonical(copy.image))
        state.echoes.set(copy.key, echoes)
        this.stats.applied++
      } else {
        // Written meanwhile in this Region, unseen yet: decided again once the stream shows that write.
        this.stats.deferred++
        copy.due = Date.now() + 2 * this.#pollMs
      }
    }
  }

  /** Writes `copy` in `state`'s table while the item is as last known there; resolves whether it was. */
  async #apply(state: RegionState, copy: Copy): Promise<boolean> {
    const known = state.known.get(copy.key) ?? null
    const names: Record<string, string> = {}
    const values: Record<string, AttributeValue> = {}
    const terms: string[] = []
    if (known === null) {
      const [first] = Object.keys(copy.keyItem)
      names['#k'] = first as string
      terms.push('attribute_not_exists(#k)')
    } else {
      Object.entries(known).forEach(([name, value], i) => {
        names[`#a${i}`] = name
        values[`:v${i}`] = value
        terms.push(`#a${i} = :v${i}`)
      })
    }
    const condition = {
      ConditionExpression: terms.join(' AND '),
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length > 0 && { ExpressionAttributeValues: values }),
    }
    const { client, tableName } = state.region
    try {
      if (copy.image === null) {
        await client.send(new DeleteItemCommand({ TableName: tableName, Key: copy.keyItem, ...condition }))
      } else {
        await client.send(new PutItemCommand({ TableName: tableName, Item: copy.image, ...condition }))
      }
      return true
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false
      throw error
    }
  }
}
