/**
 * What every store of this package is: the {@link SessionEngine} and the users' index over one table,
 * built once from the store's settings, with the {@link SessionStore} methods handed to the engine. The
 * DynamoDB store and the test kit's memory store differ only in their table.
 *
 * @module
 */
import type { JsonValue, SessionData } from '../data.ts'
import type { SessionIdScheme } from '../id.ts'
import type { SessionLogger } from '../logger.ts'
import { NO_USERS, type UsersPlugin } from './binding.ts'
import { SessionEngine } from './engine.ts'
import type { SessionFormat } from './format.ts'
import { ItemLayout } from './item-layout.ts'
import type { ResolvedStoreProps } from './props.ts'
import type { SessionTable } from './table.ts'
import type {
  NewSessionRecord,
  SaveResult,
  SessionChange,
  SessionRecord,
  SessionStore,
  UnreadChange,
  UserSessionIndex,
} from './types.ts'

/** A store's settings, resolved (options checked, defaults applied) by the store. */
export interface StoreSettings {
  readonly props: ResolvedStoreProps
  readonly format: SessionFormat
  readonly logger: SessionLogger
  readonly now: () => number
  readonly generateId?: (() => string) | undefined
  readonly createAttempts?: number | undefined
  readonly maxConflictRetries?: number | undefined
  readonly consistentRead?: boolean | undefined
  /** The users' feature (`userSessions()`), if the store binds sessions to users. */
  readonly users?: UsersPlugin | undefined
  /** Whether `regenerate()` and a bind write in one transaction (default) or in steps. */
  readonly transactions?: boolean | undefined
}

/**
 * A {@link SessionStore} that is the engine over one table.
 *
 * @example
 * ```ts
 * class MyStore extends EngineStore {
 *   constructor() {
 *     super(() => new MyTable(), { props: DEFAULT_STORE_PROPS, format, logger: console, now: Date.now })
 *   }
 * }
 * ```
 */
export class EngineStore implements SessionStore {
  /** The shape of this store's ids (its format's). */
  readonly ids: SessionIdScheme
  /** The sessions of each user: list them, end one, end all, check the room for one more. */
  readonly users: UserSessionIndex & Required<Pick<UserSessionIndex, 'checkRoom'>>
  /** See {@link SessionStore.entrySize}; present when the format tells sizes. */
  readonly entrySize?: (key: string, value: JsonValue) => number
  /** How this store's items are laid out. @internal */
  protected readonly layout: ItemLayout
  /** The table the engine writes to. @internal */
  protected readonly storeTable: SessionTable
  readonly #engine: SessionEngine

  /** `table` is called once, with the store, to make its table. @internal */
  protected constructor(table: (store: EngineStore) => SessionTable, settings: StoreSettings) {
    const { props, format, logger, now } = settings
    this.ids = format.ids
    this.storeTable = table(this)
    this.layout = new ItemLayout(props, format, logger, now)
    const { entrySize } = format
    if (entrySize) this.entrySize = (key, value) => entrySize(key, value)
    const users = settings.users?.attach({
      props,
      table: this.storeTable,
      destroy: (id) => this.destroy(id),
      now: () => now(),
    })
    this.users = users ?? NO_USERS
    this.#engine = new SessionEngine({
      table: this.storeTable,
      layout: this.layout,
      ids: this.ids,
      users,
      logger,
      now,
      generateId: settings.generateId ?? format.ids.generate,
      createAttempts: settings.createAttempts ?? 6,
      maxConflictRetries: settings.maxConflictRetries ?? 10,
      consistentRead: settings.consistentRead ?? true,
      transactions: settings.transactions ?? true,
    })
  }

  load(id: string): Promise<SessionRecord | undefined> {
    return this.#engine.load(id)
  }

  create(record: NewSessionRecord, options: { deadline?: number | undefined } = {}): Promise<SessionRecord> {
    return this.#engine.create(record, options)
  }

  save(change: SessionChange): Promise<SaveResult> {
    return this.#engine.save(change)
  }

  saveUnread(id: string, change: UnreadChange): Promise<SaveResult> {
    return this.#engine.saveUnread(id, change)
  }

  regenerate(change: SessionChange): Promise<SaveResult> {
    return this.#engine.regenerate(change)
  }

  touch(base: SessionRecord, expiresAt: number): Promise<SessionRecord | undefined> {
    return this.#engine.touch(base, expiresAt)
  }

  destroy(id: string): Promise<void> {
    return this.#engine.destroy(id)
  }

  checkEntry(key: string, value: JsonValue): void {
    this.#engine.checkEntry(key, value)
  }

  assertFits(size: number, data: () => SessionData): void {
    this.#engine.assertFits(size, data)
  }
}
