import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs'
import { startKafka, type KafkaFixture } from '../support/kafka'

// Proves the kafkajs features Bifrost relies on work against the test broker
// (or against KAFKA_BROKERS when set). Consumers use a short maxWaitTimeInMs:
// the mock holds an empty fetch for the full wait even when data arrives.

let kafka: KafkaFixture
let client: Kafka

before(async () => {
  kafka = await startKafka()
  client = new Kafka({ clientId: 'test-broker-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING })
})

after(async () => {
  await kafka?.stop()
})

const consumerFor = (groupId: string): Consumer =>
  client.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 6000, heartbeatInterval: 500 })

/** Runs `consumer` on `topic` until `count` messages arrived (or fails after `timeoutMs`) */
const consume = async (consumer: Consumer, topic: string, count: number, timeoutMs = 8000) => {
  const got: Array<{ partition: number; message: KafkaMessage }> = []
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let timer: NodeJS.Timeout | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`got ${got.length}/${count} messages from ${topic}`)), timeoutMs)
      void consumer
        .run({
          autoCommitThreshold: 1,
          eachMessage: async ({ partition, message }) => {
            got.push({ partition, message })
            if (got.length >= count) resolve()
          },
        })
        .catch(reject)
    })
  } finally {
    clearTimeout(timer)
  }
  return got
}

test('produce, then consume in a group from the beginning', async () => {
  const topic = kafka.uniqueTopic('roundtrip')
  await kafka.createTopics([{ topic, partitions: 2 }])
  const producer = client.producer()
  await producer.connect()
  await producer.send({
    topic,
    messages: ['a', 'b', 'c', 'd'].map((value, i) => ({ key: value, value, partition: i % 2 })),
  })
  await producer.disconnect()

  const consumer = consumerFor(kafka.uniqueTopic('roundtrip-group'))
  try {
    const got = await consume(consumer, topic, 4)
    assert.deepEqual(got.map((m) => String(m.message.value)).sort(), ['a', 'b', 'c', 'd'])
    assert.deepEqual(new Set(got.map((m) => m.partition)), new Set([0, 1]))
  } finally {
    await consumer.disconnect()
  }
})

test('fetchTopicOffsets reports high-water marks per partition', async () => {
  const topic = kafka.uniqueTopic('offsets')
  await kafka.createTopics([{ topic, partitions: 3 }])
  const producer = client.producer()
  await producer.connect()
  await producer.send({ topic, messages: [0, 0, 0, 2].map((partition) => ({ value: 'x', partition })) })
  await producer.disconnect()

  const admin = client.admin()
  await admin.connect()
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    const high = Object.fromEntries(offsets.map((o) => [o.partition, o.high]))
    assert.deepEqual(high, { 0: '3', 1: '0', 2: '1' })
    assert.ok(offsets.every((o) => o.low === '0'))
  } finally {
    await admin.disconnect()
  }
})

test('an idempotent producer writes each message exactly once, in order', async () => {
  const topic = kafka.uniqueTopic('idempotent')
  await kafka.createTopics([{ topic }])
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  for (let batch = 0; batch < 3; batch++) {
    await producer.send({ topic, messages: [1, 2].map((i) => ({ value: `${batch}.${i}` })) })
  }
  await producer.disconnect()

  const consumer = consumerFor(kafka.uniqueTopic('idempotent-group'))
  try {
    const got = await consume(consumer, topic, 6)
    assert.deepEqual(
      got.map((m) => `${m.message.offset}:${m.message.value}`),
      ['0:0.1', '1:0.2', '2:1.1', '3:1.2', '4:2.1', '5:2.2'],
    )
  } finally {
    await consumer.disconnect()
  }
})

test('a group member leaves and the next one resumes from the committed offset', async () => {
  const topic = kafka.uniqueTopic('handover')
  const groupId = kafka.uniqueTopic('handover-group')
  await kafka.createTopics([{ topic }])
  const producer = client.producer()
  await producer.connect()
  await producer.send({ topic, messages: [{ value: 'first' }] })

  const first = consumerFor(groupId)
  try {
    const got = await consume(first, topic, 1)
    assert.equal(String(got[0]?.message.value), 'first')
  } finally {
    await first.disconnect() // commits, then LeaveGroup (capped to v2 for kafkajs)
  }

  await producer.send({ topic, messages: [{ value: 'second' }] })
  await producer.disconnect()
  const second = consumerFor(groupId)
  try {
    const got = await consume(second, topic, 1)
    assert.deepEqual(
      got.map((m) => `${m.message.offset}:${m.message.value}`),
      ['1:second'],
    )
  } finally {
    await second.disconnect()
  }
})

test('the test broker can refuse writes to a topic for good, as a too-small max.message.bytes or an ACL would', async (t) => {
  if (!kafka.refuseWrites) return t.skip('a real cluster refuses by its own limits and ACLs')
  const topic = kafka.uniqueTopic('refused')
  await kafka.createTopics([{ topic }])
  await kafka.refuseWrites({ topic, error: 'TOPIC_AUTHORIZATION_FAILED', count: 2 })
  const producer = client.producer({ retry: { retries: 0 } })
  await producer.connect()
  try {
    for (let i = 0; i < 2; i++) {
      await assert.rejects(producer.send({ topic, messages: [{ value: 'x' }] }), { type: 'TOPIC_AUTHORIZATION_FAILED' })
    }
    const [written] = await producer.send({ topic, messages: [{ value: 'x' }] })
    assert.equal(written.errorCode, 0, 'only `count` writes are refused')
  } finally {
    await producer.disconnect()
  }
})
