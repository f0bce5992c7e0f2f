import type { Kafka } from 'kafkajs'
import type { Config } from '../../config/schema'
import type { FeedHistory } from '../../inbound/feed-history'
import type { FeedStore } from '../../inbound/feed-store'
import type { RequestsView } from '../../requests/view'
import type { StatusBoard } from '../../status/snapshot'
import type { ReadinessReport } from '../readiness'

/**
 * What the operator API reads: the parts' own read-only views, never copies of
 * their state. Everything is read when a request asks, so a closed page costs
 * the bridge nothing.
 */
export interface OperatorSources {
  config: Config
  kafka: Kafka
  feeds: { store: FeedStore; history: FeedHistory }
  requests(): RequestsView
  /** The status model /status serves: chains and the sections of parts that run (streaming, ...) */
  status: StatusBoard
  readiness(): ReadinessReport
  /** Epoch ms this Bifrost started */
  startedAt: number
}
