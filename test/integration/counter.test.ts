/**
 * The counter example (examples/counter) against DynamoDB Local, called directly with the sample events
 * of every front door: the routes, the cookie rules, and the DynamoDB calls it makes (which the
 * template's IAM policy must allow).
 */
import { readdirSync, readFileSync } from 'node:fs'
import type { Context } from 'aws-lambda'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createLambdaContext } from '../../scripts/http-to-lambda.ts'
import { ensureTable, findTable, loadTemplate } from '../../scripts/sam-template.ts'
import { loadCounter, recordSentCommands, type SentCommand } from '../support/app.ts'
import { localClient } from '../support/dynamo.ts'
import { frontDoorEvents } from '../support/events.ts'

type Handler = (event: unknown, context: Context) => Promise<Response>
type Response = {
  statusCode: number
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  cookies?: string[]
  body: string
}

const eventsDir = new URL('../../events/', import.meta.url)
const client = localClient()
let handler: Handler
let sent: SentCommand[] = []

beforeAll(async () => {
  const template = await loadTemplate()
  const tableName = `counter-${crypto.randomUUID()}`
  await ensureTable(client, tableName, findTable(template))
  handler = (await loadCounter(tableName)) as unknown as Handler
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

function context(): Context {
  return createLambdaContext({ functionName: 'CounterFunction', timeoutMs: 10_000 })
}

/** The Set-Cookie values of a response, wherever its front door puts them. */
function setCookies(response: Response): string[] {
  if (response.cookies) return response.cookies
  for (const [name, values] of Object.entries(response.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'set-cookie') return values
  }
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (name.toLowerCase() === 'set-cookie') return [value]
  }
  return []
}

function sessionCookie(response: Response): string | undefined {
  const cookie = setCookies(response).find((value) => value.startsWith('id='))
  return cookie?.split(';')[0]
}

describe('events/*.json', () => {
  const files = readdirSync(eventsDir).filter((name) => name.endsWith('.json'))

  it('has samples to run', () => {
    expect(files.length).toBeGreaterThan(0)
  })

  it.each(files)('%s invokes the counter successfully', async (file) => {
    const event = JSON.parse(readFileSync(new URL(file, eventsDir), 'utf8')) as unknown
    const response = await handler(event, context())
    expect(response.statusCode).toBe(200)
    expect(JSON.parse(response.body)).toEqual({ count: 1 })
    expect(sessionCookie(response)).toMatch(/^id=[\w-]{22,}$/)
  })
})

describe.each(frontDoorEvents)('the counter behind $frontDoor', ({ event }) => {
  const visit = (options: Parameters<typeof event>[0] = {}) => handler(event(options), context())

  it('counts 1, 2, 3 with the cookie it sets, and peeks without counting', async () => {
    const first = await visit({ path: '/api/count' })
    expect(JSON.parse(first.body)).toEqual({ count: 1 })
    const cookie = sessionCookie(first)
    expect(cookie).toBeDefined()
    const cookieHeader = `theme=dark; ${cookie}`
    expect(JSON.parse((await visit({ path: '/api/count', cookieHeader })).body)).toEqual({ count: 2 })
    expect(JSON.parse((await visit({ path: '/api/count', cookieHeader })).body)).toEqual({ count: 3 })
    const peek = await visit({ path: '/api/peek', cookieHeader })
    expect(JSON.parse(peek.body)).toEqual({ count: 3 })
    expect(JSON.parse((await visit({ path: '/api/peek', cookieHeader })).body)).toEqual({ count: 3 })
  })

  it('serves the page with the count in #count', async () => {
    const response = await visit({ path: '/' })
    expect(response.statusCode).toBe(200)
    expect(response.headers?.['content-type']).toMatch(/^text\/html/)
    expect(response.body).toContain('<span id="count">1</span>')
    expect(response.body).toMatch(/<form method="post" action="reset">/)
  })

  it('answers /health, 404s and a new visitor’s peek without a cookie or a DynamoDB call', async () => {
    const health = await visit({ path: '/health' })
    expect(health).toMatchObject({ statusCode: 200, body: 'ok' })
    const favicon = await visit({ path: '/favicon.ico' })
    expect(favicon.statusCode).toBe(404)
    const wrongMethod = await visit({ path: '/api/count', method: 'DELETE' })
    expect(wrongMethod.statusCode).toBe(404)
    const peek = await visit({ path: '/api/peek' })
    expect(JSON.parse(peek.body)).toEqual({ count: 0 })
    for (const response of [health, favicon, wrongMethod, peek]) expect(setCookies(response)).toEqual([])
    expect(sent).toEqual([])
  })

  it('resets: POST /reset deletes the session and expires the cookie; the next visit counts from 1', async () => {
    const first = await visit({ path: '/api/count' })
    const cookieHeader = sessionCookie(first) ?? ''
    await visit({ path: '/api/count', cookieHeader })
    const reset = await visit({ path: '/reset', method: 'POST', cookieHeader })
    expect(reset.statusCode).toBe(200)
    expect(JSON.parse(reset.body)).toEqual({ count: 0 })
    expect(setCookies(reset).find((value) => value.startsWith('id='))).toMatch(/Max-Age=0/)
    // Even a client that keeps sending the old cookie starts again.
    expect(JSON.parse((await visit({ path: '/api/count', cookieHeader })).body)).toEqual({ count: 1 })
  })

  it('refuses a cross-site POST /reset with 403: the count stays, nothing is sent to DynamoDB', async () => {
    const first = await visit({ path: '/api/count' })
    const cookieHeader = sessionCookie(first) ?? ''
    sent.length = 0
    const forged = await visit({
      path: '/reset',
      method: 'POST',
      cookieHeader,
      headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    })
    expect(forged.statusCode).toBe(403)
    expect(setCookies(forged)).toEqual([])
    expect(sent).toEqual([])
    expect(JSON.parse((await visit({ path: '/api/count', cookieHeader })).body)).toEqual({ count: 2 })
  })

  it('redirects a browser form post on /reset back to the page (303)', async () => {
    const reset = await visit({
      path: '/reset',
      method: 'POST',
      headers: { accept: 'text/html,application/xhtml+xml' },
    })
    expect(reset.statusCode).toBe(303)
    expect(reset.headers?.location).toBe('./')
  })
})

describe('the cookie', () => {
  it('has no Secure attribute with COOKIE_SECURE=false (plain http://localhost), and HttpOnly, SameSite=Lax, Path=/', async () => {
    const [http] = frontDoorEvents
    const response = await handler(http?.event({ path: '/api/count' }), context())
    const cookie = setCookies(response).find((value) => value.startsWith('id=')) ?? ''
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; SameSite=Lax/)
    expect(cookie).toMatch(/; Path=\//)
    expect(cookie).not.toMatch(/Secure/)
  })
})

describe('DynamoDB calls', () => {
  it('stay within the item actions template.yaml grants on the table (GetItem, PutItem, UpdateItem, DeleteItem)', async () => {
    const [http] = frontDoorEvents
    const run = async (options: Record<string, string>) => handler(http?.event(options), context())
    const first = await run({ path: '/' })
    const cookieHeader = sessionCookie(first) ?? ''
    await run({ path: '/api/count', cookieHeader })
    await run({ path: '/api/peek', cookieHeader })
    await run({ path: '/reset', method: 'POST', cookieHeader })
    const template = await loadTemplate()
    const policies = template.Resources.CounterFunction?.Properties?.Policies as {
      Statement: { Action: string[]; Resource: unknown }[]
    }[]
    const onTable = policies
      .flatMap((policy) => policy.Statement)
      .filter((statement) => JSON.stringify(statement.Resource) === '{"Fn::GetAtt":["SessionsTable","Arn"]}')
      .flatMap((statement) => statement.Action)
    const used = new Set(sent.map(({ name }) => `dynamodb:${name}`))
    expect(used.size).toBeGreaterThan(0)
    for (const action of used) expect(onTable).toContain(action)
  })
})
