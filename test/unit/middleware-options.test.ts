import { describe, expect, it } from 'vitest'
import { dynamoSession, Expiry, SessionConfigError, type SessionStore } from '../../src/index.ts'

const failingStore: SessionStore = {
  load: () => Promise.reject(new Error('no I/O expected')),
  create: () => Promise.reject(new Error('no I/O expected')),
  save: () => Promise.reject(new Error('no I/O expected')),
  regenerate: () => Promise.reject(new Error('no I/O expected')),
  touch: () => Promise.reject(new Error('no I/O expected')),
  destroy: () => Promise.reject(new Error('no I/O expected')),
}

describe('dynamoSession() options are checked once, at construction', () => {
  it.each([
    ['a negative touchAfter', { touchAfter: -1 }],
    ['a NaN touchAfter', { touchAfter: Number.NaN }],
    ['an infinite touchAfter', { touchAfter: Number.POSITIVE_INFINITY }],
    ['a NaN maxConflictRetries', { maxConflictRetries: Number.NaN }],
    ['a negative maxConflictRetries', { maxConflictRetries: -1 }],
    ['a fractional maxConflictRetries', { maxConflictRetries: 1.5 }],
    ['no secrets', { secrets: [] }],
    ['a short secret', { secrets: ['short'] }],
    ['SameSite=None without Secure', { cookie: { sameSite: 'none' as const, secure: false } }],
    ['a cookie name with a space', { cookie: { name: 'my id' } }],
    ['a bad table name', { store: { tableName: 'a b' } }],
    ['a store timeout of 0', { store: { timeoutMs: 0 } }],
  ])('rejects %s with SessionConfigError', (_name, options) => {
    expect(() => dynamoSession(options)).toThrow(SessionConfigError)
  })

  it('accepts sound options without any I/O', () => {
    const middleware = dynamoSession({
      store: failingStore,
      touchAfter: 0,
      secrets: ['x'.repeat(32), 'y'.repeat(40)],
      expiry: Expiry.onSessionEnd(3600),
      cookie: { name: '__Host-sid', sameSite: 'strict' },
    })
    expect(middleware.name).toBe('dynamoSession')
    expect(typeof middleware.before).toBe('function')
    expect(typeof middleware.after).toBe('function')
    expect(typeof middleware.onError).toBe('function')
  })

  it('refuses maxConflictRetries beside a ready store (it has its own): the options cannot conflict', () => {
    expect(() => dynamoSession({ store: failingStore, maxConflictRetries: 3 })).toThrow(SessionConfigError)
    expect(() => dynamoSession({ store: { tableName: 'Sessions' }, maxConflictRetries: 3 })).not.toThrow()
  })

  it('refuses a tableName given as undefined (an unset TABLE_NAME) at construction', () => {
    expect(() => dynamoSession({ store: { tableName: process.env.SURELY_UNSET_TABLE_NAME } })).toThrow(
      /TABLE_NAME/,
    )
  })

  it('refuses a default fixed expiry that has already passed', () => {
    expect(() => dynamoSession({ expiry: Expiry.atDateTime(Date.now() - 1000) })).toThrow(SessionConfigError)
  })

  it('builds its own store, lazily, from store props alone (no client, no network)', () => {
    expect(() => dynamoSession({ store: { tableName: 'Sessions', consistentRead: false } })).not.toThrow()
  })
})
