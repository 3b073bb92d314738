/**
 * Counts every DynamoDB call a client makes, by operation, and the capacity units DynamoDB reports for it.
 * One SDK middleware at the `initialize` step adds `ReturnConsumedCapacity: 'TOTAL'` to item operations
 * and adds the returned `ConsumedCapacity` to the current tally. The bench runs one invocation at a time,
 * so the tally in `recorder.current` while an invocation runs belongs to that invocation. A second one, at
 * the `finalizeRequest` step, adds the bytes of each request body sent and each response body received
 * (its `content-length`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'

/** Operations that accept `ReturnConsumedCapacity`. */
const ITEM_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
])
const READ_OPERATIONS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems'])

/** What one invocation (or one phase) cost in DynamoDB terms. */
export interface Tally {
  /** Calls by operation name, e.g. `GetItem`. */
  calls: Map<string, number>
  readUnits: number
  writeUnits: number
  /** Item operations that returned no `ConsumedCapacity` (a failed conditional write, say). */
  unreported: number
  /** Request and response body bytes by operation, over its calls. */
  bytes: Map<string, { sent: number; received: number }>
}

export function emptyTally(): Tally {
  return { calls: new Map(), readUnits: 0, writeUnits: 0, unreported: 0, bytes: new Map() }
}

function addBytes(tally: Tally, operation: string, sent: number, received: number): void {
  const entry = tally.bytes.get(operation) ?? { sent: 0, received: 0 }
  tally.bytes.set(operation, { sent: entry.sent + sent, received: entry.received + received })
}

export function callCount(tally: Tally): number {
  let total = 0
  for (const count of tally.calls.values()) total += count
  return total
}

export function isWrite(operation: string): boolean {
  return ITEM_OPERATIONS.has(operation) && !READ_OPERATIONS.has(operation)
}

export function writeCount(tally: Tally): number {
  let total = 0
  for (const [operation, count] of tally.calls) if (isWrite(operation)) total += count
  return total
}

/** Adds `from` into `into`. */
export function addTally(into: Tally, from: Tally): void {
  for (const [operation, count] of from.calls)
    into.calls.set(operation, (into.calls.get(operation) ?? 0) + count)
  into.readUnits += from.readUnits
  into.writeUnits += from.writeUnits
  into.unreported += from.unreported
  for (const [operation, { sent, received }] of from.bytes) addBytes(into, operation, sent, received)
}

/** The recorder of one client: swap `current` before each invocation. */
export interface CallRecorder {
  current: Tally
}

type Capacity = { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> | undefined

function units(capacity: Capacity): number | undefined {
  if (capacity === undefined) return undefined
  const list = Array.isArray(capacity) ? capacity : [capacity]
  return list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0)
}

/** Adds the counting middleware to `client` and returns its recorder. */
export function instrument(client: DynamoDBClient): CallRecorder {
  const recorder: CallRecorder = { current: emptyTally() }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '')
      const tally = recorder.current
      tally.calls.set(operation, (tally.calls.get(operation) ?? 0) + 1)
      const itemOperation = ITEM_OPERATIONS.has(operation)
      const input = itemOperation
        ? { ...(args.input as Record<string, unknown>), ReturnConsumedCapacity: 'TOTAL' }
        : args.input
      const record = (capacity: Capacity) => {
        if (!itemOperation) return
        const consumed = units(capacity)
        if (consumed === undefined) tally.unreported++
        else if (READ_OPERATIONS.has(operation)) tally.readUnits += consumed
        else tally.writeUnits += consumed
      }
      try {
        const result = await next({ ...args, input })
        record((result.output as { ConsumedCapacity?: Capacity }).ConsumedCapacity)
        return result
      } catch (error) {
        record((error as { ConsumedCapacity?: Capacity }).ConsumedCapacity)
        throw error
      }
    },
    { step: 'initialize', name: 'benchCountCalls' },
  )
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '')
      const request = args.request as { body?: unknown; headers?: Record<string, string> }
      const body = request.body
      const sent =
        typeof body === 'string'
          ? Buffer.byteLength(body)
          : body instanceof Uint8Array
            ? body.byteLength
            : Number(request.headers?.['content-length'] ?? 0)
      const received = (response: unknown) =>
        Number(
          (response as { headers?: Record<string, string> } | undefined)?.headers?.['content-length'] ?? 0,
        )
      try {
        const result = await next(args)
        addBytes(recorder.current, operation, sent, received(result.response))
        return result
      } catch (error) {
        // A refused condition is an error response, with its body (the item, when asked for) all the same.
        addBytes(recorder.current, operation, sent, received((error as { $response?: unknown }).$response))
        throw error
      }
    },
    { step: 'finalizeRequest', name: 'benchCountBytes' },
  )
  return recorder
}
