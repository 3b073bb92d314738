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
import { DynamoDBSessionStore, dynamoSession, jsonStringCodec, type SessionContext } from '../../src/index.ts'
import { DEFAULT_STORE_PROPS } from '../../src/store/index.ts'
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
// What the reader must take from each request is known by construction, not recomputed: every
// generated piece of cookie text carries the well-formed id it holds (if any), per the documented reading
// rules (RFC 6265 pairs split on `;`, names and values trimmed, names case-sensitive, one pair of double
// quotes removed, no decoding); the hand-picked cases spell out their expected id per front door, and the
// reading caps (COOKIE_READ_LIMITS) are checked at their exact edges below.
// ---------------------------------------------------------------------------------------------------

/** Cookie text, and the well-formed id the reader must take from it (`undefined`: none). */
interface Labelled {
  readonly text: string
  readonly id?: string | undefined
}
const plain = (text: string): Labelled => ({ text })
/** The id of the first piece that holds one: the reader takes the first well-formed id it sees. */
const firstId = (pieces: readonly { id?: string | undefined }[]) => pieces.find((piece) => piece.id)?.id

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
const DOORS = Object.keys(headerDoors) as Door[]

/**
 * Sends one request and checks every invariant of the module comment: `expected` is the id the reader
 * must take from it, `inputs` what the client sent (for the echo check). Returns the server id the
 * response set.
 */
async function expectSafe(
  event: unknown,
  expected: string | undefined,
  inputs: readonly unknown[],
): Promise<string> {
  calls.length = 0
  getKeys.length = 0
  const response = (await counterApp(event, freshContext())) as { statusCode?: number; body?: string }

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
  const strings = inputs.filter((entry): entry is string => typeof entry === 'string')
  expect(strings.some((input) => input.includes(issued))).toBe(false)
  expect(echoedFrom(issued, strings)).toBeUndefined()

  expect(logger.error).not.toHaveBeenCalled()
  expect(logger.warn).not.toHaveBeenCalled()
  return issued
}

async function viaHeader(door: Door, header: string, expected: string | undefined): Promise<void> {
  await expectSafe(headerDoors[door]({ cookieHeader: header }), expected, [header])
}

async function viaCookiesArray(cookies: readonly unknown[], expected: string | undefined): Promise<void> {
  await expectSafe(httpApiV2Event({ cookies: cookies as string[] }), expected, cookies)
}

// ---------------------------------------------------------------------------------------------------
// Generators, each piece labelled with the id it holds
// ---------------------------------------------------------------------------------------------------

const idChar = fc.constantFrom(...ALPHABET)
const wellFormedId = fc.string({ unit: idChar, minLength: 32, maxLength: 32 })
/** Any UTF-16 code unit: lone surrogates, NUL, controls, non-characters. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n))
/** Characters outside the id alphabet. */
const oddChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((n) => String.fromCharCode(n)),
  fc.constantFrom('\u007f', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFE', '\uFEFF', '\u00A0', '\u2028'),
  fc.constantFrom('+', '/', '=', '.', '%', '~', ' ', '"', ',', '\\', ':', 'é', '😀', '\r\n'),
)
const replaceOne = (arb: fc.Arbitrary<string>) =>
  fc.tuple(wellFormedId, fc.nat(31), arb).map(([id, i, c]) => id.slice(0, i) + c + id.slice(i + 1))
/** Inside the id, not at an end (where a space would be trimmed off and leave the id whole). */
const insertInside = (arb: fc.Arbitrary<string>) =>
  fc
    .tuple(wellFormedId, fc.integer({ min: 1, max: 31 }), arb)
    .map(([id, i, c]) => id.slice(0, i) + c + id.slice(i))
/** Garbage of at most 31 characters: too short to hold an id, whatever it is. */
const shortGarbage = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 31 }),
  fc.string({ maxLength: 31 }),
  fc.string({ unit: 'binary', maxLength: 31 }),
)

