import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { AbiCoder, Interface, ZeroAddress } from 'ethers'
import { deploy } from '../../../src/dev/contracts'
import { mined } from '../../../src/dev/transactions'
import { decodeLog, type WatchedContract } from '../../../src/outbound/decode'
import { createEventEnricher, type EnrichedEvent } from '../../../src/outbound/enrich'
import { describeEvent } from '../../../src/outbound/event-reader'
import { VERIFIER_PROXY_FRAGMENTS } from '../../../src/outbound/families/verifier-report'
import { startAnvilWithProvider } from '../../support/chainlink'
import { validMessageValue } from '../../support/oracle-event-schema'
import { deployStreams, encodeReportV3, type ReportV3, type Streams } from '../../support/streams'

const CHAIN_ID = 31337
const ETH_USD_V3 = `0x0003${'1f'.repeat(30)}`
const BTC_USD_V2 = `0x0002${'2e'.repeat(30)}`

describe('Data Streams verifications on the real Verifier and VerifierProxy', () => {
  let chain: Awaited<ReturnType<typeof startAnvilWithProvider>>
  let streams: Streams
  let watched: WatchedContract[]
  const proxyInterface = new Interface(VERIFIER_PROXY_FRAGMENTS)
  const verified = async (receipt: {
    logs: readonly Parameters<typeof decodeLog>[0][]
    blockNumber: number
    hash: string
  }) => {
    const enricher = createEventEnricher({ getTransaction: (hash) => chain.provider.getTransaction(hash) })
    const out: EnrichedEvent[] = []
    for (const log of receipt.logs) {
      const event = decodeLog(log, watched, CHAIN_ID)
      if (event)
        out.push(await enricher.enrich(event, { blockNumber: receipt.blockNumber, transactionHash: receipt.hash }))
    }
    return out
  }
  const report: ReportV3 = {
    feedId: ETH_USD_V3,
    validFromTimestamp: 1_796_000_000,
    observationsTimestamp: 1_796_000_001,
    nativeFee: 12_345n,
    linkFee: 67_890n,
    expiresAt: 1_796_086_401,
    price: 3_012_450_000_000_000_000_000n,
    bid: 3_012_400_000_000_000_000_000n,
    ask: -1n,
  }
  before(async () => {
    chain = await startAnvilWithProvider()
    streams = await deployStreams(await chain.provider.getSigner(0))
    await streams.configureFeed(ETH_USD_V3)
    await streams.configureFeed(BTC_USD_V2)
    watched = [{ address: streams.addresses.verifier, kind: 'verifier' }]
  })
  after(async () => {
    await chain?.stop()
  })

  test('a schema v3 report verified through the proxy: keyed by feed, its fields decoded from the calldata', async () => {
    const requester = await chain.provider.getSigner(2)
    const payload = streams.signedPayload(ETH_USD_V3, encodeReportV3(report))
    const receipt = await mined(
      (streams.proxy.connect(requester) as typeof streams.proxy).getFunction('verify')(payload, '0x'),
    )
    const [event] = await verified(receipt)
    assert.equal(event.event, 'ReportVerified')
    assert.equal(event.kind, 'verifier')
    assert.equal(event.address, streams.addresses.verifier)
    assert.equal(event.key, `${CHAIN_ID}:${ETH_USD_V3}`)
    assert.equal(event.feedId, ETH_USD_V3)
    assert.deepEqual(event.args, { feedId: ETH_USD_V3, requester: await requester.getAddress() })
    assert.deepEqual(event.verifiedReport, {
      decoded: true,
      sender: await requester.getAddress(),
      schema: 3,
      feedId: ETH_USD_V3,
      validFromTimestamp: '1796000000',
      observationsTimestamp: '1796000001',
      expiresAt: '1796086401',
      nativeFee: '12345',
      linkFee: '67890',
      price: '3012450000000000000000',
      bid: '3012400000000000000000',
      ask: '-1',
    })
    const value = validMessageValue(event, CHAIN_ID)
    assert.match(
      describeEvent({ partition: 0, offset: '0', key: event.key, headers: {}, value }),
      /ReportVerified .* price 3012450000000000000000 \(bid 3012400000000000000000, ask -1\) observed at 1796000001/,
    )
  })

  test('another schema, or a verification asked for from inside a contract, is reported, not guessed', async () => {
    const v2 = AbiCoder.defaultAbiCoder().encode(
      ['bytes32', 'uint32', 'uint32', 'uint192', 'uint192', 'uint32', 'int192'],
      [BTC_USD_V2, 1, 2, 3, 4, 5, 6],
    )
    const [other] = await verified(
      await mined(streams.proxy.getFunction('verify')(streams.signedPayload(BTC_USD_V2, v2), '0x')),
    )
    assert.equal(other.key, `${CHAIN_ID}:${BTC_USD_V2}`)
    assert.deepEqual(other.verifiedReport, {
      decoded: false,
      reason: `the report of ${BTC_USD_V2} is schema v2; Bifrost decodes v3`,
    })
    validMessageValue(other, CHAIN_ID)

    const deployer = await chain.provider.getSigner(0)
    const relay = await deploy('AuthorizedForwarder', deployer, [
      `0x${'0'.repeat(39)}1`,
      await deployer.getAddress(),
      ZeroAddress,
      '0x',
    ])
    await mined(relay.getFunction('setAuthorizedSenders')([await deployer.getAddress()]))
    const call = proxyInterface.encodeFunctionData('verify', [
      streams.signedPayload(ETH_USD_V3, encodeReportV3(report)),
      '0x',
    ])
    const relayed = await mined(relay.getFunction('forward')(streams.addresses.proxy, call))
    const [inner] = await verified(relayed)
    assert.equal(inner.args['requester'], await relay.getAddress())
    assert.equal(inner.verifiedReport?.decoded, false)
    assert.ok(
      !inner.verifiedReport?.decoded && /not a VerifierProxy's verify\(bytes,bytes\)/.test(inner.verifiedReport.reason),
    )
    validMessageValue(inner, CHAIN_ID)
  })
})
