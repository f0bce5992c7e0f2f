import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Kafka, logLevel, Partitioners, type KafkaConfig, type LogEntry } from 'kafkajs'
import { createRpcClient } from '../src/chain/rpc'
import { eventMetrics } from '../src/outbound/metrics'
import type { RawLog } from '../src/chain/get-logs'
import { ANSWER_UPDATED, startEventChain } from '../test/support/event-chain'
import { onRealKafka, startKafka } from '../test/support/kafka'
import { useDefaultLogger } from '../test/support/logger'
import {
  createOutboundTopics,
  messageCount,
  startTestPublisher,
  testEventSettings,
  untilPublished,
} from '../test/support/outbound'

// Unique per run: the publisher's metrics, which the run watches, live as long as the process (bench/run.ts runs
// each benchmark once per broker in one process).
const chainName = () => `bench-backfill-${Date.now().toString(36)}`
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

interface Memory {
  rss: { start: number; quarters: number[]; end: number; peak: number }
  heap: { start: number; quarters: number[]; end: number }
}

/** Why the transactions figures are not taken on the mock */
const MOCK_TRANSACTIONS =
  'skipped on the mock: it answers the transaction APIs but has no isolation, so a transaction there proves nothing and costs what the mock makes it cost, not what Kafka does (run with --kafka apache)'

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
const medianAndMax = (ms: number[]) => [median(ms), Math.max(...ms)].map((v) => v.toFixed(1)).join(' / ')

/**
 * What Bifrost's own transactions cost it, timed from kafkajs' debug lines on the publisher's connections: each
 * transactional request (AddPartitionsToTxn as a transaction first touches a partition, EndTxn to commit) and each
 * Produce (a broker verifies a transactional one with the coordinator, KIP-890) from its request to its response
 * (paired by correlation id), and the AddPartitionsToTxn the coordinator refused (kafkajs
 * retries them after a backoff: CONCURRENT_TRANSACTIONS while the last commit's markers are written). Everything else
 * kafkajs logs is dropped, so the debug level costs next to nothing; both modes run with it.
 */