const cookieValue: fc.Arbitrary<Labelled> = fc.oneof(
  // read: as is, in one pair of quotes, with blanks around it
  { weight: 6, arbitrary: wellFormedId.map((id) => ({ text: id, id })) },
  { weight: 1, arbitrary: wellFormedId.map((id) => ({ text: `"${id}"`, id })) },
  { weight: 1, arbitrary: wellFormedId.map((id) => ({ text: ` \t${id} `, id })) },
  // not read: everything below
  { weight: 1, arbitrary: wellFormedId.map((id) => plain(`"${id}`)) },
  // wrong length
  {
    weight: 2,
    arbitrary: fc
      .string({ unit: idChar, maxLength: 80 })
      .filter((s) => s.length !== 32)
      .map(plain),
  },
  // wrong alphabet: one character replaced or inserted
  { weight: 2, arbitrary: replaceOne(oddChar).map(plain) },
  { weight: 2, arbitrary: insertInside(oddChar).map(plain) },
  // the key prefix or a suffix around an id
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(PREFIX, 'SESSIONS::', '::TOWER::', 'SESSIONS%3A%3ATOWER%3A%3A', `${PREFIX}${PREFIX}`),
        wellFormedId,
      )
      .map(([prefix, id]) => plain(prefix + id)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        wellFormedId,
        fc.constantFrom('::suffix', '::TOWER', '#', '.sig', '%00', '\u0000', '=', '==', `::${PREFIX}`),
      )
      .map(([id, suffix]) => plain(id + suffix)),
  },
  // percent-encoding: an encoded id character, broken sequences, encoded invalid UTF-8
  {
    weight: 2,
    arbitrary: fc
      .tuple(wellFormedId, fc.nat(31))
      .map(([id, i]) =>
        plain(`${id.slice(0, i)}%${id.charCodeAt(i).toString(16).toUpperCase()}${id.slice(i + 1)}`),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('%', '%%', '%E0%A4%A', '%zz', '%C3%28', '%ED%A0%80', '%FF%FE%FD', '%u0041', '%0D%0A')
      .map(plain),
  },
  { weight: 5, arbitrary: shortGarbage.map(plain) },
)

/** A cookie name, and whether it is `id` to the reader (names are trimmed, and case-sensitive). */
const cookieName: fc.Arbitrary<{ text: string; reads: boolean }> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ text: 'id', reads: true }) },
  { weight: 1, arbitrary: fc.constantFrom(' id', 'id ', '\tid').map((text) => ({ text, reads: true })) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('ID', 'Id', 'i d', 'id\u0000', '"id"', '', 'session', PREFIX, 'id\uD800')
      .map((text) => ({ text, reads: false })),
  },
  // Any other name without a separator in it (`;`, `,` or `=` would start another pair or the value).
  {
    weight: 1,
    arbitrary: fc
      .string({ maxLength: 8 })
      .filter((s) => !/[;,=]/.test(s) && s.trim() !== 'id')
      .map((text) => ({ text, reads: false })),
  },
)

/** `=` and ` = ` join a name to its value; after `==` the value starts with `=`. */
const equalsSign = fc.constantFrom(
  { text: '=', reads: true },
  { text: ' = ', reads: true },
  { text: '==', reads: false },
)

const pair: fc.Arbitrary<Labelled> = fc
  .tuple(cookieName, equalsSign, cookieValue)
  .map(([name, equals, value]) => ({
    text: `${name.text}${equals.text}${value.text}`,
    id: name.reads && equals.reads ? value.id : undefined,
  }))
const segment = fc.oneof(
  { weight: 5, arbitrary: pair },
  { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 20 }).map(plain) },
)
/** Segments joined by `;` (other joins, which merge pairs, are hand-picked cases below). */
const cookieHeader: fc.Arbitrary<Labelled> = fc
  .tuple(fc.array(segment, { maxLength: 10 }), fc.constantFrom('; ', ';', ' ; ', ';;'))
  .map(([segments, separator]) => ({
    text: segments.map((s) => s.text).join(separator),
    id: firstId(segments),
  }))
