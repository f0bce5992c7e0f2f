import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { AbiCoder, getAddress, id, Interface, toBeHex, zeroPadValue } from 'ethers'
import { mined } from '../../src/dev/transactions'
import { decodeLog, logFilter, LogDecodeError, type WatchedContract } from '../../src/outbound/decode'
import { BUILT_IN_FRAGMENTS as EVENT_FRAGMENTS } from '../../src/outbound/families'
import { CHAIN_ID, PAYMENT, SPEC_ID, startChainlinkChain, TIMES, type ChainlinkChain } from '../support/chainlink'

describe('decodeLog on real Chainlink contracts', () => {
  let chain: ChainlinkChain
  before(async () => {
    chain = await startChainlinkChain()
  })
  after(async () => {
    await chain?.stop()
  })

  test('logFilter selects every watched address and event signature', () => {
    const filter = logFilter(chain.watched)
    assert.deepEqual(
      filter.address,
      chain.watched.map((c) => getAddress(c.address)),
    )
    const topics = chain.watched
      .map(({ kind }) => EVENT_FRAGMENTS[kind as 'operator' | 'client' | 'aggregator'])
      .flatMap((f) => {
        const out: string[] = []
        new Interface(f).forEachEvent((e) => out.push(e.topicHash))
        return out
      })
    assert.deepEqual(new Set(filter.topics[0]), new Set(topics))
    assert.equal(filter.topics[0].length, 9)
  })

  for (const dataVersion of [1, 2] as const) {
    test(`a dataVersion ${dataVersion} request decodes into ChainlinkRequested and OracleRequest with one key`, async () => {
      const receipt = await chain.request(dataVersion)
      // The LINK transfers of transferAndCall are in the receipt too, and are not watched
      assert.ok(receipt.logs.length > 2)
      const events = chain.decode(receipt)
      assert.deepEqual(
        events.map((e) => e.event),
        ['ChainlinkRequested', 'OracleRequest'],
      )
      const [requested, request] = events
      const requestId = requested.requestId as string
      assert.match(requestId, /^0x[0-9a-f]{64}$/)
      assert.equal(requested.kind, 'client')
      assert.equal(requested.address, chain.deployment.addresses.consumer)
      assert.deepEqual(requested.args, { id: requestId })
      assert.equal(request.kind, 'operator')
      assert.equal(request.address, chain.deployment.addresses.operator)
      assert.equal(request.requestId, requestId)
      assert.equal(request.key, `${CHAIN_ID}:${requestId}`)
      assert.equal(requested.key, request.key)
      const consumerIface = chain.deployment.consumer.interface
      const callback = consumerIface.getFunction(dataVersion === 1 ? 'fulfill' : 'fulfillUint')!.selector
      const block = await chain.provider.getBlock(receipt.blockNumber)
      assert.deepEqual(request.args, {
        specId: SPEC_ID,
        requester: chain.deployment.addresses.consumer,
        requestId,
        payment: PAYMENT.toString(),
        callbackAddr: chain.deployment.addresses.consumer,
        callbackFunctionId: callback,
        cancelExpiration: String(block!.timestamp + 300),
        dataVersion: String(dataVersion),
        data: request.args['data'],
      })
      assert.match(request.args['data'] as string, /^0x[0-9a-f]+$/)
      assert.deepEqual(request.params, { feed: 'ETH/USD', times: Number(TIMES) })
    })
  }

  test('aggregator events carry the round in the key; int192 arrays and bytes are JSON-safe', async () => {
    const observations = [-5n, 2999n * 10n ** 8n, 3000n * 10n ** 8n]
    const digest = id('config')
    const receipt = await mined(chain.deployment.aggregator.getFunction('transmit')(observations, '0x000102', digest))
    const events = chain.decode(receipt)
    assert.deepEqual(
      events.map((e) => e.event),
      ['NewRound', 'NewTransmission', 'AnswerUpdated'],
    )
    const address = chain.deployment.addresses.aggregator
    for (const e of events) {
      assert.equal(e.kind, 'aggregator')
      assert.equal(e.roundId, '1')
      assert.equal(e.key, `${CHAIN_ID}:${address}:1`)
      assert.equal(e.requestId, undefined)
    }
    const transmitter = await chain.deployer.getAddress()
    const block = await chain.provider.getBlock(receipt.blockNumber)
    assert.deepEqual(events[0].args, { roundId: '1', startedBy: transmitter, startedAt: String(block!.timestamp) })
    assert.deepEqual(events[1].args, {
      aggregatorRoundId: '1',
      answer: '299900000000',
      transmitter,
      observationsTimestamp: String(block!.timestamp),
      observations: ['-5', '299900000000', '300000000000'],
      observers: '0x000102',
      juelsPerFeeCoin: '0',
      configDigest: digest,
      epochAndRound: '1',
    })
    assert.deepEqual(events[2].args, { current: '299900000000', roundId: '1', updatedAt: String(block!.timestamp) })
    assert.doesNotThrow(() => JSON.stringify(events))
  })

  test('custom contracts decode with the configured ABI and are keyed by transaction and log index', async () => {
    const link = chain.deployment.addresses.link
    const watched: WatchedContract[] = [
      {
        address: link.toLowerCase(),
        kind: 'custom',
        abi: [
          'event Transfer(address indexed from, address indexed to, uint256 value)',
          'event Transfer(address indexed from, address indexed to, uint256 value, bytes data)',
        ],
      },
    ]
    const receipt = await chain.request(1)
    const events = receipt.logs.map((log) => decodeLog(log, watched, CHAIN_ID)).filter((e) => e !== undefined)
    // ERC677 transferAndCall logs both the ERC20 Transfer and the ERC677 one
    assert.deepEqual(
      events.map((e) => Object.keys(e.args)),
      [
        ['from', 'to', 'value'],
        ['from', 'to', 'value', 'data'],
      ],
    )
    const logIndexes = receipt.logs.filter((l) => l.address === link).map((l) => l.index)
    events.forEach((e, i) => {
      assert.equal(e.kind, 'custom')
      assert.equal(e.address, link)
      assert.equal(e.key, `${CHAIN_ID}:${receipt.hash}:${logIndexes[i]}`)
      assert.equal(e.args['from'], chain.deployment.addresses.consumer)
      assert.equal(e.args['to'], chain.deployment.addresses.operator)
      assert.equal(e.args['value'], PAYMENT.toString())
    })
  })

  test('logs of unwatched addresses or signatures are not ours', async () => {
    const receipt = await chain.request(1)
    const transfers = receipt.logs.filter((l) => l.address === chain.deployment.addresses.link)
    assert.ok(transfers.length > 0)
    for (const log of transfers) assert.equal(decodeLog(log, chain.watched, CHAIN_ID), undefined)
    const operatorLog = receipt.logs.find((l) => l.address === chain.deployment.addresses.operator)!
    const elsewhere = { ...operatorLog, address: chain.deployment.addresses.link, index: operatorLog.index }
    assert.equal(decodeLog(elsewhere, chain.watched, CHAIN_ID), undefined)
  })
})

