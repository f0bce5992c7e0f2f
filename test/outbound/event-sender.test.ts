import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { failuresOf } from '../../src/kafka/connection-error'
import { isFenced } from '../../src/kafka/fenced'
import { createEventSender, TransactionAbortedError, type EventSender } from '../../src/outbound/event-sender'
import type { KafkaMessage } from '../../src/outbound/message'
import { eventually } from '../support/eventually'
import { apacheKafkaOnly, startKafka, type KafkaFixture } from '../support/kafka'
import { createOutboundTopics, type OutboundTopics } from '../support/outbound'
import { readTopics } from '../support/topic-reader'

const message = (value: string): KafkaMessage => ({
  key: value,
  value: Buffer.from(value),
  headers: {},
})

describe(
  'the transactional event sender',
  { skip: apacheKafkaOnly('the mock fences nothing and isolates nothing') },
  () => {
    let kafka: KafkaFixture
    let client: Kafka
    const senders: EventSender[] = []
    before(async () => {
      kafka = await startKafka()
      client = new Kafka({
        brokers: kafka.brokers,
        logLevel: logLevel.NOTHING,
      })
    })
    after(async () => {
      await Promise.all(senders.map((s) => s.disconnect().catch(() => undefined)))
      await kafka?.stop()
    })

    const sender = async (topics: OutboundTopics, id: string, timeoutMs = 10_000): Promise<EventSender> => {
      const created = await createEventSender({
        kafka: client,
        topic: topics.topic,
        partitions: 1,
        checkpointTopic: topics.checkpointTopic,
        deadLetterTopic: topics.deadLetterTopic,
        transaction: { id, timeoutMs },
        onDeadLetterDropped: () => undefined,
      })
      senders.push(created)
      return created
    }

    const committedValues = async (topic: string, count: number): Promise<string[]> => {
      const reader = await readTopics(kafka.brokers, [topic])
      try {
        await reader.until((r) => r.length >= count, `${count} committed records`, 60_000)
      } finally {
        await reader.stop()
      }
      return reader.records.map((r) => r.value as string)
    }

    test('a sender whose chain a newer sender initialised is fenced mid-transaction: INVALID_PRODUCER_EPOCH, reported as fenced, nothing of it committed', async () => {
      const topics = await createOutboundTopics(kafka, 1)
      const id = kafka.uniqueTopic('fenced')
      const zombie = await sender(topics, id)
      await zombie.send([message('before')])
      const err = await zombie
        .atomically(async () => {
          await zombie.send([message('held')])
          // The next publisher of the chain starts: initialising the id aborts the open transaction and fences this one.
          const successor = await sender(topics, id)
          await successor.send([message('successor')])
          await zombie.send([message('after')])
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      assert.ok(err instanceof TransactionAbortedError, `a TransactionAbortedError, not ${String(err)}`)
      assert.ok(isFenced(err), `reported as fenced: ${String(err)}`)
      // kafkajs has no PRODUCER_FENCED: fencing arrives as INVALID_PRODUCER_EPOCH (47).
      assert.ok(
        failuresOf(err).some((f) => (f as { type?: string }).type === 'INVALID_PRODUCER_EPOCH'),
        `INVALID_PRODUCER_EPOCH among ${failuresOf(err).map((f) => (f as { type?: string }).type ?? f.message)}`,
      )
      assert.deepEqual(await committedValues(topics.topic, 2), ['before', 'successor'])
    })

    test('an open transaction of a sender that stops holds the read_committed end back only until its timeout', async () => {
      const topics = await createOutboundTopics(kafka, 1)
      const admin = client.admin()
      await admin.connect()
      try {
        const stalled = await sender(topics, kafka.uniqueTopic('stalled'), 2000)
        // Sends and never commits: what a publisher paused past its session leaves behind.
        let sent = false
        void stalled.atomically(async () => {
          await stalled.send([message('never committed')])
          sent = true
          await new Promise(() => undefined)
        })
        await eventually('the record acknowledged', () => sent, {
          timeoutMs: 30_000,
        })
        const end = async () => Number((await admin.fetchTopicOffsets(topics.topic))[0].high)
        // kafkajs asks for READ_COMMITTED offsets: the end stays before the open transaction until the broker aborts it
        // (its timeout, noticed within transaction.abort.timed.out.transaction.cleanup.interval.ms, 10 s by default).
        assert.equal(await end(), 0)
        await eventually('the read_committed end past the aborted transaction', async () => (await end()) >= 2, {
          timeoutMs: 40_000,
          intervalMs: 200,
        })
      } finally {
        await admin.disconnect()
      }
    })
  },
)
