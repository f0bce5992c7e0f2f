import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { before, describe, test } from 'node:test'
import { ZeroAddress, type TransactionReceipt } from 'ethers'
import type { RawLog } from '../../src/chain/get-logs'
import { eventId } from '../../src/outbound/ledger'
import {
  createCcipTopics,
  DEST,
  FAILURE,
  laneChains,
  laneSettings,
  latestStates,
  messageIdOf,
  SOURCE,
  startCcipLane,
  statesOf,
  SUCCESS,
  type CcipLane,
} from '../support/ccip'
import { kafkaSuite } from '../support/kafka-suite'
import { killDrill } from '../support/kill-drill'
import { publisherConfigEnvironment } from '../support/publisher-process'
import { useDefaultLogger } from '../support/logger'
import { assertValidOracleEvent } from '../support/oracle-event-schema'
import { eventsOf, startTestPublisher, type PublishedEvent } from '../support/outbound'
import { readTopics, type ReadRecord, type TopicReader } from '../support/topic-reader'

useDefaultLogger()

const ccipEvents = (reader: TopicReader, topic: string, messageId: string): PublishedEvent[] =>
  eventsOf(reader.records, topic).filter((e) => e.messageId === messageId)

/** The message value as published, without what the test reader adds */
const assertValid = ({ id, key, partition, ...value }: PublishedEvent) => assertValidOracleEvent(value)

const timestampOf = async (lane: CcipLane['source'], receipt: TransactionReceipt) =>
  (await lane.provider.getBlock(receipt.blockNumber))!.timestamp

