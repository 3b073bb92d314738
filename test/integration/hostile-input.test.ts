/**
 * Hostile input through the real middleware against DynamoDB Local: property tests over the `Cookie`
 * header (REST API v1, ALB, ALB with multi-value headers) and the `cookies` array (HTTP API v2), odd
 * non-HTTP events, and corrupted items.
 *
 * For every generated request: the invocation resolves; a GetItem is sent if and only if the request
 * carried a well-formed id (32 characters of `[A-Za-z0-9_-]`) within the reading caps, and then for the
 * first such id only; the one `Set-Cookie` of the response has the library's fixed shape and carries a
 * fresh server id that shares no substring of more than 8 characters with anything the client sent.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import fc from 'fast-check'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { COOKIE_READ_LIMITS } from '../../src/http/index.ts'
import { generateSessionId } from '../../src/id.ts'
import {
  DEFAULT_STORE_PROPS,
  DynamoDBSessionStore,
  dynamoSession,
  jsonStringCodec,
  type SessionContext,
} from '../../src/index.ts'
import { sessionKey } from '../../src/store/props.ts'
import { freshContext } from '../support/app.ts'
import { countingClient, createTable } from '../support/dynamo.ts'
import {
  albEvent,
  albMultiValueEvent,
  type EventOptions,
  type HttpEvent,
  httpApiV2Event,
  restApiV1Event,
} from '../support/events.ts'

type Counter = { count: number }
type Invoke = (event: unknown, context: Context) => Promise<unknown>

const ID_SHAPE = /^[A-Za-z0-9_-]{32}$/
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'
const PREFIX = DEFAULT_STORE_PROPS.partitionKey.prefix ?? ''
/** `id=<32 id chars>; Max-Age=N; Path=/; Expires=<HTTP date>; HttpOnly; Secure; SameSite=Lax` and nothing else. */
const SET_COOKIE_SHAPE =
  /^id=([A-Za-z0-9_-]{32}); Max-Age=\d+; Path=\/; Expires=[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT; HttpOnly; Secure; SameSite=Lax$/

const { client, calls } = countingClient()
/** The partition key of every GetItem sent. */
const getKeys: string[] = []
client.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === 'GetItemCommand') {
      const key = (args.input as { Key?: Record<string, { S?: string }> }).Key
      getKeys.push(key?.[DEFAULT_STORE_PROPS.partitionKey.name]?.S ?? '<no key>')
    }
    return next(args)
  },
  { step: 'initialize', name: 'captureGetItemKeys' },
)
const logger = { warn: vi.fn(), error: vi.fn() }
let tableName = ''
let counterApp: Invoke

beforeAll(async () => {
  tableName = await createTable(client)
  counterApp = middy()
    .use(dynamoSession<Counter>({ client, logger, store: { tableName } }))
    .handler(async (_event, context: SessionContext<Counter>) => {
      const count = ((await context.session.get('count')) ?? 0) + 1
      await context.session.set('count', count)
      return { statusCode: 200, body: JSON.stringify({ count }) }
    }) as unknown as Invoke
})
afterAll(() => client.destroy())
beforeEach(() => {
  logger.warn.mockClear()
  logger.error.mockClear()
})

// ---------------------------------------------------------------------------------------------------
// The oracle: what the request carried, per the documented reading rules (RFC 6265 pairs split on `;`,
// names and values trimmed, names case-sensitive, one pair of double quotes removed, no decoding) and
// caps (COOKIE_READ_LIMITS: strings examined, characters read; a string over the budget stops reading).
// ---------------------------------------------------------------------------------------------------

/**
 * The first well-formed `id` value the reader can see in these strings (in order), if any. Entries of the
 * payload 2.0 `cookies` array (`fromCookiesArray`) may hold Cookie headers that API Gateway joined with
 * commas: there a comma followed by `name=` separates pairs too.
 */
