import { describe, expect, it } from 'vitest'
import { addSetCookies, type CookieWriteLogger } from '../../../src/http/response-cookies.ts'
import {
  albEvent,
  albMultiValueEvent,
  frontDoorEvents,
  functionUrlEvent,
  httpApiV2Event,
  restApiV1Event,
} from '../../support/events.ts'

const SESSION =
  'id=q3Jz0m2b4uWk1yC8XvQ9dNfH7sLpTa-_; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Secure'
const EXPIRED = 'id=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure'
const HANDLER = 'theme=dark; Path=/; Expires=Fri, 01 Jan 2027 00:00:00 GMT'

type Result = Record<string, unknown> & {
  headers?: Record<string, unknown>
  multiValueHeaders?: Record<string, unknown[]>
  cookies?: unknown[]
}

function add(
  event: unknown,
  response: unknown,
  cookies: readonly string[],
  logger?: CookieWriteLogger,
): Result {
  return addSetCookies(event, response, cookies, logger) as Result
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

function recordingLogger() {
  const warnings: { message: string; details?: Record<string, unknown> }[] = []
  const logger: CookieWriteLogger = {
    warn(message, details) {
      warnings.push({ message, details })
    },
  }
  return { logger, warnings }
}

const multiValueDoors = [
  { name: 'rest-api-v1', event: restApiV1Event },
  { name: 'alb-multi-value', event: albMultiValueEvent },
  { name: 'unknown', event: () => ({}) },
]

const v2Doors = [
  { name: 'http-api-v2', event: httpApiV2Event },
  { name: 'function-url', event: functionUrlEvent },
]

describe('addSetCookies with nothing to add', () => {
  it.each(frontDoorEvents)('$frontDoor: returns the response untouched, not even normalised', ({ event }) => {
    const response = { statusCode: 204 }
    expect(addSetCookies(event(), response, [])).toBe(response)
    expect(response).toEqual({ statusCode: 204 })
    expect(addSetCookies(event(), undefined, [])).toBeUndefined()
    expect(addSetCookies(event(), 'text', [])).toBe('text')
  })
})

describe('addSetCookies on every front door', () => {
  it.each(frontDoorEvents)('$frontDoor: never mutates the handler response', ({ event }) => {
    const response = deepFreeze({
      statusCode: 200,
      headers: { 'Set-Cookie': HANDLER, 'Content-Type': 'text/plain' },
      multiValueHeaders: { 'X-Other': ['1'] },
      body: 'ok',
    })
    const before = structuredClone(response)
    const result = add(event(), response, [SESSION])
    expect(result).not.toBe(response)
    expect(response).toEqual(before)
  })

  it.each(frontDoorEvents)('$frontDoor: a shared constant response does not collect cookies', ({ event }) => {
    const shared = { statusCode: 200, headers: {}, body: 'ok' }
    add(event(), shared, ['id=user-a'])
    const second = add(event(), shared, ['id=user-b'])
    expect(JSON.stringify(second)).not.toContain('user-a')
    expect(shared).toEqual({ statusCode: 200, headers: {}, body: 'ok' })
  })

  it.each(frontDoorEvents)('$frontDoor: keeps the status, body and other headers', ({ event }) => {
    const result = add(
      event(),
      {
        statusCode: 201,
        headers: { 'content-type': 'application/json' },
        body: '{"count":1}',
        isBase64Encoded: false,
      },
      [SESSION],
    )
    expect(result.statusCode).toBe(201)
    expect(result.body).toBe('{"count":1}')
    expect(result.isBase64Encoded).toBe(false)
    expect(result.headers?.['content-type']).toBe('application/json')
  })

  it.each(frontDoorEvents)('$frontDoor: keeps the comma of Expires inside one cookie', ({ event }) => {
    const result = add(event(), { statusCode: 200, body: '' }, [SESSION])
    const all = [...(result.cookies ?? []), ...Object.values(result.multiValueHeaders ?? {}).flat()]
    const single = result.headers?.['Set-Cookie']
    if (single !== undefined) all.push(single)
    expect(all).toEqual([SESSION])
  })
})

describe('addSetCookies, payload 2.0 (HTTP API, function URL)', () => {
  describe.each(v2Doors)('$name', ({ event }) => {
    it('writes cookies[] and no Set-Cookie header', () => {
      const result = add(event(), { statusCode: 200, body: 'ok' }, [SESSION, EXPIRED])
      expect(result.cookies).toEqual([SESSION, EXPIRED])
      expect(result.multiValueHeaders).toBeUndefined()
      expect(JSON.stringify(result.headers ?? {}).toLowerCase()).not.toContain('set-cookie')
    })

    it("appends to the handler's cookies", () => {
      const result = add(event(), { statusCode: 200, body: 'ok', cookies: [HANDLER] }, [SESSION])
      expect(result.cookies).toEqual([HANDLER, SESSION])
    })

    it("moves a handler's Set-Cookie header (any case) into cookies, once", () => {
      const result = add(
        event(),
        {
          statusCode: 200,
          headers: { 'set-COOKIE': HANDLER, 'X-Kept': 'yes' },
          cookies: [HANDLER],
          body: '',
        },
        [SESSION],
      )
      expect(result.cookies).toEqual([HANDLER, SESSION])
      expect(result.headers).toEqual({ 'X-Kept': 'yes' })
    })

    it('turns a string result into the response API Gateway would have inferred', () => {
      const result = add(event(), 'hello', [SESSION])
      expect(result).toEqual({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: '"hello"',
        cookies: [SESSION],
      })
    })

    it('turns a plain object result into its JSON, as API Gateway would have', () => {
      const result = add(event(), { count: 3 }, [SESSION])
      expect(result).toEqual({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"count":3}',
        cookies: [SESSION],
      })
      expect(add(event(), [1, 2], [SESSION]).body).toBe('[1,2]')
      expect(add(event(), null, [SESSION]).body).toBe('null')
    })

    it('falls back to Middy normalisation for a result JSON cannot serialise', () => {
      const result = add(event(), 10n, [SESSION])
      expect(result).toEqual({ statusCode: 200, body: 10n, headers: {}, cookies: [SESSION] })
    })

    it('turns undefined into a 500, as Middy does', () => {
      expect(add(event(), undefined, [SESSION])).toEqual({ statusCode: 500, headers: {}, cookies: [SESSION] })
    })

    it('defaults statusCode and headers of a partial response as Middy does', () => {
      expect(add(event(), { body: 'x' }, [SESSION])).toEqual({
        statusCode: 500,
        body: 'x',
        headers: {},
        cookies: [SESSION],
      })
    })
  })
})

