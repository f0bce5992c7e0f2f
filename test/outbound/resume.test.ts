import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel } from 'kafkajs'
import { readinessReport } from '../../src/http/readiness'
import { CHECKPOINT_PARTITION } from '../../src/outbound/leader'
import { eventMetrics } from '../../src/outbound/metrics'
import { resumeChain, ResumeRefusedError } from '../../src/outbound/resume'
import { runCli } from '../support/cli'
import { startEventChain } from '../support/event-chain'
import { eventually } from '../support/eventually'
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
import { readTopics } from '../support/topic-reader'

useDefaultLogger()

const halted = async (chain: string): Promise<number | undefined> =>
  (await eventMetrics().halted.get()).values.find((v) => v.labels['chain'] === chain)?.value

describe('a reorg deeper than maxReorgDepth halts the chain until an operator resumes it', () => {
  const { kafka, cleanups } = kafkaSuite()

  test('the halt survives a restart and another instance; resume --from-block retracts the orphans and goes on', async () => {
    const chain = cleanups.track(await startEventChain({ chainId: 7100 }))
    const topics = await createOutboundTopics(kafka, 1)
    const reader = cleanups.track(await readTopics(kafka.brokers, [topics.topic]))
    const config = emitterChain('halting', chain, { confirmations: 1, maxReorgDepth: 3 })
    const settings = testEventSettings(topics, [config])
    const first = await startTestPublisher(kafka.brokers, settings)
    const kept = await chain.emit(1, { start: 1 })
    await chain.mine(6)
    const orphaned = await chain.emit(2, { start: 10 })
    await chain.mine(1)
    await reader.until((r) => eventsOf(r, topics.topic).length === 3, 'the events before the reorg')
    // The orphaned block and five above it are replaced: deeper than the four blocks tracked.
    await chain.reorg(6)
    await chain.mine(1)
    await eventually('the chain to halt', async () => (await halted('halting')) === 1, { timeoutMs: 30_000 })
    const report = readinessReport([first.readiness])
    assert.equal(report.ready, true, 'a halted chain does not make Bifrost unready')
    assert.match(report.checks['events.halting'] ?? '', /halted since .*reorganised below block/)
    await first.stop()

    // Another instance (a restart) leads the chain now: still halted, nothing published.
    const second = cleanups.track(await startTestPublisher(kafka.brokers, settings))
    await eventually('the new leader to see the halt', () => second.readiness.conditions?.()['halting'], {
      timeoutMs: 30_000,
    })
    assert.equal(await halted('halting'), 1)
    const replacement = await chain.emit(1, { start: 20 })
    await chain.mine(2)
    await sleep(1000)
    assert.equal(eventsOf(reader.records, topics.topic).length, 3, 'a halted chain published')

    const cli = (args: string[]) =>
      runCli(['events', 'resume', '--chain', 'halting', ...args], {
        KAFKA_BROKERS: kafka.brokers.join(','),
        EVENTS_TOPIC: topics.topic,
        EVENTS_CHECKPOINT_TOPIC: topics.checkpointTopic,
        EVENTS_CHAINS: JSON.stringify([config]),
      })
    const resumed = await cli(['--from-block', String(kept.blockNumber + 1)])
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.match(resumed.stdout, /halting: halt lifted .*re-reading from block/)
    await reader.until((r) => eventsOf(r, topics.topic).length === 6, 'two retractions and the replacement', 30_000)
    const published = eventsOf(reader.records, topics.topic)
    assert.deepEqual(
      published.slice(3).map((e) => [e.status, e.blockHash]),
      [
        ['retracted', orphaned.blockHash],
        ['retracted', orphaned.blockHash],
        ['confirmed', replacement.blockHash],
      ],
    )
    assert.deepEqual(duplicates(published), [])
    assert.equal(await halted('halting'), 0)
    assert.equal(second.readiness.conditions?.()['halting'], undefined)
    await untilPublished('halting', (await chain.blockNumber()) - 1)

    const again = await cli([])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /chain halting is not halted/)
  })

  test('resume refuses a chain without a checkpoint and a block beyond the published tip', async () => {
    const topics = await createOutboundTopics(kafka, 1)
    const kafkaClient = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING })
    const options = {
      kafka: kafkaClient,
      checkpointTopic: topics.checkpointTopic,
      topic: topics.topic,
      chain: 'nowhere',
      groupPrefix: 'test-resume',
    }
    await assert.rejects(
      resumeChain(options),
      (err: Error) => err instanceof ResumeRefusedError && /no checkpoint/.test(err.message),
    )
    const producer = kafkaClient.producer()
    await producer.connect()
    const halt = { reason: 'test', since: new Date().toISOString() }
    const record = {
      version: 2,
      chain: 'nowhere',
      chainId: 1,
      topic: topics.topic,
      tip: { number: 10 },
      finalBelow: 5,
      scanFrom: { '0': 0 },
      writtenAt: halt.since,
      halt,
    }
    await producer.send({
      topic: topics.checkpointTopic,
      messages: [{ key: 'nowhere', value: JSON.stringify(record), partition: CHECKPOINT_PARTITION }],
    })
    await producer.disconnect()
    await assert.rejects(
      resumeChain({ ...options, fromBlock: 12 }),
      (err: Error) => err instanceof ResumeRefusedError && /would skip blocks/.test(err.message),
    )
  })
})
