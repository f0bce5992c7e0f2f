import assert from 'node:assert/strict'
import { after, afterEach, before, describe } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Message } from 'kafkajs'
import { startBifrost, type Bifrost } from '../../src/bifrost'
import { loadConfig } from '../../src/config/load'
import { startApacheKafka, type ApacheKafka } from '../../src/dev/apache-kafka'
import { postJson, useEphemeralAdapters } from './adapter-http'
import { freshTopicsEnv } from './bifrost'
import { clusterFixture, untilWhole, writeVia } from './cluster'
import { startEventChain, type EventChain } from './event-chain'
import { eventually } from './eventually'
import { startFakeChainlinkNode, type FakeChainlinkNode } from './fake-chainlink-node'
import { apacheKafkaOnly, type KafkaFixture } from './kafka'
import { emitterChain, eventsOf } from './outbound'
import { assertExactlyOnce, confirmedEventIds } from './publisher-process'
import { readTopics } from './topic-reader'

/** Node ids of the three-node cluster */
export const ALL_NODES = [1, 2, 3]
export const otherNodes = (id: number): number[] => ALL_NODES.filter((n) => n !== id)
export const CONFIRMATIONS = 1
/** A fault takes a broker session and an election or two; on a loaded machine several times as long */
export const FAULT_TIMEOUT_MS = 150_000
/** Feeds the stack serves from the start, each with value 1 */
export const FEEDS = ['F0', 'F1', 'F2', 'F3', 'F4', 'F5']

interface Answer {
  status: number
  body: { result?: unknown; pending?: boolean }
}

/**
 * What the fault tests break: three Apache Kafka nodes (replication factor 3, min.insync.replicas=2), and a whole
 * Bifrost on them serving feeds (a three-partition feeds topic), publishing the events of an anvil chain and
 * answering async requests to a stand-in Chainlink node that, like a real one, refuses a second PATCH of a run.
 */
export interface FaultStack {
  cluster: ApacheKafka
  kafka: KafkaFixture
  chain: EventChain
  node: FakeChainlinkNode
  bifrost: Bifrost
  /** Bifrost's environment: its topics are `env['FEEDS_TOPICS']`, `env['EVENTS_TOPIC']`… */
  env: Record<string, string>
  /** POSTs a body to the adapter */
  post(body: Record<string, unknown>): Promise<Answer>
  /** writeVia (./cluster) to the feeds topic unless `topic` says otherwise */
  write(via: number[], messages: Message[], topic?: string): Promise<void>
  /** What the adapter answers for `feed` now: its result, or undefined when it does not answer 200 */
  feedValue(feed: string): Promise<unknown>
  untilServed(feed: string, value: number): Promise<void>
  ready(): Promise<boolean>
  untilReady(): Promise<void>
  /** Blocks of 5 events each on the chain, numbered from `start`; resolves with the last block */
  emitBlocks(blocks: number, start: number): Promise<number>
  /** Every confirmed event of `chain` once on `topic` (default: Bifrost's), read back with read_committed */
  assertEventsOnce(what: string, chain?: EventChain, topic?: string): Promise<void>
  /** Every node running again and every replica in sync, whatever a test left behind */
  heal(): Promise<void>
  stop(): Promise<void>
}

