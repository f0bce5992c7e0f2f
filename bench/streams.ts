import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs'
import { freePort } from '../src/dev/free-ports'
import { feedSettings } from '../src/inbound/settings'
import { goJsonMarshal } from '../src/streams/go-json'
import { streamSettings } from '../src/streams/settings'
import { freshTopicsEnv } from '../test/support/bifrost'
import { spawnCli, waitForLine } from '../test/support/cli'
import { eventually } from '../test/support/eventually'
import { startKafka, type KafkaFixture } from '../test/support/kafka'
import {
  startStandInConnectionManager,
  type StandInConnectionManager,
} from '../test/support/stand-in-connection-manager'
import { percentile } from './_http-load'

const SAMPLES = 40
const WARMUP_SAMPLES = 3
// The node's polling alternative: one bridge request per asset per second.
const POLL_INTERVAL_MS = 1000
const WAIT = { timeoutMs: 120_000, intervalMs: 1 }

interface Figures {
  stream: number[]
  poll: number[]
}

/**
 * One scenario: `assets` feeds subscribed on one stream. Each sample produces
 * a new value for every one of them in one batch, and times, from just before
 * the produce call, (a) each observation arriving at the stand-in node and
 * (b) a poller asking the HTTP bridge for the first feed once a second seeing
 * the new value. Samples start at random phases of the poll.
 */
const scenario = async (
  producer: Producer,
  topic: string,
  node: StandInConnectionManager,
  adapterUrl: string,
  assets: number,
  prefix: string,
): Promise<Figures> => {
  const feeds = Array.from({ length: assets }, (_, i) => `${prefix}${i}/USD`)
  const keys = new Map(feeds.map((feed) => [goJsonMarshal({ feed }), feed]))
  const produce = (value: number) =>
    producer.send({ topic, messages: feeds.map((feed) => ({ key: feed, value: JSON.stringify({ value }) })) })

  await produce(0)
  for (const feed of feeds) node.use({ feed })
  let seen = node.accepted.length
  const arrived = new Map<string, number>()
  const collect = (value: number) => {
    for (; seen < node.accepted.length; seen++) {
      const a = node.accepted[seen]
      if (a.observation.result === value && keys.has(a.key) && !arrived.has(a.key)) arrived.set(a.key, a.receivedAt)
    }
    return arrived.size === keys.size
  }
  await eventually(`${assets} first observations`, () => collect(0), WAIT)

  let polled: { value: unknown; at: number } | undefined
  let polling = true
  const poller = (async () => {
    while (polling) {
      const started = performance.now()
      const res = await fetch(adapterUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: '1', data: { feed: feeds[0] } }),
      })
      polled = { value: ((await res.json()) as { result?: unknown }).result, at: performance.now() }
      await sleep(Math.max(0, POLL_INTERVAL_MS - (performance.now() - started)))
    }
  })()

  const figures: Figures = { stream: [], poll: [] }
  try {
    for (let sample = 1; sample <= SAMPLES + WARMUP_SAMPLES; sample++) {
      await sleep(Math.random() * POLL_INTERVAL_MS)
      arrived.clear()
      const sent = performance.now()
      await produce(sample)
      await eventually(`sample ${sample} over the stream`, () => collect(sample), WAIT)
      const pollSeen = await eventually(
        `sample ${sample} by polling`,
        () => polled !== undefined && polled.value === sample && polled.at,
        WAIT,
      )
      if (sample <= WARMUP_SAMPLES) continue
      for (const at of arrived.values()) figures.stream.push(at - sent)
      figures.poll.push(pollSeen - sent)
    }
  } finally {
    polling = false
    await poller
  }
  for (const feed of feeds) node.use({ feed })
  return figures
}

const summary = (label: string, latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    [`${label} p50 (ms)`]: percentile(sorted, 50),
    [`${label} p99 (ms)`]: percentile(sorted, 99),
    [`${label} samples`]: sorted.length,
  }
}

/**
 * Kafka record produced -> observation at a stand-in of the node's connection
 * manager, through a real `bifrost serve`, with 1 and with 1,000 assets on the
 * stream; beside it, in the same run and against the same Bifrost, what a node
 * polling the HTTP bridge once a second sees. Ratio: stream p50 / poll p50.
 */
export async function streamsLatency() {
  const kafka: KafkaFixture = await startKafka()
  const broker = process.env['KAFKA_BROKERS']
    ? `Apache Kafka at ${process.env['KAFKA_BROKERS']}`
    : 'test broker (librdkafka mock)'
  let child: ChildProcess | undefined
  let node: StandInConnectionManager | undefined
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  try {
    const topic = kafka.uniqueTopic('bench-streams')
    await kafka.createTopics([{ topic, partitions: 3, compacted: true }])
    await producer.connect()
    const streamsPort = await freePort()
    const env = {
      ...(await freshTopicsEnv(kafka, { FEEDS_TOPICS: topic })),
      EA_PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      STREAMS_HOST: '127.0.0.1',
      STREAMS_PORT: String(streamsPort),
    }
    child = spawnCli(['serve'], env)
    const [, url] = await waitForLine(child, /Adapter listening on (http:\/\/[^\s"]+)/)
    // Keep reading its output, or a full pipe would stall the server mid-run.
    child.stdout?.resume()
    child.stderr?.resume()
    await eventually('Bifrost to be ready', async () => (await fetch(`${url}/ready`)).status === 200, WAIT)
    node = startStandInConnectionManager({
      address: `127.0.0.1:${streamsPort}`,
      bridgeName: streamSettings.parse({}).bridgeName,
      snapshotMs: 200,
      idleMs: 600_000,
    })
    const one = await scenario(producer, topic, node, url, 1, 'ONE')
    const thousand = await scenario(producer, topic, node, url, 1000, 'K')
    const common = {
      broker,
      'feeds.fetchMaxWaitMs (default)': feedSettings.parse({}).fetchMaxWaitMs,
      'HTTP poll interval (ms)': POLL_INTERVAL_MS,
    }
    const median = (latencies: number[]) =>
      percentile(
        [...latencies].sort((a, b) => a - b),
        50,
      )
    return [
      {
        name: 'streams: Kafka record -> observation at the node, 1 asset, vs polling the HTTP bridge every second',
        figures: { ...common, ...summary('stream', one.stream), ...summary('HTTP poll', one.poll) },
        ratio: median(one.stream) / median(one.poll),
      },
      {
        name: 'streams: Kafka record -> observation at the node, 1,000 assets updated per record batch, vs polling every second',
        figures: {
          ...common,
          ...summary('stream', thousand.stream),
          ...summary('HTTP poll (1 of the feeds)', thousand.poll),
        },
        ratio: median(thousand.stream) / median(thousand.poll),
      },
    ]
  } finally {
    await node?.stop()
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
    await producer.disconnect()
    await kafka.stop()
  }
}
