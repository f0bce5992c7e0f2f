import { randomBytes } from 'node:crypto'
import { startTestBroker, type TopicSpec } from '../../src/dev/test-broker'
import { createTopicAdmin } from '../../src/dev/topic-admin'

export type { TopicSpec }

/** What every Kafka integration test gets: a broker, a way to make topics, and a clean stop */
export interface KafkaFixture {
  brokers: string[]
  /** Creates topics (default 1 partition); an existing topic is left alone */
  createTopics(t: TopicSpec[]): Promise<void>
  /** `${prefix}-<random>`: topics and groups of parallel tests never collide */
  uniqueTopic(prefix: string): string
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
    return { brokers: broker.brokers, createTopics: broker.createTopics, uniqueTopic, stop: broker.stop }
  }

  const admin = createTopicAdmin(external)
  return { brokers: external, uniqueTopic, createTopics: admin.createTopics, stop: admin.stop }
}
