/**
 * The reading rules of the Rust side, checked before any value is decoded: which bytes
 * `rmp_serde::from_slice::<Record>` (rmp-serde 1.3, serde_json, time ≥ 0.3.29) accepts. The MessagePack
 * library decodes values leniently (invalid UTF-8 becomes U+FFFD, binary and extension values are data); a
 * record the Rust side cannot read must not load here either, and one it can read must. So this pass walks
 * the bytes once, without building values: it checks each marker where it stands and finds where the id, each
 * data entry and the expiry are. The values themselves are then decoded by the library (`msgpack.ts`).
 *
 * Accepted, as rmp_serde accepts it:
 * - the record as an array of exactly 3, or as a map of field names (`"id"`, `"data"`, `"expiry_date"`, as
 *   strings or binary, or the field indices 0 to 2 as unsigned integers; unknown fields are skipped, a
 *   duplicate or missing field is an error);
 * - the id as bin 8 of 16 bytes (big-endian), or as any integer (rmp-serde 1.3; 1.1 wants bin 8);
 * - the data as a map (any length encoding) whose keys are strings or binary holding valid UTF-8; a
 *   duplicate key keeps its last value;
 * - in values: `nil`, booleans, integers in any width, float 32 or 64, strings of valid UTF-8, arrays, and
 *   maps whose first key is a string and later keys strings or valid-UTF-8 binary (serde_json reads the first
 *   key with a string-only visitor); nesting up to 1023 containers in all;
 * - the expiry as an array of exactly 9 integers, or a binary of at least 9 bytes read as 9 unsigned bytes
 *   (rmp-serde 1.3 hands a binary to a tuple visitor as a sequence of bytes);
 * - bytes after the record (`from_slice` does not look past it).
 *
 * Refused, as rmp_serde refuses it: binary or extension values in the data, non-string keys, invalid UTF-8,
 * truncated input, the reserved marker `c1`, anything deeper than 1023 containers. Also refused here,
 * although `time` parses it when its `parsing` feature is on: an expiry written as a string (no
 * MessagePack writer of `OffsetDateTime` produces one).
 *
 * @module
 */
import { isUtf8 } from 'node:buffer'
import { MAX_SESSION_KEYS } from './value.ts'

/** rmp_serde's deserializer depth: a 1024th nested container is an error. */
const MAX_CONTAINERS = 1023
const TEXT_DECODER_THRESHOLD = 200

/**
 * Where one top-level data entry's value lies, and what decoding it needs.
 *
 * @example
 * ```ts
 * const entry: ScannedEntry = { start: 27, end: 28, careful: false, inexact: false }
 * ```
 */
export interface ScannedEntry {
  /** The value's bytes are `[start, end)` of the scanned buffer. */
  start: number
  end: number
  /**
   * The library alone would not decode it as serde_json does: it holds a `__proto__` key, 64-bit integers,
   * a non-finite float, or a string longer than 200 bytes that begins with U+FEFF.
   */
  careful: boolean
  /**
   * JavaScript cannot hold it exactly: an integer beyond 2^53 that is not a double, or a float with an
   * integral value within the 64-bit integer range (`2.0`, `-0.0`), which would be written back as an integer.
   */
  inexact: boolean
}

/**
 * The parts of a record that {@link scanRecord} found valid.
 *
 * @example
 * ```ts
 * const { id, entries, expiry, end }: ScannedRecord = scanRecord(bytes)
 * ```
 */
export interface ScannedRecord {
  /** `Record.id`, as 16 big-endian bytes. */
  id: Uint8Array
  /** The data entries by key, in first-seen order; a repeated key keeps its last value (as `HashMap` does). */
  entries: Map<string, ScannedEntry>
  /** The 9 integers of `Record.expiry_date`, unchecked against `time`'s ranges. */
  expiry: number[]
  /** The offset after the record; bytes after it are ignored. */
  end: number
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const PROTO = new TextEncoder().encode('__proto__')
const FIELD_NAMES = ['id', 'data', 'expiry_date'].map((name) => new TextEncoder().encode(name))

function refuse(why: string): never {
  throw new TypeError(`not a tower-sessions record: ${why}`)
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

/** One MessagePack item's head: its family and, for strings, binaries, arrays and maps, its length. */
type Head =
  | { kind: 'int'; value: bigint | number; unsigned: boolean }
  | { kind: 'float'; value: number }
  | { kind: 'nil' | 'bool' }
  | { kind: 'str'; start: number; length: number }
  | { kind: 'bin'; start: number; length: number; marker: number }
  | { kind: 'array' | 'map'; length: number }
  | { kind: 'ext'; start: number; length: number }

class Reader {
  pos = 0
  readonly bytes: Uint8Array
  readonly #view: DataView

  constructor(bytes: Uint8Array) {
    this.bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  #take(size: number): number {
    if (this.bytes.length - this.pos < size) refuse('truncated')
    const at = this.pos
    this.pos += size
    return at
  }

  #u8(): number {
    return this.#view.getUint8(this.#take(1))
  }

  #u16(): number {
    return this.#view.getUint16(this.#take(2))
  }

