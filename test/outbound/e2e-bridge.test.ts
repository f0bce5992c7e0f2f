import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel, type Consumer } from 'kafkajs'
import type { Bifrost } from '../../src/bifrost'
import { startChainlinkNodeSim, type ChainlinkNodeSim } from '../../src/dev/chainlink-node-sim'
import { EVENT_HEADERS, type OracleEventMessage } from '../../src/outbound/message'
import { CHAIN_ID, PAYMENT, SPEC_ID, TIMES, type ChainlinkChain } from '../support/chainlink'
import {
  E2E_ANSWER as ANSWER,
  E2E_CONFIRMATIONS as CONFIRMATIONS,
  startE2eStack,
  type E2eStack,
} from '../support/e2e-stack'
import { eventually } from '../support/eventually'
import type { KafkaFixture } from '../support/kafka'
import { assertValidOracleEvent } from '../support/oracle-event-schema'
import { useEphemeralAdapters } from '../support/adapter-http'

useEphemeralAdapters()

interface Received {
  partition: number
  offset: number
  key: string
  headers: Record<string, string>
  value: OracleEventMessage
}

/**
 * The legacy direct-request flow (nodes before v2.48 still run it; the cron
 * flow of current nodes is e2e-cron.test.ts). The whole bridge, both
 * directions: a consumer contract asks the real Operator
 * for ETH/USD; the stand-in Chainlink node (the one part that cannot run here)
 * POSTs the bridge body to Bifrost's adapter, which answers from Kafka, and
 * fulfils; Bifrost publishes the confirmed request and its fulfilment to Kafka,
 * where a plain kafkajs consumer reads them.
 */
