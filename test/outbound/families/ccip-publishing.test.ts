import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createCcipTopics, DEST, FAILURE, laneSettings, SOURCE, startCcipLane, SUCCESS } from '../../support/ccip'
import { kafkaSuite } from '../../support/kafka-suite'
import { useDefaultLogger } from '../../support/logger'
import { assertValidOracleEvent } from '../../support/oracle-event-schema'
import { eventsOf, startTestPublisher } from '../../support/outbound'
import { readTopics } from '../../support/topic-reader'

useDefaultLogger()

describe('a CCIP lane through the publisher, two chains into one topic', () => {
  const { kafka, cleanups } = kafkaSuite()
  const { track } = cleanups

  test('a send and its execution attempts share a key and a partition; a deep reorg of the send retracts it', async () => {
    const lane = track(await startCcipLane())
    const { topics, stateTopic } = await createCcipTopics(kafka)
    const reader = track(await readTopics(kafka.brokers, [topics.topic]))
    track(await startTestPublisher(kafka.brokers, laneSettings(topics, stateTopic, lane)))
    const { messageId, receipt: sent } = await lane.send('1.5', 7)
    await lane.execute('1.5', 7, FAILURE)
    await lane.execute('1.5', 7, SUCCESS)
    await lane.source.provider.send('anvil_mine', ['0x1'])
    await lane.dest.provider.send('anvil_mine', ['0x1'])
    await reader.until((r) => eventsOf(r, topics.topic).length === 3, 'the send and two execution attempts')
    const published = eventsOf(reader.records, topics.topic)
    for (const { id, key, partition, ...value } of published) assertValidOracleEvent(value)
    assert.deepEqual(new Set(published.map((e) => e.key)), new Set([`ccip:${messageId}`]))
    assert.equal(new Set(published.map((e) => e.partition)).size, 1, 'one partition')
    const send = published.find((e) => e.kind === 'ccip-onramp')!
    assert.equal(send.chainId, SOURCE.chainId)
    assert.ok(send.ccip?.role === 'send' && send.ccip.chain === 'source' && send.ccip.destChain === DEST.name)
    const executions = published.filter((e) => e.kind === 'ccip-offramp')
    assert.deepEqual(
      executions.map((e) => e.ccip?.role === 'execution' && e.ccip.state),
      ['FAILURE', 'SUCCESS'],
      'attempts in order',
    )
    assert.ok(
      executions.every(
        (e) => e.chainId === DEST.chainId && e.ccip?.chain === 'dest' && e.ccip.sourceChain === SOURCE.name,
      ),
    )
    assert.ok(published.every((e) => typeof e.blockTimestamp === 'number'))

    // The source chain drops the send's block (and the one above it): deeper than its confirmations.
    await lane.source.provider.send('anvil_reorg', [2, []])
    await lane.source.provider.send('anvil_mine', ['0x2'])
    await reader.until((r) => eventsOf(r, topics.topic).length === 4, 'the send retracted')
    const retraction = eventsOf(reader.records, topics.topic)[3]
    assert.equal(retraction.status, 'retracted')
    assert.equal(retraction.key, `ccip:${messageId}`)
    assert.equal(retraction.blockHash, sent.blockHash)
    assert.equal(retraction.partition, send.partition)
  })
})
