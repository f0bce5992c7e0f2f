import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createCatchUp } from '../../src/kafka/catch-up'

describe('createCatchUp', () => {
  test('counts the records still to read per topic until every partition reached its start high-water mark', () => {
    const catchUp = createCatchUp([
      { topic: 'feeds', partition: 0, low: 0, high: 100 },
      { topic: 'feeds', partition: 1, low: 40, high: 50 },
      { topic: 'more', partition: 0, low: 0, high: 5 },
    ])
    assert.equal(catchUp.reason(), 'catching up: 110 records behind on feeds, 5 records behind on more')
    catchUp.progress('feeds', 0, 60)
    catchUp.progress('feeds', 0, 30)
    assert.equal(catchUp.reason(), 'catching up: 50 records behind on feeds, 5 records behind on more')
    catchUp.progress('feeds', 1, 50)
    catchUp.progress('more', 0, 5)
    assert.equal(catchUp.done, false)
    catchUp.progress('feeds', 0, 100)
    assert.equal(catchUp.done, true)
    assert.equal(catchUp.reason(), undefined)
  })

  test('empty partitions (high == low) and no partitions at all are done at once', () => {
    assert.equal(createCatchUp([{ topic: 't', partition: 0, low: 7, high: 7 }]).done, true)
    assert.equal(createCatchUp([]).reason(), undefined)
  })

  test('stays done when later records arrive, and ignores partitions it was not waiting for', () => {
    const catchUp = createCatchUp([{ topic: 't', partition: 0, low: 0, high: 1 }])
    catchUp.progress('t', 3, 1000)
    assert.equal(catchUp.done, false)
    catchUp.progress('t', 0, 2)
    catchUp.progress('t', 0, 1)
    assert.equal(catchUp.done, true)
  })
})
