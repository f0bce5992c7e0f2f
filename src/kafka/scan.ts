import type { IHeaders, Kafka } from 'kafkajs'
import { BifrostError } from '../errors'
import { throwawayGroup } from './group-ids'

export class OutputScanError extends BifrostError {
  static override readonly code = 'BIFROST_OUTPUT_SCAN_FAILED'
}

export interface ScannedRecord {
  partition: number
  offset: number
  key: Buffer | null
  value: Buffer | null
  headers: IHeaders
  /** Kafka's record timestamp, epoch ms as a decimal string */
  timestamp: string
}

export interface ScanOptions {
  kafka: Kafka
  topic: string
  /** Every partition of the topic: read [from, end) (nothing when from >= end) */
  ranges: Map<number, { from: number; end: number }>
  /** Group id prefix; a fresh group per scan, which commits nothing */
  groupPrefix: string
  onRecord(record: ScannedRecord): void
  timeoutMs: number
  /** Stops the scan at once, rejecting with the signal's reason */
  signal?: AbortSignal
}

/**
 * Reads exactly the given offset ranges of a topic, in offset order per
 * partition. kafkajs has no manual assignment, so this is a throwaway consumer
 * group seeked to each range's start; it never commits.
 */
export const scanTopic = async (options: ScanOptions): Promise<void> => {
  const pending = new Map([...options.ranges].filter(([, r]) => r.end > r.from))
  if (pending.size === 0) return
  const consumer = options.kafka.consumer({
    groupId: throwawayGroup(options.groupPrefix),
    maxWaitTimeInMs: 100,
    // What transactions committed, never what they aborted: the checkpoint and the events it covers, or neither.
    readUncommitted: false,
    // A standalone scan is alone in its group: nothing to wait for.
    rebalanceTimeout: 10_000,
  })
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  try {
    options.signal?.throwIfAborted()
    await consumer.connect()
    await consumer.subscribe({ topic: options.topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      onAbort = () => reject(options.signal?.reason as Error)
      if (options.signal?.aborted) return onAbort()
      options.signal?.addEventListener('abort', onAbort, { once: true })
      timer = setTimeout(
        () =>
          reject(new OutputScanError(`scanning ${options.topic} did not reach its end within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      )
      consumer.on(consumer.events.CRASH, ({ payload }) =>
        reject(
          new OutputScanError(`scanning ${options.topic} failed: ${payload.error.message}`, { cause: payload.error }),
        ),
      )
      // Done by END_BATCH_PROCESS rather than in eachBatch: kafkajs never calls eachBatch for a batch that holds
      // only control records (a transaction's commit or abort marker) or aborted ones, but reports it here. A range
      // whose last offset is a commit marker would otherwise wait for the timeout.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const range = pending.get(payload.partition)
        if (payload.topic !== options.topic || !range || Number(payload.lastOffset) < range.end - 1) return
        pending.delete(payload.partition)
        consumer.pause([{ topic: options.topic, partitions: [payload.partition] }])
        if (pending.size === 0) resolve()
      })
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const range = pending.get(batch.partition)
            if (!range) return
            for (const message of batch.messages) {
              const offset = Number(message.offset)
              if (offset < range.from || offset >= range.end) continue
              options.onRecord({
                partition: batch.partition,
                offset,
                key: message.key,
                value: message.value,
                headers: message.headers ?? {},
                timestamp: message.timestamp,
              })
            }
          },
        })
        .then(() => {
          const idle = [...options.ranges.keys()].filter((p) => !pending.has(p))
          if (idle.length) consumer.pause([{ topic: options.topic, partitions: idle }])
          for (const [partition, range] of pending)
            consumer.seek({ topic: options.topic, partition, offset: String(range.from) })
        })
        // Also what the seeks throw: kafkajs refuses a seek while its consumer group is gone (restarting after a crash).
        .catch(reject)
    })
  } finally {
    clearTimeout(timer)
    if (onAbort) options.signal?.removeEventListener('abort', onAbort)
    await consumer.disconnect().catch(() => undefined)
  }
}
