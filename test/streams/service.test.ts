import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs'
import { freePorts } from '../../src/dev/free-ports'
import type { Json } from '../../src/json'
import type { StatusSnapshot } from '../../src/status/snapshot'
import { goJsonMarshal } from '../../src/streams/go-json'
import { freshTopicsEnv } from '../support/bifrost'
import { createCleanups } from '../support/cleanups'
import { spawnCli, waitForLine } from '../support/cli'
import { eventually } from '../support/eventually'
import { startKafka, type KafkaFixture } from '../support/kafka'
import {
  startStandInConnectionManager,
  type StandInConnectionManager,
  type StandInOptions,
} from '../support/stand-in-connection-manager'

type Data = { [key: string]: Json }

// Generous: the machine is shared, and a wait only ends early when things work.
const WAIT = { timeoutMs: 90_000, intervalMs: 20 }
// Registered on the node as `bridge-bifrost-stream`, configured without the prefix: the node hashes the name without it.
const BRIDGE_NAME = 'bridge-bifrost-stream'

describe('the gRPC streaming bridge of a real `bifrost serve`', () => {
  const cleanups = createCleanups()
  let kafka: KafkaFixture
  let producer: Producer
  let topic: string
  let env: Record<string, string>
  let streamsPort: number
  let metricsPort: number
  let serve: { child: ChildProcess; url: string; output: () => string }

  const startServe = async () => {
    const child = spawnCli(['serve'], env)
    let output = ''
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    const [, url] = await waitForLine(child, /Adapter listening on (http:\/\/[^\s"]+)/)
    await eventually('Bifrost to be ready', async () => (await fetch(`${url}/ready`)).status === 200, WAIT)
    serve = { child, url, output: () => output }
  }

  const stopServe = async () => {
    const { child } = serve
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  }

  const publish = (...records: Array<{ feed: string; value: number | string; timestamp?: number; source?: string }>) =>
    producer.send({
      topic,
      messages: records.map(({ feed, ...value }) => ({ key: feed, value: JSON.stringify(value) })),
    })

  const http = async (data: Data) => {
    const res = await fetch(serve.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: '1', data }),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  const standIn = (options: Partial<StandInOptions> = {}): StandInConnectionManager =>
    cleanups.track(
      startStandInConnectionManager({
        address: `127.0.0.1:${streamsPort}`,
        bridgeName: BRIDGE_NAME,
        snapshotMs: 200,
        idleMs: 1_000,
        initialBackoffMs: 100,
        maxBackoffMs: 1_000,
        ...options,
      }),
    )

  const acceptedFor = (node: StandInConnectionManager, data: Data) =>
    node.accepted.filter((a) => a.key === goJsonMarshal(data))

  const arrives = (node: StandInConnectionManager, data: Data, result: Json, from = 0) =>
    eventually(
      `${JSON.stringify(data)} to arrive with result ${JSON.stringify(result)}`,
      () => node.accepted.slice(from).find((a) => a.key === goJsonMarshal(data) && a.observation.result === result),
      WAIT,
    )

  const metric = async (name: string): Promise<number | undefined> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    // The framework adds default labels (app_name, app_version) to every metric.
    const value = text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'))?.[1]
    return value === undefined ? undefined : Number(value)
  }

  before(async () => {
    kafka = await startKafka()
    cleanups.defer(() => kafka.stop())
    producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    await producer.connect()
    cleanups.defer(() => producer.disconnect())
    // One partition: records of different feeds are applied in the order they were produced.
    topic = kafka.uniqueTopic('feeds')
    await kafka.createTopics([{ topic, partitions: 1, compacted: true }])
    ;[streamsPort, metricsPort] = await freePorts(2)
    env = {
      ...(await freshTopicsEnv(kafka, { FEEDS_TOPICS: topic })),
      EA_PORT: '0',
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
      FEEDS_FETCH_MAX_WAIT_MS: '20',
      STREAMS_HOST: '127.0.0.1',
      STREAMS_PORT: String(streamsPort),
      STREAMS_BRIDGE_NAME: 'bifrost-stream',
      STREAMS_REFRESH_SECONDS: '1',
    }
    await startServe()
    cleanups.defer(stopServe)
  })

  after(() => cleanups.run())

  test('a subscribed feed reaches the node on subscribe and on every update, with a hash it accepts and the HTTP answer', async () => {
    const now = Date.now()
    await publish(
      { feed: 'S&P500/USD', value: 5000.5, timestamp: now },
      { feed: 'ETH/USD', value: 3000, source: 'a', timestamp: now },
      { feed: 'ETH/USD', value: '3001', source: 'b', timestamp: now },
      { feed: 'BTC/USD', value: 90000, source: 'a', timestamp: now - 1000 },
      { feed: 'BTC/USD', value: 91000, source: 'b', timestamp: now },
    )
    const assets: Data[] = [
      { feed: 'S&P500/USD' },
      { base: 'ETH', quote: 'USD', aggregate: 'mean', minSources: 2, maxAgeSeconds: 60 },
      { endpoint: 'FEED', from: 'BTC', to: 'USD', aggregate: 'latest' },
    ]
    const neverSent: Data[] = [
      { feed: 'NOPE/USD' },
      { feed: 'BTC/USD', minSources: 3 },
      { endpoint: 'request', type: 'shipment-status', params: { shipment: '4711' } },
    ]
    const node = standIn({ idleMs: 600_000 })
    for (const data of [...assets, ...neverSent]) node.use(data)

    await arrives(node, assets[0], 5000.5)
    await arrives(node, assets[1], '3000.5')
    await arrives(node, assets[2], 91000)
    const mark = node.accepted.length
    await publish(
      { feed: 'S&P500/USD', value: 5001.25, timestamp: Date.now() },
      { feed: 'ETH/USD', value: 3002, source: 'a' },
    )
    await arrives(node, assets[0], 5001.25, mark)
    await arrives(node, assets[1], '3001.5', mark)

    for (const data of assets) {
      const streamed = acceptedFor(node, data).at(-1)!.observation
      const { status, body } = await http(data)
      assert.equal(status, 200)
      assert.deepEqual(Object.keys(streamed).sort(), Object.keys(body).sort(), 'the same fields as over HTTP')
      assert.deepEqual(streamed.data, body['data'])
      assert.equal(streamed.result, body['result'])
      assert.equal(streamed.statusCode, 200)
      const timestamps = body['timestamps'] as Record<string, number>
      assert.equal(streamed.timestamps.providerIndicatedTimeUnixMs, timestamps['providerIndicatedTimeUnixMs'])
      assert.equal(typeof streamed.timestamps.providerDataReceivedUnixMs, 'number')
      assert.ok(node.read(data), 'a run reads it from the cache')
    }
    for (const data of neverSent) {
      if (data['endpoint'] !== 'request') {
        assert.notEqual((await http(data)).status, 200, `${JSON.stringify(data)} is an error answer over HTTP`)
      }
      assert.deepEqual(acceptedFor(node, data), [], `${JSON.stringify(data)} is never sent`)
      assert.equal(node.read(data), undefined)
    }
    assert.equal(node.rejected, 0, 'every response carried the hash of a registered asset')

    assert.equal(await metric('bifrost_streams_assets_subscribed'), assets.length + neverSent.length)
    assert.equal(await metric('bifrost_streams_connected'), 1)
    assert.ok((await metric('bifrost_streams_observations_sent_total'))! >= node.accepted.length)
    await eventually(
      'a refresh of an unchanged answer',
      async () => (await metric('bifrost_streams_refreshes_total'))! > 0,
      WAIT,
    )
    const refusals = serve
      .output()
      .split('\n')
      .filter((l) => l.includes('Not serving') && l.includes('shipment-status'))
    assert.equal(
      refusals.length,
      1,
      `the request asset is logged once, however often it is subscribed:\n${refusals.join('\n')}`,
    )
    assert.match(refusals[0], /endpoint \\?"request\\?" is not served over the stream/)
    await node.stop()
  })

  test('an asset left out of the set is no longer sent', async () => {
    const dropped = { feed: 'SHRINK/X' }
    const kept = { feed: 'SHRINK/W' }
    await publish({ feed: 'SHRINK/X', value: 1 }, { feed: 'SHRINK/W', value: 1 })
    const node = standIn()
    node.use(dropped)
    node.use(kept)
    await arrives(node, dropped, 1)
    await arrives(node, kept, 1)
    // Runs keep asking for `kept` only; the node's idle rule takes `dropped` out of its set.
    await eventually(
      'the set without the dropped asset',
      () => {
        node.use(kept)
        return !node.lastSet.includes(goJsonMarshal(dropped))
      },
      WAIT,
    )
    // Sets are handled in order: once an asset new in a later set arrives, Bifrost has the smaller set.
    const marker = { feed: 'SHRINK/W', aggregate: 'latest' }
    node.use(marker)
    await arrives(node, marker, 1)
    const mark = node.accepted.length
    await publish({ feed: 'SHRINK/X', value: 2 }, { feed: 'SHRINK/W', value: 2 })
    await arrives(node, kept, 2, mark)
    assert.equal((await http(dropped)).body['result'], 2, 'Bifrost has the update')
    assert.deepEqual(
      node.accepted.slice(mark).filter((a) => a.key === goJsonMarshal(dropped)),
      [],
      'nothing more is sent for the dropped asset',
    )
    await node.stop()
  })

  test('two nodes on one Bifrost each get every update of what they subscribed', async () => {
    await publish({ feed: 'TWO/USD', value: 10 })
    const first = standIn()
    const second = standIn()
    first.use({ feed: 'TWO/USD' })
    second.use({ feed: 'TWO/USD' })
    second.use({ feed: 'TWO/USD', aggregate: 'mean' })
    await arrives(first, { feed: 'TWO/USD' }, 10)
    await arrives(second, { feed: 'TWO/USD' }, 10)
    await publish({ feed: 'TWO/USD', value: 11 })
    await arrives(first, { feed: 'TWO/USD' }, 11)
    await arrives(second, { feed: 'TWO/USD' }, 11)
    await arrives(second, { feed: 'TWO/USD', aggregate: 'mean' }, 11)
    assert.deepEqual(acceptedFor(first, { feed: 'TWO/USD', aggregate: 'mean' }), [], 'only what this node subscribed')
    assert.equal(first.rejected + second.rejected, 0)
    await first.stop()
    await second.stop()
  })

  test('/status lists each connected node with what it subscribed, and forgets a node that hangs up', async () => {
    await publish({ feed: 'STAT/USD', value: 1 })
    const streaming = async () =>
      ((await (await fetch(`${serve.url}/status`)).json()) as { bifrost: StatusSnapshot }).bifrost.streaming
    const node = standIn()
    node.use({ feed: 'STAT/USD' })
    node.use({ feed: 'STAT/USD', endpoint: 'request' })
    await arrives(node, { feed: 'STAT/USD' }, 1)
    const clients = await eventually('the node in /status', async () => {
      const now = (await streaming())?.clients ?? []
      return now.some((c) => c.subscriptions === 1 && c.refused === 1) && now
    })
    const client = clients.find((c) => c.subscriptions === 1)!
    assert.match(client.peer, /127\.0\.0\.1/)
    assert.ok(Date.parse(client.connectedAt) <= Date.now())
    await node.stop()
    await eventually('the node gone from /status', async () => (await streaming())?.clients.length === 0)
  })

  test('1,000 assets on one stream each get their observation and every update', async () => {
    const feeds = Array.from({ length: 1000 }, (_, i) => `K${String(i).padStart(4, '0')}/USD`)
    await publish(...feeds.map((feed) => ({ feed, value: 1 })))
    const node = standIn({ idleMs: 600_000 })
    for (const feed of feeds) node.use({ feed })
    const keys = new Set(feeds.map((feed) => goJsonMarshal({ feed })))
    const reached = (result: number, from: number) => {
      const seen = new Set<string>()
      for (const a of node.accepted.slice(from)) if (a.observation.result === result) seen.add(a.key)
      return [...keys].every((k) => seen.has(k))
    }
    await eventually('all 1,000 first observations', () => reached(1, 0), WAIT)
    const mark = node.accepted.length
    await publish(...feeds.map((feed) => ({ feed, value: 2 })))
    await eventually('all 1,000 updates', () => reached(2, mark), WAIT)
    assert.equal(node.rejected, 0)
    await node.stop()
  })

  test('a feed that goes stale is no longer refreshed, so the node stops serving it', async () => {
    const stale = { feed: 'STALE/USD', maxAgeSeconds: 3 }
    const witness = { feed: 'FRESH/USD' }
    await publish({ feed: 'STALE/USD', value: 7, timestamp: Date.now() }, { feed: 'FRESH/USD', value: 8 })
    const node = standIn({ idleMs: 600_000, cacheMs: 3_000 })
    node.use(stale)
    node.use(witness)
    await eventually('a refresh of the fresh answer', () => acceptedFor(node, stale).length >= 2 || undefined, WAIT)
    await eventually('the HTTP bridge to call it stale', async () => (await http(stale)).status === 503, WAIT)
    // The stream is ordered: two witness refreshes later, anything sent before the feed went stale has arrived.
    const count = () => acceptedFor(node, witness).length
    const w0 = count()
    await eventually('two witness refreshes', () => count() >= w0 + 2, WAIT)
    const staleSent = acceptedFor(node, stale).length
    await eventually('three more witness refreshes', () => count() >= w0 + 5, WAIT)
    assert.equal(acceptedFor(node, stale).length, staleSent, 'no refresh of the stale answer')
    await eventually('the cached observation to expire', () => node.read(stale) === undefined, WAIT)
    assert.ok(node.read(witness), 'the fresh feed is still served')
    await node.stop()
  })

  test('after Bifrost restarts, the node reconnects and gets every asset again', async () => {
    const assets: Data[] = [{ feed: 'R1/USD' }, { feed: 'R2/USD' }, { base: 'R3', quote: 'USD' }]
    await publish({ feed: 'R1/USD', value: 1 }, { feed: 'R2/USD', value: 2 }, { feed: 'R3/USD', value: 3 })
    const node = standIn({ idleMs: 600_000 })
    for (const data of assets) node.use(data)
    for (const [i, data] of assets.entries()) await arrives(node, data, i + 1)
    await stopServe()
    await startServe()
    for (const [i, data] of assets.entries()) {
      await eventually(
        `${JSON.stringify(data)} again after the restart`,
        () => acceptedFor(node, data).find((a) => a.connection > 1 && a.observation.result === i + 1),
        WAIT,
      )
    }
    assert.ok(node.connections >= 2)
    assert.equal(node.rejected, 0)
    await node.stop()
  })
})
