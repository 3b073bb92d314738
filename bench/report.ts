/** Turns the mix's figures into the one table the bench prints, and checks the targets. */
import type { Contender } from './contenders/types.ts'
import { addTally, callCount, emptyTally, isWrite, type Tally } from './lib/instrument.ts'
import { markdownTable, num, percentile, ratio } from './lib/stats.ts'
import { type ContenderStats, KIND_LABELS, REQUESTS_PER_CLIENT, type RequestKind } from './mix.ts'

const SHORT_NAMES: Record<string, string> = {
  DescribeTable: 'Describe',
  GetItem: 'Get',
  PutItem: 'Put',
  UpdateItem: 'Update',
  DeleteItem: 'Delete',
}

/** `Get 1 + Put 1` per `per` requests (averaged), or `none`. */
export function operations(tally: Tally, per = 1): string {
  const order = Object.keys(SHORT_NAMES)
  const rank = (operation: string) => (order.includes(operation) ? order.indexOf(operation) : order.length)
  const parts = [...tally.calls]
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([operation, count]) => `${SHORT_NAMES[operation] ?? operation} ${num(count / per)}`)
  return parts.length === 0 ? 'none' : parts.join(' + ')
}

export interface Figures {
  calls: number
  readUnits: number
  writeUnits: number
  p50: number
  p99: number
}

interface Row {
  request: string
  contender: Contender
  n: string
  figures: Figures
  operations: string
  latency: boolean
}

function figuresOf(tally: Tally, per: number, latencies: number[]): Figures {
  return {
    calls: callCount(tally) / per,
    readUnits: tally.readUnits / per,
    writeUnits: tally.writeUnits / per,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  }
}

export const KIND_ORDER: RequestKind[] = [
  'first',
  'read',
  'touch',
  'write',
  'blindWrite',
  'healthCookie',
  'healthAnonymous',
  'logout',
]

export interface TableInput {
  contenders: Contender[]
  stats: Map<string, ContenderStats>
  /** Keys of the contenders the ratios are against. */
  baselines: { b1: string; b2: string; c: string }
}

/** The one table: per request type and contender, calls, capacity, latency and the ratios. */
export function mixTable({ contenders, stats, baselines }: TableInput): string {
  const groups: Row[][] = []
  for (const kind of KIND_ORDER) {
    groups.push(
      contenders.map((contender) => {
        const kindStats = stats.get(contender.key)?.byKind.get(kind)
        const n = kindStats?.n ?? 0
        const tally = kindStats?.tally ?? emptyTally()
        return {
          request: KIND_LABELS[kind],
          contender,
          n: String(n),
          figures: figuresOf(tally, Math.max(n, 1), kindStats?.latenciesMs ?? []),
          operations: operations(tally, Math.max(n, 1)),
          latency: true,
        }
      }),
    )
  }
  // The whole mix, per client.
  groups.push(
    contenders.map((contender) => {
      const all = emptyTally()
      const latencies: number[] = []
      let n = 0
      for (const kindStats of stats.get(contender.key)?.byKind.values() ?? []) {
        addTally(all, kindStats.tally)
        latencies.push(...kindStats.latenciesMs)
        n += kindStats.n
      }
      const clients = Math.max(1, n / REQUESTS_PER_CLIENT)
      return {
        request: `whole mix, per client (${REQUESTS_PER_CLIENT} requests)`,
        contender,
        n: String(n),
        figures: figuresOf(all, clients, latencies),
        operations: operations(all, clients),
        latency: true,
      }
    }),
  )
  // A fresh instance: calls while the handler is built, then on its first request.
  groups.push(
    contenders.map((contender) => {
      const contenderStats = stats.get(contender.key)
      const init = contenderStats?.init ?? emptyTally()
      const first = contenderStats?.firstRequest ?? emptyTally()
      const both = emptyTally()
      addTally(both, init)
      addTally(both, first)
      return {
        request: 'cold start: init, then 1st request',
        contender,
        n: '1',
        figures: figuresOf(both, 1, []),
        operations: `init: ${operations(init)}; 1st request: ${operations(first)}`,
        latency: false,
      }
    }),
  )

  const header = [
    'request',
    'contender',
    'n',
    'calls/req = by operation',
    'RCU/req',
    'WCU/req',
    'p50 ms',
    'p99 ms',
    'calls vs b1',
    'calls vs b2',
    'CU vs b1',
    'CU vs b2',
    'p50 vs b1',
    'p50 vs b2',
    'p50 over c',
  ]
  const lines: string[][] = []
  for (const group of groups) {
    const base = (key: string) => group.find((row) => row.contender.key === key)?.figures
    const b1 = base(baselines.b1)
    const b2 = base(baselines.b2)
    const c = base(baselines.c)
    const units = (f: Figures | undefined) => (f ? f.readUnits + f.writeUnits : 0)
    for (const row of group) {
      const f = row.figures
      lines.push([
        row.request,
        row.contender.key,
        row.n,
        `${num(f.calls)} = ${row.operations}`,
        num(f.readUnits),
        num(f.writeUnits),
        row.latency ? num(f.p50) : '–',
        row.latency ? num(f.p99) : '–',
        ratio(f.calls, b1?.calls ?? 0),
        ratio(f.calls, b2?.calls ?? 0),
        ratio(units(f), units(b1)),
        ratio(units(f), units(b2)),
        row.latency ? ratio(f.p50, b1?.p50 ?? 0) : '–',
        row.latency ? ratio(f.p50, b2?.p50 ?? 0) : '–',
        row.latency && c ? `${f.p50 - c.p50 >= 0 ? '+' : ''}${num(f.p50 - c.p50)} ms` : '–',
      ])
    }
  }
  const legend = contenders.map((contender) => `- **${contender.key}**: ${contender.label}`).join('\n')
  return `${legend}\n\n${markdownTable(header, lines)}`
}