function firstWellFormedId(entries: readonly unknown[], fromCookiesArray = false): string | undefined {
  const separator = fromCookiesArray ? /;|,(?=[ \t]*[^\s=;,]+=)/ : ';'
  let budget = COOKIE_READ_LIMITS.maxTotalLength
  let examined = 0
  for (const entry of entries) {
    if (examined++ >= COOKIE_READ_LIMITS.maxEntries) return undefined
    if (typeof entry !== 'string') continue
    if (entry.length > budget) return undefined
    budget -= entry.length
    for (const pair of entry.split(separator)) {
      const equals = pair.indexOf('=')
      if (equals === -1 || pair.slice(0, equals).trim() !== 'id') continue
      let value = pair.slice(equals + 1).trim()
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
      if (ID_SHAPE.test(value)) return value
    }
  }
  return undefined
}

/** Every `Set-Cookie` of a response, wherever the front door put it. */
function responseSetCookies(response: unknown): string[] {
  const found: string[] = []
  const r = (response ?? {}) as Record<string, unknown>
  if (Array.isArray(r.cookies)) found.push(...(r.cookies as string[]))
  for (const headers of [r.multiValueHeaders, r.headers]) {
    if (typeof headers !== 'object' || headers === null) continue
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== 'set-cookie') continue
      if (Array.isArray(value)) found.push(...(value as string[]))
      else found.push(String(value))
    }
  }
  return found
}

/** Whether `setCookie` shares a substring of 9 or more characters with any of `inputs`. */
function echoedFrom(text: string, inputs: readonly string[]): string | undefined {
  for (let start = 0; start + 9 <= text.length; start++) {
    const window = text.slice(start, start + 9)
    if (inputs.some((input) => input.includes(window))) return window
  }
  return undefined
}

type Door = 'rest-api-v1' | 'alb' | 'alb-multi-value'
const headerDoors: Record<Door, (options: EventOptions) => HttpEvent> = {
  'rest-api-v1': restApiV1Event,
  alb: albEvent,
  'alb-multi-value': albMultiValueEvent,
}

/**
 * Sends one request (`entries`: the strings the reader will examine, in order) and checks every
 * invariant of the module comment. Returns the server id the response set.
 */
async function expectSafe(
  event: unknown,
  entries: readonly unknown[],
  fromCookiesArray = false,
): Promise<string> {
  calls.length = 0
  getKeys.length = 0
  const response = (await counterApp(event, freshContext())) as { statusCode?: number; body?: string }
  const expected = firstWellFormedId(entries, fromCookiesArray)

  // I/O: a read only for a well-formed id, and only that one; the create always.
  expect(calls).toEqual(expected === undefined ? ['PutItem'] : ['GetItem', 'PutItem'])
  expect(getKeys).toEqual(expected === undefined ? [] : [`${PREFIX}${expected}`])
  expect(response.statusCode).toBe(200)
  expect(JSON.parse(response.body ?? '{}')).toEqual({ count: 1 }) // nothing the client sent was adopted

  // The response cookie: one, of the fixed shape, a fresh server id, no echo of client input.
  const setCookies = responseSetCookies(response)
  expect(setCookies).toHaveLength(1)
  const [setCookie = ''] = setCookies
  const match = SET_COOKIE_SHAPE.exec(setCookie)
  expect(match, setCookie.slice(0, 200)).not.toBeNull()
  const issued = match?.[1] ?? ''
  const inputs = entries.filter((entry): entry is string => typeof entry === 'string')
  expect(inputs.some((input) => input.includes(issued))).toBe(false)
  expect(echoedFrom(issued, inputs)).toBeUndefined()

  expect(logger.error).not.toHaveBeenCalled()
  expect(logger.warn).not.toHaveBeenCalled()
  return issued
}

async function viaHeader(door: Door, header: string): Promise<void> {
  await expectSafe(headerDoors[door]({ cookieHeader: header }), [header])
}

async function viaCookiesArray(cookies: readonly unknown[]): Promise<void> {
  await expectSafe(httpApiV2Event({ cookies: cookies as string[] }), cookies, true)
}

// ---------------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------------

