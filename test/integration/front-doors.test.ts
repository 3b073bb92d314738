import { readdirSync, readFileSync } from 'node:fs'
import middy from '@middy/core'
import { parseSetCookie } from 'cookie'
import { beforeAll, describe, expect, it } from 'vitest'
import { type DynamoSessionOptions, dynamoSession, type SessionContext } from '../../src/index.ts'
import { freshContext, type HttpResult } from '../support/app.ts'
import { createTable, localClient } from '../support/dynamo.ts'
import { type FrontDoorEventFactory, frontDoorEvents } from '../support/events.ts'

type Counter = { count: number }

const client = localClient()
let tableName: string
beforeAll(async () => {
  tableName = await createTable(client)
})

function counterHandler(options: DynamoSessionOptions = {}, extra?: (response: HttpResult) => HttpResult) {
  return middy()
    .use(dynamoSession<Counter>({ client, store: { tableName }, ...options }))
    .handler(async (_event, context) => {
      const count = ((await context.session.get('count')) ?? 0) + 1
      await context.session.set('count', count)
      const response: HttpResult = { statusCode: 200, body: JSON.stringify({ count }) }
      return extra ? extra(response) : response
    })
}

/** The Set-Cookie values of a response, read the way this front door reads them. */
function setCookiesOf(frontDoor: FrontDoorEventFactory['frontDoor'], response: HttpResult): string[] {
  switch (frontDoor) {
    case 'http-api-v2':
    case 'function-url':
      return response.cookies ?? []
    case 'rest-api-v1':
    case 'alb-multi-value':
      return response.multiValueHeaders?.['Set-Cookie'] ?? []
    case 'alb': {
      const header = response.headers?.['Set-Cookie']
      return header === undefined ? [] : [header]
    }
  }
}

/** What this front door would reject or ignore in a response. */
function assertValidFor(frontDoor: FrontDoorEventFactory['frontDoor'], response: HttpResult): void {
  expect(typeof response.statusCode).toBe('number')
  if (frontDoor === 'http-api-v2' || frontDoor === 'function-url') {
    expect(response.multiValueHeaders?.['Set-Cookie']).toBeUndefined()
  } else {
    expect(response).not.toHaveProperty('cookies') // API Gateway REST and ALB answer 502 to it
  }
  if (frontDoor === 'alb') {
    expect(response.multiValueHeaders).toBeUndefined()
    expect(typeof response.headers?.['Set-Cookie']).toBe('string')
  }
  const headerNames = Object.keys(response.headers ?? {}).map((name) => name.toLowerCase())
  if (frontDoor !== 'alb') expect(headerNames).not.toContain('set-cookie')
}

describe.each(frontDoorEvents)('$frontDoor', ({ frontDoor, event }) => {
  it('sets the cookie where this door reads it, and the next request sees the same session', async () => {
    const handler = counterHandler()
    const first = (await handler(event(), freshContext() as SessionContext<Counter>)) as HttpResult
    assertValidFor(frontDoor, first)
    const cookies = setCookiesOf(frontDoor, first)
    expect(cookies).toHaveLength(1)
    const cookie = parseSetCookie(cookies[0] ?? '')
    expect(cookie).toMatchObject({ name: 'id', httpOnly: true, secure: true, sameSite: 'lax', path: '/' })

    const second = (await handler(
      event({ cookieHeader: `theme=dark; id=${cookie.value}; lang=en` }),
      freshContext() as SessionContext<Counter>,
    )) as HttpResult
    assertValidFor(frontDoor, second)
    expect(JSON.parse(second.body ?? '{}')).toEqual({ count: 2 })
    expect(parseSetCookie(setCookiesOf(frontDoor, second)[0] ?? '').value).toBe(cookie.value)
  })

  it("keeps the handler's own cookies beside the session's, never splitting on commas", async () => {
    const own = 'pref=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT'
    const handler = counterHandler({}, (response) =>
      frontDoor === 'http-api-v2' || frontDoor === 'function-url'
        ? { ...response, cookies: [own] }
        : frontDoor === 'alb'
          ? response
          : { ...response, multiValueHeaders: { 'Set-Cookie': [own] } },
    )
    const response = (await handler(event(), freshContext() as SessionContext<Counter>)) as HttpResult
    assertValidFor(frontDoor, response)
    const cookies = setCookiesOf(frontDoor, response)
    if (frontDoor === 'alb') {
      expect(cookies).toHaveLength(1)
    } else {
      expect(cookies).toHaveLength(2)
      expect(cookies[0]).toBe(own)
      expect(parseSetCookie(cookies[1] ?? '').name).toBe('id')
    }
  })
})

describe('ALB without multi-value headers', () => {
  it('can carry one Set-Cookie: the session cookie wins and the clash is reported without values', async () => {
    const warnings: unknown[][] = []
    const alb = frontDoorEvents.find((door) => door.frontDoor === 'alb')
    if (!alb) throw new Error('no ALB factory')
    const handler = counterHandler(
      { logger: { warn: (...a) => warnings.push(a), error: () => {} } },
      (response) => ({
        ...response,
        headers: { 'Set-Cookie': 'pref=secret-value; Path=/' },
      }),
    )
    const response = (await handler(alb.event(), freshContext() as SessionContext<Counter>)) as HttpResult
    expect(parseSetCookie(response.headers?.['Set-Cookie'] ?? '').name).toBe('id')
    expect(warnings).toHaveLength(1)
    expect(JSON.stringify(warnings)).not.toContain('secret-value')
    expect(JSON.stringify(warnings)).not.toContain('pref')
  })
})

describe('events/', () => {
  const files = readdirSync('events').filter((name) => name.endsWith('.json'))

  it('has a first visit, a return visit and one with other cookies for every front door', () => {
    for (const { frontDoor } of frontDoorEvents) {
      for (const kind of ['first-visit', 'return-visit', 'other-cookies']) {
        expect(files).toContain(`${frontDoor}-${kind}.json`)
      }
    }
  })

  it.each(files)('%s invokes the middleware and gets a session cookie in the right place', async (file) => {
    const event = JSON.parse(readFileSync(`events/${file}`, 'utf8'))
    const door = frontDoorEvents.find(
      ({ frontDoor }) => file.startsWith(`${frontDoor}-`) && !file.startsWith(`${frontDoor}-multi`),
    )
    if (!door) throw new Error(`no front door for ${file}`)
    const response = (await counterHandler()(event, freshContext() as SessionContext<Counter>)) as HttpResult
    expect(response.statusCode).toBe(200)
    assertValidFor(door.frontDoor, response)
    // The sample session id is not stored here: every sample starts a fresh session with a fresh id.
    expect(JSON.parse(response.body ?? '{}')).toEqual({ count: 1 })
    expect(setCookiesOf(door.frontDoor, response)).toHaveLength(1)
  })
})
