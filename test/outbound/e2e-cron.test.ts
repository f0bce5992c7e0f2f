import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel, type Consumer } from 'kafkajs'
import { startBifrost, type Bifrost } from '../../src/bifrost'
import { loadConfig } from '../../src/config/load'
import { startCronJobSim, type CronJobSim } from '../../src/dev/chainlink-cron-sim'
import { EVENT_HEADERS, type OracleEventMessage } from '../../src/outbound/message'
import type { StatusSnapshot } from '../../src/status/snapshot'
import { freshTopicsEnv } from '../support/bifrost'
import { CHAIN_ID, startChainlinkChain, TIMES, type ChainlinkChain } from '../support/chainlink'
import { eventually } from '../support/eventually'
import { startKafka, type KafkaFixture } from '../support/kafka'
import { assertValidOracleEvent } from '../support/oracle-event-schema'

process.env['EA_PORT'] = '0'
process.env['METRICS_ENABLED'] = 'false'
process.env['LOG_LEVEL'] ??= 'error'

const CONFIRMATIONS = 2
const PRICE = '3012.45'
const ANSWER = 301_245_000_000n

/**
 * The whole bridge as a current node uses it: a feed record in Kafka; the
 * stand-in node (the one part that cannot run here) runs the `cron` job that
 * `bifrost jobspec --type cron` prints, POSTing the bridge body a cron run sends
 * (requestData and `meta: {}`, no id) and writing the answer with updateAnswer;
 * Bifrost publishes the confirmed AnswerUpdated to Kafka, and /status shows the chain.
 */
describe('end to end, cron job: Kafka -> Bifrost adapter -> cron run -> aggregator -> Kafka', () => {
  let kafka: KafkaFixture
  let chain: ChainlinkChain
  let bifrost: Bifrost
  let job: CronJobSim
  let consumer: Consumer
  const received: OracleEventMessage[] = []
  const headers: Array<Record<string, string>> = []

  before(async () => {
    kafka = await startKafka()
    chain = await startChainlinkChain()
    const eventsTopic = kafka.uniqueTopic('e2e-cron-events')
    await kafka.createTopics([{ topic: eventsTopic, partitions: 3 }])
    const env = await freshTopicsEnv(kafka, { EVENTS_TOPIC: eventsTopic, KAFKA_CLIENT_ID: kafka.uniqueTopic('bifrost') })
    const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING })
    const producer = client.producer()
    await producer.connect()
    await producer.send({ topic: env['FEEDS_TOPICS'], messages: [{ key: 'ETH/USD', value: JSON.stringify({ value: PRICE, source: 'e2e' }) }] })
    await producer.disconnect()
    const aggregator = chain.deployment.addresses.aggregator
    bifrost = await startBifrost(
      loadConfig({
        env,
        defaults: {
          events: {
            chains: [
              {
                name: 'e2e-cron',
                chainId: CHAIN_ID,
                rpcUrls: [chain.anvil.rpcUrl],
                confirmations: CONFIRMATIONS,
                fromBlock: await chain.provider.getBlockNumber(),
                pollIntervalMs: 100,
                contracts: [{ address: aggregator, kind: 'aggregator' }],
              },
            ],
          },
        },
      }),
    )
    // Runs only when the test says so: the schedule is far away
    job = startCronJobSim({ node: chain.node, bridgeUrl: bifrost.adapterUrl, contract: aggregator, feed: 'ETH/USD', times: TIMES, intervalMs: 3_600_000 })
    consumer = client.consumer({ groupId: kafka.uniqueTopic('e2e-cron-reader'), maxWaitTimeInMs: 100 })
    await consumer.connect()
    await consumer.subscribe({ topic: eventsTopic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(JSON.parse(message.value?.toString() ?? 'null') as OracleEventMessage)
        headers.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])))
      },
    })
    await eventually('the feed to be servable', async () => (await fetch(`${bifrost.adapterUrl}/ready`)).status === 200, { timeoutMs: 60_000 })
  })

  after(async () => {
    await consumer?.disconnect()
    await job?.stop()
    await bifrost?.stop()
    await chain?.stop()
    await kafka?.stop()
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
    const events = await eventually(
      'NewRound and AnswerUpdated in Kafka',
      () => received.filter((e) => e.transactionHash === run.tx).length >= 2 && received.filter((e) => e.transactionHash === run.tx),
      { timeoutMs: 30_000 },
    )
    assert.deepEqual(events.map((e) => e.event), ['NewRound', 'AnswerUpdated'])
    for (const e of events) {
      assertValidOracleEvent(e)
      assert.equal(e.status, 'confirmed')
      assert.equal(e.blockNumber, receipt!.blockNumber)
    }
    assert.equal(events[1].args['current'], ANSWER.toString())
    assert.equal(headers[received.indexOf(events[1])][EVENT_HEADERS.event], 'AnswerUpdated')
  })

  test("a run the adapter cannot answer fails at the bridge, as the node fails it, and nothing is written", async () => {
    const before = await chain.deployment.aggregator.getFunction('latestRound')()
    const failing = startCronJobSim({ node: chain.node, bridgeUrl: bifrost.adapterUrl, contract: chain.deployment.addresses.aggregator, feed: 'NOPE/USD', times: TIMES, intervalMs: 3_600_000 })
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
      return c && c.head !== undefined && c.head >= head && (c.publishedBlock ?? -1) >= head - CONFIRMATIONS && answer.bifrost.chains
    })
    assert.equal(chains.length, 1)
    assert.equal(chains[0].name, 'e2e-cron')
    assert.equal(chains[0].chainId, CHAIN_ID)
    assert.equal(chains[0].role, 'leader')
    assert.equal(chains[0].halted, undefined)
  })
})