const idChar = fc.constantFrom(...ALPHABET)
const wellFormedId = fc.string({ unit: idChar, minLength: 32, maxLength: 32 })
/** Any UTF-16 code unit: lone surrogates, NUL, controls, non-characters. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n))
const oddChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((n) => String.fromCharCode(n)),
  fc.constantFrom('\u007f', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFE', '\uFEFF', '\u00A0', '\u2028'),
  fc.constantFrom('+', '/', '=', '.', '%', '~', ' ', '"', ',', '\\', ':', 'é', '😀', '\r\n'),
)
const replaceOne = (arb: fc.Arbitrary<string>) =>
  fc.tuple(wellFormedId, fc.nat(31), arb).map(([id, i, c]) => id.slice(0, i) + c + id.slice(i + 1))
const insertOne = (arb: fc.Arbitrary<string>) =>
  fc.tuple(wellFormedId, fc.nat(32), arb).map(([id, i, c]) => id.slice(0, i) + c + id.slice(i))

const cookieValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: wellFormedId },
  { weight: 1, arbitrary: wellFormedId.map((id) => `"${id}"`) },
  { weight: 1, arbitrary: wellFormedId.map((id) => `"${id}`) },
  { weight: 1, arbitrary: wellFormedId.map((id) => ` \t${id} `) },
  // wrong length
  { weight: 2, arbitrary: fc.string({ unit: idChar, maxLength: 80 }).filter((s) => s.length !== 32) },
  // wrong alphabet: one character replaced or inserted
  { weight: 2, arbitrary: replaceOne(oddChar) },
  { weight: 2, arbitrary: insertOne(oddChar) },
  // the key prefix or a suffix around an id
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(PREFIX, 'SESSIONS::', '::TOWER::', 'SESSIONS%3A%3ATOWER%3A%3A', `${PREFIX}${PREFIX}`),
        wellFormedId,
      )
      .map(([prefix, id]) => prefix + id),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        wellFormedId,
        fc.constantFrom('::suffix', '::TOWER', '#', '.sig', '%00', '\u0000', '=', '==', `::${PREFIX}`),
      )
      .map(([id, suffix]) => id + suffix),
  },
  // percent-encoding: an encoded id character, broken sequences, encoded invalid UTF-8
  {
    weight: 2,
    arbitrary: fc
      .tuple(wellFormedId, fc.nat(31))
      .map(([id, i]) => `${id.slice(0, i)}%${id.charCodeAt(i).toString(16).toUpperCase()}${id.slice(i + 1)}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '%',
      '%%',
      '%E0%A4%A',
      '%zz',
      '%C3%28',
      '%ED%A0%80',
      '%FF%FE%FD',
      '%u0041',
      '%0D%0A',
    ),
  },
  // garbage
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
)

const cookieName: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('id') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ' id',
      'id ',
      '\tid',
      'ID',
      'Id',
      'i d',
      'id\u0000',
      '"id"',
      '',
      'session',
      PREFIX,
      'id\uD800',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
)

const pair = fc
  .tuple(cookieName, fc.constantFrom('=', ' = ', '=='), cookieValue)
  .map(([name, equals, value]) => `${name}${equals}${value}`)
const segment = fc.oneof(
  { weight: 5, arbitrary: pair },
  { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 20 }) },
)
const cookieHeader = fc
  .tuple(fc.array(segment, { maxLength: 10 }), fc.constantFrom('; ', ';', ' ; ', ';;', ', ', '\r\n'))
  .map(([segments, separator]) => segments.join(separator))
const cookiesArray = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: pair },
    { weight: 2, arbitrary: cookieHeader },
    { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 20 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 42, {}, [], true, undefined, ['id=x']) },
  ),
  { maxLength: 10 },
)

/** Huge values and thousands of cookies, with or without a well-formed id somewhere in them. */
const bigInput = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1_000, max: 100_000 }),
      fc.constantFrom('a', '%', '\uD800', '\u0000', 'é', ';', 'id=', '=', ' '),
      fc.constantFrom('before', 'after', 'huge id', 'id then huge'),
      wellFormedId,
    )
    .map(([size, char, where, id]) => {
      const huge = char.repeat(Math.ceil(size / char.length))
      switch (where) {
        case 'before':
          return [`id=${id}`, `big=${huge}`]
        case 'after':
          return [`big=${huge}`, `id=${id}`]
        case 'huge id':
          return [`id=${huge}`]
        default:
          return [`id=${id}${huge}`]
      }
    }),
  fc
    .tuple(
      fc.integer({ min: 500, max: 5_000 }),
      fc.nat(5_000),
      wellFormedId,
      fc.constantFrom('c%i=v', 'id=x%i', 'id=', 'id', 'id="', `id=${PREFIX}%i`),
    )
    .map(([n, at, id, template]) => {
      const list = Array.from({ length: n }, (_, i) => template.replace('%i', String(i)))
      list.splice(Math.min(at, n), 0, `id=${id}`)
      return list
    }),
)

