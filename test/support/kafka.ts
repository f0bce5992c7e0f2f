import { randomBytes } from 'node:crypto'
import { startTestBroker, type TopicSpec, type WriteRefusal } from '../../src/dev/test-broker'
import { createTopicAdmin } from '../../src/dev/topic-admin'

export type { TopicSpec }

/** What every Kafka integration test gets: a broker, a way to make topics, and a clean stop */
export interface KafkaFixture {
  brokers: string[]
  /** Creates topics (default 1 partition); an existing topic is left alone */
  createTopics(t: TopicSpec[]): Promise<void>
  /** `${prefix}-<random>`: topics and groups of parallel tests never collide */
  uniqueTopic(prefix: string): string
  /**
   * The test broker only: makes it refuse writes to a topic for good (too large,
   * not authorized). Undefined on a real cluster, whose limits and ACLs are its own.
   */
  refuseWrites?(refusal: WriteRefusal): Promise<void>
  stop(): Promise<void>
}

const externalBrokers = (): string[] =>
  (process.env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean)

/**
 * True when the suite runs on a real Kafka (KAFKA_BROKERS, e.g. `npm run test:kafka`), false on the
 * librdkafka mock. Only for the few tests whose broker's behaviour differs; each says why where it
 * asks, and docs/brokers.md lists them.
 */
export const onRealKafka = (): boolean => externalBrokers().length > 0

/**
 * `events.transactions` for a test's publisher: on where the broker isolates transactions, off on the mock, which
 * has the transaction APIs but not read_committed, so nothing there could show what transactions guarantee.
 */
export const eventTransactions = (): 'on' | 'off' => (onRealKafka() ? 'on' : 'off')

/** For `{ skip }`: false on a real Kafka, else why the test cannot run on the mock broker, so the skip says it. */
export const apacheKafkaOnly = (missingFromMock: string): string | false =>
  onRealKafka() ? false : `needs Apache Kafka: ${missingFromMock} (run npm run test:kafka)`

/** `${prefix}-<random>`: names of parallel tests never collide */
export const uniqueTopic = (prefix: string): string => `${prefix}-${randomBytes(6).toString('hex')}`

/**
 * KAFKA_BROKERS set (comma-separated): use that real cluster; topics are made
 * with a kafkajs admin (compacted ones get cleanup.policy=compact) and stop()
 * only disconnects. Otherwise a fresh test broker (librdkafka mock) is started
 * for this fixture and stop() shuts it down.
 */
export async function startKafka(): Promise<KafkaFixture> {
  const external = externalBrokers()
  if (external.length === 0) {
    const broker = await startTestBroker()
    return {
      brokers: broker.brokers,
      createTopics: broker.createTopics,
      refuseWrites: broker.refuseWrites,
      uniqueTopic,
      stop: broker.stop,
    }
  }

  const admin = createTopicAdmin(external)
  return { brokers: external, uniqueTopic, createTopics: admin.createTopics, stop: admin.stop }
}