export const startFaultStack = async (options: { chainId: number }): Promise<FaultStack> => {
  const stops: Array<() => Promise<void>> = []
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined)
  }
  useEphemeralAdapters()
  try {
    const cluster = await startApacheKafka({
      nodes: 3,
      // A silent node is fenced after 4 s instead of 9 s: each fault file must end within the test runner's
      // per-file timeout (180 s) on a loaded machine.
      properties: { 'broker.session.timeout.ms': '4000', 'broker.heartbeat.interval.ms': '1000' },
    })
    stops.push(cluster.stop)
    const kafka = clusterFixture(cluster)
    const chain = await startEventChain({ chainId: options.chainId })
    stops.push(chain.stop)
    const node = await startFakeChainlinkNode({ refuseResumedRuns: true })
    stops.push(node.stop)
    const feedsTopic = kafka.uniqueTopic('feeds')
    await kafka.createTopics([{ topic: feedsTopic, partitions: 3, compacted: true }])
    const env = await freshTopicsEnv(kafka, {
      FEEDS_TOPICS: feedsTopic,
      KAFKA_CLIENT_ID: kafka.uniqueTopic('bifrost'),
      EVENTS_CHAINS: JSON.stringify([
        emitterChain('faults', chain, { confirmations: CONFIRMATIONS, pollIntervalMs: 20 }),
      ]),
      EVENTS_CHECKPOINT_INTERVAL_MS: '0',
      REQUESTS_REPLY_SESSION_TIMEOUT_MS: '6000',
      // A send to a paused broker is retried on fresh metadata after this (default 30 s): within the per-file timeout.
      KAFKA_REQUEST_TIMEOUT_MS: '10000',
    })

    const write: FaultStack['write'] = (via, messages, topic = feedsTopic) => writeVia(cluster, via, topic, messages)
    await write(
      ALL_NODES,
      FEEDS.map((feed) => ({ key: feed, value: JSON.stringify({ value: 1 }) })),
    )
    const bifrost = await startBifrost(loadConfig({ env }))
    stops.push(bifrost.stop)

    const post: FaultStack['post'] = (body) => postJson<Answer['body']>(bifrost.adapterUrl, body)
    const feedValue = async (feed: string) => {
      const answer = await post({ id: '1', data: { feed } })
      return answer.status === 200 ? answer.body.result : undefined
    }
    const ready = async () => (await fetch(`${bifrost.adapterUrl}/ready`)).status === 200
    const stack: FaultStack = {
      cluster,
      kafka,
      chain,
      node,
      bifrost,
      env,
      post,
      write,
      feedValue,
      untilServed: async (feed, value) => {
        await eventually(`${feed} = ${value}`, async () => (await feedValue(feed)) === value, {
          timeoutMs: FAULT_TIMEOUT_MS,
          intervalMs: 200,
        })
      },
      ready,
      untilReady: async () => {
        await eventually('/ready to be green', ready, { timeoutMs: FAULT_TIMEOUT_MS, intervalMs: 200 })
      },
      emitBlocks: async (blocks, start) => {
        let last = 0
        for (let b = 0; b < blocks; b++) last = (await chain.emit(5, { start: start + b * 5 })).blockNumber
        return last
      },
      assertEventsOnce: async (what, source = chain, topic = env['EVENTS_TOPIC']) => {
        const expected = await confirmedEventIds(source, CONFIRMATIONS)
        const reader = await readTopics(cluster.brokers, [topic])
        try {
          await reader.until(
            (r) => eventsOf(r, topic).length >= expected.size,
            `${expected.size} events ${what}`,
            90_000,
          )
          // Anything doubled by a retry would land right behind.
          await sleep(1000)
        } finally {
          await reader.stop()
        }
        assertExactlyOnce(eventsOf(reader.records, topic), expected)
      },
      heal: async () => {
        await Promise.all(
          ALL_NODES.map((id) => (cluster.pid(id) === undefined ? cluster.restart(id) : cluster.resume(id))),
        )
        await untilWhole(cluster, [feedsTopic, env['EVENTS_TOPIC']])
      },
      stop,
    }
    await stack.untilReady()
    for (const feed of FEEDS) assert.equal(await feedValue(feed), 1)
    return stack
  } catch (err) {
    await stop()
    throw err
  }
}

/**
 * A describe block over a fault stack of its own (its chain id apart from the other files'): skipped on the mock,
 * started before its tests, stopped after them, and with `heal` every node running again after each test. Faults
 * make kafkajs log errors by design: LOG_LEVEL=error shows them.
 */
export const describeFaults = (
  name: string,
  options: { chainId: number; heal?: boolean },
  body: (stack: () => FaultStack) => void,
): void => {
  process.env['LOG_LEVEL'] ??= 'fatal'
  describe(name, { skip: apacheKafkaOnly('it starts three nodes of its own, which need Java and Maven') }, () => {
    let stack: FaultStack | undefined
    before(async () => void (stack = await startFaultStack({ chainId: options.chainId })), {
      timeout: FAULT_TIMEOUT_MS,
    })
    if (options.heal) afterEach(() => stack?.heal())
    after(() => stack?.stop())
    body(() => {
      if (!stack) throw new Error('the fault stack did not start')
      return stack
    })
  })
}
