import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Interface, type TransactionReceipt } from 'ethers'
import { fulfilmentCall } from '../../src/dev/chainlink-node-sim'
import { repoRoot } from '../../src/dev/paths'
import { mined } from '../../src/dev/transactions'
import { AUTHORIZED_FORWARDER_FRAGMENTS as FORWARDER_FRAGMENTS } from '../../src/outbound/families/operator-fulfillment'
import { decodeLog, type WatchedContract } from '../../src/outbound/decode'
import { createEventEnricher, type EnrichedEvent } from '../../src/outbound/enrich'
import { CONTENT_TYPE, EVENT_HEADERS, toKafkaMessage, type KafkaMessage } from '../../src/outbound/message'
import { CHAIN_ID, startChainlinkChain, type ChainlinkChain } from '../support/chainlink'
import { assertValidOracleEvent, validateOracleEvent } from '../support/oracle-event-schema'

const validate = validateOracleEvent
const assertValid = assertValidOracleEvent

describe('event messages', () => {
  let chain: ChainlinkChain
  const messages: Array<{ event: EnrichedEvent; message: KafkaMessage; receipt: TransactionReceipt }> = []

  before(async () => {
    chain = await startChainlinkChain()
    const watched: WatchedContract[] = [
      ...chain.watched,
      {
        address: chain.deployment.addresses.link,
        kind: 'custom',
        abi: ['event Transfer(address indexed from, address indexed to, uint256 value, bytes data)'],
      },
    ]
    const enricher = createEventEnricher({ getTransaction: (hash) => chain.provider.getTransaction(hash) })
    const publish = async (receipt: TransactionReceipt) => {
      const block = await chain.provider.getBlock(receipt.blockHash)
      for (const log of receipt.logs) {
        const decoded = decodeLog(log, watched, CHAIN_ID)
        if (!decoded) continue
        const event = await enricher.enrich(decoded, {
          blockNumber: receipt.blockNumber,
          transactionHash: receipt.hash,
        })
        const message = toKafkaMessage(event, {
          status: 'confirmed',
          confirmations: 3,
          chainId: BigInt(CHAIN_ID),
          blockNumber: log.blockNumber,
          blockHash: log.blockHash,
          blockTimestamp: block!.timestamp,
          transactionHash: log.transactionHash,
          logIndex: log.index,
        })
        messages.push({ event, message, receipt })
      }
    }
    const operator = chain.deployment.addresses.operator
    const forwarder = chain.deployment.addresses.forwarder
    const answer = async (receipt: TransactionReceipt, send: (r: EnrichedEvent) => { to: string; data: string }) => {
      const request = messages.find((m) => m.receipt === receipt && m.event.event === 'OracleRequest')!.event
      await publish(await mined(chain.node.sendTransaction({ ...send(request), gasLimit: 500_000n })))
    }
    const v1 = await chain.request(1)
    await publish(v1)
    await answer(v1, (r) => fulfilmentCall(r, 123n, { operator }))
    const v2 = await chain.request(2)
    await publish(v2)
    await answer(v2, (r) => fulfilmentCall(r, 456n, { operator, forwarder }))
    const viaContract = await chain.request(1)
    await publish(viaContract)
    const multi = new Interface([...FORWARDER_FRAGMENTS, 'function multiForward(address[] tos, bytes[] datas)'])
    await answer(viaContract, (r) => ({
      to: forwarder,
      data: multi.encodeFunctionData('multiForward', [[operator], [fulfilmentCall(r, 789n, { operator }).data]]),
    }))
    await publish(
      await mined(chain.deployment.aggregator.getFunction('transmit')([1n, 2n, 3n], '0x00', `0x${'00'.repeat(32)}`)),
    )
  })
  after(async () => {
    await chain?.stop()
  })

  test('every kind of event message validates against schemas/oracle-event.schema.json', () => {
    const seen = new Set(messages.map((m) => `${m.event.kind}:${m.event.event}`))
    for (const expected of [
      'client:ChainlinkRequested',
      'operator:OracleRequest',
      'operator:OracleResponse',
      'client:ChainlinkFulfilled',
      'aggregator:NewRound',
      'aggregator:NewTransmission',
      'aggregator:AnswerUpdated',
      'custom:Transfer',
    ]) {
      assert.ok(seen.has(expected), `${expected} was produced`)
    }
    for (const { message } of messages) assertValid(JSON.parse(message.value.toString()))
  })

  test('value, key and headers of a fulfilment', async () => {
    const responses = messages.filter((m) => m.event.event === 'OracleResponse')
    assert.equal(responses.length, 3)
    const [direct, forwarded, undecodable] = responses.map((m) => ({
      ...m,
      value: JSON.parse(m.message.value.toString()),
    }))
    assert.equal(direct.value.fulfillment.value, '123')
    assert.equal(direct.value.fulfillment.method, 'fulfillOracleRequest')
    assert.equal(forwarded.value.fulfillment.value, '456')
    assert.equal(forwarded.value.fulfillment.forwarder, chain.deployment.addresses.forwarder)
    assert.equal(undecodable.value.fulfillment.decoded, false)
    const log = direct.receipt.logs.find((l) => l.address === chain.deployment.addresses.operator)!
    assert.deepEqual(
      { ...direct.value, fulfillment: undefined, request: undefined },
      {
        schemaVersion: 1,
        event: 'OracleResponse',
        kind: 'operator',
        status: 'confirmed',
        chainId: CHAIN_ID,
        address: chain.deployment.addresses.operator,
        blockNumber: direct.receipt.blockNumber,
        blockHash: direct.receipt.blockHash,
        blockTimestamp: (await chain.provider.getBlock(direct.receipt.blockHash))!.timestamp,
        transactionHash: direct.receipt.hash,
        logIndex: log.index,
        confirmations: 3,
        args: { requestId: direct.event.requestId },
        requestId: direct.event.requestId,
        latencyBlocks: 1,
        fulfillment: undefined,
        request: undefined,
      },
    )
    assert.equal(direct.value.request.dataVersion, '1')
    assert.equal(direct.message.key, `${CHAIN_ID}:${direct.event.requestId}`)
    assert.deepEqual(direct.message.headers, {
      [EVENT_HEADERS.event]: 'OracleResponse',
      [EVENT_HEADERS.status]: 'confirmed',
      [EVENT_HEADERS.chainId]: String(CHAIN_ID),
      [EVENT_HEADERS.eventId]: `${CHAIN_ID}:${direct.receipt.blockHash}:${log.index}`,
      [EVENT_HEADERS.contentType]: CONTENT_TYPE,
    })
    // a request and everything that follows it share the key, so they share a partition
    const keyed = messages.filter((m) => m.event.requestId === direct.event.requestId).map((m) => m.event.event)
    assert.deepEqual(keyed, ['ChainlinkRequested', 'OracleRequest', 'OracleResponse', 'ChainlinkFulfilled'])
    assert.ok(
      messages
        .filter((m) => m.event.requestId === direct.event.requestId)
        .every((m) => m.message.key === direct.message.key),
    )
  })

  test('a retraction has the same key and fields, with status retracted', () => {
    const { event, message } = messages.find((m) => m.event.event === 'OracleRequest')!
    const confirmed = JSON.parse(message.value.toString())
    const retracted = toKafkaMessage(event, { ...confirmed, status: 'retracted' })
    assert.equal(retracted.key, message.key)
    assert.equal(retracted.headers[EVENT_HEADERS.status], 'retracted')
    const value = JSON.parse(retracted.value.toString())
    assertValid(value)
    assert.deepEqual(value, { ...confirmed, status: 'retracted' })
  })

  test('the schema refuses what the contract forbids', () => {
    const valueOf = (name: string) => JSON.parse(messages.find((m) => m.event.event === name)!.message.value.toString())
    const request = valueOf('OracleRequest')
    const response = valueOf('OracleResponse')
    const round = valueOf('AnswerUpdated')
    const refused = [
      { ...request, args: { ...request.args, payment: Number(request.args.payment) } },
      { ...request, requestId: undefined },
      { ...request, status: 'pending' },
      { ...request, extra: 1 },
      { ...response, fulfillment: undefined },
      { ...response, fulfillment: { decoded: false } },
      { ...response, fulfillment: { ...response.fulfillment, value: 123 } },
      { ...round, roundId: undefined },
      { ...round, blockHash: round.blockHash.toUpperCase() },
    ].map((v) => JSON.parse(JSON.stringify(v)))
    for (const value of refused) assert.equal(validate(value), false, JSON.stringify(value))
  })

  test('the examples in docs/oracle-events.md validate', () => {
    const doc = readFileSync(join(repoRoot(), 'docs/oracle-events.md'), 'utf8')
    const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map(([, json]) => JSON.parse(json))
    assert.ok(examples.length >= 4)
    for (const example of examples) assertValid(example)
    // Captured by this version: every family but custom is shown (a CCIP send inside its execution's `send`), every message with its block's time.
    assert.deepEqual(
      new Set(examples.map((e) => e.kind)),
      new Set(['operator', 'client', 'aggregator', 'forwarder', 'data-feeds-cache', 'verifier', 'ccip-offramp']),
    )
    for (const example of examples) assert.equal(typeof example.blockTimestamp, 'number', JSON.stringify(example))
  })
})
