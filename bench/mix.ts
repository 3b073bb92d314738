/**
 * The request mix, the same for every contender: each simulated client (its own cookie jar) makes a
 * first visit that stores a counter, read-only and writing return visits, health checks with and without
 * its cookie, read-only visits after the touch throttle window, and a logout. Contenders take turns
 * client by client so machine noise spreads evenly over them.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { CookieJar } from '../scripts/cookie-jar.ts'
import { httpApiV2Event } from '../test/support/events.ts'
import type { Contender, HttpResult } from './contenders/types.ts'
import { addTally, emptyTally, type Tally, writeCount } from './lib/instrument.ts'

export type RequestKind =
  | 'first'
  | 'read'
  | 'touch'
  | 'write'
  | 'blindWrite'
  | 'healthCookie'
  | 'healthAnonymous'
  | 'logout'

export const KIND_LABELS: Record<RequestKind, string> = {
  first: 'first visit, stores count',
  read: 'return visit, reads only',
  touch: 'return visit, reads, touch due',
  write: 'return visit, writes',
  blindWrite: 'return visit, sets a key unread',
  healthCookie: '/health, session cookie sent',
  healthAnonymous: '/health, no cookie',
  logout: 'logout (destroy)',
}

interface Step {
  kind: RequestKind
  path: string
  method?: string
  /** Sent without the client's cookies (a load balancer's probe). */
  anonymous?: boolean
  /** The `count` the response must carry (harness sanity). */
  expectCount?: number
}

/** Seconds the clock moves before the "touch due" visits: the library's default throttle (1 h) plus 1 s. */
export const TOUCH_ADVANCE_SECONDS = 3601

const BEFORE_ADVANCE: Step[] = [
  { kind: 'first', path: '/api/count', expectCount: 1 },
  { kind: 'read', path: '/api/peek', expectCount: 1 },
  { kind: 'read', path: '/api/peek', expectCount: 1 },
  { kind: 'write', path: '/api/count', expectCount: 2 },
  { kind: 'write', path: '/api/count', expectCount: 3 },
  { kind: 'blindWrite', path: '/api/seen', method: 'POST' },
  { kind: 'healthCookie', path: '/health' },
  { kind: 'healthAnonymous', path: '/health', anonymous: true },
]
/** One throttle window's read-only visits: the first is due a touch, the others are not. */
const WINDOW: Step[] = [
  { kind: 'touch', path: '/api/peek', expectCount: 3 },
  { kind: 'read', path: '/api/peek', expectCount: 3 },
  { kind: 'read', path: '/api/peek', expectCount: 3 },
]
const AFTER_WINDOW: Step[] = [{ kind: 'logout', path: '/logout', method: 'POST', expectCount: 0 }]

/** Requests per client. */
export const REQUESTS_PER_CLIENT = BEFORE_ADVANCE.length + WINDOW.length + AFTER_WINDOW.length

export interface KindStats {
  n: number
  tally: Tally
  latenciesMs: number[]
}

export interface ContenderStats {
  byKind: Map<RequestKind, KindStats>
  /** Writes each session made over one throttle window of read-only visits. */
  windowWrites: number[]
  /** Calls made while the handler was built (module scope, middleware construction). */
  init: Tally
  /** Calls made by the very first request of a fresh instance (a cold container's first visit). */
  firstRequest: Tally
}

export function newStats(): ContenderStats {
  return { byKind: new Map(), windowWrites: [], init: emptyTally(), firstRequest: emptyTally() }
}

async function invoke(
  contender: Contender,
  event: APIGatewayProxyEventV2,
): Promise<{ result: HttpResult; tally: Tally; ms: number }> {
  const tally = emptyTally()
  if (contender.recorder) contender.recorder.current = tally
  const started = performance.now()
  const result = await contender.invoke(event)
  const ms = performance.now() - started
  // Anything a store still sends after the response would land here, not in the next request.
  await new Promise((resolve) => setImmediate(resolve))
  if (contender.recorder) contender.recorder.current = emptyTally()
  return { result, tally, ms }
}

function check(contender: Contender, step: Step, result: HttpResult): void {
  if (result.statusCode !== 200) {
    throw new Error(`${contender.label}: ${step.path} answered ${result.statusCode}: ${result.body}`)
  }
  if (step.expectCount === undefined || contender.recorder === undefined) return
  const count = (JSON.parse(result.body) as { count?: number }).count
  if (count !== step.expectCount) {
    throw new Error(
      `${contender.label}: ${step.kind} ${step.path} gave count ${count}, not ${step.expectCount}`,
    )
  }
}

async function runStep(contender: Contender, jar: CookieJar, step: Step, stats: ContenderStats | undefined) {
  const cookieHeader = step.anonymous ? undefined : jar.header()
  const event = httpApiV2Event({
    path: step.path,
    method: step.method ?? 'GET',
    ...(cookieHeader === undefined ? {} : { cookieHeader }),
  })
  const { result, tally, ms } = await invoke(contender, event)
  check(contender, step, result)
  if (!step.anonymous) jar.store(result.cookies, contender.now())
  if (stats) {
    let kind = stats.byKind.get(step.kind)
    if (!kind) {
      kind = { n: 0, tally: emptyTally(), latenciesMs: [] }
      stats.byKind.set(step.kind, kind)
    }
    kind.n++
    addTally(kind.tally, tally)
    kind.latenciesMs.push(ms)
  }
  return tally
}

/** One client's whole visit history against one contender; `stats` undefined for warm-up clients. */
export async function runClient(contender: Contender, stats: ContenderStats | undefined): Promise<void> {
  const jar = new CookieJar()
  for (const step of BEFORE_ADVANCE) await runStep(contender, jar, step, stats)
  contender.advance?.(TOUCH_ADVANCE_SECONDS)
  let windowWrites = 0
  for (const step of WINDOW) windowWrites += writeCount(await runStep(contender, jar, step, stats))
  stats?.windowWrites.push(windowWrites)
  for (const step of AFTER_WINDOW) await runStep(contender, jar, step, stats)
  if (jar.header() !== undefined) throw new Error(`${contender.label}: the cookie survived the logout`)
}

/** The first request a fresh instance sees: a first visit. */
export async function firstRequest(contender: Contender): Promise<Tally> {
  const { result, tally } = await invoke(contender, httpApiV2Event({ path: '/api/count' }))
  check(contender, { kind: 'first', path: '/api/count', expectCount: 1 }, result)
  return tally
}
