import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  AbiCoder,
  EventFragment,
  getAddress,
  hexlify,
  Indexed,
  Interface,
  ParamType,
  toBeHex,
  zeroPadValue,
} from 'ethers'
import { AbiDecodeError, compileEventDecoder } from '../../src/outbound/event-decoder'
import type { Json } from '../../src/json'

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const FRAGMENTS = [
  'event Ints(uint8 a, uint64 b, uint256 c, int8 d, int24 e, int192 f, int256 g, uint256 indexed h, int16 indexed i)',
  'event Basics(address indexed who, address other, bool yes, bool indexed no, bytes1 one, bytes4 four, bytes32 indexed full)',
  'event Dynamic(bytes data, string text, string indexed tag, bytes indexed blob, uint256 after)',
  'event Arrays(uint256[] xs, int192[3] fixed, address[] whos, bytes[] blobs, string[2] pair, uint8[][] nested, uint256[] indexed hashed)',
  'event Tuples((uint256 a, bytes b, (int8 c, string d)[] inner) t, (bool x, address y)[2] pairs, (uint16, bytes)[] unnamed, (uint256 k) indexed s, uint256[2] indexed fixedHashed)',
  'event Empty()',
]

const randomValue = (type: ParamType, rand: () => number): unknown => {
  const bytes = (n: number) => hexlify(Uint8Array.from({ length: n }, () => Math.floor(rand() * 256)))
  if (type.isArray()) {
    const length = type.arrayLength >= 0 ? type.arrayLength : Math.floor(rand() * 4)
    return Array.from({ length }, () => randomValue(type.arrayChildren, rand))
  }
  if (type.isTuple()) return type.components.map((c) => randomValue(c, rand))
  const int = /^(u?)int(\d+)$/.exec(type.type)
  if (int) {
    const bits = BigInt(int[2])
    // edges as often as random values
    const pick = rand()
    const max = int[1] ? (1n << bits) - 1n : (1n << (bits - 1n)) - 1n
    const min = int[1] ? 0n : -(1n << (bits - 1n))
    if (pick < 0.2) return max
    if (pick < 0.4) return min
    if (pick < 0.5) return 0n
    const raw = BigInt(bytes(Number(bits) / 8))
    return int[1] ? raw : raw - (1n << (bits - 1n))
  }
  if (type.type === 'address') return getAddress(bytes(20))
  if (type.type === 'bool') return rand() < 0.5
  if (type.type === 'bytes') return bytes(Math.floor(rand() * 70))
  if (type.type === 'string')
    return ['', 'ETH/USD', 'grüße 🌉', 'x'.repeat(Math.floor(rand() * 80))][Math.floor(rand() * 4)]
  return bytes(Number(type.type.slice(5)))
}

/** The reference: ethers' own decoding, turned into the JSON the contract promises. */
const reference = (type: ParamType, value: unknown): Json => {
  if (value instanceof Indexed) return value.hash as string
  if (type.isArray()) return (value as unknown[]).map((v) => reference(type.arrayChildren, v))
  if (type.isTuple()) {
    const out: Record<string, Json> = {}
    type.components.forEach((c, i) => (out[c.name || String(i)] = reference(c, (value as unknown[])[i])))
    return out
  }
  if (typeof value === 'bigint') return value.toString()
  return value as Json
}

const coder = AbiCoder.defaultAbiCoder()

describe('compileEventDecoder', () => {
  for (const text of FRAGMENTS) {
    const fragment = EventFragment.from(text)
    test(`decodes ${fragment.name} exactly as ethers does (200 random logs)`, () => {
      const iface = new Interface([fragment])
      const decode = compileEventDecoder(fragment)
      const rand = prng(text.length)
      for (let i = 0; i < 200; i++) {
        const values = fragment.inputs.map((input) => randomValue(input, rand))
        // ethers cannot encode indexed arrays and structs: their topic is a hash, any 32 bytes stand in for it
        const topics = [fragment.topicHash]
        fragment.inputs.forEach((input, j) => {
          if (!input.indexed) return
          const reference = input.type === 'string' || input.type === 'bytes' || input.isArray() || input.isTuple()
          topics.push(
            reference
              ? zeroPadValue(randomValue(ParamType.from('bytes32'), rand) as string, 32)
              : coder.encode([input], [values[j]]),
          )
        })
        const unindexed = fragment.inputs.filter((input) => !input.indexed)
        const log = {
          topics,
          data: coder.encode(
            unindexed,
            values.filter((_, j) => !fragment.inputs[j].indexed),
          ),
        }
        const expected: Record<string, Json> = {}
        const decoded = iface.decodeEventLog(fragment, log.data, log.topics)
        fragment.inputs.forEach((input, j) => (expected[input.name || String(j)] = reference(input, decoded[j])))
        assert.deepEqual(decode(log.topics, log.data), expected)
        // key order follows the fragment
        assert.deepEqual(Object.keys(decode(log.topics, log.data)), Object.keys(expected))
      }
    })
  }

  describe('refuses what Solidity would not have encoded', () => {
    const word = (n: bigint | number) => toBeHex(n, 32).slice(2)
    const decoderOf = (text: string) => compileEventDecoder(EventFragment.from(text))
    const topic0 = (text: string) => EventFragment.from(text).topicHash
    const cases: Array<[string, string, string[], string]> = [
      ['uint8 above 255', 'event A(uint8 a)', [], `0x${word(256)}`],
      ['int8 not sign-extended', 'event A(int8 a)', [], `0x${word(0x80)}`],
      ['address with dirty high bytes', 'event A(address a)', [], `0x01${word(1).slice(2)}`],
      ['bool of 2', 'event A(bool a)', [], `0x${word(2)}`],
      ['bytes4 with dirty padding', 'event A(bytes4 a)', [], `0x12345678${'0'.repeat(55)}1`],
      ['truncated data', 'event A(uint256 a, uint256 b)', [], `0x${word(1)}`],
      ['offset beyond the data', 'event A(bytes a)', [], `0x${word(4096)}`],
      ['length beyond the data', 'event A(bytes a)', [], `0x${word(32)}${word(100)}`],
      ['array length beyond the data', 'event A(uint256[] a)', [], `0x${word(32)}${word(2 ** 40)}`],
      ['not hex', 'event A(uint256 a)', [], `0x${'zz'.repeat(32)}`],
      ['invalid UTF-8', 'event A(string a)', [], `0x${word(32)}${word(1)}ff${'0'.repeat(62)}`],
      ['missing topic', 'event A(uint256 indexed a)', [], '0x'],
      ['uint8 topic above 255', 'event A(uint8 indexed a)', [zeroPadValue('0x0100', 32)], '0x'],
    ]
    for (const [what, text, topics, data] of cases) {
      test(what, () => {
        assert.throws(() => decoderOf(text)([topic0(text), ...topics], data), AbiDecodeError)
      })
    }
  })
})
