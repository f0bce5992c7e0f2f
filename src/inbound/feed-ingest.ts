import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs'
import { BifrostError } from '../errors'
import type { ReadinessCheck } from '../http/readiness'
import type { FeedsStatus } from '../status/snapshot'
import { createCatchUp, partitionTargets, type CatchUp, type PartitionTarget } from '../kafka/catch-up'
import { PartDiedError, type OnPartDied } from '../liveness'
import { disconnectSoon } from '../kafka/client'
import { consumerGroups } from '../kafka/group-ids'
import { createDeadLetterPublisher, type DeadLetter, type DeadLetterPublisher } from './dead-letter'
import { createFeedHistory, type FeedHistory } from './feed-history'
import { parseFeedRecord } from './feed-record'
import { createFeedStore, newestTimestamp, type FeedStore } from './feed-store'
import { feedMetrics, reportFeedAges } from './metrics'
import type { FeedSettings } from './settings'

const logger = makeLogger('FeedIngest')

export class FeedIngestError extends BifrostError {
  static override readonly code = 'BIFROST_FEED_INGEST_FAILED'
}

export interface FeedIngest {
  store: FeedStore
  /** Recent medians per feed, for the status page */
  history: FeedHistory
  /** Not ready until started and every partition has been re-read up to its high-water mark at start */
  readiness: ReadinessCheck
  /** For /status: caught up or not, and how many feeds are held and stale */
  status(): FeedsStatus
  /**
   * Connects and starts consuming; resolves without waiting for the re-read.
   * Call it after the adapter is initialized: the framework's logger, which
   * kafkajs logs into, only works from then on.
   */
  start(): Promise<void>
  stop(): Promise<void>
}

export interface FeedIngestOptions {
  kafka: Kafka
  settings: FeedSettings
  /** Prefix of the consumer group id (the Kafka client id) */
  clientId: string
  /** Where updates go; a benchmark passes a wrapped store to time them */
  store?: FeedStore
  /** The consumer stopped for good (see PartDiedError) */
  onDied?: OnPartDied
}

/** The high-water marks to reach before answering; a missing topic is a start-up error, not an endless retry. */
const readTargets = async (kafka: Kafka, topics: readonly string[]): Promise<PartitionTarget[]> => {
  const admin = kafka.admin()
  try {
    await admin.connect()
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((t) => !existing.has(t))
    if (missing.length > 0) {
      throw new FeedIngestError(`Feed topic ${missing.map((t) => `"${t}"`).join(', ')} does not exist (feeds.topics)`)
    }
    const targets: PartitionTarget[] = []
    for (const topic of topics) targets.push(...(await partitionTargets(kafka, topic)))
    return targets
  } catch (cause) {
    throw cause instanceof FeedIngestError
      ? cause
      : new FeedIngestError(`Cannot read the offsets of the feed topics: ${(cause as Error).message}`, { cause })
  } finally {
    await admin.disconnect()
  }
}

/**
 * Consumes every partition of the feed topics from the beginning into an
 * in-memory store of the latest value per (feed, source).
 */
