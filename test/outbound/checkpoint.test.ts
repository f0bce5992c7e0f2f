import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CHECKPOINT_VERSION, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../src/outbound/checkpoint'

const v1 = {
  version: 1,
  chain: 'mainnet',
  chainId: 1,
  topic: 'bifrost.oracle.events',
  tip: { number: 100, hash: `0x${'a'.repeat(64)}` },
  finalBelow: 90,
  scanFrom: { '0': 12 },
  writtenAt: '2026-01-01T00:00:00.000Z',
}

test('a checkpoint written by an older Bifrost (version 1) is read, as the current version without a halt', () => {
  const read = decodeCheckpoint(Buffer.from(JSON.stringify(v1)))
  assert.deepEqual(read, { ...v1, version: CHECKPOINT_VERSION })
  assert.equal(read?.halt, undefined)
})

test('a record round-trips, keyed by chain name, halt included', () => {
  const halted: Checkpoint = {
    ...v1,
    version: CHECKPOINT_VERSION,
    halt: { reason: 'reorg below block 7', since: '2026-01-01T00:00:01.000Z', headBlock: 120 },
    resumed: { haltSince: '2026-01-01T00:00:00.500Z', at: '2026-01-01T00:00:00.900Z', fromBlock: 80 },
  }
  const { key, value } = encodeCheckpoint(halted)
  assert.equal(key, 'mainnet')
  assert.deepEqual(decodeCheckpoint(value), halted)
})

test('a record of a later version, or not a checkpoint at all, is skipped rather than trusted', () => {
  assert.equal(decodeCheckpoint(Buffer.from(JSON.stringify({ ...v1, version: CHECKPOINT_VERSION + 1 }))), undefined)
  assert.equal(decodeCheckpoint(Buffer.from(JSON.stringify({ ...v1, scanFrom: { '0': -1 } }))), undefined)
  assert.equal(decodeCheckpoint(Buffer.from('{"version":2}')), undefined)
  assert.equal(decodeCheckpoint(Buffer.from('not json')), undefined)
  assert.equal(decodeCheckpoint(null), undefined)
})
