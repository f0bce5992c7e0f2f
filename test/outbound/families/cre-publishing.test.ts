import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, test } from 'node:test'
import { EventFragment } from 'ethers'
import type { RawLog } from '../../../src/chain/get-logs'
import { FAMILIES } from '../../../src/outbound/families'
import { eventId } from '../../../src/outbound/ledger'
import { createCleanups } from '../../support/cleanups'
import { FEEDS, startCreChain, TOO_LITTLE_GAS, type CreChain } from '../../support/cre'
import { killDrill } from '../../support/kill-drill'
import { startKafka, type KafkaFixture } from '../../support/kafka'
import { useDefaultLogger } from '../../support/logger'
import { assertValidOracleEvent } from '../../support/oracle-event-schema'
import {
  createOutboundTopics,
  eventsOf,
  messageCount,
  startTestPublisher,
  testEventSettings,
  untilPublished,
  type OutboundTopics,
} from '../../support/outbound'
import { readTopics } from '../../support/topic-reader'

useDefaultLogger()

const CONFIRMATIONS = 2
const KILLS = 4

const creChainSettings = (name: string, chain: CreChain, topics: OutboundTopics, extra: Record<string, unknown> = {}) =>
  testEventSettings(topics, [
    {
      name,
      chainId: chain.chainId,
      rpcUrls: [chain.anvil.rpcUrl],
      confirmations: CONFIRMATIONS,
      contracts: chain.watched,
      ...extra,
    },
  ])

/** topic0 of the events published on their own (followers ride inside DecimalReportUpdated) */
const PUBLISHED_TOPICS = FAMILIES.flatMap((f) =>
  'fragments' in f && ['forwarder', 'data-feeds-cache'].includes(f.kind) ? f.fragments : [],
)
  .map((text) => EventFragment.from(text))
  .filter((f) => f.name !== 'NewRound' && f.name !== 'AnswerUpdated')
  .map((f) => f.topicHash)

describe('CRE reports through the publisher', () => {
  let kafka: KafkaFixture
  let nextChainId = 7100
  const cleanups = createCleanups()
  const { track } = cleanups
  before(async () => {
    kafka = await startKafka()
  })
  after(async () => {
    await cleanups.run()
    await kafka.stop()
  })

  test('confirmed only, with block timestamps; a retried delivery keeps its attempts in order; a deep reorg retracts them', async () => {
    const chain = track(await startCreChain({ chainId: nextChainId++ }))
    const topics = await createOutboundTopics(kafka)
    const reader = track(await readTopics(kafka.brokers, [topics.topic, topics.deadLetterTopic]))
    const fromBlock = (await chain.provider.getBlockNumber()) + 1
    track(await startTestPublisher(kafka.brokers, creChainSettings('cre', chain, topics, { fromBlock })))

    // Two empty blocks first: something to publish before the reports, so the publisher's progress shows
    await chain.provider.send('anvil_mine', ['0x2'])
    const answers = FEEDS.map((_, feed) => ({ feed, answer: 2_500n * 10n ** 8n + BigInt(feed) }))
    const failed = await chain.deliver(answers, { gasLimit: TOO_LITTLE_GAS })
    const retried = await chain.deliver(answers, {
      workflowExecutionId: failed.workflowExecutionId,
      timestamp: failed.timestamp,
    })
    // The failed attempt's block has one descendant (the retry's) so far
    await untilPublished('cre', failed.receipt.blockNumber - 1)
    assert.equal(
      await messageCount(kafka.brokers, topics.topic),
      0,
      `published with fewer than ${CONFIRMATIONS} confirmations`,
    )
    await chain.provider.send('anvil_mine', ['0x2'])
    await reader.until((r) => eventsOf(r, topics.topic).length === 5, 'two attempts and three cache updates')
    const published = eventsOf(reader.records, topics.topic)
    for (const event of published) {
      const { id, key, partition, ...value } = event
      assertValidOracleEvent(value)
      assert.equal(event.status, 'confirmed')
      assert.equal(event.confirmations >= CONFIRMATIONS, true)
      const block = await chain.provider.getBlock(event.blockHash)
      assert.equal(event.blockTimestamp, block!.timestamp)
    }
    const attempts = published.filter((e) => e.event === 'ReportProcessed')
    assert.deepEqual(
      attempts.map((e) => e.args['result']),
      [false, true],
      'attempts in chain order',
    )
    assert.equal(new Set(attempts.map((e) => `${e.key}@${e.partition}`)).size, 1, 'one key, one partition')
    assert.deepEqual(
      attempts.map((e) => e.report?.decoded && e.report.signatures),
      [2, 2],
    )
    const updates = published.filter((e) => e.event === 'DecimalReportUpdated')
    assert.deepEqual(updates.map((e) => e.dataId).sort(), [...chain.cre.dataIds].sort())
    assert.ok(updates.every((e) => e.attached?.length === 2))
    assert.ok(!published.some((e) => e.event === 'NewRound' || e.event === 'AnswerUpdated'))

    // Take the retry's block (and the two above it) away: deeper than the confirmations.
    await chain.provider.send('anvil_reorg', [3, []])
    await chain.provider.send('anvil_mine', ['0x3'])
    await reader.until((r) => eventsOf(r, topics.topic).length === 9, 'the retry and its three updates retracted')
    const retracted = eventsOf(reader.records, topics.topic).slice(5)
    assert.ok(retracted.every((e) => e.status === 'retracted' && e.blockHash === retried.receipt.blockHash))
    const confirmed = new Map(published.map((e) => [e.id, e]))
    for (const { status, ...rest } of retracted) {
      const { status: was, ...original } = confirmed.get(rest.id)!
      assert.deepEqual([was, status], ['confirmed', 'retracted'])
      assert.deepEqual(rest, original, 'a retraction is its confirmed message with another status')
    }
    assert.equal(reader.records.filter((r) => r.topic === topics.deadLetterTopic).length, 0)
  })

  test(`kill -9 at random moments, ${KILLS} times: every report and cache update is published exactly once`, async (t) => {
    const chain = track(await startCreChain({ chainId: nextChainId++ }))
    const topics = await createOutboundTopics(kafka)
    const dir = mkdtempSync(join(tmpdir(), 'bifrost-cre-crash-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const configFile = join(dir, 'bifrost.json')
    const settings = creChainSettings('cre-crash', chain, topics)
    writeFileSync(configFile, JSON.stringify({ events: settings }))
    const env = { BIFROST_CONFIG: configFile, KAFKA_BROKERS: kafka.brokers.join(',') }

    let round = 0
    const published = await killDrill({
      brokers: kafka.brokers,
      topic: topics.topic,
      env,
      kills: KILLS,
      drive: async () => {
        round++
        await chain.deliver(FEEDS.map((_, feed) => ({ feed, answer: BigInt(round * 10 + feed) })))
        await sleep(20)
      },
      expected: async () => {
        await chain.provider.send('anvil_mine', [`0x${CONFIRMATIONS.toString(16)}`])
        const last = (await chain.provider.getBlockNumber()) - CONFIRMATIONS
        const filter = {
          fromBlock: '0x0',
          toBlock: `0x${last.toString(16)}`,
          address: chain.watched.map((c) => c.address),
          topics: [PUBLISHED_TOPICS],
        }
        const logs = (await chain.provider.send('eth_getLogs', [filter])) as RawLog[]
        return new Set(logs.map((l) => eventId(l.blockHash, Number.parseInt(l.logIndex, 16))))
      },
      timeoutMs: 90_000,
    })
    assert.ok(published.filter((e) => e.event === 'DecimalReportUpdated').every((e) => e.attached?.length === 2))
  })
})
