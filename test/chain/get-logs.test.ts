import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createChainRpc } from '../../src/chain/failover'
import { createLogRangeReader, type OnDroppedLogs, type RawLog } from '../../src/chain/get-logs'
import { isRangeRefusal } from '../../src/chain/provider-errors'
import { RpcError } from '../../src/chain/rpc'
import { ANSWER_UPDATED, startEventChain, type EventChain } from '../support/event-chain'
import { useDefaultLogger } from '../support/logger'
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy'

useDefaultLogger()

const CHAIN_ID = 4003

const readAll = async (
  reader: ReturnType<typeof createLogRangeReader>,
  from: number,
  to: number,
): Promise<RawLog[]> => {
  const logs: RawLog[] = []
  for (let next = from; next <= to;) {
    const page = await reader.read(next, to)
    logs.push(...page.logs)
    next = page.to + 1
  }
  return logs
}

describe('eth_getLogs over adaptive ranges', () => {
  let chain: EventChain
  let proxy: RpcProxy
  let last: number
  before(async () => {
    chain = await startEventChain({ chainId: CHAIN_ID })
    // 10 blocks of 30 logs, then 300 empty blocks, then 10 more blocks of 30 logs.
    for (let i = 0; i < 10; i++) await chain.emit(30, { start: i * 30 })
    await chain.mine(300)
    for (let i = 10; i < 20; i++) await chain.emit(30, { start: i * 30 })
    last = await chain.blockNumber()
    proxy = await startRpcProxy(chain.rpcUrl)
  })
  after(async () => {
    await proxy.close()
    await chain.stop()
  })

  const reader = async (options: { maxBlocks: number; targetLogs: number; onDropped?: OnDroppedLogs }) => {
    const rpc = createChainRpc([proxy.url], { chainId: CHAIN_ID, timeoutMs: 5000, maxLagBlocks: 2, chainName: 'test' })
    await rpc.refreshHeads()
    return createLogRangeReader(rpc, { address: [chain.emitter], topics: [[ANSWER_UPDATED]] }, options)
  }

  test('duplicated logs and logs outside the range asked are dropped and counted, never returned', async () => {
    for (const [fault, reason] of [
      ['duplicate-logs', 'duplicate'],
      ['out-of-range-logs', 'out-of-range'],
    ] as const) {
      reset({})
      proxy.fault = fault
      const dropped = new Map<string, number>()
      const logs = await readAll(
        await reader({
          maxBlocks: 1000,
          targetLogs: 1000,
          onDropped: (r, n) => dropped.set(r, (dropped.get(r) ?? 0) + n),
        }),
        0,
        last,
      )
      proxy.fault = undefined
      assert.equal(logs.length, 600, fault)
      assert.equal(new Set(logs.map((l) => `${l.blockHash}:${l.logIndex}`)).size, 600, fault)
      assert.ok((dropped.get(reason) ?? 0) > 0, `${fault}: nothing counted as ${reason}`)
    }
  })

  test('recognises the refusals real providers send', () => {
    const refusal = (message: string, code = -32005) =>
      isRangeRefusal(new RpcError('http://x', 'eth_getLogs', code, message))
    assert.ok(refusal('query returned more than 10000 results. Try with this block range [0x1, 0x2].'))
    assert.ok(
      refusal('Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range', -32602),
    )
    assert.ok(refusal('eth_getLogs is limited to a 10,000 range', -32614))
    assert.ok(refusal('exceed maximum block range: 5000', -32000))
    assert.ok(refusal('block range is too wide', -32600))
    assert.equal(refusal('execution reverted', 3), false)
    assert.equal(isRangeRefusal(new Error('query returned more than 10000 results')), false)
  })

  const reset = (limits: { maxResults?: number; maxRange?: number }) => {
    proxy.maxResults = limits.maxResults
    proxy.maxRange = limits.maxRange
    proxy.servedRanges.length = 0
    proxy.refusedRanges.length = 0
  }
  const blocks = () => proxy.servedRanges.map((r) => r.blocks)

  test('halves the range when the provider refuses too many results, and grows it back', async () => {
    reset({ maxResults: 100 })
    const logs = await readAll(await reader({ maxBlocks: 1000, targetLogs: 1000 }), 0, last)
    assert.equal(logs.length, 600, 'every log exactly once')
    assert.equal(new Set(logs.map((l) => `${l.blockHash}:${l.logIndex}`)).size, 600)
    assert.ok(proxy.refusedRanges.length > 0, 'no range was refused')
    assert.ok(
      proxy.refusedRanges.every((refused) => blocks().includes(Math.floor(refused / 2)) || refused <= 1),
      `each refused range was retried at half its size: refused ${proxy.refusedRanges}, served ${blocks()}`,
    )
    // 300 empty blocks between the two dense stretches: the range grows far past the refused sizes.
    assert.ok(Math.max(...blocks()) > 8 * Math.max(...proxy.refusedRanges), `never grew back: ${blocks()}`)
  })

  test('halves the range when the provider limits its size', async () => {
    reset({ maxRange: 40 })
    const logs = await readAll(await reader({ maxBlocks: 1000, targetLogs: 1000 }), 0, last)
    assert.equal(logs.length, 600)
    assert.ok(blocks().every((r) => r <= 40))
    assert.ok(blocks().filter((r) => r > 20).length > 5, `ranges stay near the limit: ${blocks()}`)
  })

  test('shrinks the range after an answer above the target, bounding the next ones', async () => {
    reset({})
    const logs = await readAll(await reader({ maxBlocks: 1000, targetLogs: 50 }), 0, last)
    assert.equal(logs.length, 600)
    const above = proxy.servedRanges.slice(0, -1).map((r, i) => [r, proxy.servedRanges[i + 1]] as const)
    assert.ok(
      above.some(([r]) => r.logs > 50),
      'no answer went above the target',
    )
    for (const [range, next] of above.filter(([r]) => r.logs > 50)) {
      assert.ok(
        next.blocks <= Math.max(1, Math.floor(range.blocks / 2)),
        `${range.blocks} blocks gave ${range.logs} logs, then ${next.blocks}`,
      )
    }
  })
})
