/**
 * The counter's sign-in demo (examples/counter) against DynamoDB Local, through the counter's exported
 * handler, on the table template.yaml declares (with its user-sessions index): signing in and out, the
 * list of a user's sessions, signing out one device and every other one, the form posts of the page,
 * escaping, and the DynamoDB calls (which the template's IAM policy must allow).
 */
import type { Context } from 'aws-lambda'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createLambdaContext, isTextContentType } from '../../scripts/http-to-lambda.ts'
import { ensureTable, findTable, loadTemplate } from '../../scripts/sam-template.ts'
import { CookieJar, FRONT_DOORS, httpEvent, type KnownFrontDoor } from '../../src/testing/index.ts'
import { loadCounter, recordSentCommands, type SentCommand } from '../support/app.ts'
import { localClient } from '../support/dynamo.ts'

type Result = {
  statusCode: number
  headers?: Record<string, string>
  body: string
}
type Handler = (event: unknown, context: Context) => Promise<Result>
type SessionInfo = {
  handle: string
  createdAt: string
  lastUsedAt: string
  expiresAt: string
  current: boolean
  meta: Record<string, unknown>
}

const client = localClient()
let handler: Handler
/** Every DynamoDB command the counter sends: its name and input. */
let sent: SentCommand[] = []

beforeAll(async () => {
  const tableName = `signin-${crypto.randomUUID()}`
  await ensureTable(client, tableName, findTable(await loadTemplate()))
  handler = (await loadCounter(tableName)) as Handler
  sent = recordSentCommands()
})

beforeEach(() => {
  sent.length = 0
})

afterAll(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
  client.destroy()
})

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

interface SendOptions {
  /** A form post, as a browser sends it (`Accept: text/html`). */
  form?: Record<string, string>
  /** A JSON body (`Accept: application/json`). */
  json?: unknown
  /** Send `Accept: text/html` (a browser). */
  html?: boolean
}

/** A browser on one device: its cookie jar and user agent, behind `door`. */
function device(userAgent: string, door: KnownFrontDoor = 'http-api-v2') {
  const jar = new CookieJar()
  const send = async (method: string, path: string, options: SendOptions = {}): Promise<Result> => {
    const headers: Record<string, string> = { 'user-agent': userAgent }
    let body: string | undefined
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(options.form).toString()
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = typeof options.json === 'string' ? options.json : JSON.stringify(options.json)
    }
    if (options.form || options.html) headers.accept = HTML
    // HTTP API and function URLs pass a form body base64-encoded (only text/* and JSON arrive as text).
    const base64 = body !== undefined && door !== 'rest-api-v1' && !isTextContentType(headers['content-type'])
    const event = httpEvent(door, {
      method,
      path,
      jar,
      headers,
      body: base64 ? Buffer.from(body ?? '').toString('base64') : body,
      isBase64Encoded: base64,
    })
    const result = await handler(
      event,
      createLambdaContext({ functionName: 'CounterFunction', timeoutMs: 10_000 }),
    )
    jar.takeFrom(result, event)
    return result
  }
  const call = async <T>(method: string, path: string, options: SendOptions = {}) => {
    const result = await send(method, path, options)
    return { status: result.statusCode, body: JSON.parse(result.body) as T }
  }
  return {
    jar,
    send,
    signIn: (name: string) => call<{ name: string }>('POST', '/signin', { json: { name } }),
    me: async () => (await call<{ name: string | null }>('GET', '/api/me')).body.name,
    sessions: async () => (await call<{ sessions: SessionInfo[] }>('GET', '/api/sessions')).body.sessions,
    end: (handle: string) => call<{ ended: boolean }>('POST', `/sessions/${handle}/end`),
    endOthers: () => call<{ ended: number }>('POST', '/sessions/end-others'),
    signOut: () => call<{ name: null }>('POST', '/signout'),
    count: async () => (await call<{ count: number }>('GET', '/api/count')).body.count,
    page: async () => (await send('GET', '/', { html: true })).body,
  }
}

