import { setTimeout as sleep } from 'node:timers/promises'
import { Partitioners, type Kafka, type Producer } from 'kafkajs'
import { loadConfig } from '../src/config/load'
import { createFeedIngest } from '../src/inbound/feed-ingest'
import { createFeedStore, type FeedStore } from '../src/inbound/feed-store'
import { feedSettings } from '../src/inbound/settings'
import { createKafka } from '../src/kafka/client'
import { startKafka, type KafkaFixture } from '../test/support/kafka'
import { useDefaultLogger } from '../test/support/logger'
import { percentile } from './_http-load'

// The test broker keeps at most 5 MB per partition (it drops the oldest beyond
// that), so the backlog is spread to stay well under it: 60k records a partition.
const PARTITIONS = 6
const RECORDS = 360_000
const FEEDS = 1000
const SOURCES = ['alpha', 'beta', 'gamma']
const ROUNDS = 2
const LATENCY_SAMPLES = 300
const DEFAULT_WAIT_SAMPLES = 100

const produceBacklog = async (producer: Producer, topic: string): Promise<void> => {
  const now = Date.now()
  const batch = 10_000
  for (let sent = 0; sent < RECORDS; sent += batch) {
    const messages = Array.from({ length: batch }, (_, i) => {
      const n = sent + i
      const value = { value: 1000 + (n % 997) / 100, source: SOURCES[n % SOURCES.length], timestamp: now + n }
      return { key: `FEED${n % FEEDS}/USD`, value: JSON.stringify(value) }
    })
    await producer.send({ topic, messages })
  }
}

const assertBacklogKept = async (kafka: Kafka, topic: string): Promise<void> => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    const kept = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0)
    if (kept !== RECORDS) throw new Error(`the broker kept ${kept} of the ${RECORDS} records produced`)
  } finally {
    await admin.disconnect()
  }
}

/** (b) Milliseconds from connecting to every record of the backlog being servable: Bifrost's ingest. */
const drainWithIngest = async (kafka: Kafka, topic: string): Promise<number> => {
  const settings = feedSettings.parse({ topics: [topic], deadLetterTopic: `${topic}.dlq` })
  const ingest = createFeedIngest({ kafka, settings, clientId: 'bench' })
  const started = performance.now()
  await ingest.start()
  while (ingest.readiness.notReadyReason() !== undefined) await sleep(1)
  const ms = performance.now() - started
  await ingest.stop()
  if (ingest.store.size !== FEEDS) throw new Error(`expected ${FEEDS} feeds, got ${ingest.store.size}`)
  return ms
}

/** (b) baseline: a bare kafkajs consumer that only counts what it is given. */
const drainBare = async (kafka: Kafka, topic: string): Promise<number> => {
  const consumer = kafka.consumer({ groupId: `bench-bare-${topic}-${Math.random()}`, maxWaitTimeInMs: 100 })
  const started = performance.now()
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  let count = 0
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        count += batch.messages.length
        if (count >= RECORDS) resolve()
      },
    })
  })
  const ms = performance.now() - started
  await consumer.disconnect()
  return ms
}

/** Milliseconds from handing one record to the producer to it being applied, for `samples` records in turn. */
const latencies = async (
  fixture: KafkaFixture,
  producer: Producer,
  consume: (onValue: (value: number) => void, topic: string) => Promise<{ stop(): Promise<void> }>,
  samples: number,
): Promise<number[]> => {
  const topic = fixture.uniqueTopic('bench-latency')
  await fixture.createTopics([{ topic, partitions: 3 }, { topic: `${topic}.dlq` }])
  const waiting = new Map<number, (at: number) => void>()
  const consumer = await consume((value) => waiting.get(value)?.(performance.now()), topic)
  try {
    const out: number[] = []
    for (let i = 0; i < samples; i++) {
      // Anywhere in the consumer's fetch cycle, as records arrive in real life.
      await sleep(Math.random() * 10)
      const applied = new Promise<number>((resolve) => waiting.set(i, resolve))
      const sent = performance.now()
      await producer.send({ topic, messages: [{ key: 'LAT/USD', value: JSON.stringify({ value: i }) }] })
      out.push((await applied) - sent)
      waiting.delete(i)
    }
    return out.sort((a, b) => a - b)
  } finally {
    await consumer.stop()
  }
}

