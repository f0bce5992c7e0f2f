import assert from 'node:assert/strict'
import { test } from 'node:test'
import { leaderOf, liveBrokers, untilCluster } from '../support/cluster'
import { ALL_NODES, CONFIRMATIONS, describeFaults, FAULT_TIMEOUT_MS, FEEDS, otherNodes } from '../support/fault-stack'
import { untilPublished } from '../support/outbound'

describeFaults(
  'a broker paused with SIGSTOP (three Apache Kafka nodes, replication factor 3, min.insync.replicas=2)',
  { chainId: 7120 },
  (current) => {
    test('paused past its session timeout, then resumed: Bifrost keeps serving and publishing, nothing lost or doubled', async () => {
      const stack = current()
      const { cluster, chain, env } = stack
      // The leader of the events partition: the publisher's sends were going to it.
      const victim = await leaderOf(cluster, env['EVENTS_TOPIC'], 0, ALL_NODES)
      const up = otherNodes(victim)
      cluster.pause(victim)
      try {
        for (const feed of FEEDS) assert.equal(await stack.feedValue(feed), 1, `${feed} answered from memory`)
        const last = await stack.emitBlocks(5, 0)
        await stack.write(up, [{ key: 'PAUSED', value: JSON.stringify({ value: 3 }) }])
        await untilCluster(`node ${victim} to be fenced`, async () => (await liveBrokers(cluster, up)) === up.join())
        // While the node is still paused: what was produced meanwhile is served, the events are published.
        await stack.untilServed('PAUSED', 3)
        await chain.mine(CONFIRMATIONS)
        await untilPublished('faults', last, FAULT_TIMEOUT_MS)
      } finally {
        cluster.resume(victim)
      }
      await stack.emitBlocks(3, 1000)
      await stack.assertEventsOnce(`after node ${victim} was paused`)
      await stack.heal()
      assert.equal(await stack.ready(), true)
    })
  },
)
