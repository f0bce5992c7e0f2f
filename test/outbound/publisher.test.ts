import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { id } from 'ethers'
import { DLQ_HEADERS } from '../../src/kafka/dead-letter'
import { EVENT_HEADERS } from '../../src/outbound/message'
import { createCleanups } from '../support/cleanups'
import { startEventChain } from '../support/event-chain'
import { startKafka, type KafkaFixture } from '../support/kafka'
import { useDefaultLogger } from '../support/logger'
import {
  createOutboundTopics,
  duplicates,
  emitterChain,
  eventsOf,
  messageCount,
  startTestPublisher,
  testEventSettings,
  untilPublished,
  type OutboundTopics,
} from '../support/outbound'
import { startRpcProxy } from '../support/rpc-proxy'
import { readTopics, type TopicReader } from '../support/topic-reader'

useDefaultLogger()

let nextChainId = 5000

describe('chain -> Kafka publishing', () => {
  let kafka: KafkaFixture
  const cleanups = createCleanups()
  const { track } = cleanups
  const setup = async (partitions = 3) => {
    const chain = track(await startEventChain({ chainId: nextChainId++ }))
    const topics = await createOutboundTopics(kafka, partitions)
    const reader = track(await readTopics(kafka.brokers, [topics.topic, topics.deadLetterTopic]))
    return { chain, topics, reader }
  }
  const events = (reader: TopicReader, topics: OutboundTopics) => eventsOf(reader.records, topics.topic)

  before(async () => {
    kafka = await startKafka()
  })
  after(async () => {
    await cleanups.run()
    await kafka.stop()
  })

  test('publishes an event once its block has `confirmations` descendants, not before', async () => {
    const { chain, topics, reader } = await setup()
    const publisher = track(
      await startTestPublisher(
        kafka.brokers,
        testEventSettings(topics, [emitterChain('confirm', chain, { confirmations: 3 })]),
      ),
    )
    const { blockNumber, blockHash, transactionHash } = await chain.emit(2, { start: 7 })
    await chain.mine(2)
    await untilPublished('confirm', blockNumber - 1)
    assert.equal(await messageCount(kafka.brokers, topics.topic), 0, 'published with 2 confirmations')
    await chain.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 2, 'two events')
    // Two keys, maybe two partitions: read order is not chain order.
    const [first, second] = events(reader, topics).sort((a, b) => a.logIndex - b.logIndex)
    assert.equal(first.status, 'confirmed')
    assert.equal(first.event, 'AnswerUpdated')
    assert.equal(first.confirmations, 3)
    assert.equal(first.chainId, chain.chainId)
    assert.equal(first.blockNumber, blockNumber)
    assert.equal(first.blockHash, blockHash)
    const block = await chain.rpc.request<{ timestamp: string }>('eth_getBlockByHash', [blockHash, false])
    assert.equal(first.blockTimestamp, Number.parseInt(block.timestamp, 16))
    assert.equal(first.transactionHash, transactionHash)
    assert.deepEqual([first.logIndex, second.logIndex], [0, 1])
    assert.deepEqual(first.args, { current: '7', roundId: '7', updatedAt: '7' })
    assert.equal(first.key, `${chain.chainId}:${first.address}:7`)
    const record = reader.records.find((r) => r.topic === topics.topic)
    assert.equal(record?.headers[EVENT_HEADERS.event]?.toString(), 'AnswerUpdated')
    assert.equal(record?.headers[EVENT_HEADERS.chainId]?.toString(), String(chain.chainId))
    assert.equal(publisher.readiness.notReadyReason(), undefined)
  })

  test('a reorg shallower than `confirmations` never reaches Kafka', async () => {
    const { chain, topics, reader } = await setup()
    track(
      await startTestPublisher(
        kafka.brokers,
        testEventSettings(topics, [emitterChain('shallow', chain, { confirmations: 3 })]),
      ),
    )
    const orphaned = await chain.emit(1, { start: 1 })
    await chain.mine(1)
    // Both blocks are replaced (depth 2 < 3 confirmations): the event's transaction is gone.
    await chain.reorg(2)
    const kept = await chain.emit(1, { start: 2 })
    await chain.mine(3)
    await untilPublished('shallow', kept.blockNumber)
    assert.equal(await messageCount(kafka.brokers, topics.topic), 1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 1, 'the kept event')
    const published = events(reader, topics)
    assert.deepEqual(
      published.map((e) => [e.status, e.args['roundId']]),
      [['confirmed', '2']],
    )
    assert.ok(!published.some((e) => e.blockHash === orphaned.blockHash))
  })

  test('a reorg deeper than `confirmations` retracts what left the chain, then publishes the replacement', async () => {
    const { chain, topics, reader } = await setup(1)
    track(
      await startTestPublisher(
        kafka.brokers,
        testEventSettings(topics, [emitterChain('deep', chain, { confirmations: 2 })]),
      ),
    )
    const orphaned = await chain.emit(2, { start: 10 })
    await chain.mine(3)
    await reader.until((r) => eventsOf(r, topics.topic).length === 2, 'the two events confirmed')
    await chain.reorg(4)
    const replacement = await chain.emit(1, { start: 11 })
    await chain.mine(2)
    await reader.until((r) => eventsOf(r, topics.topic).length === 5, 'retractions and replacement')
    const published = events(reader, topics)
    assert.deepEqual(
      published.map((e) => [e.status, e.args['roundId'], e.blockHash]),
      [
        ['confirmed', '10', orphaned.blockHash],
        ['confirmed', '11', orphaned.blockHash],
        ['retracted', '10', orphaned.blockHash],
        ['retracted', '11', orphaned.blockHash],
        ['confirmed', '11', replacement.blockHash],
      ],
    )
    // A retraction is the confirmed message with another status: same key, same fields.
    const { status: s0, ...confirmed } = published[0]
    const { status: s2, ...retracted } = published[2]
    assert.deepEqual([s0, s2], ['confirmed', 'retracted'])
    assert.deepEqual(retracted, confirmed)
    const retraction = reader.records.filter((r) => r.topic === topics.topic)[2]
    assert.equal(retraction.headers[EVENT_HEADERS.status]?.toString(), 'retracted')
  })

  test('a reorg while no instance runs is retracted after the restart', async () => {
    const { chain, topics, reader } = await setup()
    const settings = testEventSettings(topics, [emitterChain('offline-reorg', chain, { confirmations: 1 })])
    const first = await startTestPublisher(kafka.brokers, settings)
    const orphaned = await chain.emit(3, { start: 20 })
    await chain.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 3, 'three events')
    await first.stop()
    // The event's block and the one on top of it are replaced.
    await chain.reorg(2)
    const replacement = await chain.emit(1, { start: 30 })
    await chain.mine(1)
    track(await startTestPublisher(kafka.brokers, settings))
    await reader.until((r) => eventsOf(r, topics.topic).length === 7, 'three retractions and the replacement')
    const published = events(reader, topics)
    assert.deepEqual(
      published.filter((e) => e.status === 'retracted').map((e) => e.blockHash),
      [orphaned.blockHash, orphaned.blockHash, orphaned.blockHash],
    )
    assert.equal(published.at(-1)?.blockHash, replacement.blockHash)
    assert.deepEqual(duplicates(published), [])
  })

  test('publishes at the finality tag when one is configured', async () => {
    const { chain, topics, reader } = await setup()
    track(
      await startTestPublisher(
        kafka.brokers,
        testEventSettings(topics, [emitterChain('safe', chain, { finality: 'safe' })]),
      ),
    )
    const { blockNumber } = await chain.emit(1, { start: 5 })
    // anvil's safe block is 32 below its head
    await chain.mine(31)
    await untilPublished('safe', blockNumber - 1)
    assert.equal(await messageCount(kafka.brokers, topics.topic), 0)
    await chain.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 1, 'the event at the safe block')
    assert.equal(events(reader, topics)[0].confirmations, 0)
  })

  test('backfills from fromBlock over ranges the provider refuses, then follows new heads', async () => {
    const { chain, topics, reader } = await setup()
    for (let i = 0; i < 20; i++) await chain.emit(40, { start: i * 40 })
    await chain.mine(200)
    // Stand-in for a hosted provider that caps eth_getLogs answers at 100 logs.
    const provider = await startRpcProxy(chain.rpcUrl)
    cleanups.defer(() => provider.close())
    provider.maxResults = 100
    // A node whose logs lack blockTimestamp: each block's time comes from its header.
    provider.logsWithoutTimestamps = true
    track(
      await startTestPublisher(
        kafka.brokers,
        testEventSettings(topics, [{ ...emitterChain('backfill', chain), rpcUrls: [provider.url], maxReorgDepth: 16 }]),
      ),
    )
    await reader.until((r) => eventsOf(r, topics.topic).length === 800, '800 backfilled events', 30_000)
    const live = await chain.emit(5, { start: 5000 })
    await chain.mine(3)
    await reader.until((r) => eventsOf(r, topics.topic).length === 805, 'the live events')
    const published = events(reader, topics)
    assert.deepEqual(duplicates(published), [])
    assert.equal(published.at(-1)?.blockNumber, live.blockNumber)
    assert.ok(provider.refusedRanges.length > 0, 'no range was refused')
    // Every message carries its block's time: one header per backfilled block, none for the live one (the tracker has it).
    const times = new Map<string, number>()
    for (const e of published) {
      if (!times.has(e.blockHash)) {
        const block = await chain.rpc.request<{ timestamp: string }>('eth_getBlockByHash', [e.blockHash, false])
        times.set(e.blockHash, Number.parseInt(block.timestamp, 16))
      }
      assert.equal(e.blockTimestamp, times.get(e.blockHash))
    }
    assert.equal(provider.calls.get('eth_getBlockByHash'), 20)
  })

  test('sends a log that does not decode with its configured ABI to the dead-letter topic and goes on', async () => {
    const { chain, topics, reader } = await setup()
    const custom = emitterChain('custom', chain, {
      confirmations: 0,
      kind: 'custom',
      // The emitter's logs carry one word of data where this ABI declares a string: it cannot decode.
      abi: [
        'event Note(uint256 indexed a, uint256 indexed b, string text)',
        'event Tick(uint256 indexed a, uint256 indexed b, uint256 c)',
      ],
    })
    track(await startTestPublisher(kafka.brokers, testEventSettings(topics, [custom])))
    const bad = await chain.emit(1, { start: 1, topic0: id('Note(uint256,uint256,string)') })
    await chain.emit(1, { start: 2, topic0: id('Tick(uint256,uint256,uint256)') })
    await reader.until((r) => eventsOf(r, topics.topic).length === 1, 'the next, decodable event')
    await reader.until((r) => r.some((x) => x.topic === topics.deadLetterTopic), 'a dead letter')
    const letter = reader.records.find((r) => r.topic === topics.deadLetterTopic)
    assert.match(letter?.headers[DLQ_HEADERS.reason]?.toString() ?? '', /Note/)
    assert.equal(JSON.parse(letter?.value ?? '{}').log.transactionHash, bad.transactionHash)
    assert.deepEqual(
      events(reader, topics).map((e) => e.event),
      ['Tick'],
    )
  })

  test('a custom event is keyed by transaction and log index', async () => {
    const { chain, topics, reader } = await setup()
    const custom = emitterChain('custom-key', chain, {
      confirmations: 0,
      kind: 'custom',
      abi: ['event Tick(uint256 indexed a, uint256 indexed b, uint256 c)'],
    })
    track(await startTestPublisher(kafka.brokers, testEventSettings(topics, [custom])))
    const tx = await chain.emit(1, { start: 3, topic0: id('Tick(uint256,uint256,uint256)') })
    await reader.until((r) => eventsOf(r, topics.topic).length === 1, 'the custom event')
    const [event] = events(reader, topics)
    assert.equal(event.event, 'Tick')
    assert.equal(event.key, `${chain.chainId}:${tx.transactionHash}:0`)
    assert.deepEqual(event.args, { a: '3', b: '3', c: '3' })
  })
})
