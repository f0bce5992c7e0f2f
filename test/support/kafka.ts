import { randomBytes } from 'node:crypto'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { startTestBroker, type TopicSpec, type WriteRefusal } from '../../src/dev/test-broker'

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

const uniqueTopic = (prefix: string): string => `${prefix}-${randomBytes(6).toString('hex')}`

/**
 * KAFKA_BROKERS set (comma-separated): use that real cluster; topics are made
 * with a kafkajs admin (compacted ones get cleanup.policy=compact) and stop()
 * only disconnects. Otherwise a fresh test broker (librdkafka mock) is started
 * for this fixture and stop() shuts it down.
 */
export async function startKafka(): Promise<KafkaFixture> {
  const external = (process.env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean)
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

  const kafka = new Kafka({ clientId: 'bifrost-test-fixture', brokers: external, logLevel: logLevel.ERROR })
  let admin: Promise<Admin> | undefined
  const connected = (): Promise<Admin> =>
    (admin ??= (async () => {
      const a = kafka.admin()
      await a.connect()
      return a
    })())
  return {
    brokers: external,
    uniqueTopic,
    createTopics: async (topics) => {
      if (topics.length === 0) return
      await (
        await connected()
      ).createTopics({
        waitForLeaders: true,
        topics: topics.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions ?? 1,
          configEntries: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
        })),
      })
    },
    stop: async () => {
      if (admin) await (await admin).disconnect()
    },
  }
}
