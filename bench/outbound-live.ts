import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import type { RawLog } from '../src/chain/get-logs'
import { eventMetrics } from '../src/outbound/metrics'
import { ANSWER_UPDATED, startEventChain, type EventChain } from '../test/support/event-chain'
import { startKafka } from '../test/support/kafka'
import { useDefaultLogger } from '../test/support/logger'
import { createOutboundTopics, startTestPublisher, testEventSettings, untilPublished } from '../test/support/outbound'

const SAMPLES = 150
const POLL_INTERVAL_MS = 50

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

/**
 * One event, then the block that confirms it (confirmations: 1): milliseconds from that block being mined to
 * `until` resolving, for SAMPLES events.
 */
const measure = async (chain: EventChain, until: (block: number) => Promise<void>): Promise<number[]> => {
  const latencies: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const { blockNumber } = await chain.emit(1, { start: 100_000 + i })
    // Anywhere in the polling cycle, as blocks arrive on a real chain.
    await sleep(Math.random() * POLL_INTERVAL_MS)
    await chain.mine(1)
    const mined = performance.now()
    await until(blockNumber)
    latencies.push(performance.now() - mined)
  }
  return latencies.sort((a, b) => a - b)
}

/**
 * Chain -> Kafka latency while following the head: from the block that confirms
 * an event being mined (anvil) to Kafka acknowledging the event (either broker),
 * polling every 50 ms. Baseline in the same run: a bare loop polling
 * eth_blockNumber at the same interval, then eth_getLogs, then a bare kafkajs send.
 */
export async function outboundLive() {
  useDefaultLogger()
  // Unique per run: the publisher's metrics, which the run watches, live as long as the process (bench/run.ts runs
  // each benchmark once per broker in one process).
  const chainName = `bench-live-${Date.now().toString(36)}`
  const kafka = await startKafka()
  const chain = await startEventChain({ chainId: 9102 })
  try {
    const topics = await createOutboundTopics(kafka)
    const publisher = await startTestPublisher(
      kafka.brokers,
      testEventSettings(topics, [
        {
          name: chainName,
          chainId: chain.chainId,
          rpcUrls: [chain.rpcUrl],
          confirmations: 1,
          pollIntervalMs: POLL_INTERVAL_MS,
          contracts: [{ address: chain.emitter, kind: 'aggregator' }],
        },
      ]),
    )
    await chain.emit(1, { start: 1 })
    await chain.mine(1)
    await untilPublished(chainName, (await chain.blockNumber()) - 1)
    const published = async (block: number) => {
      for (;;) {
        const { values } = await eventMetrics().publishedBlock.get()
        if ((values.find((v) => v.labels['chain'] === chainName)?.value ?? -1) >= block) return
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    const bifrost = await measure(chain, published)
    await publisher.stop()

    const baselineTopic = kafka.uniqueTopic('bench-live-baseline')
    await kafka.createTopics([{ topic: baselineTopic, partitions: 3 }])
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    await producer.connect()
    // The bare loop runs on its own clock, as a poller does: it does not know when blocks are mined.
    const acked = new Set<number>()
    let polling = true
    const poller = (async () => {
      let done = (await chain.blockNumber()) - 1
      while (polling) {
        const confirmed = Number.parseInt(await chain.rpc.request<string>('eth_blockNumber', []), 16) - 1
        if (confirmed > done) {
          const logs = await chain.rpc.request<RawLog[]>('eth_getLogs', [
            {
              fromBlock: `0x${(done + 1).toString(16)}`,
              toBlock: `0x${confirmed.toString(16)}`,
              address: [chain.emitter],
              topics: [[ANSWER_UPDATED]],
            },
          ])
          if (logs.length) {
            await producer.send({
              topic: baselineTopic,
              acks: -1,
              messages: logs.map((log) => ({
                key: `${log.transactionHash}:${log.logIndex}`,
                value: JSON.stringify(log),
              })),
            })
          }
          for (let b = done + 1; b <= confirmed; b++) acked.add(b)
          done = confirmed
        }
        await sleep(POLL_INTERVAL_MS)
      }
    })()
    const baseline = await measure(chain, async (block) => {
      while (!acked.has(block)) await new Promise((resolve) => setImmediate(resolve))
    })
    polling = false
    await poller
    await producer.disconnect()

    return {
      name: `outbound live: confirming block mined -> Kafka ack (poll every ${POLL_INTERVAL_MS} ms, ${SAMPLES} events)`,
      figures: {
        'bifrost p50 (ms)': percentile(bifrost, 50),
        'bifrost p99 (ms)': percentile(bifrost, 99),
        'bifrost max (ms)': bifrost[bifrost.length - 1],
        'baseline p50 (ms)': percentile(baseline, 50),
        'baseline p99 (ms)': percentile(baseline, 99),
        'goal: p99 below (ms)': 100 + POLL_INTERVAL_MS,
      },
      // Above 1: Bifrost is faster than the bare loop at the median.
      ratio: percentile(baseline, 50) / percentile(bifrost, 50),
    }
  } finally {
    await chain.stop()
    await kafka.stop()
  }
}
