import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { AbiCoder, Interface, type TransactionReceipt } from 'ethers'
import { fulfilmentCall } from '../../../src/dev/chainlink-node-sim'
import { mined } from '../../../src/dev/transactions'
import type { DecodedEvent } from '../../../src/outbound/decode'
import {
  createEventEnricher as createFulfillmentEnricher,
  type EventEnricher as FulfillmentEnricher,
} from '../../../src/outbound/enrich'
import {
  AUTHORIZED_FORWARDER_FRAGMENTS as FORWARDER_FRAGMENTS,
  decodeFulfillment,
} from '../../../src/outbound/families/operator-fulfillment'
import { FulfillmentLookupError } from '../../../src/outbound/families/transaction'
import { PAYMENT, SPEC_ID, startChainlinkChain, type ChainlinkChain } from '../../support/chainlink'

const ANSWER = 300_012_345_678n

describe('fulfilment decoding on real Chainlink contracts', () => {
  let chain: ChainlinkChain
  let enricher: FulfillmentEnricher
  const enrich = async (receipt: TransactionReceipt) => {
    const out = []
    for (const event of chain.decode(receipt)) {
      out.push(await enricher.enrich(event, { blockNumber: receipt.blockNumber, transactionHash: receipt.hash }))
    }
    return out
  }
  /** Makes a request, lets `gap` more blocks pass, and answers it with `send` */
  const requestAndAnswer = async (
    dataVersion: 1 | 2,
    send: (request: DecodedEvent) => { to: string; data: string },
    gap = 0,
  ) => {
    const requestReceipt = await chain.request(dataVersion)
    const [, request] = await enrich(requestReceipt)
    if (gap) await chain.provider.send('anvil_mine', [gap])
    const receipt = await mined(chain.node.sendTransaction({ ...send(request), gasLimit: 500_000n }))
    return { request, requestReceipt, receipt, events: await enrich(receipt) }
  }

  before(async () => {
    chain = await startChainlinkChain()
    enricher = createFulfillmentEnricher({ getTransaction: (hash) => chain.provider.getTransaction(hash) })
  })
  after(async () => {
    await chain?.stop()
  })

  test('dataVersion 1: fulfillOracleRequest sent directly, with the request fields and the latency', async () => {
    const route = { operator: chain.deployment.addresses.operator }
    const { request, requestReceipt, events } = await requestAndAnswer(1, (r) => fulfilmentCall(r, ANSWER, route), 3)
    assert.deepEqual(
      events.map((e) => e.event),
      ['OracleResponse', 'ChainlinkFulfilled'],
    )
    const [response, fulfilled] = events
    assert.equal(await chain.deployment.consumer.getFunction('answers')(request.requestId), ANSWER)
    assert.equal(response.key, request.key)
    assert.equal(fulfilled.key, request.key)
    assert.equal(fulfilled.fulfillment, undefined)
    assert.deepEqual(response.fulfillment, {
      decoded: true,
      method: 'fulfillOracleRequest',
      sender: await chain.node.getAddress(),
      payment: PAYMENT.toString(),
      callbackAddress: chain.deployment.addresses.consumer,
      callbackFunctionId: request.args['callbackFunctionId'],
      expiration: request.args['cancelExpiration'],
      data: `0x${ANSWER.toString(16).padStart(64, '0')}`,
      value: ANSWER.toString(),
    })
    assert.deepEqual(response.request, {
      specId: SPEC_ID,
      requester: chain.deployment.addresses.consumer,
      payment: PAYMENT.toString(),
      callbackAddress: chain.deployment.addresses.consumer,
      callbackFunctionId: request.args['callbackFunctionId'],
      cancelExpiration: request.args['cancelExpiration'],
      dataVersion: '1',
      blockNumber: requestReceipt.blockNumber,
      transactionHash: requestReceipt.hash,
    })
    assert.equal(response.latencyBlocks, 4)
  })

  test('dataVersion 2: fulfillOracleRequest2 through an AuthorizedForwarder is unwrapped', async () => {
    const route = { operator: chain.deployment.addresses.operator, forwarder: chain.deployment.addresses.forwarder }
    const { request, receipt, events } = await requestAndAnswer(2, (r) => fulfilmentCall(r, ANSWER, route))
    assert.equal(await chain.deployment.consumer.getFunction('answers')(request.requestId), ANSWER)
    const response = events.find((e) => e.event === 'OracleResponse')!
    const tx = await chain.provider.getTransaction(receipt.hash)
    assert.equal(tx!.to, chain.deployment.addresses.forwarder)
    assert.deepEqual(response.fulfillment, {
      decoded: true,
      method: 'fulfillOracleRequest2',
      forwarder: chain.deployment.addresses.forwarder,
      sender: await chain.node.getAddress(),
      payment: PAYMENT.toString(),
      callbackAddress: chain.deployment.addresses.consumer,
      callbackFunctionId: request.args['callbackFunctionId'],
      expiration: request.args['cancelExpiration'],
      data: AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint256'], [request.requestId, ANSWER]),
      value: ANSWER.toString(),
    })
    assert.equal(response.request?.dataVersion, '2')
    assert.equal(response.latencyBlocks, 1)
  })

  test('dataVersion 2 with several words: the data, and no single value', async () => {
    const operator = chain.deployment.operator.interface
    const { request, events } = await requestAndAnswer(2, (r) => {
      const a = r.args
      const data = AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint256', 'uint256'], [r.requestId, ANSWER, 7n])
      return {
        to: chain.deployment.addresses.operator,
        data: operator.encodeFunctionData('fulfillOracleRequest2', [
          r.requestId,
          a['payment'],
          a['callbackAddr'],
          a['callbackFunctionId'],
          a['cancelExpiration'],
          data,
        ]),
      }
    })
    const response = events.find((e) => e.event === 'OracleResponse')!
    assert.equal(response.fulfillment?.decoded, true)
    assert.ok(response.fulfillment?.decoded && response.fulfillment.data.length === 2 + 3 * 64)
    assert.equal(response.fulfillment?.decoded && response.fulfillment.value, undefined)
    assert.equal(await chain.deployment.consumer.getFunction('answers')(request.requestId), ANSWER)
  })

  test('a fulfilment made from inside another contract is reported, not guessed', async () => {
    const forwarder = new Interface([...FORWARDER_FRAGMENTS, 'function multiForward(address[] tos, bytes[] datas)'])
    const operator = chain.deployment.addresses.operator
    const { receipt, events } = await requestAndAnswer(1, (r) => ({
      to: chain.deployment.addresses.forwarder,
      data: forwarder.encodeFunctionData('multiForward', [[operator], [fulfilmentCall(r, ANSWER, { operator }).data]]),
    }))
    const response = events.find((e) => e.event === 'OracleResponse')!
    assert.equal(response.fulfillment?.decoded, false)
    assert.ok(!response.fulfillment?.decoded && response.fulfillment.reason.includes(receipt.hash))
    assert.ok(
      !response.fulfillment?.decoded && /not the Operator's fulfillOracleRequest/.test(response.fulfillment.reason),
    )
    // what could be known without the calldata is still there
    assert.equal(response.request?.dataVersion, '1')
    assert.equal(response.latencyBlocks, 1)
  })

  test('a cancelled request carries its request fields', async () => {
    const requestReceipt = await chain.request(1)
    const [, request] = await enrich(requestReceipt)
    await chain.provider.send('evm_increaseTime', [301])
    const a = request.args
    const receipt = await mined(
      chain.deployment.consumer.getFunction('cancel')(
        request.requestId,
        a['payment'],
        a['callbackFunctionId'],
        a['cancelExpiration'],
      ),
    )
    const events = await enrich(receipt)
    assert.deepEqual(
      events.map((e) => e.event),
      ['ChainlinkCancelled', 'CancelOracleRequest'],
    )
    assert.equal(events[1].key, request.key)
    assert.equal(events[1].request?.transactionHash, requestReceipt.hash)
    assert.equal(events[1].fulfillment, undefined)
  })
})

