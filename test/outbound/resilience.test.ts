import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, test } from 'node:test'
import { readinessReport } from '../../src/http/readiness'
import { eventMetrics } from '../../src/outbound/metrics'
import { eventually } from '../support/eventually'
import { startEventChain, type EventChain } from '../support/event-chain'
import { kafkaGate } from '../support/kafka-gate'
import { kafkaSuite } from '../support/kafka-suite'
import { useDefaultLogger } from '../support/logger'
import {
  createOutboundTopics,
  duplicates,
  emitterChain,
  eventsOf,
  startTestPublisher,
  testEventSettings,
  untilPublished,
} from '../support/outbound'
import { startRpcProxy } from '../support/rpc-proxy'
import { readTopics } from '../support/topic-reader'

useDefaultLogger()

let nextChainId = 6000

describe('chain -> Kafka under failure', () => {
  const { kafka, cleanups } = kafkaSuite()
  const { track } = cleanups
  // Confirmed after one block, so every test is quick.
  const chainConfig = (name: string, chain: EventChain, rpcUrls = [chain.rpcUrl]) =>
    emitterChain(name, chain, { confirmations: 1, rpcUrls })

  test('Kafka slow or down: no block is read until it answers again; then nothing is lost or doubled', async () => {
    const chain = track(await startEventChain({ chainId: nextChainId++ }))
    const rpc = await startRpcProxy(chain.rpcUrl)
    cleanups.defer(() => rpc.close())
    const topics = await createOutboundTopics(kafka)
    const reader = track(await readTopics(kafka.brokers, [topics.topic]))
    const gate = kafkaGate()
    track(
      await startTestPublisher(
        kafka.brokers,
        testEventSettings(topics, [chainConfig('backpressure', chain, [rpc.url])]),
        {
          socketFactory: gate.socketFactory,
          retry: { retries: 2, initialRetryTime: 100 },
        },
      ),
    )
    await chain.emit(3, { start: 0 })
    await chain.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 3, 'the first events')

    const reads = () => rpc.calls.get('eth_getLogs') ?? 0
    /** Blocks with events keep coming while Kafka is impaired; returns the reads seen half-way and at the end */
    const impaired = async (first: number): Promise<[number, number]> => {
      let midway = 0
      for (let i = 0; i < 10; i++) {
        await chain.emit(5, { start: first + i * 10 })
        await sleep(100)
        if (i === 4) midway = reads()
      }
      await chain.mine(1)
      return [midway, reads()]
    }

    gate.stall()
    const [stalledMidway, stalledEnd] = await impaired(1000)
    assert.equal(stalledEnd, stalledMidway, 'blocks were read while Kafka did not answer')
    gate.open()
    await reader.until((r) => eventsOf(r, topics.topic).length === 53, 'the events held back by a slow Kafka')

    gate.close()
    const [downMidway, downEnd] = await impaired(2000)
    assert.equal(downEnd, downMidway, 'blocks were read while Kafka was down')
    gate.open()
    await reader.until((r) => eventsOf(r, topics.topic).length >= 103, 'every event after Kafka came back', 30_000)
    const published = eventsOf(reader.records, topics.topic)
    assert.equal(published.length, 103)
    assert.deepEqual(duplicates(published), [])
  })

  test('two chains in one process: one chain dying does not stop the other', async () => {
    const [a, b] = [
      await startEventChain({ chainId: nextChainId++ }),
      await startEventChain({ chainId: nextChainId++ }),
    ]
    track(a)
    const topics = await createOutboundTopics(kafka)
    const reader = track(await readTopics(kafka.brokers, [topics.topic]))
    const publisher = track(
      await startTestPublisher(
        kafka.brokers,
        testEventSettings(topics, [chainConfig('chain-a', a), chainConfig('chain-b', b)]),
      ),
    )
    await a.emit(2, { start: 1 })
    await b.emit(2, { start: 1 })
    await Promise.all([a.mine(1), b.mine(1)])
    await reader.until((r) => eventsOf(r, topics.topic).length === 4, 'events of both chains')
    await b.stop()
    for (let i = 0; i < 5; i++) await a.emit(2, { start: 10 + i * 2 })
    await a.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 14, 'chain a goes on without chain b')
    const published = eventsOf(reader.records, topics.topic)
    assert.equal(published.filter((e) => e.chainId === a.chainId).length, 12)
    assert.equal(published.filter((e) => e.chainId === b.chainId).length, 2)
    assert.equal(
      publisher.readiness.notReadyReason(),
      undefined,
      'a chain whose RPC is down does not make Bifrost unready',
    )
    await eventually('chain b to be reported with its endpoints down', () =>
      /every RPC endpoint is down: http:\/\/127\.0\.0\.1:\d+: /.test(
        publisher.readiness.conditions?.()['chain-b'] ?? '',
      ),
    )
    const report = readinessReport([publisher.readiness])
    assert.equal(report.ready, true)
    assert.equal(report.checks['events'], 'ready')
    assert.match(report.checks['events.chain-b'], /every RPC endpoint is down/)
    assert.equal(report.checks['events.chain-a'], undefined)
  })

  test('a second instance does not publish twice, and takes over when the first stops', async () => {
    const chain = track(await startEventChain({ chainId: nextChainId++ }))
    const topics = await createOutboundTopics(kafka)
    const reader = track(await readTopics(kafka.brokers, [topics.topic]))
    const settings = testEventSettings(topics, [chainConfig('twice', chain)])
    const first = await startTestPublisher(kafka.brokers, settings)
    await chain.emit(2, { start: 0 })
    await chain.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 2, 'first events')
    const second = track(await startTestPublisher(kafka.brokers, settings))
    for (let i = 1; i <= 10; i++) await chain.emit(2, { start: i * 2 })
    await chain.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length >= 22, 'events with both instances up')
    await first.stop()
    for (let i = 11; i <= 20; i++) await chain.emit(2, { start: i * 2 })
    await chain.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length >= 42, 'events after the takeover')
    await untilPublished('twice', (await chain.blockNumber()) - 1)
    assert.equal(second.readiness.notReadyReason(), undefined)
    const published = eventsOf(reader.records, topics.topic)
    assert.equal(published.length, 42)
    assert.deepEqual(duplicates(published), [])
  })

  test('logs an endpoint returns for another block hash are dropped and counted; the chain goes on', async () => {
    const chain = track(await startEventChain({ chainId: nextChainId++ }))
    const lying = await startRpcProxy(chain.rpcUrl)
    cleanups.defer(() => lying.close())
    lying.fault = 'wrong-block-logs'
    const topics = await createOutboundTopics(kafka)
    const reader = track(await readTopics(kafka.brokers, [topics.topic]))
    track(
      await startTestPublisher(kafka.brokers, testEventSettings(topics, [chainConfig('lying', chain, [lying.url])])),
    )
    for (let i = 0; i < 3; i++) await chain.emit(2, { start: i * 2 })
    await chain.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 6, 'every real event')
    await untilPublished('lying', (await chain.blockNumber()) - 1)
    const published = eventsOf(reader.records, topics.topic)
    assert.equal(published.length, 6)
    assert.deepEqual(duplicates(published), [])
    assert.ok(!published.some((e) => e.blockHash === `0x${'ab'.repeat(32)}`), 'a log of another block was published')
    const dropped = (await eventMetrics().logsDropped.get()).values.find(
      (v) => v.labels['chain'] === 'lying' && v.labels['reason'] === 'wrong-block',
    )
    assert.ok((dropped?.value ?? 0) >= 3, `wrong-block logs counted: ${dropped?.value}`)
  })

  test('RPC failover: a dead endpoint and a lagging one cause neither gaps nor false reorgs', async () => {
    const chain = track(await startEventChain({ chainId: nextChainId++ }))
    const primary = await startRpcProxy(chain.rpcUrl)
    const lagging = await startRpcProxy(chain.rpcUrl)
    cleanups.defer(() => primary.close())
    cleanups.defer(() => lagging.close())
    lagging.lag = 3
    const topics = await createOutboundTopics(kafka)
    const reader = track(await readTopics(kafka.brokers, [topics.topic]))
    track(
      await startTestPublisher(
        kafka.brokers,
        testEventSettings(topics, [chainConfig('failover', chain, [primary.url, lagging.url])]),
      ),
    )
    for (let i = 0; i < 5; i++) await chain.emit(2, { start: i * 2 })
    await chain.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 10, 'events through the primary')
    primary.mode = 'dead'
    for (let i = 5; i < 10; i++) await chain.emit(2, { start: i * 2 })
    await chain.mine(1)
    // The lagging endpoint is all there is: it is used, behind as it is.
    await reader.until((r) => eventsOf(r, topics.topic).length === 14, 'events the lagging endpoint has')
    lagging.lag = 0
    await reader.until((r) => eventsOf(r, topics.topic).length === 20, 'the rest once it catches up')
    const published = eventsOf(reader.records, topics.topic)
    assert.deepEqual(
      published.filter((e) => e.status !== 'confirmed'),
      [],
      'a lagging endpoint was taken for a reorg',
    )
    assert.deepEqual(duplicates(published), [])
  })
})