const transactionWatch = () => {
  const sent = new Map<string, number>()
  const ms = { AddPartitionsToTxn: [] as number[], EndTxn: [] as number[], Produce: [] as number[] }
  let refused = 0
  const logCreator = () => (entry: LogEntry) => {
    const { message, broker, correlationId, error } = entry.log as LogEntry['log'] & Record<string, unknown>
    const [kind, api] = message.split(/[ (]/, 2)
    if (api !== 'AddPartitionsToTxn' && api !== 'EndTxn' && api !== 'Produce') return
    const id = `${String(broker)}:${String(correlationId)}`
    if (kind === 'Request') sent.set(id, performance.now())
    else if (kind === 'Response' && !error && sent.has(id)) ms[api].push(performance.now() - (sent.get(id) as number))
    else if (kind === 'Response' && error && entry.level === logLevel.ERROR && api === 'AddPartitionsToTxn') refused++
  }
  const overrides: Partial<KafkaConfig> = { logLevel: logLevel.DEBUG, logCreator }
  return { ms, refused: () => refused, overrides }
}

/**
 * Chain -> Kafka backfill of 100,000 AnswerUpdated events (100 blocks of 1,000)
 * on a real anvil into Kafka (the mock, or a real broker: bench/run.ts). Bifrost (fetch, decode, key, JSON,
 * idempotent produce, checkpoints) against a baseline in the same run: bare
 * eth_getLogs over the same blocks plus a bare kafkajs producer sending the raw
 * logs. Each side runs twice, interleaved (Bifrost, baseline, baseline, Bifrost),
 * and its better run counts, so a busy moment of the machine does not decide the
 * ratio. The first Bifrost run also samples memory.
 *
 * On a real broker, the same with `events.transactions: on` (two more Bifrost runs, interleaved the same way) against
 * the same baseline, and what a transaction costs: Bifrost's extra time on vs off over its transactions (one per
 * publishing step, each with its checkpoint: counted as the checkpoint records), and the commit time of a bare
 * transactional producer sending the baseline's sends in transactions of Bifrost's size.
 */
export async function outboundBackfill() {
  useDefaultLogger()
  const kafka = await startKafka()
  const chain = await startEventChain({ chainId: 9101 })
  try {
    for (let i = 0; i < EVENTS / PER_BLOCK; i++) await chain.emit(PER_BLOCK, { start: i * PER_BLOCK })
    // Everything below the reorg window: the backfill path, not head following.
    await chain.mine(200)
    const last = (await chain.blockNumber()) - 3

    const highWatermarks = async (topic: string) => {
      const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin()
      await admin.connect()
      try {
        return (await admin.fetchTopicOffsets(topic)).reduce((sum, o) => sum + Number(o.high), 0)
      } finally {
        await admin.disconnect()
      }
    }

    const bifrost = async (
      round: number,
      { memory, transactions = 'off' }: { memory?: Memory; transactions?: 'on' | 'off' } = {},
    ) => {
      const name = `${chainName()}-${round}`
      const topics = await createOutboundTopics(kafka, PARTITIONS)
      const settings = testEventSettings(topics, [
        {
          name,
          chainId: chain.chainId,
          rpcUrls: [chain.rpcUrl],
          confirmations: 3,
          pollIntervalMs: 50,
          contracts: [{ address: chain.emitter, kind: 'aggregator' }],
        },
      ])
      settings.checkpointIntervalMs = 1000
      settings.transactions = transactions
      if (memory) {
        memory.rss.start = process.memoryUsage().rss
        memory.heap.start = heapAfterGc()
      }
      const sampler = setInterval(() => {
        if (memory) memory.rss.peak = Math.max(memory.rss.peak, process.memoryUsage().rss)
      }, RSS_SAMPLE_MS)
      const started = performance.now()
      const watch = transactionWatch()
      const publisher = await startTestPublisher(kafka.brokers, settings, watch.overrides)
      // Watched in-process (the publisher's own counter), so watching costs the run next to nothing.
      const acked = async () =>
        (await eventMetrics().published.get()).values.find(
          (v) => v.labels['chain'] === name && v.labels['status'] === 'confirmed',
        )?.value ?? 0
      while ((await acked()) === 0) await sleep(2)
      const firstAt = performance.now()
      // Memory as the backfill passes each quarter of the events: flat means it does not grow with their number.
      for (const quarter of memory ? [1, 2, 3] : []) {
        while ((await acked()) < (EVENTS * quarter) / 4) await sleep(10)
        memory?.rss.quarters.push(process.memoryUsage().rss)
        memory?.heap.quarters.push(heapAfterGc())
      }
      await untilPublished(name, last, 120_000)
      const doneAt = performance.now()
      clearInterval(sampler)
      if (memory) {
        memory.rss.end = process.memoryUsage().rss
        memory.heap.end = heapAfterGc()
      }
      await publisher.stop()
      // Records read back with transactions (their markers take offsets too); else the offsets: the mock keeps only
      // the last ~5 MB of a partition (~8,300 of these events, measured), so reading back would find fewer.
      const published =
        transactions === 'on' ? await messageCount(kafka.brokers, topics.topic) : await highWatermarks(topics.topic)
      if (published !== EVENTS) throw new Error(`Bifrost published ${published} events, not ${EVENTS}`)
      return {
        seconds: (doneAt - firstAt) / 1000,
        // With transactions, every checkpoint is committed in a transaction of its own or with the events it covers.
        checkpoints: transactions === 'on' ? await messageCount(kafka.brokers, topics.checkpointTopic) : 0,
        transactionMs: watch.ms,
        refused: watch.refused(),
        rate: EVENTS / ((doneAt - firstAt) / 1000),
        startup: firstAt - started,
        withStartup: EVENTS / ((doneAt - started) / 1000),
      }
    }

    // Bare eth_getLogs + bare producer, the raw logs as JSON
    const rpc = createRpcClient(chain.rpcUrl, { timeoutMs: 60_000 })
    /** With `eventsPerTransaction`, the sends go in transactions of that many events, each commit timed */
    const baseline = async (eventsPerTransaction?: number) => {
      const topic = kafka.uniqueTopic('bench-baseline')
      await kafka.createTopics([{ topic, partitions: PARTITIONS }])
      const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        ...(eventsPerTransaction ? { transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 } : {}),
      })
      await producer.connect()
      const commits: number[] = []
      let transaction: Awaited<ReturnType<typeof producer.transaction>> | undefined
      let inTransaction = 0
      const commit = async () => {
        const at = performance.now()
        await transaction?.commit()
        if (transaction) commits.push(performance.now() - at)
        transaction = undefined
        inTransaction = 0
      }
      const started = performance.now()
      let sent = 0
      for (let from = 0; from <= last; from += BASELINE_RANGE) {
        const to = Math.min(last, from + BASELINE_RANGE - 1)
        const logs = await rpc.request<RawLog[]>('eth_getLogs', [
          {
            fromBlock: `0x${from.toString(16)}`,
            toBlock: `0x${to.toString(16)}`,
            address: [chain.emitter],
            topics: [[ANSWER_UPDATED]],
          },
        ])
        // Sends of ~600 KB, like Bifrost's, so neither side is favoured by batch size.
        for (let i = 0; i < logs.length; i += 1000) {
          const messages = logs
            .slice(i, i + 1000)
            .map((log) => ({ key: `${log.transactionHash}:${log.logIndex}`, value: JSON.stringify(log) }))
          if (eventsPerTransaction) transaction ??= await producer.transaction()
          await (transaction ?? producer).send({ topic, acks: -1, messages })
          sent += messages.length
          inTransaction += messages.length
          if (eventsPerTransaction && inTransaction >= eventsPerTransaction) await commit()
        }
      }
      await commit()
      const rate = sent / ((performance.now() - started) / 1000)
      await producer.disconnect()
      return { rate, commits }
    }

    const memory: Memory = {
      rss: { start: 0, quarters: [], end: 0, peak: 0 },
      heap: { start: 0, quarters: [], end: 0 },
    }
    const real = onRealKafka()
    const first = await bifrost(0, { memory })
    const firstOn = real ? await bifrost(2, { transactions: 'on' }) : undefined
    const baselines = [(await baseline()).rate, (await baseline()).rate]
    const secondOn = real ? await bifrost(3, { transactions: 'on' }) : undefined
    const second = await bifrost(1)
    const best = first.rate >= second.rate ? first : second
    const baselineRate = Math.max(...baselines)

    const plain = {
      name: 'outbound backfill: 100k chain events decoded and published to Kafka',
      figures: {
        'bifrost events/s (better of 2)': Math.round(best.rate),
        'bifrost events/s, each run': `${Math.round(first.rate)} / ${Math.round(second.rate)}`,
        'baseline events/s (better of 2)': Math.round(baselineRate),
        'baseline events/s, each run': baselines.map(Math.round).join(' / '),
        'bifrost start-up to first ack (ms)': Math.round(best.startup),
        'bifrost events/s incl. start-up': Math.round(best.withStartup),
        'RSS before start (MB)': mb(memory.rss.start),
        'RSS at 25% / 50% / 75% (MB)': memory.rss.quarters.map(mb).join(' / '),
        'RSS at 100% (MB)': mb(memory.rss.end),
        'RSS peak during backfill (MB)': mb(memory.rss.peak),
        'heap after GC: start, 25/50/75/100% (MB)': [memory.heap.start, ...memory.heap.quarters, memory.heap.end]
          .map(mb)
          .join(' / '),
      },
      ratio: best.rate / baselineRate,
    }
    const name = 'outbound backfill with events.transactions on: the same 100k events, each step one Kafka transaction'
    if (!firstOn || !secondOn) return [plain, { name, figures: { 'transactions on': MOCK_TRANSACTIONS } }]

    const bestOn = firstOn.rate >= secondOn.rate ? firstOn : secondOn
    // The same backfill, the same ranges, batches and broker: what transactions add, spread over their number.
    const perTransaction = ((bestOn.seconds - best.seconds) * 1000) / bestOn.checkpoints
    const bare = await baseline(Math.round(EVENTS / bestOn.checkpoints))
    const { AddPartitionsToTxn: adds, EndTxn: ends } = bestOn.transactionMs
    return [
      plain,
      {
        name,
        figures: {
          'bifrost events/s on (better of 2)': Math.round(bestOn.rate),
          'bifrost events/s on, each run': `${Math.round(firstOn.rate)} / ${Math.round(secondOn.rate)}`,
          'bifrost events/s off (better of 2)': Math.round(best.rate),
          'bifrost on / off': bestOn.rate / best.rate,
          'transactions (= checkpoints)': bestOn.checkpoints,
          'events per transaction': Math.round(EVENTS / bestOn.checkpoints),
          'bifrost EndTxn: n, median / max ms': `${ends.length}, ${medianAndMax(ends)}`,
          'bifrost AddPartitionsToTxn: same': `${adds.length}, ${medianAndMax(adds)}`,
          'AddPartitionsToTxn refused, retried': bestOn.refused,
          'bifrost ms in txn requests per txn': sum([...adds, ...ends]) / bestOn.checkpoints,
          'bifrost Produce ms, median on / off': `${median(bestOn.transactionMs.Produce).toFixed(1)} / ${median(
            best.transactionMs.Produce,
          ).toFixed(1)}`,
          'bifrost ms per transaction, on - off': perTransaction,
          'bare commit ms (median / max)': medianAndMax(bare.commits),
          'bare events/s, those txns / none': `${Math.round(bare.rate)} / ${Math.round(baselineRate)}`,
        },
        ratio: bestOn.rate / baselineRate,
      },
    ]
  } finally {
    await chain.stop()
    await kafka.stop()
  }
}