describe.each(FRONT_DOORS)('the sign-in demo behind %s', (door) => {
  it('signs in as a name (a new session id), lists this device with its user agent, signs out', async () => {
    const laptop = device('Laptop browser', door)
    expect(await laptop.count()).toBe(1)
    const anonymousId = laptop.jar.value
    const name = `ada on ${door}`
    expect(await laptop.signIn(name)).toEqual({ status: 200, body: { name } })
    expect(laptop.jar.value).toMatch(/^[\w-]{22,}$/)
    expect(laptop.jar.value).not.toBe(anonymousId)
    expect(await laptop.me()).toBe(name)
    // The data came along: the count goes on.
    expect(await laptop.count()).toBe(2)

    const sessions = await laptop.sessions()
    expect(sessions).toEqual([
      {
        handle: expect.stringMatching(/^[\w-]{12}$/),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: expect.any(String),
        current: true,
        meta: { ua: 'Laptop browser' },
      },
    ])
    expect(Date.parse(sessions[0]?.expiresAt ?? '')).toBeGreaterThan(Date.now())
    expect(await laptop.signOut()).toEqual({ status: 200, body: { name: null } })
    expect(laptop.jar.value).toBeUndefined()
    expect(await laptop.me()).toBeNull()
  })

  it('two devices of one user: each lists both and marks its own; one signs the other out, then every other one', async () => {
    const a = device('Device A', door)
    const b = device('Device B', door)
    const name = `grace on ${door}`
    await a.signIn(name)
    await b.signIn(name)
    const fromA = await a.sessions()
    const fromB = await b.sessions()
    expect(fromA).toHaveLength(2)
    expect(fromB).toHaveLength(2)
    const own = (list: SessionInfo[]) => list.filter((s) => s.current).map((s) => s.meta.ua)
    expect(own(fromA)).toEqual(['Device A'])
    expect(own(fromB)).toEqual(['Device B'])
    // Newest binding first; both lists name the same sessions by the same handles.
    expect(fromA.map((s) => s.meta.ua)).toEqual(['Device B', 'Device A'])
    expect(fromA.map((s) => s.handle)).toEqual(fromB.map((s) => s.handle))
    // Handles only: the session ids are bearer credentials and never appear in a list.
    for (const id of [a.jar.value, b.jar.value]) expect(JSON.stringify(fromA)).not.toContain(id)

    const handleOfB = fromA.find((s) => !s.current)?.handle ?? ''
    expect(await a.end(handleOfB)).toEqual({ status: 200, body: { ended: true } })
    expect(await b.me()).toBeNull()
    expect(await a.me()).toBe(name)
    expect(await a.sessions()).toHaveLength(1)
    expect(await a.end(handleOfB)).toEqual({ status: 200, body: { ended: false } })

    await b.signIn(name)
    expect(await a.sessions()).toHaveLength(2)
    expect(await a.endOthers()).toEqual({ status: 200, body: { ended: 1 } })
    expect(await b.me()).toBeNull()
    expect(await a.me()).toBe(name)
    expect((await a.sessions()).map((s) => s.meta.ua)).toEqual(['Device A'])
  })
})

