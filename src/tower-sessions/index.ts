/**
 * The tower-sessions format (opt-in, `middy-dynamodb-session/tower-sessions`): the session ids, cookie
 * values and `data` attribute that `tower-sessions` 0.14 with `tower-sessions-dynamodb-store` 0.3 write,
 * so that a Rust service and a Lambda function can share sessions: `towerSessionsFormat()` for a store's
 * `format` option, and its building blocks (the id scheme, the record codec, the expiry date). Nothing in
 * the package's root entry imports this folder.
 *
 * @module
 */
export type { JsonValue, SessionData } from '../data.ts'
export type { SessionIdScheme } from '../id.ts'
export type { FormatLoaded, FormatRecord, SessionFormat } from '../store/format.ts'
export {
  type ExpiryParts,
  epochSecondsFromExpiryParts,
  expiryPartsFromEpochSeconds,
  MAX_EXPIRY_SECONDS,
  MIN_EXPIRY_SECONDS,
  normalizeExpiryParts,
} from './expiry-date.ts'
export { towerSessionsFormat } from './format.ts'
export {
  generateTowerSessionId,
  isTowerSessionId,
  towerIdFromDecimal,
  towerIdFromRecordBytes,
  towerIdToDecimal,
  towerIdToRecordBytes,
} from './id.ts'
export {
  type DecodedTowerRecord,
  decodeTowerRecord,
  type EncodeTowerRecordOptions,
  encodeTowerRecord,
  type TowerRecord,
} from './record.ts'
export {
  assertTowerSessionValue,
  inspectTowerSessionValue,
  MAX_SESSION_KEYS,
  MAX_VALUE_DEPTH,
  type ValueTraits,
} from './value.ts'
