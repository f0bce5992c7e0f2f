import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { startBifrost, type Bifrost } from '../../src/bifrost'
import { loadConfig, redactConfig } from '../../src/config/load'
import type { StatusSnapshot } from '../../src/status/snapshot'
import { freshTopicsEnv } from '../support/bifrost'
import { eventually } from '../support/eventually'
import { startFakeChainlinkNode, type FakeChainlinkNode } from '../support/fake-chainlink-node'
import { startKafka, type KafkaFixture } from '../support/kafka'
import { useEphemeralAdapters } from '../support/adapter-http'

useEphemeralAdapters()

interface StatusAnswer {
  adapter: { name: string; version: string; uptimeSeconds: number }
  endpoints: Array<{ name: string }>
  defaultEndpoint: string
  configuration: unknown[]
  runtime: { nodeVersion: string }
  metrics: { enabled: boolean }
  bifrost: StatusSnapshot
}

const status = async (url: string): Promise<StatusAnswer> => {
  const res = await fetch(`${url}/status`)
  assert.equal(res.status, 200)
  return (await res.json()) as StatusAnswer
}

describe('/status, as the node polls it', () => {
  let kafka: KafkaFixture
  let node: FakeChainlinkNode
  let bifrost: Bifrost
  let config: ReturnType<typeof loadConfig>

  before(async () => {
    kafka = await startKafka()
    node = await startFakeChainlinkNode()
    const env = await freshTopicsEnv(kafka, { KAFKA_CLIENT_ID: kafka.uniqueTopic('bifrost') })
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer()
    await producer.connect()
    await producer.send({
      topic: env['FEEDS_TOPICS'],
      messages: [
        { key: 'ETH/USD', value: JSON.stringify({ value: '3000', source: 'a' }) },
        { key: 'OLD/USD', value: JSON.stringify({ value: '1', source: 'a', timestamp: Date.now() - 3_600_000 }) },
      ],
    })
    await producer.disconnect()
    config = loadConfig({ env })
    bifrost = await startBifrost(config)
  })
  after(async () => {
    await bifrost?.stop()
    await node?.stop()
    await kafka?.stop()
  })

  test('keeps every field the framework answers', async () => {
    const answer = await status(bifrost.adapterUrl)
    assert.equal(answer.adapter.name, 'BIFROST')
    assert.equal(typeof answer.adapter.uptimeSeconds, 'number')
    assert.deepEqual(answer.endpoints.map((e) => e.name).sort(), ['feed', 'request'])
    assert.equal(answer.defaultEndpoint, 'feed')
    assert.ok(answer.configuration.length > 0)
    assert.equal(answer.runtime.nodeVersion, process.version)
    assert.equal(answer.metrics.enabled, false)
  })

  test("adds Bifrost's settings with secrets redacted, and no section for a part that is not running", async () => {
    const { bifrost: snapshot } = await status(bifrost.adapterUrl)
    assert.deepEqual(snapshot.settings, JSON.parse(JSON.stringify(redactConfig(config))))
    assert.equal(snapshot.chains, undefined, 'no chains are configured')
    assert.deepEqual(snapshot.streaming, { clients: [] }, 'the streaming bridge runs, no node is connected')
  })

  test('tells whether the feeds have caught up, how many there are and how many are stale', async () => {
    const feeds = await eventually('feeds caught up', async () => {
      const { bifrost: snapshot } = await status(bifrost.adapterUrl)
      return snapshot.feeds?.caughtUp && snapshot.feeds
    })
    assert.deepEqual(feeds, { caughtUp: true, topics: config.feeds.topics, feeds: 2, stale: 1 })
  })

  test('counts the requests running, the same model the operator API reads', async () => {
    await eventually(
      'requests ready',
      async () => (await status(bifrost.adapterUrl)).bifrost.requests?.notReadyReason === undefined,
    )
    const res = await fetch(bifrost.adapterUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        data: { endpoint: 'request', type: 'shipment-status', params: { shipment: '1' } },
        meta: { oracleRequest: { requestId: '0x01' } },
        responseURL: node.responseUrl(),
      }),
    })
    assert.deepEqual(await res.json(), { pending: true })
    const requests = (await status(bifrost.adapterUrl)).bifrost.requests
    assert.equal(requests?.enabled, true)
    assert.equal(requests?.open, 1)
    assert.ok((requests?.oldestOpenSeconds ?? -1) >= 0)
    assert.equal(bifrost.status.snapshot().requests?.open, 1)
  })
})
