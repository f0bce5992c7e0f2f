import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { AbiCoder, keccak256 } from 'ethers'
import { decimalDataId } from '../../../src/dev/cre'
import { workflowName } from '../../../src/dev/cre-don-sim'
import { mined } from '../../../src/dev/transactions'
import { describeEvent } from '../../../src/outbound/event-reader'
import type { DecodedEvent } from '../../../src/outbound/decode'
import { startCreChain, type CreChain } from '../../support/cre'
import { validMessageValue } from '../../support/oracle-event-schema'

describe('DataFeedsCache events on the real contracts', () => {
  let chain: CreChain
  const cache = () => chain.cre.addresses.cache
  const valueOf = (event: DecodedEvent) => validMessageValue(event, chain.chainId)
  before(async () => {
    chain = await startCreChain()
  })
  after(async () => {
    await chain?.stop()
  })

  test('one onReport with three decimal reports: each DecimalReportUpdated carries its own NewRound and AnswerUpdated', async () => {
    const answers = [0, 1, 2].map((feed) => ({ feed, answer: 1_000n + BigInt(feed) }))
    const { receipt, timestamp } = await chain.deliver(answers)
    const events = chain.decode(receipt)
    // the three reports all open round 1 of their feed: only adjacency tells whose NewRound is whose
    assert.deepEqual(
      events.map((e) => e.event),
      ['DecimalReportUpdated', 'DecimalReportUpdated', 'DecimalReportUpdated', 'ReportProcessed'],
    )
    const block = await chain.provider.getBlock(receipt.blockHash)
    const updates = receipt.logs.filter((l) => l.address === cache()).map((l) => l.index)
    events.slice(0, 3).forEach((update, i) => {
      const dataId = chain.cre.dataIds[i]
      assert.equal(update.kind, 'data-feeds-cache')
      assert.equal(update.key, `${chain.chainId}:${cache()}:${dataId}`)
      assert.equal(update.dataId, dataId)
      assert.equal(update.roundId, '1')
      assert.deepEqual(update.args, { dataId, roundId: '1', timestamp: String(timestamp), answer: String(1_000 + i) })
      assert.deepEqual(update.attached, [
        {
          event: 'NewRound',
          logIndex: updates[i * 3 + 1],
          args: { roundId: '1', startedBy: '0x0000000000000000000000000000000000000000', startedAt: String(timestamp) },
        },
        {
          event: 'AnswerUpdated',
          logIndex: updates[i * 3 + 2],
          args: { current: String(1_000 + i), roundId: '1', updatedAt: String(block!.timestamp) },
        },
      ])
      valueOf(update)
    })
    const second = chain.decode((await chain.deliver([{ feed: 0, answer: 1_100n }])).receipt)[0]
    assert.equal(second.roundId, '2')
    assert.equal(second.key, events[0].key)
    assert.match(
      describeEvent({ partition: 0, offset: '0', key: second.key, headers: {}, value: valueOf(second) }),
      new RegExp(`DecimalReportUpdated .* data id ${chain.cre.dataIds[0]}  answer 1100`),
    )
  })

  test('the reports the cache refuses are logged, keyed by feed: no permission, stale', async () => {
    const intruder = { ...chain.cre.workflow, name: workflowName('intruder') }
    const refused = chain.decode((await chain.deliver([{ feed: 1, answer: 5n }], { workflow: intruder })).receipt)
    assert.deepEqual(
      refused.map((e) => e.event),
      ['InvalidUpdatePermission', 'ReportProcessed'],
    )
    assert.deepEqual(refused[0].args, {
      dataId: chain.cre.dataIds[1],
      sender: chain.cre.addresses.forwarder,
      workflowOwner: intruder.owner,
      workflowName: intruder.name,
    })
    assert.equal(refused[0].key, `${chain.chainId}:${cache()}:${chain.cre.dataIds[1]}`)
    assert.equal(refused[1].args['result'], true, 'a refused report is still a successful delivery')

    const { timestamp } = await chain.deliver([{ feed: 2, answer: 7n }])
    const stale = chain.decode((await chain.deliver([{ feed: 2, answer: 6n }], { timestamp: timestamp - 10 })).receipt)
    assert.deepEqual(stale[0].args, {
      dataId: chain.cre.dataIds[2],
      reportTimestamp: String(timestamp - 10),
      latestTimestamp: String(timestamp),
    })
    assert.equal(stale[0].event, 'StaleDecimalReport')
    for (const event of [refused[0], stale[0]]) valueOf(event)
  })

  test('bundle reports, and stale ones', async () => {
    const deployer = await chain.provider.getSigner(0)
    const dataId = `0x02${keccak256(Buffer.from('bundle')).slice(2, 16)}${'00'.repeat(8)}`
    assert.notEqual(dataId, decimalDataId('bundle', 8))
    await mined(
      (chain.cre.cache.connect(deployer) as typeof chain.cre.cache).getFunction('setBundleFeedConfigs')(
        [dataId],
        ['bundle'],
        [[8, 0]],
        [
          {
            allowedSender: chain.cre.addresses.forwarder,
            allowedWorkflowOwner: chain.cre.workflow.owner,
            allowedWorkflowName: chain.cre.workflow.name,
          },
        ],
      ),
    )
    const bundle = AbiCoder.defaultAbiCoder().encode(['uint256', 'bool'], [42n, true])
    const payload = (timestamp: number) =>
      AbiCoder.defaultAbiCoder().encode(
        ['tuple(bytes32,uint32,bytes)[]'],
        [[[`${dataId}${'0'.repeat(32)}`, timestamp, bundle]]],
      )
    const now = Math.floor(Date.now() / 1000) + 1000
    const [updated] = chain.decode((await chain.send(payload(now))).receipt)
    assert.equal(updated.event, 'BundleReportUpdated')
    assert.deepEqual(updated.args, { dataId, timestamp: String(now), bundle })
    assert.equal(updated.key, `${chain.chainId}:${cache()}:${dataId}`)
    assert.equal(updated.roundId, undefined)
    const [stale] = chain.decode((await chain.send(payload(now - 1))).receipt)
    assert.equal(stale.event, 'StaleBundleReport')
    assert.equal(stale.key, updated.key)
    for (const event of [updated, stale]) valueOf(event)
  })
})
