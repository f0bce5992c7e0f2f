import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { startApacheKafka, type ApacheKafka } from '../../src/dev/apache-kafka'
import { eventually } from '../support/eventually'
import { apacheKafkaOnly } from '../support/kafka'

// These start their own Apache Kafka nodes (JVMs), apart from the one KAFKA_BROKERS names, so they run
// under `npm run test:kafka`, where Java and Maven are known to be present; `npm test` needs neither.
const skip = apacheKafkaOnly('it starts its own nodes, which need Java and Maven')

// A fenced broker drops out after broker.session.timeout.ms (9 s) and a follower out of the ISR after
// that; on a loaded two-core machine each step may take several times as long.
const CLUSTER_TIMEOUT = { timeoutMs: 120_000, intervalMs: 500 }

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
      // runner's per-file timeout (180 s) on a loaded machine. Fault tests of Bifrost keep the defaults.
      properties: { 'broker.session.timeout.ms': '4000', 'broker.heartbeat.interval.ms': '1000' },
    })
  })

  after(() => kafka?.stop())

  /**
   * A client bootstrapped from the nodes that are up: kafkajs refreshes metadata from one connected broker picked
   * at random and retries only that one, and a paused node still counts as connected (its sockets stay open).
   * Requests to a paused node get no answer at all: give up on them after 5 s, not kafkajs's 30 s.
   */
  const clientVia = (ids: number[]) =>
    new Kafka({
      clientId: 'apache-kafka-test',
      brokers: ids.map((id) => kafka.nodes[id - 1].broker),
      logLevel: logLevel.NOTHING,
      requestTimeout: 5000,
      connectionTimeout: 3000,
      retry: { retries: 2 },
    })

  const withAdmin = async <T>(via: number[], use: (admin: Admin) => Promise<T>): Promise<T> => {
    const admin = clientVia(via).admin()
    await admin.connect()
    try {
      return await use(admin)
    } finally {
      await admin.disconnect()
    }
  }

  /** Polls `probe` until true; an error (a request that reached the dead or paused node) counts as not yet */
  const until = async (what: string, probe: () => Promise<boolean> | boolean): Promise<void> => {
    let last: unknown
    try {
      await eventually(
        what,
        () => Promise.resolve(probe()).catch((err: unknown) => ((last = err), false)),
        CLUSTER_TIMEOUT,
      )
    } catch (err) {
      throw last ? new Error(`${(err as Error).message}; last error: ${String(last)}`, { cause: last }) : err
    }
  }

  const liveBrokers = (via: number[]): Promise<string> =>
    withAdmin(via, async (admin) =>
      (await admin.describeCluster()).brokers
        .map((b) => b.nodeId)
        .sort((a, b) => a - b)
        .join(),
    )

  const inSync = (topics: string[]): Promise<boolean> =>
    withAdmin([1, 2, 3], async (admin) =>
      (await admin.fetchTopicMetadata({ topics })).topics.every((t) => t.partitions.every((p) => p.isr.length === 3)),
    )

  /**
   * One record to every partition with acks=all (kafkajs's default), which succeeds only once
   * min.insync.replicas nodes have it; retried while leadership moves.
   */
  const writeEverywhere = (value: string, via: number[]) =>
    until(`a write of ${value} to every partition`, async () => {
      const producer = clientVia(via).producer()
      await producer.connect()
      try {
        await producer.send({ topic, timeout: 5000, messages: [0, 1, 2].map((partition) => ({ partition, value })) })
        return true
      } finally {
        await producer.disconnect()
      }
    })

  const untilWhole = async () => {
    await until('all three brokers registered', async () => (await liveBrokers([1, 2, 3])) === '1,2,3')
    await until('every replica back in sync', () => inSync([topic, '__consumer_offsets']))
  }

  test('the internal topics exist with three replicas in sync, and a new topic is replicated three times', async () => {
    assert.equal(await liveBrokers([1, 2, 3]), '1,2,3')
    assert.deepEqual(
      kafka.nodes.map((n) => n.broker),
      kafka.brokers,
    )
    const { topics } = await withAdmin([1, 2, 3], (admin) =>
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
    await until('node 2 to be fenced', async () => (await liveBrokers([1, 3])) === '1,3')
    await kafka.restart(2)
    assert.notEqual(kafka.pid(2), pid, 'a new JVM')
    await untilWhole()
  })

  test('a paused node (SIGSTOP) is stopped, not dead: the others fence it and carry on; resumed, it rejoins', async () => {
    const pid = kafka.pid(3)!
    kafka.pause(3)
    try {
      await eventually('node 3 to be stopped', () => processState(pid) === 'T')
      await until('node 3 to be fenced', async () => (await liveBrokers([1, 2])) === '1,2')
      await writeEverywhere('while node 3 is paused', [1, 2])
    } finally {
      kafka.resume(3)
    }
    await eventually('node 3 to run again', () => processState(pid) !== 'T')
    assert.equal(kafka.pid(3), pid, 'the same JVM carries on')
    await untilWhole()
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
