/**
 * What holds on a global table in multi-Region eventual consistency (MREC), promise by promise, measured:
 * two Regions, each a DynamoDB Local of its own, replicated as MREC does (bench/lib/replicator.ts:
 * asynchronously after a lag, the whole item, the later write winning), each with a Lambda of this
 * library. Every scenario runs `TRIALS` sessions at once, three ways: both requests in one Region (the
 * promise as proved elsewhere), one request per Region, and one per Region with home Regions
 * (`homeRegions()`). Never asserts: it counts.
 *
 * `npm run bench:mrec` (starts its own two DynamoDB Local; about a minute).
 */
import { startDynamoDBLocal } from '../scripts/dynamodb-local.ts'
import { CookieJar } from '../src/testing/index.ts'
import { type MrecSimulation, type SimLambda, startMrec } from './lib/mrec-sim.ts'
import { markdownTable, median } from './lib/stats.ts'

const TRIALS = 20
const LAG_MS = 500
/** A round trip between two Regions (eu-west-1 and us-east-1 are about 70 ms apart). */
const RTT_MS = 70

type Mode = 'one Region' | 'two Regions' | 'two Regions, home Regions'

/** One scenario: what it does to `TRIALS` sessions, and how many of them broke the promise. */
interface Scenario {
  readonly promise: string
  run(sim: MrecSimulation, second: SimLambda, ids: string[]): Promise<number>
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** How many of the sessions `ids` a reader finds in either Region. */
async function countAlive(sim: MrecSimulation, ids: readonly string[]): Promise<number> {
  let alive = 0
  for (const id of ids) if ((await sim.read('a', id)) || (await sim.read('b', id))) alive++
  return alive
}

const SCENARIOS: readonly Scenario[] = [
  {
    promise:
      'two requests changing the same key at once: one gets 409 (broken: both answered 200, one change lost)',
    async run(sim, second, ids) {
      const statuses = await Promise.all(
        ids.map((id) =>
          Promise.all([sim.a.request(id, '/set/k/first'), second.request(id, '/set/k/second')]),
        ),
      )
      return statuses.filter(([x, y]) => x === 200 && y === 200).length
    },
  },
  {
    promise: 'two requests changing different keys at once: both kept (broken: one answered 200 and lost)',
    async run(sim, second, ids) {
      const statuses = await Promise.all(
        ids.map((id) => Promise.all([sim.a.request(id, '/set/x/1'), second.request(id, '/set/y/1')])),
      )
      await sim.replicator.settled()
      let lost = 0
      for (const [i, id] of ids.entries()) {
        const [x, y] = statuses[i] as [number, number]
        for (const region of ['a', 'b'] as const) {
          const data = await sim.read(region, id)
          if ((x === 200 && data?.x !== '1') || (y === 200 && data?.y !== '1')) {
            lost++
            break
          }
        }
      }
      return lost
    },
  },
  {
    promise: 'a logout stays final, against a write sent just after it (broken: the session is back)',
    async run(sim, second, ids) {
      await Promise.all(
        ids.map(async (id) => {
          await sim.a.request(id, '/logout')
          await second.request(id, '/set/k/after')
        }),
      )
      await sim.replicator.settled()
      return countAlive(sim, ids)
    },
  },
  {
    promise: 'a logout stays final, against a write sent after the lag (broken: the session is back)',
    async run(sim, second, ids) {
      await Promise.all(ids.map((id) => sim.a.request(id, '/logout')))
      await sim.replicator.settled()
      await Promise.all(ids.map((id) => second.request(id, '/set/k/after')))
      await sim.replicator.settled()
      return countAlive(sim, ids)
    },
  },
  {
    promise:
      'a session created in one Region is found by its next request, sent just after (broken: that request started a new one)',
    async run(sim, second, ids) {
      let lost = 0
      await Promise.all(
        ids.map(async () => {
          const jar = new CookieJar()
          await sim.a.request(jar, '/set/k/start')
          const id = jar.value as string
          await second.request(jar, '/set/k2/1')
          if (jar.value !== id) lost++
        }),
      )
      return lost
    },
  },
  {
    promise:
      'a write is seen by the next request, sent just after it (broken: that request read the old value)',
    async run(sim, second, ids) {
      let stale = 0
      await Promise.all(
        ids.map(async (id) => {
          await sim.a.request(id, '/set/k/new')
          // The next request, in the second Region, reads; the session's data there tells what it saw.
          await second.request(id, '/get/k')
          if ((await sim.read(second.region as 'a' | 'b', id))?.k !== 'new') stale++
        }),
      )
      return stale
    },
  },
]

/** Runs every scenario in `mode` and returns its counts, with the cross-Region calls made. */
async function runMode(
  endpoints: [string, string],
  mode: Mode,
): Promise<{ broken: number[]; crossCalls: number }> {
  const sim = await startMrec({ endpoints, lagMs: LAG_MS, homes: mode === 'two Regions, home Regions' })
  const second = mode === 'one Region' ? sim.a : sim.b
  const broken: number[] = []
  try {
    for (const scenario of SCENARIOS) {
      const ids: string[] = []
      for (let i = 0; i < TRIALS; i++) {
        const jar = new CookieJar()
        await sim.a.request(jar, '/set/k/start')
        ids.push(jar.value as string)
      }
      await sim.replicator.settled()
      broken.push(await scenario.run(sim, second, ids))
      await sim.replicator.settled()
      await pause(10)
    }
    return { broken, crossCalls: sim.b.crossRegionCalls() }
  } finally {
    await sim.close()
  }
}

/**
 * The cost of home Regions: the median time of a request in Region b that writes a session homed in a
 * (created there), without and with home Regions, with {@link RTT_MS} between the Regions.
 */
async function writeLatency(endpoints: [string, string], homes: boolean): Promise<number> {
  const sim = await startMrec({ endpoints, lagMs: LAG_MS, homes, crossRegionRttMs: RTT_MS })
  try {
    const jar = new CookieJar()
    await sim.a.request(jar, '/set/k/0')
    await sim.replicator.settled()
    const times: number[] = []
    for (let i = 1; i <= TRIALS; i++) {
      const started = performance.now()
      await sim.b.request(jar, `/set/k/${i}`)
      times.push(performance.now() - started)
    }
    return median(times)
  } finally {
    await sim.close()
  }
}

/** Runs the study on two DynamoDB Local endpoints and returns it as Markdown. */
export async function mrecStudy(endpoints: [string, string]): Promise<string> {
  const modes: Mode[] = ['one Region', 'two Regions', 'two Regions, home Regions']
  const results = new Map<Mode, { broken: number[]; crossCalls: number }>()
  for (const mode of modes) results.set(mode, await runMode(endpoints, mode))
  const rows = SCENARIOS.map((scenario, i) => [
    scenario.promise,
    ...modes.map((mode) => `${results.get(mode)?.broken[i]} of ${TRIALS}`),
  ])
  const homes = results.get('two Regions, home Regions')
  const [local, remote] = [await writeLatency(endpoints, false), await writeLatency(endpoints, true)]
  return [
    `Replication lag ${LAG_MS} ms; ${TRIALS} sessions per scenario, each created in Region a; the second request of each`,
    "pair in Region b (in a for 'one Region'). Counts are sessions whose promise broke.",
    '',
    markdownTable(['promise', ...modes], rows),
    '',
    `With home Regions, Region b's Lambda sent ${homes?.crossCalls} calls to Region a over the run: each write of a`,
    'session homed in a is one cross-Region round trip; reads stay in b, but for a cookie whose session b does not',
    'have yet (created in a a moment before), read in a.',
    '',
    `A request in Region b writing a session homed in a, with ${RTT_MS} ms between the Regions: median`,
    `${local.toFixed(1)} ms without home Regions, ${remote.toFixed(1)} ms with them (${TRIALS} requests each).`,
  ].join('\n')
}

if (import.meta.main) {
  const [first, second] = [await startDynamoDBLocal(), await startDynamoDBLocal()]
  try {
    console.log(await mrecStudy([first.endpoint, second.endpoint]))
  } finally {
    await Promise.all([first.stop(), second.stop()])
  }
}
