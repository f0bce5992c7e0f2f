import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseFeedRecord, type RawFeedRecord } from '../../src/inbound/feed-record'
import { feedSettings } from '../../src/inbound/settings'

const RECORD_TS = '1700000000000'
/** The defaults: feeds.maxRecordBytes 65536, maxDepth 32, maxDecimalDigits 100, maxClockSkewMs 5000 */
const LIMITS = feedSettings.parse({})
const NOW = 1700000060000

const record = (key: string | null, value: unknown, raw = false): RawFeedRecord => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(raw ? String(value) : JSON.stringify(value)),
  timestamp: RECORD_TS,
})

const invalid = (r: RawFeedRecord) => {
  const parsed = parseFeedRecord(r, LIMITS, NOW)
  assert.equal(parsed.ok, false, JSON.stringify(parsed))
  return parsed as Extract<typeof parsed, { ok: false }>
}

const accepted = (parsed: ReturnType<typeof parseFeedRecord>): boolean => parsed.ok && parsed.kind === 'update'

describe('parseFeedRecord', () => {
  test('a full record: key is the feed, value carries value, timestamp and source', () => {
    assert.deepEqual(
      parseFeedRecord(record('ETH/USD', { value: 3000.5, timestamp: 1700000001234, source: 'alpha' }), LIMITS, NOW),
      {
        ok: true,
        kind: 'update',
        feed: 'ETH/USD',
        source: 'alpha',
        value: 3000.5,
        timestamp: 1700000001234,
      },
    )
  })

  test('timestamp defaults to the record timestamp and source to "default"', () => {
    assert.deepEqual(parseFeedRecord(record('BTC/USD', { value: 1 }), LIMITS, NOW), {
      ok: true,
      kind: 'update',
      feed: 'BTC/USD',
      source: 'default',
      value: 1,
      timestamp: Number(RECORD_TS),
    })
  })

  test('decimal strings are kept character for character, beyond double precision', () => {
    const big = '123456789012345678901234567890.000000000000000001'
    const parsed = parseFeedRecord(record('WEI', { value: big }), LIMITS, NOW)
    assert.equal(parsed.ok && parsed.kind === 'update' && parsed.value, big)
  })

  test('the feed id keeps its case and any characters', () => {
    const parsed = parseFeedRecord(record('eth/usd', { value: 1 }), LIMITS, NOW)
    assert.equal(parsed.ok && parsed.kind === 'update' && parsed.feed, 'eth/usd')
  })

  test('a null value is a tombstone for the feed', () => {
    assert.deepEqual(parseFeedRecord(record('ETH/USD', null), LIMITS, NOW), {
      ok: true,
      kind: 'tombstone',
      feed: 'ETH/USD',
    })
  })

  test('no key (or an empty one) is refused', () => {
    assert.equal(invalid(record(null, { value: 1 })).code, 'missing-key')
    assert.equal(invalid(record('', { value: 1 })).code, 'missing-key')
    assert.equal(invalid(record(null, null)).code, 'missing-key')
  })

  test('a value that is not JSON is refused with the parser message', () => {
    const r = invalid(record('ETH/USD', '{"value": 1', true))
    assert.equal(r.code, 'not-json')
    assert.match(r.reason, /^value is not JSON: /)
  })

  for (const [what, value, reason] of [
    ['an array', [1], /must be a JSON object/],
    ['a bare number', 5, /must be a JSON object/],
    ['JSON null', null, /must be a JSON object/],
    ['no value field', { price: 1 }, /"value" must be a number or a decimal string.*got nothing/],
    ['a boolean value', { value: true }, /"value" must be a number or a decimal string/],
    ['a non-decimal string', { value: '12abc' }, /"value" must be a number or a decimal string.*"12abc"/],
    ['an exponent string', { value: '1e18' }, /"value" must be a number or a decimal string/],
    ['an empty string', { value: '' }, /"value" must be/],
    ['a fractional timestamp', { value: 1, timestamp: 1700000000000.5 }, /"timestamp" must be epoch milliseconds/],
    ['a string timestamp', { value: 1, timestamp: '1700000000000' }, /"timestamp" must be epoch milliseconds/],
    ['a negative timestamp', { value: 1, timestamp: -1 }, /"timestamp" must be epoch milliseconds/],
    ['a timestamp in seconds', { value: 1, timestamp: 1700000000 }, /looks like seconds/],
    ['an empty source', { value: 1, source: '' }, /"source" must be a non-empty string/],
    ['a numeric source', { value: 1, source: 7 }, /"source" must be a non-empty string/],
  ] as const) {
    test(`${what} is refused as bad-shape`, () => {
      const raw = what === 'JSON null' ? record('ETH/USD', 'null', true) : record('ETH/USD', value)
      const r = invalid(raw)
      assert.equal(r.code, 'bad-shape')
      assert.match(r.reason, reason)
    })
  }

  test('fields it does not know are ignored, so producers can add some', () => {
    assert.ok(accepted(parseFeedRecord(record('ETH/USD', { value: 2, venue: 'x' }), LIMITS, NOW)))
  })

  test('a value nested 5000 levels deep is refused as too-deep, without throwing', () => {
    const deep = `{"value": ${'['.repeat(5000)}${']'.repeat(5000)}}`
    const r = invalid(record('ETH/USD', deep, true))
    assert.equal(r.code, 'too-deep')
    assert.match(r.reason, /nests 5001 levels deep, more than feeds\.maxDepth=32 \(FEEDS_MAX_DEPTH\)/)
    // Brackets inside strings are text, not nesting
    assert.ok(accepted(parseFeedRecord(record('ETH/USD', { value: 1, note: '['.repeat(100) }), LIMITS, NOW)))
  })

  test('a record over feeds.maxRecordBytes is refused as too-large before it is parsed', () => {
    const r = invalid(record('ETH/USD', { value: 1, pad: 'x'.repeat(LIMITS.maxRecordBytes) }))
    assert.equal(r.code, 'too-large')
    assert.match(r.reason, /more than feeds\.maxRecordBytes=65536 \(FEEDS_MAX_RECORD_BYTES\)/)
  })

  test('a value with more digits than feeds.maxDecimalDigits is refused as too-many-digits', () => {
    const uint256 = '115792089237316195423570985008687907853269984665640564039457584007913129639935'
    assert.ok(accepted(parseFeedRecord(record('WEI', { value: `${uint256}.123456789012345678` }), LIMITS, NOW)))
    const r = invalid(record('WEI', { value: `1.${'0'.repeat(2000)}` }))
    assert.equal(r.code, 'too-many-digits')
    assert.match(r.reason, /"value" has 2001 digits, more than feeds\.maxDecimalDigits=100/)
    assert.equal(invalid(record('TINY', { value: 5e-324 })).code, 'too-many-digits', 'a double written out counts too')
  })

  test('a timestamp further in the future than feeds.maxClockSkewMs is refused as future-timestamp', () => {
    assert.ok(accepted(parseFeedRecord(record('ETH/USD', { value: 1, timestamp: NOW + 5000 }), LIMITS, NOW)))
    const r = invalid(record('ETH/USD', { value: 1, timestamp: NOW + 5001 }))
    assert.equal(r.code, 'future-timestamp')
    assert.match(r.reason, /"timestamp" is 5001 ms in the future, more than feeds\.maxClockSkewMs=5000/)
    // Beyond what Date can show (8.64e15): it would make every answer for the feed throw
    assert.equal(invalid(record('ETH/USD', { value: 1, timestamp: 9e15 })).code, 'future-timestamp')
    const kafkaTime = { ...record('ETH/USD', { value: 1 }), timestamp: String(NOW + 60_000) }
    assert.equal(invalid(kafkaTime).code, 'future-timestamp', 'the Kafka timestamp, when the value has none')
  })
})
