/**
 * The table port: the few item operations a session store needs, with typed conditions and typed outcomes,
 * so the write algorithm can be written once over any table. DynamoDB compiles the conditions and updates
 * to expressions (../dynamodb/table.ts); the test kit's memory table evaluates them on a `Map`, in one
 * synchronous step per call. Store-neutral: only types from the AWS SDK (its attribute values).
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'

/** An item: attribute name → DynamoDB attribute value. */
export type Item = Record<string, AttributeValue>

/** A document path: an attribute, then map keys inside it. */
export type Path = readonly [attribute: string, ...keys: string[]]

/** The types `hasType` can test for, as DynamoDB names them. */
export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'M' | 'L' | 'SS' | 'NS' | 'BS'

/**
 * A condition on an item as it is when the write is made. A comparison with an attribute the item does not
 * have is false, as in DynamoDB; so is one between values of different types.
 */
export type Condition =
  | { readonly op: 'exists' | 'missing'; readonly path: Path }
  | { readonly op: 'eq' | 'lt' | 'gt'; readonly path: Path; readonly value: AttributeValue }
  | { readonly op: 'hasType'; readonly path: Path; readonly type: AttributeType }
  | { readonly op: 'sizeBelow'; readonly path: Path; readonly size: number }
  | { readonly op: 'and' | 'or'; readonly of: readonly Condition[] }

/**
 * Changes of one item in place: paths set (a map key's parent map must exist), paths removed (absent
 * ones are no error), and numbers added to (an absent one counts from 0).
 */
export interface Update {
  readonly set?: readonly (readonly [Path, AttributeValue])[] | undefined
  readonly remove?: readonly Path[] | undefined
  readonly add?: readonly (readonly [Path, number])[] | undefined
}

/** One write of one item, made only if its condition holds (when it has one). */
export type Write =
  | { readonly put: Item; readonly if?: Condition | undefined }
  | { readonly update: Update; readonly key: Item; readonly if?: Condition | undefined }
  | { readonly delete: Item; readonly if?: Condition | undefined }

/**
 * What a write returns when made: nothing; the item as it was (`'old'`); or the item as it is after it
 * (`'new'`).
 */
export type Returning = 'none' | 'old' | 'new'

/** A write's outcome: made (with what `returning` asked for), or refused by its condition. */
export type Written =
  | { readonly made: true; readonly item: Item | undefined }
  | { readonly made: false; readonly current: Item | undefined }

/**
 * Why each write of a cancelled transaction was refused: not at all (`'none'`), by its condition (with the
 * item as it was), or because another transaction was writing the same item (`'conflict'`).
 */
export type Refusal = 'none' | 'conflict' | { readonly current: Item | undefined }

/** A transaction's outcome: all made, or none, with each write's {@link Refusal}. */
export type Transacted =
  | { readonly made: true }
  | { readonly made: false; readonly refusals: readonly Refusal[] }

/**
 * One page of a sparse index (items that have both its key attributes), newest first: the items whose
 * `partition` attribute holds the given value, with `sort` below `below` if given, at most `limit` of
 * them read, then `filter`ed, with only `attributes`.
 */
export interface IndexQuery {
  readonly index: string
  readonly partition: readonly [name: string, value: AttributeValue]
  readonly sort: string
  readonly below?: AttributeValue | undefined
  readonly filter?: Condition | undefined
  readonly attributes: readonly string[]
  readonly limit?: number | undefined
}

/** A page of an index: its items, and the key of the last one read when there may be more. */
export interface IndexPage {
  readonly items: Item[]
  readonly last: Item | undefined
}

/**
 * The operations of one table. Reads named "consistent" see every write made before them. Errors other
 * than refused conditions are thrown as `SessionStoreError` (naming the DynamoDB operation).
 *
 * @example
 * ```ts
 * const written = await table.write({ put: item, if: { op: 'missing', path: ['session_id'] } })
 * if (!written.made) console.log('taken by', written.current)
 * ```
 */
export interface SessionTable {
  /** The item at `key`, if any. */
  get(key: Item, options?: { consistent?: boolean | undefined }): Promise<Item | undefined>
  /** One conditional write. */
  write(write: Write, returning?: Returning): Promise<Written>
  /** Writes of different items, all or none; `token` makes a resent transaction count once. */
  transact(writes: readonly Write[], token: string): Promise<Transacted>
  /** The items at `keys` that exist (consistent), with only `attributes` (the key's always). */
  getMany(keys: readonly Item[], attributes: readonly string[]): Promise<Item[]>
  /** Deletes the items at `keys`, unconditionally. */
  deleteMany(keys: readonly Item[]): Promise<void>
  /** One page of an index (eventually consistent on DynamoDB). */
  query(query: IndexQuery): Promise<IndexPage>
}

/**
 * Conditions, by name.
 *
 * @example
 * ```ts
 * const unchanged = when.and(when.eq(['version'], { N: '3' }), when.gt(['expire_at'], { N: String(now) }))
 * ```
 */
export const when = {
  exists: (path: Path): Condition => ({ op: 'exists', path }),
  missing: (path: Path): Condition => ({ op: 'missing', path }),
  eq: (path: Path, value: AttributeValue): Condition => ({ op: 'eq', path, value }),
  lt: (path: Path, value: AttributeValue): Condition => ({ op: 'lt', path, value }),
  gt: (path: Path, value: AttributeValue): Condition => ({ op: 'gt', path, value }),
  hasType: (path: Path, type: AttributeType): Condition => ({ op: 'hasType', path, type }),
  sizeBelow: (path: Path, size: number): Condition => ({ op: 'sizeBelow', path, size }),
  and: (...of: Condition[]): Condition => (of.length === 1 ? (of[0] as Condition) : { op: 'and', of }),
  or: (...of: Condition[]): Condition => (of.length === 1 ? (of[0] as Condition) : { op: 'or', of }),
} as const
