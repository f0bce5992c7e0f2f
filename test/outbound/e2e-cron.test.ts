import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Bifrost } from '../../src/bifrost'
import { startCronJobSim, type CronJobSim } from '../../src/dev/chainlink-cron-sim'
import { EVENT_HEADERS, type OracleEventMessage } from '../../src/outbound/message'
import type { StatusSnapshot } from '../../src/status/snapshot'
import { CHAIN_ID, TIMES, type ChainlinkChain } from '../support/chainlink'
import {
  E2E_ANSWER as ANSWER,
  E2E_CONFIRMATIONS as CONFIRMATIONS,
  E2E_PRICE as PRICE,
  startE2eStack,
  type E2eStack,
} from '../support/e2e-stack'
import { eventually } from '../support/eventually'
import { assertValidOracleEvent } from '../support/oracle-event-schema'
import { readTopics, type TopicReader } from '../support/topic-reader'
import { useEphemeralAdapters } from '../support/adapter-http'

useEphemeralAdapters()

/**
 * The whole bridge as a current node uses it: a feed record in Kafka; the
 * stand-in node (the one part that cannot run here) runs the `cron` job that
 * `bifrost jobspec --type cron` prints, POSTing the bridge body a cron run sends
 * (requestData and `meta: {}`, no id) and writing the answer with updateAnswer;
 * Bifrost publishes the confirmed AnswerUpdated to Kafka, and /status shows the chain.
 */
describe('end to end, cron job: Kafka -> Bifrost adapter -> cron run -> aggregator -> Kafka', () => {
  let stack: E2eStack
  let chain: ChainlinkChain
  let bifrost: Bifrost
  let job: CronJobSim
  let events: TopicReader
  const ofTx = (tx: string) =>
    events.records
      .map((r) => ({ value: JSON.parse(r.value ?? 'null') as OracleEventMessage, headers: r.headers }))
      .filter((r) => r.value.transactionHash === tx)

  before(async () => {
    stack = await startE2eStack('e2e-cron', (d) => [{ address: d.addresses.aggregator, kind: 'aggregator' }])
    ;({ chain, bifrost } = stack)
    const aggregator = chain.deployment.addresses.aggregator
    // Runs only when the test says so: the schedule is far away
    job = startCronJobSim({
      node: chain.node,
      bridgeUrl: bifrost.adapterUrl,
      contract: aggregator,
      feed: 'ETH/USD',
      times: TIMES,
      intervalMs: 3_600_000,
    })
    events = await readTopics(stack.kafka.brokers, [stack.eventsTopic])
    await eventually(
      'the feed to be servable',
      async () => (await fetch(`${bifrost.adapterUrl}/ready`)).status === 200,
      { timeoutMs: 60_000 },
    )
  })

  after(async () => {
    await events?.stop()
    await job?.stop()
    await stack?.stop()
  })

  test('a cron run asks the adapter without id, with meta, and its answer arrives in Kafka confirmed', async () => {
    const run = await job.runOnce()
    assert.equal(run.error, undefined)
    assert.deepEqual(run.bridgeBody, { data: { feed: 'ETH/USD' }, meta: {} })
    assert.equal(run.result, PRICE)
    assert.equal(run.answer, ANSWER)
    assert.equal(await chain.deployment.aggregator.getFunction('latestAnswer')(), ANSWER)
    const receipt = await chain.provider.getTransactionReceipt(run.tx!)
    await chain.provider.send('anvil_mine', [CONFIRMATIONS])
    await events.until(() => ofTx(run.tx!).length >= 2, 'NewRound and AnswerUpdated in Kafka', 30_000)
    const published = ofTx(run.tx!)
    assert.deepEqual(
      published.map((e) => e.value.event),
      ['NewRound', 'AnswerUpdated'],
    )
    for (const { value } of published) {
      assertValidOracleEvent(value)
      assert.equal(value.status, 'confirmed')
      assert.equal(value.blockNumber, receipt!.blockNumber)
    }
    assert.equal(published[1].value.args['current'], ANSWER.toString())
    assert.equal(String(published[1].headers[EVENT_HEADERS.event]), 'AnswerUpdated')
  })

  test('a run the adapter cannot answer fails at the bridge, as the node fails it, and nothing is written', async () => {
    const before = await chain.deployment.aggregator.getFunction('latestRound')()
    const failing = startCronJobSim({
      node: chain.node,
      bridgeUrl: bifrost.adapterUrl,
      contract: chain.deployment.addresses.aggregator,
      feed: 'NOPE/USD',
      times: TIMES,
      intervalMs: 3_600_000,
    })
    try {
      const run = await failing.runOnce()
      assert.match(run.error ?? '', /bridge answered 4\d\d/)
      assert.equal(run.tx, undefined)
      assert.equal(await chain.deployment.aggregator.getFunction('latestRound')(), before)
    } finally {
      await failing.stop()
    }
  })

  test('/status shows the chain: leader role, head and published block', async () => {
    const head = await chain.provider.getBlockNumber()
    const chains = await eventually('the chain caught up in /status', async () => {
      const answer = (await (await fetch(`${bifrost.adapterUrl}/status`)).json()) as { bifrost: StatusSnapshot }
      const [c] = answer.bifrost.chains ?? []
      return (
        c &&
        c.head !== undefined &&
        c.head >= head &&
        (c.publishedBlock ?? -1) >= head - CONFIRMATIONS &&
        answer.bifrost.chains
      )
    })
    assert.equal(chains.length, 1)
    assert.equal(chains[0].name, 'e2e-cron')
    assert.equal(chains[0].chainId, CHAIN_ID)
    assert.equal(chains[0].role, 'leader')
    assert.equal(chains[0].halted, undefined)
  })
})