describe('addSetCookies, multiValueHeaders doors (REST API v1, ALB multi-value, unknown)', () => {
  describe.each(multiValueDoors)('$name', ({ event }) => {
    it("writes multiValueHeaders['Set-Cookie'] and never a cookies key", () => {
      const result = add(event(), { statusCode: 200, body: 'ok' }, [SESSION, EXPIRED])
      expect(result.multiValueHeaders).toEqual({ 'Set-Cookie': [SESSION, EXPIRED] })
      expect(result).not.toHaveProperty('cookies')
      expect(result.headers).toEqual({})
    })

    it("moves the handler's single Set-Cookie header (any case) into the list, before ours", () => {
      for (const name of ['Set-Cookie', 'set-cookie', 'SET-COOKIE']) {
        const result = add(
          event(),
          { statusCode: 200, headers: { [name]: HANDLER, 'X-Kept': 'yes' }, body: '' },
          [SESSION],
        )
        expect(result.multiValueHeaders).toEqual({ 'Set-Cookie': [HANDLER, SESSION] })
        expect(result.headers).toEqual({ 'X-Kept': 'yes' })
      }
    })

    it('merges into an existing multiValueHeaders key of another case, without duplicating', () => {
      const result = add(
        event(),
        {
          statusCode: 200,
          headers: { 'Set-Cookie': HANDLER },
          multiValueHeaders: { 'set-cookie': [HANDLER, 'a=1'], 'X-Multi': ['1', '2'] },
          body: '',
        },
        [SESSION],
      )
      expect(result.multiValueHeaders).toEqual({
        'set-cookie': [HANDLER, 'a=1', SESSION],
        'X-Multi': ['1', '2'],
      })
      expect(result.headers).toEqual({})
    })

    it('merges several case variants of Set-Cookie into one key', () => {
      const result = add(
        event(),
        { statusCode: 200, multiValueHeaders: { 'Set-Cookie': ['a=1'], 'set-cookie': ['b=2'] }, body: '' },
        [SESSION],
      )
      expect(result.multiValueHeaders).toEqual({ 'Set-Cookie': ['a=1', 'b=2', SESSION] })
    })

    it("moves a handler's cookies array into the list and drops the key (a 502 otherwise)", () => {
      const result = add(event(), { statusCode: 200, body: '', cookies: [HANDLER] }, [SESSION])
      expect(result).not.toHaveProperty('cookies')
      expect(result.multiValueHeaders).toEqual({ 'Set-Cookie': [HANDLER, SESSION] })
    })

    it('normalises string, undefined and header-less results as Middy does', () => {
      expect(add(event(), 'hello', [SESSION])).toEqual({
        statusCode: 200,
        body: 'hello',
        headers: {},
        multiValueHeaders: { 'Set-Cookie': [SESSION] },
      })
      expect(add(event(), undefined, [SESSION])).toEqual({
        statusCode: 500,
        headers: {},
        multiValueHeaders: { 'Set-Cookie': [SESSION] },
      })
      expect(add(event(), { statusCode: 302, body: '' }, [SESSION])).toEqual({
        statusCode: 302,
        body: '',
        headers: {},
        multiValueHeaders: { 'Set-Cookie': [SESSION] },
      })
      expect(add(event(), { count: 1 }, [SESSION])).toEqual({
        statusCode: 200,
        body: { count: 1 },
        headers: {},
        multiValueHeaders: { 'Set-Cookie': [SESSION] },
      })
    })
  })
})

