import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { createRpcClient } from '../src/chain/rpc'
import { eventMetrics } from '../src/outbound/metrics'
import type { RawLog } from '../src/chain/get-logs'
import { ANSWER_UPDATED, startEventChain } from '../test/support/event-chain'
import { startKafka } from '../test/support/kafka'
import { useDefaultLogger } from '../test/support/logger'
import {
  createOutboundTopics,
  messageCount,
  startTestPublisher,
  testEventSettings,
  untilPublished,
} from '../test/support/outbound'

const CHAIN = 'bench-backfill'
const EVENTS = 100_000
const PER_BLOCK = 1_000
/** eth_getLogs range of the baseline: ~5,000 logs, as Bifrost aims for (getLogsTargetLogs) */
const BASELINE_RANGE = 5
const PARTITIONS = 3
const RSS_SAMPLE_MS = 50

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)

/** Live heap after a full GC: what the process really holds, unlike RSS, which V8 grows lazily and rarely gives back */
const heapAfterGc = (): number => {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
  return process.memoryUsage().heapUsed
}

/**
 * Chain -> Kafka backfill of 100,000 AnswerUpdated events (100 blocks of 1,000)
 * on a real anvil into the test broker. Bifrost (fetch, decode, key, JSON,
 * idempotent produce, checkpoints) against a baseline in the same run: bare
 * eth_getLogs over the same blocks plus a bare kafkajs producer sending the raw
 * logs. Also the process RSS while Bifrost backfills.
 */
export async function outboundBackfill() {
  useDefaultLogger()
  const kafka = await startKafka()
  const chain = await startEventChain({ chainId: 9101 })
  try {
    for (let i = 0; i < EVENTS / PER_BLOCK; i++) await chain.emit(PER_BLOCK, { start: i * PER_BLOCK })
    // Everything below the reorg window: the backfill path, not head following.
    await chain.mine(200)
    const last = await chain.blockNumber()

    // --- Bifrost ---
    const topics = await createOutboundTopics(kafka, PARTITIONS)
    const settings = testEventSettings(topics, [
      {
        name: CHAIN,
        chainId: chain.chainId,
        rpcUrls: [chain.rpcUrl],
        confirmations: 3,
        pollIntervalMs: 50,
        contracts: [{ address: chain.emitter, kind: 'aggregator' }],
      },
    ])
    settings.checkpointIntervalMs = 1000
    const rss = { start: process.memoryUsage().rss, peak: 0, end: 0, quarters: [] as number[] }
    const heap = { start: heapAfterGc(), quarters: [] as number[], end: 0 }
    const sampler = setInterval(() => (rss.peak = Math.max(rss.peak, process.memoryUsage().rss)), RSS_SAMPLE_MS)
    const started = performance.now()
    const publisher = await startTestPublisher(kafka.brokers, settings)
    // Watched in-process (the publisher's own counter), so watching costs the run next to nothing.
    const acked = async () =>
      (await eventMetrics().published.get()).values.find(
        (v) => v.labels['chain'] === CHAIN && v.labels['status'] === 'confirmed',
      )?.value ?? 0
    while ((await acked()) === 0) await sleep(2)
    const firstAt = performance.now()
    // RSS as the backfill passes each quarter of the events: flat means it does not grow with their number.
    for (const quarter of [1, 2, 3]) {
      while ((await acked()) < (EVENTS * quarter) / 4) await sleep(10)
      rss.quarters.push(process.memoryUsage().rss)
      heap.quarters.push(heapAfterGc())
    }
    await untilPublished(CHAIN, last - 3, 120_000)
    const doneAt = performance.now()
    clearInterval(sampler)
    rss.end = process.memoryUsage().rss
    heap.end = heapAfterGc()
    await publisher.stop()
    const published = await messageCount(kafka.brokers, topics.topic)
    if (published !== EVENTS) throw new Error(`Bifrost published ${published} events, not ${EVENTS}`)
    const bifrostRate = EVENTS / ((doneAt - firstAt) / 1000)

    // --- Baseline: bare eth_getLogs + bare producer, raw logs as JSON ---
    const baselineTopic = kafka.uniqueTopic('bench-baseline')
    await kafka.createTopics([{ topic: baselineTopic, partitions: PARTITIONS }])
    const rpc = createRpcClient(chain.rpcUrl, { timeoutMs: 60_000 })
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    await producer.connect()
    const baselineStart = performance.now()
    let sent = 0
    for (let from = 0; from <= last - 3; from += BASELINE_RANGE) {
      const to = Math.min(last - 3, from + BASELINE_RANGE - 1)
      const logs = await rpc.request<RawLog[]>('eth_getLogs', [
        {
          fromBlock: `0x${from.toString(16)}`,
          toBlock: `0x${to.toString(16)}`,
          address: [chain.emitter],
          topics: [[ANSWER_UPDATED]],
        },
      ])
      // Same 768 KB sends as Bifrost, so neither side is favoured by batch size.
      for (let i = 0; i < logs.length; i += 1000) {
        const messages = logs
          .slice(i, i + 1000)
          .map((log) => ({ key: `${log.transactionHash}:${log.logIndex}`, value: JSON.stringify(log) }))
        await producer.send({ topic: baselineTopic, acks: -1, messages })
        sent += messages.length
      }
    }
    const baselineRate = sent / ((performance.now() - baselineStart) / 1000)
    await producer.disconnect()

    return {
      name: 'outbound backfill: 100k chain events decoded and published to Kafka',
      figures: {
        'bifrost events/s': Math.round(bifrostRate),
        'baseline events/s (getLogs + raw send)': Math.round(baselineRate),
        'bifrost start-up to first ack (ms)': Math.round(firstAt - started),
        'bifrost events/s incl. start-up': Math.round(EVENTS / ((doneAt - started) / 1000)),
        'RSS before start (MB)': mb(rss.start),
        'RSS at 25% / 50% / 75% (MB)': rss.quarters.map(mb).join(' / '),
        'RSS at 100% (MB)': mb(rss.end),
        'RSS peak during backfill (MB)': mb(rss.peak),
        'heap after GC: start, 25/50/75/100% (MB)': [heap.start, ...heap.quarters, heap.end].map(mb).join(' / '),
      },
      ratio: bifrostRate / baselineRate,
    }
  } finally {
    await chain.stop()
    await kafka.stop()
  }
}
