import { jsonDepth } from '../json'
import type { Refused } from '../parse-result'
import { DECIMAL_STRING, decimalDigits } from './decimal'

/** A feed value as published: a JSON number, or a decimal string for values a double cannot hold exactly. */
export type FeedValue = number | string

export interface FeedUpdate {
  /** The record key, case-sensitive */
  feed: string
  source: string
  value: FeedValue
  /** Epoch milliseconds the value was valid at */
  timestamp: number
}

/** Why a record went to the dead-letter topic; also the `reason` label of the DLQ metric. Public: docs/bad-input.md */
export const INVALID_RECORD_CODES = [
  'missing-key',
  'not-json',
  'bad-shape',
  'too-large',
  'too-deep',
  'too-many-digits',
  'future-timestamp',
] as const
export type InvalidRecordCode = (typeof INVALID_RECORD_CODES)[number]

/** What a record may take: feeds.maxRecordBytes, feeds.maxDepth, feeds.maxDecimalDigits, feeds.maxClockSkewMs. */
export interface FeedRecordLimits {
  maxRecordBytes: number
  maxDepth: number
  maxDecimalDigits: number
  maxClockSkewMs: number
}

// Flat rather than wrapped: one object per record on the ingest's hottest path.
export type ParsedFeedRecord =
  | ({ ok: true; kind: 'update' } & FeedUpdate)
  /** A null value for a feed key: the producer retired the feed (compaction's delete marker) */
  | { ok: true; kind: 'tombstone'; feed: string }
  | Refused<InvalidRecordCode>

/** The parts of a Kafka record that carry the feed (kafkajs' message shape). */
export interface RawFeedRecord {
  key: Buffer | null
  value: Buffer | null
  /** Broker or producer timestamp, epoch ms as a decimal string */
  timestamp: string
}

export const DEFAULT_SOURCE = 'default'

// Epoch milliseconds below this are 1973: almost surely seconds sent by mistake,
// which would otherwise make every value look 50 years stale.
const MIN_PLAUSIBLE_MS = 1e11

const invalid = (code: InvalidRecordCode, reason: string): ParsedFeedRecord => ({ ok: false, code, reason })

// Values reaching here nest no deeper than feeds.maxDepth, so serialising them cannot overflow the stack.
const describe = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** An epoch-ms timestamp a feed value may carry, or why not. */
const timestampProblem = (at: number, now: number, maxClockSkewMs: number): InvalidRecordCode | undefined => {
  if (!Number.isSafeInteger(at) || at < 0) return 'bad-shape'
  if (at > now + maxClockSkewMs) return 'future-timestamp'
  return undefined
}

const future = (at: number, now: number, setting: number): string =>
  `${at - now} ms in the future, more than feeds.maxClockSkewMs=${setting} (FEEDS_MAX_CLOCK_SKEW_MS)`

/**
 * Turns one Kafka record into a feed update, a tombstone, or the reason it is
 * neither. Never throws: size and nesting are judged on the bytes, before parsing.
 */
export const parseFeedRecord = (
  record: RawFeedRecord,
  limits: FeedRecordLimits,
  now = Date.now(),
): ParsedFeedRecord => {
  const feed = record.key?.toString('utf8')
  if (!feed) return invalid('missing-key', 'record has no key; the key must be the feed id, e.g. "ETH/USD"')
  if (record.value === null) return { ok: true, kind: 'tombstone', feed }
  const size = record.value.length + (record.key?.length ?? 0)
  if (size > limits.maxRecordBytes) {
    return invalid(
      'too-large',
      `record is ${size} bytes, more than feeds.maxRecordBytes=${limits.maxRecordBytes} (FEEDS_MAX_RECORD_BYTES)`,
    )
  }
  const depth = jsonDepth(record.value)
  if (depth > limits.maxDepth) {
    return invalid(
      'too-deep',
      `value nests ${depth} levels deep, more than feeds.maxDepth=${limits.maxDepth} (FEEDS_MAX_DEPTH)`,
    )
  }

  let body: unknown
  try {
    body = JSON.parse(record.value.toString('utf8'))
  } catch (err) {
    return invalid('not-json', `value is not JSON: ${(err as Error).message}`)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid('bad-shape', `value must be a JSON object like {"value": 1.5}, got ${describe(body)}`)
  }
  const { value, timestamp, source } = body as Record<string, unknown>

  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return invalid('bad-shape', `"value" must be finite, got ${value}`)
  } else if (typeof value !== 'string' || !DECIMAL_STRING.test(value)) {
    return invalid(
      'bad-shape',
      `"value" must be a number or a decimal string like "123.45", got ${
        value === undefined ? 'nothing' : describe(value)
      }`,
    )
  }

  const digits = decimalDigits(value)
  if (digits > limits.maxDecimalDigits) {
    return invalid(
      'too-many-digits',
      `"value" has ${digits} digits, more than feeds.maxDecimalDigits=${limits.maxDecimalDigits} (FEEDS_MAX_DECIMAL_DIGITS)`,
    )
  }

  let at: number
  if (timestamp === undefined) {
    at = Number(record.timestamp)
    const problem = timestampProblem(at, now, limits.maxClockSkewMs)
    if (problem === 'bad-shape') {
      return invalid(
        'bad-shape',
        `no "timestamp", and the record's Kafka timestamp ${describe(record.timestamp)} is not epoch ms`,
      )
    }
    if (problem) {
      return invalid(
        problem,
        `no "timestamp", and the record's Kafka timestamp is ${future(at, now, limits.maxClockSkewMs)}`,
      )
    }
  } else if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    return invalid('bad-shape', `"timestamp" must be epoch milliseconds (an integer), got ${describe(timestamp)}`)
  } else if (timestamp < MIN_PLAUSIBLE_MS) {
    return invalid('bad-shape', `"timestamp" must be epoch milliseconds; ${timestamp} looks like seconds`)
  } else if (timestamp > now + limits.maxClockSkewMs) {
    return invalid('future-timestamp', `"timestamp" is ${future(timestamp, now, limits.maxClockSkewMs)}`)
  } else {
    at = timestamp
  }

  if (source !== undefined && (typeof source !== 'string' || source === '')) {
    return invalid('bad-shape', `"source" must be a non-empty string, got ${describe(source)}`)
  }

  return { ok: true, kind: 'update', feed, source: source ?? DEFAULT_SOURCE, value, timestamp: at }
}
