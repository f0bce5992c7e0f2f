import { nestsDeeperThan } from '../json'
import { DECIMAL_STRING } from './decimal'

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

/** Why a record went to the dead-letter topic; also the `reason` label of the DLQ metric. */
export type InvalidRecordCode = 'missing-key' | 'not-json' | 'bad-shape'

// Flat rather than wrapped: one object per record on the ingest's hottest path.
export type ParsedFeedRecord =
  | ({ kind: 'update' } & FeedUpdate)
  /** A null value for a feed key: the producer retired the feed (compaction's delete marker) */
  | { kind: 'tombstone'; feed: string }
  | { kind: 'invalid'; code: InvalidRecordCode; reason: string }

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

const invalid = (code: InvalidRecordCode, reason: string): ParsedFeedRecord => ({ kind: 'invalid', code, reason })

/** Deeper values are not shown: JSON.stringify recurses, and thousands of levels overflow the stack (found by test/fuzz) */
const SHOWN_DEPTH = 32

const describe = (v: unknown): string => {
  if (nestsDeeperThan(v, SHOWN_DEPTH)) return `a ${Array.isArray(v) ? 'list' : 'object'} nested deeper than ${SHOWN_DEPTH} levels`
  const text = JSON.stringify(v) ?? String(v)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Turns one Kafka record into a feed update, a tombstone, or the reason it is neither. Never throws. */
export const parseFeedRecord = (record: RawFeedRecord): ParsedFeedRecord => {
  const feed = record.key?.toString('utf8')
  if (!feed) return invalid('missing-key', 'record has no key; the key must be the feed id, e.g. "ETH/USD"')
  if (record.value === null) return { kind: 'tombstone', feed }

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

  let at: number
  if (timestamp === undefined) {
    at = Number(record.timestamp)
  } else if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    return invalid('bad-shape', `"timestamp" must be epoch milliseconds (an integer), got ${describe(timestamp)}`)
  } else if (timestamp < MIN_PLAUSIBLE_MS) {
    return invalid('bad-shape', `"timestamp" must be epoch milliseconds; ${timestamp} looks like seconds`)
  } else {
    at = timestamp
  }

  if (source !== undefined && (typeof source !== 'string' || source === '')) {
    return invalid('bad-shape', `"source" must be a non-empty string, got ${describe(source)}`)
  }

  return { kind: 'update', feed, source: source ?? DEFAULT_SOURCE, value, timestamp: at }
}
