/** Where a partition's log ended when the ingest started: the offset to reach before answering. */
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
 * Tracks the initial re-read of the feed topics. Once every partition has
 * reached its start high-water mark the store holds what the topics held, and it
 * stays done: later lag is an operational metric, not a reason to stop answering.
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
