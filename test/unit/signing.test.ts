/**
 * Signed session cookies: `signSessionId` / `unsignSessionId` / `assertSecrets` on their own, then through
 * the middleware (`dynamoSession({ secrets })`) against DynamoDB Local: the cookie carries `<id>.<sig>`,
 * an unsigned or forged value never reaches DynamoDB, and secrets rotate without logging anyone out.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { generateSessionId } from '../../src/id.ts'
import { dynamoSession, SessionConfigError } from '../../src/index.ts'
import { assertSecrets, MIN_SECRET_LENGTH, signSessionId, unsignSessionId } from '../../src/signing.ts'
import { DEFAULT_STORE_PROPS } from '../../src/store/index.ts'
import { sessionKey } from '../../src/store/props.ts'
import { CookieJar, type TestHandler, testApp } from '../support/app.ts'
import { localClient } from '../support/dynamo.ts'

const OLD = 'old-secret-0123456789-abcdefghijklmnop'
const NEW = 'new-secret-9876543210-ponmlkjihgfedcba'
const OTHER = 'someone-elses-secret-xxxxxxxxxxxxxxxxxx'
const ID_SHAPE = /^[A-Za-z0-9_-]{32}$/
const SIGNED_SHAPE = /^[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}$/
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function split(value: string): { id: string; signature: string } {
  const [id = '', signature = ''] = value.split('.')
  return { id, signature }
}

describe('signSessionId / unsignSessionId', () => {
  it('round-trips: the value is `<id>.<43-char base64url HMAC>` and gives the id back', () => {
    const id = generateSessionId()
    const signed = signSessionId(id, NEW)
    expect(signed).toMatch(SIGNED_SHAPE)
    expect(split(signed).id).toBe(id)
    expect(unsignSessionId(signed, [NEW])).toBe(id)
    // Deterministic: the same id and secret sign the same way; another secret signs differently.
    expect(signSessionId(id, NEW)).toBe(signed)
    expect(signSessionId(id, OLD)).not.toBe(signed)
  })

  it('rotation: sign with the new secret, verify with [new, old]; an old cookie works until the old secret is dropped', () => {
    const id = generateSessionId()
    const oldCookie = signSessionId(id, OLD)
    const newCookie = signSessionId(id, NEW)
    expect(unsignSessionId(oldCookie, [OLD])).toBe(id) // before the rotation
    expect(unsignSessionId(newCookie, [NEW, OLD])).toBe(id)
    expect(unsignSessionId(oldCookie, [NEW, OLD])).toBe(id) // old secret still in the list
    expect(unsignSessionId(oldCookie, [OLD, NEW])).toBe(id) // order does not matter for verifying
    expect(unsignSessionId(oldCookie, [NEW])).toBeUndefined() // dropped: no longer verifies
    expect(unsignSessionId(newCookie, [NEW])).toBe(id)
    expect(unsignSessionId(newCookie, [OLD])).toBeUndefined()
  })

  describe('anything but an intact value signed with a listed secret is undefined', () => {
    const id = generateSessionId()
    const signed = signSessionId(id, NEW)
    const { signature } = split(signed)
    const otherId = generateSessionId()
    const flip = (text: string, index: number) => {
      const char = text[index] ?? 'A'
      const replacement = BASE64URL[(BASE64URL.indexOf(char) + 17) % 64] ?? 'A'
      return text.slice(0, index) + replacement + text.slice(index + 1)
    }
    // The last of 43 characters carries 4 signature bits and 2 padding bits: flipping a padding bit
    // decodes to the same 32 bytes. A non-canonical encoding must not pass (no malleable cookies).
    const lastIndex = BASE64URL.indexOf(signature.at(-1) ?? 'A')
    const nonCanonical = `${id}.${signature.slice(0, -1)}${BASE64URL[lastIndex ^ 1]}`
    it('(the non-canonical case below really decodes to the right signature bytes)', () => {
      expect(nonCanonical).not.toBe(signed)
      expect(Buffer.from(split(nonCanonical).signature, 'base64url')).toEqual(
        Buffer.from(signature, 'base64url'),
      )
    })

    const cases: [string, string][] = [
      ['a tampered id', `${flip(id, 5)}.${signature}`],
      ['a tampered signature', `${id}.${flip(signature, 10)}`],
      ["another id's signature", `${id}.${split(signSessionId(otherId, NEW)).signature}`],
      ['a truncated signature', signed.slice(0, -1)],
      ['a value cut in the id', signed.slice(0, 20)],
      ['a signature cut to nothing', `${id}.`],
      ['the bare id (unsigned)', id],
      ['an extra dot at the end', `${signed}.`],
      ['an extra dot and more', `${signed}.${signature}`],
      ['a dot inside the signature', `${id}.${signature.slice(0, 20)}.${signature.slice(20)}`],
      ['two dots between id and signature', `${id}..${signature}`],
      ['a leading dot', `.${signed}`],
      ['only a dot', '.'],
      ['the empty string', ''],
      [
        'a signature with base64 (not base64url) characters',
        `${id}.${signature.slice(0, 10)}+/${signature.slice(12)}`,
      ],
      ['a padded signature', `${id}.${signature}=`],
      ['a non-canonical encoding of the right signature', nonCanonical],
      ['a signature of 31 bytes', `${id}.${Buffer.alloc(31, 7).toString('base64url')}`],
      ['a signature of 33 bytes', `${id}.${Buffer.alloc(33, 7).toString('base64url')}`],
      [
        'a 64-byte signature that starts with the right one',
        `${id}.${Buffer.concat([Buffer.from(signature, 'base64url'), Buffer.alloc(32)]).toString('base64url')}`,
      ],
      ['a valid id signed with an unknown secret', signSessionId(id, OTHER)],
      ['an id of the wrong shape, correctly signed', signSessionId('short', NEW)],
      ['the key prefix in front of a signed value', `SESSIONS::TOWER::${signed}`],
      ['surrounding spaces', ` ${signed} `],
      ['a quoted value', `"${signed}"`],
      ['a percent-encoded dot', `${id}%2E${signature}`],
      ['a lone surrogate in the signature', `${id}.${signature.slice(0, 42)}\uD800`],
      ['a NUL in the signature', `${id}.${signature.slice(0, 42)}\u0000`],
    ]
    for (const [name, value] of cases) {
      it(name, () => {
        expect(unsignSessionId(value, [NEW, OLD])).toBeUndefined()
      })
    }

    it('any one-character change of a signed value', () => {
      // Half the replacements from the cookie's own alphabet: they keep the value well-formed, so only the
      // signature check can refuse it (a random UTF-16 unit rarely would).
      const replacement = fc.oneof(
        fc.constantFrom(...BASE64URL),
        fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
      )
      fc.assert(
        fc.property(fc.nat(signed.length - 1), replacement, (index, char) => {
          fc.pre(char !== signed[index])
          const changed = signed.slice(0, index) + char + signed.slice(index + 1)
          expect(unsignSessionId(changed, [NEW, OLD])).toBeUndefined()
        }),
        { numRuns: 500 },
      )
    })
  })

  it('never throws, and returns either undefined or a well-formed id, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)) }),
          fc
            .tuple(
              fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 32, maxLength: 32 }),
              fc.string(),
            )
            .map(([id, rest]) => `${id}.${rest}`),
        ),
        (value) => {
          const result = unsignSessionId(value, [NEW, OLD])
          if (result !== undefined) expect(result).toMatch(ID_SHAPE)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('round-trips for any well-formed id and any long-enough secret', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 32, maxLength: 32 }),
        fc.string({ minLength: MIN_SECRET_LENGTH, maxLength: 80 }),
        fc.string({ minLength: MIN_SECRET_LENGTH, maxLength: 80 }),
        (id, secret, other) => {
          const signed = signSessionId(id, secret)
          expect(signed).toMatch(SIGNED_SHAPE)
          expect(unsignSessionId(signed, [other, secret])).toBe(id)
          if (other !== secret) expect(unsignSessionId(signed, [other])).toBeUndefined()
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('assertSecrets', () => {
  it('accepts one or more strings of at least MIN_SECRET_LENGTH (32) characters', () => {
    expect(MIN_SECRET_LENGTH).toBe(32)
    expect(() => assertSecrets(['x'.repeat(32)])).not.toThrow()
    expect(() => assertSecrets([NEW, OLD])).not.toThrow()
  })

  const rejected: [string, unknown][] = [
    ['an empty list', []],
    ['a secret one character short', ['x'.repeat(31)]],
    ['an empty secret', ['']],
    ['a short secret after a good one', [NEW, 'short']],
    ['a number', [NEW, 1e40]],
    ['a bigint', [10n ** 40n]],
    ['undefined in the list', [undefined]],
    ['null in the list', [null]],
    ['an object in the list', [{ length: 64 }]],
    ['a Buffer', [Buffer.alloc(64)]],
    ['a string instead of a list', NEW],
    ['undefined instead of a list', undefined],
    ['null instead of a list', null],
  ]
  for (const [name, secrets] of rejected) {
    it(`rejects ${name} with SessionConfigError`, () => {
      expect(() => assertSecrets(secrets as string[])).toThrow(SessionConfigError)
    })
  }

  it('is applied by dynamoSession() when the middleware is built, not per request', () => {
    expect(() => dynamoSession({ secrets: [] })).toThrow(SessionConfigError)
    expect(() => dynamoSession({ secrets: ['too short'] })).toThrow(SessionConfigError)
    expect(() => dynamoSession({ secrets: [NEW] })).not.toThrow()
  })

  it('the error message names no secret', () => {
    const secret = 'hunter2-is-not-long-enough'
    const namesNone = (...secrets: string[]) =>
      expect.objectContaining({
        name: 'SessionConfigError',
        message: expect.not.stringMatching(new RegExp(secrets.join('|'))),
      })
    expect(() => assertSecrets([secret])).toThrow(namesNone(secret))
    // Nor the good secret beside a bad one in a rotation list.
    expect(() => assertSecrets([NEW, secret])).toThrow(namesNone(NEW, secret))
  })
})

describe('signed cookies through the middleware', () => {
  type Counter = { count: number }
  const counter: TestHandler<Counter> = async (_event, context) => {
    const count = ((await context.session.get('count')) ?? 0) + 1
    await context.session.set('count', count)
    return { statusCode: 200, body: JSON.stringify({ count }) }
  }
  const count = (response: { body?: string }) => JSON.parse(response.body ?? '{}').count as number
  const rawClient = localClient()
  afterAll(() => rawClient.destroy())

  async function storedItem(tableName: string, id: string) {
    const result = await rawClient.send(
      new GetItemCommand({
        TableName: tableName,
        Key: sessionKey(DEFAULT_STORE_PROPS, id),
        ConsistentRead: true,
      }),
    )
    return result.Item
  }

  it('sets `<id>.<sig>`, stores the bare id, and a request with the signed cookie sees its session', async () => {
    const app = await testApp(counter, { secrets: [NEW] })
    const jar = new CookieJar()
    const first = await app.request()
    jar.store(first.setCookies)
    const value = jar.value ?? ''
    expect(value).toMatch(SIGNED_SHAPE)
    const { id } = split(value)
    expect(value).toBe(signSessionId(id, NEW))
    // The signature lives in the cookie only: the item's key is the id.
    expect((await storedItem(app.tableName, id))?.session_id?.S).toBe(`SESSIONS::TOWER::${id}`)

    app.calls.length = 0
    const second = await app.request(jar.header())
    expect(count(second.response)).toBe(2)
    expect(app.calls).toEqual(['GetItem', 'UpdateItem'])
    expect(second.setCookies[0]?.value).toBe(value)
  })

  it('does not accept the bare id: a fresh session, and no GetItem at all', async () => {
    const app = await testApp(counter, { secrets: [NEW] })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    const { id } = split(jar.value ?? '')
    app.calls.length = 0
    const { response, setCookies } = await app.request(`id=${id}`)
    expect(count(response)).toBe(1)
    expect(app.calls).toEqual(['PutItem'])
    expect(split(setCookies[0]?.value ?? '').id).not.toBe(id)
    // The real session is untouched.
    expect(count((await app.request(jar.header())).response)).toBe(2)
  })

  it('does not accept a forged or foreign signature, without any GetItem', async () => {
    const app = await testApp(counter, { secrets: [NEW] })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    const { id, signature } = split(jar.value ?? '')
    for (const forged of [
      signSessionId(id, OTHER),
      `${id}.${signature.slice(0, -2)}AA`,
      `${generateSessionId()}.${signature}`,
      `${id}.${signature}.${signature}`,
    ]) {
      app.calls.length = 0
      const { response } = await app.request(`id=${forged}`)
      expect(count(response)).toBe(1)
      expect(app.calls).toEqual(['PutItem'])
    }
  })

  it('of several id cookies, the first correctly signed one wins', async () => {
    const app = await testApp(counter, { secrets: [NEW] })
    const jar = new CookieJar()
    jar.store((await app.request()).setCookies)
    const { id } = split(jar.value ?? '')
    app.calls.length = 0
    const { response } = await app.request(`id=${id}; id=${signSessionId(id, OTHER)}; ${jar.header()}`)
    expect(count(response)).toBe(2)
    expect(app.calls).toEqual(['GetItem', 'UpdateItem']) // one read: the forgeries cost nothing
  })

  it('rotation: after [new, old] an old cookie still works and the next write re-signs it with the new secret; once old is dropped it stops working', async () => {
    const before = await testApp(counter, { secrets: [OLD] })
    const jar = new CookieJar()
    jar.store((await before.request()).setCookies)
    const oldCookie = jar.value ?? ''
    const { id } = split(oldCookie)
    expect(oldCookie).toBe(signSessionId(id, OLD))

    // Deploy [new, old] against the same table.
    const rotated = await testApp(counter, { secrets: [NEW, OLD], store: { tableName: before.tableName } })
    rotated.calls.length = 0
    const second = await rotated.request(`id=${oldCookie}`)
    expect(count(second.response)).toBe(2)
    expect(rotated.calls).toEqual(['GetItem', 'UpdateItem'])
    expect(second.setCookies[0]?.value).toBe(signSessionId(id, NEW)) // re-signed, same id
    jar.store(second.setCookies)
    expect(count((await rotated.request(jar.header())).response)).toBe(3)
    // The old cookie, replayed, still verifies while OLD is listed.
    expect(count((await rotated.request(`id=${oldCookie}`)).response)).toBe(4)

    // Drop the old secret.
    const after = await testApp(counter, { secrets: [NEW], store: { tableName: before.tableName } })
    after.calls.length = 0
    const stale = await after.request(`id=${oldCookie}`)
    expect(count(stale.response)).toBe(1)
    expect(after.calls).toEqual(['PutItem']) // not even read
    expect(count((await after.request(jar.header())).response)).toBe(5) // the re-signed cookie lives on
  })

  it('an unsigned deployment does not accept a signed value (the shape check fails), and vice versa', async () => {
    const signedApp = await testApp(counter, { secrets: [NEW] })
    const jar = new CookieJar()
    jar.store((await signedApp.request()).setCookies)
    const unsignedApp = await testApp(counter, { store: { tableName: signedApp.tableName } })
    unsignedApp.calls.length = 0
    expect(count((await unsignedApp.request(jar.header())).response)).toBe(1)
    expect(unsignedApp.calls).toEqual(['PutItem'])
  })
})