describe('fulfilment decoding from calldata', () => {
  const operator = '0x00000000000000000000000000000000000000aa'
  const requestId = `0x${'ab'.repeat(32)}`
  const iface = new Interface([
    'function fulfillOracleRequest(bytes32,uint256,address,bytes4,uint256,bytes32)',
    'function forward(address,bytes)',
  ])
  const call = iface.encodeFunctionData('fulfillOracleRequest', [
    requestId,
    1,
    operator,
    '0x01020304',
    2,
    `0x${'00'.repeat(31)}2a`,
  ])
  const tx = (to: string, data: string) => ({ hash: `0x${'cd'.repeat(32)}`, from: operator, to, input: data })

  test('a fulfilment of another request is not taken for this one', () => {
    const result = decodeFulfillment(tx(operator, call), operator, `0x${'ef'.repeat(32)}`)
    assert.equal(result.decoded, false)
    assert.ok(!result.decoded && /fulfils 0xabab/.test(result.reason))
  })

  test('a forward() to some other contract is not unwrapped', () => {
    const other = '0x00000000000000000000000000000000000000bb'
    const result = decodeFulfillment(tx(other, iface.encodeFunctionData('forward', [other, call])), operator, requestId)
    assert.equal(result.decoded, false)
  })

  test('the enricher forgets the oldest requests beyond its bound', async () => {
    const enricher = createFulfillmentEnricher({ getTransaction: async () => tx(operator, call), maxRequests: 2 })
    const request = (n: number): DecodedEvent => ({
      event: 'OracleRequest',
      kind: 'operator',
      address: operator,
      requestId: `0x${String(n).repeat(64)}`,
      key: `1:${n}`,
      args: {
        specId: '0x',
        requester: operator,
        payment: '1',
        callbackAddr: operator,
        callbackFunctionId: '0x',
        cancelExpiration: '2',
        dataVersion: '1',
        data: '0x',
      },
    })
    for (const n of [1, 2, 3]) await enricher.enrich(request(n), { blockNumber: n, transactionHash: '0x' })
    assert.equal(enricher.size, 2)
    const response = (n: number): DecodedEvent => ({ ...request(n), event: 'CancelOracleRequest', args: {} })
    assert.equal((await enricher.enrich(response(1), { blockNumber: 9, transactionHash: '0x' })).request, undefined)
    assert.equal(
      (await enricher.enrich(response(3), { blockNumber: 9, transactionHash: '0x' })).request?.blockNumber,
      3,
    )
  })

  const response: DecodedEvent = {
    event: 'OracleResponse',
    kind: 'operator',
    address: operator,
    requestId,
    key: 'k',
    args: { requestId },
  }

  test('a transaction lookup that fails is an error to retry, not a guess', async () => {
    const enricher = createFulfillmentEnricher({
      getTransaction: async () => {
        throw new Error('connection reset')
      },
    })
    await assert.rejects(enricher.enrich(response, { blockNumber: 1, transactionHash: '0x01' }), FulfillmentLookupError)
  })

  test('a transaction the node does not know (a pruned transaction index) goes out undecoded with the reason', async () => {
    const asked: Array<[string, number]> = []
    const enricher = createFulfillmentEnricher({
      getTransaction: async (hash, blockNumber) => {
        asked.push([hash, blockNumber])
        return null
      },
    })
    const enriched = await enricher.enrich(response, { blockNumber: 7, transactionHash: '0x01' })
    assert.deepEqual(asked, [['0x01', 7]], 'asked with the block, so only endpoints that have it answer')
    assert.equal(enriched.fulfillment?.decoded, false)
    assert.match(
      enriched.fulfillment && !enriched.fulfillment.decoded ? enriched.fulfillment.reason : '',
      /does not know transaction 0x01 .*pruned/,
    )
  })
})
