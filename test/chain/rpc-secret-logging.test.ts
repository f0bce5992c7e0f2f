import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import { traceServeEnv } from '../support/bifrost'
import { runCli, spawnCli, waitForLine } from '../support/cli'
import { createCleanups } from '../support/cleanups'
import { startEventChain, type EventChain } from '../support/event-chain'
import { eventually } from '../support/eventually'
import { startKafka, type KafkaFixture } from '../support/kafka'
import { startRpcProxy, type RpcFault, type RpcProxy } from '../support/rpc-proxy'
import { closedPort } from '../support/closed-port'

const CHAIN_ID = 4011
const cleanups = createCleanups()
let kafka: KafkaFixture
let chain: EventChain
let child: ChildProcess | undefined

before(async () => {
  kafka = await startKafka()
  chain = cleanups.track(await startEventChain({ chainId: CHAIN_ID }))
})
after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
  await cleanups.run()
  await kafka?.stop()
})

// `bifrost serve` at the most verbose level, with RPC URLs that carry a marker secret in the path, the query and
// the userinfo, behind endpoints that fail in every way the failover handles (down, hanging, HTTP 500 quoting the
// request, rate limited quoting it, "header not found", a non-hex head, another chain) and one that works. No log
// line, no metric and no `bifrost config` output may hold a secret.
test('RPC URLs never appear beyond scheme and host: not in logs, metrics or printed config', async () => {
  const secrets: string[] = []
  const secret = () => {
    const s = `rpcsecret${secrets.length}x${Math.random().toString(36).slice(2, 10)}`
    secrets.push(s)
    return s
  }
  const proxy = async (fault?: RpcFault, target = chain.rpcUrl): Promise<RpcProxy> => {
    const p = await startRpcProxy(target)
    p.fault = fault
    cleanups.defer(() => p.close())
    return p
  }
  const other = cleanups.track(await startEventChain({ chainId: CHAIN_ID + 1 }))
  const hanging = await proxy()
  hanging.mode = 'hanging'
  const host = (p: RpcProxy) => p.url.replace('http://', '')
  const failing: string[] = [
    `http://127.0.0.1:${await closedPort()}/v3/${secret()}`,
    `${hanging.url}/v3/${secret()}`,
    `${(await proxy('http-500')).url}/v3/${secret()}?apikey=${secret()}`,
    `${(await proxy('rate-limited')).url}/?apikey=${secret()}`,
    `http://user:${secret()}@${host(await proxy('header-not-found'))}/`,
    `${(await proxy('malformed-head')).url}/key/${secret()}`,
    `${(await proxy(undefined, other.rpcUrl)).url}/v3/${secret()}`,
  ]
  const working = `http://svc:${secret()}@${host(await proxy())}/v3/${secret()}`
  const chains = JSON.stringify([
    {
      name: 'secretive',
      chainId: CHAIN_ID,
      rpcUrls: [...failing, working],
      confirmations: 1,
      rpcTimeoutMs: 500,
      pollIntervalMs: 50,
      contracts: [{ address: chain.emitter, kind: 'aggregator' }],
    },
  ])
  const env = await traceServeEnv(kafka, { EVENTS_CHAINS: chains, EVENTS_LEADER_SESSION_TIMEOUT_MS: '6000' })
  const printed = await runCli(['config'], env)
  assert.equal(printed.code, 0, printed.stderr)
  assert.ok(printed.stdout.includes('"http://127.0.0.1:'), 'the endpoints are printed, by scheme and host')

  let output = ''
  child = spawnCli(['serve'], env)
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const [, url] = await waitForLine(child, /Adapter listening on (http:\/\/[^\s"]+)/)
  await chain.emit(2)
  await chain.mine(1)
  await eventually(
    'the chain to publish through the working endpoint',
    async () => /bifrost_events_published_block\{[^}]*chain="secretive"[^}]*\} [1-9]/.test(await metricsText(output)),
    { timeoutMs: 60_000, intervalMs: 200 },
  )
  // Every failing endpoint was tried and logged (by host) at least once.
  for (const failure of [
    /ECONNREFUSED/,
    /no answer within 500 ms/,
    /HTTP 500/,
    /rate limited/,
    /malformed/,
    /serves chain 4012/,
  ]) {
    await eventually(`a log line matching ${failure}`, () => failure.test(output), {
      timeoutMs: 30_000,
      intervalMs: 100,
    })
  }
  const ready = await (await fetch(`${url}/ready`)).text()
  const metrics = await metricsText(output)
  for (const s of secrets) {
    assert.ok(!output.includes(s), `${s} appears in the logs`)
    assert.ok(!metrics.includes(s), `${s} appears in the metrics`)
    assert.ok(!ready.includes(s), `${s} appears in /ready`)
    assert.ok(!printed.stdout.includes(s) && !printed.stderr.includes(s), `${s} appears in bifrost config`)
  }
})

const metricsText = async (output: string): Promise<string> => {
  const metricsUrl = /Metrics on (http:\/\/[^\s"]+)/.exec(output)?.[1]
  return metricsUrl ? (await fetch(metricsUrl)).text() : ''
}
