import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs'
import { createKafka } from '../../src/kafka/client'
import { kafkaSettings } from '../../src/kafka/settings'
import { STATE_HEADER, startCcipStateReader, type StateReason } from '../../src/outbound/ccip-state'
import { kafkaGate } from '../support/kafka-gate'
import { kafkaSuite } from '../support/kafka-suite'
import { useDefaultLogger } from '../support/logger'

useDefaultLogger()

const LONG_WAIT_MS = 30_000

describe('the CCIP state reader', () => {
  const { kafka, cleanups } = kafkaSuite()
  const { track } = cleanups
  const stateTopic = async () => {
    const topic = kafka.uniqueTopic('ccip-messages')
    await kafka.createTopics([{ topic, partitions: 3, compacted: true }])
    return topic
  }
  const writer = async (topic: string) => {
    const producer = new Kafka({
      clientId: 'test-state-writer',
      brokers: kafka.brokers,
      logLevel: logLevel.NOTHING,
    }).producer({ allowAutoTopicCreation: false })
    await producer.connect()
    cleanups.defer(() => producer.disconnect())
    return (messageId: string, reason: StateReason, blockNumber?: number) =>
      producer.send({
        topic,
        acks: -1,
        messages: [
          {
            key: messageId,
            value: blockNumber === undefined ? null : JSON.stringify({ chain: 'source', blockNumber }),
            headers: { [STATE_HEADER]: reason },
          },
        ],
      })
  }

  const startReader = async (topic: string, overrides: Partial<KafkaConfig> = {}) =>
    track(
      await startCcipStateReader({
        kafka: createKafka(kafkaSettings.parse({ brokers: kafka.brokers }), overrides),
        topic,
        clientId: 'test',
      }),
    )

  test('a lookup sees every record written before it: sends, and the tombstones that remove them', async () => {
    const topic = await stateTopic()
    const write = await writer(topic)
    await write('0x01', 'sent', 10)
    await write('0x02', 'sent', 11)
    const reader = await startReader(topic)
    const signal = new AbortController().signal
    assert.equal(await reader.catchUp(signal, LONG_WAIT_MS), true)
    assert.equal(reader.sendOf('0x01')?.blockNumber, 10)
    assert.equal(reader.sendOf('0x02')?.blockNumber, 11)

    await write('0x01', 'executed')
    await write('0x02', 'retracted')
    await write('0x03', 'sent', 12)
    assert.equal(await reader.catchUp(signal, LONG_WAIT_MS), true)
    assert.equal(reader.sendOf('0x01'), undefined)
    assert.equal(reader.executed('0x01'), true, 'its SUCCESS is remembered, for a send confirmed after it')
    assert.equal(reader.sendOf('0x02'), undefined)
    assert.equal(reader.executed('0x02'), false, 'a retraction is no execution')
    assert.equal(reader.sendOf('0x03')?.blockNumber, 12)

    // A retracted SUCCESS puts its send back
    await write('0x01', 'restored', 10)
    assert.equal(await reader.catchUp(signal, LONG_WAIT_MS), true)
    assert.equal(reader.executed('0x01'), false)
    assert.equal(reader.sendOf('0x01')?.blockNumber, 10)
    assert.deepEqual(reader.stale(), [])
  })

  test('a send state written after its SUCCESS (the two chains raced) is stale until another tombstone', async () => {
    const topic = await stateTopic()
    const write = await writer(topic)
    await write('0x04', 'executed')
    await write('0x04', 'sent', 13)
    const reader = await startReader(topic)
    const signal = new AbortController().signal
    assert.equal(await reader.catchUp(signal, LONG_WAIT_MS), true)
    assert.deepEqual(reader.stale(), ['0x04'])
    assert.equal(reader.sendOf('0x04'), undefined, 'an executed message has no send to look up')
    await write('0x04', 'executed')
    assert.equal(await reader.catchUp(signal, LONG_WAIT_MS), true)
    assert.deepEqual(reader.stale(), [])
  })

  test('a stalled Kafka, an aborted chain or a stopped reader costs a lookup its wait at most, never a stall', async () => {
    const topic = await stateTopic()
    const write = await writer(topic)
    await write('0x01', 'sent', 10)
    const gate = kafkaGate()
    const reader = await startReader(topic, { socketFactory: gate.socketFactory })
    const running = new AbortController()
    assert.equal(await reader.catchUp(running.signal, LONG_WAIT_MS), true)

    gate.stall()
    assert.equal(await reader.catchUp(running.signal, 300), false, 'the wait ran out')
    assert.equal(reader.sendOf('0x01')?.blockNumber, 10, 'what was read still answers')
    const stopping = new AbortController()
    const lookup = reader.catchUp(stopping.signal, LONG_WAIT_MS)
    stopping.abort()
    assert.equal(await lookup, false, 'the chain stopped publishing')
    gate.open()
    await write('0x02', 'sent', 11)
    assert.equal(await reader.catchUp(running.signal, LONG_WAIT_MS), true, 'Kafka is back')
    assert.equal(reader.sendOf('0x02')?.blockNumber, 11)

    await reader.stop()
    assert.equal(await reader.catchUp(running.signal, LONG_WAIT_MS), false, 'stopped')
  })
})
