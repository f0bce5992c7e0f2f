import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { leaderOf, untilWhole } from '../support/cluster'
import {
  ALL_NODES,
  FAULT_TIMEOUT_MS,
  FEEDS,
  otherNodes,
  startFaultStack,
  type FaultStack,
} from '../support/fault-stack'
import { apacheKafkaOnly } from '../support/kafka'

// Faults make kafkajs log errors by design; LOG_LEVEL=error shows them.
process.env['LOG_LEVEL'] ??= 'fatal'

describe(
  'a broker leading feed partitions killed with -9 and restarted (three Apache Kafka nodes, replication factor 3)',
  { skip: apacheKafkaOnly('it starts three nodes of its own, which need Java and Maven') },
  () => {
    let stack: FaultStack
    before(async () => void (stack = await startFaultStack({ chainId: 7140 })), { timeout: FAULT_TIMEOUT_MS })
    after(() => stack?.stop())

    test('answers from memory, the consumer moves on, nothing after the restart is skipped', async () => {
      const { cluster, env } = stack
      const victim = await leaderOf(cluster, env['FEEDS_TOPICS'], 0, ALL_NODES)
      await cluster.kill(victim)
      for (const feed of FEEDS) assert.equal(await stack.feedValue(feed), 1, `${feed} answered from memory`)

      await stack.write(
        otherNodes(victim),
        FEEDS.map((feed) => ({ key: feed, value: JSON.stringify({ value: 2 }) })),
      )
      for (const feed of FEEDS) await stack.untilServed(feed, 2)

      await cluster.restart(victim)
      // A feed of its own per update: one skipped record would be a feed that is never served.
      const updates = Array.from({ length: 30 }, (_, i) => ({
        key: `AFTER-RESTART-${i}`,
        value: JSON.stringify({ value: i }),
      }))
      await stack.write(ALL_NODES, updates)
      for (const [i, m] of updates.entries()) await stack.untilServed(m.key, i)
      await stack.untilReady()
      await untilWhole(cluster, [env['FEEDS_TOPICS']])
    })
  },
)
