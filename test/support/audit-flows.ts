/**
 * Audit events (issue 20; the Cheat Sheet's logging) as a browser's requests raise them, through the real
 * middleware: each fires once, in order, with a keyed hash of the id and never the id, the user where
 * bound, and the front door's request id. One suite, run on each store (DynamoDB Local and the
 * MemoryStore); the option's checks and a throwing hook are test/unit/audit.test.ts's.
 */
import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { dynamoSession, type SessionEvent, type SessionStore } from '../../src/index.ts'
import { testClock } from '../../src/testing/index.ts'
import { browserFor } from './browser.ts'
import { sessionStep } from './session-verbs.ts'

type Data = { n?: number }
const KEY = 'k'.repeat(32)

/** A store with the users' feature, on the clock `now` (epoch ms), fresh for one test. */
export type AuditStoreFactory = (now: () => number) => Promise<SessionStore>

async function setup(makeStore: AuditStoreFactory) {
  const clock = testClock()
  const store = await makeStore(clock.now)
  const events: SessionEvent[] = []
  const hold = Promise.withResolvers<void>()
  const errors: unknown[] = []
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(
      dynamoSession<Data>({
        store,
        now: clock.now,
        logger: { warn: () => undefined, error: (...args) => errors.push(args) },
        audit: {
          onEvent: (event) => {
            events.push(event)
          },
          key: KEY,
        },
      }),
    )
    .handler(async (event, context) => {
      await sessionStep(context.session, event.rawPath, { until: hold.promise })
      return { statusCode: 200, body: 'ok' }
    })
  const browser = () => browserFor(handler, clock.now)
  const take = () =>
    events.splice(0).map(({ requestId, idHash, ...rest }) => ({ ...rest, hashed: idHash !== undefined }))
  return { clock, store, events, errors, browser, take, release: () => hold.resolve() }
}

/** Registers the audit suite for one store. */
export function auditFlows(name: string, makeStore: AuditStoreFactory): void {
  describe(`audit events, ${name}`, () => {
    it('each fires once, in order, for every step of a session', async () => {
      const { clock, events, browser, take } = await setup(makeStore)
      const ada = browser()
      await ada.send('/read') // a new visitor who stores nothing: no event
      expect(take()).toEqual([])
      await ada.send('/write')
      expect(take()).toEqual([{ type: 'created', hashed: true }])
      await ada.send('/write')
      expect(take()).toEqual([
        { type: 'loaded', hashed: true },
        { type: 'saved', hashed: true },
      ])
      clock.advance({ hours: 2 }) // past the touch window
      await ada.send('/read')
      expect(take()).toEqual([
        { type: 'loaded', hashed: true },
        { type: 'touched', hashed: true },
      ])
      await ada.send('/login/ada')
      expect(take()).toEqual([
        { type: 'loaded', hashed: true },
        { type: 'regenerated', hashed: true, userId: 'ada' },
        { type: 'bound', hashed: true, userId: 'ada' },
      ])
      const phone = browser()
      await phone.send('/login/ada')
      take()
      await ada.send('/end-all')
      expect(take()).toEqual([
        { type: 'loaded', hashed: true, userId: 'ada' },
        { type: 'ended', userId: 'ada', count: 1, hashed: false },
      ])
      await ada.send('/logout')
      expect(take()).toEqual([{ type: 'destroyed', hashed: true }])
      expect(events).toEqual([])
    })

    it('tells a conflict, with its reason', async () => {
      const { browser, take, release } = await setup(makeStore)
      const ada = browser()
      await ada.send('/write')
      take()
      const held = ada.send('/held')
      while (take().length === 0) await new Promise((resolve) => setImmediate(resolve)) // its load
      await ada.send('/write')
      expect(take()).toEqual([
        { type: 'loaded', hashed: true },
        { type: 'saved', hashed: true },
      ])
      release()
      await expect(held).rejects.toThrow(/same session key/)
      expect(take()).toEqual([{ type: 'conflict', reason: 'key', hashed: true }])
    })

    it('tells an unknown id and a refused cross-site request', async () => {
      const { browser, take } = await setup(makeStore)
      const forged = browser()
      await forged.send('/read', { cookie: `id=${'F'.repeat(32)}` })
      expect(take()).toEqual([{ type: 'unknown-id', hashed: true }])
      await forged.send('/read', { cookie: 'id=<script>' }) // not an id at all: never looked up
      expect(take()).toEqual([{ type: 'unknown-id', reason: 'malformed', hashed: false }])
      await forged.send('/read', { cookie: 'theme=dark' }) // no session cookie: nothing to tell
      expect(take()).toEqual([])
      await forged.send('/write', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } })
      expect(take()).toEqual([
        { type: 'cross-site-refused', reason: 'Sec-Fetch-Site: cross-site', hashed: false },
      ])
    })

    it('never carries a raw id, hashes one id the same way under one key, and carries the request id', async () => {
      const { browser, events, store } = await setup(makeStore)
      const ada = browser()
      await ada.send('/write')
      const id = ada.jar.value as string
      expect((await store.load(id))?.id).toBe(id)
      await ada.send('/write')
      await ada.send('/logout')
      const text = JSON.stringify(events)
      expect(events.length).toBe(4)
      for (const event of events) {
        expect(event.requestId).toBe('UQ2LKhXJjoEEMqA=')
        expect(event.idHash).toMatch(/^[A-Za-z0-9_-]{22}$/)
      }
      expect(new Set(events.map((e) => e.idHash)).size).toBe(1)
      expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/)
      expect(text).not.toContain(id)
      expect(text).not.toContain(id.slice(0, 12))
    })
  })
}
