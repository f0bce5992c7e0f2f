import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatPosition, parsePosition } from '../../src/kafka/position'

test('a position is written partition:offset in partition order and reads back the same', () => {
  const text = formatPosition(
    new Map([
      [2, 7],
      [0, 1234],
      [1, 98],
    ]),
  )
  assert.equal(text, '0:1234,1:98,2:7')
  const parsed = parsePosition(text)
  assert.ok(parsed.ok)
  assert.deepEqual(
    [...parsed.position],
    [
      [0, 1234],
      [1, 98],
      [2, 7],
    ],
  )
})

test('a malformed position is refused with the reason, never thrown', () => {
  for (const [text, reason] of [
    ['', /empty/],
    ['0:1,x', /"x" is not partition:offset/],
    ['0:-1', /not partition:offset/],
    ['0:1,0:2', /partition 0 appears twice/],
    ['0:99999999999999999', /too large|not partition:offset/],
  ] as const) {
    const parsed = parsePosition(text)
    assert.equal(parsed.ok, false, text)
    if (!parsed.ok) assert.match(parsed.reason, reason)
  }
})
