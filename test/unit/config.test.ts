/**
 * Mistaken options fail at creation with SessionConfigError, naming the option and what was meant: every
 * mistake of issue 18's list (each of which used to pass silently, or blame another option), on the
 * middleware, the DynamoDB store and the MemoryStore.
 */
import { describe, expect, it } from 'vitest'
import {
  DynamoDBSessionStore,
  dynamoSession,
  Expiry,
  SessionConfigError,
  type SessionExpiry,
} from '../../src/index.ts'
import { MemoryStore } from '../../src/testing/index.ts'
import { userSessions } from '../../src/users/index.ts'

const SECRET = 'x'.repeat(40)
const DAYS_14_IN_MS = 14 * 24 * 3600 * 1000

/** The SessionConfigError `make` throws (fails the test if it throws nothing, or something else). */
function configError(make: () => unknown): string {
  try {
    make()
  } catch (error) {
    expect(error).toBeInstanceOf(SessionConfigError)
    return (error as Error).message
  }
  throw new Error('no error was thrown')
}

const middleware = (options: unknown) => () => dynamoSession(options as never)

describe('the middleware refuses mistaken options, with a hint', () => {
  it.each([
    [
      "secret (express-session's name)",
      { secret: [SECRET] },
      /Unknown option secret: did you mean secrets\?/,
    ],
    [
      'store.tablename',
      { store: { tablename: 'Sessions' } },
      /Unknown option store\.tablename: did you mean store\.tableName\?/,
    ],
    [
      'a top-level tableName',
      { tableName: 'Sessions' },
      /tableName belongs under store: \{ store: \{ tableName \} \}/,
    ],
    [
      'store.table',
      { store: { table: 'Sessions' } },
      /Unknown option store\.table: did you mean tableName\?/,
    ],
    [
      'store.TableName (the SDK spelling)',
      { store: { TableName: 'Sessions' } },
      /did you mean store\.tableName\?/,
    ],
    [
      'one secret as a string',
      { secrets: SECRET },
      /secrets must be an array of strings: wrap one secret in \[ \]/,
    ],
    [
      'secrets: undefined',
      { secrets: undefined },
      /secrets is undefined \(is its environment variable set\?\)/,
    ],
    [
      'secrets from an unset variable',
      { secrets: process.env.NO_SUCH_VARIABLE_X?.split(',') },
      /secrets is undefined/,
    ],
    [
      'expiry as a number',
      { expiry: 3600 },
      /expiry must be an expiry policy, made with Expiry\.onInactivity\(seconds\)/,
    ],
    [
      'cookie.samesite',
      { cookie: { samesite: 'strict' } },
      /Unknown option cookie\.samesite: did you mean cookie\.sameSite\?/,
    ],
    [
      'cookie.maxAge',
      { cookie: { maxAge: 3600 } },
      /Unknown option cookie\.maxAge: the cookie's lifetime is the session's: set expiry/,
    ],
    [
      'cookie.expires',
      { cookie: { expires: new Date() } },
      /Unknown option cookie\.expires: the cookie's lifetime is the session's/,
    ],
    [
      'a top-level maxAge',
      { maxAge: 3600 },
      /Unknown option maxAge: did you mean expiry\? .*Expiry\.onInactivity\(seconds\)/,
    ],
    ['failOpen: "false"', { failOpen: 'false' }, /failOpen must be true or false, not the string "false"/],
    [
      'saveOnError: "false"',
      { saveOnError: 'false' },
      /saveOnError must be true or false, not the string "false"/,
    ],
    [
      'a hand-made expiry of 10^15 seconds',
      { expiry: { kind: 'onInactivity', seconds: 1e15 } },
      /at most 34560000 \(400 days\)/,
    ],
    [
      'a hand-made expiry of an unknown kind',
      { expiry: { kind: 'forever' } },
      /expiry must be an expiry policy/,
    ],
    [
      'a cookie option at the top level',
      { sameSite: 'strict' },
      /sameSite belongs under cookie: \{ cookie: \{ sameSite \} \}/,
    ],
    [
      'a logger without warn()',
      { logger: { info: () => undefined } },
      /logger must be a logger with warn\(\) and error\(\)/,
    ],
    [
      'store.users as the options of an earlier release',
      { store: { users: { maxSessionsPerUser: 2 } } },
      /store\.users must be userSessions\(\{ \.\.\. \}\) from 'middy-dynamodb-session\/users'/,
    ],
    [
      'a key name in the SDK spelling',
      { store: { partitionKey: { Name: 'pk' } } },
      /Unknown option partitionKey\.Name: did you mean partitionKey\.name\?/,
    ],
    ['store.region', { store: { region: 'eu-west-1' } }, /give a client of your own/],
  ])('%s', (_name, options, message) => {
    expect(configError(middleware(options))).toMatch(message)
  })

  it('userSessions() checks its own options, with hints', () => {
    expect(configError(() => userSessions({ maxSessionPerUser: 2 } as never))).toMatch(
      /Unknown option users\.maxSessionPerUser: did you mean users\.maxSessionsPerUser\?/,
    )
    expect(configError(() => userSessions({ maxSessionsPerUser: 0 }))).toMatch(
      /maxSessionsPerUser must be a positive integer/,
    )
  })

  it('an inactivity window given in milliseconds says so, from the builder itself', () => {
    expect(configError(() => Expiry.onInactivity(DAYS_14_IN_MS))).toMatch(
      /Expiry\.onInactivity takes seconds, .*at most 34560000 \(400 days\); got 1209600000 \(milliseconds\?\)/,
    )
  })

  it('options an earlier mistake would have hidden are accepted as they are meant', () => {
    const accepted = dynamoSession({
      store: { tableName: 'Sessions', users: userSessions({ maxSessionsPerUser: 5 }) },
      secrets: [SECRET],
      cookie: { sameSite: 'strict' },
      expiry: Expiry.onInactivity(400 * 24 * 3600),
      failOpen: false,
      saveOnError: true,
    })
    expect(accepted.name).toBe('dynamoSession')
  })
})