describe('the page', () => {
  it('shows the sign-in form when signed out, below the count', async () => {
    const visitor = device('Visitor')
    const page = await visitor.page()
    expect(page).toContain('<span id="count">1</span>')
    expect(page).toContain('<form id="signin" method="post" action="signin">')
    expect(page).toContain('<input id="name" name="name" required maxlength="64"')
    expect(page).not.toContain('Signed in as')
  })

  it('after a form sign-in (303 back to the page): "Signed in as", the sessions with created, last used, user agent, "this device", and the sign-out buttons', async () => {
    const a = device('Mozilla/5.0 (A)')
    const b = device('Mozilla/5.0 (B)')
    const signIn = await a.send('POST', '/signin', { form: { name: 'lin' } })
    expect(signIn.statusCode).toBe(303)
    expect(signIn.headers?.location).toBe('./')
    await b.send('POST', '/signin', { form: { name: ' lin ' } })

    const page = await a.page()
    expect(page).toContain('<span id="count">1</span>')
    expect(page).toContain('Signed in as <strong id="user-name">lin</strong>')
    expect(page).not.toContain('id="signin"')
    const items = page.match(/<li class="session[\s\S]*?<\/li>/g) ?? []
    expect(items).toHaveLength(2)
    const [newest, current] = items
    expect(newest).toContain('Mozilla/5.0 (B)')
    expect(newest).toMatch(/<form method="post" action="sessions\/[\w-]{12}\/end">/)
    expect(newest).toContain('<button class="end-session" type="submit"')
    expect(newest).not.toContain('this device')
    expect(current).toContain('<li class="session current"')
    expect(current).toContain('Mozilla/5.0 (A)')
    expect(current).toContain('<strong class="this-device">this device</strong>')
    expect(current).not.toContain('end-session')
    for (const item of items) {
      expect(item).toMatch(/signed in <time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">[^<]+ UTC<\/time>/)
      expect(item).toMatch(/last used <time datetime="[^"]+">/)
    }
    expect(page).toContain('<form method="post" action="sessions/end-others">')
    expect(page).toContain('<button id="end-others" type="submit">Sign out everywhere else</button>')
    expect(page).toContain('<form method="post" action="signout"><button id="signout"')
    expect(page).toContain('<form method="post" action="reset">')
  })

  it('its forms sign a device out (303 ../../), every other one (303 ../), and this one (303 ./)', async () => {
    const a = device('A')
    const b = device('B')
    const c = device('C')
    for (const d of [a, b, c]) await d.send('POST', '/signin', { form: { name: 'mae' } })
    const handleOfC = (await a.sessions()).find((s) => s.meta.ua === 'C')?.handle
    const endOne = await a.send('POST', `/sessions/${handleOfC}/end`, { form: {} })
    expect([endOne.statusCode, endOne.headers?.location]).toEqual([303, '../../'])
    expect(await c.me()).toBeNull()
    expect(await c.page()).toContain('id="signin"')

    const endOthers = await a.send('POST', '/sessions/end-others', { form: {} })
    expect([endOthers.statusCode, endOthers.headers?.location]).toEqual([303, '../'])
    expect(await b.me()).toBeNull()
    expect(await a.page()).toContain('Signed in as')

    const signOut = await a.send('POST', '/signout', { form: {} })
    expect([signOut.statusCode, signOut.headers?.location]).toEqual([303, './'])
    expect(a.jar.value).toBeUndefined()
    expect(await a.page()).toContain('id="signin"')
  })

  it('escapes the name and the user agent', async () => {
    const name = `<script>alert("x")</script>&'`
    const mallory = device(`<img src=x onerror="alert(1)">`)
    await mallory.send('POST', '/signin', { form: { name } })
    const page = await mallory.page()
    expect(page).toContain(
      'Signed in as <strong id="user-name">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</strong>',
    )
    expect(page).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;')
    expect(page).not.toContain('<script>alert')
    expect(page).not.toContain('<img')
    expect(await mallory.me()).toBe(name)
  })
})

describe('sign-in input', () => {
  it.each([
    ['no name', { json: {} }],
    ['an empty name', { json: { name: '' } }],
    ['a blank name', { form: { name: '   ' } }],
    ['a name of 65 characters', { json: { name: 'x'.repeat(65) } }],
    ['a name that is not a string', { json: { name: 42 } }],
    ['a body that is not JSON', { json: '{"name": ' }],
    ['a JSON array', { json: ['ada'] }],
  ])('refuses %s with 400, storing nothing', async (_, options) => {
    const visitor = device('Visitor')
    const result = await visitor.send('POST', '/signin', options as SendOptions)
    expect(result.statusCode).toBe(400)
    expect(JSON.parse(result.body)).toEqual({ error: 'A name is 1 to 64 characters' })
    expect(visitor.jar.value).toBeUndefined()
    expect(sent).toEqual([])
  })

  it('takes a name of 64 characters (counted as characters, not UTF-16 units)', async () => {
    const name = '😀'.repeat(64)
    expect((await device('Visitor').signIn(name)).body).toEqual({ name })
  })

  it('keeps at most 200 printable ASCII characters of the user agent', async () => {
    const phone = device(`Phone\u00e9 ${'x'.repeat(300)}`)
    await phone.signIn('zoe')
    const [session] = await phone.sessions()
    expect(session?.meta.ua).toBe(`Phone ${'x'.repeat(194)}`)
  })
})

describe('without a signed-in user', () => {
  it('GET /api/me of a new visitor is {"name":null}, with no DynamoDB call and no cookie', async () => {
    const visitor = device('Visitor')
    const result = await visitor.send('GET', '/api/me')
    expect(JSON.parse(result.body)).toEqual({ name: null })
    expect(visitor.jar.value).toBeUndefined()
    expect(sent).toEqual([])
  })

  it('a counting visitor is not signed in', async () => {
    const visitor = device('Visitor')
    await visitor.count()
    expect(await visitor.me()).toBeNull()
  })

  it('the routes that need a user answer 401 (a form post: back to the page)', async () => {
    const visitor = device('Visitor')
    await visitor.count()
    for (const [method, path] of [
      ['GET', '/api/sessions'],
      ['POST', '/sessions/end-others'],
      ['POST', '/sessions/AAAAAAAAAAAA/end'],
    ] as const) {
      const result = await visitor.send(method, path)
      expect([result.statusCode, JSON.parse(result.body)]).toEqual([401, { error: 'Not signed in' }])
    }
    const form = await visitor.send('POST', '/sessions/end-others', { form: {} })
    expect([form.statusCode, form.headers?.location]).toEqual([303, '../'])
  })

  it('other methods and malformed handles are 404s', async () => {
    const visitor = device('Visitor')
    await visitor.signIn('ida')
    sent.length = 0
    for (const [method, path] of [
      ['GET', '/signin'],
      ['GET', '/sessions/end-others'],
      ['GET', '/sessions/AAAAAAAAAAAA/end'],
      ['POST', '/sessions/not%20a%20handle/end'],
      ['POST', '/sessions//end'],
      ['POST', '/api/me'],
    ] as const) {
      expect((await visitor.send(method, path)).statusCode, `${method} ${path}`).toBe(404)
    }
    expect(sent).toEqual([])
  })

  it('POST /reset ends a signed-in session too: it leaves the user’s list', async () => {
    const a = device('A')
    const b = device('B')
    await a.signIn('eve')
    await b.signIn('eve')
    await b.send('POST', '/reset')
    expect(await b.me()).toBeNull()
    expect((await a.sessions()).map((s) => s.meta.ua)).toEqual(['A'])
  })
})

describe('DynamoDB calls', () => {
  it('stay within what template.yaml grants: item actions and BatchWriteItem on the table, Query on the user-sessions index only', async () => {
    const a = device('A')
    const b = device('B')
    await a.page()
    await a.signIn('kai')
    await b.signIn('kai')
    await a.page()
    await a.me()
    await a.end((await a.sessions()).find((s) => !s.current)?.handle ?? '')
    await b.signIn('kai')
    await a.endOthers()
    await a.signOut()

    const template = await loadTemplate()
    const policies = template.Resources.CounterFunction?.Properties?.Policies as {
      Statement: { Action: string[]; Resource: unknown }[]
    }[]
    const statements = policies.flatMap((policy) => policy.Statement)
    const onTable = statements
      .filter(
        (s) => JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': ['SessionsTable', 'Arn'] }),
      )
      .flatMap((s) => s.Action)
    const onIndex = statements
      .filter((s) => JSON.stringify(s.Resource).endsWith('/index/user-sessions"}'))
      .flatMap((s) => s.Action)

    // A transaction is authorised per item: its Put, Update and Delete as PutItem, UpdateItem, DeleteItem.
    const actions = sent.flatMap(({ name, input }) => {
      if (name !== 'TransactWriteItems') return [{ action: name, input }]
      return (input.TransactItems as Record<string, unknown>[]).map((item) => ({
        action: `${Object.keys(item)[0]}Item`,
        input,
      }))
    })
    const used = new Set(actions.map(({ action }) => action))
    expect(used).toEqual(
      new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'Query']),
    )
    for (const { action, input } of actions) {
      if (action === 'Query') {
        expect(input.IndexName).toBe('user-sessions')
        expect(onIndex).toContain('dynamodb:Query')
      } else {
        expect(input.IndexName).toBeUndefined()
        expect(onTable).toContain(`dynamodb:${action}`)
      }
    }
    expect(onTable).not.toContain('dynamodb:Query')
  })
})
