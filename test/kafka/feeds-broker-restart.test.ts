import assert from 'node:assert/strict'
import { test } from 'node:test'
import { leaderOf, untilWhole } from '../support/cluster'
import { ALL_NODES, FEEDS, otherNodes, describeFaults } from '../support/fault-stack'

describeFaults(
  'a broker leading feed partitions killed with -9 and restarted (three Apache Kafka nodes, replication factor 3)',
  { chainId: 7140 },
  (current) => {
    test('answers from memory, the consumer moves on, nothing after the restart is skipped', async () => {
      const stack = current()
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