describe('each store refuses mistaken options too', () => {
  it('DynamoDBSessionStore', () => {
    expect(configError(() => new DynamoDBSessionStore({ tablename: 'x' } as never))).toMatch(
      /Unknown option tablename: did you mean tableName\?/,
    )
    expect(configError(() => new DynamoDBSessionStore({ consistentRead: 'true' } as never))).toMatch(
      /consistentRead must be true or false/,
    )
    expect(configError(() => new DynamoDBSessionStore({ secrets: [SECRET] } as never))).toMatch(
      /secrets is an option of dynamoSession\(\) itself/,
    )
  })

  it('MemoryStore: the DynamoDB-only options say that a MemoryStore keeps its sessions in memory', () => {
    for (const options of [{ tableName: 'Sessions' }, { client: {} }]) {
      expect(configError(() => new MemoryStore(options as never))).toMatch(
        /a MemoryStore keeps its sessions in memory/,
      )
    }
    expect(configError(() => new MemoryStore({ createAttempts: 0 }))).toMatch(
      /createAttempts must be a whole number of 1 or more/,
    )
  })
})

describe('an expiry made by hand is checked wherever it is used', () => {
  it('by setExpiry() as by the middleware', async () => {
    const store = new MemoryStore()
    const handler = dynamoSession({ store })
    const request = { event: {}, context: {} as Record<string, unknown> } as never
    await handler.before?.(request)
    const session = (request as { context: { session: { setExpiry(e: SessionExpiry): Promise<void> } } })
      .context.session
    await expect(
      session.setExpiry({ kind: 'onInactivity', seconds: 1e15 } as SessionExpiry),
    ).rejects.toBeInstanceOf(SessionConfigError)
    await expect(
      session.setExpiry({ kind: 'atDateTime', epochSeconds: -5 } as SessionExpiry),
    ).rejects.toThrow(/setExpiry\(\) must be an instant from 1970 to 9999/)
  })
})

describe('maxLifetime (an absolute lifetime) is whole seconds within 400 days', () => {
  it.each([
    ['0', 0, /maxLifetime must be whole seconds, more than 0/],
    ['negative', -60, /maxLifetime must be whole seconds/],
    ['a fraction', 1.5, /maxLifetime must be whole seconds/],
    ['a string', '3600', /maxLifetime must be whole seconds/],
    ['NaN', Number.NaN, /maxLifetime must be whole seconds/],
    ['fourteen days in milliseconds', DAYS_14_IN_MS, /at most 34560000 \(400 days\) \(milliseconds\?\)$/],
    ['401 days', 401 * 24 * 3600, /at most 34560000 \(400 days\)/],
  ])('refuses %s', (_, maxLifetime, message) => {
    expect(configError(middleware({ maxLifetime }))).toMatch(message)
  })

  it('takes 400 days, a second, and eight hours', () => {
    for (const maxLifetime of [400 * 24 * 3600, 1, 8 * 3600]) {
      expect(() => dynamoSession({ maxLifetime })).not.toThrow()
    }
  })

  it('is an option of dynamoSession(), not of a store', () => {
    expect(configError(() => new MemoryStore({ maxLifetime: 3600 } as never))).toMatch(/maxLifetime/)
  })
})

describe('renewal: { every, grace } is whole seconds, the grace short and less than every', () => {
  it.each([
    ['no every', {}, /renewal\.every must be whole seconds, from 60/],
    ['every under a minute', { every: 59 }, /renewal\.every must be whole seconds, from 60/],
    ['every a fraction', { every: 90.5 }, /renewal\.every must be whole seconds/],
    ['every in milliseconds', { every: DAYS_14_IN_MS }, /\(milliseconds\?\)$/],
    ['a grace over 300', { every: 900, grace: 301 }, /renewal\.grace must be whole seconds from 0 to 300/],
    ['a grace as long as every', { every: 60, grace: 60 }, /less than renewal\.every/],
    ['a negative grace', { every: 900, grace: -1 }, /renewal\.grace/],
    ['a typo', { every: 900, window: 30 }, /Unknown option renewal\.window: did you mean grace\?/],
    ['not an object', 900, /renewal must be an object/],
  ])('refuses %s', (_, renewal, message) => {
    expect(configError(middleware({ renewal: renewal as never }))).toMatch(message)
  })

  it('takes every alone (a 30-second grace) or with a grace of 0 to 300', () => {
    for (const renewal of [{ every: 60 }, { every: 900, grace: 0 }, { every: 3600, grace: 300 }]) {
      expect(() => dynamoSession({ renewal })).not.toThrow()
    }
  })
})

describe('blindWrites is true or false', () => {
  it('refuses anything else, and takes both', () => {
    expect(configError(middleware({ blindWrites: 'yes' }))).toMatch(/blindWrites must be true or false/)
    expect(configError(middleware({ blindWrite: true }))).toMatch(/did you mean blindWrites\?/)
    for (const blindWrites of [true, false]) expect(() => dynamoSession({ blindWrites })).not.toThrow()
  })
})