describe('CCIP messages correlated across two chains through events.ccip.stateTopic', () => {
  const { kafka, cleanups } = kafkaSuite()
  const { track } = cleanups
  let lane: CcipLane
  let topic: string
  let stateTopic: string
  let reader: TopicReader
  before(async () => {
    lane = track(await startCcipLane())
    const created = await createCcipTopics(kafka)
    ;({ stateTopic } = created)
    topic = created.topics.topic
    reader = track(await readTopics(kafka.brokers, [topic, stateTopic]))
    track(await startTestPublisher(kafka.brokers, laneSettings(created.topics, stateTopic, lane)))
  })

  test('an execution carries its send and latencySeconds; a FAILURE keeps the state, a SUCCESS tombstones it', async () => {
    const { messageId, receipt: sent, sender } = await lane.send('1.6', 1)
    await lane.source.provider.send('anvil_mine', ['0x1'])
    // Two topics: with transactions both records commit together, but a reader may get either first.
    await reader.until(
      (r) =>
        statesOf(r, stateTopic).some((s) => s.messageId === messageId) &&
        ccipEvents(reader, topic, messageId).length > 0,
      'the send and its state',
    )
    const sentAt = await timestampOf(lane.source, sent)
    const [state] = statesOf(reader.records, stateTopic).filter((s) => s.messageId === messageId)
    const sendEvent = ccipEvents(reader, topic, messageId).find((e) => e.kind === 'ccip-onramp')!
    assert.equal(state.reason, 'sent')
    assert.deepEqual(state.send, {
      chain: 'source',
      chainId: SOURCE.chainId,
      blockNumber: sent.blockNumber,
      blockHash: sent.blockHash,
      blockTimestamp: sentAt,
      transactionHash: sent.hash,
      logIndex: 0,
      sourceChainSelector: SOURCE.selector,
      destChainSelector: DEST.selector,
      sequenceNumber: '1',
      sender,
      receiver: sendEvent.ccip?.role === 'send' && sendEvent.ccip.receiver,
      feeToken: ZeroAddress,
      feeTokenAmount: String(10n ** 15n),
      tokenAmounts: [{ sourcePoolAddress: `0x${'77'.repeat(20)}`, amount: String(7n * 10n ** 18n) }],
    })

    // The destination's clock runs its own way: the execution's block is stamped 100 s after the send's.
    await lane.dest.provider.send('evm_setNextBlockTimestamp', [sentAt + 100])
    await lane.execute('1.6', 1, FAILURE)
    await lane.dest.provider.send('anvil_mine', ['0x1'])
    await reader.until(
      (r) => eventsOf(r, topic).some((e) => e.messageId === messageId && e.kind === 'ccip-offramp'),
      'the failed execution',
    )
    const failed = ccipEvents(reader, topic, messageId).find((e) => e.kind === 'ccip-offramp')!
    assertValid(failed)
    assert.deepEqual(failed.send, state.send)
    assert.equal(failed.latencySeconds, 100)

    await lane.execute('1.6', 1, SUCCESS)
    await lane.dest.provider.send('anvil_mine', ['0x1'])
    await reader.until(
      (r) =>
        statesOf(r, stateTopic).some((s) => s.messageId === messageId && s.reason === 'executed') &&
        ccipEvents(reader, topic, messageId).length === 3,
      'the successful execution and the state tombstone',
    )
    const executions = ccipEvents(reader, topic, messageId).filter((e) => e.kind === 'ccip-offramp')
    assert.deepEqual(
      executions.map((e) => e.ccip?.role === 'execution' && e.ccip.state),
      ['FAILURE', 'SUCCESS'],
    )
    assert.deepEqual(executions[1].send, state.send)
    assert.ok(executions[1].latencySeconds! >= 100)
    const states = statesOf(reader.records, stateTopic).filter((s) => s.messageId === messageId)
    assert.deepEqual(
      states.map((s) => [s.reason, s.send !== undefined]),
      [
        ['sent', true],
        ['executed', false],
      ],
      'the FAILURE left the state, the SUCCESS removed it',
    )
  })

  test('an execution confirmed before its send carries send: null, and the late send leaves no state behind', async () => {
    const early = messageIdOf(2)
    await lane.execute('1.5', 2, SUCCESS)
    await lane.dest.provider.send('anvil_mine', ['0x1'])
    await reader.until(() => ccipEvents(reader, topic, early).length === 1, 'the execution')
    const [execution] = ccipEvents(reader, topic, early)
    assertValid(execution)
    assert.equal(execution.send, null)
    assert.equal(execution.latencySeconds, undefined)

    await lane.send('1.5', 2)
    const { messageId: later } = await lane.send('1.5', 3)
    await lane.source.provider.send('anvil_mine', ['0x1'])
    // The source chain writes states in chain order: once message 3's is there, message 2's would be too.
    await reader.until(
      (r) =>
        statesOf(r, stateTopic).some((s) => s.messageId === later) && ccipEvents(reader, topic, early).length === 2,
      'the late send and the next send state',
    )
    assert.deepEqual(
      statesOf(reader.records, stateTopic)
        .filter((s) => s.messageId === early)
        .map((s) => s.reason),
      ['executed'],
      'no state for a message already executed',
    )
    assert.equal(ccipEvents(reader, topic, early).length, 2, 'no second execution message')
  })

  test('a deep reorg of the send retracts it and tombstones its state', async () => {
    const { messageId, receipt: sent } = await lane.send('1.5', 4)
    await lane.source.provider.send('anvil_mine', ['0x1'])
    await reader.until((r) => statesOf(r, stateTopic).some((s) => s.messageId === messageId), 'the send state')

    // The source chain drops the send's block and the one above it: deeper than its confirmations.
    await lane.source.provider.send('anvil_reorg', [2, []])
    await lane.source.provider.send('anvil_mine', ['0x2'])
    await reader.until(
      (r) =>
        statesOf(r, stateTopic).some((s) => s.messageId === messageId && s.reason === 'retracted') &&
        ccipEvents(reader, topic, messageId).length === 2,
      'the retraction and the state tombstone',
    )
    const events = ccipEvents(reader, topic, messageId)
    assert.deepEqual(
      events.map((e) => [e.status, e.blockHash]),
      [
        ['confirmed', sent.blockHash],
        ['retracted', sent.blockHash],
      ],
    )
    assert.equal(latestStates(statesOf(reader.records, stateTopic)).get(messageId)?.send, undefined)

    // Executed now, the message finds no send: it left the chain.
    await lane.execute('1.5', 4, SUCCESS)
    await lane.dest.provider.send('anvil_mine', ['0x1'])
    await reader.until(() => ccipEvents(reader, topic, messageId).length === 3, 'the execution')
    assert.equal(ccipEvents(reader, topic, messageId)[2].send, null)
  })
})

