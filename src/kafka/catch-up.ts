import type { Kafka } from 'kafkajs'

/** Where a partition's log ended when a consumer started: the offset to reach before it is caught up. */
export interface PartitionTarget {
  topic: string
  partition: number
  /** First offset still in the log */
  low: number
  /** High-water mark at start: the offset after the last record */
  high: number
}

export interface CatchUp {
  /** The consumer has processed everything before `nextOffset` on this partition */
  progress(topic: string, partition: number, nextOffset: number): void
  readonly done: boolean
  /** e.g. "catching up: 1200 records behind on bifrost.feeds"; undefined once done */
  reason(): string | undefined
}

/**
 * Tracks the initial re-read of topics (feeds, pending requests, events). Once every
 * partition has reached its start high-water mark the reader holds what the topics held,
 * and it stays done: later lag is an operational metric, not a reason to stop answering.
 */
export const createCatchUp = (targets: readonly PartitionTarget[]): CatchUp => {
  const remaining = new Map<string, PartitionTarget & { next: number }>()
  for (const t of targets) if (t.high > t.low) remaining.set(`${t.topic}\u0000${t.partition}`, { ...t, next: t.low })
  return {
    progress: (topic, partition, nextOffset) => {
      if (remaining.size === 0) return
      const key = `${topic}\u0000${partition}`
      const entry = remaining.get(key)
      if (!entry) return
      if (nextOffset >= entry.high) remaining.delete(key)
      else entry.next = Math.max(entry.next, nextOffset)
    },
    get done() {
      return remaining.size === 0
    },
    reason: () => {
      if (remaining.size === 0) return undefined
      const behind = new Map<string, number>()
      for (const p of remaining.values()) behind.set(p.topic, (behind.get(p.topic) ?? 0) + p.high - p.next)
      return `catching up: ${[...behind].map(([topic, n]) => `${n} records behind on ${topic}`).join(', ')}`
    },
  }
}

/**
 * Where each partition of `topic` starts and ends now. With a group, a partition
 * starts at the group's committed offset, so only what the group has not yet
 * handled counts as "behind".
 */
export const partitionTargets = async (kafka: Kafka, topic: string, groupId?: string): Promise<PartitionTarget[]> => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    const committed = new Map<number, number>()
    if (groupId) {
      const [group] = await admin.fetchOffsets({ groupId, topics: [topic] })
      for (const p of group?.partitions ?? []) if (Number(p.offset) >= 0) committed.set(p.partition, Number(p.offset))
    }
    return offsets.map((o) => ({
      topic,
      partition: o.partition,
      low: Math.max(Number(o.low), committed.get(o.partition) ?? -1),
      high: Number(o.high),
    }))
  } finally {
    await admin.disconnect()
  }
}