const ingestLatency =
  (kafka: Kafka, fetchMaxWaitMs: number) => async (onValue: (value: number) => void, topic: string) => {
    const store = createFeedStore()
    const timed: FeedStore = {
      apply: (update) => {
        store.apply(update)
        if (update.feed === 'LAT/USD') onValue(update.value as number)
      },
      remove: store.remove,
      get: store.get,
      feeds: store.feeds,
      onChange: store.onChange,
      get size() {
        return store.size
      },
      get generation() {
        return store.generation
      },
    }
    const settings = feedSettings.parse({ topics: [topic], deadLetterTopic: `${topic}.dlq`, fetchMaxWaitMs })
    const ingest = createFeedIngest({ kafka, settings, clientId: 'bench', store: timed })
    await ingest.start()
    while (ingest.readiness.notReadyReason() !== undefined) await sleep(1)
    return ingest
  }

const bareLatency =
  (kafka: Kafka, fetchMaxWaitMs: number) => async (onValue: (value: number) => void, topic: string) => {
    const consumer = kafka.consumer({ groupId: `bench-bare-${topic}`, maxWaitTimeInMs: fetchMaxWaitMs })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) onValue((JSON.parse(String(m.value)) as { value: number }).value)
      },
    })
    return { stop: () => consumer.disconnect() }
  }

/**
 * (b) Ingest rate, Kafka -> servable: a backlog of 300k feed records re-read
 * until readiness says every one is in the store, against a bare kafkajs
 * consumer draining the same topic. (c) Produce -> servable latency, one
 * record at a time, against a bare consumer seeing the same record.
 */
export async function ingest() {
  useDefaultLogger()
  const fixture = await startKafka()
  try {
    const kafka = createKafka(loadConfig({ env: { KAFKA_BROKERS: fixture.brokers.join(',') } }).kafka)
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    try {
      const backlog = fixture.uniqueTopic('bench-backlog')
      await fixture.createTopics([{ topic: backlog, partitions: PARTITIONS }, { topic: `${backlog}.dlq` }])
      await produceBacklog(producer, backlog)
      await assertBacklogKept(kafka, backlog)

      const bare: number[] = []
      const ours: number[] = []
      for (let round = 0; round < ROUNDS; round++) {
        bare.push(await drainBare(kafka, backlog))
        ours.push(await drainWithIngest(kafka, backlog))
      }
      const bareRate = RECORDS / (Math.min(...bare) / 1000)
      const oursRate = RECORDS / (Math.min(...ours) / 1000)

      const fast = 5
      const bareFast = await latencies(fixture, producer, bareLatency(kafka, fast), LATENCY_SAMPLES)
      const oursFast = await latencies(fixture, producer, ingestLatency(kafka, fast), LATENCY_SAMPLES)
      const defaultWait = feedSettings.parse({}).fetchMaxWaitMs
      const oursDefault = await latencies(fixture, producer, ingestLatency(kafka, defaultWait), DEFAULT_WAIT_SAMPLES)

      return [
        {
          name: 'ingest rate, Kafka -> servable: feed ingest vs a bare kafkajs consumer draining the same topic',
          figures: {
            [`records (${PARTITIONS} partitions, ${FEEDS} feeds x ${SOURCES.length} sources)`]: RECORDS,
            'baseline records/s': Math.round(bareRate),
            'bifrost records/s (all servable, ready)': Math.round(oursRate),
            'goal: ratio at least': 0.8,
          },
          ratio: oursRate / bareRate,
        },
        {
          name: 'produce -> servable latency, one record at a time (ratio: baseline p99 / bifrost p99)',
          figures: {
            [`fetch max wait (ms), both sides`]: fast,
            'baseline p50 (ms)': percentile(bareFast, 50),
            'baseline p99 (ms)': percentile(bareFast, 99),
            'bifrost p50 (ms)': percentile(oursFast, 50),
            'bifrost p99 (ms)': percentile(oursFast, 99),
            [`bifrost p50 (ms) at the default fetch max wait (${defaultWait} ms)`]: percentile(oursDefault, 50),
            [`bifrost p99 (ms) at the default fetch max wait (${defaultWait} ms)`]: percentile(oursDefault, 99),
            'goal: p99 below (ms)': 20,
          },
          ratio: percentile(bareFast, 99) / percentile(oursFast, 99),
        },
      ]
    } finally {
      await producer.disconnect()
    }
  } finally {
    await fixture.stop()
  }
}
