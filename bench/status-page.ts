import { once } from 'node:events'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { freshTopicsEnv } from '../test/support/bifrost'
import { spawnCli, waitForLine } from '../test/support/cli'
import { eventually } from '../test/support/eventually'
import { startKafka } from '../test/support/kafka'
import { closedLoop, loadFigures, type LoadResult } from './_http-load'

const FEEDS = 10_000
const BODY = { id: '1', data: { feed: 'F05000/USD' } }
const LOAD = { body: BODY, concurrency: 16, durationMs: 8000 }
const WARMUP_MS = 2000
const ROUNDS = 3
const SERVER_ENV = { EA_PORT: '0', METRICS_PORT: '0', HTTP_PORT: '0', LOG_LEVEL: 'info', FEEDS_MAX_AGE_SECONDS: '3600' }

/**
 * What web/status.js asks while a page is open, on its own timers: the header,
 * the status model, one page of 50 feeds, chains and requests every 2 s, Kafka
 * every 10 s, and one Server-Sent Events stream held open. Replayed here rather
 * than in a browser, so the browser's own CPU does not compete with Bifrost's
 * on a two-core machine: what is measured is what the page costs the bridge.
 */
const openPage = (statusUrl: string) => {
  const abort = new AbortController()
  const get = (path: string) =>
    fetch(new URL(path, statusUrl), { signal: abort.signal })
      .then((res) => res.arrayBuffer())
      .catch(() => undefined)
  let polls = 0
  const everyTwo = () => {
    polls++
    void get('api/overview')
    void get('api/status')
    void get('api/feeds?offset=0&limit=50')
    void get('api/chains')
    void get('api/requests')
    if (polls % 5 === 1) void get('api/kafka')
  }
  everyTwo()
  const timer = setInterval(everyTwo, 2000)
  const stream = fetch(new URL('api/events/stream', statusUrl), { signal: abort.signal })
    .then(async (res) => {
      for await (const _ of res.body as AsyncIterable<Uint8Array>) void _
    })
    .catch(() => undefined)
  return {
    polls: () => polls,
    close: async () => {
      clearInterval(timer)
      abort.abort()
      await stream
    },
  }
}

/**
 * Adapter latency of `bifrost serve` holding 10,000 feeds, with the status page
 * closed (baseline) and open, in alternating rounds against one process; the
 * best round of each counts. The page must not cost the bridge.
 */
export async function statusPage() {
  const kafka = await startKafka()
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  try {
    const topic = kafka.uniqueTopic('bench-feeds')
    await kafka.createTopics([{ topic, partitions: 3, compacted: true }])
    await producer.connect()
    const now = Date.now()
    for (let i = 0; i < FEEDS; i += 1000) {
      await producer.send({
        topic,
        messages: Array.from({ length: 1000 }, (_, j) =>
          ['alpha', 'beta', 'gamma'].map((source, s) => ({
            key: `F${String(i + j).padStart(5, '0')}/USD`,
            value: JSON.stringify({ value: 1000 + i + j + s, source, timestamp: now }),
          })),
        ).flat(),
      })
    }
    const env = { ...(await freshTopicsEnv(kafka, { FEEDS_TOPICS: topic })), ...SERVER_ENV }
    const child = spawnCli(['serve'], env)
    try {
      const [, adapterUrl, statusUrl] = await waitForLine(
        child,
        /Adapter listening on (http:\/\/[^\s"]+)[\s\S]*Status page and operator API on (http:\/\/[^\s"]+)/,
      )
      child.stdout?.resume()
      await eventually('10,000 feeds read', async () => (await fetch(`${adapterUrl}/ready`)).status === 200, {
        timeoutMs: 120_000,
        intervalMs: 200,
      })
      await closedLoop({ url: adapterUrl, ...LOAD, durationMs: WARMUP_MS })
      const closed: LoadResult[] = []
      const open: Array<LoadResult & { polls: number }> = []
      for (let round = 0; round < ROUNDS; round++) {
        closed.push(await closedLoop({ url: adapterUrl, ...LOAD }))
        const page = openPage(statusUrl)
        const load = await closedLoop({ url: adapterUrl, ...LOAD })
        open.push({ ...load, polls: page.polls() })
        await page.close()
      }
      const best = <T extends LoadResult>(runs: T[]): T => runs.reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a))
      const c = best(closed)
      const o = best(open)
      return {
        name: 'status page: adapter latency with 10,000 feeds, page open vs closed (ratio: p99 open / p99 closed)',
        figures: {
          feeds: FEEDS,
          'concurrency (keep-alive connections)': LOAD.concurrency,
          'measured seconds per round': LOAD.durationMs / 1000,
          ...loadFigures('page closed', c),
          ...loadFigures('page open', o),
          'page polls during the open round': o.polls,
          'errors (all rounds)': [...closed, ...open].reduce((n, r) => n + r.errors, 0),
          'goal: ratio at most': 1.1,
        },
        ratio: o.p99Ms / c.p99Ms,
      }
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  } finally {
    await producer.disconnect()
    await kafka.stop()
  }
}
