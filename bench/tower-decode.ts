/**
 * How long `decodeTowerRecord` takes on a large valid record and on hostile ones that declare 4 GiB or
 * 4 billion items in a few bytes (the unit tests check that those are refused, and with how many reads;
 * the time is a figure here, never asserted). In process, no DynamoDB.
 *
 * Runs alone (`node bench/tower-decode.ts`) or from `bench/run.ts`.
 */
import { decodeTowerRecord, encodeTowerRecord } from '../src/tower-sessions/index.ts'
import { kb, markdownTable, num, percentile } from './lib/stats.ts'

const RUNS = 30
/** A 16-byte id as bin 8 (the Rust crate's `Id(42)`). */
const ID42 = `c410${'00'.repeat(15)}2a`

function largeRecord(): Uint8Array {
  const data = { items: Array.from({ length: 50_000 }, (_, i) => ({ i, s: `item ${i}` })) }
  return encodeTowerRecord({ id: 'KgAAAAAAAAAAAAAAAAAAAA', data, expiresAt: 0 })
}

/** A record of `count` keys of `true`, as another service could write it (header and entries by hand). */
function manyKeys(count: number): Uint8Array {
  const empty = encodeTowerRecord({ id: 'KgAAAAAAAAAAAAAAAAAAAA', data: {}, expiresAt: 0 })
  const header =
    count < 16 ? Buffer.from([0x80 | count]) : Buffer.from(`de${count.toString(16).padStart(4, '0')}`, 'hex')
  const entries = Array.from({ length: count }, (_, i) =>
    Buffer.concat([Buffer.from([0xa6]), Buffer.from(`k${String(i).padStart(5, '0')}`), Buffer.from([0xc3])]),
  )
  return Buffer.concat([empty.subarray(0, 19), header, ...entries, empty.subarray(20)])
}

const inputs: [string, Uint8Array][] = [
  ['a valid record of 50,000 small maps', largeRecord()],
  ['a record of 8,192 keys (MAX_SESSION_KEYS)', manyKeys(8192)],
  ['a record of 57,000 keys (another service wrote it)', manyKeys(57_000)],
  ['a string declared 4 GiB long', Buffer.from(`93${ID42}81a176dbffffffff`, 'hex')],
  [
    'an array declared 4 billion items long, 1,000 nils given',
    Buffer.from(`93${ID42}81a176ddffffffff${'c0'.repeat(1000)}`, 'hex'),
  ],
  ['a record map declared 4 billion fields long', Buffer.from('dfffffffff', 'hex')],
]

/** The Markdown table of decode times (milliseconds, after one warm-up decode each). */
export function towerDecodeStudy(): string {
  const rows = inputs.map(([name, bytes]) => {
    const decode = () => {
      try {
        decodeTowerRecord(bytes)
        return 'decoded'
      } catch (error) {
        return `refused (${(error as Error).message.replace(/^not a tower-sessions record: /, '')})`
      }
    }
    const outcome = decode()
    const times: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now()
      decode()
      times.push(performance.now() - started)
    }
    const size = bytes.length < 10_240 ? `${bytes.length} B` : kb(bytes.length)
    return [name, size, outcome, num(percentile(times, 50), 3), num(percentile(times, 99), 3)]
  })
  const table = markdownTable(['input', 'size', 'outcome', 'p50 ms', 'p99 ms'], rows)
  return `${table}\n\n${RUNS} decodes per input after one warm-up, in process.`
}

if (import.meta.main) {
  console.log('## tower-sessions records: decode time\n')
  console.log(towerDecodeStudy())
}
