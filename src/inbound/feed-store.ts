import type { FeedUpdate, FeedValue } from './feed-record'

export interface SourceValue {
  value: FeedValue
  /** Epoch ms the value was valid at */
  timestamp: number
  /** Order of arrival across the whole store, so "latest" can break timestamp ties */
  seq: number
}

/** The latest value of every (feed, source), in the order the log delivered them. */
export interface FeedStore {
  apply(update: FeedUpdate): void
  /** Forget a feed and all its sources (a tombstone for its key) */
  remove(feed: string): void
  /** Sources of a feed by name; undefined when the feed was never seen (or was removed) */
  get(feed: string): ReadonlyMap<string, SourceValue> | undefined
  feeds(): IterableIterator<[string, ReadonlyMap<string, SourceValue>]>
  readonly size: number
  /** Changes whenever a feed is added or removed (not on value updates): lists of feed ids are rebuilt only then */
  readonly generation: number
  /** Calls `listener` with the feed id after every apply or remove, until the returned function is called */
  onChange(listener: (feed: string) => void): () => void
}

/** Epoch ms of a feed's newest value, whichever source it came from. */
export const newestTimestamp = (sources: ReadonlyMap<string, SourceValue>): number => {
  let newest = -Infinity
  for (const s of sources.values()) newest = Math.max(newest, s.timestamp)
  return newest
}

export const createFeedStore = (): FeedStore => {
  const feeds = new Map<string, Map<string, SourceValue>>()
  const listeners = new Set<(feed: string) => void>()
  let seq = 0
  let generation = 0
  const changed = (feed: string) => {
    for (const listener of listeners) listener(feed)
  }
  return {
    apply: ({ feed, source, value, timestamp }) => {
      let sources = feeds.get(feed)
      if (!sources) {
        feeds.set(feed, (sources = new Map()))
        generation++
      }
      const current = sources.get(source)
      if (!current) {
        sources.set(source, { value, timestamp, seq: ++seq })
        changed(feed)
        return
      }
      // Updated in place: a re-read applies hundreds of thousands of records, and
      // readers copy what they use before yielding, so no one sees a half-update.
      current.value = value
      current.timestamp = timestamp
      current.seq = ++seq
      changed(feed)
    },
    remove: (feed) => {
      if (feeds.delete(feed)) generation++
      changed(feed)
    },
    get: (feed) => feeds.get(feed),
    feeds: () => feeds.entries(),
    get size() {
      return feeds.size
    },
    get generation() {
      return generation
    },
    onChange: (listener) => {
      // Wrapped, so one function added twice is two listeners and each removal removes one.
      const entry = (feed: string) => listener(feed)
      listeners.add(entry)
      return () => {
        listeners.delete(entry)
      }
    },
  }
}
