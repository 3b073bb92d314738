/**
 * A response that sets or clears the session cookie is never kept by a shared cache: `private` and
 * `no-cache="Set-Cookie"`, merged into the handler's `Cache-Control` without weakening it, on every
 * front door; a response without the cookie is left alone.
 */
import middy from '@middy/core'
import { describe, expect, it } from 'vitest'
import { keepOutOfSharedCaches, privateCacheControl } from '../../../src/http/cache-control.ts'
import { dynamoSession, type SessionContext } from '../../../src/index.ts'
import {
  FRONT_DOORS,
  httpEvent,
  type KnownFrontDoor,
  MemoryStore,
  testClock,
} from '../../../src/testing/index.ts'

const OURS = 'private, no-cache="Set-Cookie"'

describe('privateCacheControl', () => {
  it.each([
    ['none', undefined, OURS],
    ['an empty header', '', OURS],
    ['public with a max-age: public goes, the max-age stays', 'public, max-age=60', `max-age=60, ${OURS}`],
    [
      's-maxage and stale-while-revalidate stay',
      'public,s-maxage=300, stale-while-revalidate=60',
      `s-maxage=300, stale-while-revalidate=60, ${OURS}`,
    ],
    ['private already', 'private', OURS],
    ['a field-qualified private becomes private', 'private="X-Foo", max-age=5', `max-age=5, ${OURS}`],
    ['an unqualified no-cache is kept (stronger than the qualified one)', 'no-cache', 'private, no-cache'],
    [
      'a field-qualified no-cache becomes the unqualified, stronger one',
      'no-cache="X-Foo, Set-Cookie", max-age=0',
      'max-age=0, private, no-cache',
    ],
    ['an empty list element', 'max-age=60,,public', `max-age=60, ${OURS}`],
    ['a quoted value with a comma', 'ext="a, b", public', `ext="a, b", ${OURS}`],
    ['what it cannot read is kept, and ours added', '=nonsense', `=nonsense, ${OURS}`],
  ])('%s', (_, handlers, expected) => {
    expect(privateCacheControl(handlers)).toBe(expected)
  })

  it.each([['no-store'], ['max-age=0, NO-STORE'], ['no-store, public'], ['=junk, no-store']])(
    'leaves %j as it is: nothing is stored anywhere',
    (handlers) => {
      expect(privateCacheControl(handlers)).toBe(handlers)
    },
  )

  it('never lets public through, whatever the case or the spacing', () => {
    for (const handlers of ['PUBLIC', ' public ', 'max-age=1 ,Public', 'public=1']) {
      expect(privateCacheControl(handlers).toLowerCase()).not.toMatch(/(^|[\s,])public/)
      expect(privateCacheControl(handlers)).toContain('private')
    }
  })
})

describe('keepOutOfSharedCaches', () => {
  const where: Record<KnownFrontDoor, 'headers' | 'multiValueHeaders'> = {
    'http-api-v2': 'headers',
    'function-url': 'headers',
    'rest-api-v1': 'multiValueHeaders',
    alb: 'headers',
    'alb-multi-value': 'multiValueHeaders',
  }

  it.each(FRONT_DOORS)('%s: one Cache-Control, where the door reads it, the handler folded in', (door) => {
    const event = httpEvent(door, { path: '/' })
    const handlers = {
      statusCode: 200,
      headers: { 'cache-control': 'public, max-age=60', 'x-other': '1' },
      multiValueHeaders: { 'CACHE-CONTROL': ['must-revalidate'] },
    }
    const frozen = structuredClone(handlers)
    const result = keepOutOfSharedCaches(event, handlers) as Record<string, Record<string, unknown>>
    const value = 'max-age=60, must-revalidate, private, no-cache="Set-Cookie"'
    if (where[door] === 'headers') expect(result.headers).toEqual({ 'x-other': '1', 'Cache-Control': value })
    else {
      expect(result.headers).toEqual({ 'x-other': '1' })
      expect(result.multiValueHeaders).toEqual({ 'Cache-Control': [value] })
    }
    expect(handlers).toEqual(frozen) // the handler's response is not mutated
  })

  it('leaves a value that is not a response object alone', () => {
    expect(keepOutOfSharedCaches(httpEvent('http-api-v2', { path: '/' }), 'text')).toBe('text')
  })
})

describe('through the middleware, on every front door', () => {
  function app(store: MemoryStore, now: () => number, cacheControl?: string) {
    return middy<{ rawPath?: string; path?: string }, unknown, Error, SessionContext<{ n: number }>>()
      .use(dynamoSession<{ n: number }>({ store, now }))
      .handler(async (event: { rawPath?: string; path?: string }, context: SessionContext<{ n: number }>) => {
        const path = event.rawPath ?? event.path
        if (path === '/write') await context.session.set('n', 1)
        if (path === '/read') await context.session.get('n')
        if (path === '/logout') await context.session.destroy()
        return { statusCode: 200, headers: cacheControl ? { 'Cache-Control': cacheControl } : {}, body: 'ok' }
      })
  }
  const cacheControlOf = (result: Record<string, Record<string, unknown> | undefined>) =>
    [result.headers?.['Cache-Control'], result.multiValueHeaders?.['Cache-Control']].flat().filter(Boolean)

  it.each(FRONT_DOORS)(
    '%s: a response that sets the cookie is private; one that clears it too; one that does not is untouched',
    async (door) => {
      const clock = testClock()
      const store = new MemoryStore({ now: clock.now })
      const handler = app(store, clock.now, 'public, max-age=300')
      const context = {} as SessionContext<{ n: number }>
      const first = (await handler(httpEvent(door, { path: '/write' }) as never, context)) as never
      expect(cacheControlOf(first)).toEqual([`max-age=300, ${OURS}`])
      const [session] = store.sessions()
      const cookie = { cookie: `id=${session?.id}` }
      const read = (await handler(
        httpEvent(door, { path: '/read', headers: cookie }) as never,
        context,
      )) as never
      expect(cacheControlOf(read)).toEqual(['public, max-age=300']) // no cookie sent, the handler's header as it was
      const logout = (await handler(
        httpEvent(door, { path: '/logout', headers: cookie }) as never,
        context,
      )) as never
      expect(cacheControlOf(logout)).toEqual([`max-age=300, ${OURS}`])
    },
  )
})
