import { performance } from 'node:perf_hooks'
import type { Adapter } from '@chainlink/external-adapter-framework/adapter'
import type { ServerInstance } from '@chainlink/external-adapter-framework/index'
import Fastify from 'fastify'
import { loadConfig } from '../src/config/load'
import { createFeedIngest } from '../src/inbound/feed-ingest'
import { createFeedStore } from '../src/inbound/feed-store'
import { statusHook } from '../src/http/status'
import { createKafka } from '../src/kafka/client'
import { createStatusBoard } from '../src/status/snapshot'
import { percentile } from './_http-load'

const FEEDS = 10_000
const SOURCES = ['alpha', 'beta', 'gamma']
const SAMPLES = 200

const timed = (fn: () => unknown): number[] => {
  const out: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now()
    fn()
    out.push(performance.now() - started)
  }
  return out.sort((a, b) => a - b)
}

/**
 * (b) What one `/status` poll costs the event loop with 10,000 feeds held: the
 * status model serialised as the framework sends it, against the baseline of
 * serialising the framework's own answer plus one pass over the store (the least
 * any view of every feed costs). In-process, no I/O: the figure is CPU time.
 */
export async function statusSnapshot() {
  const config = loadConfig({ env: {} })
  const store = createFeedStore()
  const now = Date.now()
  for (let i = 0; i < FEEDS; i++) {
    for (const source of SOURCES) {
      store.apply({ feed: `F${i}/USD`, source, value: i, timestamp: now - (i % 2) * 3_600_000 })
    }
  }
  // createFeedIngest does no I/O: its status() reads the store and the (not started) catch-up
  const feeds = createFeedIngest({ kafka: createKafka(config.kafka), settings: config.feeds, clientId: 'bench', store })
  const board = createStatusBoard(config)
  board.provide('feeds', feeds.status)
  board.provide('requests', () => ({ enabled: true, open: 0, delivering: 0 }))
  const framework = {
    adapter: { name: 'BIFROST', version: '0.1.0', uptimeSeconds: 1 },
    configuration: new Array(60).fill({ name: 'X', value: 1 }),
  }
  const baseline = timed(() => {
    let n = 0
    for (const [, sources] of store.feeds()) n += sources.size
    return JSON.stringify({ ...framework, n })
  })
  const ours = timed(() => JSON.stringify({ ...framework, bifrost: board.snapshot() }))
  await feeds.stop()
  const stale = board.snapshot().feeds?.stale
  return {
    name: `/status with ${FEEDS} feeds: the status model vs one pass over the store (ratio: baseline p50 / ours p50)`,
    figures: {
      samples: SAMPLES,
      'feeds (half of them stale)': `${FEEDS} (${stale} stale)`,
      'baseline p50 (ms)': percentile(baseline, 50),
      'baseline p99 (ms)': percentile(baseline, 99),
      'status model p50 (ms)': percentile(ours, 50),
      'status model p99 (ms)': percentile(ours, 99),
    },
    ratio: percentile(baseline, 50) / percentile(ours, 50),
  }
}

const INJECTED = 5000
const HOOK_ROUNDS = 5

/** Requests per second of `app.inject` on a bridge-like POST route, best of the rounds. */
const injectRate = async (withHook: boolean): Promise<number> => {
  const app = Fastify()
  app.post('/', async () => ({ data: { result: 3001 }, result: 3001, statusCode: 200 }))
  app.get('/status', async () => ({ adapter: { name: 'BIFROST' } }))
  if (withHook) {
    const adapter = { config: { settings: { BASE_URL: '/' } } } as unknown as Adapter
    statusHook(createStatusBoard(loadConfig({ env: {} })))(app as unknown as ServerInstance, adapter)
  }
  await app.ready()
  const payload = { data: { feed: 'ETH/USD' } }
  for (let i = 0; i < 500; i++) await app.inject({ method: 'POST', url: '/', payload })
  const started = performance.now()
  for (let i = 0; i < INJECTED; i++) await app.inject({ method: 'POST', url: '/', payload })
  const rate = INJECTED / ((performance.now() - started) / 1000)
  await app.close()
  return rate
}

/**
 * (c) What the `/status` hook costs every other request: it is a root
 * `preSerialization` hook, so it runs on each bridge answer. The same Fastify
 * route answered in-process with and without it, rounds alternating; the best
 * round of each counts (the machine may be shared).
 */
export async function statusHookOverhead() {
  const without: number[] = []
  const withHook: number[] = []
  for (let round = 0; round < HOOK_ROUNDS; round++) {
    without.push(await injectRate(false))
    withHook.push(await injectRate(true))
  }
  const a = Math.max(...without)
  const b = Math.max(...withHook)
  return {
    name: 'the /status hook on every bridge answer: requests/s with it vs without (in-process inject)',
    figures: {
      'requests per round': INJECTED,
      'without the hook (req/s)': Math.round(a),
      'with the hook (req/s)': Math.round(b),
      'goal: ratio at least': 0.95,
    },
    ratio: b / a,
  }
}
