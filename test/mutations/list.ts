// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the mutations quote source text, template literals included
/**
 * The mutation gate's list (`npm run mutations`): each entry breaks one promise of the protocol on purpose,
 * by replacing one piece of the source (in memory, as vitest loads it: no file is changed), and names the
 * tests that must then fail. The gate fails when a mutation no longer applies (the code moved: update the
 * entry) or when none of its tests fails (the promise has no warranty any more).
 *
 * @module
 */

/** A test, by its file and its title (or the start of it). */
export interface NamedTest {
  readonly file: string
  readonly test: string
}

/** One deliberate break of the code, and the tests that must catch it. */
export interface Mutation {
  /** A short stable name. */
  readonly id: string
  /** The promise it breaks, in the README's or SECURITY.md's words where they have them. */
  readonly breaks: string
  /** The source file, from the repository root. */
  readonly file: string
  /** Text that occurs exactly once in `file`. */
  readonly find: string
  /** What replaces it. */
  readonly replace: string
  /** At least one of these must fail with the mutation in place (and all pass without it). */
  readonly caughtBy: readonly NamedTest[]
}

const ENGINE = 'src/store/engine.ts'
const LAYOUT = 'src/store/item-layout.ts'
const WRITES = 'src/store/session-writes.ts'
const USERS = 'src/users/user-index.ts'
const BINDING_WRITES = 'src/users/binding-writes.ts'
const ROOM = 'src/users/room.ts'
const SIGN_OUT = 'src/users/sign-out.ts'
const USER_ITEMS = 'src/users/user-items.ts'
const RACES = 'test/integration/races.test.ts'
const LIFETIME = 'test/integration/lifetime.test.ts'
const BLIND_RACES = 'test/integration/blind-write-races.test.ts'
const CROSS_SITE = 'src/http/cross-site.ts'
const CROSS_SITE_TESTS = 'test/unit/http/cross-site.test.ts'
const ATTACKS = 'test/integration/user-attacks.test.ts'
const CONTRACT = 'test/integration/store-contract.test.ts'
const USER_CONTRACT = 'test/integration/user-contract.test.ts'
const MEMORY_TABLE = 'src/testing/map-table.ts'
const LITE_TRANSPORT = 'src/lite/http-transport.ts'
const MRSC = 'test/integration/mrsc-plan.test.ts'
const MRSC_USERS = 'test/integration/mrsc-users.test.ts'
const MEMORY_CONTRACT = 'test/unit/testing/memory-store.contract.test.ts'

/** The store contract's test `title` as it runs on DynamoDB Local. */
function onDynamoDB(title: string): NamedTest {
  return { file: CONTRACT, test: title }
}

/** The user contract's test `title` as it runs on DynamoDB Local. */
function usersOnDynamoDB(title: string): NamedTest {
  return { file: USER_CONTRACT, test: title }
}

