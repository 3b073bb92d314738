/**
 * A small run of `scripts/load-test.ts` (the counter on the dev server, over real HTTP on loopback)
 * against the suite's DynamoDB Local: correctness under concurrency, never timings.
 */
import { randomUUID } from 'node:crypto'
import { ScanCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  assertLoopbackUrl,
  formatLoadTestResult,
  type LoadTestResult,
  runLoadTest,
} from '../../scripts/load-test.ts'
import { dynamoEndpoint, localClient } from '../support/dynamo.ts'

const tableName = `load-${randomUUID()}`
const client = localClient()

beforeAll(() => {
  // The dev server uses this DynamoDB Local (no embedded one) and creates this table from the template.
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamoEndpoint())
  vi.stubEnv('TABLE_NAME', tableName)
  vi.stubEnv('AWS_REGION', 'us-east-1')
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local')
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local')
  vi.stubEnv('AWS_PROFILE', undefined)
})
afterAll(() => {
  vi.unstubAllEnvs()
  client.destroy()
})

describe('runLoadTest: 20 clients × 5 requests through the dev server', () => {
  let result: LoadTestResult

  beforeAll(async () => {
    result = await runLoadTest({ clients: 20, requestsPerClient: 5, deadlineMs: 60_000 })
  }, 90_000)

  it('sends every request and gets no error, 5xx or otherwise', () => {
    expect(result.sent, formatLoadTestResult(result)).toBe(100)
    expect(result.ok).toBe(100)
    expect(result.errors).toEqual({})
    expect(result.checks.noServerErrors).toBe(true)
    expect(result.checks.noFailedRequests).toBe(true)
    expect(result.checks.completed).toBe(true)
  })

  it('loses no increment and keeps every client in its own session', () => {
    expect(result.checks.noLostIncrements, result.failures.join('\n')).toBe(true)
    expect(result.checks.isolation, result.failures.join('\n')).toBe(true)
    expect(result.failures).toEqual([])
    expect(result.passed).toBe(true)
  })

  it('leaves exactly one session per client in the table (plus the warm-up one), each counted to 5', async () => {
    const items =
      (await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? []
    const counts = items.map((item) => Number(item.data?.M?.count?.N)).sort((a, b) => a - b)
    expect(counts).toEqual([1, ...Array.from({ length: 20 }, () => 5)])
  })

  it('reports figures that add up', () => {
    expect(result.planned).toBe(100)
    expect(result.latencyMs.p50).toBeLessThanOrEqual(result.latencyMs.p99)
    expect(result.latencyMs.p99).toBeLessThanOrEqual(result.latencyMs.max)
    expect(result.throughputPerSecond).toBeGreaterThan(0)
    expect(formatLoadTestResult(result)).toContain('PASS')
  })
})

describe('runLoadTest refuses', () => {
  it.each([
    'http://example.com',
    'https://127.0.0.1:3000',
    'http://10.0.0.1:3000',
    'http://127.0.0.1.nip.io',
    'http://0.0.0.0:3000',
    'not a url',
  ])('a non-loopback or non-http target: %s', async (baseUrl) => {
    expect(() => assertLoopbackUrl(baseUrl)).toThrow()
    await expect(runLoadTest({ clients: 1, requestsPerClient: 1, baseUrl })).rejects.toThrow()
  })

  it.each([
    [0, 1],
    [1, 0],
    [1.5, 1],
    [100_000, 1],
    [1, 100_000],
  ])('unbounded or invalid sizes: %d clients × %d requests', async (clients, requestsPerClient) => {
    await expect(runLoadTest({ clients, requestsPerClient, baseUrl: 'http://127.0.0.1:9' })).rejects.toThrow(
      RangeError,
    )
  })
})