/** Entries of a `cookies` array (few and short: the caps have tests of their own). */
const cookiesArray: fc.Arbitrary<{ entries: unknown[]; id: string | undefined }> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: pair },
      { weight: 2, arbitrary: cookieHeader },
      { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 20 }).map(plain) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom<unknown>(null, 42, {}, [], true, undefined, ['id=x'])
          .map((value) => ({ value, id: undefined })),
      },
    ),
    { maxLength: 10 },
  )
  .map((pieces) => ({
    entries: pieces.map((piece) => ('text' in piece ? piece.text : piece.value)),
    id: firstId(pieces),
  }))

// ---------------------------------------------------------------------------------------------------

describe('the Cookie header (REST API v1, ALB, ALB multi-value): property tests', () => {
  it('never throws, reads only the first well-formed id, never echoes client input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...DOORS), cookieHeader, (door, header) =>
        viaHeader(door, header.text, header.id),
      ),
      { numRuns: 40 },
    )
  })
})

describe('the cookies array (HTTP API v2): property tests', () => {
  it('never throws, reads only the first well-formed id, never echoes client input', async () => {
    await fc.assert(
      fc.asyncProperty(cookiesArray, (cookies) => viaCookiesArray(cookies.entries, cookies.id)),
      { numRuns: 40 },
    )
  })

  it('the fast-check generators do produce requests with and without a readable id', () => {
    // A guard against a generator change that would make the GetItem assertions vacuous.
    for (const samples of [
      fc.sample(cookiesArray, { numRuns: 300, seed: 42 }),
      fc.sample(cookieHeader, { numRuns: 300, seed: 42 }),
    ]) {
      const withId = samples.filter((sample) => sample.id !== undefined).length
      expect(withId).toBeGreaterThan(30)
      expect(samples.length - withId).toBeGreaterThan(30)
    }
  })
})

