import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs'
import { createSendQueue } from '../../src/requests/send-queue'
import { startKafka, type KafkaFixture } from '../support/kafka'

let kafka: KafkaFixture
let producer: Producer

before(async () => {
  kafka = await startKafka()
  producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
})

after(async () => {
  await producer?.disconnect()
  await kafka?.stop()
})

test('records of one turn go out in batches under the byte cap, and a refused batch fails only its own records', async (t) => {
  const topic = kafka.uniqueTopic('requests')
  await kafka.createTopics([{ topic }])
  const batches: number[] = []
  // The real producer, watched: how many records each produce request carried
  const watched = Object.create(producer) as Producer
  watched.sendBatch = (batch) => {
    batches.push(batch.topicMessages!.reduce((n, tm) => n + tm.messages.length, 0))
    return producer.sendBatch(batch)
  }
  const send = createSendQueue(watched, 100_000)
  const value = 'x'.repeat(40_000)
  await Promise.all(['a', 'b', 'c', 'd', 'e'].map((key) => send(topic, { key, value })))
  assert.deepEqual(batches, [2, 2, 1])

  if (!kafka.refuseWrites) return t.skip('the refusal half needs the test broker')
  await kafka.refuseWrites({ topic, error: 'MESSAGE_TOO_LARGE', count: 1 })
  const results = await Promise.allSettled(['f', 'g', 'h'].map((key) => send(topic, { key, value })))
  // The two batches are in flight together: whichever reached the broker first was refused, the other stored
  const statuses = results.map((r) => r.status).join(',')
  assert.ok(['rejected,rejected,fulfilled', 'fulfilled,fulfilled,rejected'].includes(statuses), statuses)
})
