import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createChainStatus, endpointLabel } from '../../src/outbound/chain-status'

test('an RPC endpoint is shown by scheme and host only: keys in paths, queries and user info stay hidden', () => {
  assert.equal(endpointLabel('https://eth.example.com/v3/SECRETKEY?x=1'), 'https://eth.example.com')
  assert.equal(endpointLabel('http://user:pass@10.0.0.1:8545/'), 'http://10.0.0.1:8545')
  const view = createChainStatus({ name: 'c', chainId: 1 }).view([
    { url: 'https://eth.example.com/v3/SECRETKEY', alive: false, lastError: 'eth_blockNumber on https://eth.example.com/v3/SECRETKEY: timeout' },
  ])
  assert.doesNotMatch(JSON.stringify(view), /SECRETKEY/)
  assert.equal(view.rpc[0].lastError, 'eth_blockNumber on https://eth.example.com: timeout')
})

test('lag is counted in blocks and in seconds since the first unpublished block was seen', () => {
  const status = createChainStatus({ name: 'c', chainId: 1 })
  status.role('leader')
  status.published(100)
  status.head(100, 1_000)
  assert.deepEqual([status.view([], 2_000).lagBlocks, status.view([], 2_000).lagSeconds], [0, 0])
  status.head(101, 5_000)
  status.head(103, 7_000)
  const view = status.view([], 9_000)
  assert.equal(view.lagBlocks, 3)
  assert.equal(view.lagSeconds, 4)
  assert.deepEqual(view.lagHistory, [[1_000, 0], [7_000, 3]])
})

test('reorgs and retractions are counted, the last reorg kept, and a halt says why', () => {
  const status = createChainStatus({ name: 'c', chainId: 1 })
  status.reorg({ depth: 2, forkPoint: 50, reachedPublished: true })
  status.retracted(3)
  status.role('halted', 'reorg deeper than 128 blocks')
  const view = status.view([])
  assert.equal(view.reorgs, 1)
  assert.equal(view.retractions, 3)
  assert.equal(view.lastReorg?.depth, 2)
  assert.equal(view.role, 'halted')
  assert.equal(view.halted, 'reorg deeper than 128 blocks')
})
