import { describe, expect, it } from 'vitest'
import { COOKIE_READ_LIMITS, readRequestCookies } from '../../../src/http/request-cookies.ts'
import {
  albEvent,
  albMultiValueEvent,
  frontDoorEvents,
  httpApiV2Event,
  restApiV1Event,
  SAMPLE_SESSION_ID,
} from '../../support/events.ts'

const ID = SAMPLE_SESSION_ID

describe('readRequestCookies on every front door', () => {
  it.each(frontDoorEvents)('$frontDoor: no cookie, no value', ({ event }) => {
    expect(readRequestCookies(event(), 'id')).toEqual([])
  })

  it.each(frontDoorEvents)('$frontDoor: reads the session cookie among others', ({ event }) => {
    const e = event({ cookieHeader: `theme=dark; id=${ID}; lang=en` })
    expect(readRequestCookies(e, 'id')).toEqual([ID])
    expect(readRequestCookies(e, 'theme')).toEqual(['dark'])
    expect(readRequestCookies(e, 'missing')).toEqual([])
  })

  it.each(frontDoorEvents)('$frontDoor: returns every same-name cookie in the order sent', ({ event }) => {
    const e = event({ cookieHeader: 'id=first; other=1; id=second; id=third' })
    expect(readRequestCookies(e, 'id')).toEqual(['first', 'second', 'third'])
  })
})

describe('readRequestCookies, payload 2.0', () => {
  it('reads every entry of event.cookies', () => {
    const event = httpApiV2Event({ cookies: ['a=1', `id=${ID}`, 'b=2', 'id=other'] })
    expect(readRequestCookies(event, 'id')).toEqual([ID, 'other'])
  })

  it('reads several pairs inside one entry', () => {
    const event = httpApiV2Event({ cookies: ['a=1; id=x', 'b=2;id=y ;c=3'] })
    expect(readRequestCookies(event, 'id')).toEqual(['x', 'y'])
  })

  it('falls back to the cookie header, in any case, when cookies is absent or empty', () => {
    expect(readRequestCookies(httpApiV2Event({ headers: { cookie: 'id=h1' } }), 'id')).toEqual(['h1'])
    expect(readRequestCookies(httpApiV2Event({ headers: { COOKIE: 'id=h2' } }), 'id')).toEqual(['h2'])
    expect(readRequestCookies(httpApiV2Event({ cookies: [], headers: { Cookie: 'id=h3' } }), 'id')).toEqual([
      'h3',
    ])
  })

  it('does not read the header as well when cookies is there (no duplicates)', () => {
    const event = httpApiV2Event({ cookies: ['id=from-array'], headers: { cookie: 'id=from-header' } })
    expect(readRequestCookies(event, 'id')).toEqual(['from-array'])
  })
})

describe('readRequestCookies, REST API v1', () => {
  it('reads the Cookie header in any case', () => {
    for (const name of ['Cookie', 'cookie', 'COOKIE', 'cOoKiE']) {
      const event = { httpMethod: 'GET', requestContext: { stage: 'Prod' }, headers: { [name]: `id=${ID}` } }
      expect(readRequestCookies(event, 'id')).toEqual([ID])
    }
  })

  it('reads every multiValueHeaders entry, and not headers again', () => {
    const event = restApiV1Event()
    event.multiValueHeaders.Cookie = ['a=1; id=first', 'id=second']
    event.headers.Cookie = 'id=second'
    expect(readRequestCookies(event, 'id')).toEqual(['first', 'second'])
  })

  it('merges Cookie keys of different case', () => {
    const event = { multiValueHeaders: { Cookie: ['id=one'], cookie: ['id=two'] } }
    expect(readRequestCookies(event, 'id')).toEqual(['one', 'two'])
  })

  it('uses headers when multiValueHeaders has no cookie', () => {
    const event = { multiValueHeaders: { Accept: ['*/*'] }, headers: { Cookie: 'id=h' } }
    expect(readRequestCookies(event, 'id')).toEqual(['h'])
  })
})

describe('readRequestCookies, ALB', () => {
  it('reads headers without multi-value headers', () => {
    expect(readRequestCookies(albEvent({ cookieHeader: `x=1; id=${ID}` }), 'id')).toEqual([ID])
  })

  it('reads every value with multi-value headers', () => {
    const event = albMultiValueEvent()
    event.multiValueHeaders = { ...event.multiValueHeaders, cookie: ['id=a', 'x=1; id=b'] }
    expect(readRequestCookies(event, 'id')).toEqual(['a', 'b'])
  })
})

describe('readRequestCookies, parsing', () => {
  const read = (header: string, name = 'id') => readRequestCookies({ headers: { cookie: header } }, name)

  it('strips the double quotes of a quoted value, and only those', () => {
    expect(read('id="abc"')).toEqual(['abc'])
    expect(read('id=""')).toEqual([''])
    expect(read('id="')).toEqual(['"'])
    expect(read('id="a"b"')).toEqual(['a"b'])
    expect(read('id=a"b')).toEqual(['a"b'])
  })

  it('returns values raw, without decoding', () => {
    expect(read('id=a%20b%3D')).toEqual(['a%20b%3D'])
    expect(read('id=a=b==')).toEqual(['a=b=='])
  })

  it('in the payload 2.0 cookies array, also splits where API Gateway joined Cookie headers with commas', () => {
    const v2 = (cookies: string[]) =>
      readRequestCookies({ version: '2.0', cookies, requestContext: {} }, 'id')
    expect(v2(['theme=dark, id=abc'])).toEqual(['abc'])
    expect(v2(['id=abc,theme=dark'])).toEqual(['abc'])
    expect(v2(['id=a,b', 'x=1'])).toEqual(['a,b']) // a comma inside a value stays
    expect(v2(['a=1; b=2, id=abc; c=3'])).toEqual(['abc'])
  })

  it('splits a Cookie header on semicolons only, never on commas', () => {
    expect(read('id=a,b, c=d; e=f')).toEqual(['a,b, c=d'])
    expect(read('x=1, id=2')).toEqual([])
  })

  it('trims spaces and tabs around names and values', () => {
    expect(read('  a=1 ;\tid = v \t;b=2')).toEqual(['v'])
  })

  it('compares names case-sensitively and exactly', () => {
    expect(read('ID=upper; Id=mixed; idx=longer; xid=prefixed; id=yes')).toEqual(['yes'])
  })

  it('skips pairs without "=" and empty pairs', () => {
    expect(read(';;id;=x; id=ok;')).toEqual(['ok'])
  })

  it('keeps an empty value', () => {
    expect(read('id=; other=1')).toEqual([''])
  })

  it('reads nothing for an empty or non-string name', () => {
    expect(read('=x; id=1', '')).toEqual([])
    expect(readRequestCookies({ headers: { cookie: 'id=1' } }, undefined as unknown as string)).toEqual([])
  })
})

