import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { startApacheKafka, type ApacheKafka } from '../../src/dev/apache-kafka'
import { liveBrokers, untilCluster, untilWhole, withClusterAdmin, writeVia } from '../support/cluster'
import { eventually } from '../support/eventually'
import { apacheKafkaOnly } from '../support/kafka'

// These start their own Apache Kafka nodes (JVMs), apart from the one KAFKA_BROKERS names, so they run
// under `npm run test:kafka`, where Java and Maven are known to be present; `npm test` needs neither.
const skip = apacheKafkaOnly('it starts its own nodes, which need Java and Maven')

/** The scheduler state of a process: R/S/D running or waiting, T stopped (SIGSTOP) */
const processState = (pid: number): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0]

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('three Apache Kafka nodes: replication factor 3, min.insync.replicas=2', { skip }, () => {
  let kafka: ApacheKafka
  const topic = 'replicated'

  before(async () => {
    kafka = await startApacheKafka({
      nodes: 3,
      topics: [{ topic, partitions: 3 }],
      // A silent node is fenced after 4 s instead of 9 s: the whole file must finish within the test
      // runner's per-file timeout (180 s) on a loaded machine, as in Bifrost's fault tests (test/support/fault-stack.ts).
      properties: { 'broker.session.timeout.ms': '4000', 'broker.heartbeat.interval.ms': '1000' },
    })
  })

  after(() => kafka?.stop())

  /**
   * One record to every partition with acks=all (kafkajs's default), which succeeds only once
   * min.insync.replicas nodes have it; retried while leadership moves.
   */
  const writeEverywhere = (value: string, via: number[]) =>
    writeVia(
      kafka,
      via,
      topic,
      [0, 1, 2].map((partition) => ({ partition, value })),
    )

  test('the internal topics exist with three replicas in sync, and a new topic is replicated three times', async () => {
    assert.equal(await liveBrokers(kafka, [1, 2, 3]), '1,2,3')
    assert.deepEqual(
      kafka.nodes.map((n) => n.broker),
      kafka.brokers,
    )
    const { topics } = await withClusterAdmin(kafka, [1, 2, 3], (admin) =>
      admin.fetchTopicMetadata({ topics: ['__consumer_offsets', '__transaction_state', topic] }),
    )
    for (const t of topics) {
      assert.ok(t.partitions.length > 0, t.name)
      for (const p of t.partitions) {
        assert.equal(p.replicas.length, 3, `${t.name}/${p.partitionId} replicas`)
        assert.equal(p.isr.length, 3, `${t.name}/${p.partitionId} in sync`)
      }
    }
  })

  test('kill -9 of one node: writes with acks=all go on with two; a restart brings it back in sync', async () => {
    const pid = kafka.pid(2)!
    await kafka.kill(2)
    assert.equal(alive(pid), false, 'the JVM is gone')
    assert.equal(kafka.pid(2), undefined)
    await writeEverywhere('while node 2 is dead', [1, 3])
    await untilCluster('node 2 to be fenced', async () => (await liveBrokers(kafka, [1, 3])) === '1,3')
    await kafka.restart(2)
    assert.notEqual(kafka.pid(2), pid, 'a new JVM')
    await untilWhole(kafka, [topic])
  })

  test('a paused node (SIGSTOP) is stopped, not dead: the others fence it and carry on; resumed, it rejoins', async () => {
    const pid = kafka.pid(3)!
    kafka.pause(3)
    try {
      await eventually('node 3 to be stopped', () => processState(pid) === 'T')
      await untilCluster('node 3 to be fenced', async () => (await liveBrokers(kafka, [1, 2])) === '1,2')
      await writeEverywhere('while node 3 is paused', [1, 2])
    } finally {
      kafka.resume(3)
    }
    await eventually('node 3 to run again', () => processState(pid) !== 'T')
    assert.equal(kafka.pid(3), pid, 'the same JVM carries on')
    await untilWhole(kafka, [topic])
  })

  test('SIGTERM: a controlled shutdown, the node exits by itself; writes go on with the other two', async () => {
    const pid = kafka.pid(1)!
    await kafka.kill(1, 'SIGTERM')
    assert.equal(alive(pid), false)
    assert.equal(kafka.pid(1), undefined)
    await writeEverywhere('while node 1 is shut down', [2, 3])
  })

  test('stop() ends every JVM, paused ones included', async () => {
    kafka.pause(2)
    const pids = kafka.nodes.map((n) => kafka.pid(n.id)!)
    await kafka.stop()
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid}`)
    await kafka.stop()
  })
})
