import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createProgress } from '../../src/outbound/progress'

test('backfill progress is logged with a percentage and rates, then once when caught up; head following is silent', () => {
  let clock = 0
  const lines: string[] = []
  const progress = createProgress(
    'main',
    999,
    (line) => lines.push(line),
    () => clock,
  )
  clock = 1000
  progress.advanced(1999, 11_000, 5000)
  assert.deepEqual(lines, [], 'nothing before the first interval')
  clock = 5000
  progress.advanced(5999, 11_000, 15_000)
  assert.deepEqual(lines, ['main: backfill 50.0% (block 5999 of 11000), 4000 events/s, 1000 blocks/s'])
  clock = 8000
  progress.advanced(11_000, 11_000, 10_000)
  assert.equal(lines[1], 'main: caught up at block 11000 (10001 blocks, 30000 events in 8.0 s); following new heads')
  clock = 9000
  progress.advanced(11_002, 11_002, 3)
  clock = 20_000
  progress.advanced(11_004, 11_004, 3)
  assert.equal(lines.length, 2)
})