describe('addSetCookies, ALB without multi-value headers', () => {
  it("writes one headers['Set-Cookie'] and no multiValueHeaders or cookies", () => {
    const { logger, warnings } = recordingLogger()
    const result = add(
      albEvent(),
      { statusCode: 200, headers: { 'content-type': 'text/html' }, body: '' },
      [SESSION],
      logger,
    )
    expect(result.headers).toEqual({ 'content-type': 'text/html', 'Set-Cookie': SESSION })
    expect(result).not.toHaveProperty('cookies')
    expect(result).not.toHaveProperty('multiValueHeaders')
    expect(warnings).toEqual([])
  })

  it("keeps the session cookie over the handler's, and warns without any cookie name or value", () => {
    const { logger, warnings } = recordingLogger()
    const result = add(
      albEvent(),
      { statusCode: 200, headers: { 'set-cookie': HANDLER }, body: '' },
      [SESSION],
      logger,
    )
    expect(result.headers).toEqual({ 'set-cookie': SESSION })
    expect(warnings).toHaveLength(1)
    const text = JSON.stringify(warnings)
    expect(text).toContain('lambda.multi_value_headers.enabled')
    for (const secret of ['theme', 'dark', 'q3Jz0m2b4uWk1yC8XvQ9dNfH7sLpTa-_', 'id='])
      expect(text).not.toContain(secret)
    expect(warnings[0]?.details).toEqual({
      frontDoor: 'alb',
      droppedHandlerCookies: 1,
      droppedSessionCookies: 0,
    })
  })

  it("drops a handler's cookies array too (no cookies key on ALB) and counts it", () => {
    const { logger, warnings } = recordingLogger()
    const result = add(
      albEvent(),
      { statusCode: 200, body: '', cookies: [HANDLER, 'b=2'] },
      [SESSION],
      logger,
    )
    expect(result).not.toHaveProperty('cookies')
    expect(result.headers).toEqual({ 'Set-Cookie': SESSION })
    expect(warnings[0]?.details).toMatchObject({ droppedHandlerCookies: 2 })
  })

  it('sends only the first of several session cookies and reports the rest', () => {
    const { logger, warnings } = recordingLogger()
    const result = add(albEvent(), { statusCode: 200, body: '' }, [SESSION, EXPIRED], logger)
    expect(result.headers).toEqual({ 'Set-Cookie': SESSION })
    expect(warnings[0]?.details).toEqual({
      frontDoor: 'alb',
      droppedHandlerCookies: 0,
      droppedSessionCookies: 1,
    })
  })

  it('does not warn when the handler set the very same cookie', () => {
    const { logger, warnings } = recordingLogger()
    const result = add(
      albEvent(),
      { statusCode: 200, headers: { 'Set-Cookie': SESSION }, body: '' },
      [SESSION],
      logger,
    )
    expect(result.headers).toEqual({ 'Set-Cookie': SESSION })
    expect(warnings).toEqual([])
  })

  it('works without a logger', () => {
    const result = add(albEvent(), { statusCode: 200, headers: { 'Set-Cookie': HANDLER }, body: '' }, [
      SESSION,
    ])
    expect(result.headers).toEqual({ 'Set-Cookie': SESSION })
  })

  it('normalises string, undefined and header-less results as Middy does', () => {
    expect(add(albEvent(), 'hello', [SESSION])).toEqual({
      statusCode: 200,
      body: 'hello',
      headers: { 'Set-Cookie': SESSION },
    })
    expect(add(albEvent(), undefined, [SESSION])).toEqual({
      statusCode: 500,
      headers: { 'Set-Cookie': SESSION },
    })
    expect(add(albEvent(), { statusCode: 200, body: 'x' }, [SESSION])).toEqual({
      statusCode: 200,
      body: 'x',
      headers: { 'Set-Cookie': SESSION },
    })
  })
})

