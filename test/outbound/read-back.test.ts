import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { CHECKPOINT_VERSION, decodeCheckpoint } from '../../src/outbound/checkpoint'
import { EVENT_HEADERS } from '../../src/outbound/message'
import { eventMetrics } from '../../src/outbound/metrics'
import { readBack } from '../../src/outbound/read-back'
import { startEventChain } from '../support/event-chain'
import { eventually } from '../support/eventually'
import { kafkaSuite } from '../support/kafka-suite'
import { useDefaultLogger } from '../support/logger'
import {
  createOutboundTopics,
  emitterChain,
  eventsOf,
  messageCount,
  startTestPublisher,
  testEventSettings,
} from '../support/outbound'
import { readTopics } from '../support/topic-reader'

useDefaultLogger()

describe('reading the events topic back', () => {
  const { kafka, cleanups } = kafkaSuite()

  test('a record with this chain header but no blockHash is skipped and counted, not a TypeError', async () => {
    const topics = await createOutboundTopics(kafka, 1)
    const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING })
    const producer = client.producer()
    await producer.connect()
    const headers = { [EVENT_HEADERS.chainId]: '7200' }
    await producer.send({
      topic: topics.topic,
      messages: [
        { key: 'k1', value: JSON.stringify({ status: 'confirmed', blockNumber: 1, logIndex: 0 }), headers },
        { key: 'k2', value: 'not json', headers },
        {
          key: 'k3',
          value: JSON.stringify({ status: 'confirmed', blockNumber: 2, logIndex: 0, blockHash: `0x${'c'.repeat(64)}` }),
          headers,
        },
      ],
    })
    await producer.disconnect()
    const skipped = async (reason: string) =>
      (await eventMetrics().readBackSkipped.get()).values.find(
        (v) => v.labels['chain'] === 'odd' && v.labels['reason'] === reason,
      )?.value ?? 0
    const { ledger, read } = await readBack({
      kafka: client,
      topic: topics.topic,
      chain: 'odd',
      chainId: 7200,
      checkpoint: {
        version: CHECKPOINT_VERSION,
        chain: 'odd',
        chainId: 7200,
        topic: topics.topic,
        tip: { number: 0 },
        finalBelow: 0,
        scanFrom: { '0': 0 },
        writtenAt: new Date().toISOString(),
      },
      offsets: [{ partition: 0, low: 0, high: 3 }],
      groupPrefix: 'test-read-back',
    })
    assert.equal(read, 1)
    assert.equal(ledger.size, 1)
    assert.equal(await skipped('bad-shape'), 1)
    assert.equal(await skipped('not-json'), 1)
  })

  test("a quiet chain's scan start advances past what busy chains publish to the shared topic", async () => {
    const busy = cleanups.track(await startEventChain({ chainId: 7201 }))
    const quiet = cleanups.track(await startEventChain({ chainId: 7202 }))
    const topics = await createOutboundTopics(kafka, 1)
    const reader = cleanups.track(await readTopics(kafka.brokers, [topics.topic, topics.checkpointTopic]))
    cleanups.track(
      await startTestPublisher(
        kafka.brokers,
        testEventSettings(topics, [
          emitterChain('busy', busy, { confirmations: 1 }),
          emitterChain('quiet', quiet, { confirmations: 1 }),
        ]),
      ),
    )
    for (let i = 0; i < 5; i++) await busy.emit(10, { start: i * 10 })
    await busy.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 50, 'the busy chain’s events')
    const end = await messageCount(kafka.brokers, topics.topic)
    await eventually(
      'a checkpoint of the quiet chain whose scan starts at the end of the busy chain’s messages',
      async () => {
        await quiet.mine(1)
        const latest = reader.records
          .filter((r) => r.topic === topics.checkpointTopic && r.key === 'quiet' && r.value)
          .map((r) => decodeCheckpoint(Buffer.from(r.value as string)))
          .at(-1)
        return (latest?.scanFrom['0'] ?? 0) >= end
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    )
  })
})
