import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { describeEvent, readEvents, type EventRecord } from '../../src/outbound/event-reader'
import { toKafkaMessage } from '../../src/outbound/message'
import type { DecodedEvent } from '../../src/outbound/decode'
import { runCli } from '../support/cli'
import { eventually } from '../support/eventually'
import { startKafka, type KafkaFixture } from '../support/kafka'

const requestId = (n: number) => `0x${n.toString(16).padStart(64, '0')}`

const message = (n: number) => {
  const event: DecodedEvent = {
    event: 'OracleResponse',
    kind: 'operator',
    address: '0x00000000000000000000000000000000000000Aa',
    args: { requestId: requestId(n) },
    requestId: requestId(n),
    key: `31337:${requestId(n)}`,
  }
  return toKafkaMessage(
    {
      ...event,
      fulfillment: {
        decoded: true,
        method: 'fulfillOracleRequest',
        sender: event.address,
        payment: '1',
        callbackAddress: event.address,
        callbackFunctionId: '0x01020304',
        expiration: '9',
        data: `0x${'00'.repeat(31)}2a`,
        value: '42',
      },
      latencyBlocks: 2,
    },
    {
      status: 'confirmed',
      confirmations: 3,
      chainId: 31337,
      blockNumber: n,
      blockHash: `0x${'ab'.repeat(32)}`,
      blockTimestamp: 1_700_000_000 + n,
      transactionHash: `0x${'cd'.repeat(32)}`,
      logIndex: 0,
    },
  )
}

describe('reading the events topic', () => {
  let kafka: KafkaFixture
  let client: Kafka
  let producer: Producer
  before(async () => {
    kafka = await startKafka()
    client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING })
    producer = client.producer()
    await producer.connect()
  })
  after(async () => {
    await producer?.disconnect()
    await kafka?.stop()
  })

  test('without follow: everything the topic held, then it returns', async () => {
    const topic = kafka.uniqueTopic('events-read')
    await kafka.createTopics([{ topic, partitions: 3 }])
    await producer.send({ topic, messages: [1, 2, 3, 4, 5].map(message) })
    const records: EventRecord[] = []
    await readEvents({ kafka: client, clientId: 'bifrost', topic, follow: false, onEvent: (r) => records.push(r) })
    assert.deepEqual(records.map((r) => r.value?.blockNumber).sort(), [1, 2, 3, 4, 5])
    const first = records.find((r) => r.value?.blockNumber === 1)!
    assert.equal(first.key, `31337:${requestId(1)}`)
    assert.equal(first.headers['bifrost.event'], 'OracleResponse')
    assert.equal(
      describeEvent(first),
      `chain 31337  block 1  confirmed  OracleResponse       ${requestId(1)}  value 42 via fulfillOracleRequest  after 2 block(s)`,
    )
  })

  test('an empty topic returns at once; a missing one is an error naming it', async () => {
    const topic = kafka.uniqueTopic('events-empty')
    await kafka.createTopics([{ topic }])
    await readEvents({
      kafka: client,
      clientId: 'bifrost',
      topic,
      follow: false,
      onEvent: () => assert.fail('nothing to read'),
    })
    await assert.rejects(
      readEvents({
        kafka: client,
        clientId: 'bifrost',
        topic: kafka.uniqueTopic('missing'),
        follow: false,
        onEvent: () => undefined,
      }),
      /cannot read topic missing-/,
    )
  })

  test('with follow: new records too, until aborted', async () => {
    const topic = kafka.uniqueTopic('events-follow')
    await kafka.createTopics([{ topic }])
    await producer.send({ topic, messages: [message(1)] })
    const records: EventRecord[] = []
    const abort = new AbortController()
    const reading = readEvents({
      kafka: client,
      clientId: 'bifrost',
      topic,
      follow: true,
      signal: abort.signal,
      onEvent: (r) => records.push(r),
    })
    await eventually('the first record', () => records.length === 1, { timeoutMs: 30_000 })
    await producer.send({ topic, messages: [message(2)] })
    await eventually('the record sent while following', () => records.length === 2, { timeoutMs: 30_000 })
    abort.abort()
    await reading
    assert.deepEqual(
      records.map((r) => r.value?.blockNumber),
      [1, 2],
    )
  })

  test('bifrost events prints one line per event; --json prints the messages', async () => {
    const topic = kafka.uniqueTopic('events-cli')
    await kafka.createTopics([{ topic }])
    await producer.send({ topic, messages: [message(7), { key: 'k', value: 'not json' }] })
    const env = { KAFKA_BROKERS: kafka.brokers.join(',') }
    const lines = await runCli(['events', '--topic', topic], env)
    assert.equal(lines.code, 0, lines.stderr)
    assert.deepEqual(lines.stdout.trim().split('\n'), [
      `chain 31337  block 7  confirmed  OracleResponse       ${requestId(7)}  value 42 via fulfillOracleRequest  after 2 block(s)`,
      'partition 0 offset 1 key k: (not JSON)',
    ])
    const json = await runCli(['events', '--topic', topic, '--json'], env)
    const [first] = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    assert.equal(first.key, `31337:${requestId(7)}`)
    assert.equal(first.value.fulfillment.value, '42')
  })
})
