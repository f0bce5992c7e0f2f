import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createFeedHistory, HISTORY_POINTS, HISTORY_SPACING_MS } from '../../src/inbound/feed-history'
import type { SourceValue } from '../../src/inbound/feed-store'

const sources = (...values: Array<number | string>): Map<string, SourceValue> =>
  new Map(values.map((value, i) => [`s${i}`, { value, timestamp: 0, seq: i }]))

test('a feed keeps the median of its sources, at most one point per spacing, the newest points only', () => {
  const history = createFeedHistory()
  history.record('ETH/USD', 0, sources(1, 5, 3))
  history.record('ETH/USD', HISTORY_SPACING_MS - 1, sources(100))
  assert.deepEqual(history.points('ETH/USD'), [[0, 3]])
  for (let i = 1; i <= HISTORY_POINTS + 5; i++) history.record('ETH/USD', i * HISTORY_SPACING_MS, sources(i, '1.5'))
  const points = history.points('ETH/USD')
  assert.equal(points.length, HISTORY_POINTS)
  assert.deepEqual(points.at(-1), [(HISTORY_POINTS + 5) * HISTORY_SPACING_MS, (HISTORY_POINTS + 5 + 1.5) / 2])
  assert.ok(points.every(([t], i) => i === 0 || t > points[i - 1][0]))
})

test('a removed feed forgets its history', () => {
  const history = createFeedHistory()
  history.record('X', 0, sources(1))
  history.remove('X')
  assert.deepEqual(history.points('X'), [])
})
