import { aggregate } from './aggregate'
import type { SourceValue } from './feed-store'

/** Points kept per feed: about a minute at the default spacing, ~0.5 KB a feed (5 MB for 10,000 feeds). */
export const HISTORY_POINTS = 30
/** Least time between two points of one feed, by record time: a busy feed costs one median a second at most. */
export const HISTORY_SPACING_MS = 2000

/** Recent medians of each feed, for the status page's sparklines. */
export interface FeedHistory {
  /** After an update of `feed`: records the median of its sources when the last point is old enough */
  record(feed: string, timestamp: number, sources: ReadonlyMap<string, SourceValue>): void
  remove(feed: string): void
  /** Oldest first: [epoch ms, value] */
  points(feed: string): Array<[number, number]>
}

interface Ring {
  times: Float64Array
  values: Float64Array
  next: number
  count: number
}

export const createFeedHistory = (): FeedHistory => {
  const rings = new Map<string, Ring>()
  return {
    record: (feed, timestamp, sources) => {
      let ring = rings.get(feed)
      if (!ring) {
        ring = { times: new Float64Array(HISTORY_POINTS), values: new Float64Array(HISTORY_POINTS), next: 0, count: 0 }
        rings.set(feed, ring)
      }
      const last = ring.count === 0 ? -Infinity : ring.times[(ring.next + HISTORY_POINTS - 1) % HISTORY_POINTS]
      if (timestamp - last < HISTORY_SPACING_MS) return
      const value = Number(aggregate([...sources.values()], 'median'))
      // A decimal string beyond a double's range has no place on a sparkline.
      if (!Number.isFinite(value)) return
      ring.times[ring.next] = timestamp
      ring.values[ring.next] = value
      ring.next = (ring.next + 1) % HISTORY_POINTS
      ring.count = Math.min(ring.count + 1, HISTORY_POINTS)
    },
    remove: (feed) => {
      rings.delete(feed)
    },
    points: (feed) => {
      const ring = rings.get(feed)
      if (!ring) return []
      const out: Array<[number, number]> = []
      for (let i = ring.count; i > 0; i--) {
        const at = (ring.next + HISTORY_POINTS - i) % HISTORY_POINTS
        out.push([ring.times[at], ring.values[at]])
      }
      return out
    },
  }
}
