import assert from 'node:assert/strict'
import { test } from 'node:test'
import { leaderOf, withClusterAdmin } from '../support/cluster'
import { startEventChain } from '../support/event-chain'
import { eventually } from '../support/eventually'
import { ALL_NODES, CONFIRMATIONS, describeFaults, FAULT_TIMEOUT_MS } from '../support/fault-stack'
import {
  createOutboundTopics,
  emitterChain,
  startTestPublisher,
  testEventSettings,
  untilPublished,
} from '../support/outbound'

const BACKLOG_BLOCKS = 5
const EVENTS_PER_BLOCK = 1000

describeFaults(
  'the leader of an events partition killed with -9 (three Apache Kafka nodes, replication factor 3, min.insync.replicas=2)',
  { chainId: 7110, heal: true },
  (current) => {
    test('it dies during a backfill: no event lost, none doubled', async (t) => {
      const stack = current()
      const { cluster, kafka } = stack
      const backlog = await startEventChain({ chainId: 7111 })
      t.after(() => backlog.stop())
      for (let b = 0; b < BACKLOG_BLOCKS; b++) await backlog.emit(EVENTS_PER_BLOCK, { start: b * EVENTS_PER_BLOCK })
      const head = await backlog.blockNumber()
      const topics = await createOutboundTopics(kafka)
      const victim = await leaderOf(cluster, topics.topic, 0, ALL_NODES)
      const publisher = await startTestPublisher(cluster.brokers, {
        ...testEventSettings(topics, [emitterChain('backfill', backlog, { confirmations: CONFIRMATIONS })]),
        // Bifrost's default: the publisher's heartbeats must outlast a busy backfill on a loaded machine.
        leaderSessionTimeoutMs: 10_000,
      })
      t.after(() => publisher.stop())

      const published = () =>
        withClusterAdmin(cluster, ALL_NODES, async (admin) =>
          (await admin.fetchTopicOffsets(topics.topic)).reduce((n, p) => n + Number(p.high), 0),
        )
      // Read just before the kill: the backfill had begun and was not over.
      const atKill = await eventually(
        'the backfill to publish its first events',
        async () => (await published()) || false,
        {
          timeoutMs: 60_000,
          intervalMs: 20,
        },
      )
      await cluster.kill(victim)
      assert.ok(atKill < BACKLOG_BLOCKS * EVENTS_PER_BLOCK, `the kill came after the backfill (${atKill} published)`)

      await untilPublished('backfill', head - CONFIRMATIONS, FAULT_TIMEOUT_MS)
      await stack.assertEventsOnce(`of the backfill (node ${victim} killed after ${atKill})`, backlog, topics.topic)
    })
  },
)
