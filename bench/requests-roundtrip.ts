import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { startBifrost } from '../src/bifrost'
import { loadConfig } from '../src/config/load'
import { startResponder } from '../src/dev/responder'
import { callbackBody } from '../src/requests/callback'
import { requestSettings } from '../src/requests/settings'
import type { Outcome, RequestRecord } from '../src/requests/records'
import { freshTopicsEnv } from '../test/support/bifrost'
import { startFakeChainlinkNode, type RecordedPatch } from '../test/support/fake-chainlink-node'
import { onRealKafka, startKafka } from '../test/support/kafka'

const CONCURRENCY = 200
const REQUESTS = 4000
const WARM_UP = 200
// The offered load of the open-loop phase; lower it (BENCH_OFFERED_PER_SECOND) on a machine that saturates below it,
// where queueing, not the bridge, would decide the latency.
const OFFERED_PER_SECOND = Number(process.env['BENCH_OFFERED_PER_SECOND'] ?? 200)
const OFFERED_FOR_MS = 10_000
/**
 * The mock answers an idle fetch only after its max wait, even when records arrive meanwhile
 * (a real broker answers at once): on the mock every consumer on both sides uses the same short
 * wait, so neither pays more for it; on a real broker everything runs at the default
 * (requests.fetchMaxWaitMs), as a deployment would.
 */
const fetchMaxWaitMs = (): number => (onRealKafka() ? requestSettings.parse({}).fetchMaxWaitMs : 5)

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]

/** Keeps `CONCURRENCY` round trips in flight until `total` are done; latencies in ms. */
const drive = async (total: number, roundTrip: (i: number) => Promise<number>) => {
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) latencies.push(await roundTrip(next++))
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { perSecond: total / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) }
}

/**
 * Open loop: starts a round trip every 1/`perSecond` s for `durationMs`, however many are still
 * pending, so a slow answer does not lower the offered load; each latency counts from when its
 * request was due (no coordinated omission when the sender itself falls behind).
 */
const offer = async (perSecond: number, durationMs: number, roundTrip: (i: number) => Promise<number>) => {
  const total = Math.round((perSecond * durationMs) / 1000)
  const started = performance.now()
  const pending: Array<Promise<number>> = []
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond
    const early = due - performance.now()
    if (early > 0) await sleep(early)
    const late = performance.now() - due
    pending.push(roundTrip(i).then((ms) => ms + late))
  }
  const latencies = (await Promise.all(pending)).sort((a, b) => a - b)
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) }
}

/**
 * Bridge request -> Kafka request -> echo responder -> Kafka reply -> PATCH to
 * the node, with 200 requests pending at all times, through the whole
 * `startBifrost` on the broker of the round. Baseline in the same run: the same hops
 * with nothing of Bifrost (a bare producer publishes the request, a bare
 * consumer PATCHes the reply), so the ratio is what the bookkeeping costs
 * (HTTP adapter, pending topic writes, committed offsets).
 */
