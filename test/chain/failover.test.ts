import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { NoEndpointError } from '../../src/chain/failover'
import { startEventChain, type EventChain } from '../support/event-chain'
import { testChainRpc } from '../support/chain-rpc'
import { useDefaultLogger } from '../support/logger'
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy'
import { closedPort } from '../support/closed-port'

useDefaultLogger()

const CHAIN_ID = 4001

const chainRpc = (urls: string[], timeoutMs?: number) => testChainRpc(CHAIN_ID, urls, timeoutMs)

describe('RPC failover', () => {
  let chain: EventChain
  const proxies: RpcProxy[] = []
  const proxy = async () => {
    const p = await startRpcProxy(chain.rpcUrl)
    proxies.push(p)
    return p
  }
  before(async () => {
    chain = await startEventChain({ chainId: CHAIN_ID })
    await chain.mine(20)
  })
  after(async () => {
    await Promise.all(proxies.map((p) => p.close()))
    await chain.stop()
  })

  test('a dead endpoint is skipped and the next one answers', async () => {
    const rpc = chainRpc([`http://127.0.0.1:${await closedPort()}`, chain.rpcUrl])
    assert.equal(await rpc.refreshHeads(), await chain.blockNumber())
    assert.equal(await rpc.request('eth_chainId', []), `0x${CHAIN_ID.toString(16)}`)
    const [dead, live] = rpc.status()
    assert.equal(dead.alive, false)
    assert.match(dead.lastError ?? '', /ECONNREFUSED/)
    assert.equal(live.alive, true)
  })

  test('an endpoint that stops answering mid-way is failed over from, within the timeout', async () => {
    const first = await proxy()
    const rpc = chainRpc([first.url, chain.rpcUrl], 300)
    await rpc.refreshHeads()
    first.mode = 'hanging'
    const head = await rpc.request<{ number: string }>('eth_getBlockByNumber', ['latest', false])
    assert.equal(Number.parseInt(head.number, 16), await chain.blockNumber())
    assert.equal(rpc.status()[0].alive, false)
  })

  test('a lagging endpoint is not asked about blocks it does not have', async () => {
    const lagging = await proxy()
    lagging.lag = 10
    const rpc = chainRpc([lagging.url, chain.rpcUrl])
    const head = await rpc.refreshHeads()
    assert.equal(head, await chain.blockNumber())
    const before = lagging.calls.get('eth_getBlockByNumber') ?? 0
    const block = await rpc.request<{ number: string } | null>(
      'eth_getBlockByNumber',
      [`0x${head.toString(16)}`, false],
      {
        minBlock: head,
      },
    )
    assert.equal(Number.parseInt(block?.number ?? '', 16), head)
    assert.equal(
      lagging.calls.get('eth_getBlockByNumber') ?? 0,
      before,
      'the lagging endpoint was asked for a block it lacks',
    )
  })

  test('an endpoint of another chain is never used', async () => {
    const other = await startEventChain({ chainId: CHAIN_ID + 1 })
    try {
      const rpc = chainRpc([other.rpcUrl, chain.rpcUrl])
      await other.mine(500)
      assert.equal(await rpc.refreshHeads(), await chain.blockNumber())
      assert.match(rpc.status()[0].lastError ?? '', /serves chain 4002, not 4001/)
    } finally {
      await other.stop()
    }
  })

  test('a rate-limited endpoint (HTTP 429, JSON-RPC error inside) is backed off and the next one answers', async () => {
    const limited = await proxy()
    const rpc = chainRpc([limited.url, chain.rpcUrl])
    await rpc.refreshHeads()
    limited.fault = 'rate-limited'
    const block = await rpc.request<{ number: string }>('eth_getBlockByNumber', ['latest', false])
    assert.equal(Number.parseInt(block.number, 16), await chain.blockNumber())
    const [first] = rpc.status()
    assert.equal(first.alive, false, 'the rate-limited endpoint is backed off')
    assert.match(first.lastError ?? '', /rate limited/)
    const asked = limited.calls.get('eth_getBlockByNumber') ?? 0
    await rpc.request('eth_getBlockByNumber', ['latest', false])
    assert.equal(limited.calls.get('eth_getBlockByNumber') ?? 0, asked, 'asked again during its backoff')
  })

  test('an endpoint that says "header not found" for a block its head claims is treated as lagging', async () => {
    const behind = await proxy()
    const rpc = chainRpc([behind.url, chain.rpcUrl])
    const head = await rpc.refreshHeads()
    behind.fault = 'header-not-found'
    const block = await rpc.request<{ number: string } | null>(
      'eth_getBlockByNumber',
      [`0x${head.toString(16)}`, false],
      {
        minBlock: head,
      },
    )
    assert.equal(Number.parseInt(block?.number ?? '', 16), head)
    const asked = behind.calls.get('eth_getBlockByNumber') ?? 0
    await rpc.request('eth_getBlockByNumber', [`0x${head.toString(16)}`, false], { minBlock: head })
    assert.equal(behind.calls.get('eth_getBlockByNumber') ?? 0, asked, 'asked again for a block it lacks')
    assert.equal(rpc.status()[0].head, head - 1, 'its head is taken as just below the block it lacked')
  })

  test('a non-hex eth_blockNumber skips the endpoint and never poisons the best head', async () => {
    const broken = await proxy()
    broken.fault = 'malformed-head'
    const rpc = chainRpc([broken.url, chain.rpcUrl])
    const head = await rpc.refreshHeads()
    assert.equal(head, await chain.blockNumber())
    assert.equal(rpc.bestHead, head)
    const [first] = rpc.status()
    assert.equal(first.alive, false)
    assert.equal(first.head, undefined)
    assert.match(first.lastError ?? '', /malformed.*not-a-quantity.*"latest"/)
  })

  test('an answer with a malformed field is refused and asked of the next endpoint', async () => {
    const broken = await proxy()
    const rpc = chainRpc([broken.url, chain.rpcUrl])
    await rpc.refreshHeads()
    broken.fault = 'malformed-head'
    const check = (raw: unknown) =>
      typeof raw === 'string' && raw.startsWith('0x')
        ? { ok: true as const, value: raw }
        : { ok: false as const, code: 'not-a-quantity' as const, reason: `got ${String(raw)}` }
    assert.match(await rpc.request('eth_blockNumber', [], { check }), /^0x/)
    assert.equal(rpc.status()[0].alive, false)
  })

  test('an endpoint answering plain HTTP 500 is skipped', async () => {
    const failing = await proxy()
    const rpc = chainRpc([failing.url, chain.rpcUrl])
    await rpc.refreshHeads()
    failing.fault = 'http-500'
    assert.equal(await rpc.request('eth_chainId', []), `0x${CHAIN_ID.toString(16)}`)
    assert.match(rpc.status()[0].lastError ?? '', /HTTP 500/)
  })

  test('with every endpoint down the error says so, naming each', async () => {
    const rpc = chainRpc([`http://127.0.0.1:${await closedPort()}`])
    await assert.rejects(
      rpc.refreshHeads(),
      (err: Error) => err instanceof NoEndpointError && /every RPC endpoint is down/.test(err.message),
    )
  })
})