describe('decodeLog on encoded logs', () => {
  const address = '0x00000000000000000000000000000000000000aa'
  const coder = AbiCoder.defaultAbiCoder()

  test('nested tuples and arrays, indexed dynamic values and unnamed parameters', () => {
    const abi = ['event Foo(uint256 indexed a, (int8 x, bytes y, address[] who)[] items, string indexed tag, uint16)']
    const iface = new Interface(abi)
    const who = '0x00000000000000000000000000000000000000bb'
    const data = coder.encode(
      ['(int8,bytes,address[])[]', 'uint16'],
      [
        [
          [-3, '0xbeef', [who]],
          [4, '0x', []],
        ],
        7,
      ],
    )
    const log = {
      address,
      topics: [iface.getEvent('Foo')!.topicHash, toBeHex(2n ** 255n, 32), id('hello')],
      data,
      transactionHash: `0x${'11'.repeat(32)}`,
      logIndex: '0x1f',
    }
    const event = decodeLog(log, [{ address, kind: 'custom', abi }], 5n)
    assert.deepEqual(event, {
      event: 'Foo',
      kind: 'custom',
      address: getAddress(address),
      args: {
        a: (2n ** 255n).toString(),
        items: [
          { x: '-3', y: '0xbeef', who: [getAddress(who)] },
          { x: '4', y: '0x', who: [] },
        ],
        // only the keccak256 of an indexed string is in the log
        tag: id('hello'),
        3: '7',
      },
      key: `5:0x${'11'.repeat(32)}:31`,
    })
  })

  test('an OracleRequest whose data is not CBOR still decodes, without params', () => {
    const iface = new Interface(EVENT_FRAGMENTS.operator)
    const fragment = iface.getEvent('OracleRequest')!
    const requestId = id('r')
    const encoded = iface.encodeEventLog(fragment, [
      SPEC_ID,
      address,
      requestId,
      1,
      address,
      '0x12345678',
      2,
      1,
      '0x61',
    ])
    const event = decodeLog(
      { ...encoded, address, transactionHash: requestId, index: 0 },
      [{ address, kind: 'operator' }],
      1,
    )
    assert.equal(event?.requestId, requestId)
    assert.equal(event?.args['data'], '0x61')
    assert.equal(event?.params, undefined)
  })

  test('a watched signature with data that does not decode is an error naming the log', () => {
    const log = {
      address,
      topics: [id('AnswerUpdated(int256,uint256,uint256)'), zeroPadValue('0x01', 32)],
      data: '0x',
      transactionHash: `0x${'22'.repeat(32)}`,
      logIndex: 3,
    }
    assert.throws(
      () => decodeLog(log, [{ address, kind: 'aggregator' }], 1),
      (err: unknown) => err instanceof LogDecodeError && /AnswerUpdated/.test(err.message) && /log 3/.test(err.message),
    )
  })

  test('a custom contract without an ABI is refused', () => {
    assert.throws(() => logFilter([{ address, kind: 'custom' }]), LogDecodeError)
    assert.throws(() => logFilter([{ address, kind: 'custom', abi: ['event Broken(uint257 x)'] }]), LogDecodeError)
    assert.throws(
      () => logFilter([{ address, kind: 'custom', abi: ['event Unsupported(fixed128x18 x)'] }]),
      LogDecodeError,
    )
  })
})
