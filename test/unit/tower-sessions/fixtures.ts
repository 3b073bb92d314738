/**
 * The committed interop fixtures (test/interop/fixtures, written by scripts/tower-vectors.sh), and two
 * views of JSON data to compare the Rust and JavaScript sides:
 * - `exact`: each number as an integer (its exact decimal) or a float, as a `serde_json::Value` holds it;
 * - `approx`: each number as the double JavaScript holds.
 * Objects become key-sorted entry lists, so that key order and `__proto__` keys compare plainly.
 */
import { readFileSync } from 'node:fs'
import type { JsonValue } from '../../../src/data.ts'
import type { CraftedBlob, EncodedCase, RustVector } from '../../interop/ts-encode.ts'

export type { CraftedBlob, EncodedCase, RustVector }

/** One line of the Rust program's `decode` output. */
export interface RustDecoded {
  name: string
  ok: boolean
  error?: string
  id?: string
  id_cookie?: string
  id_matches_cookie?: boolean
  data_json?: string
  expiry_parts?: number[]
  expire_at?: number
}

const dir = new URL('../../interop/fixtures/', import.meta.url)
const load = <T>(file: string): T => JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as T

export const rustVectors = load<RustVector[]>('rust-vectors.json')
export const tsEncoded = load<EncodedCase[]>('ts-encoded.json')
export const rustDecoded = load<RustDecoded[]>('rust-decoded.json')
export const craftedBlobs = load<CraftedBlob[]>('crafted-blobs.json')
export const rustCrafted = load<RustDecoded[]>('rust-crafted-decoded.json')

export type View =
  | null
  | boolean
  | string
  | { int: string }
  | { float: string }
  | { num: string }
  | View[]
  | { entries: [string, View][] }

const numberText = (n: number): string => (Object.is(n, -0) ? '-0' : String(n))

/** A number as serde_json wrote it. */
class Num {
  readonly source: string
  constructor(source: string) {
    this.source = source
  }
}

function view(value: unknown, number: (n: number | Num) => View): View {
  if (typeof value === 'number' || value instanceof Num) return number(value)
  if (Array.isArray(value)) return value.map((item) => view(item, number))
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, child]) => child !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return { entries: entries.map(([key, child]) => [key, view(child, number)]) }
  }
  return value as View
}

/** What this encoder writes for a JavaScript number: an integer within i64/u64, else a float. */
function exactNumber(n: number | Num): View {
  if (n instanceof Num) {
    return /[.eE]/.test(n.source)
      ? { float: numberText(Number(n.source)) }
      : { int: BigInt(n.source).toString() }
  }
  return Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 64
    ? { int: BigInt(n).toString() }
    : { float: numberText(n) }
}

const approxNumber = (n: number | Num): View => ({ num: numberText(n instanceof Num ? Number(n.source) : n) })

/** Parses JSON text keeping each number's source text (serde_json writes `2.0` for a float, `2` for an integer). */
function parseWithSources(text: string): unknown {
  return JSON.parse(text, (_key, value, context?: { source?: string }) =>
    typeof value === 'number' ? new Num(context?.source ?? String(value)) : value,
  )
}

/** The exact view of JSON text that serde_json wrote. */
export const exactFromRustJson = (text: string): View => view(parseWithSources(text), exactNumber)
/** The exact view of a JavaScript value: what the Rust side reads after this encoder wrote it. */
export const exactFromJs = (value: JsonValue | undefined): View => view(value, exactNumber)
/** The JavaScript view of JSON text that serde_json wrote: each number as the nearest double. */
export const approxFromRustJson = (text: string): View => view(parseWithSources(text), approxNumber)
/** The JavaScript view of a JavaScript value. */
export const approxFromJs = (value: JsonValue | undefined): View => view(value, approxNumber)

/** Top-level entries of serde_json's text, each in the exact view. */
export function exactEntries(text: string): Map<string, View> {
  const root = exactFromRustJson(text) as { entries: [string, View][] }
  return new Map(root.entries)
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
/** A fixture name without its 3-digit number. */
export const bareName = (name: string): string => name.replace(/^\d{3} /, '')
