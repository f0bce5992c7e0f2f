import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CborError, decodeCbor, decodeRequestParams } from '../../src/chain/cbor'

describe('decodeCbor', () => {
  // Examples from RFC 8949 appendix A
  const vectors: Array<[string, unknown]> = [
    ['0x00', 0],
    ['0x17', 23],
    ['0x1818', 24],
    ['0x1903e8', 1000],
    ['0x1a000f4240', 1000000],
    ['0x1b000000e8d4a51000', 1000000000000],
    ['0x1bffffffffffffffff', 18446744073709551615n],
    ['0xc249010000000000000000', 18446744073709551616n],
    ['0x3bffffffffffffffff', -18446744073709551616n],
    ['0xc349010000000000000000', -18446744073709551617n],
    ['0x20', -1],
    ['0x3863', -100],
    ['0x3903e7', -1000],
    ['0xf4', false],
    ['0xf5', true],
    ['0xf6', null],
    ['0xf93c00', 1],
    ['0xf97bff', 65504],
    ['0xfa47c35000', 100000],
    ['0xfb3ff199999999999a', 1.1],
    ['0x40', '0x'],
    ['0x4401020304', '0x01020304'],
    ['0x60', ''],
    ['0x6449455446', 'IETF'],
    ['0x62c3bc', '\u00fc'],
    ['0x80', []],
    ['0x83010203', [1, 2, 3]],
    ['0x8301820203820405', [1, [2, 3], [4, 5]]],
    ['0x9f018202039f0405ffff', [1, [2, 3], [4, 5]]],
    ['0xa201020304', { 1: 2, 3: 4 }],
    ['0xa26161016162820203', { a: 1, b: [2, 3] }],
    ['0xbf6346756ef563416d7421ff', { Fun: true, Amt: -2 }],
    ['0x5f42010243030405ff', '0x0102030405'],
    ['0x7f657374726561646d696e67ff', 'streaming'],
  ]
  for (const [hex, expected] of vectors) {
    test(`${hex} -> ${typeof expected === 'bigint' ? `${expected}n` : JSON.stringify(expected)}`, () => {
      assert.deepEqual(decodeCbor(hex), expected)
    })
  }

  test('accepts bytes as well as hex', () => {
    assert.deepEqual(decodeCbor(Uint8Array.from([0x83, 1, 2, 3])), [1, 2, 3])
  })

  const bad: Array<[string, RegExp]> = [
    ['0x1a0001', /ends early/],
    ['0x0000', /trailing bytes/],
    ['0x830102', /ends early/],
    ['0xff', /starts with a break/],
    ['0x1c', /additional info 28/],
    ['0x5affffffff', /exceeds the input/],
    ['0xbf6161ff', /has no value/],
    ['0xc201', /bignum tag must wrap a byte string/],
    ['0x5f01ff', /bad chunk/],
    ['0x0g', /0x-prefixed hex/],
  ]
  for (const [hex, message] of bad) {
    test(`rejects ${hex}`, () => {
      assert.throws(
        () => decodeCbor(hex),
        (err: unknown) => err instanceof CborError && message.test(err.message),
      )
    })
  }
})

describe('decodeRequestParams', () => {
  // What ChainlinkClient writes for req._add("feed", "ETH/USD"); req._addInt("times", 1e8):
  // the map's entries without the map header and break ("diet" CBOR).
  const diet =
    '0x' +
    '64' +
    Buffer.from('feed').toString('hex') +
    '67' +
    Buffer.from('ETH/USD').toString('hex') +
    '65' +
    Buffer.from('times').toString('hex') +
    '1a05f5e100'

  test('decodes the map entries ChainlinkClient writes', () => {
    assert.deepEqual(decodeRequestParams(diet), { feed: 'ETH/USD', times: 100000000 })
  })

  test('accepts data that carries its own map header', () => {
    assert.deepEqual(decodeRequestParams('0xa16161f5'), { a: true })
    assert.deepEqual(decodeRequestParams(`0xbf${diet.slice(2)}ff`), { feed: 'ETH/USD', times: 100000000 })
  })

  test('decodes CBORChainlink bignums, negative ints, bytes and string arrays', () => {
    const big = 'c25820' + (2n ** 200n).toString(16).padStart(64, '0')
    const data =
      '0x' +
      '61' +
      '61' +
      big +
      '61' +
      '62' +
      '3863' +
      '61' +
      '63' +
      '4401020304' +
      '61' +
      '64' +
      '9f' +
      '6178' +
      '6179' +
      'ff'
    assert.deepEqual(decodeRequestParams(data), { a: 2n ** 200n, b: -100, c: '0x01020304', d: ['x', 'y'] })
  })

  test('empty data is no parameters', () => {
    assert.deepEqual(decodeRequestParams('0x'), {})
  })

  test('rejects a key without a value', () => {
    assert.throws(() => decodeRequestParams('0x6161'), CborError)
  })
})