// ---------------------------------------------------------------------------------------------------

describe('the Cookie header (REST API v1, ALB, ALB multi-value): property tests', () => {
  it('never throws, reads only well-formed ids, never echoes client input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Door>('rest-api-v1', 'alb', 'alb-multi-value'),
        cookieHeader,
        viaHeader,
      ),
      { numRuns: 40 },
    )
  })

  it('the same for huge headers and thousands of cookies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Door>('rest-api-v1', 'alb', 'alb-multi-value'),
        bigInput,
        fc.constantFrom('; ', ';'),
        (door, parts, separator) => viaHeader(door, parts.join(separator)),
      ),
      { numRuns: 10 },
    )
  })
})

describe('the cookies array (HTTP API v2): property tests', () => {
  it('never throws, reads only well-formed ids, never echoes client input', async () => {
    await fc.assert(fc.asyncProperty(cookiesArray, viaCookiesArray), { numRuns: 40 })
  })

  it('the same for huge entries and thousands of entries', async () => {
    await fc.assert(fc.asyncProperty(bigInput, viaCookiesArray), { numRuns: 10 })
  })

  it('the fast-check generators do produce requests with and without a readable id', () => {
    // A guard against a generator change that would make the GetItem assertions vacuous.
    const samples = fc.sample(cookiesArray, { numRuns: 300, seed: 42 })
    const withId = samples.filter((entries) => firstWellFormedId(entries, true) !== undefined).length
    expect(withId).toBeGreaterThan(30)
    expect(samples.length - withId).toBeGreaterThan(30)
  })
})

