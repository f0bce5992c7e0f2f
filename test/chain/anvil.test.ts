import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { test } from 'node:test'
import { startAnvil } from '../../src/dev/anvil'

const rpc = async (url: string, method: string, params: unknown[] = []): Promise<unknown> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return ((await res.json()) as { result: unknown }).result
}

test('startAnvil serves a cancun chain on its own port and cleans up on stop', async () => {
  const [a, b] = await Promise.all([startAnvil(), startAnvil()])
  assert.notEqual(a.port, b.port)
  assert.notEqual(a.cacheDir, b.cacheDir)
  assert.ok(existsSync(a.cacheDir) && existsSync(b.cacheDir))
  try {
    assert.equal(await rpc(a.rpcUrl, 'eth_chainId'), '0x7a69')
    await rpc(a.rpcUrl, 'anvil_mine', ['0x5'])
    assert.equal(await rpc(a.rpcUrl, 'eth_blockNumber'), '0x5')
    assert.equal(await rpc(b.rpcUrl, 'eth_blockNumber'), '0x0')
    // cancun blocks carry blob gas fields
    const block = (await rpc(a.rpcUrl, 'eth_getBlockByNumber', ['latest', false])) as Record<string, unknown>
    assert.equal(typeof block['blobGasUsed'], 'string')
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
  assert.equal(existsSync(a.cacheDir), false)
  assert.equal(existsSync(b.cacheDir), false)
  await assert.rejects(fetch(a.rpcUrl))
})

test('startAnvil with blockTime mines on its own', async () => {
  const anvil = await startAnvil({ blockTime: 1 })
  try {
    const deadline = Date.now() + 5000
    while ((await rpc(anvil.rpcUrl, 'eth_blockNumber')) === '0x0' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.notEqual(await rpc(anvil.rpcUrl, 'eth_blockNumber'), '0x0')
  } finally {
    await anvil.stop()
  }
})
