import { aggregate } from '../../inbound/aggregate'
import type { FeedValue } from '../../inbound/feed-record'
import type { SourceValue } from '../../inbound/feed-store'
import type { OperatorSources } from './sources'

export interface FeedView {
  feed: string
  /** Median of the fresh sources (as the adapter answers by default); of all sources when none is fresh */
  value: FeedValue
  /** At least one source is within feeds.maxAgeSeconds */
  fresh: boolean
  /** Seconds since the newest source's timestamp */
  ageSeconds: number
  maxAgeSeconds: number
  asOf: string
  sources: Array<{ source: string; value: FeedValue; timestamp: string; ageSeconds: number; fresh: boolean }>
  /** Recent medians, oldest first: [epoch ms, value] */
  history: Array<[number, number]>
}

export interface FeedPage {
  total: number
  offset: number
  limit: number
  feeds: FeedView[]
}

export const feedView = (sources: OperatorSources, feed: string, now = Date.now()): FeedView | undefined => {
  const byName = sources.feeds.store.get(feed)
  if (!byName || byName.size === 0) return undefined
  const maxAgeSeconds = sources.config.feeds.maxAgeSeconds
  const oldestAllowed = now - maxAgeSeconds * 1000
  const all: SourceValue[] = []
  const fresh: SourceValue[] = []
  const list: FeedView['sources'] = []
  let newest = -Infinity
  byName.forEach((s, source) => {
    all.push(s)
    const isFresh = s.timestamp >= oldestAllowed
    if (isFresh) fresh.push(s)
    newest = Math.max(newest, s.timestamp)
    list.push({
      source,
      value: s.value,
      timestamp: new Date(s.timestamp).toISOString(),
      ageSeconds: (now - s.timestamp) / 1000,
      fresh: isFresh,
    })
  })
  list.sort((a, b) => a.source.localeCompare(b.source))
  return {
    feed,
    value: aggregate(fresh.length > 0 ? fresh : all, 'median'),
    fresh: fresh.length > 0,
    ageSeconds: (now - newest) / 1000,
    maxAgeSeconds,
    asOf: new Date(newest).toISOString(),
    sources: list,
    history: sources.feeds.history.points(feed),
  }
}

/** Feed ids in order, sorted again only when feeds come or go: 10,000 feeds cost no sort per page view. */
export const createFeedLister = (sources: OperatorSources) => {
  let cached: { ids: string[]; generation: number } | undefined
  const ids = (): string[] => {
    const store = sources.feeds.store
    if (cached?.generation !== store.generation) {
      const list: string[] = []
      for (const [feed] of store.feeds()) list.push(feed)
      list.sort()
      cached = { ids: list, generation: store.generation }
    }
    return cached.ids
  }
  return (query: { q?: string; offset: number; limit: number }, now = Date.now()): FeedPage => {
    const needle = query.q?.toLowerCase()
    const matching = needle ? ids().filter((id) => id.toLowerCase().includes(needle)) : ids()
    const feeds: FeedView[] = []
    for (const id of matching.slice(query.offset, query.offset + query.limit)) {
      // Removed since the list was made: left out, the next listing drops it.
      const view = feedView(sources, id, now)
      if (view) feeds.push(view)
    }
    return { total: matching.length, offset: query.offset, limit: query.limit, feeds }
  }
}