export interface Target {
  name: string
  pass: boolean
  measured: string
}

function perRequest(stats: ContenderStats, kind: RequestKind) {
  const kindStats = stats.byKind.get(kind)
  const n = Math.max(1, kindStats?.n ?? 0)
  const tally = kindStats?.tally ?? emptyTally()
  let reads = 0
  let writes = 0
  for (const [operation, count] of tally.calls) {
    if (isWrite(operation)) writes += count
    else reads += count
  }
  const gets = tally.calls.get('GetItem') ?? 0
  return { n, tally, calls: callCount(tally) / n, reads: reads / n, writes: writes / n, gets: gets / n }
}

/** The call-count targets, checked on the library's figures (contender `a`). */
export function callTargets(stats: ContenderStats): Target[] {
  const first = perRequest(stats, 'first')
  const read = perRequest(stats, 'read')
  const touch = perRequest(stats, 'touch')
  const write = perRequest(stats, 'write')
  const healthCookie = perRequest(stats, 'healthCookie')
  const healthAnonymous = perRequest(stats, 'healthAnonymous')
  const logout = perRequest(stats, 'logout')
  const maxWindowWrites = Math.max(0, ...stats.windowWrites)
  const initCalls = callCount(stats.init)
  return [
    {
      name: 'a request that never touches the session → 0 calls',
      pass: healthCookie.calls === 0 && healthAnonymous.calls === 0,
      measured: `${num(healthCookie.calls)} with a cookie, ${num(healthAnonymous.calls)} without`,
    },
    {
      name: 'a returning visit that only reads → 1 GetItem, no write (touch not due)',
      pass: read.gets === 1 && read.calls === 1 && read.writes === 0,
      measured: operations(read.tally, read.n),
    },
    {
      name: 'a returning visit that writes → 1 GetItem + 1 write',
      pass: write.gets === 1 && write.writes === 1 && write.calls === 2,
      measured: operations(write.tally, write.n),
    },
    {
      name: 'a first visit that stores data → 1 write, no read',
      pass: first.writes === 1 && first.reads === 0,
      measured: operations(first.tally, first.n),
    },
    {
      name: 'a touch → at most one write per session per throttle window',
      pass: maxWindowWrites <= 1 && touch.writes === 1,
      measured: `touch-due visit: ${operations(touch.tally, touch.n)}; most writes by one session in one window: ${maxWindowWrites}`,
    },
    {
      name: 'logout → 1 DeleteItem, no read',
      pass: logout.calls === 1 && (logout.tally.calls.get('DeleteItem') ?? 0) === logout.n,
      measured: operations(logout.tally, logout.n),
    },
    {
      name: 'no DynamoDB call at init',
      pass: initCalls === 0,
      measured: `${initCalls} calls while the handler was built`,
    },
  ]
}

/**
 * Request and response body bytes per DynamoDB call, by contender and operation, over the whole mix
 * (issue 21's "bytes"): what each call carries over the wire, the write tokens and conditions included.
 */
export function bytesTable({ contenders, stats }: Pick<TableInput, 'contenders' | 'stats'>): string {
  const rows: string[][] = []
  for (const contender of contenders) {
    const contenderStats = stats.get(contender.key)
    if (!contenderStats) continue
    const all = emptyTally()
    for (const kind of contenderStats.byKind.values()) addTally(all, kind.tally)
    for (const [operation, count] of [...all.calls].sort()) {
      const bytes = all.bytes.get(operation)
      if (!bytes || count === 0) continue
      rows.push([
        contender.key,
        operation,
        String(count),
        num(bytes.sent / count, 0),
        num(bytes.received / count, 0),
      ])
    }
  }
  return markdownTable(
    ['contender', 'operation', 'calls', 'bytes sent per call', 'bytes received per call'],
    rows,
  )
}

/** Issue 21's blind-write target, checked on contender `a-bw` (`blindWrites: true`). */
export function blindWriteTarget(stats: ContenderStats): Target {
  const blind = perRequest(stats, 'blindWrite')
  return {
    name: 'a set() of a key the request did not read (blindWrites) → 1 write, no read',
    pass: blind.calls === 1 && blind.writes === 1,
    measured: operations(blind.tally, blind.n),
  }
}

export function targetTable(targets: Target[]): string {
  return markdownTable(
    ['target', 'result', 'measured'],
    targets.map((target) => [target.name, target.pass ? 'PASS' : 'FAIL', target.measured]),
  )
}