describe('readRequestCookies on hostile input', () => {
  it('returns [] for anything that is not an event', () => {
    for (const event of [null, undefined, 0, 42, 'id=1', true, [], ['id=1'], Symbol('x'), () => 'id=1']) {
      expect(readRequestCookies(event, 'id')).toEqual([])
    }
  })

  it('skips non-string entries and values', () => {
    const cookies = [null, 42, { id: 'x' }, ['id=nested'], undefined, 'id=ok', true]
    expect(readRequestCookies({ cookies }, 'id')).toEqual(['ok'])
    expect(readRequestCookies({ headers: { cookie: 42 } }, 'id')).toEqual([])
    expect(readRequestCookies({ headers: { cookie: null } }, 'id')).toEqual([])
    expect(readRequestCookies({ headers: null, multiValueHeaders: 'x', cookies: 'id=1' }, 'id')).toEqual([])
    expect(readRequestCookies({ multiValueHeaders: { cookie: [1, null, 'id=mv'] } }, 'id')).toEqual(['mv'])
  })

  it('survives throwing getters and proxies', () => {
    const headers = {
      get cookie(): string {
        throw new Error('boom')
      },
    }
    expect(readRequestCookies({ headers }, 'id')).toEqual([])
    const event = new Proxy(
      {},
      {
        get() {
          throw new Error('boom')
        },
      },
    )
    expect(readRequestCookies(event, 'id')).toEqual([])
  })

  it('ignores a 1 MB header whole, never a truncated part of it', () => {
    const huge = `id=${'a'.repeat(1024 * 1024)}`
    expect(readRequestCookies({ headers: { cookie: huge } }, 'id')).toEqual([])
    expect(readRequestCookies({ cookies: [huge] }, 'id')).toEqual([])
    expect(readRequestCookies({ headers: { cookie: `${';'.repeat(1024 * 1024)}id=x` } }, 'id')).toEqual([])
  })

  it('gets through pathological headers within the limit (no quadratic scan)', () => {
    const near = COOKIE_READ_LIMITS.maxTotalLength - 10
    expect(readRequestCookies({ headers: { cookie: `${'a;'.repeat(near / 2)}id=1` } }, 'id')).toEqual(['1'])
    expect(readRequestCookies({ headers: { cookie: `${'='.repeat(near)};id=2` } }, 'id')).toEqual(['2'])
    expect(readRequestCookies({ headers: { cookie: `id=${'"'.repeat(near)}` } }, 'id')).toEqual([
      '"'.repeat(near - 2),
    ])
  })

  it('reads a header up to the limit', () => {
    const filler = 'f='.padEnd(COOKIE_READ_LIMITS.maxTotalLength - 10, 'x')
    expect(readRequestCookies({ headers: { cookie: `${filler}; id=ok` } }, 'id')).toEqual(['ok'])
  })

  it('stops once the total length budget is spent across entries', () => {
    const big = `x=${'y'.repeat(40 * 1024)}`
    expect(readRequestCookies({ cookies: ['id=1', big, 'id=2', big, 'id=3'] }, 'id')).toEqual(['1', '2'])
  })

  it('handles 5000 cookies in one header', () => {
    const pairs = Array.from({ length: 5000 }, (_, i) => `c${i}=v${i}`)
    pairs.push(`id=${ID}`)
    const header = pairs.join('; ')
    expect(header.length).toBeLessThan(COOKIE_READ_LIMITS.maxTotalLength)
    expect(readRequestCookies({ headers: { Cookie: header } }, 'id')).toEqual([ID])
    expect(readRequestCookies({ headers: { Cookie: header } }, 'c4999')).toEqual(['v4999'])
  })

  it('examines a bounded number of entries out of 5000', () => {
    const cookies = Array.from({ length: 5000 }, (_, i) => `id=v${i}`)
    const values = readRequestCookies({ cookies }, 'id')
    expect(values).toHaveLength(COOKIE_READ_LIMITS.maxEntries)
    expect(values[0]).toBe('v0')
    const headerValues = Array.from({ length: 5000 }, () => 'id=x')
    expect(readRequestCookies({ multiValueHeaders: { cookie: headerValues } }, 'id')).toHaveLength(
      COOKIE_READ_LIMITS.maxEntries,
    )
  })

  it('handles 5000 same-name cookies in one header', () => {
    const header = Array.from({ length: 5000 }, (_, i) => `id=${i}`).join(';')
    const values = readRequestCookies({ headers: { cookie: header } }, 'id')
    expect(values).toHaveLength(5000)
    expect(values.at(-1)).toBe('4999')
  })
})
