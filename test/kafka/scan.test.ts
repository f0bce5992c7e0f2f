import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { scanTopic, type ScannedRecord } from '../../src/kafka/scan'
import { apacheKafkaOnly, startKafka, type KafkaFixture } from '../support/kafka'

const NO_ISOLATION = 'the librdkafka mock writes no transaction markers and has no read_committed isolation'

describe('scanTopic', { skip: apacheKafkaOnly(NO_ISOLATION) }, () => {
  let kafka: KafkaFixture
  let client: Kafka
  before(async () => {
    kafka = await startKafka()
    client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING })
  })
  after(async () => kafka?.stop())

  test('a range that ends with a commit marker is read to its end at once, and aborted records are not read', async () => {
    const topic = kafka.uniqueTopic('scan-txn')
    await kafka.createTopics([{ topic, partitions: 1 }])
    const producer = client.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    try {
      const aborted = await producer.transaction()
      await aborted.send({ topic, messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }] })
      await aborted.abort()
      const committed = await producer.transaction()
      await committed.send({ topic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] })
      await committed.commit()
    } finally {
      await producer.disconnect()
    }
    const admin = client.admin()
    await admin.connect()
    const [{ high }] = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect())
    // 2 aborted records, their abort marker, 2 committed records, their commit marker: the last offset is a marker.
    assert.equal(Number(high), 6)

    const scan = async (from: number): Promise<Array<string | undefined>> => {
      const records: ScannedRecord[] = []
      await scanTopic({
        kafka: client,
        topic,
        ranges: new Map([[0, { from, end: Number(high) }]]),
        groupPrefix: `${topic}-scan`,
        timeoutMs: 60_000,
        onRecord: (r) => records.push(r),
      })
      return records.map((r) => r.value?.toString())
    }
    assert.deepEqual(await scan(0), ['committed-1', 'committed-2'])
    // Where a publisher's checkpoint points after its last transaction: only the commit marker is left to read.
    // kafkajs never calls eachBatch for it, so a scan that checked its end there would wait for the whole timeout.
    assert.deepEqual(await scan(5), [])
  })
})