describe('hand-picked hostile cookies, on every front door', () => {
  const id = generateSessionId()
  // [name, Cookie header, id read from it, id read from the header's `;`-parts as a v2 `cookies` array]
  const cases: [string, string, string | undefined, string | undefined][] = [
    ['a well-formed id (control case: it is read)', `id=${id}`, id, id],
    ['a quoted well-formed id (read, quotes removed)', `id="${id}"`, id, id],
    ['a well-formed id with blanks around it (read, trimmed)', `id = \t${id} `, id, id],
    ['the key prefix before the id', `id=${PREFIX}${id}`, undefined, undefined],
    ['a suffix after the id', `id=${id}::TOWER`, undefined, undefined],
    ['a whole storage key as the value', `id=${PREFIX}${id}${PREFIX}`, undefined, undefined],
    ['31 characters', `id=${id.slice(1)}`, undefined, undefined],
    ['33 characters', `id=${id}A`, undefined, undefined],
    ['a base64 (not base64url) character', `id=${id.slice(0, 31)}+`, undefined, undefined],
    ['a percent-encoded character', `id=%41${id.slice(1)}`, undefined, undefined],
    ['broken percent-encoding', `id=${id.slice(0, 28)}%E0%A`, undefined, undefined],
    ['a lone high surrogate', `id=${id.slice(0, 31)}\uD800`, undefined, undefined],
    ['a lone low surrogate', `id=\uDC00${id.slice(1)}`, undefined, undefined],
    ['a NUL inside', `id=${id.slice(0, 16)}\u0000${id.slice(17)}`, undefined, undefined],
    ['a CRLF header injection', `id=${id.slice(0, 31)}\r\nSet-Cookie: admin=true`, undefined, undefined],
    // A header is split on `;` only; the same text in a 2.0 `cookies` entry is two comma-joined headers.
    ['an id after a comma in a header', `a=1, id=${id}`, undefined, id],
    // A CRLF does not split pairs: the id is inside the value of `a`.
    ['an id after a CRLF', `a=1\r\nid=${id}`, undefined, undefined],
    ['a cookie named ID', `ID=${id}`, undefined, undefined],
    ['a cookie named " id " (read: names are trimmed)', ` id =${id}`, id, id],
    ['the id as a cookie name', `${id}=${id.slice(0, 8)}`, undefined, undefined],
    ['garbage first, then a well-formed id', `id=${PREFIX}; id=; id; id="; id=${id}`, id, id],
    ['two well-formed ids: the first is read', `id=${id}; id=${generateSessionId()}`, id, id],
    // 70,004 characters before the id: over the 65,536 read per request, in one header or one entry.
    ['a 70,000-character value before the id', `big=${'x'.repeat(70_000)}; id=${id}`, undefined, undefined],
    // One header of 16,035 characters; as a cookies array, 2,001 entries, past the 1,024 examined.
    [
      '2,000 duplicate id cookies, then a well-formed one',
      `${'id=dup; '.repeat(2_000)}id=${id}`,
      id,
      undefined,
    ],
  ]
  for (const [name, header, fromHeader, fromArray] of cases) {
    it(name, async () => {
      for (const door of DOORS) await viaHeader(door, header, fromHeader)
      await viaCookiesArray(
        header.split(';').map((part) => part.trim()),
        fromArray,
      )
    })
  }

  it('a Cookie header of exactly 65,536 characters is read; one character more, none of it is', async () => {
    // The documented caps these edge cases are built on.
    expect(COOKIE_READ_LIMITS).toEqual({ maxTotalLength: 65_536, maxEntries: 1_024 })
    // 'id=' 3 + the id 32 + '; ' 2 + 'big=' 4 + 65,495 = 65,536
    const full = `id=${id}; big=${'x'.repeat(65_495)}`
    expect(full).toHaveLength(65_536)
    for (const door of DOORS) await viaHeader(door, full, id)
    for (const door of DOORS) await viaHeader(door, `${full}x`, undefined)
  })

  it('HTTP API v2: entries of 65,536 characters in all are read; one character more stops before the id', async () => {
    // 'big=' 4 + 65,497 = 65,501, then 'id=' 3 + the id 32 = 35: 65,536
    const big = `big=${'x'.repeat(65_497)}`
    await viaCookiesArray([big, `id=${id}`], id)
    await viaCookiesArray([`${big}x`, `id=${id}`], undefined)
  })

  it('HTTP API v2: the 1,024th entry is examined, the 1,025th is not', async () => {
    const junk = (n: number) => Array.from({ length: n }, (_, i) => `c${i}=v`)
    await viaCookiesArray([...junk(1_023), `id=${id}`], id)
    await viaCookiesArray([...junk(1_024), `id=${id}`], undefined)
    await viaCookiesArray([...junk(2_000), `id=${id}`], undefined)
  })

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
      for (const door of DOORS) await viaHeader(door, `id=${value}`, undefined)
      await viaCookiesArray([`id=${value}`], undefined)
    }
    // Control: the bare id is that session.
    calls.length = 0
    const response = (await counterApp(httpApiV2Event({ cookies: [`id=${real}`] }), freshContext())) as {
      body?: string
    }
    expect(JSON.parse(response.body ?? '{}')).toEqual({ count: 42 })
  })

  it('HTTP API v2: non-string entries are skipped, the id after them is read', async () => {
    await viaCookiesArray([null, 42, { id }, [`id=${id}`], `id=${id}`], id)
  })

  it('HTTP API v2: a `cookies` that is not an array and a Cookie header that is not a string are ignored', async () => {
    for (const cookies of [`id=${id}`, { id }, 42, null]) {
      const event = { ...httpApiV2Event(), cookies } as unknown
      await expectSafe(event, undefined, [])
    }
    for (const cookie of [42, { id }, null, true]) {
      const event = httpApiV2Event()
      ;(event.headers as Record<string, unknown>).cookie = cookie
      await expectSafe(event, undefined, [])
    }
  })

  it('HTTP API v2: a Cookie header given as a list is read like multi-value headers (strings only)', async () => {
    const event = httpApiV2Event()
    ;(event.headers as Record<string, unknown>).cookie = [42, `id=${id}`]
    await expectSafe(event, id, [42, `id=${id}`])
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
