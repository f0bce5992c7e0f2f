import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Interface, keccak256, ZeroAddress } from 'ethers'
import { deploy } from '../../../src/dev/contracts'
import { configureDon, createDon, decimalReports, reportArgs } from '../../../src/dev/cre-don-sim'
import { mined } from '../../../src/dev/transactions'
import type { DecodedEvent } from '../../../src/outbound/decode'
import { createEventEnricher, type EventEnricher } from '../../../src/outbound/enrich'
import { boundMessage } from '../../../src/outbound/bound-message'
import { describeEvent } from '../../../src/outbound/event-reader'
import { decodeForwarderReport, FORWARDER_REPORT_FRAGMENTS } from '../../../src/outbound/families/forwarder-report'
import { toKafkaMessage } from '../../../src/outbound/message'
import { startCreChain, TOO_LITTLE_GAS, type CreChain } from '../../support/cre'
import { assertValidOracleEvent, PLACEHOLDER_META, validMessageValue } from '../../support/oracle-event-schema'

describe('KeystoneForwarder reports on the real contracts', () => {
  let chain: CreChain
  let enricher: EventEnricher
  const enrich = async (events: DecodedEvent[], receipt: { blockNumber: number; hash: string }) => {
    const out = []
    for (const event of events) {
      out.push(await enricher.enrich(event, { blockNumber: receipt.blockNumber, transactionHash: receipt.hash }))
    }
    return out
  }
  before(async () => {
    chain = await startCreChain()
    enricher = createEventEnricher({ getTransaction: (hash) => chain.provider.getTransaction(hash) })
  })
  after(async () => {
    await chain?.stop()
  })

  test('a DON configuration is keyed by forwarder and DON, with its signers and f', async () => {
    const don = createDon({ donId: 7, configVersion: 2 })
    const receipt = await mined(configureDon(chain.cre.forwarder, don))
    const [config] = chain.decode(receipt)
    assert.equal(config.event, 'ConfigSet')
    assert.equal(config.kind, 'forwarder')
    assert.equal(config.key, `${chain.chainId}:${chain.cre.addresses.forwarder}:7`)
    assert.deepEqual(config.args, {
      donId: '7',
      configVersion: '2',
      f: '1',
      signers: don.signers.map((s) => s.address),
    })
  })

  test('a failed delivery and its retry: two ReportProcessed with one key, each with the report decoded from calldata', async () => {
    const answers = [0, 1, 2].map((feed) => ({ feed, answer: 3_000n * 10n ** 8n + BigInt(feed) }))
    const failed = await chain.deliver(answers, { gasLimit: TOO_LITTLE_GAS })
    const retried = await chain.deliver(answers, {
      workflowExecutionId: failed.workflowExecutionId,
      timestamp: failed.timestamp,
    })
    const [first] = await enrich(chain.decode(failed.receipt), {
      blockNumber: failed.receipt.blockNumber,
      hash: failed.receipt.hash,
    })
    const second = (
      await enrich(chain.decode(retried.receipt), {
        blockNumber: retried.receipt.blockNumber,
        hash: retried.receipt.hash,
      })
    ).at(-1)!
    assert.equal(first.event, 'ReportProcessed')
    assert.equal(second.event, 'ReportProcessed')
    assert.deepEqual([first.args['result'], second.args['result']], [false, true])
    const key = `${chain.chainId}:${chain.cre.addresses.cache}:${failed.workflowExecutionId}:0x0001`
    assert.deepEqual([first.key, second.key], [key, key])
    const { workflow, don } = chain.cre
    const expected = {
      decoded: true,
      transmitter: await chain.transmitter.getAddress(),
      receiver: chain.cre.addresses.cache,
      version: '1',
      workflowExecutionId: failed.workflowExecutionId,
      timestamp: String(failed.timestamp),
      donId: String(don.donId),
      donConfigVersion: String(don.configVersion),
      workflowId: workflow.id,
      workflowName: workflow.name,
      workflowOwner: workflow.owner,
      reportId: '0x0001',
      payload: failed.payload,
      signatures: 2,
    }
    assert.deepEqual(first.report, { ...expected, result: false })
    assert.deepEqual(second.report, { ...expected, result: true })
    // the retry delivered: the cache stored the three answers
    assert.deepEqual(
      chain.decode(retried.receipt).map((e) => e.event),
      ['DecimalReportUpdated', 'DecimalReportUpdated', 'DecimalReportUpdated', 'ReportProcessed'],
    )
    validMessageValue(first, chain.chainId, failed.receipt.hash)
    // A payload over events.maxFieldBytes is replaced by its hash, and the message still follows the schema
    const bounded = boundMessage(toKafkaMessage(first, { ...PLACEHOLDER_META, chainId: chain.chainId }), {
      maxFieldBytes: 256,
      maxMessageBytes: 900_000,
    })
    assert.ok(bounded.ok && bounded.truncated)
    const truncated = JSON.parse(bounded.message.value.toString())
    assert.deepEqual(Object.keys(truncated.report.payload), ['keccak256', 'length'])
    assertValidOracleEvent(truncated)
    const line = describeEvent({
      partition: 0,
      offset: '0',
      key,
      headers: {},
      value: validMessageValue(second, chain.chainId),
    })
    assert.match(
      line,
      /ReportProcessed .* delivered .* report 0x0001 of workflow 0x626966726f7374646576 \(don 1\), 2 signatures, payload 352 bytes/,
    )
  })

  test('a report sent through another contract is not guessed: decoded false, with the reason', async () => {
    const deployer = await chain.provider.getSigner(0)
    // An AuthorizedForwarder as the relay: any contract calling report() on the node's behalf
    const link = `0x${'0'.repeat(39)}1`
    const relay = await deploy('AuthorizedForwarder', deployer, [link, await deployer.getAddress(), ZeroAddress, '0x'])
    await mined(relay.getFunction('setAuthorizedSenders')([await chain.transmitter.getAddress()]))
    const { cre } = chain
    const metadata = {
      workflowExecutionId: keccak256('0x0102'),
      timestamp: Math.floor(Date.now() / 1000) + 100,
      workflow: cre.workflow,
      reportId: '0x0001',
    }
    const payload = decimalReports([{ dataId: cre.dataIds[0], timestamp: metadata.timestamp, answer: 1n }])
    const call = new Interface(FORWARDER_REPORT_FRAGMENTS).encodeFunctionData(
      'report',
      reportArgs(cre.don, cre.addresses.cache, metadata, payload, 99),
    )
    const relayed = await mined(
      (relay.connect(chain.transmitter) as typeof relay).getFunction('forward')(cre.addresses.forwarder, call, {
        gasLimit: 2_000_000n,
      }),
    )
    const processed = (
      await enrich(chain.decode(relayed), { blockNumber: relayed.blockNumber, hash: relayed.hash })
    ).at(-1)!
    assert.equal(processed.event, 'ReportProcessed')
    assert.equal(processed.args['result'], true)
    assert.equal(processed.report?.decoded, false)
    assert.ok(!processed.report?.decoded && processed.report.reason.includes(relayed.hash))
    assert.ok(!processed.report?.decoded && /another contract called the forwarder/.test(processed.report.reason))
  })
})

describe('forwarder report decoding from calldata', () => {
  const forwarder = '0x00000000000000000000000000000000000000aa'
  const receiver = '0x00000000000000000000000000000000000000bb'
  const iface = new Interface(FORWARDER_REPORT_FRAGMENTS)
  const tx = (data: string) => ({ hash: `0x${'cd'.repeat(32)}`, from: receiver, to: forwarder, input: data })
  const log = { forwarder, receiver, workflowExecutionId: `0x${'11'.repeat(32)}`, reportId: '0x0001', result: true }

  test('a rawReport shorter than its metadata is not decoded', () => {
    const result = decodeForwarderReport(tx(iface.encodeFunctionData('report', [receiver, '0x01', '0x', []])), log)
    assert.ok(!result.decoded && /fewer than the 109/.test(result.reason))
  })

  test('a report() of another execution is not taken for this one', () => {
    const raw = `0x01${'22'.repeat(32)}${'00'.repeat(76)}0001`
    const result = decodeForwarderReport(tx(iface.encodeFunctionData('report', [receiver, raw, '0x', []])), log)
    assert.ok(!result.decoded && /not this ReportProcessed's/.test(result.reason))
  })
})
