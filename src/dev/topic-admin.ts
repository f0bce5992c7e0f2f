import { Kafka, logLevel, type Admin } from 'kafkajs'
import { waitUntilServed } from '../kafka/topics'
import type { TopicSpec } from './test-broker'

/** Topic creation on a real Kafka cluster (Apache Kafka started here, or any cluster named by KAFKA_BROKERS) */
export interface TopicAdmin {
  /** Creates topics and waits for their leaders; an existing topic is left as is (like the test broker) */
  createTopics(topics: TopicSpec[]): Promise<void>
  /** Disconnects the admin client, if it was ever connected. Safe to call twice. */
  stop(): Promise<void>
}

/**
 * A kafkajs admin that connects on first use. Compacted topics get
 * `cleanup.policy=compact`; partitions and replication default to the broker's
 * settings (`num.partitions` aside: a spec without partitions gets one, as on the test broker).
 */
export const createTopicAdmin = (brokers: string[]): TopicAdmin => {
  const kafka = new Kafka({ clientId: 'bifrost-topic-admin', brokers, logLevel: logLevel.ERROR })
  let admin: Promise<Admin> | undefined
  const connected = (): Promise<Admin> =>
    (admin ??= (async () => {
      const a = kafka.admin()
      await a.connect()
      return a
    })())
  return {
    createTopics: async (topics) => {
      if (topics.length === 0) return
      const client = await connected()
      // Only the missing ones: kafkajs throws for a batch where some already exist.
      const existing = new Set(await client.listTopics())
      const missing = topics.filter((t) => !existing.has(t.topic))
      if (missing.length === 0) return
      await client.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions ?? 1,
          configEntries: Object.entries({ ...(t.compacted && { 'cleanup.policy': 'compact' }), ...t.configs }).map(
            ([name, value]) => ({ name, value }),
          ),
        })),
      })
      await waitUntilServed(
        client,
        missing.map((t) => t.topic),
      )
    },
    stop: async () => {
      const pending = admin
      admin = undefined
      if (pending) await (await pending).disconnect()
    },
  }
}
