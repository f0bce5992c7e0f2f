import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import Ajv from 'ajv'
import { repoRoot } from '../../src/dev/paths'
import { parseFeedRecord } from '../../src/inbound/feed-record'
import { feedSettings } from '../../src/inbound/settings'

const schema = JSON.parse(readFileSync(join(repoRoot(), 'schemas', 'feed-record.schema.json'), 'utf8')) as {
  examples: unknown[]
}
const validate = new Ajv({ strict: false }).compile(schema)

const accepted = (value: unknown): boolean =>
  parseFeedRecord(
    {
      key: Buffer.from('ETH/USD'),
      value: Buffer.from(JSON.stringify(value)),
      timestamp: '1700000000000',
    },
    feedSettings.parse({}),
    1800000000000,
  ).ok

test('the published JSON Schema accepts exactly what the ingest accepts', () => {
  const values: unknown[] = [
    ...schema.examples,
    { value: 1 },
    { value: -2.5, timestamp: 1700000000000, source: 's' },
    { value: '123456789012345678901234567890.5' },
    { value: '-0.001' },
    { value: 1, extra: true },
    { value: '1e5' },
    { value: '1.' },
    { value: '.5' },
    { value: '' },
    { value: true },
    { value: null },
    { timestamp: 1700000000000 },
    { value: 1, timestamp: 1700000000 },
    { value: 1, timestamp: 1.5e12 + 0.5 },
    { value: 1, timestamp: '1700000000000' },
    { value: 1, source: '' },
    { value: 1, source: 3 },
    [1],
    'text',
    7,
  ]
  for (const value of values) {
    assert.equal(validate(value), accepted(value), `schema and parser disagree on ${JSON.stringify(value)}`)
  }
  assert.ok(schema.examples.every(accepted))
})
