import type { Kafka } from 'kafkajs'
import { partitionTargets } from '../../kafka/catch-up'
import { formatPosition, type Position } from '../../kafka/position'
import { scanTopic, type ScannedRecord } from '../../kafka/scan'
import { matchesEvent, toApiEvent, type ApiEvent, type EventFilter } from './event-filter'

/**
 * Records read from Kafka per call at most, matching or not, split evenly over
 * the partitions: a filter that matches rarely answers with fewer events and a
 * `next` position to continue from, rather than reading the whole topic.
 */
export const MAX_SCANNED_RECORDS = 5000
export const MAX_EVENTS_LIMIT = 500
const SCAN_TIMEOUT_MS = 60_000

export type EventOrder = 'newest' | 'oldest'

export interface EventsQuery {
  filter: EventFilter
  /** newest: records before this position (default: the end); oldest: from it (default: the beginning) */
  from?: Position
  limit: number
  order: EventOrder
}

export interface EventsPage {
  events: ApiEvent[]
  /** Pass as `from` (same order) for the next page; null when a newest-first reading has reached the beginning */
  next: string | null
  /** Records read from Kafka for this page */
  scanned: number
}

export interface EventsQueryOptions {
  kafka: Kafka
  topic: string
  /** Prefix of the throwaway consumer group of each scan */
  groupIdPrefix: string
}

/**
 * One page of the events topic, read from Kafka (not from memory), newest or
 * oldest first. Within a partition the order is Kafka's; across partitions the
 * pages are merged by record timestamp, which Kafka does not promise to be in
 * order across partitions.
 */
export const queryEvents = async (options: EventsQueryOptions, query: EventsQuery): Promise<EventsPage> => {
  const partitions = await partitionTargets(options.kafka, options.topic)
  const budget = Math.max(1, Math.floor(MAX_SCANNED_RECORDS / Math.max(1, partitions.length)))
  const newest = query.order === 'newest'
  const ranges = new Map<number, { from: number; end: number }>()
  for (const { partition, low, high } of partitions) {
    const at = Math.min(Math.max(query.from?.get(partition) ?? (newest ? high : low), low), high)
    ranges.set(
      partition,
      newest ? { from: Math.max(low, at - budget), end: at } : { from: at, end: Math.min(high, at + budget) },
    )
  }
  const matches = new Map<number, ScannedRecord[]>()
  let scanned = 0
  await scanTopic({
    kafka: options.kafka,
    topic: options.topic,
    ranges,
    groupPrefix: options.groupIdPrefix,
    timeoutMs: SCAN_TIMEOUT_MS,
    onRecord: (record) => {
      scanned++
      if (!matchesEvent(query.filter, record.key, record.headers)) return
      let list = matches.get(record.partition)
      if (!list) matches.set(record.partition, (list = []))
      list.push(record)
    },
  })
  // Per partition in reading order, so each partition's taken records are a prefix of its list.
  for (const list of matches.values()) if (newest) list.reverse()
  const taken = new Map<number, number>()
  const events: ApiEvent[] = []
  while (events.length < query.limit) {
    let pick: number | undefined
    for (const [partition, list] of matches) {
      const head = list[taken.get(partition) ?? 0]
      if (!head) continue
      const best = pick === undefined ? undefined : matches.get(pick)![taken.get(pick) ?? 0]
      const ts = Number(head.timestamp)
      if (!best || (newest ? ts > Number(best.timestamp) : ts < Number(best.timestamp))) pick = partition
    }
    if (pick === undefined) break
    const index = taken.get(pick) ?? 0
    events.push(toApiEvent(matches.get(pick)![index]))
    taken.set(pick, index + 1)
  }
  const next: Position = new Map()
  let more = !newest
  for (const { partition, low } of partitions) {
    const range = ranges.get(partition)!
    const list = matches.get(partition) ?? []
    const count = taken.get(partition) ?? 0
    let at: number
    if (count < list.length) {
      // Matches left behind by the limit: the next page starts right after the last one returned.
      at = count === 0 ? (newest ? range.end : range.from) : list[count - 1].offset + (newest ? 0 : 1)
    } else at = newest ? range.from : range.end
    next.set(partition, at)
    if (newest && at > low) more = true
  }
  return { events, next: more ? formatPosition(next) : null, scanned }
}
