import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createFeedStore } from '../../src/inbound/feed-store'

describe('createFeedStore', () => {
  test('keeps the latest value per (feed, source), in arrival order', () => {
    const store = createFeedStore()
    store.apply({ feed: 'ETH/USD', source: 'a', value: 1, timestamp: 10 })
    store.apply({ feed: 'ETH/USD', source: 'b', value: 2, timestamp: 11 })
    store.apply({ feed: 'ETH/USD', source: 'a', value: 3, timestamp: 9 })
    const sources = store.get('ETH/USD')!
    assert.deepEqual([...sources.keys()].sort(), ['a', 'b'])
    assert.equal(sources.get('a')!.value, 3, 'the log order decides, not the timestamp')
    assert.equal(sources.get('b')!.value, 2)
    assert.ok(sources.get('a')!.seq > sources.get('b')!.seq)
  })

  test('feed ids are case-sensitive', () => {
    const store = createFeedStore()
    store.apply({ feed: 'ETH/USD', source: 'a', value: 1, timestamp: 1 })
    store.apply({ feed: 'eth/usd', source: 'a', value: 2, timestamp: 1 })
    assert.equal(store.size, 2)
    assert.equal(store.get('ETH/USD')!.get('a')!.value, 1)
    assert.equal(store.get('eth/usd')!.get('a')!.value, 2)
    assert.equal(store.get('Eth/Usd'), undefined)
  })

  test('remove forgets every source of a feed and nothing else', () => {
    const store = createFeedStore()
    store.apply({ feed: 'A', source: 'x', value: 1, timestamp: 1 })
    store.apply({ feed: 'A', source: 'y', value: 1, timestamp: 1 })
    store.apply({ feed: 'B', source: 'x', value: 1, timestamp: 1 })
    store.remove('A')
    assert.equal(store.get('A'), undefined)
    assert.deepEqual(
      [...store.feeds()].map(([feed]) => feed),
      ['B'],
    )
    store.apply({ feed: 'A', source: 'x', value: 5, timestamp: 2 })
    assert.equal(store.get('A')!.size, 1, 'a feed published again after a tombstone starts afresh')
  })
  test('tells its listeners which feed every apply and remove touched, until they unsubscribe', () => {
    const store = createFeedStore()
    const seen: string[] = []
    const unsubscribe = store.onChange((feed) => seen.push(feed))
    store.apply({ feed: 'A', source: 'x', value: 1, timestamp: 1 })
    store.apply({ feed: 'A', source: 'x', value: 2, timestamp: 2 })
    store.apply({ feed: 'B', source: 'x', value: 1, timestamp: 1 })
    store.remove('A')
    unsubscribe()
    store.apply({ feed: 'C', source: 'x', value: 1, timestamp: 1 })
    assert.deepEqual(seen, ['A', 'A', 'B', 'A'])
  })
})

test('the generation changes when a feed comes or goes, not when a value changes', () => {
  const store = createFeedStore()
  const start = store.generation
  store.apply({ feed: 'A', source: 's', value: 1, timestamp: 1 })
  const added = store.generation
  assert.notEqual(added, start)
  store.apply({ feed: 'A', source: 's', value: 2, timestamp: 2 })
  store.apply({ feed: 'A', source: 't', value: 2, timestamp: 2 })
  assert.equal(store.generation, added)
  store.remove('A')
  assert.notEqual(store.generation, added)
  const removed = store.generation
  store.remove('A')
  assert.equal(store.generation, removed)
})
