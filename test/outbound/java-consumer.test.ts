import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { createKafka } from '../../src/kafka/client'
import { kafkaSettings } from '../../src/kafka/settings'
import { createEventSender } from '../../src/outbound/event-sender'
import { EVENT_HEADERS } from '../../src/outbound/message'
import { startEventChain, type EventChain } from '../support/event-chain'
import { plainRecords, readWithJavaClient, type PlainRecord } from '../support/java-reader'
import { apacheKafkaOnly } from '../support/kafka'
import { kafkaSuite } from '../support/kafka-suite'
import { useDefaultLogger } from '../support/logger'
import {
  createOutboundTopics,
  emitterChain,
  eventsOf,
  startTestPublisher,
  testEventSettings,
  untilPublished,
  type OutboundTopics,
} from '../support/outbound'
import { assertExactlyOnce, confirmedEventIds } from '../support/publisher-process'
import { readTopics, type ReadRecord } from '../support/topic-reader'

useDefaultLogger()

const CONFIRMATIONS = 2
const ABORTED = 30

const { kafka, cleanups } = kafkaSuite()
let chain: EventChain
before(async () => {
  chain = cleanups.track(await startEventChain({ chainId: 7003 }))
})

/**
 * A batch that Bifrost's own sender sends and then aborts, as a publisher does when something fails inside its
 * transaction (or as the broker does to a fenced zombie's): its records stay in the log, marked aborted. A
 * transactional id of its own, so the running publisher is not fenced by it.
 */
const abortBatch = async (topics: OutboundTopics, records: ReadRecord[]): Promise<void> => {
  const sender = await createEventSender({
    kafka: createKafka(kafkaSettings.parse({ brokers: kafka.brokers })),
    ...topics,
    partitions: 3,
    transaction: { id: `test-aborted-${topics.topic}`, timeoutMs: 10_000 },
    onDeadLetterDropped: () => undefined,
  })
  const copies = records.map((r) => ({
    key: r.key as string,
    value: Buffer.from(r.value as string),
    headers: r.headers,
  }))
  try {
    await assert.rejects(
      sender.atomically(async () => {
        await sender.send(copies)
        throw new Error('the batch fails after its sends')
      }),
      /aborted/,
    )
  } finally {
    await sender.disconnect()
  }
}

const headerOf = (record: PlainRecord, name: string) => record.headers.find(([n]) => n === name)?.[1]
const at = (r: PlainRecord) => `${r.partition}:${r.offset}`
const content = (r: PlainRecord) => JSON.stringify([r.key, r.value, r.headers])

test(
  'a read_committed Java consumer sees the same events, in the same order per partition, as kafkajs; read_uncommitted sees the aborted batch, which bifrost.event-id de-duplicates',
  {
    skip: apacheKafkaOnly('transactions need a broker with read_committed isolation'),
  },
  async (t) => {
    const topics = await createOutboundTopics(kafka)
    const settings = testEventSettings(topics, [emitterChain('java', chain, { confirmations: CONFIRMATIONS })])
    // Set here, whatever the default: this is the stream transactions make.
    settings.transactions = 'on'
    const publisher = await startTestPublisher(kafka.brokers, settings)
    t.after(() => publisher.stop())
    const reader = await readTopics(kafka.brokers, [topics.topic])
    t.after(() => reader.stop())

    // Events, then a reorg deeper than the confirmations: retractions and a replacement.
    for (let i = 0; i < 5; i++) await chain.emit(40, { start: i * 40 })
    const orphaned = await chain.emit(2, { start: 1000 })
    await chain.mine(CONFIRMATIONS + 1)
    await untilPublished('java', orphaned.blockNumber, 60_000)
    await chain.reorg(4)
    await chain.emit(1, { start: 1001 })
    await chain.mine(CONFIRMATIONS)
    await reader.until((r) => eventsOf(r, topics.topic).length >= 200 + 2 + 2 + 1, 'events, retractions, replacement')

    // An aborted transaction in the middle of the log, committed events after it.
    const copied = reader.records.slice(0, ABORTED)
    await abortBatch(topics, copied)
    const last = await chain.emit(40, { start: 2000 })
    const expected = await confirmedEventIds(chain, CONFIRMATIONS)
    await untilPublished('java', last.blockNumber, 60_000)
    // Canonical events once each, plus the two orphaned ones and their two retractions.
    const total = expected.size + 4
    await reader.until((r) => eventsOf(r, topics.topic).length >= total, `${total} messages`, 60_000)
    await publisher.stop()

    const events = eventsOf(reader.records, topics.topic)
    assertExactlyOnce(
      events.filter((e) => e.blockHash !== orphaned.blockHash),
      expected,
    )
    assert.equal(events.filter((e) => e.status === 'retracted').length, 2)
    const kafkajs = plainRecords(reader.records, topics.topic)
    assert.equal(kafkajs.length, total, 'kafkajs read what was committed, nothing aborted')

    const java = await readWithJavaClient(kafka.brokers, topics.topic, 'read_committed')
    assert.deepEqual(java, kafkajs)
    assert.ok(
      java.every((r) => headerOf(r, EVENT_HEADERS.eventId)),
      'every record carries bifrost.event-id',
    )

    // read_uncommitted: the aborted copies too, at offsets of their own.
    const uncommitted = await readWithJavaClient(kafka.brokers, topics.topic, 'read_uncommitted')
    const committed = new Set(java.map(at))
    const aborted = uncommitted.filter((r) => !committed.has(at(r)))
    assert.equal(uncommitted.length, total + ABORTED)
    assert.deepEqual(aborted.map(content).sort(), plainRecords(copied, topics.topic).map(content).sort())
    // Keeping the first record of each bifrost.event-id gives back exactly the committed stream.
    const seen = new Set<string>()
    const deduplicated = uncommitted.filter((r) => {
      const id = headerOf(r, EVENT_HEADERS.eventId) as string
      return !seen.has(id) && seen.add(id)
    })
    assert.deepEqual(deduplicated, java)
  },
)
