import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createAttacher } from '../../src/outbound/attach'
import type { DecodedEvent } from '../../src/outbound/decode'

const cache = '0x00000000000000000000000000000000000000Aa'
const tx = `0x${'ab'.repeat(32)}`
const update = (dataId: string, roundId: string): DecodedEvent => ({
  event: 'DecimalReportUpdated',
  kind: 'data-feeds-cache',
  address: cache,
  key: `1:${cache}:${dataId}`,
  dataId,
  roundId,
  args: { dataId, roundId, timestamp: '9', answer: '5' },
})
const follower = (event: 'NewRound' | 'AnswerUpdated', roundId: string, address = cache): DecodedEvent => ({
  event,
  kind: 'data-feeds-cache',
  address,
  key: `1:${tx}:x`,
  roundId,
  args: { roundId },
})

describe('attaching followers by adjacency', () => {
  test('NewRound and AnswerUpdated right after a DecimalReportUpdated of their round are folded into it', () => {
    const attacher = createAttacher()
    const [a, b] = [update('0x01', '1'), update('0x02', '1')]
    const logs = [
      a,
      follower('NewRound', '1'),
      follower('AnswerUpdated', '1'),
      b,
      follower('NewRound', '1'),
      follower('AnswerUpdated', '1'),
    ]
    const published = logs.filter((event, logIndex) => !attacher.attach(event, { transactionHash: tx, logIndex }))
    assert.deepEqual(published, [a, b])
    assert.deepEqual(
      a.attached?.map((x) => [x.event, x.logIndex]),
      [
        ['NewRound', 1],
        ['AnswerUpdated', 2],
      ],
    )
    assert.deepEqual(
      b.attached?.map((x) => [x.event, x.logIndex]),
      [
        ['NewRound', 4],
        ['AnswerUpdated', 5],
      ],
    )
  })

  test('what is not adjacent, of another round, of another contract or out of order stays on its own', () => {
    const cases: Array<[string, DecodedEvent, { transactionHash: string; logIndex: number }]> = [
      ['a gap in log indexes', follower('NewRound', '1'), { transactionHash: tx, logIndex: 2 }],
      ['another transaction', follower('NewRound', '1'), { transactionHash: `0x${'cd'.repeat(32)}`, logIndex: 1 }],
      ['another round', follower('NewRound', '2'), { transactionHash: tx, logIndex: 1 }],
      ['another contract', follower('NewRound', '1', `0x${'00'.repeat(19)}bb`), { transactionHash: tx, logIndex: 1 }],
      ['AnswerUpdated before NewRound', follower('AnswerUpdated', '1'), { transactionHash: tx, logIndex: 1 }],
    ]
    for (const [why, event, log] of cases) {
      const attacher = createAttacher()
      const head = update('0x01', '1')
      assert.equal(attacher.attach(head, { transactionHash: tx, logIndex: 0 }), false)
      assert.equal(attacher.attach(event, log), false, why)
      assert.equal(head.attached, undefined, why)
    }
  })
})
