import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createChainTracker } from '../../src/outbound/chain-status'

test('RPC endpoints are shown by scheme and host only, in their error texts too: keys in paths stay hidden', () => {
  const progress = createChainTracker().progress([
    {
      url: 'https://eth.example.com/v3/SECRETKEY',
      alive: false,
      lastError: 'eth_blockNumber on https://eth.example.com/v3/SECRETKEY: timeout',
    },
    { url: 'http://user:pass@10.0.0.1:8545/', alive: true, head: 7 },
  ])
  assert.doesNotMatch(JSON.stringify(progress), /SECRETKEY|user|pass/)
  assert.deepEqual(progress.rpc, [
    {
      endpoint: 'https://eth.example.com/…',
      alive: false,
      lastError: 'eth_blockNumber on https://eth.example.com/…: timeout',
    },
    { endpoint: 'http://10.0.0.1:8545/…', alive: true, head: 7 },
  ])
})

test('lag is counted in blocks and in seconds since the first unpublished block was seen', () => {
  const tracker = createChainTracker()
  tracker.published(100)
  tracker.head(100, 1_000)
  assert.deepEqual([tracker.progress([], 2_000).lagBlocks, tracker.progress([], 2_000).lagSeconds], [0, 0])
  tracker.head(101, 5_000)
  tracker.head(103, 7_000)
  const progress = tracker.progress([], 9_000)
  assert.equal(progress.lagBlocks, 3)
  assert.equal(progress.lagSeconds, 4)
  assert.deepEqual(progress.lagHistory, [
    [1_000, 0],
    [7_000, 3],
  ])
})

test('reorgs and retractions are counted and the last reorg kept', () => {
  const tracker = createChainTracker()
  tracker.reorg({ depth: 2, forkPoint: 50, reachedPublished: true })
  tracker.retracted(3)
  const progress = tracker.progress([])
  assert.equal(progress.reorgs, 1)
  assert.equal(progress.retractions, 3)
  assert.equal(progress.lastReorg?.depth, 2)
})