describe('addSetCookies on odd input', () => {
  it('ignores non-string entries of setCookies', () => {
    const cookies = [SESSION, 42, null] as unknown as string[]
    expect(add(httpApiV2Event(), { statusCode: 200 }, cookies).cookies).toEqual([SESSION])
    const response = { statusCode: 200 }
    expect(addSetCookies(httpApiV2Event(), response, [null] as unknown as string[])).toBe(response)
  })

  it('replaces unusable header containers rather than failing', () => {
    const result = add(restApiV1Event(), { statusCode: 200, multiValueHeaders: 'junk', body: '' }, [SESSION])
    expect(result.multiValueHeaders).toEqual({ 'Set-Cookie': [SESSION] })
    const alb = add(albEvent(), { statusCode: 200, headers: ['junk'], body: '' }, [SESSION])
    expect(alb.headers).toEqual({ 'Set-Cookie': SESSION })
  })

  it('treats a single string in a multi-value Set-Cookie as a one-item list', () => {
    const result = add(restApiV1Event(), { statusCode: 200, multiValueHeaders: { 'Set-Cookie': 'a=1' } }, [
      SESSION,
    ])
    expect(result.multiValueHeaders).toEqual({ 'Set-Cookie': ['a=1', SESSION] })
  })

  it('never throws on a hostile event: it writes as for an unknown door', () => {
    const event = new Proxy(
      {},
      {
        get() {
          throw new Error('boom')
        },
      },
    )
    expect(add(event, { statusCode: 200 }, [SESSION]).multiValueHeaders).toEqual({ 'Set-Cookie': [SESSION] })
  })
})
