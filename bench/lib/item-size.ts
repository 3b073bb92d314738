/**
 * An item's size as DynamoDB's documented rules count it (names + values; numbers: 1 byte per two
 * significant digits plus 1; lists and maps: 3 bytes plus 1 per element), and the capacity units that
 * follow: a write unit per started KB, a strongly consistent read unit per started 4 KB (half that for an
 * eventually consistent read). Used to cross-check what DynamoDB Local reports.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8')

function numberSize(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/e[-+]?\d+$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '')
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S)
  if (value.N !== undefined) return numberSize(value.N)
  if (value.B !== undefined) return value.B.byteLength
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1
  if (value.L !== undefined) return value.L.reduce((size, child) => size + 1 + valueSize(child), 3)
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (size, [name, child]) => size + 1 + utf8(name) + valueSize(child),
      3,
    )
  }
  if (value.SS !== undefined) return value.SS.reduce((size, s) => size + utf8(s), 0)
  if (value.NS !== undefined) return value.NS.reduce((size, n) => size + numberSize(n), 0)
  if (value.BS !== undefined) return value.BS.reduce((size, b) => size + b.byteLength, 0)
  return 0
}

export function dynamoItemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((size, [name, value]) => size + utf8(name) + valueSize(value), 0)
}

export const writeUnitsFor = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024))
export const strongReadUnitsFor = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096))
