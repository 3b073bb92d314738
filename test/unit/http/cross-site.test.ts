/**
 * Cross-site requests that could change state are refused (CSRF; ASVS 3.5.1–3.5.3): by Fetch Metadata,
 * by Origin where it is missing, on every front door, before the handler runs and before any session is
 * read or written; same-origin, header-less and trusted requests pass.
 */
import middy from '@middy/core'
import { describe, expect, it } from 'vitest'
import { crossSiteRefusal } from '../../../src/http/cross-site.ts'
import { dynamoSession, SessionConfigError, type SessionContext } from '../../../src/index.ts'
import { FRONT_DOORS, httpEvent, MemoryStore, testClock } from '../../../src/testing/index.ts'

const NONE = new Set<string>()
const HOSTS = {
  'http-api-v2': 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
  'function-url': 'k7xq2m4nd5sygzv3hfu6wcebtr2ap9ld.lambda-url.eu-west-1.on.aws',
  'rest-api-v1': 'b2c3d4e5f6.execute-api.eu-west-1.amazonaws.com',
  alb: 'counter-alb-1234567890.eu-west-1.elb.amazonaws.com',
  'alb-multi-value': 'counter-alb-1234567890.eu-west-1.elb.amazonaws.com',
} as const

describe('crossSiteRefusal', () => {
  describe.each(FRONT_DOORS)('%s', (door) => {
    const post = (headers: Record<string, string>, method = 'POST') =>
      httpEvent(door, { method, path: '/count', headers })
    const self = `https://${HOSTS[door]}`

    it.each([
      ['cross-site', { 'sec-fetch-site': 'cross-site' }, 'Sec-Fetch-Site: cross-site'],
      ['same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }, 'Sec-Fetch-Site: same-site'],
      ['an unknown value, not echoed', { 'sec-fetch-site': '<script>' }, 'Sec-Fetch-Site: unknown'],
      [
        'cross-site, whatever Origin says',
        { 'sec-fetch-site': 'cross-site', origin: self },
        'Sec-Fetch-Site: cross-site',
      ],
      ['no Fetch Metadata, a foreign Origin', { origin: 'https://evil.example' }, 'Origin is not this host'],
      ['no Fetch Metadata, Origin null (a sandboxed frame)', { origin: 'null' }, 'Origin is not this host'],
      ['no Fetch Metadata, this host on another port', { origin: `${self}:8443` }, 'Origin is not this host'],
    ])('refuses a POST: %s', (_, headers, reason) => {
      expect(crossSiteRefusal(post(headers), NONE)).toBe(reason)
    })

    it.each([
      ['same-origin', { 'sec-fetch-site': 'same-origin' }],
      ['none (typed in the address bar)', { 'sec-fetch-site': 'none' }],
      ['in capitals', { 'Sec-Fetch-Site': 'Same-Origin' }],
      ['no Fetch Metadata, Origin of this host', { origin: self }],
      ['no Fetch Metadata, Origin of this host in capitals', { origin: self.toUpperCase() }],
      ['neither header (curl, a server, an app)', {}],
    ])('lets a POST through: %s', (_, headers) => {
      expect(crossSiteRefusal(post(headers), NONE)).toBeUndefined()
    })

    it.each([['GET'], ['HEAD'], ['OPTIONS'], ['get']])(
      'lets a cross-site %s through: a safe method',
      (method) => {
        expect(crossSiteRefusal(post({ 'sec-fetch-site': 'cross-site' }, method), NONE)).toBeUndefined()
      },
    )

    it.each([['PUT'], ['PATCH'], ['DELETE'], ['PROPFIND']])('refuses a cross-site %s', (method) => {
      expect(crossSiteRefusal(post({ 'sec-fetch-site': 'cross-site' }, method), NONE)).toBeDefined()
    })

    it('lets a trusted origin through, and only it', () => {
      const trusted = new Set(['https://app.example.com'])
      const from = (origin: string) => post({ 'sec-fetch-site': 'cross-site', origin })
      expect(crossSiteRefusal(from('https://app.example.com'), trusted)).toBeUndefined()
      expect(crossSiteRefusal(from('https://app.example.com.evil.example'), trusted)).toBeDefined()
      expect(crossSiteRefusal(from('http://app.example.com'), trusted)).toBeDefined()
    })
  })

  it('never throws: a hostile event is refused when it cannot be read, ignored when it is no request', () => {
    const hostile = new Proxy(
      { httpMethod: 'POST' },
      {
        get(target, key) {
          if (key === 'headers') throw new Error('boom')
          return Reflect.get(target, key)
        },
      },
    )
    expect(crossSiteRefusal(hostile, NONE)).toBe('unreadable request')
    expect(crossSiteRefusal(null, NONE)).toBeUndefined()
    expect(crossSiteRefusal('POST', NONE)).toBeUndefined()
  })
})

describe('through the middleware', () => {
  function app(options: Parameters<typeof dynamoSession>[0] = {}) {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    const warnings: unknown[] = []
    let ran = 0
    const handler = middy<unknown, unknown, Error, SessionContext<{ n: number }>>()
      .use(
        dynamoSession<{ n: number }>({
          store,
          now: clock.now,
          logger: { warn: (...a) => warnings.push(a), error: () => undefined },
          ...options,
        }),
      )
      .handler(async (_event, context) => {
        ran++
        await context.session.set('n', 1)
        return { statusCode: 200, body: 'changed' }
      })
    return { store, warnings, handler, ran: () => ran }
  }

  it.each(FRONT_DOORS)(
    '%s: a cross-site POST is answered 403 before the handler, and nothing is stored',
    async (door) => {
      const { store, warnings, handler, ran } = app()
      const event = httpEvent(door, {
        method: 'POST',
        path: '/count',
        headers: { 'sec-fetch-site': 'cross-site' },
        cookie: `id=${'A'.repeat(32)}`,
      })
      const result = (await handler(event, {} as never)) as {
        statusCode: number
        body: string
        cookies?: unknown
      }
      expect(result.statusCode).toBe(403)
      expect(result.body).not.toContain('A'.repeat(32))
      expect(result.cookies).toBeUndefined()
      expect(ran()).toBe(0)
      expect(store.sessions()).toEqual([])
      expect(warnings).toEqual([
        [
          'middy-dynamodb-session: refused a cross-site request that could change state',
          { reason: 'Sec-Fetch-Site: cross-site' },
        ],
      ])
    },
  )

  it.each(FRONT_DOORS)('%s: a same-origin POST and a header-less one change the session', async (door) => {
    const { store, handler, ran } = app()
    for (const headers of [{ 'sec-fetch-site': 'same-origin' }, {}] as Record<string, string>[]) {
      const result = (await handler(
        httpEvent(door, { method: 'POST', path: '/count', headers }),
        {} as never,
      )) as { statusCode: number }
      expect(result.statusCode).toBe(200)
    }
    expect(ran()).toBe(2)
    expect(store.sessions()).toHaveLength(2)
  })

  it('a trusted origin passes; crossSite: false lets everything through', async () => {
    const headers = { 'sec-fetch-site': 'cross-site', origin: 'https://app.example.com' }
    const trusted = app({ crossSite: { trustedOrigins: ['https://app.example.com'] } })
    expect(
      (
        (await trusted.handler(
          httpEvent('http-api-v2', { method: 'POST', path: '/', headers }),
          {} as never,
        )) as { statusCode: number }
      ).statusCode,
    ).toBe(200)
    const off = app({ crossSite: false })
    expect(
      (
        (await off.handler(
          httpEvent('rest-api-v1', {
            method: 'POST',
            path: '/',
            headers: { 'sec-fetch-site': 'cross-site' },
          }),
          {} as never,
        )) as { statusCode: number }
      ).statusCode,
    ).toBe(200)
  })

  it.each([
    [{ crossSite: true }, /crossSite must be false or \{ trustedOrigins/],
    [{ crossSite: { trusted: [] } }, /Unknown option crossSite\.trusted: did you mean trustedOrigins\?/],
    [{ crossSite: { requireToken: 'yes' } }, /crossSite\.requireToken must be true or false/],
    [
      { crossSite: { tokenHeader: 'X-CSRF-Token' } },
      /crossSite\.tokenHeader must be a header name in lower case/,
    ],
    [{ crossSite: { tokenHeader: 'x csrf' } }, /tokenHeader must be a header name/],
    [{ crossSite: { header: 'x-token' } }, /did you mean tokenHeader\?/],
    [{ crossSite: { trustedOrigins: 'https://a.example' } }, /trustedOrigins must be an array/],
    [{ crossSite: { trustedOrigins: ['https://a.example/'] } }, /"https:\/\/a\.example\/" is not an origin/],
    [{ crossSite: { trustedOrigins: ['a.example'] } }, /is not an origin/],
    [{ crossSite: { trustedOrigins: ['https://A.example'] } }, /lower case/],
  ])('refuses the option %j at creation', (options, message) => {
    expect(() => dynamoSession(options as never)).toThrow(SessionConfigError)
    expect(() => dynamoSession(options as never)).toThrow(message)
  })
})
