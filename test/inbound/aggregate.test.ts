import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { aggregate } from '../../src/inbound/aggregate'
import { compareDecimals, divideDecimal, formatDecimal, sumDecimals, toDecimal } from '../../src/inbound/decimal'
import type { FeedValue } from '../../src/inbound/feed-record'

const samples = (...values: FeedValue[]) => values.map((value, i) => ({ value, timestamp: 1000 + i, seq: i + 1 }))

describe('decimal', () => {
  test('parses numbers through their shortest text, exponents included', () => {
    assert.deepEqual(toDecimal(1.5), { units: 15n, scale: 1 })
    assert.deepEqual(toDecimal(1e21), { units: 10n ** 21n, scale: 0 })
    assert.deepEqual(toDecimal(1.5e-7), { units: 15n, scale: 8 })
    assert.deepEqual(toDecimal('-0.050'), { units: -50n, scale: 3 })
    assert.throws(() => toDecimal('abc'), RangeError)
  })

  test('compares, sums and formats across scales', () => {
    assert.equal(compareDecimals(toDecimal('1.10'), toDecimal('1.1')), 0)
    assert.equal(compareDecimals(toDecimal('-2'), toDecimal('1.5')), -1)
    assert.equal(formatDecimal(sumDecimals([toDecimal('0.1'), toDecimal('0.2')])), '0.3')
    assert.equal(formatDecimal(toDecimal('-0.0500')), '-0.05')
    assert.equal(formatDecimal(toDecimal('100')), '100')
    assert.equal(formatDecimal({ units: 5n, scale: 3 }), '0.005')
  })

  test('divides rounding half to even', () => {
    assert.equal(formatDecimal(divideDecimal(toDecimal('1'), 3n, 3)), '0.333')
    assert.equal(formatDecimal(divideDecimal(toDecimal('2'), 3n, 3)), '0.667')
    assert.equal(formatDecimal(divideDecimal(toDecimal('0.125'), 1n, 2)), '0.12')
    assert.equal(formatDecimal(divideDecimal(toDecimal('0.135'), 1n, 2)), '0.14')
    assert.equal(formatDecimal(divideDecimal(toDecimal('-0.135'), 1n, 2)), '-0.14')
    assert.equal(formatDecimal(divideDecimal(toDecimal('-7'), 2n, 0)), '-4')
  })
})

describe('aggregate', () => {
  test('median of an odd count is the middle input, by value not by order', () => {
    assert.equal(aggregate(samples(3, 1, 2), 'median'), 2)
    assert.equal(aggregate(samples('10', '9', '11'), 'median'), '10', 'decimal strings compare as numbers')
  })

  test('median of an even count is the exact mean of the middle two', () => {
    assert.equal(aggregate(samples(4, 1, 3, 2), 'median'), 2.5)
    assert.equal(aggregate(samples(0.1, 0.2), 'median'), 0.15, 'no float noise (0.15000000000000002)')
  })

  test('big integers as decimal strings survive exactly', () => {
    const a = '115792089237316195423570985008687907853269984665640564039457584007913129639935'
    const b = '115792089237316195423570985008687907853269984665640564039457584007913129639933'
    const c = '115792089237316195423570985008687907853269984665640564039457584007913129639931'
    assert.equal(aggregate(samples(a, b, c), 'median'), b)
    assert.equal(aggregate(samples(a, c), 'median'), b)
    assert.equal(aggregate(samples(a, b, c), 'mean'), b)
    assert.equal(aggregate(samples(a, c, b), 'latest'), b)
  })

  test('an odd median keeps the spelling of the chosen string', () => {
    assert.equal(aggregate(samples('1.50', '1.2', '2'), 'median'), '1.50')
  })

  test('mean keeps 18 more digits than its inputs, rounded half to even', () => {
    assert.equal(aggregate(samples(1, 2), 'mean'), 1.5)
    assert.equal(aggregate(samples('1', '1', '2'), 'mean'), '1.333333333333333333')
    assert.equal(aggregate(samples('0.01', '0.02', '0.02'), 'mean'), '0.01666666666666666667')
  })

  test('mixed numbers and strings give a string', () => {
    assert.equal(aggregate(samples(1, '3'), 'median'), '2')
    assert.equal(aggregate(samples(1, '3', 2), 'median'), '2')
    assert.equal(aggregate(samples(1e21, '1'), 'latest'), '1')
    assert.equal(aggregate(samples('1', 1e21), 'latest'), '1000000000000000000000')
  })

  test('latest is the newest timestamp; a tie goes to the one that arrived last', () => {
    const values = [
      { value: 1, timestamp: 50, seq: 1 },
      { value: 2, timestamp: 70, seq: 2 },
      { value: 3, timestamp: 60, seq: 3 },
    ]
    assert.equal(aggregate(values, 'latest'), 2)
    assert.equal(aggregate([...values, { value: 4, timestamp: 70, seq: 4 }], 'latest'), 4)
    assert.equal(aggregate([{ value: 5, timestamp: 70, seq: 9 }, ...values], 'latest'), 5)
  })

  test('negative values and a single source', () => {
    assert.equal(aggregate(samples(-37.63, 5, -1), 'median'), -1)
    assert.equal(aggregate(samples('-5'), 'mean'), '-5')
    assert.throws(() => aggregate([], 'median'), RangeError)
  })
})
