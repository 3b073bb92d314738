/**
 * A DynamoDB endpoint that answers at once with canned replies, in a child process: for measuring the
 * CPU a client spends per request without DynamoDB Local's JVM sharing the machine's cores (its JIT and
 * garbage collection make a difference of a tenth of a millisecond hard to see).
 *
 * Every session it is asked for is the same returning session: `GetItem` answers one item (a counter at
 * 3, a version, one write token, the default 14 days to live); `UpdateItem` answers the attributes an update of that
 * counter sets when `ReturnValues` asks for them; anything else answers `{}`. No condition is evaluated
 * and nothing is stored: it is for timing clients, never for checking them.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { RunningDynamoDBLocal } from '../../scripts/dynamodb-local.ts'

const SERVER = `
const http = require('node:http')
const now = Math.floor(Date.now() / 1000)
const item = JSON.stringify({ Item: {
  session_id: { S: 'canned' },
  data: { M: { count: { N: '3' } } },
  expire_at: { N: String(now + 1209600) },
  version: { N: '7' },
  write_tokens: { M: { C_canned: { N: String(now - 5) } } },
} })
const updated = JSON.stringify({ Attributes: {
  data: { M: { count: { N: '4' } } },
  expire_at: { N: String(now + 1209600) },
  write_tokens: { M: { D_canned: { N: String(now) } } },
  version: { N: '8' },
} })
const server = http.createServer((request, response) => {
  const chunks = []
  request.on('data', (chunk) => chunks.push(chunk))
  request.on('end', () => {
    const target = String(request.headers['x-amz-target'])
    const body = target.endsWith('.GetItem') ? item
      : target.endsWith('.UpdateItem') && Buffer.concat(chunks).includes('"ReturnValues"') ? updated
      : '{}'
    response.writeHead(200, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': 'canned',
    })
    response.end(body)
  })
})
server.keepAliveTimeout = 60000
server.listen(0, '127.0.0.1', () => console.log(server.address().port))
`

/** Starts the canned endpoint; `stop()` ends its process. */
export async function startCannedDynamoDB(): Promise<Omit<RunningDynamoDBLocal, 'port'>> {
  const child: ChildProcess = spawn(process.execPath, ['--eval', SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer]
  const port = Number(line.toString().trim())
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill()
      if (child.exitCode === null) await once(child, 'exit')
    },
  }
}