describe('hand-picked hostile cookies, on every front door', () => {
  const id = generateSessionId()
  const cases: [string, string, boolean][] = [
    ['a well-formed id (control case: it is read)', `id=${id}`, true],
    ['a quoted well-formed id (read, quotes removed)', `id="${id}"`, true],
    ['the key prefix before the id', `id=${PREFIX}${id}`, false],
    ['a suffix after the id', `id=${id}::TOWER`, false],
    ['a whole storage key as the value', `id=${PREFIX}${id}${PREFIX}`, false],
    ['31 characters', `id=${id.slice(1)}`, false],
    ['33 characters', `id=${id}A`, false],
    ['a base64 (not base64url) character', `id=${id.slice(0, 31)}+`, false],
    ['a percent-encoded character', `id=%41${id.slice(1)}`, false],
    ['broken percent-encoding', `id=${id.slice(0, 28)}%E0%A`, false],
    ['a lone high surrogate', `id=${id.slice(0, 31)}\uD800`, false],
    ['a lone low surrogate', `id=\uDC00${id.slice(1)}`, false],
    ['a NUL inside', `id=${id.slice(0, 16)}\u0000${id.slice(17)}`, false],
    ['a CRLF header injection', `id=${id.slice(0, 31)}\r\nSet-Cookie: admin=true`, false],
    // A header is split on `;` only; the same text in a 2.0 `cookies` entry is two comma-joined headers.
    ['an id after a comma in a header', `a=1, id=${id}`, false],
    ['a cookie named ID', `ID=${id}`, false],
    ['the id as a cookie name', `${id}=${id.slice(0, 8)}`, false],
    ['garbage first, then a well-formed id', `id=${PREFIX}; id=; id; id="; id=${id}`, true],
    [
      'a 70,000-character value before the id (over the cap: nothing read)',
      `big=${'x'.repeat(70_000)}; id=${id}`,
      false,
    ],
    ['2,000 duplicate id cookies, then a well-formed one', `${'id=dup; '.repeat(2_000)}id=${id}`, true],
  ]
  for (const [name, header, readable] of cases) {
    it(name, async () => {
      expect(firstWellFormedId([header]) !== undefined).toBe(readable) // the oracle agrees with the table
      for (const door of Object.keys(headerDoors) as Door[]) await viaHeader(door, header)
      await viaCookiesArray(header.split(';').map((part) => part.trim()))
    })
  }

  it("a stored session's id wrapped in its key prefix, a suffix or an encoding loads nothing", async () => {
    const stored = await new DynamoDBSessionStore({ client, tableName }).create({
      data: { count: 41 },
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    })
    const real = stored.id
    for (const value of [
      `${PREFIX}${real}`,
      `${real}${PREFIX}`,
      `${real}::x`,
      `%${real.charCodeAt(0).toString(16)}${real.slice(1)}`,
      `${real.slice(0, 31)}\uD800${real.slice(31)}`,
      `"${real}`,
      `${real}.${real}`,
    ]) {
      for (const door of Object.keys(headerDoors) as Door[]) await viaHeader(door, `id=${value}`)
      await viaCookiesArray([`id=${value}`])
    }
    // Control: the bare id is that session.
    calls.length = 0
    const response = (await counterApp(httpApiV2Event({ cookies: [`id=${real}`] }), freshContext())) as {
      body?: string
    }
    expect(JSON.parse(response.body ?? '{}')).toEqual({ count: 42 })
  })

  it('HTTP API v2: 2,000 cookies entries put the id past the 1,024 examined: not read', async () => {
    const cookies = [...Array.from({ length: 2_000 }, (_, i) => `c${i}=v`), `id=${id}`]
    expect(firstWellFormedId(cookies, true)).toBeUndefined()
    await viaCookiesArray(cookies)
  })

  it('HTTP API v2: non-string entries are skipped, the id after them is read', async () => {
    await viaCookiesArray([null, 42, { id }, [`id=${id}`], `id=${id}`])
  })

  it('HTTP API v2: a `cookies` that is not an array and a Cookie header that is not a string are ignored', async () => {
    for (const cookies of [`id=${id}`, { id }, 42, null]) {
      const event = { ...httpApiV2Event(), cookies } as unknown
      await expectSafe(event, [])
    }
    for (const cookie of [42, { id }, null, true]) {
      const event = httpApiV2Event()
      ;(event.headers as Record<string, unknown>).cookie = cookie
      await expectSafe(event, [])
    }
  })

  it('HTTP API v2: a Cookie header given as a list is read like multi-value headers (strings only)', async () => {
    const event = httpApiV2Event()
    ;(event.headers as Record<string, unknown>).cookie = [42, `id=${id}`]
    await expectSafe(event, [42, `id=${id}`])
  })
})