export const createFeedIngest = ({
  kafka,
  settings,
  clientId,
  store = createFeedStore(),
  onDied,
}: FeedIngestOptions): FeedIngest => {
  const metrics = feedMetrics()
  const history = createFeedHistory()
  const abort = new AbortController()
  const groupId = consumerGroups.feeds(clientId)
  let catchUp: CatchUp | undefined
  let failure: string | undefined
  const die = (err: Error) => {
    failure = `feed consumer stopped: ${err.message}`
    onDied?.(new PartDiedError('feeds', failure, { cause: err }))
  }
  let clients: { producer: Producer; consumer: Consumer } | undefined

  // After a rejoin the group has no committed offsets and starts over from the
  // beginning; skipping what was already applied keeps answers from going back in time.
  const applied = new Map<string, number>()

  const eachBatch =
    (deadLetters: DeadLetterPublisher) =>
    async ({ batch, heartbeat }: EachBatchPayload): Promise<void> => {
      const { topic, partition } = batch
      const key = `${topic}\u0000${partition}`
      const done = applied.get(key) ?? -1
      let pending: DeadLetter[] = []
      const flush = async () => {
        await deadLetters.publish(pending, { signal: abort.signal, heartbeat })
        pending = []
      }
      let last = done
      let count = 0
      for (const message of batch.messages) {
        const offset = Number(message.offset)
        if (offset <= done) continue
        count++
        const parsed = parseFeedRecord(message, settings)
        if (!parsed.ok) {
          const { key, value, headers, timestamp } = message
          const { code, reason } = parsed
          pending.push({ topic, partition, offset: message.offset, timestamp, key, value, headers, code, reason })
        } else {
          // A malformed record must be in the dead-letter topic before anything after it counts.
          if (pending.length > 0) await flush()
          if (parsed.kind === 'update') {
            store.apply(parsed)
            history.record(parsed.feed, parsed.timestamp, store.get(parsed.feed)!)
          } else {
            store.remove(parsed.feed)
            history.remove(parsed.feed)
          }
        }
        last = offset
      }
      if (pending.length > 0) await flush()
      metrics.consumed.inc({ topic }, count)
      applied.set(key, last)
    }

  const start = async (): Promise<void> => {
    // kafkajs logs as soon as its clients exist, so none is created before start().
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    // No offsets are ever committed: the group is this process's alone, and a
    // restart re-reads the (compacted) topics to warm up.
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: settings.fetchMaxWaitMs,
    })
    clients = { producer, consumer }
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      catchUp?.progress(payload.topic, payload.partition, Number(payload.lastOffset) + 1)
      metrics.lag.set({ topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLag))
    })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (abort.signal.aborted) return
      logger.error(`Feed consumer crashed${payload.restart ? ', restarting' : ''}: ${payload.error.message}`)
      if (!payload.restart) die(payload.error)
    })
    try {
      // The targets must be read before consuming starts; the connections need not wait for them.
      const [targets] = await Promise.all([readTargets(kafka, settings.topics), producer.connect(), consumer.connect()])
      catchUp = createCatchUp(targets)
      await consumer.subscribe({ topics: [...settings.topics], fromBeginning: true })
    } catch (cause) {
      failure = `cannot start: ${(cause as Error).message}`
      throw cause instanceof FeedIngestError
        ? cause
        : new FeedIngestError(`Cannot start consuming the feed topics: ${(cause as Error).message}`, { cause })
    }
    const deadLetters = createDeadLetterPublisher({ producer, topic: settings.deadLetterTopic })
    // Joining a new group can take seconds on a real cluster (initial rebalance
    // delay); readiness covers it, so start-up does not wait.
    consumer.run({ autoCommit: false, eachBatch: eachBatch(deadLetters) }).catch((err: Error) => {
      if (abort.signal.aborted) return
      logger.error(`Feed consumer failed to start: ${err.message}`)
      die(err)
    })
    logger.info(
      `Consuming ${settings.topics.join(', ')} as group ${groupId}; ${catchUp.reason() ?? 'the topics are empty'}`,
    )
  }

  const notReadyReason = () => failure ?? (catchUp ? catchUp.reason() : 'starting: connecting to Kafka')
  const unreport = reportFeedAges(store)
  return {
    store,
    history,
    readiness: { name: 'feeds', notReadyReason },
    status: () => {
      const reason = notReadyReason()
      const oldest = Date.now() - settings.maxAgeSeconds * 1000
      let stale = 0
      for (const [, sources] of store.feeds()) if (newestTimestamp(sources) < oldest) stale++
      return {
        caughtUp: reason === undefined,
        ...(reason === undefined ? {} : { notReadyReason: reason }),
        topics: [...settings.topics],
        feeds: store.size,
        stale,
      }
    },
    start,
    stop: async () => {
      abort.abort()
      unreport()
      if (!clients) return
      await disconnectSoon(clients.consumer, 'Feed consumer')
      await disconnectSoon(clients.producer, 'Feed dead-letter producer')
    },
  }
}
