import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createBlockTracker, ReorgTooDeepError } from '../../src/chain/block-tracker'
import { startEventChain, type EventChain } from '../support/event-chain'
import { testChainRpc } from '../support/chain-rpc'
import { useDefaultLogger } from '../support/logger'
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy'

useDefaultLogger()

const CHAIN_ID = 4001

const chainRpc = (urls: string[], timeoutMs?: number) => testChainRpc(CHAIN_ID, urls, timeoutMs)

describe('block tracker', () => {
  let chain: EventChain
  const proxies: RpcProxy[] = []
  before(async () => {
    chain = await startEventChain({ chainId: CHAIN_ID })
    await chain.mine(30)
  })
  after(async () => {
    await Promise.all(proxies.map((p) => p.close()))
    await chain.stop()
  })

  test('follows new heads, keeping the last `depth` hashes linked', async () => {
    const tracker = createBlockTracker(chainRpc([chain.rpcUrl]), { depth: 8 })
    await tracker.update()
    const head = await chain.blockNumber()
    assert.equal(tracker.head?.number, head)
    assert.equal(tracker.base, head - 7)
    assert.equal(tracker.hashAt(head - 8), undefined)
    await chain.mine(3)
    assert.deepEqual(await tracker.update(), { advanced: true })
    assert.equal(tracker.head?.number, head + 3)
    assert.deepEqual(await tracker.update(), { advanced: false })
  })

  test('finds a reorg and its fork point by walking parent hashes', async () => {
    const tracker = createBlockTracker(chainRpc([chain.rpcUrl]), { depth: 16 })
    await tracker.update()
    const head = await chain.blockNumber()
    const before = [head - 3, head - 2, head - 1, head].map((n) => tracker.hashAt(n))
    await chain.reorg(3)
    await chain.mine(2)
    const update = await tracker.update()
    assert.deepEqual(update.reorg, { forkPoint: head - 3, depth: 3 })
    assert.equal(tracker.head?.number, head + 2)
    assert.equal(tracker.hashAt(head - 3), before[0], 'the fork point is shared')
    for (let i = 1; i < 4; i++) assert.notEqual(tracker.hashAt(head - 3 + i), before[i])
  })

  test('a reorg that does not lengthen the chain is still seen', async () => {
    const tracker = createBlockTracker(chainRpc([chain.rpcUrl]), { depth: 16 })
    await tracker.update()
    const head = await chain.blockNumber()
    await chain.reorg(2)
    assert.deepEqual((await tracker.update()).reorg, { forkPoint: head - 2, depth: 2 })
  })

  test('a reorg deeper than the window is an error, not a guess', async () => {
    const tracker = createBlockTracker(chainRpc([chain.rpcUrl]), { depth: 4 })
    await tracker.update()
    await chain.reorg(6)
    await chain.mine(1)
    await assert.rejects(tracker.update(), ReorgTooDeepError)
  })

  test('an endpoint lagging behind after failover is not mistaken for a reorg', async () => {
    const ahead = await startRpcProxy(chain.rpcUrl)
    const behind = await startRpcProxy(chain.rpcUrl)
    proxies.push(ahead, behind)
    behind.lag = 6
    const tracker = createBlockTracker(chainRpc([ahead.url, behind.url], 500), { depth: 16 })
    await tracker.update()
    const head = tracker.head?.number as number
    ahead.mode = 'dead'
    await chain.mine(2)
    // Only the lagging endpoint answers now: its head is below ours.
    assert.deepEqual(await tracker.update(), { advanced: false })
    assert.equal(tracker.head?.number, head)
    behind.lag = 0
    const caughtUp = await tracker.update()
    assert.deepEqual(caughtUp, { advanced: true }, 'no reorg reported')
    assert.equal(tracker.head?.number, head + 2)
  })
})