describe('non-HTTP events never crash the middleware', () => {
  const id = generateSessionId()
  const throwing = new Proxy(
    {},
    {
      get() {
        throw new Error('hostile getter')
      },
      ownKeys() {
        throw new Error('hostile ownKeys')
      },
    },
  )
  const events: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['an empty object', {}],
    ['a number', 42],
    ['a string', `id=${id}`],
    ['an array', [`id=${id}`]],
    [
      'an SQS-like record',
      {
        Records: [
          {
            messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
            eventSource: 'aws:sqs',
            body: `id=${id}`,
            messageAttributes: { Cookie: { stringValue: `id=${id}`, dataType: 'String' } },
          },
        ],
      },
    ],
    [
      'an EventBridge-like event',
      { 'detail-type': 'tick', source: 'aws.events', detail: { cookies: [`id=${id}`] } },
    ],
    [
      'null headers and cookies',
      { headers: null, multiValueHeaders: null, cookies: null, requestContext: null },
    ],
    [
      'multi-value Cookie that is not a list',
      { multiValueHeaders: { cookie: `id=${id}x` }, httpMethod: 'GET' },
    ],
    ['a requestContext that is a string', { requestContext: 'x', version: '2.0', cookies: [`id=${id}x`] }],
    ['an object whose getters throw', throwing],
  ]

  for (const [name, event] of events) {
    it(`${name}: the handler runs, its session works in memory, and its result comes back untouched`, async () => {
      let seen: unknown
      let ran = 0
      const result = { statusCode: 200, body: 'done' }
      const app = middy()
        .use(dynamoSession<Counter>({ client, logger, store: { tableName } }))
        .handler(async (_event, context: SessionContext<Counter>) => {
          ran++
          await context.session.set('count', 7)
          seen = await context.session.get('count')
          return result
        }) as unknown as Invoke
      calls.length = 0
      getKeys.length = 0
      const response = await app(event, freshContext())
      expect(ran).toBe(1)
      expect(seen).toBe(7)
      expect(calls).toEqual([]) // no cookie can carry this session: nothing is read or stored
      expect(response).toBe(result)
      expect(response).toEqual({ statusCode: 200, body: 'done' })
      expect(logger.error).not.toHaveBeenCalled()
      expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/non-HTTP invocation are not saved/))
    })
  }

  it('an ALB event whose Cookie header is a number: a new session, stored, with its cookie', async () => {
    const app = middy()
      .use(dynamoSession<Counter>({ client, logger, store: { tableName } }))
      .handler(async (_event, context: SessionContext<Counter>) => {
        await context.session.set('count', 7)
        return { statusCode: 200, body: 'done' }
      }) as unknown as Invoke
    calls.length = 0
    const response = await app({ headers: { cookie: 42 }, requestContext: { elb: {} } }, freshContext())
    expect(calls).toEqual(['PutItem'])
    const setCookies = responseSetCookies(response)
    expect(setCookies).toHaveLength(1)
    expect(setCookies[0]).toMatch(SET_COOKIE_SHAPE)
  })

  it('an event that is a plain HTTP-looking object without a requestContext still has its Cookie header read', async () => {
    // Documented: `headers` is read whatever the front door (a local tool, a hand-built event).
    const stored = await new DynamoDBSessionStore({ client, tableName }).create({
      data: { count: 41 },
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    })
    calls.length = 0
    const response = (await counterApp({ headers: { Cookie: `id=${stored.id}` } }, freshContext())) as {
      body?: string
    }
    expect(JSON.parse(response.body ?? '{}')).toEqual({ count: 42 })
    expect(calls).toEqual(['GetItem', 'UpdateItem'])
  })
})

