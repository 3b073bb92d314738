import { describe, expect, it } from 'vitest'
import {
  PACKAGE_NAME,
  SessionConfigError,
  SessionConflictError,
  SessionDataError,
  SessionError,
  SessionStoreError,
  SessionTooLargeError,
} from '../../src/errors.ts'

const cause = Object.assign(new Error('ProvisionedThroughputExceededException'), {
  name: 'ThrottlingException',
})

const instances: [string, SessionError][] = [
  ['SessionError', new SessionError('base', { cause })],
  ['SessionConfigError', new SessionConfigError('bad config', { cause })],
  ['SessionDataError', new SessionDataError('bad data', { cause })],
  ['SessionStoreError', new SessionStoreError('GetItem', 'DynamoDB GetItem failed', { cause })],
  ['SessionConflictError', new SessionConflictError('key', { cause })],
  ['SessionTooLargeError', new SessionTooLargeError(500_000, 409_600)],
]

describe.each(instances)('%s', (className, error) => {
  it('is an Error and a SessionError', () => {
    expect(error).toBeInstanceOf(Error)
    expect(error).toBeInstanceOf(SessionError)
  })

  it('is named after its class', () => {
    expect(error.name).toBe(className)
    expect(error.constructor.name).toBe(className)
    expect(String(error)).toMatch(new RegExp(`^${className}: `))
  })

  it("carries the package name, as Middy's packages do", () => {
    expect(error.package).toBe('middy-dynamodb-session')
    expect(PACKAGE_NAME).toBe('middy-dynamodb-session')
  })

  it('has a stack trace', () => {
    expect(error.stack).toContain(className)
  })
})

describe('cause', () => {
  it.each(instances.filter(([name]) => name !== 'SessionTooLargeError'))('%s keeps its cause', (_, error) => {
    expect(error.cause).toBe(cause)
  })

  it('is absent when not given', () => {
    const error = new SessionConfigError('no cause')
    expect(error.cause).toBeUndefined()
    expect('cause' in error).toBe(false)
  })

  it('may be any value', () => {
    expect(new SessionStoreError('PutItem', 'failed', { cause: 'text' }).cause).toBe('text')
  })
})

describe('subclasses are distinct', () => {
  it('does not confuse one subclass for another', () => {
    const conflict = new SessionConflictError('ended')
    expect(conflict).not.toBeInstanceOf(SessionStoreError)
    expect(conflict).not.toBeInstanceOf(SessionDataError)
    expect(new SessionDataError('x')).not.toBeInstanceOf(SessionConfigError)
    expect(new SessionTooLargeError(1, 0)).not.toBeInstanceOf(SessionStoreError)
    // Too large is bad data: set() refuses it like any other value it cannot store.
    expect(new SessionTooLargeError(1, 0)).toBeInstanceOf(SessionDataError)
  })
})

describe('SessionConflictError', () => {
  it('maps to HTTP 409 with a message safe to expose', () => {
    const error = new SessionConflictError('key')
    expect(error.statusCode).toBe(409)
    expect(error.expose).toBe(true)
    expect(error.reason).toBe('key')
    expect(error.message).toMatch(/same session key/)
  })

  it('says what actually happened, one distinct message per reason, none claiming more', () => {
    const reasons = ['key', 'expiry', 'ended', 'contention', 'replicated'] as const
    const messages = reasons.map((reason) => new SessionConflictError(reason).message)
    expect(new Set(messages).size).toBe(reasons.length)
    for (const message of messages)
      expect(message).toMatch(/none of this request's session changes was saved/)
    expect(new SessionConflictError('ended').message).toMatch(/ended/)
    expect(new SessionConflictError('expiry').message).toMatch(/expiry/)
    expect(new SessionConflictError('contention').message).toMatch(/kept changing/)
    expect(new SessionConflictError('replicated').message).toMatch(/Another Region kept writing/)
  })
})

describe('SessionStoreError', () => {
  it('names the failed operation', () => {
    const error = new SessionStoreError('UpdateItem', 'DynamoDB UpdateItem failed (ThrottlingException)', {
      cause,
    })
    expect(error.operation).toBe('UpdateItem')
    expect(error.message).toBe('DynamoDB UpdateItem failed (ThrottlingException)')
    expect(error.cause).toBe(cause)
  })
})

describe('SessionTooLargeError', () => {
  it('carries the size and the limit', () => {
    const error = new SessionTooLargeError(512_000, 409_600)
    expect(error.size).toBe(512_000)
    expect(error.limit).toBe(409_600)
  })

  it('states both figures in its message', () => {
    const error = new SessionTooLargeError(512_000, 409_600)
    expect(error.message).toContain('512000')
    expect(error.message).toContain('409600')
  })

  it('takes no session data, so its message cannot leak any', () => {
    // The constructor takes only numbers: there is no way to pass the data in.
    expect(SessionTooLargeError.length).toBe(2)
    const error = new SessionTooLargeError(409_601, 409_600)
    expect(error.message).toMatch(/^[\w\s.,]+$/)
    expect(Object.keys(error).sort()).toEqual(['limit', 'name', 'package', 'size'])
  })
})
