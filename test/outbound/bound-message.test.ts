import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { AbiCoder, id, keccak256, toUtf8Bytes, zeroPadValue } from 'ethers'
import { DLQ_HEADERS } from '../../src/kafka/dead-letter'
import { boundMessage } from '../../src/outbound/bound-message'
import { startEventChain, type EventChain } from '../support/event-chain'
import { kafkaSuite } from '../support/kafka-suite'
import { useDefaultLogger } from '../support/logger'
import { assertValidOracleEvent } from '../support/oracle-event-schema'
import {
  createOutboundTopics,
  emitterChain,
  eventsOf,
  startTestPublisher,
  testEventSettings,
} from '../support/outbound'
import { readTopics } from '../support/topic-reader'

useDefaultLogger()

const BLOB = 'event Blob(bytes32 indexed tag, bytes data, string note, string[] notes)'

/*
 * Runtime of a contract that logs whatever it is given: calldata is
 * topic0 (32 bytes), tag (32 bytes), then the event data, emitted as LOG2(topic0, tag).
 *   PUSH1 20 CALLDATALOAD  PUSH1 00 CALLDATALOAD          [topic0, tag]
 *   PUSH1 40 CALLDATASIZE SUB                             [size, topic0, tag]
 *   DUP1 PUSH1 40 PUSH1 00 CALLDATACOPY                   mem[0..size) = calldata[64..]
 *   PUSH1 00 LOG2 STOP
 */
const RUNTIME = '6020356000356040360380604060003760' + '00a200'
const INIT = `0x60${(RUNTIME.length / 2).toString(16).padStart(2, '0')}80600b6000396000f3${RUNTIME}`

const emitBlob = (chain: EventChain, to: string, tag: number, data: string, note: string, notes: string[] = []) =>
  chain.transact({
    to,
    data:
      id('Blob(bytes32,bytes,string,string[])') +
      zeroPadValue(`0x${tag.toString(16).padStart(2, '0')}`, 32).slice(2) +
      AbiCoder.defaultAbiCoder().encode(['bytes', 'string', 'string[]'], [data, note, notes]).slice(2),
  })

describe('boundMessage', () => {
  const message = (value: object) => ({ key: 'k', value: Buffer.from(JSON.stringify(value)), headers: {} })

  test('a small message goes as it is', () => {
    const m = message({ args: { data: '0x00ff', note: 'hi' } })
    assert.deepEqual(boundMessage(m, { maxFieldBytes: 64, maxMessageBytes: 1024 }), {
      ok: true,
      message: m,
      truncated: false,
    })
  })

  test('a long bytes or string value becomes its keccak256 and length, and the message says truncated', () => {
    const data = `0x${'ab'.repeat(100)}`
    const note = 'ü'.repeat(40)
    const bounded = boundMessage(message({ args: { data, note, short: 'x' }, params: { nested: [note] } }), {
      maxFieldBytes: 64,
      maxMessageBytes: 4096,
    })
    assert.ok(bounded.ok && bounded.truncated)
    assert.deepEqual(JSON.parse(bounded.message.value.toString()), {
      args: {
        data: { keccak256: keccak256(data), length: 100 },
        note: { keccak256: keccak256(toUtf8Bytes(note)), length: 80 },
        short: 'x',
      },
      params: { nested: [{ keccak256: keccak256(toUtf8Bytes(note)), length: 80 }] },
      truncated: true,
    })
  })

  test('a message still over maxMessageBytes once bounded is refused, naming the settings', () => {
    const bounded = boundMessage(message({ args: { notes: Array.from({ length: 100 }, () => 'y'.repeat(60)) } }), {
      maxFieldBytes: 64,
      maxMessageBytes: 2048,
    })
    assert.equal(bounded.ok, false)
    assert.match(
      !bounded.ok ? bounded.reason : '',
      /more than events\.maxMessageBytes=2048 \(EVENTS_MAX_MESSAGE_BYTES\)/,
    )
  })
})

describe('chain -> Kafka with events larger than the broker takes', () => {
  const { kafka, cleanups } = kafkaSuite()

  test('a 600 KB log is published bounded, one too large even bounded is dead-lettered, and the chain goes on', async () => {
    const chain = cleanups.track(await startEventChain({ chainId: 7100 }))
    const blob = (await chain.transact({ data: INIT })).contractAddress as string
    const topics = await createOutboundTopics(kafka, 1)
    const reader = cleanups.track(await readTopics(kafka.brokers, [topics.topic, topics.deadLetterTopic]))
    const settings = testEventSettings(topics, [
      emitterChain('blobs', { ...chain, emitter: blob }, { kind: 'custom', abi: [BLOB], confirmations: 1 }),
    ])
    cleanups.track(await startTestPublisher(kafka.brokers, { ...settings, maxMessageBytes: 200_000 }))

    const big = `0x${'5a'.repeat(600_000)}`
    await emitBlob(chain, blob, 1, big, 'a note')
    // 4000 short notes: no field is long, the message is
    await emitBlob(
      chain,
      blob,
      2,
      '0x01',
      'many',
      Array.from({ length: 4000 }, (_, i) => `note ${i}`.padEnd(60, '.')),
    )
    await emitBlob(chain, blob, 3, '0x02', 'after')
    await chain.mine(1)

    await reader.until((r) => eventsOf(r, topics.topic).length === 2, 'the two events that can be published', 60_000)
    const [bounded, after] = eventsOf(reader.records, topics.topic)
    assert.equal(bounded.truncated, true)
    assert.deepEqual(bounded.args['data'], { keccak256: keccak256(big), length: 600_000 })
    assert.equal(bounded.args['note'], 'a note')
    assertValidOracleEvent(JSON.parse(reader.records.find((r) => r.topic === topics.topic)!.value!))
    assert.equal(after.args['note'], 'after')
    assert.equal(after.truncated, undefined)

    await reader.until((r) => r.some((x) => x.topic === topics.deadLetterTopic), 'the dead letter')
    const letter = reader.records.find((x) => x.topic === topics.deadLetterTopic)!
    assert.equal(String(letter.headers[DLQ_HEADERS.code]), 'too-large')
    assert.match(String(letter.headers[DLQ_HEADERS.reason]), /events\.maxMessageBytes=200000/)
    const { log } = JSON.parse(letter.value!) as { log: { data: unknown } }
    assert.equal(typeof log.data === 'object' && log.data !== null, true, 'the raw data is bounded in the letter too')
  })
})
