import { Kafka, logLevel, type KafkaConfig } from 'kafkajs'
import { createKafka } from '../../src/kafka/client'
import { scanTopic } from '../../src/kafka/scan'
import { kafkaSettings } from '../../src/kafka/settings'
import { eventId } from '../../src/outbound/ledger'
import type { OracleEventMessage } from '../../src/outbound/message'
import { eventMetrics } from '../../src/outbound/metrics'
import { startEventPublisher, type EventPublisher } from '../../src/outbound/publisher'
import { eventSettings, type EventSettings } from '../../src/outbound/settings'
import { eventually } from './eventually'
import { eventTransactions, type KafkaFixture } from './kafka'
import type { ReadRecord } from './topic-reader'

export interface OutboundTopics {
  topic: string
  checkpointTopic: string
  deadLetterTopic: string
}

/** Fresh events, checkpoint (one partition, compacted) and dead-letter topics. */
export const createOutboundTopics = async (kafka: KafkaFixture, partitions = 3): Promise<OutboundTopics> => {
  const topics = {
    topic: kafka.uniqueTopic('events'),
    checkpointTopic: kafka.uniqueTopic('events-checkpoints'),
    deadLetterTopic: kafka.uniqueTopic('events-dlq'),
  }
  await kafka.createTopics([
    { topic: topics.topic, partitions },
    { topic: topics.checkpointTopic, partitions: 1, compacted: true },
    { topic: topics.deadLetterTopic },
  ])
  return topics
}

/** Test-speed events settings: quick polls, a checkpoint after every step, a short leader session. */
export const testEventSettings = (topics: OutboundTopics, chains: Array<Record<string, unknown>>): EventSettings =>
  eventSettings.parse({
    ...topics,
    checkpointIntervalMs: 0,
    leaderSessionTimeoutMs: 1500,
    transactions: eventTransactions(),
    chains: chains.map((chain) => ({ pollIntervalMs: 20, rpcTimeoutMs: 2000, ...chain })),
  })

export const startTestPublisher = (
  brokers: string[],
  settings: EventSettings,
  overrides: Partial<KafkaConfig> = {},
): Promise<EventPublisher> =>
  startEventPublisher({
    kafka: createKafka(kafkaSettings.parse({ brokers }), overrides),
    settings,
    groupIdPrefix: 'bifrost-test',
  })

export interface PublishedEvent extends OracleEventMessage {
  id: string
  key: string
  partition: number
}

/** The event messages among `records` (of `topic`), parsed, in the order read. */
export const eventsOf = (records: ReadRecord[], topic: string): PublishedEvent[] =>
  records
    .filter((r) => r.topic === topic && r.value)
    .map((r) => {
      const value = JSON.parse(r.value as string) as OracleEventMessage
      return { ...value, id: eventId(value.blockHash, value.logIndex), key: r.key as string, partition: r.partition }
    })

/** Resolves once the chain's pipeline reports every block up to `block` published (prom-client gauge). */
export const untilPublished = async (chain: string, block: number, timeoutMs = 20_000): Promise<void> => {
  await eventually(
    `chain ${chain} published up to block ${block}`,
    async () => {
      const { values } = await eventMetrics().publishedBlock.get()
      return (values.find((v) => v.labels['chain'] === chain)?.value ?? -1) >= block
    },
    { timeoutMs },
  )
}

/** Confirmed ids that appear more than once: must always be empty. */
export const duplicates = (events: PublishedEvent[]): string[] => {
  const seen = new Map<string, number>()
  for (const e of events) if (e.status === 'confirmed') seen.set(e.id, (seen.get(e.id) ?? 0) + 1)
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id)
}

/**
 * Messages a read_committed consumer finds on a (fresh) topic, however fast a test consumer reads: every record
 * from each partition's start to its end. A commit marker takes an offset but is no message, so offsets alone
 * would over-count with transactions.
 */
export const messageCount = async (brokers: string[], topic: string): Promise<number> => {
  const kafka = new Kafka({ clientId: 'test-count', brokers, logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  let offsets
  try {
    offsets = await admin.fetchTopicOffsets(topic)
  } finally {
    await admin.disconnect()
  }
  // Records read, not offsets: with transactions every commit marker takes an offset too.
  let count = 0
  await scanTopic({
    kafka,
    topic,
    ranges: new Map(offsets.map((o) => [o.partition, { from: Number(o.low), end: Number(o.high) }])),
    groupPrefix: 'test-count',
    timeoutMs: 60_000,
    onRecord: () => count++,
  })
  return count
}

/**
 * An events chain watching the test emitter: as an aggregator by default, or
 * with `{ kind: 'custom', abi }`; other chain settings go in `extra`.
 */
export const emitterChain = (
  name: string,
  chain: { chainId: number; rpcUrl: string; emitter: string },
  { kind = 'aggregator', abi, ...extra }: { kind?: string; abi?: string[] } & Record<string, unknown> = {},
) => ({
  name,
  chainId: chain.chainId,
  rpcUrls: [chain.rpcUrl],
  contracts: [{ address: chain.emitter, kind, ...(abi ? { abi } : {}) }],
  ...extra,
})