describe('end to end, legacy direct request: consumer contract -> Operator -> Bifrost adapter -> fulfilment -> Kafka', () => {
  let stack: E2eStack
  let kafka: KafkaFixture
  let chain: ChainlinkChain
  let bifrost: Bifrost
  let sim: ChainlinkNodeSim
  let consumer: Consumer
  let eventsTopic: string
  const received: Received[] = []

  before(async () => {
    stack = await startE2eStack('e2e', (d) => [
      { address: d.addresses.operator, kind: 'operator' },
      { address: d.addresses.consumer, kind: 'client' },
    ])
    ;({ kafka, chain, bifrost, eventsTopic } = stack)
    const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING })
    const fromBlock = await chain.provider.getBlockNumber()
    sim = await startChainlinkNodeSim({
      provider: chain.provider,
      node: chain.node,
      operator: chain.deployment.addresses.operator,
      bridgeUrl: bifrost.adapterUrl,
      fromBlock,
      pollIntervalMs: 50,
    })
    consumer = client.consumer({ groupId: kafka.uniqueTopic('e2e-reader'), maxWaitTimeInMs: 100 })
    await consumer.connect()
    await consumer.subscribe({ topic: eventsTopic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v)
        received.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? '',
          headers,
          value: JSON.parse(message.value?.toString() ?? 'null') as OracleEventMessage,
        })
      },
    })
  })

  after(async () => {
    await consumer?.disconnect()
    await sim?.stop()
    await stack?.stop()
  })

  for (const dataVersion of [1, 2] as const) {
    test(`dataVersion ${dataVersion}: the request and its fulfilment, with the decoded answer, arrive in Kafka confirmed`, async () => {
      const receipt = await chain.request(dataVersion)
      const requestId = chain.decode(receipt).find((e) => e.event === 'OracleRequest')!.requestId as string

      // The stand-in node called the adapter as a bridge task does, and the consumer contract got the answer.
      const run = await sim.waitFor(requestId)
      assert.deepEqual(run.bridgeBody, { id: run.jobRunId, data: { feed: 'ETH/USD', times: Number(TIMES) } })
      assert.equal(run.answer, ANSWER)
      assert.equal(await chain.deployment.consumer.getFunction('answers')(requestId), ANSWER)
      const fulfilment = await chain.provider.getTransactionReceipt(run.fulfillmentTx!)

      // Request and fulfilment are in consecutive blocks: neither has CONFIRMATIONS descendants yet, so nothing is out.
      const ofRequest = () => received.filter((r) => r.value.requestId === requestId)
      assert.equal(fulfilment!.blockNumber, receipt.blockNumber + 1)
      await new Promise((r) => setTimeout(r, 500))
      assert.deepEqual(ofRequest(), [])
      await chain.provider.send('anvil_mine', [CONFIRMATIONS])
      const events = await eventually(
        `the 4 events of request ${requestId} in Kafka`,
        () => ofRequest().length >= 4 && ofRequest(),
        { timeoutMs: 30_000 },
      )
      assert.deepEqual(
        events.map((e) => e.value.event),
        ['ChainlinkRequested', 'OracleRequest', 'OracleResponse', 'ChainlinkFulfilled'],
      )
      for (const e of events) {
        assertValidOracleEvent(e.value)
        assert.equal(e.value.status, 'confirmed')
        assert.equal(e.key, `${CHAIN_ID}:${requestId}`)
        assert.equal(e.partition, events[0].partition)
        assert.equal(e.headers[EVENT_HEADERS.event], e.value.event)
        assert.equal(e.headers[EVENT_HEADERS.chainId], String(CHAIN_ID))
        assert.equal(e.headers[EVENT_HEADERS.contentType], 'application/json')
        assert.ok(e.value.confirmations >= CONFIRMATIONS)
      }
      const [, request, response] = events.map((e) => e.value)
      assert.equal(request.blockNumber, receipt.blockNumber)
      assert.equal(request.blockHash, receipt.blockHash)
      assert.equal(request.args['dataVersion'], String(dataVersion))
      assert.equal(request.args['payment'], PAYMENT.toString())
      assert.deepEqual(request.params, { feed: 'ETH/USD', times: Number(TIMES) })
      assert.equal(response.transactionHash, fulfilment!.hash)
      assert.equal(response.blockNumber, fulfilment!.blockNumber)
      assert.ok(response.fulfillment?.decoded, JSON.stringify(response.fulfillment))
      assert.equal(response.fulfillment.method, dataVersion === 1 ? 'fulfillOracleRequest' : 'fulfillOracleRequest2')
      assert.equal(response.fulfillment.value, ANSWER.toString())
      assert.equal(response.fulfillment.sender, await chain.node.getAddress())
      assert.equal(response.request?.specId, SPEC_ID)
      assert.equal(response.request?.dataVersion, String(dataVersion))
      assert.equal(response.latencyBlocks, fulfilment!.blockNumber - receipt.blockNumber)
    })
  }

  test('a request the adapter cannot answer is not fulfilled: only the request reaches Kafka', async () => {
    const receipt = await chain.request(1, 'NOPE/USD')
    const requestId = chain.decode(receipt).find((e) => e.event === 'OracleRequest')!.requestId as string
    await assert.rejects(sim.waitFor(requestId), /bridge answered 4\d\d/)
    assert.equal(sim.runs.get(requestId)?.fulfillmentTx, undefined)
    await chain.provider.send('anvil_mine', [CONFIRMATIONS])
    const events = await eventually(
      `the request ${requestId} in Kafka`,
      () =>
        received.filter((r) => r.value.requestId === requestId).length >= 2 &&
        received.filter((r) => r.value.requestId === requestId),
      { timeoutMs: 30_000 },
    )
    assert.deepEqual(
      events.map((e) => e.value.event),
      ['ChainlinkRequested', 'OracleRequest'],
    )
    assert.deepEqual(events[1].value.params, { feed: 'NOPE/USD', times: Number(TIMES) })
  })

  test('every event was published once', async () => {
    await chain.provider.send('anvil_mine', [CONFIRMATIONS + 2])
    // give a duplicate, if there were one, time to arrive
    await new Promise((r) => setTimeout(r, 1000))
    const ids = received.map((r) => `${r.value.blockHash}:${r.value.logIndex}`)
    assert.equal(received.length, 10)
    assert.equal(new Set(ids).size, ids.length)
  })
})
