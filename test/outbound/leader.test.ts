import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { CHECKPOINT_VERSION, encodeCheckpoint, type Checkpoint } from '../../src/outbound/checkpoint'
import { CHECKPOINT_PARTITION, startLeaderElection } from '../../src/outbound/leader'
import { eventually } from '../support/eventually'
import { apacheKafkaOnly, startKafka, type KafkaFixture } from '../support/kafka'
import { useDefaultLogger } from '../support/logger'

useDefaultLogger()

let kafka: KafkaFixture
let client: Kafka
before(async () => {
  kafka = await startKafka()
  client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING })
})
after(() => kafka?.stop())

const checkpointOf = (chain: string, tip: number): Checkpoint => ({
  version: CHECKPOINT_VERSION,
  chain,
  chainId: 1,
  topic: 'events',
  tip: { number: tip },
  finalBelow: 0,
  scanFrom: { '0': 0 },
  writtenAt: new Date().toISOString(),
})

/** The checkpoint a lone member of a fresh group is elected with, once it has read `topic` to its end */
const electedAlone = async (topic: string, chainName: string): Promise<Checkpoint | undefined> => {
  let elected: { checkpoint: Checkpoint | undefined } | undefined
  const election = await startLeaderElection({
    kafka: client,
    groupId: `${topic}-group`,
    checkpointTopic: topic,
    chainName,
    sessionTimeoutMs: 6000,
    onElected: (checkpoint) => (elected = { checkpoint }),
    onDeposed: () => undefined,
  })
  try {
    const { checkpoint } = await eventually('the only member elected', () => elected, { timeoutMs: 60_000 })
    assert.equal(election.state, 'leader')
    return checkpoint
  } finally {
    await election.stop()
  }
}

test(
  'a member is elected on a checkpoint topic written in transactions, resuming from the latest committed checkpoint',
  { skip: apacheKafkaOnly('the mock writes no commit markers') },
  async () => {
    const topic = kafka.uniqueTopic('leader-checkpoints')
    await kafka.createTopics([{ topic, partitions: 1, compacted: true }])
    const producer = client.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    try {
      for (const [tip, commit] of [
        [10, true],
        [20, false],
      ] as const) {
        const transaction = await producer.transaction()
        await transaction.send({
          topic,
          messages: [{ ...encodeCheckpoint(checkpointOf('chain-a', tip)), partition: CHECKPOINT_PARTITION }],
        })
        await (commit ? transaction.commit() : transaction.abort())
      }
    } finally {
      await producer.disconnect()
    }
    // The record, its commit marker, the aborted record, its abort marker: the end follows a control record, which
    // kafkajs never hands to eachBatch. An election counting only what eachBatch sees would wait forever.
    const checkpoint = await electedAlone(topic, 'chain-a')
    assert.equal(checkpoint?.tip.number, 10, 'the committed checkpoint, not the aborted one')
  },
)

test('a new leader resumes from a checkpoint an older Bifrost wrote (version 1, without a halt)', async () => {
  const topic = kafka.uniqueTopic('leader-checkpoints-v1')
  await kafka.createTopics([{ topic, partitions: 1, compacted: true }])
  const current = checkpointOf('chain-v1', 5)
  const producer = client.producer()
  await producer.connect()
  try {
    await producer.send({
      topic,
      messages: [
        { key: 'chain-v1', value: JSON.stringify({ ...current, version: 1 }), partition: CHECKPOINT_PARTITION },
      ],
    })
  } finally {
    await producer.disconnect()
  }
  assert.deepEqual(await electedAlone(topic, 'chain-v1'), current)
})
