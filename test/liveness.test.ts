import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, KafkaJSNonRetriableError, logLevel } from 'kafkajs'
import { createFeedIngest } from '../src/inbound/feed-ingest'
import { createFeedStore } from '../src/inbound/feed-store'
import { feedSettings } from '../src/inbound/settings'
import { createKafka } from '../src/kafka/client'
import { kafkaSettings } from '../src/kafka/settings'
import { PartDiedError } from '../src/liveness'
import { startReplyConsumer } from '../src/requests/reply-consumer'
import { eventually } from './support/eventually'
import { startKafka, type KafkaFixture } from './support/kafka'
import { useDefaultLogger } from './support/logger'

useDefaultLogger()

let kafka: KafkaFixture
before(async () => {
  kafka = await startKafka()
})
after(async () => {
  await kafka?.stop()
})

/*
 * The mock broker cannot refuse authorization, so the error kafkajs gives up on (non-retriable, like
 * TOPIC_AUTHORIZATION_FAILED from a real broker) is raised by the record's handling instead: kafkajs treats both the
 * same way, it stops the consumer for good.
 */
const forbidden = () => new KafkaJSNonRetriableError('Not authorized to access topics: [Topic authorization failed]')

const produce = async (topic: string, key: string, value: string) => {
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer()
  await producer.connect()
  await producer.send({ topic, messages: [{ key, value }] })
  await producer.disconnect()
}

test('a feed consumer that kafkajs gives up on reports its part as dead', async () => {
  const topic = kafka.uniqueTopic('feeds')
  const deadLetterTopic = kafka.uniqueTopic('feeds-dlq')
  await kafka.createTopics([{ topic }, { topic: deadLetterTopic }])
  const store = createFeedStore()
  const died: PartDiedError[] = []
  const feeds = createFeedIngest({
    kafka: createKafka(kafkaSettings.parse({ brokers: kafka.brokers }), { logLevel: logLevel.NOTHING }),
    settings: feedSettings.parse({ topics: [topic], deadLetterTopic }),
    clientId: kafka.uniqueTopic('liveness'),
    store: {
      ...store,
      apply: () => {
        throw forbidden()
      },
    },
    onDied: (err) => died.push(err),
  })
  try {
    await feeds.start()
    await produce(topic, 'ETH/USD', '{"value": 1}')
    const [err] = await eventually('the feed part to die', () => died.length > 0 && died)
    assert.ok(err instanceof PartDiedError)
    assert.equal(err.part, 'feeds')
    assert.match(err.message, /feeds stopped for good: .*not authorized/i)
    assert.match(feeds.readiness.notReadyReason() ?? '', /feed consumer stopped/)
  } finally {
    await feeds.stop()
  }
})

test('a reply consumer that kafkajs gives up on reports its part as dead', async () => {
  const topic = kafka.uniqueTopic('replies')
  await kafka.createTopics([{ topic }])
  const died: PartDiedError[] = []
  const replies = await startReplyConsumer({
    kafka: createKafka(kafkaSettings.parse({ brokers: kafka.brokers }), { logLevel: logLevel.NOTHING }),
    topic,
    groupId: kafka.uniqueTopic('liveness-replies'),
    sessionTimeoutMs: 6000,
    fetchMaxWaitMs: 100,
    handle: async () => {
      throw forbidden()
    },
    onDied: (err) => died.push(err),
  })
  try {
    await produce(topic, 'c1', '{"result": 1}')
    const [err] = await eventually('the request part to die', () => died.length > 0 && died)
    assert.equal(err.part, 'requests')
    assert.match(replies.readiness.notReadyReason() ?? '', /reply consumer stopped/)
  } finally {
    await replies.stop()
  }
})
