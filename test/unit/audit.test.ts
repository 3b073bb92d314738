/**
 * Audit events (issue 20): a hook that throws is logged and the request goes on; the option is checked at
 * creation. The events themselves, on both stores: test/support/audit-flows.ts.
 */
import middy from '@middy/core'
import { describe, expect, it } from 'vitest'
import { dynamoSession, SessionConfigError, type SessionContext } from '../../src/index.ts'
import { httpEvent, MemoryStore, testClock } from '../../src/testing/index.ts'

const KEY = 'k'.repeat(32)
const noop = (): void => undefined

describe('the audit option', () => {
  it('a hook that throws is logged, and the request goes on', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    const errors: unknown[] = []
    const handler = middy<unknown, unknown, Error, SessionContext<{ n: number }>>()
      .use(
        dynamoSession<{ n: number }>({
          store,
          now: clock.now,
          logger: { warn: noop, error: (...args) => errors.push(args) },
          audit: {
            onEvent: () => {
              throw new Error('the SIEM is down')
            },
          },
        }),
      )
      .handler(async (_event, context) => {
        await context.session.set('n', 1)
        return { statusCode: 200, body: 'ok' }
      })
    const result = (await handler(httpEvent('http-api-v2', { path: '/' }), {} as never)) as {
      statusCode: number
    }
    expect(result.statusCode).toBe(200)
    expect(store.sessions()).toHaveLength(1)
    expect(errors).toEqual([
      ['middy-dynamodb-session: the audit onEvent hook threw', { type: 'created', error: 'Error' }],
    ])
  })

  it.each([
    [{ audit: {} }, /audit must be \{ onEvent\(event\)/],
    [{ audit: { onEvent: noop, keys: KEY } }, /Unknown option audit\.keys/],
    [{ audit: { onEvent: noop, key: 'short' } }, /audit\.key must be a string of at least 32 characters/],
  ] as [unknown, RegExp][])('refuses %j at creation', (options, message) => {
    expect(() => dynamoSession(options as never)).toThrow(SessionConfigError)
    expect(() => dynamoSession(options as never)).toThrow(message)
  })
})
