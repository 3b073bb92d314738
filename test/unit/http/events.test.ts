import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { detectFrontDoor, type FrontDoor } from '../../../src/http/front-door.ts'
import { readRequestCookies } from '../../../src/http/request-cookies.ts'
import { addSetCookies } from '../../../src/http/response-cookies.ts'
import {
  albEvent,
  albMultiValueEvent,
  frontDoorEvents,
  httpApiV2Event,
  restApiV1Event,
  SAMPLE_SESSION_ID,
} from '../../support/events.ts'

const dir = new URL('../../../events/', import.meta.url)
const doors: FrontDoor[] = ['http-api-v2', 'function-url', 'rest-api-v1', 'alb', 'alb-multi-value']
const visits = ['first-visit', 'return-visit', 'other-cookies'] as const

function load(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Record<string, unknown>
}

const samples = doors.flatMap((door) =>
  visits.map((visit) => ({ door, visit, file: `${door}-${visit}.json` })),
)

describe('events/*.json', () => {
  it('holds exactly one sample per front door and visit', () => {
    const files = readdirSync(dir).filter((file) => file.endsWith('.json'))
    expect(files.sort()).toEqual(samples.map(({ file }) => file).sort())
  })

  it.each(samples)('$file is detected as $door', ({ door, file }) => {
    expect(detectFrontDoor(load(file))).toBe(door)
  })

  it.each(samples)('$file is a GET of /api/count, not base64-encoded', ({ file }) => {
    const event = load(file) as {
      rawPath?: string
      path?: string
      httpMethod?: string
      requestContext: { http?: { method: string; path: string } }
      isBase64Encoded: boolean
    }
    expect(event.rawPath ?? event.path).toBe('/api/count')
    expect(event.requestContext.http?.method ?? event.httpMethod).toBe('GET')
    expect(event.isBase64Encoded).toBe(false)
  })

  it.each(samples)('$file carries the session cookie only on return visits', ({ visit, file }) => {
    const expected = visit === 'first-visit' ? [] : [SAMPLE_SESSION_ID]
    expect(readRequestCookies(load(file), 'id')).toEqual(expected)
    expect(SAMPLE_SESSION_ID).toMatch(/^[A-Za-z0-9_-]{32}$/)
  })

  it.each(samples.filter(({ visit }) => visit === 'other-cookies'))(
    '$file carries unrelated cookies',
    ({ file }) => {
      const event = load(file)
      expect(readRequestCookies(event, 'theme')).toEqual(['dark'])
      expect(readRequestCookies(event, 'consent')).toEqual(['essential'])
    },
  )

  it.each(doors.filter((door) => door.startsWith('alb')))(
    '%s samples lowercase their header names',
    (door) => {
      const event = load(`${door}-other-cookies.json`)
      const headers = (event.headers ?? event.multiValueHeaders) as Record<string, unknown>
      for (const name of Object.keys(headers)) expect(name).toBe(name.toLowerCase())
    },
  )

  it('payload 2.0 samples put cookies in cookies[] and not in a cookie header', () => {
    for (const door of ['http-api-v2', 'function-url']) {
      const event = load(`${door}-return-visit.json`) as {
        cookies?: string[]
        headers: Record<string, string>
      }
      expect(event.cookies).toEqual([`id=${SAMPLE_SESSION_ID}`])
      expect(Object.keys(event.headers).map((name) => name.toLowerCase())).not.toContain('cookie')
    }
  })

  it.each(samples.filter(({ visit }) => visit === 'first-visit'))(
    '$file gets its Set-Cookie where $door reads it',
    ({ door, file }) => {
      const result = addSetCookies(load(file), { statusCode: 200, body: '{}' }, ['id=x; Path=/']) as Record<
        string,
        unknown
      >
      const where = {
        'http-api-v2': 'cookies',
        'function-url': 'cookies',
        'rest-api-v1': 'multiValueHeaders',
        alb: 'headers',
        'alb-multi-value': 'multiValueHeaders',
        unknown: 'multiValueHeaders',
      }[door]
      expect(result).toHaveProperty(where)
      expect(JSON.stringify(result[where])).toContain('id=x; Path=/')
    },
  )
})

describe('test/support/events factories', () => {
  it.each(frontDoorEvents)('$frontDoor: no option gives the first-visit sample', ({ frontDoor, event }) => {
    expect(event()).toEqual(load(`${frontDoor}-first-visit.json`))
  })

  it.each(frontDoorEvents)(
    '$frontDoor: a cookie header gives the return-visit sample',
    ({ frontDoor, event }) => {
      expect(event({ cookieHeader: `id=${SAMPLE_SESSION_ID}` })).toEqual(
        load(`${frontDoor}-return-visit.json`),
      )
    },
  )

  it.each(frontDoorEvents)('$frontDoor: each call builds a fresh event', ({ event }) => {
    const first = event({ cookieHeader: 'id=a' })
    expect(event()).not.toEqual(first)
  })

  it('moves path and method where each door carries them', () => {
    const v2 = httpApiV2Event({ path: '/api/peek', method: 'POST' })
    expect([v2.rawPath, v2.requestContext.http.path, v2.requestContext.http.method]).toEqual([
      '/api/peek',
      '/api/peek',
      'POST',
    ])
    expect(v2.pathParameters).toEqual({ proxy: 'api/peek' })
    const root = httpApiV2Event({ path: '/' })
    expect([root.routeKey, root.pathParameters]).toEqual(['GET /', undefined])
    const v1 = restApiV1Event({ path: '/reset', method: 'POST' })
    expect([v1.path, v1.httpMethod, v1.requestContext.path, v1.pathParameters]).toEqual([
      '/reset',
      'POST',
      '/Prod/reset',
      { proxy: 'reset' },
    ])
    const alb = albEvent({ path: '/health', headers: { 'x-test': '1' } })
    expect([alb.path, alb.headers?.['x-test']]).toEqual(['/health', '1'])
    expect(albMultiValueEvent({ headers: { 'x-test': '1' } }).multiValueHeaders?.['x-test']).toEqual(['1'])
  })
})
