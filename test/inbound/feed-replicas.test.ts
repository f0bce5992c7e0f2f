import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs'
import { freshTopicsEnv } from '../support/bifrost'
import { spawnCli, waitForLine } from '../support/cli'
import { eventually } from '../support/eventually'
import { startKafka, type KafkaFixture } from '../support/kafka'

const result = async (url: string, feed: string): Promise<unknown> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: '1', data: { feed } }),
  })
  return ((await res.json()) as { result?: unknown }).result
}

let kafka: KafkaFixture
let producer: Producer
const replicas: ChildProcess[] = []

before(async () => {
  kafka = await startKafka()
  producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
})

after(async () => {
  for (const child of replicas) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
  await producer?.disconnect()
  await kafka?.stop()
})

test('two `bifrost serve` replicas each read every partition and answer the same feed', async () => {
  const feeds = kafka.uniqueTopic('feeds')
  await kafka.createTopics([{ topic: feeds, partitions: 4, compacted: true }])
  const env = {
    ...(await freshTopicsEnv(kafka, { FEEDS_TOPICS: feeds })),
    EA_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    FEEDS_FETCH_MAX_WAIT_MS: '20',
  }
  // Feeds placed on all four partitions: a replica that got only some
  // partitions (one shared consumer group) could not answer all of them.
  const names = ['ETH/USD', 'BTC/USD', 'LINK/USD', 'SOL/USD', 'AVAX/USD', 'DOT/USD']
  await producer.send({
    topic: feeds,
    messages: names.map((feed, i) => ({ key: feed, partition: i % 4, value: JSON.stringify({ value: i + 1 }) })),
  })

  const urls: string[] = []
  for (let i = 0; i < 2; i++) {
    // Deployed as documented: the same configuration, with the request endpoint on the first replica only.
    const child = spawnCli(['serve'], { ...env, REQUESTS_ENABLED: i === 0 ? 'true' : 'false' })
    replicas.push(child)
    const [, url] = await waitForLine(child, /Adapter listening on (http:\/\/[^\s"]+)/)
    urls.push(url)
  }
  for (const url of urls) {
    await eventually(`${url} to be ready`, async () => (await fetch(`${url}/ready`)).status === 200)
    assert.deepEqual(await Promise.all(names.map((feed) => result(url, feed))), [1, 2, 3, 4, 5, 6])
  }

  const refused = await fetch(urls[1], {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'run-1', data: { endpoint: 'request', type: 'shipment-status' } }),
  })
  assert.equal(refused.status, 503)
  assert.match(((await refused.json()) as { error: { message: string } }).error.message, /requests\.enabled/)

  await producer.send({
    topic: feeds,
    messages: [{ key: 'ETH/USD', partition: 0, value: JSON.stringify({ value: '3001.5' }) }],
  })
  for (const url of urls) {
    await eventually(`${url} to serve the update`, async () => (await result(url, 'ETH/USD')) === '3001.5')
  }
})