/** The mutations the gate applies, one at a time. */
export const mutations: readonly Mutation[] = [
  // --- Writes of one session: no lost update -------------------------------------------------------------
  {
    id: 'per-key-conditions-removed',
    breaks: 'no lost update: an in-place write is conditional on each changed key as loaded',
    file: WRITES,
    find: 'conditions.push(loaded === undefined ? when.missing(path) : when.eq(path, encode(loaded)))',
    replace: 'void loaded',
    caughtBy: [
      { file: RACES, test: '50 requests incrementing one key, released at once' },
      onDynamoDB('refuses a change of a key another request changed since'),
    ],
  },
  {
    id: 'version-condition-removed',
    breaks: 'no lost update on the whole-item path: a write is conditional on the version read',
    file: LAYOUT,
    find: '? when.eq([versionName], revision.version)',
    replace: '? when.exists([versionName])',
    caughtBy: [
      {
        file: RACES,
        test: 'two requests incrementing one key: one 200, one 409, the count went up by one, all by PutItem',
      },
    ],
  },
  {
    id: 'key-conflict-ignored',
    breaks: 'a change of a key another request changed since is a 409 (key), never a silent overwrite',
    file: 'src/store/change.ts',
    find: "if (!jsonEqual(ownValue(loaded, key), ownValue(current.data, key))) return 'key'",
    replace: 'void key',
    caughtBy: [
      { file: RACES, test: '50 requests incrementing one key, released at once' },
      onDynamoDB('refuses a change of a key another request changed since'),
    ],
  },
  {
    id: 'expiry-conflict-ignored',
    breaks: 'a change of the expiry another request changed since is a 409 (expiry)',
    file: 'src/store/change.ts',
    find: "if (change.expiry && !sameExpiry(change.base.expiry, current.expiry)) return 'expiry'",
    replace: 'void sameExpiry',
    caughtBy: [onDynamoDB('refuses a change of the expiry that another request changed since')],
  },
  {
    id: 'in-place-write-revives-expired',
    breaks:
      'an expired session is no session: neither a write of a session that expired since it was loaded nor a write without a read brings it back',
    file: WRITES,
    find: '    when.gt([expiryName], { N: String(now) }),\n',
    replace: '',
    caughtBy: [
      onDynamoDB('a session that expires between its load and its save is not brought back'),
      { file: LIFETIME, test: 'a session past its expiry (TTL not run yet): a new one' },
    ],
  },
  {
    id: 'in-place-record-keeps-old-version',
    breaks:
      'the record an in-place save returns names the version the item now has, so a save from it is not refused for nothing',
    file: LAYOUT,
    find: "[versionName]: this.nextVersion(revision) ?? { N: '1' },",
    replace: "[versionName]: revision.version ?? { N: '1' },",
    caughtBy: [
      {
        file: 'test/integration/store.test.ts',
        test: 'in place, nothing is asked back',
      },
    ],
  },
  {
    id: 'whole-write-revives-expired',
    breaks: 'an expired session is no session, on the whole-item path too',
    file: LAYOUT,
    find: 'return when.and(same, alive)',
    replace: 'return same',
    caughtBy: [onDynamoDB('a session that expires between its load and its save is not brought back')],
  },
  {
    id: 'read-ignores-expiry',
    breaks: 'expiry is checked on read (TTL deletes lazily)',
    file: LAYOUT,
    find: 'if (expiresAt <= Math.floor(this.#now() / 1000)) return undefined',
    replace: '',
    caughtBy: [
      onDynamoDB('checks expiry on read: a session past its expiry is no session'),
      {
        file: 'test/integration/store.test.ts',
        test: 'treats an item past expire_at as no session, even though TTL has not removed it',
      },
    ],
  },
  {
    id: 'emptying-delete-unconditional',
    breaks: 'a request that empties the session does not delete a key another request added meanwhile',
    file: ENGINE,
    find: '      if: this.#layout.unchangedIf(revisionOf(base), now),\n',
    replace: '',
    caughtBy: [
      onDynamoDB('ends a session a change leaves empty, unless another request added to it'),
      {
        file: 'test/integration/concurrency.test.ts',
        test: 'does not delete it when another request added a key meanwhile',
      },
    ],
  },
  {
    id: 'bound-session-deleted-when-empty',
    breaks: "a bound session stays even when its data is emptied: it is the user's login",
    file: ENGINE,
    find: '(Object.keys(data).length === 0 && !user && !csrfSecret)',
    replace: '(Object.keys(data).length === 0 && !csrfSecret)',
    caughtBy: [usersOnDynamoDB('binds at save; a bound session stays even when its data is emptied')],
  },
  // --- Touches -------------------------------------------------------------------------------------------
  {
    id: 'touch-unconditional',
    breaks: 'a touch never undoes a concurrent setExpiry(): it is conditional on the session as loaded',
    file: ENGINE,
    find: 'if: when.and(layout.unchangedIf(revisionOf(base), this.#nowSeconds()), when.lt([expiryName], target)),',
    replace: 'if: when.lt([expiryName], target),',
    caughtBy: [
      { file: RACES, test: 'a read-only request that loaded before another shortened the expiry' },
      onDynamoDB('touch: moves the expiry forward only, only while the session is unchanged'),
    ],
  },
  {
    id: 'touch-moves-back',
    breaks: 'a touch moves the expiry forward only',
    file: ENGINE,
    find: 'if: when.and(layout.unchangedIf(revisionOf(base), this.#nowSeconds()), when.lt([expiryName], target)),',
    replace: 'if: layout.unchangedIf(revisionOf(base), this.#nowSeconds()),',
    caughtBy: [onDynamoDB('touch: moves the expiry forward only, only while the session is unchanged')],
  },
  // --- Lost replies: the SDK's retry recognises its own write ---------------------------------------------
  {
    id: 'save-token-recognition-off',
    breaks: 'a save whose reply was lost recognises its own write when the SDK retries (200, not 409)',
    file: ENGINE,
    find: 'if (layout.hasToken(failed, token)) {',
    replace: 'if (false) {',
    caughtBy: [{ file: RACES, test: 'a save: the retry recognises its own write and answers 200' }],
  },
  {
    id: 'create-token-recognition-off',
    breaks: 'a first visit whose PutItem reply was lost leaves one item, not an orphan and a second',
    file: ENGINE,
    find: 'if (failed === undefined || layout.hasToken(failed, token)) {',
    replace: 'if (failed === undefined) {',
    caughtBy: [
      { file: RACES, test: 'a first visit: one item, not a second orphan, and the cookie names it' },
    ],
  },
  {
    id: 'moved-save-not-recognised',
    breaks: 'a save whose lost reply is retried after a login moved the session is answered as saved (200)',
    file: ENGINE,
    find: 'const moved = successor === undefined ? undefined : await this.load(successor, true)',
    replace: 'const moved = undefined',
    caughtBy: [
      { file: RACES, test: 'a save whose lost reply is retried only after a login moved the session' },
    ],
  },
  {
    id: 'tombstone-without-tokens',
    breaks:
      "a regenerate's old item keeps the recent write tokens, so a write applied just before recognises itself",
    file: LAYOUT,
    find: 'if (kept.length > 0) {',
    replace: 'if (false) {',
    caughtBy: [
      { file: RACES, test: 'a save whose lost reply is retried only after a login moved the session' },
    ],
  },
  {
    id: 'touch-recognition-off',
    breaks: 'a touch whose reply was lost counts as made (the cookie is still sent)',
    file: ENGINE,
    find: 'if (current && sameState(revisionOf(current), revisionOf(base)) && current.expiresAt >= expiresAt) {',
    replace: 'if (false) {',
    caughtBy: [{ file: RACES, test: 'a conditional delete of an emptied session, and a touch' }],
  },
  // --- Regenerate and logout: a logout stays final ---------------------------------------------------------
  {
    id: 'tombstone-unconditional',
    breaks: 'regenerate() replaces the old item only if it is unchanged since loaded',
    file: ENGINE,
    find: '{ put: tombstone, if: layout.unchangedIf(revision, now) },',
    replace: '{ put: tombstone },',
    caughtBy: [
      { file: RACES, test: 'the racing write lands first: regenerate carries it into the new session' },
      { file: RACES, test: 'logout commits while the login is about to write' },
    ],
  },
  {
    id: 'successor-not-followed',
    breaks: 'a logout with the pre-login id ends the session regenerated from it (within the hour)',
    file: ENGINE,
    find: 'const successor = alive ? layout.successorOf(failed) : undefined',
    replace: 'const successor = alive ? undefined : undefined',
    caughtBy: [
      {
        file: RACES,
        test: 'login commits first, then the logout of the old id: the new session is ended too',
      },
      onDynamoDB('a destroy of the old id after a regenerate ends the new session too'),
    ],
  },
  {
    id: 'successor-followed-forever',
    breaks: 'a logout with the pre-login id more than an hour later does not end the new session',
    file: ENGINE,
    find: 'const alive = Number(failed?.[layout.props.expiryName]?.N) > this.#nowSeconds()',
    replace: 'const alive = failed !== undefined',
    caughtBy: [
      onDynamoDB('a destroy of the old id ends the new session only while the successor item lives'),
    ],
  },
  {
    id: 'destroy-undone-by-inflight-read',
    breaks: 'destroy() wins over a read still in flight: the read finishing after it cannot undo it',
    file: 'src/session.ts',
    find: 'if (this.#phase !== loading) return',
    replace: '',
    caughtBy: [{ file: RACES, test: 'the load finishing after destroy() cannot undo it' }],
  },
  {
    id: 'flush-ignores-calls-in-flight',
    breaks: 'no silent loss: a call the handler did not await is saved with its request',
    file: 'src/session.ts',
    find: 'while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])',
    replace: '',
    caughtBy: [
      {
        file: 'test/unit/session-late-calls.test.ts',
        test: 'an un-awaited set() on a returning session (its read still in flight) is saved',
      },
    ],
  },
  // --- An absolute lifetime (maxLifetime) ------------------------------------------------------------------
  {
    id: 'lifetime-ignored-on-write',
    breaks: 'a session used all the time still ends at its absolute deadline',
    file: ENGINE,
    find: 'const expiresAt = cappedExpiry(expiresAtAfter(change, base), createdAt, change.maxLifetime)',
    replace: 'const expiresAt = expiresAtAfter(change, base)',
    caughtBy: [{ file: LIFETIME, test: 'a session used every minute still ends at its absolute deadline' }],
  },
  {
    id: 'lifetime-ignored-on-touch',
    breaks: 'a touch never moves the expiry past the absolute deadline',
    file: 'src/session-flush.ts',
    find: 'const target = cappedExpiry(expireAtFor(expiry, now), base.createdAt ?? now, init.maxLifetime)',
    replace: 'const target = expireAtFor(expiry, now)',
    caughtBy: [{ file: LIFETIME, test: 'a touch never moves the expiry past the deadline' }],
  },
  {
    id: 'regenerate-keeps-lifetime',
    breaks: 'regenerate() (a login) starts a new lifetime',
    file: ENGINE,
    find: 'const stored = storedAfter(change, base, !renewal)',
    replace: 'const stored = storedAfter(change, base, false)',
    caughtBy: [{ file: LIFETIME, test: 'regenerate() (a login) starts a new lifetime' }],
  },
  // --- Id renewal ------------------------------------------------------------------------------------------
  {
    id: 'renewal-restarts-lifetime',
    breaks: 'a renewal keeps the absolute lifetime: renewals never pass it',
    file: ENGINE,
    find: 'const stored = storedAfter(change, base, !renewal)',
    replace: 'const stored = storedAfter(change, base, true)',
    caughtBy: [{ file: LIFETIME, test: 'renewals never pass the absolute lifetime' }],
  },
  {
    id: 'renewal-grace-never-closes',
    breaks: 'an old id reaches the renewed session inside the grace window, and not after',
    file: LAYOUT,
    find: 'return until > now ? this.successorOf(item) : undefined',
    replace: 'return this.successorOf(item)',
    caughtBy: [
      { file: LIFETIME, test: 'a request still carrying the old cookie works inside the grace window' },
    ],
  },
  {
    id: 'login-gets-a-grace-window',
    breaks: 'after regenerate() on login the old id stops working at once, renewal or not',
    file: ENGINE,
    find: 'const graceUntil = renewal && now + renewal.grace',
    replace: 'const graceUntil = now + 30',
    caughtBy: [
      { file: LIFETIME, test: 'regenerate() (a login) with renewal on still ends the old id at once' },
    ],
  },
  {
    id: 'renewal-not-followed-on-rebase',
    breaks:
      'a request racing a renewal with the old id follows it to the new one: nothing acknowledged is lost',
    file: ENGINE,
    find: 'return renewed === undefined ? record : this.load(renewed, true)',
    replace: 'return record',
    caughtBy: [
      {
        file: 'test/integration/renewal-races.test.ts',
        test: 'the renewal lands first: the write that read the old id follows it',
      },
    ],
  },
  {
    id: 'recent-authentication-ignores-age',
    breaks: 'a route requiring a recent sign-in answers 401 once the sign-in is older',
    file: 'src/session.ts',
    find: 'return at !== undefined && this.#nowSeconds() - at <= seconds',
    replace: 'return at !== undefined',
    caughtBy: [
      {
        file: LIFETIME,
        test: 'a route requiring a recent sign-in answers 200 within the window and 401 after it',
      },
    ],
  },
  {
    id: 'audit-event-carries-raw-id',
    breaks: 'an audit event names a session by a keyed hash, never by its id',
    file: 'src/audit.ts',
    find: "createHmac('sha256', key).update(id).digest('base64url').slice(0, 22)",
    replace: 'id',
    caughtBy: [{ file: LIFETIME, test: 'never carries a raw id' }],
  },
  // --- Cross-site requests (CSRF) ---------------------------------------------------------------------------
  {
    id: 'same-site-let-through',
    breaks: 'a state-changing request from a sibling subdomain (Sec-Fetch-Site: same-site) is refused',
    file: CROSS_SITE,
    find: "if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site: ${site}`",
    replace: "if (site === 'cross-site') return `Sec-Fetch-Site: ${site}`",
    caughtBy: [{ file: CROSS_SITE_TESTS, test: 'refuses a POST: same-site' }],
  },
  {
    id: 'origin-fallback-skipped',
    breaks: 'from a browser without Fetch Metadata, a state-changing request from another origin is refused',
    file: CROSS_SITE,
    find: "return host && parsed(origin)?.host === host ? undefined : 'Origin is not this host'",
    replace: 'return undefined',
    caughtBy: [{ file: CROSS_SITE_TESTS, test: 'refuses a POST: no Fetch Metadata, a foreign Origin' }],
  },
  // --- A user's sessions: sign out everywhere is complete and final ----------------------------------------
  {
    id: 'bind-ignores-lease',
    breaks: 'a login racing "sign out everywhere" waits for it, then is bound after it',
    file: BINDING_WRITES,
    find: 'when.and(when.exists([sessions]), unlockedIf(nowMs), when.sizeBelow([sessions], maxSessions)),',
    replace: 'when.and(when.exists([sessions]), when.sizeBelow([sessions], maxSessions)),',
    caughtBy: [
      {
        file: 'test/integration/user-sessions.test.ts',
        test: 'a login racing it waits for it, then is bound after it',
      },
    ],
  },
  {
    id: 'follow-ignores-lease',
    breaks: 'a bound session regenerating while "sign out everywhere" runs is ended too',
    file: BINDING_WRITES,
    find: 'when.and(when.or(...fromIds.map((id) => when.eq(path, { S: id }))), unlockedIf(nowMs)),',
    replace: 'when.or(...fromIds.map((id) => when.eq(path, { S: id }))),',
    caughtBy: [
      { file: ATTACKS, test: 'a bound session logging in again while sign-out-everywhere runs waits for it' },
    ],
  },
  {
    id: 'cap-ignored-in-transaction',
    breaks: 'past maxSessionsPerUser a bind is refused, also when logins race',
    file: BINDING_WRITES,
    find: 'when.and(when.exists([sessions]), unlockedIf(nowMs), when.sizeBelow([sessions], maxSessions)),',
    replace: 'when.and(when.exists([sessions]), unlockedIf(nowMs)),',
    caughtBy: [{ file: ATTACKS, test: 'logins racing at the cap: both find room, only one is bound' }],
  },
  {
    id: 'cap-check-skipped',
    breaks: "a login at the cap is refused at bindUser(), before the handler's side effects",
    file: ROOM,
    find: 'for (let round = 0; round < MAX_ROUNDS; round++) {\n      if ((await this.makeRoom(',
    replace: 'for (let round = 0; round < 0; round++) {\n      if ((await this.makeRoom(',
    caughtBy: [
      { file: ATTACKS, test: 'refuses at bindUser() with TooManySessionsError (403), before the handler' },
    ],
  },
  {
    id: 'stale-removal-unconditional',
    breaks: 'the entry of a session found gone is dropped only while it still names the id checked',
    file: ROOM,
    find: "when.and(...paths.map(([path, handle]) => when.eq(path, { S: sids.get(handle) ?? '' }))),",
    replace: 'when.exists([USER_ATTRIBUTES.sessions]),',
    caughtBy: [
      { file: ATTACKS, test: 'a check of the cap held while a session regenerates and its old item goes' },
    ],
  },
  {
    id: 'stale-check-ignores-successor',
    breaks: 'a regenerated session is never a stale entry: its successor is followed',
    file: ROOM,
    find: 'if (successor !== undefined) {\n          next.push',
    replace: 'if (false) {\n          next.push',
    caughtBy: [
      usersOnDynamoDB('a regenerated session is never a stale entry'),
      {
        file: ATTACKS,
        test: "with whenFull: 'end-least-recent', a check held while the least recent session logs in",
      },
    ],
  },
  {
    id: 'stale-check-ignores-expiry',
    breaks: 'an expired session is gone: its entry makes room at the cap',
    file: ROOM,
    find: 'const live = item !== undefined && Number(item[props.expiryName]?.N) > nowSeconds',
    replace: 'const live = item !== undefined',
    caughtBy: [{ file: ATTACKS, test: 'the entry of a session that is really gone is dropped' }],
  },
  {
    id: 'lru-picks-most-recent',
    breaks: "whenFull: 'end-least-recent' ends the least recently used session, and only that one",
    file: ROOM,
    find: 'await this.#end(userId, leastRecent)',
    replace: 'await this.#end(userId, [...sids.keys()].find((h) => h !== leastRecent) ?? leastRecent)',
    caughtBy: [usersOnDynamoDB("whenFull: 'end-least-recent' ends the least recently used session")],
  },
  {
    id: 'lease-fence-removed',
    breaks: 'a sign-out whose lease ran out while stalled starts over and ends what was bound meanwhile',
    file: SIGN_OUT,
    find: 'return when.and(when.eq([USER_ATTRIBUTES.revokeToken], { S: lease.token }), sameVersion)',
    replace: 'return when.eq([USER_ATTRIBUTES.revokeToken], { S: lease.token })',
    caughtBy: [{ file: ATTACKS, test: 'a sign-out whose lease runs out while it is stalled starts over' }],
  },
  {
    id: 'lease-reply-not-recognised',
    breaks: "a lost reply of the lease is recognised by its token, not taken for a rival's lease",
    file: SIGN_OUT,
    find: 'if (item?.[revokeToken]?.S === token) {',
    replace: "if ('attributes' in outcome) {",
    caughtBy: [{ file: ATTACKS, test: 'a lost reply of the lease is recognised' }],
  },
  {
    id: 'wait-ignores-deadline',
    breaks:
      'a login with less time left than the lease answers 503 with Retry-After, before its time runs out',
    file: USER_ITEMS,
    find: 'if (Date.now() + wait > limit) throw new SessionBusyError(operation, left / 1000)',
    replace: '',
    caughtBy: [{ file: ATTACKS, test: 'a login with less time left than the lease answers 503' }],
  },
  {
    id: 'end-removes-entry-unconditionally',
    breaks:
      'ending one device removes its entry only while it names the session ended (a regenerate moves it)',
    file: USERS,
    find: 'when.or(when.missing(path), when.eq(path, { S: sid })),',
    replace: 'when.exists([USER_ATTRIBUTES.sessions]),',
    caughtBy: [
      {
        file: ATTACKS,
        test: 'ending a device whose session regenerates meanwhile (and whose old item goes)',
      },
    ],
  },
  {
    id: 'end-all-without-second-net',
    breaks: "sign out everywhere ends a bound session even when the user's item does not list it",
    file: SIGN_OUT,
    find: 'for (const handle of await this.#deleteIndexed(userId, options.except, lease)) ended.add(handle)',
    replace: 'void this.#deleteIndexed',
    caughtBy: [{ file: ATTACKS, test: "a bound session the user's item does not list" }],
  },
  // --- The test kit's MemoryStore keeps the same contract ------------------------------------------------
  {
    id: 'memory-table-eq-always-true',
    breaks:
      'MemoryStore: the memory table compares values as DynamoDB does (a changed key is a 409 there too)',
    file: MEMORY_TABLE,
    find: 'return value !== undefined && same(value, condition.value)',
    replace: 'return value !== undefined',
    caughtBy: [
      { file: MEMORY_CONTRACT, test: 'refuses a change of a key another request changed since' },
      { file: 'test/integration/table-port.test.ts', test: 'conditional puts and deletes' },
    ],
  },
  {
    id: 'memory-table-without-ttl',
    breaks: 'MemoryStore: an expired session stays gone when the clock is set back (TTL at once)',
    file: MEMORY_TABLE,
    find: 'if (!this.#ttl) return',
    replace: 'return',
    caughtBy: [{ file: 'test/unit/testing/memory-store.test.ts', test: 'the clock decides expiry' }],
  },
  {
    id: 'grace-hop-eventually-consistent',
    breaks:
      'the grace window holds on a table read with consistentRead: false (the new item is read strongly)',
    file: ENGINE,
    find: '{ consistent: consistent || hop > 0 }',
    replace: '{ consistent }',
    caughtBy: [
      {
        file: 'test/integration/renewal-races.test.ts',
        test: 'with consistentRead: false, the hop from the old id to the new one is read strongly',
      },
    ],
  },
  {
    id: 'retried-write-hands-out-login-id',
    breaks: 'after regenerate() on login the old id never leads to the new one, even through a retried write',
    file: ENGINE,
    find: "if (moved) return { status: 'saved', record: moved, elsewhere: true }",
    replace: "if (moved) return { status: 'saved', record: moved }",
    caughtBy: [
      { file: RACES, test: 'a save whose lost reply is retried only after a login moved the session' },
    ],
  },
  // --- Writes without a read (blindWrites) --------------------------------------------------------------------
  {
    id: 'blind-write-retry-reapplied',
    breaks:
      'a blind write whose reply was lost is recognised by its token, not applied again over a later write',
    file: WRITES,
    find: '    when.missing([writeTokensName, token]),\n',
    replace: '',
    caughtBy: [
      { file: BLIND_RACES, test: 'its reply lost, and a write of the same key lands before the SDK' },
    ],
  },
  {
    id: 'blind-write-past-deadline',
    breaks: 'a write without a read never moves the expiry past the absolute deadline',
    file: WRITES,
    find: 'conditions.push(when.gt([createdName], { N: String(expiresAt - maxLifetime - 1) }))',
    replace: 'void 0',
    caughtBy: [
      { file: LIFETIME, test: 'an absolute lifetime: a write near the deadline never moves the expiry' },
    ],
  },
  {
    id: 'blind-write-skips-renewal',
    breaks: 'a write without a read renews an id that is due',
    file: WRITES,
    find: 'when.and(when.missing([renewedName]), when.gt([createdName], since)),',
    replace: 'when.missing([renewedName]),',
    caughtBy: [{ file: LIFETIME, test: 'a renewal due: the write renews the id' }],
  },
  {
    id: 'blind-write-ignores-policy',
    breaks: "a write without a read keeps a session's own expiry policy",
    file: WRITES,
    find: '    when.missing([expiryPolicyName]),\n    when.sizeBelow',
    replace: '    when.sizeBelow',
    caughtBy: [{ file: LIFETIME, test: 'a per-session expiry: the store reads and saves as usual' }],
  },
  // --- CSRF tokens -----------------------------------------------------------------------------------------
  {
    id: 'csrf-token-always-matches',
    breaks: 'a header-less request needs a valid token of its own session',
    file: 'src/csrf-token.ts',
    find: 'return timingSafeEqual(xor(bytes.subarray(0, SECRET_BYTES), bytes.subarray(SECRET_BYTES)), expected)',
    replace: 'return true',
    caughtBy: [
      { file: 'test/unit/csrf-token.test.ts', test: 'every token of a secret differs' },
      { file: LIFETIME, test: 'a token of another session does not pass' },
    ],
  },
  {
    id: 'csrf-token-not-required',
    breaks: 'with requireToken, a header-less POST without a valid token is refused before the handler',
    file: 'src/middleware.ts',
    find: ': tokenToCheck(request.event, tokenHeader)',
    replace: ': undefined',
    caughtBy: [{ file: LIFETIME, test: 'a header-less POST passes with a valid token and is refused' }],
  },
  {
    id: 'login-keeps-csrf-secret',
    breaks: 'a login (regenerate) makes a new CSRF secret: tokens handed out before it stop working',
    file: ENGINE,
    find: 'const csrfSecret = change.csrfSecret ?? (restart ? undefined : base.csrfSecret)',
    replace: 'const csrfSecret = change.csrfSecret ?? base.csrfSecret',
    caughtBy: [
      { file: LIFETIME, test: 'the token survives a renewal; a login (regenerate) makes a new one' },
    ],
  },
  {
    id: 'csrf-secret-overwritten',
    breaks: 'two requests making the CSRF secret at once: one is told 409, no page carries a dead token',
    file: WRITES,
    find: 'conditions.push(when.missing([props.csrfName]))',
    replace: '',
    caughtBy: [
      {
        file: 'test/integration/renewal-races.test.ts',
        test: 'one is told 409 (its token could never work)',
      },
    ],
  },
  // --- Cookies ---------------------------------------------------------------------------------------------
  {
    id: 'signature-not-checked',
    breaks: 'a signed cookie whose signature does not verify is no session id',
    file: 'src/signing.ts',
    find: 'return secrets.map((secret) => timingSafeEqual(signature, mac(secret, id))).includes(true) ? id : undefined',
    replace: 'return id',
    caughtBy: [{ file: 'test/unit/signing.test.ts', test: 'any one-character change of a signed value' }],
  },
  // --- Operations (issue 22) ------------------------------------------------------------------------------
  {
    id: 'capacity-always-asked',
    breaks: 'the store asks DynamoDB for consumed capacity only when a request reports its calls',
    file: 'src/dynamodb/base-store.ts',
    find: "if (listener && input && /Item|Query|Scan/.test(operation)) input.ReturnConsumedCapacity = 'TOTAL'",
    replace: "if (input && /Item|Query|Scan/.test(operation)) input.ReturnConsumedCapacity = 'TOTAL'",
    caughtBy: [
      {
        file: 'test/integration/store-calls.test.ts',
        test: 'asks DynamoDB for consumed capacity only when a request reports its calls',
      },
    ],
  },
  {
    id: 'retries-not-reported',
    breaks: 'a call the SDK retried is reported with its attempts (the metric DynamoDBRetries)',
    file: 'src/dynamodb/base-store.ts',
    find: "attempts: typeof attempts === 'number' ? attempts : 1,",
    replace: 'attempts: 1,',
    caughtBy: [{ file: 'test/integration/store-calls.test.ts', test: 'a throttled read retried by the SDK' }],
  },
  {
    id: 'steps-old-item-replaced-unconditionally',
    breaks:
      'without transactions, the old item is replaced only if the session is still as the login read it',
    file: ENGINE,
    find: 'const replaced = await this.#table.write({ put: tombstone, if: layout.unchangedIf(revision, now) })',
    replace: 'const replaced = await this.#table.write({ put: tombstone })',
    caughtBy: [{ file: MRSC, test: 'a logout with the old cookie: afterwards nothing is reachable' }],
  },
  {
    id: 'steps-pending-confirmed-before-commit',
    breaks: 'a reader confirms a pending item only once its old item names it (the commit point)',
    file: ENGINE,
    find: 'if (this.#layout.successorOf(from) !== id) return undefined',
    replace: '',
    caughtBy: [{ file: MRSC, test: 'after the pending item: the old session lives on, alone' }],
  },
  {
    id: 'steps-pending-read-as-live',
    breaks: 'a pending item is not a session to any read until it is confirmed',
    file: LAYOUT,
    find: ' || item[this.props.pendingName]) return undefined',
    replace: ') return undefined',
    caughtBy: [{ file: MRSC, test: 'after the pending item: the old session lives on, alone' }],
  },
  {
    id: 'steps-bound-item-confirmed-unnamed',
    breaks:
      "without transactions, a login's bound new item is confirmed only once its user's item names it: a sign-out stays complete",
    file: ENGINE,
    find: 'if (!(await users.moveEntry(binding, pending.from, id, deadline))) {',
    replace: 'if (binding === undefined) {',
    caughtBy: [
      { file: MRSC_USERS, test: 'makes no transaction, and the session is bound and named by its user' },
      { file: MRSC_USERS, test: 'a sign-out before the next request ends it' },
    ],
  },
  {
    id: 'steps-bound-before-named',
    breaks:
      "without transactions, a bind names the session in its user's item before it writes the binding: no bound session escapes sign-out-everywhere",
    file: ENGINE,
    find: `    if (users && !(await users.addBefore(step, deadline, attempt))) return { busy: true }
    const written = await this.#table.write(write)`,
    replace: `    const written = await this.#table.write(write)
    if (users && !(await users.addBefore(step, deadline, attempt))) return { busy: true }`,
    caughtBy: [{ file: MRSC_USERS, test: 'the Lambda killed right after write 1' }],
  },
  {
    id: 'steps-refused-bind-keeps-entry',
    breaks:
      "without transactions, a bind refused by a conflict takes back the entry it added: the user's item names no session that is not bound to the user",
    file: ENGINE,
    find: '      if (add) await users?.unlist(add.binding, add.toId).catch(() => undefined)\n',
    replace: '',
    caughtBy: [usersOnDynamoDB("a bind refused by a conflict leaves its user's item as it was")],
  },
  {
    id: 'home-regions-write-here',
    breaks:
      'with home Regions, a session is written in its home, where its condition sees every earlier write',
    file: 'src/dynamodb/home-regions.ts',
    find: 'const home = found ?? this.#region',
    replace: 'const home = this.#region',
    caughtBy: [
      {
        file: 'test/unit/home-regions.test.ts',
        test: 'reads here, and writes a session homed elsewhere in its home',
      },
      { file: 'test/integration/mrec-replicator.test.ts', test: 'with: the write goes to the home Region' },
    ],
  },
  {
    id: 'sweep-deletes-renewed-user-item',
    breaks:
      "deleteExpiredSessions deletes a user's item only if it is still expired: a bind that renewed it keeps its entry",
    file: 'src/dynamodb/delete-expired.ts',
    find: 'const stillExpired = when.lt([expiryName], { N: String(now + 1) })',
    replace: 'const stillExpired = undefined',
    caughtBy: [{ file: 'test/integration/store.test.ts', test: "keeps a user's item that a bind renewed" }],
  },
  {
    id: 'lite-attempts-not-reported',
    breaks: "the lite transport reports how many times it sent a request (the store's call reports)",
    file: LITE_TRANSPORT,
    find: 'return { output: parseReply(text), attempts: attempt }',
    replace: 'return { output: parseReply(text), attempts: 1 }',
    caughtBy: [{ file: 'test/integration/lite.test.ts', test: 'throttled twice' }],
  },
  {
    id: 'lite-retries-everything',
    breaks: 'the lite transport does not send again what DynamoDB refused for good, as the SDK does not',
    file: LITE_TRANSPORT,
    find: 'if (attempt >= maxAttempts || !retryable(error)) throw error',
    replace: 'if (attempt >= maxAttempts) throw error',
    caughtBy: [
      { file: 'test/integration/lite.test.ts', test: 'does not retry what DynamoDB refused for good' },
    ],
  },
  {
    id: 'lite-lost-connection-not-retried',
    breaks:
      'the lite transport sends again a request whose connection was lost (a reply lost after the write)',
    file: LITE_TRANSPORT,
    find: '    status === undefined ||\n',
    replace: '',
    caughtBy: [
      { file: 'test/integration/lite.test.ts', test: 'the connection dropped before DynamoDB saw it' },
      {
        file: 'test/integration/lite.test.ts',
        test: 'a write whose reply was lost after DynamoDB applied it',
      },
    ],
  },
  {
    id: 'lite-binary-not-decoded',
    breaks: 'the lite transport turns the base64 of binary values back into bytes, as the SDK does',
    file: LITE_TRANSPORT,
    find: "if (key === 'B' && typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'))",
    replace: '',
    caughtBy: [
      { file: 'test/integration/lite.test.ts', test: 'stores and reads what the SDK store reads and stores' },
    ],
  },
  {
    id: 'memory-calls-not-reported',
    breaks:
      'the memory store reports the calls DynamoDB would get, so the metrics are the same on both stores',
    file: MEMORY_TABLE,
    find: "this.#report('GetItem')",
    replace: '',
    caughtBy: [
      {
        file: 'test/unit/testing/memory-store.lifetime.test.ts',
        test: 'a first visit, a returning write, a forged cookie and a logout',
      },
    ],
  },
  {
    id: 'observer-spans-private-methods',
    breaks: "the observed store leaves the store's own methods its own (private fields, synchronous results)",
    file: 'src/powertools/observer.ts',
    find: 'if (!OPERATIONS.has(key)) return value.bind(object)',
    replace: '',
    caughtBy: [
      { file: 'test/unit/powertools.test.ts', test: "leaves the store's synchronous methods synchronous" },
    ],
  },
  {
    id: 'tower-keys-unbounded',
    breaks:
      'a tower-sessions record of more keys than a session holds is refused from its header, not decoded',
    file: 'src/tower-sessions/scan.ts',
    find: 'if (head.length > MAX_SESSION_KEYS) refuse(`more than ${MAX_SESSION_KEYS} keys`)',
    replace: '',
    caughtBy: [
      {
        file: 'test/unit/tower-sessions/hostile.test.ts',
        test: 'reads 8,192 keys, the most a session holds',
      },
    ],
  },
  {
    id: 'tokens-kept-too-few',
    breaks:
      "a write whose reply was lost recognises itself on the SDK's retry unless 4 writes that read landed in between",
    file: LAYOUT,
    find: 'tokens[KEPT_TOKENS - 1]?.[1] ?? 0',
    replace: 'tokens[0]?.[1] ?? 0',
    caughtBy: [{ file: RACES, test: 'a save whose lost reply is retried after 3 writes in later seconds' }],
  },
  {
    id: 'replicated-conflict-not-retried',
    breaks:
      'a write another Region refused at the same moment (MRSC) is sent again before the request is told 409',
    file: 'src/dynamodb/table.ts',
    find: 'if (attempt >= REPLICATED_RETRIES) throw',
    replace: 'if (attempt >= 0) throw',
    caughtBy: [
      {
        file: 'test/integration/replicated-conflicts.test.ts',
        test: 'a save refused on more attempts than the SDK makes',
      },
      {
        file: 'test/integration/replicated-conflicts.test.ts',
        test: 'a logout refused on more attempts than the SDK makes',
      },
    ],
  },
]
