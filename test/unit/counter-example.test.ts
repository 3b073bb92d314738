/**
 * The counter example's pure parts: reading a request (fields of a form or JSON body, the user agent,
 * any front door), escaping, the relative redirect back to the page, and the sign-in section's HTML.
 */
import { describe, expect, it } from 'vitest'
import { escapeHtml } from '../../examples/counter/html.ts'
import { readCounterRequest } from '../../examples/counter/request.ts'
import { backToPage } from '../../examples/counter/responses.ts'
import { signedInSection, signInForm } from '../../examples/counter/signin-page.ts'
import type { UserSessionInfo } from '../../src/index.ts'
import { FRONT_DOORS, httpEvent } from '../../src/testing/index.ts'

describe('readCounterRequest', () => {
  it.each(FRONT_DOORS)('reads method, path, Accept, User-Agent and a form body behind %s', (door) => {
    const event = httpEvent(door, {
      method: 'POST',
      path: '/signin',
      headers: {
        accept: 'text/html',
        'user-agent': 'Test/1.0',
        'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      },
      body: 'name=Ada+L%C3%B6we&x=1',
    })
    expect(readCounterRequest(event)).toEqual({
      method: 'POST',
      path: '/signin',
      acceptsHtml: true,
      userAgent: 'Test/1.0',
      fields: { name: 'Ada Löwe', x: '1' },
    })
  })

  it('decodes a base64 body (HTTP API passes forms so)', () => {
    const event = httpEvent('http-api-v2', {
      method: 'POST',
      path: '/signin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('name=ada').toString('base64'),
      isBase64Encoded: true,
    })
    expect(readCounterRequest(event).fields).toEqual({ name: 'ada' })
  })

  it("keeps a JSON object's string fields only, and reads nothing from other bodies", () => {
    const read = (contentType: string, body: string) =>
      readCounterRequest(
        httpEvent('http-api-v2', {
          method: 'POST',
          path: '/signin',
          headers: { 'content-type': contentType },
          body,
        }),
      ).fields
    expect(read('application/json', '{"name":"ada","age":3,"x":null}')).toEqual({ name: 'ada' })
    expect(read('application/json', '["ada"]')).toEqual({})
    expect(read('application/json', 'null')).toEqual({})
    expect(read('application/json', '{oops')).toEqual({})
    expect(read('text/plain', 'name=ada')).toEqual({})
    // A __proto__ field is an ordinary own field, never the prototype.
    const fields = read('application/json', '{"__proto__":{"polluted":"yes"},"name":"ada"}')
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('takes the first User-Agent of a REST API event (headers and multiValueHeaders both carry it)', () => {
    const event = httpEvent('rest-api-v1', { path: '/', headers: { 'User-Agent': 'One' } })
    expect(readCounterRequest(event).userAgent).toBe('One')
    expect(readCounterRequest({}).userAgent).toBe('')
  })
})

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;',
    )
    expect(escapeHtml('&lt;')).toBe('&amp;lt;')
  })
})

describe('backToPage', () => {
  it.each([
    ['/reset', './'],
    ['/signin', './'],
    ['/sessions/end-others', '../'],
    ['/sessions/AbCdEfGhIjKl/end', '../../'],
  ])('redirects %s to %s with 303 (the page, under any stage prefix)', (path, location) => {
    expect(backToPage(path)).toMatchObject({ statusCode: 303, headers: { location } })
    // Resolved as a browser does, from the path with and without a stage.
    expect(new URL(location, `https://example.com${path}`).pathname).toBe('/')
    expect(new URL(location, `https://example.com/prod${path}`).pathname).toBe('/prod/')
  })
})

describe('the sign-in section', () => {
  const session = (handle: string, current: boolean, ua?: string): UserSessionInfo => ({
    handle,
    createdAt: new Date('2026-11-05T08:00:00Z'),
    lastUsedAt: new Date('2026-11-05T09:30:00Z'),
    expiresAt: new Date('2026-11-19T09:30:00Z'),
    current,
    meta: ua === undefined ? {} : { ua },
  })

  it('is a form posting a name to signin when signed out', () => {
    expect(signInForm()).toMatch(/<form id="signin" method="post" action="signin">[\s\S]*name="name"/)
  })

  it('lists the sessions: UTC times, "this device" for the current one, a sign-out form for each other one', () => {
    const html = signedInSection({
      name: 'ada',
      sessions: [session('other_handle', false, 'Phone'), session('this_handle1', true)],
      more: false,
    })
    expect(html).toContain('Signed in as <strong id="user-name">ada</strong>')
    expect(html).toContain('<time datetime="2026-11-05T08:00:00.000Z">2026-11-05 08:00 UTC</time>')
    expect(html).toContain('<time datetime="2026-11-05T09:30:00.000Z">2026-11-05 09:30 UTC</time>')
    expect(html).toContain('<form method="post" action="sessions/other_handle/end">')
    expect(html).not.toContain('sessions/this_handle1/end')
    expect(html.match(/this device/g)).toHaveLength(1)
    expect(html).toContain('Unknown device')
    expect(html).not.toContain('Only the most recent sessions are shown')
    expect(signedInSection({ name: 'ada', sessions: [], more: true })).toContain(
      'Only the most recent sessions are shown',
    )
  })
})