export async function requestsRoundTrip() {
  process.env['EA_PORT'] = '0'
  process.env['METRICS_PORT'] = '0'
  // The framework's metrics server can exist only once per process, and bench/run.ts runs this once per broker.
  process.env['METRICS_ENABLED'] = 'false'
  process.env['LOG_LEVEL'] ??= 'error'
  const kafka = await startKafka()
  const waiting = new Map<string, (patch: RecordedPatch) => void>()
  const node = await startFakeChainlinkNode({ onPatch: (p) => waiting.get(p.runId)?.(p) })
  const patched = (url: string) =>
    new Promise<RecordedPatch>((resolve) => waiting.set(url.split('/').pop()!, resolve)).finally(() =>
      waiting.delete(url.split('/').pop()!),
    )
  const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING })
  const echo = (r: RequestRecord): Outcome => ({ result: r.params })
  try {
    // --- Bifrost ---
    const env = await freshTopicsEnv(kafka, {
      KAFKA_CLIENT_ID: kafka.uniqueTopic('bench'),
      REQUESTS_FETCH_MAX_WAIT_MS: String(fetchMaxWaitMs()),
    })
    const bifrost = await startBifrost(loadConfig({ env }))
    const responder = await startResponder(client, {
      requestTopic: env['REQUESTS_TOPIC'],
      replyTopic: env['REQUESTS_REPLY_TOPIC'],
      answer: echo,
      fetchMaxWaitMs: fetchMaxWaitMs(),
    })
    const viaBifrost = async (i: number): Promise<number> => {
      const responseURL = node.responseUrl()
      const done = patched(responseURL)
      const started = performance.now()
      const res = await fetch(bifrost.adapterUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: `bench-${i}`,
          data: { endpoint: 'request', type: 'echo', params: { i } },
          responseURL,
        }),
      })
      if (!((await res.json()) as { pending?: boolean }).pending) throw new Error(`request ${i} was not pending`)
      return (await done).at - started
    }
    await drive(WARM_UP, (i) => viaBifrost(-1 - i))
    const offered = await offer(OFFERED_PER_SECOND, OFFERED_FOR_MS, (i) => viaBifrost(REQUESTS + i))
    const measured = await drive(REQUESTS, viaBifrost)
    await responder.stop()
    await bifrost.stop()

    // --- Baseline: the same hops, bare ---
    const requestTopic = kafka.uniqueTopic('bench-requests')
    const replyTopic = kafka.uniqueTopic('bench-replies')
    await kafka.createTopics([{ topic: requestTopic }, { topic: replyTopic }])
    const bareResponder = await startResponder(client, {
      requestTopic,
      replyTopic,
      answer: echo,
      fetchMaxWaitMs: fetchMaxWaitMs(),
    })
    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    const consumer = client.consumer({ groupId: kafka.uniqueTopic('bench-bare'), maxWaitTimeInMs: fetchMaxWaitMs() })
    const urls = new Map<string, string>()
    await producer.connect()
    await consumer.connect()
    await consumer.subscribe({ topic: replyTopic, fromBeginning: true })
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await Promise.all(
          batch.messages.map(async (m) => {
            const url = urls.get(String(m.key))
            if (!url) return
            await fetch(url, {
              method: 'PATCH',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(callbackBody(JSON.parse(String(m.value)) as Outcome)),
            })
          }),
        )
      },
    })
    const bare = async (i: number): Promise<number> => {
      const responseURL = node.responseUrl()
      const correlationId = `bare-${i}`
      urls.set(correlationId, responseURL)
      const done = patched(responseURL)
      const started = performance.now()
      const record: RequestRecord = {
        correlationId,
        type: 'echo',
        params: { i },
        jobRunId: String(i),
        meta: null,
        replyTopic,
        deadline: new Date(Date.now() + 300_000).toISOString(),
      }
      await producer.send({
        topic: requestTopic,
        acks: -1,
        messages: [{ key: correlationId, value: JSON.stringify(record) }],
      })
      return (await done).at - started
    }
    await drive(WARM_UP, (i) => bare(-1 - i))
    const offeredBare = await offer(OFFERED_PER_SECOND, OFFERED_FOR_MS, (i) => bare(REQUESTS + i))
    const baseline = await drive(REQUESTS, bare)
    await consumer.disconnect()
    await producer.disconnect()
    await bareResponder.stop()

    return [
      {
        name: `requests: bridge request -> Kafka -> echo -> PATCH, open loop at ${OFFERED_PER_SECOND}/s (ratio: baseline p99 / bifrost p99)`,
        figures: {
          'fetch max wait (ms)': fetchMaxWaitMs(),
          'offered round trips/s': OFFERED_PER_SECOND,
          'bifrost p50 (ms)': offered.p50,
          'bifrost p99 (ms)': offered.p99,
          'baseline p50 (ms)': offeredBare.p50,
          'baseline p99 (ms)': offeredBare.p99,
          requests: Math.round((OFFERED_PER_SECOND * OFFERED_FOR_MS) / 1000),
        },
        ratio: offeredBare.p99 / offered.p99,
      },
      {
        name: `requests: bridge request -> Kafka -> echo -> PATCH, saturated: ${CONCURRENCY} pending at a time`,
        figures: {
          'fetch max wait (ms)': fetchMaxWaitMs(),
          'bifrost round trips/s': Math.round(measured.perSecond),
          'bifrost p50 (ms)': measured.p50,
          'bifrost p99 (ms)': measured.p99,
          'baseline round trips/s (bare produce/consume/PATCH)': Math.round(baseline.perSecond),
          'baseline p50 (ms)': baseline.p50,
          'baseline p99 (ms)': baseline.p99,
          requests: REQUESTS,
        },
        ratio: measured.perSecond / baseline.perSecond,
      },
    ]
  } finally {
    await node.stop()
    await kafka.stop()
  }
}
