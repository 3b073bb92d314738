/**
 * (b) `express-session` + `connect-dynamodb` on Express, under `serverless-http` (the same HTTP API v2
 * events go through it). Two configurations: express-session's defaults (`resave: true`,
 * `saveUninitialized: true`, passed explicitly only to silence its deprecation warnings) and the commonly
 * recommended `rolling: true, resave: false, saveUninitialized: false` (with a 14-day `maxAge`, the
 * library's default window, so "rolling" has an expiry to roll).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import connectDynamoDB from 'connect-dynamodb'
import express from 'express'
import session from 'express-session'
import serverless from 'serverless-http'
import { instrument } from '../lib/instrument.ts'
import { PATHS } from './routes.ts'
import { type Contender, lambdaContext, toHttpResult } from './types.ts'

declare module 'express-session' {
  interface SessionData {
    count: number
    seen: number
  }
}

const DynamoDBStore = connectDynamoDB<{ count?: number }>(session)

export interface ExpressSessionOptions {
  key: string
  label: string
  client: DynamoDBClient
  tableName: string
  /** `true`: `rolling: true, resave: false, saveUninitialized: false`; `false`: the defaults. */
  recommended: boolean
}

export const FOURTEEN_DAYS_MS = 14 * 24 * 3600 * 1000

export function expressSessionContender(options: ExpressSessionOptions): Contender {
  const recorder = instrument(options.client)
  const store = new DynamoDBStore({ client: options.client, table: options.tableName })
  const sessionOptions: session.SessionOptions = options.recommended
    ? {
        secret: 'bench-secret',
        store,
        rolling: true,
        resave: false,
        saveUninitialized: false,
        cookie: { maxAge: FOURTEEN_DAYS_MS },
      }
    : { secret: 'bench-secret', store, resave: true, saveUninitialized: true }
  const app = express()
  app.use(session(sessionOptions))
  app.get(PATHS.count, (req, res) => {
    const count = (req.session.count ?? 0) + 1
    req.session.count = count
    res.json({ count })
  })
  app.get(PATHS.peek, (req, res) => {
    res.json({ count: req.session.count ?? 0 })
  })
  app.post(PATHS.seen, (req, res) => {
    req.session.seen = Date.now()
    res.json({})
  })
  app.get(PATHS.health, (_req, res) => {
    res.type('text/plain').send('ok')
  })
  app.post(PATHS.logout, (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error)
      // express-session leaves the cookie in place on destroy; clearing it is the usual advice.
      res.clearCookie('connect.sid')
      res.json({ count: 0 })
    })
  })
  const handler = serverless(app)
  return {
    key: options.key,
    label: options.label,
    recorder,
    now: Date.now,
    async invoke(event) {
      return toHttpResult(await handler(event, lambdaContext()))
    },
  }
}
