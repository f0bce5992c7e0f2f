import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import type { ChildProcess } from 'node:child_process'
import { freshTopicsEnv } from '../support/bifrost'
import { spawnCli } from '../support/cli'
import { eventually } from '../support/eventually'
import { startEventChain, type EventChain } from '../support/event-chain'
import { startKafka, type KafkaFixture } from '../support/kafka'
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy'

// Generous: the process must go within 10 s of SIGTERM; this only has to tell "exits" from "does not".
const EXIT_WAIT_MS = 30_000

/** How the process ended, or undefined when it was still running after EXIT_WAIT_MS (then it is killed). */
const exitAfterSigterm = async (child: ChildProcess) => {
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_WAIT_MS)
  const [code, signal] = await exited
  clearTimeout(timer)
  return { code, signal }
}

const serve = (env: Record<string, string>) => {
  const child = spawnCli(['serve'], { EA_PORT: '0', METRICS_ENABLED: 'false', LOG_LEVEL: 'error', ...env })
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  return { child, output: () => output }
}

describe('bifrost serve stops when told to', { timeout: 180_000 }, () => {
  test('SIGTERM during start-up (Kafka answers nothing) stops it cleanly', async () => {
    // A stand-in for a Kafka that accepts connections and never answers: start-up waits on it
    const sockets = new Set<Socket>()
    const stalled = createServer((socket) => void sockets.add(socket))
    stalled.listen(0, '127.0.0.1')
    await once(stalled, 'listening')
    const { port } = stalled.address() as { port: number }
    const { child, output } = serve({ KAFKA_BROKERS: `127.0.0.1:${port}` })
    try {
      await eventually('start-up to reach Kafka', () => sockets.size > 0, { timeoutMs: 60_000 })
      const { code, signal } = await exitAfterSigterm(child)
      assert.deepEqual({ code, signal }, { code: 0, signal: null }, output())
      assert.match(output(), /SIGTERM: stopping/)
    } finally {
      child.kill('SIGKILL')
      for (const s of sockets) s.destroy()
      stalled.close()
    }
  })

  describe('during a backfill', () => {
    let kafka: KafkaFixture
    let chain: EventChain
    let proxy: RpcProxy

    before(async () => {
      kafka = await startKafka()
      chain = await startEventChain({ chainId: 7200 })
      proxy = await startRpcProxy(chain.rpcUrl)
    })
    after(async () => {
      await proxy?.close()
      await chain?.stop()
      await kafka?.stop()
    })

    test('SIGTERM while an RPC call of the backfill hangs cuts it short: the process exits cleanly', async () => {
      await chain.emit(10)
      await chain.mine(3000)
      const env = await freshTopicsEnv(kafka, {
        KAFKA_CLIENT_ID: kafka.uniqueTopic('bifrost'),
        EVENTS_CHAINS: JSON.stringify([
          {
            name: 'backfill',
            chainId: chain.chainId,
            rpcUrls: [proxy.url],
            contracts: [{ address: chain.emitter, kind: 'aggregator' }],
            confirmations: 1,
            // Far longer than the test waits: only cutting the call short lets the process go in time
            rpcTimeoutMs: 600_000,
            getLogsMaxBlocks: 5,
            pollIntervalMs: 50,
          },
        ]),
      })
      const { child, output } = serve(env)
      try {
        await eventually('the backfill to be under way', () => (proxy.calls.get('eth_getLogs') ?? 0) >= 3, {
          timeoutMs: 120_000,
        })
        proxy.mode = 'hanging'
        await eventually('an RPC call to hang', () => proxy.held > 0, { timeoutMs: 30_000 })
        const { code, signal } = await exitAfterSigterm(child)
        assert.deepEqual({ code, signal }, { code: 0, signal: null }, output())
      } finally {
        child.kill('SIGKILL')
        proxy.mode = 'up'
      }
    })
  })
})
