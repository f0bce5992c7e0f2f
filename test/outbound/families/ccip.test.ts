import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TransactionReceipt } from 'ethers'
import { decodeLog, logFilter, type WatchedContract } from '../../../src/outbound/decode'
import { createEventEnricher, type EnrichedEvent } from '../../../src/outbound/enrich'
import { describeEvent } from '../../../src/outbound/event-reader'
import { eventSettings } from '../../../src/outbound/settings'
import { DEST, FAILURE, SOURCE, startCcipLane, SUCCESS, type CcipLane } from '../../support/ccip'
import { validMessageValue } from '../../support/oracle-event-schema'

describe('CCIP sends and executions, from stand-ins that emit the real events on two chains', () => {
  let lane: CcipLane
  let onRamps: WatchedContract[]
  let offRamps: WatchedContract[]
  const events = async (
    receipt: TransactionReceipt,
    watched: WatchedContract[],
    chain: { name: string; chainId: number },
  ) => {
    const enricher = createEventEnricher({ getTransaction: async () => null, chain })
    const out: EnrichedEvent[] = []
    for (const log of receipt.logs) {
      const event = decodeLog(log, watched, chain.chainId)
      if (event)
        out.push(await enricher.enrich(event, { blockNumber: receipt.blockNumber, transactionHash: receipt.hash }))
    }
    return out
  }
  before(async () => {
    lane = await startCcipLane()
    onRamps = [{ address: lane.addresses.onRamp, kind: 'ccip-onramp', destChainSelector: DEST.selector }]
    offRamps = [{ address: lane.addresses.offRamp, kind: 'ccip-offramp', sourceChainSelector: SOURCE.selector }]
  })
  after(async () => {
    await lane?.stop()
  })

  for (const version of ['1.5', '1.6'] as const) {
    test(`v${version}: the send and every execution attempt are keyed ccip:<messageId>, with selectors and chain names`, async () => {
      const n = version === '1.5' ? 1 : 2
      const { receipt, messageId, sender } = await lane.send(version, n)
      const [send] = await events(receipt, onRamps, { name: 'source', chainId: SOURCE.chainId })
      assert.equal(send.event, version === '1.5' ? 'CCIPSendRequested' : 'CCIPMessageSent')
      assert.equal(send.kind, 'ccip-onramp')
      assert.equal(send.key, `ccip:${messageId}`)
      assert.equal(send.messageId, messageId)
      assert.equal(send.ccip?.role, 'send')
      assert.ok(send.ccip?.role === 'send')
      assert.deepEqual(
        {
          version: send.ccip.version,
          chain: send.ccip.chain,
          sourceChainSelector: send.ccip.sourceChainSelector,
          sourceChain: send.ccip.sourceChain,
          destChainSelector: send.ccip.destChainSelector,
          destChain: send.ccip.destChain,
          sequenceNumber: send.ccip.sequenceNumber,
          nonce: send.ccip.nonce,
          sender: send.ccip.sender,
        },
        {
          version,
          chain: 'source',
          sourceChainSelector: SOURCE.selector,
          sourceChain: SOURCE.name,
          destChainSelector: DEST.selector,
          destChain: DEST.name,
          sequenceNumber: String(n),
          nonce: String(n),
          sender,
        },
      )
      assert.equal(send.ccip.tokenAmounts.length, 1)
      validMessageValue(send, SOURCE.chainId)

      const attempts = []
      for (const state of [FAILURE, SUCCESS]) {
        const [execution] = await events(await lane.execute(version, n, state), offRamps, {
          name: 'dest',
          chainId: DEST.chainId,
        })
        attempts.push(execution)
      }
      assert.deepEqual(
        attempts.map((e) => e.key),
        [send.key, send.key],
      )
      assert.deepEqual(
        attempts.map((e) => e.ccip?.role === 'execution' && [e.ccip.state, e.ccip.stateCode]),
        [
          ['FAILURE', 3],
          ['SUCCESS', 2],
        ],
      )
      for (const execution of attempts) {
        assert.ok(execution.ccip?.role === 'execution')
        assert.equal(execution.kind, 'ccip-offramp')
        assert.equal(execution.ccip.version, version)
        assert.equal(execution.ccip.chain, 'dest')
        assert.equal(execution.ccip.sourceChainSelector, SOURCE.selector)
        assert.equal(execution.ccip.sourceChain, SOURCE.name)
        assert.equal(execution.ccip.destChainSelector, DEST.selector)
        assert.equal(execution.ccip.destChain, DEST.name)
        validMessageValue(execution, DEST.chainId)
      }
      assert.match(
        describeEvent({
          partition: 0,
          offset: '0',
          key: send.key,
          headers: {},
          value: validMessageValue(attempts[1], DEST.chainId),
        }),
        new RegExp(`ExecutionStateChanged +${messageId} +SUCCESS of the message from ${SOURCE.name}, sequence ${n}`),
      )
    })
  }

  test('a pinned version watches only its events; the lane settings belong to their ramp', () => {
    const pinned = logFilter([{ ...onRamps[0], version: '1.6' }])
    assert.equal(pinned.topics[0].length, 1)
    assert.equal(pinned.topics[0][0], '0x192442a2b2adb6a7948f097023cb6b57d29d3a7a5dd33e6666d33c39cc456f32')
    const chain = { name: 'c', chainId: 1, rpcUrls: ['http://127.0.0.1:1'] }
    const parsed = eventSettings.safeParse({
      chains: [
        {
          ...chain,
          contracts: [
            { address: lane.addresses.onRamp, kind: 'ccip-onramp', sourceChainSelector: '1' },
            { address: lane.addresses.offRamp, kind: 'ccip-offramp', version: '2.0' },
          ],
        },
      ],
    })
    assert.equal(parsed.success, false)
    assert.deepEqual(
      parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      [
        'chains.0.contracts.0.sourceChainSelector: only for kind ccip-offramp',
        'chains.0.contracts.1.version: Invalid option: expected one of "1.5"|"1.6"',
      ],
    )
  })
})
