import { Partitioners, type Kafka } from 'kafkajs'

export interface DemoFeed {
  /** The price last published (the middle source's value) */
  latest(): number
  stop(): Promise<void>
}

const SOURCES = ['alpha', 'beta', 'gamma']

/**
 * Publishes a random walk for ETH/USD from three sources, so a newcomer's first
 * request is answered with a median of real Kafka records.
 */
export const startDemoFeed = async (kafka: Kafka, topic: string, intervalMs = 1000): Promise<DemoFeed> => {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  let price = 3000
  const publish = async () => {
    price = Math.max(1, price * (1 + (Math.random() - 0.5) / 100))
    await producer.send({
      topic,
      messages: SOURCES.map((source, i) => ({
        key: 'ETH/USD',
        value: JSON.stringify({ value: Number((price * (1 + (i - 1) / 1000)).toFixed(2)), source }),
      })),
    })
  }
  await publish()
  const timer = setInterval(() => void publish().catch(() => undefined), intervalMs)
  return {
    latest: () => Number(price.toFixed(2)),
    stop: async () => {
      clearInterval(timer)
      await producer.disconnect()
    },
  }
}
