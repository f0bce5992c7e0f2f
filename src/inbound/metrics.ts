import { deadLettersDroppedCounter } from '../metrics/dead-letters'
import { counter, gauge } from '../metrics/registry'
import { newestTimestamp, type FeedStore } from './feed-store'

// Stores whose feeds are reported at scrape time; a Set because tests and
// benchmarks may run more than one ingest in a process.
const stores = new Set<FeedStore>()

/** The feed ingest's Prometheus metrics, on the registry the framework serves at /metrics. */
export const feedMetrics = () => ({
  consumed: counter({
    name: 'bifrost_feeds_records_consumed_total',
    formerly: 'bifrost_feed_records_consumed_total',
    help: 'Feed records read from Kafka, valid or not',
    labelNames: ['topic'] as const,
  }),
  deadLettered: counter({
    name: 'bifrost_feeds_records_dead_lettered_total',
    formerly: 'bifrost_feed_records_dead_lettered_total',
    help: 'Malformed feed records published to the dead-letter topic',
    labelNames: ['topic', 'reason'] as const,
  }),
  deadLetterFailures: counter({
    name: 'bifrost_feeds_dead_letter_failures_total',
    formerly: 'bifrost_feed_dead_letter_failures_total',
    help: 'Failed attempts to publish to the dead-letter topic (consumption waits and retries, unless the topic refuses for good)',
  }),
  deadLettersDropped: deadLettersDroppedCounter('feeds', [], 'bifrost_feed_dead_letters_dropped_total'),
  lag: gauge({
    name: 'bifrost_feeds_consumer_lag',
    formerly: 'bifrost_feed_consumer_lag',
    help: 'Records between the last one processed and the high-water mark, per partition',
    labelNames: ['topic', 'partition'] as const,
  }),
  age: gauge({
    name: 'bifrost_feeds_age_seconds',
    formerly: 'bifrost_feed_age_seconds',
    help: 'Age of the newest value of each feed (any source), at scrape time',
    labelNames: ['feed'] as const,
    collect() {
      this.reset()
      const now = Date.now()
      for (const store of stores) {
        for (const [feed, sources] of store.feeds()) this.set({ feed }, (now - newestTimestamp(sources)) / 1000)
      }
    },
  }),
})

/** Reports the feeds of `store` in `bifrost_feeds_age_seconds` until the returned function is called. */
export const reportFeedAges = (store: FeedStore): (() => void) => {
  stores.add(store)
  return () => {
    stores.delete(store)
  }
}
