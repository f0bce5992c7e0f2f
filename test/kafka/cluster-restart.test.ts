import assert from 'node:assert/strict'
import { test } from 'node:test'
import { correlationId } from '../../src/requests/correlation'
import { eventually } from '../support/eventually'
import { ALL_NODES, describeFaults, FAULT_TIMEOUT_MS, FEEDS } from '../support/fault-stack'

describeFaults(
  'the whole cluster stopped and started again (three Apache Kafka nodes, data on disk)',
  { chainId: 7130 },
  (current) => {
    test('Bifrost reconnects by itself: feeds in and events out lose nothing, a reply written just before is PATCHed once', async () => {
      const stack = current()
      const { cluster, env, node } = stack
      const type = 'shipment-status'
      const params = { shipment: '4711' }
      const reply = (jobRunId: string) => [
        { key: correlationId(jobRunId, type, params), value: JSON.stringify({ result: { delivered: true } }) },
      ]
      const responseURL = node.responseUrl()
      const request = { id: 'run-before-outage', data: { endpoint: 'request', type, params }, responseURL }
      assert.deepEqual((await stack.post(request)).body, { pending: true })
      await stack.emitBlocks(3, 0)
      await stack.write(ALL_NODES, [{ key: 'BEFORE-OUTAGE', value: JSON.stringify({ value: 4 }) }])
      // The node is busy at first (503), so the run's delivery is retried across the outage.
      node.answerNext(503)
      // The enterprise system's reply, acknowledged by the brokers; then every node dies at once.
      await stack.write(ALL_NODES, reply(request.id), env['REQUESTS_REPLY_TOPIC'])
      await Promise.all(ALL_NODES.map((id) => cluster.kill(id)))

      for (const feed of FEEDS) assert.equal(await stack.feedValue(feed), 1, `${feed} answered from memory`)
      await stack.emitBlocks(3, 1000)
      await Promise.all(ALL_NODES.map((id) => cluster.restart(id)))

      await stack.write(ALL_NODES, [{ key: 'AFTER-OUTAGE', value: JSON.stringify({ value: 5 }) }])
      await stack.untilServed('BEFORE-OUTAGE', 4)
      await stack.untilServed('AFTER-OUTAGE', 5)
      await stack.untilReady()
      await stack.assertEventsOnce('after the whole cluster restarted')

      // A request made after the outage goes all the way round too.
      const later = { ...request, id: 'run-after-outage', responseURL: node.responseUrl() }
      assert.deepEqual((await stack.post(later)).body, { pending: true })
      await stack.write(ALL_NODES, reply(later.id), env['REQUESTS_REPLY_TOPIC'])
      await eventually('both runs resumed', () => node.patches.filter((p) => p.status === 200).length >= 2, {
        timeoutMs: FAULT_TIMEOUT_MS,
        intervalMs: 200,
      })
      const ofRun = node.patches.filter((p) => responseURL.endsWith(`/${p.runId}`))
      const statuses = ofRun.map((p) => p.status)
      const accepted = statuses.indexOf(200)
      assert.equal(statuses.filter((s) => s === 200).length, 1, `the run resumed once: ${statuses.join(', ')}`)
      // Before it, the node's refusals (retried); after it, a second PATCH only in a crash window docs/requests.md
      // names, and the node refuses it.
      assert.ok(
        statuses.slice(0, accepted).every((s) => s === 503),
        statuses.join(', '),
      )
      assert.ok(
        statuses.slice(accepted + 1).every((s) => s === 422),
        statuses.join(', '),
      )
      const value = { delivered: true }
      assert.deepEqual(ofRun[accepted].body, { value: { data: { result: value }, result: value } })
    })
  },
)