  #u32(): number {
    return this.#view.getUint32(this.#take(4))
  }

  /** A string or extension payload of `length` bytes, skipped but bounds-checked. */
  #payload(kind: 'str' | 'ext', length: number, extType = false): Head {
    if (extType) this.#take(1)
    return { kind, start: this.#take(length), length }
  }

  #bin(marker: number, length: number): Head {
    return { kind: 'bin', start: this.#take(length), length, marker }
  }

  #int(value: bigint | number, unsigned: boolean): Head {
    return { kind: 'int', value, unsigned }
  }

  /** Reads one item's head, and the payload of a scalar, string, binary or extension. */
  head(): Head {
    const marker = this.#u8()
    if (marker <= 0x7f) return this.#int(marker, true)
    if (marker >= 0xe0) return this.#int(marker - 0x100, false)
    if (marker <= 0x8f) return { kind: 'map', length: marker & 0x0f }
    if (marker <= 0x9f) return { kind: 'array', length: marker & 0x0f }
    if (marker <= 0xbf) return this.#payload('str', marker & 0x1f)
    const view = this.#view
    switch (marker) {
      case 0xc0:
        return { kind: 'nil' }
      case 0xc2:
      case 0xc3:
        return { kind: 'bool' }
      case 0xc4:
        return this.#bin(marker, this.#u8())
      case 0xc5:
        return this.#bin(marker, this.#u16())
      case 0xc6:
        return this.#bin(marker, this.#u32())
      case 0xc7:
        return this.#payload('ext', this.#u8(), true)
      case 0xc8:
        return this.#payload('ext', this.#u16(), true)
      case 0xc9:
        return this.#payload('ext', this.#u32(), true)
      case 0xca:
        return { kind: 'float', value: view.getFloat32(this.#take(4)) }
      case 0xcb:
        return { kind: 'float', value: view.getFloat64(this.#take(8)) }
      case 0xcc:
        return this.#int(this.#u8(), true)
      case 0xcd:
        return this.#int(this.#u16(), true)
      case 0xce:
        return this.#int(this.#u32(), true)
      case 0xcf:
        return this.#int(view.getBigUint64(this.#take(8)), true)
      case 0xd0:
        return this.#int(view.getInt8(this.#take(1)), false)
      case 0xd1:
        return this.#int(view.getInt16(this.#take(2)), false)
      case 0xd2:
        return this.#int(view.getInt32(this.#take(4)), false)
      case 0xd3:
        return this.#int(view.getBigInt64(this.#take(8)), false)
      case 0xd4:
        return this.#payload('ext', 1, true)
      case 0xd5:
        return this.#payload('ext', 2, true)
      case 0xd6:
        return this.#payload('ext', 4, true)
      case 0xd7:
        return this.#payload('ext', 8, true)
      case 0xd8:
        return this.#payload('ext', 16, true)
      case 0xd9:
        return this.#payload('str', this.#u8())
      case 0xda:
        return this.#payload('str', this.#u16())
      case 0xdb:
        return this.#payload('str', this.#u32())
      case 0xdc:
        return { kind: 'array', length: this.#u16() }
      case 0xdd:
        return { kind: 'array', length: this.#u32() }
      case 0xde:
        return { kind: 'map', length: this.#u16() }
      case 0xdf:
        return { kind: 'map', length: this.#u32() }
      default:
        return refuse('reserved marker') // 0xc1
    }
  }

  slice(head: { start: number; length: number }): Uint8Array {
    return this.bytes.subarray(head.start, head.start + head.length)
  }

  /** The text of a string or binary head, or a refusal if it is not valid UTF-8. */
  text(head: { start: number; length: number }): string {
    try {
      return utf8.decode(this.slice(head))
    } catch {
      return refuse('invalid UTF-8')
    }
  }
}

/** What one data value holds, gathered while scanning it. */
interface Traits {
  careful: boolean
  inexact: boolean
}

function checkUtf8(reader: Reader, head: { start: number; length: number }): void {
  if (!isUtf8(reader.slice(head))) refuse('invalid UTF-8')
}

function startsWithBom(reader: Reader, head: { start: number; length: number }): boolean {
  const b = reader.bytes
  return (
    head.length > TEXT_DECODER_THRESHOLD &&
    b[head.start] === 0xef &&
    b[head.start + 1] === 0xbb &&
    b[head.start + 2] === 0xbf
  )
}

function isProto(reader: Reader, head: { start: number; length: number }): boolean {
  return head.length === PROTO.length && sameBytes(reader.slice(head), PROTO)
}

/** An open array or map of a `serde_json::Value`: items left (a map counts keys and values), keys seen. */
interface Frame {
  left: number
  map: boolean
  keys: number
}

/**
 * Scans one `serde_json::Value` (a data entry's value), `level` containers deep already (the record and
 * the data map: 2). Iterative, so that deep nesting cannot exhaust the stack.
 */
function scanValue(reader: Reader, level: number, traits: Traits): void {
  const stack: Frame[] = []
  do {
    const frame = stack.at(-1)
    const isKey = frame?.map === true && frame.left % 2 === 0
    const head = reader.head()
    if (frame) frame.left--
    if (isKey) {
      // serde_json reads a map's first key as a string only; later keys as `String`, which takes binary too.
      const first = frame.keys++ === 0
      if (head.kind !== 'str' && (head.kind !== 'bin' || first)) refuse('a map key is not a string')
      checkUtf8(reader, head)
      if (isProto(reader, head) || startsWithBom(reader, head)) traits.careful = true
    } else {
      switch (head.kind) {
        case 'nil':
        case 'bool':
          break
        case 'int':
          if (typeof head.value === 'bigint') {
            traits.careful = true
            if (BigInt(Number(head.value)) !== head.value) traits.inexact = true
          }
          break
        case 'float': {
          const value = head.value
          if (!Number.isFinite(value)) traits.careful = true
          else if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 64) traits.inexact = true
          break
        }
        case 'str':
          checkUtf8(reader, head)
          if (startsWithBom(reader, head)) traits.careful = true
          break
        case 'array':
        case 'map':
          if (level + stack.length + 1 > MAX_CONTAINERS) refuse('nested too deep')
          stack.push({
            left: head.kind === 'map' ? head.length * 2 : head.length,
            map: head.kind === 'map',
            keys: 0,
          })
          break
        default:
          refuse('binary or extension data in a value')
      }
    }
    while (stack.length > 0 && (stack.at(-1) as Frame).left === 0) stack.pop()
  } while (stack.length > 0)
}

/** Skips one item of any kind (an unknown record field's value, which serde ignores), depth still counted. */
function skipValue(reader: Reader, level: number): void {
  const stack: number[] = []
  do {
    const head = reader.head()
    if (stack.length > 0) stack[stack.length - 1] = (stack.at(-1) as number) - 1
    if (head.kind === 'array' || head.kind === 'map' || head.kind === 'ext') {
      if (level + stack.length + 1 > MAX_CONTAINERS) refuse('nested too deep')
      if (head.kind !== 'ext') stack.push(head.kind === 'map' ? head.length * 2 : head.length)
    }
    while (stack.length > 0 && stack.at(-1) === 0) stack.pop()
  } while (stack.length > 0)
}

/** `Id`: rmp-serde 1.3 reads an `i128` from bin 8 of exactly 16 bytes, or from any integer. */
function readId(reader: Reader): Uint8Array {
  const head = reader.head()
  if (head.kind === 'bin' && head.marker === 0xc4 && head.length === 16)
    return new Uint8Array(reader.slice(head))
  if (head.kind !== 'int') refuse('the id is not 16 bytes or an integer')
  const twosComplement = BigInt.asUintN(128, BigInt(head.value)).toString(16).padStart(32, '0')
  return new Uint8Array(Buffer.from(twosComplement, 'hex'))
}

/** `HashMap<String, Value>`: a map whose keys are strings (or valid-UTF-8 binary). */
function readData(reader: Reader): Map<string, ScannedEntry> {
  const head = reader.head()
  if (head.kind !== 'map') refuse('the data is not a map')
  if (head.length > MAX_SESSION_KEYS) refuse(`more than ${MAX_SESSION_KEYS} keys`)
  const entries = new Map<string, ScannedEntry>()
  for (let i = 0; i < head.length; i++) {
    const keyHead = reader.head()
    if (keyHead.kind !== 'str' && keyHead.kind !== 'bin') refuse('a data key is not a string')
    const key = reader.text(keyHead)
    const start = reader.pos
    const traits: Traits = { careful: false, inexact: false }
    scanValue(reader, 2, traits)
    entries.set(key, { start, end: reader.pos, ...traits })
  }
  return entries
}

/** `OffsetDateTime` (time ≥ 0.3.29 asks for a tuple of 9): an array of 9 integers, or binary of ≥ 9 bytes. */
function readExpiry(reader: Reader): number[] {
  const head = reader.head()
  if (head.kind === 'bin' && head.length >= 9) return [...reader.slice(head).subarray(0, 9)]
  if (head.kind !== 'array' || head.length !== 9) refuse('the expiry date is not 9 integers')
  const parts: number[] = []
  for (let i = 0; i < 9; i++) {
    const part = reader.head()
    if (part.kind !== 'int') refuse('the expiry date is not 9 integers')
    parts.push(Number(part.value))
  }
  return parts
}

/** A record field name (struct as a map): a string or binary name, or an unsigned index; `-1` for others. */
function fieldIndex(reader: Reader): number {
  const head = reader.head()
  if (head.kind === 'str' || head.kind === 'bin') {
    const name = reader.slice(head)
    return FIELD_NAMES.findIndex((field) => sameBytes(field, name))
  }
  // serde's field visitor takes unsigned integers (0 to 2 name the fields, others are ignored) but not signed
  // ones, and rmp_serde hands over the `d0`..`d3` and negative fixint markers as signed, whatever the value.
  if (head.kind === 'int' && head.unsigned) return head.value <= 2 ? Number(head.value) : -1
  return refuse('a record field name is not a string or an unsigned integer')
}

/**
 * Checks `bytes` as rmp_serde reads a tower-sessions `Record`, and says where its parts are. Throws a
 * `TypeError` for anything rmp_serde refuses (and for an expiry written as a string).
 *
 * @example
 * ```ts
 * // The worked example: 93 c4 10 <16 bytes> 81 a6 "visits" 01 99 ...
 * const scanned = scanRecord(Buffer.from('k8QQAAAAAAAAAAAAAAAAAAAAKoGmdmlzaXRzAZnNB+tJDwkaAAAAAA==', 'base64'))
 * scanned.entries.get('visits') // { start: 27, end: 28, careful: false, inexact: false }
 * scanned.expiry // [2027, 73, 15, 9, 26, 0, 0, 0, 0]
 * ```
 */
export function scanRecord(bytes: Uint8Array): ScannedRecord {
  const reader = new Reader(bytes)
  const head = reader.head()
  let id: Uint8Array | undefined
  let entries: Map<string, ScannedEntry> | undefined
  let expiry: number[] | undefined
  if (head.kind === 'array') {
    if (head.length !== 3) refuse('the record is not 3 fields')
    id = readId(reader)
    entries = readData(reader)
    expiry = readExpiry(reader)
  } else if (head.kind === 'map') {
    for (let i = 0; i < head.length; i++) {
      const field = fieldIndex(reader)
      if ((field === 0 && id) || (field === 1 && entries) || (field === 2 && expiry))
        refuse('a duplicate field')
      if (field === 0) id = readId(reader)
      else if (field === 1) entries = readData(reader)
      else if (field === 2) expiry = readExpiry(reader)
      else skipValue(reader, 1)
    }
    if (!id || !entries || !expiry) refuse('a missing field')
  } else {
    refuse('not an array or a map')
  }
  return { id, entries, expiry, end: reader.pos }
}
