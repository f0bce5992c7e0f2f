import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs'
import { createDeadLetterPublisher, type DeadLetter } from '../../src/inbound/dead-letter'
import { DLQ_HEADERS } from '../../src/kafka/dead-letter'
import { feedMetrics } from '../../src/inbound/metrics'
import { eventually } from '../support/eventually'
import { kafkaGate, type KafkaGate } from '../support/kafka-gate'
import { startKafka, type KafkaFixture } from '../support/kafka'
import { useDefaultLogger } from '../support/logger'
import { readTopics } from '../support/topic-reader'

let kafka: KafkaFixture
let gate: KafkaGate
let producer: Producer

const letter = (offset: string): DeadLetter => ({
  topic: 'bifrost.feeds',
  partition: 2,
  offset,
  timestamp: '1700000000000',
  key: Buffer.from('ETH/USD'),
  value: Buffer.from('{"value": oops'),
  headers: { 'trace-id': 'abc' },
  code: 'not-json',
  reason: 'value is not JSON: Unexpected token',
})

const failures = async () => (await feedMetrics().deadLetterFailures.get()).values[0]?.value ?? 0

before(async () => {
  useDefaultLogger()
  kafka = await startKafka()
  gate = kafkaGate()
  // No retries inside kafkajs: each failed send comes back to the publisher's own loop at once.
  producer = new Kafka({
    brokers: kafka.brokers,
    socketFactory: gate.socketFactory,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
})

after(async () => {
  gate?.open()
  await producer?.disconnect()
  await kafka?.stop()
})

test('while Kafka refuses, publishing keeps retrying (heartbeating between attempts) and resolves only once stored', async () => {
  const dlq = kafka.uniqueTopic('dlq')
  await kafka.createTopics([{ topic: dlq }])
  const publisher = createDeadLetterPublisher({ producer, topic: dlq, retry: { initialMs: 5, maxMs: 20 } })
  const before = await failures()
  let heartbeats = 0
  let stored = false

  gate.close()
  const publishing = publisher
    .publish([letter('41'), letter('42')], {
      signal: new AbortController().signal,
      heartbeat: async () => void heartbeats++,
    })
    .then(() => (stored = true))
  await eventually('three failed attempts', async () => (await failures()) >= before + 3 && heartbeats >= 3)
  assert.equal(stored, false, 'not resolved while nothing was stored')

  gate.open()
  await publishing
  const reader = await readTopics(kafka.brokers, [dlq])
  try {
    await reader.until((records) => records.length >= 2, 'both dead letters')
    const [first, second] = reader.records
    assert.equal(first.key, 'ETH/USD')
    assert.equal(first.value, '{"value": oops', 'the original bytes')
    const headers = Object.fromEntries(Object.entries(first.headers).map(([k, v]) => [k, String(v)]))
    assert.deepEqual(headers, {
      'trace-id': 'abc',
      [DLQ_HEADERS.topic]: 'bifrost.feeds',
      [DLQ_HEADERS.partition]: '2',
      [DLQ_HEADERS.offset]: '41',
      [DLQ_HEADERS.timestamp]: '1700000000000',
      [DLQ_HEADERS.code]: 'not-json',
      [DLQ_HEADERS.reason]: 'value is not JSON: Unexpected token',
    })
    assert.equal(String(second.headers[DLQ_HEADERS.offset]), '42', 'in order')
  } finally {
    await reader.stop()
  }
})

test('stopping ends the retries with an abort', async () => {
  const publisher = createDeadLetterPublisher({ producer, topic: 'never-reached', retry: { initialMs: 5, maxMs: 20 } })
  const abort = new AbortController()
  const before = await failures()
  gate.close()
  try {
    const publishing = publisher.publish([letter('1')], { signal: abort.signal })
    await eventually('a failed attempt', async () => (await failures()) > before)
    abort.abort()
    await assert.rejects(publishing, { name: 'AbortError' })
  } finally {
    gate.open()
  }
})

test('a letter the dead-letter topic refuses as too large is dropped, logged and counted; the others are stored', async (t) => {
  if (!kafka.refuseWrites) return t.skip('needs the test broker to refuse writes')
  const dlq = kafka.uniqueTopic('dlq-too-large')
  await kafka.createTopics([{ topic: dlq }])
  const publisher = createDeadLetterPublisher({ producer, topic: dlq, retry: { initialMs: 5, maxMs: 20 } })
  const dropped = async () =>
    (await feedMetrics().deadLettersDropped.get()).values.find((v) => v.labels.error === 'MESSAGE_TOO_LARGE')?.value ??
    0
  const before = await dropped()
  // The first send (all three) and then the first letter alone are refused; the other two go through
  await kafka.refuseWrites({ topic: dlq, error: 'MESSAGE_TOO_LARGE', count: 2 })
  await publisher.publish([letter('1'), letter('2'), letter('3')], { signal: AbortSignal.timeout(60_000) })
  assert.equal(await dropped(), before + 1)
  const reader = await readTopics(kafka.brokers, [dlq])
  try {
    await reader.until((records) => records.length >= 2, 'the two letters that fit')
    assert.deepEqual(
      reader.records.map((r) => String(r.headers[DLQ_HEADERS.offset])),
      ['2', '3'],
    )
  } finally {
    await reader.stop()
  }
})

test('a dead-letter topic that denies writes is tried a few times, then its letters are dropped and counted', async (t) => {
  if (!kafka.refuseWrites) return t.skip('needs the test broker to refuse writes')
  const dlq = kafka.uniqueTopic('dlq-denied')
  await kafka.createTopics([{ topic: dlq }])
  await kafka.refuseWrites({ topic: dlq, error: 'TOPIC_AUTHORIZATION_FAILED' })
  const publisher = createDeadLetterPublisher({
    producer,
    topic: dlq,
    retry: { initialMs: 5, maxMs: 20 },
    refusedAttempts: 3,
  })
  const dropped = async () =>
    (await feedMetrics().deadLettersDropped.get()).values.find((v) => v.labels.error === 'TOPIC_AUTHORIZATION_FAILED')
      ?.value ?? 0
  const before = await dropped()
  const attempts = await failures()
  // Resolves: the records behind these may be passed over
  await publisher.publish([letter('7'), letter('8')], { signal: AbortSignal.timeout(60_000) })
  assert.equal(await dropped(), before + 2)
  assert.equal(await failures(), attempts + 3)
})

test('letters are sent in chunks that stay under the broker request limit', async () => {
  const dlq = kafka.uniqueTopic('dlq-chunks')
  await kafka.createTopics([{ topic: dlq }])
  const sizes: number[] = []
  // The real producer, watched: how many records each accepted produce request carried. Only accepted sends count:
  // a real broker may refuse the first send to a topic created a moment ago (leader not yet known), and that retry
  // carries the same chunk again.
  const watched = Object.create(producer) as Producer
  watched.send = async (record) => {
    const result = await producer.send(record)
    sizes.push(record.messages.length)
    return result
  }
  const publisher = createDeadLetterPublisher({ producer: watched, topic: dlq })
  const big = (offset: string): DeadLetter => ({ ...letter(offset), value: Buffer.alloc(200_000, 'x') })
  await publisher.publish(['1', '2', '3', '4', '5'].map(big), { signal: AbortSignal.timeout(60_000) })
  assert.deepEqual(sizes, [2, 2, 1], 'at most 512 KiB per send')
})
