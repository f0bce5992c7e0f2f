import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createLedger, eventId, retractionOf, type LedgerEntry } from '../../src/outbound/ledger'
import { EVENT_HEADERS } from '../../src/outbound/message'

const entry = (
  blockNumber: number,
  blockHash: string,
  logIndex: number,
  partition: number,
  offset: number,
): LedgerEntry => ({
  id: eventId(blockHash, logIndex),
  blockNumber,
  blockHash,
  logIndex,
  partition,
  offset,
  message: {
    key: `1:${blockHash}:${logIndex}`,
    value: Buffer.from(JSON.stringify({ status: 'confirmed', blockNumber, blockHash, logIndex, args: { a: '1' } })),
    headers: { [EVENT_HEADERS.status]: 'confirmed', [EVENT_HEADERS.event]: 'Foo' },
  },
})

describe('ledger of published events', () => {
  test('tracks events by block (two hashes of one height side by side), forgets final blocks', () => {
    const ledger = createLedger()
    ledger.add(entry(10, '0xaa', 0, 0, 5))
    ledger.add(entry(10, '0xaa', 1, 1, 7))
    ledger.add(entry(10, '0xbb', 0, 1, 9))
    ledger.add(entry(12, '0xcc', 0, 0, 11))
    assert.deepEqual(
      [...ledger.blocks()].map((b) => [b.number, b.hash, b.entries.size]),
      [
        [10, '0xaa', 2],
        [10, '0xbb', 1],
        [12, '0xcc', 1],
      ],
    )
    assert.deepEqual(
      [...ledger.lowestOffsets()],
      [
        [0, 5],
        [1, 7],
      ],
    )
    ledger.remove(eventId('0xaa', 1))
    ledger.remove(eventId('0xaa', 0))
    assert.deepEqual(
      [...ledger.blocks()].map((b) => b.hash),
      ['0xbb', '0xcc'],
    )
    ledger.pruneBelow(11)
    assert.equal(ledger.has(eventId('0xbb', 0)), false)
    assert.deepEqual([...ledger.lowestOffsets()], [[0, 11]])
    assert.equal(ledger.size, 1)
  })

  test('a retraction is the confirmed message with another status, same key', () => {
    const { message } = entry(10, '0xaa', 3, 0, 0)
    const retraction = retractionOf(message)
    assert.equal(retraction.key, message.key)
    assert.equal(retraction.headers[EVENT_HEADERS.status], 'retracted')
    assert.equal(retraction.headers[EVENT_HEADERS.event], 'Foo')
    assert.deepEqual(JSON.parse(retraction.value.toString()), {
      ...JSON.parse(message.value.toString()),
      status: 'retracted',
    })
  })
})
