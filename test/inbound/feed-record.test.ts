import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseFeedRecord, type RawFeedRecord } from '../../src/inbound/feed-record'

const RECORD_TS = '1700000000000'

const record = (key: string | null, value: unknown, raw = false): RawFeedRecord => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(raw ? String(value) : JSON.stringify(value)),
  timestamp: RECORD_TS,
})

const invalid = (r: RawFeedRecord) => {
  const parsed = parseFeedRecord(r)
  assert.equal(parsed.kind, 'invalid', JSON.stringify(parsed))
  return parsed as Extract<typeof parsed, { kind: 'invalid' }>
}

describe('parseFeedRecord', () => {
  test('a full record: key is the feed, value carries value, timestamp and source', () => {
    assert.deepEqual(parseFeedRecord(record('ETH/USD', { value: 3000.5, timestamp: 1700000001234, source: 'alpha' })), {
      kind: 'update',
      feed: 'ETH/USD',
      source: 'alpha',
      value: 3000.5,
      timestamp: 1700000001234,
    })
  })

  test('timestamp defaults to the record timestamp and source to "default"', () => {
    assert.deepEqual(parseFeedRecord(record('BTC/USD', { value: 1 })), {
      kind: 'update',
      feed: 'BTC/USD',
      source: 'default',
      value: 1,
      timestamp: Number(RECORD_TS),
    })
  })

  test('decimal strings are kept character for character, beyond double precision', () => {
    const big = '123456789012345678901234567890.000000000000000001'
    const parsed = parseFeedRecord(record('WEI', { value: big }))
    assert.equal(parsed.kind === 'update' && parsed.value, big)
  })

  test('the feed id keeps its case and any characters', () => {
    const parsed = parseFeedRecord(record('eth/usd', { value: 1 }))
    assert.equal(parsed.kind === 'update' && parsed.feed, 'eth/usd')
  })

  test('a null value is a tombstone for the feed', () => {
    assert.deepEqual(parseFeedRecord(record('ETH/USD', null)), { kind: 'tombstone', feed: 'ETH/USD' })
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

  test('a value nested thousands of levels deep is refused with its reason, never a stack overflow', () => {
    const deep = `{"value":${'['.repeat(20_000)}1${']'.repeat(20_000)}}`
    const r = invalid(record('ETH/USD', deep, true))
    assert.equal(r.code, 'bad-shape')
    assert.match(r.reason, /"value" must be .* got a list nested deeper than 32 levels/)
  })

  test('fields it does not know are ignored, so producers can add some', () => {
    assert.equal(parseFeedRecord(record('ETH/USD', { value: 2, venue: 'x' })).kind, 'update')
  })
})
