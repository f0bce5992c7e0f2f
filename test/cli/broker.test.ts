import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { runCli, spawnCli, waitForLine } from '../support/cli'
import { apacheKafkaOnly } from '../support/kafka'

/** Runs `bifrost broker <flags> --topic ready:2`, checks the printed broker serves that topic, stops it with SIGTERM */
const brokerCommand = async (flags: string[]): Promise<void> => {
  const child = spawnCli(['broker', ...flags, '--topic', 'ready:2'])
  try {
    const [, brokers] = await waitForLine(child, /^KAFKA_BROKERS=(\S+)$/m, 150_000)
    assert.match(brokers, /^127\.0\.0\.1:\d+$/)
    const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ['ready'] })
      assert.equal(topics[0].partitions.length, 2)
    } finally {
      await admin.disconnect()
    }
  } finally {
    const exited = child.exitCode !== null ? Promise.resolve([child.exitCode]) : once(child, 'exit')
    child.kill('SIGTERM')
    const [code] = (await exited) as [number | null]
    assert.equal(code, 0, 'a clean stop')
  }
}

test('bifrost broker prints KAFKA_BROKERS of a mock broker with the topics asked for, and stops on SIGTERM', () =>
  brokerCommand([]))

// Starts its own Apache Kafka node (a JVM), so it runs under `npm run test:kafka`, where Java and Maven are present.
test(
  'bifrost broker --apache prints KAFKA_BROKERS of an Apache Kafka node with the topics asked for, and stops on SIGTERM',
  { skip: apacheKafkaOnly('it starts its own node, which needs Java and Maven') },
  () => brokerCommand(['--apache']),
)

test('bifrost broker refuses a node count that is not a whole number, and --port with --apache', async () => {
  for (const [flags, message] of [
    [['--nodes', 'three'], /--nodes takes a whole number of brokers/],
    [['--apache', '--port', '9092'], /--port fixes the mock broker's port/],
  ] as const) {
    const { code, stderr } = await runCli(['broker', ...flags])
    assert.equal(code, 2)
    assert.match(stderr, message)
  }
})