describe('CCIP correlation while the publishers of both chains are killed', () => {
  const { kafka } = kafkaSuite()

  test('kill -9 during both chains: every send and execution once, each execution with its send or null, the state of unexecuted ones only', async (t) => {
    const lane = await startCcipLane()
    t.after(() => lane.stop())
    const { topics, stateTopic } = await createCcipTopics(kafka)
    const dir = mkdtempSync(join(tmpdir(), 'bifrost-ccip-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const env = publisherConfigEnvironment(dir, kafka.brokers, {
      ...topics,
      leaderSessionTimeoutMs: 2000,
      ccip: { stateTopic },
      chains: laneChains(lane, { pollIntervalMs: 20 }),
    })
    const FIRST = 100
    const LAG = 10
    let n = FIRST
    const confirmedIds = async (chain: CcipLane['source'], address: string): Promise<string[]> => {
      await chain.provider.send('anvil_mine', ['0x1'])
      const last = (await chain.provider.getBlockNumber()) - 1
      const logs = (await chain.provider.send('eth_getLogs', [
        { fromBlock: '0x0', toBlock: `0x${last.toString(16)}`, address },
      ])) as RawLog[]
      return logs.map((l) => eventId(l.blockHash, Number.parseInt(l.logIndex, 16)))
    }
    const published = await killDrill({
      brokers: kafka.brokers,
      topic: topics.topic,
      env,
      kills: 3,
      // Each message is executed ten steps after its send: long enough for most sends to be committed first (a
      // transaction spans up to a second of publishing), and some executions still race their send across a kill.
      drive: async () => {
        const m = n++
        const version = (k: number) => (k % 2 ? '1.5' : '1.6')
        await lane.send(version(m), m)
        if (m - LAG >= FIRST) {
          if (m % 3 === 0) await lane.execute(version(m - LAG), m - LAG, FAILURE)
          await lane.execute(version(m - LAG), m - LAG, SUCCESS)
        }
        await sleep(30)
      },
      expected: async () =>
        new Set([
          ...(await confirmedIds(lane.source, lane.addresses.onRamp)),
          ...(await confirmedIds(lane.dest, lane.addresses.offRamp)),
        ]),
      timeoutMs: 120_000,
    })

    const sends = new Map(published.filter((e) => e.ccip?.role === 'send').map((e) => [e.messageId, e]))
    const executions = published.filter((e) => e.ccip?.role === 'execution')
    assert.ok(executions.length > 0)
    for (const execution of executions) {
      if (execution.send === null) continue
      const send = sends.get(execution.messageId)!
      assert.equal(execution.send?.transactionHash, send.transactionHash, `the send of ${execution.messageId}`)
      assert.equal(execution.latencySeconds, execution.blockTimestamp! - send.blockTimestamp!)
    }
    assert.ok(
      executions.some((e) => e.send !== null),
      'some execution found its send',
    )

    // Every executed message ended in SUCCESS. Without transactions a state record follows its event, so the last kill may
    // have fallen between them: one more start writes what is missing, and then the compacted topic keeps no send.
    const survivor = await startTestPublisher(kafka.brokers, laneSettings(topics, stateTopic, lane))
    t.after(() => survivor.stop())
    const stateReader = await readTopics(kafka.brokers, [stateTopic])
    t.after(() => stateReader.stop())
    const executed = new Set(executions.map((e) => e.messageId as string))
    const pending = [...sends.keys()].filter((id) => !executed.has(id as string)) as string[]
    assert.ok(pending.length > 0, 'the last sends are not executed')
    const wrong = (records: ReadRecord[]) => {
      const latest = latestStates(statesOf(records, stateTopic))
      return [
        ...[...executed].filter((id) => latest.get(id)?.send !== undefined).map((id) => `${id} executed, state live`),
        ...pending.filter((id) => latest.get(id)?.send === undefined).map((id) => `${id} pending, no state`),
      ]
    }
    await stateReader
      .until((r) => wrong(r).length === 0, 'the state of pending messages only', 60_000)
      .catch((err: Error) => {
        throw new Error(`${err.message}: ${wrong(stateReader.records).join(', ')}`)
      })
  })
})