describe('corrupted items count as no session, are reported without the id, and crash nothing', () => {
  const secret = 'hunter2-in-corrupted-data'
  const cases: [string, Record<string, unknown>][] = [
    ['expiry missing', { data: { M: { secret: { S: secret } } }, version: { N: '1' } }],
    ['expiry a string', { expire_at: { S: '9999999999' }, data: { M: { secret: { S: secret } } } }],
    ['expiry a map', { expire_at: { M: { N: { N: '9999999999' } } }, data: { M: {} } }],
    ['data missing', { expire_at: { N: '9999999999' }, version: { N: '1' } }],
    [
      'data a string (the default codec stores a map)',
      { expire_at: { N: '9999999999' }, data: { S: secret } },
    ],
    ['data a list', { expire_at: { N: '9999999999' }, data: { L: [{ S: secret }] } }],
    [
      'data with a binary value inside',
      {
        expire_at: { N: '9999999999' },
        data: { M: { secret: { S: secret }, blob: { B: new Uint8Array([0xff]) } } },
      },
    ],
    ['data a binary set', { expire_at: { N: '9999999999' }, data: { BS: [new Uint8Array([1])] } }],
    [
      'expiry policy unreadable',
      { expire_at: { N: '9999999999' }, data: { M: {} }, expiry_policy: { S: secret } },
    ],
    [
      'expiry policy not a string',
      { expire_at: { N: '9999999999' }, data: { M: {} }, expiry_policy: { N: '1' } },
    ],
  ]

  const doors: [string, (options: EventOptions) => HttpEvent][] = [
    ['HTTP API v2', httpApiV2Event],
    ['REST API v1', restApiV1Event],
    ['ALB', albEvent],
  ]

  for (const [index, [name, attributes]] of cases.entries()) {
    // Each case through one front door, in turn: every door sees several kinds of corruption.
    const [doorName, event] = doors[index % doors.length] as [string, (options: EventOptions) => HttpEvent]
    it(`${name} (${doorName})`, async () => {
      const id = generateSessionId()
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...sessionKey(DEFAULT_STORE_PROPS, id), ...attributes } as never,
        }),
      )
      calls.length = 0
      const response = (await counterApp(
        event({ cookieHeader: `theme=dark; id=${id}` }),
        freshContext(),
      )) as {
        statusCode?: number
        body?: string
      }
      expect(response.statusCode).toBe(200)
      expect(JSON.parse(response.body ?? '{}')).toEqual({ count: 1 }) // no session: a fresh one
      expect(calls).toEqual(['GetItem', 'PutItem']) // the corrupted item is neither rewritten nor deleted
      const [setCookie = ''] = responseSetCookies(response)
      expect(SET_COOKIE_SHAPE.exec(setCookie)?.[1]).not.toBe(id)
      expect(logger.warn).toHaveBeenCalledTimes(1)
      expect(logger.error).not.toHaveBeenCalled()
      const reported = JSON.stringify(logger.warn.mock.calls)
      expect(reported).not.toContain(id)
      expect(reported).not.toContain(secret)
    })
  }

  it('with jsonStringCodec, undecodable data is reported without any of the data', async () => {
    const id = generateSessionId()
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...sessionKey(DEFAULT_STORE_PROPS, id), expire_at: { N: '9999999999' }, data: { S: secret } },
      }),
    )
    const app = middy()
      .use(dynamoSession<Counter>({ client, logger, store: { tableName, codec: jsonStringCodec } }))
      .handler(async (_event, context: SessionContext<Counter>) => ({
        statusCode: 200,
        body: JSON.stringify({ count: (await context.session.get('count')) ?? 0 }),
      })) as unknown as Invoke
    const response = (await app(httpApiV2Event({ cookieHeader: `id=${id}` }), freshContext())) as {
      body?: string
    }
    expect(JSON.parse(response.body ?? '{}')).toEqual({ count: 0 }) // no session: this part holds
    expect(logger.warn).toHaveBeenCalledTimes(1)
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(id)
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(secret.slice(0, 8)) // fails: "hunter2-in" is quoted
  })

  it('a read-only request on a corrupted item answers as for no session: no write, no cookie', async () => {
    const id = generateSessionId()
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...sessionKey(DEFAULT_STORE_PROPS, id), expire_at: { S: 'never' }, data: { M: {} } } as never,
      }),
    )
    const peek = middy()
      .use(dynamoSession<Counter>({ client, logger, store: { tableName } }))
      .handler(async (_event, context: SessionContext<Counter>) => ({
        statusCode: 200,
        body: JSON.stringify({
          count: (await context.session.get('count')) ?? 0,
          id: context.session.id ?? null,
        }),
      })) as unknown as Invoke
    calls.length = 0
    const response = (await peek(httpApiV2Event({ cookieHeader: `id=${id}` }), freshContext())) as {
      body?: string
    }
    expect(JSON.parse(response.body ?? '{}')).toEqual({ count: 0, id: null })
    expect(calls).toEqual(['GetItem'])
    expect(responseSetCookies(response)).toEqual([])
    expect(logger.warn).toHaveBeenCalledTimes(1)
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(id)
  })
})
