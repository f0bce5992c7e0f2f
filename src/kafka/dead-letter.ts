import type { IHeaders, Message, Producer } from 'kafkajs'
import { withRetry } from '../retry'
import { chunkByBytes, recordBytes, refusalName, writeRefusal } from './write-errors'

/**
 * Header names on a dead-lettered record, shared by every dead-letter topic
 * (feeds, replies) so one consumer can read them all; the original headers are kept alongside.
 */
export const DLQ_HEADERS = {
  topic: 'bifrost.dlq.topic',
  partition: 'bifrost.dlq.partition',
  offset: 'bifrost.dlq.offset',
  timestamp: 'bifrost.dlq.timestamp',
  code: 'bifrost.dlq.code',
  reason: 'bifrost.dlq.reason',
} as const

/** A refused record as read, re-addressed to a dead-letter topic with where it came from and why. */
export const deadLetterMessage = (
  source: { key: Buffer | null; value: Buffer | null; headers?: IHeaders; offset: string; timestamp: string },
  from: { topic: string; partition: number },
  refusal: { code: string; reason: string },
): Message => ({
  key: source.key,
  value: source.value,
  headers: {
    ...source.headers,
    [DLQ_HEADERS.topic]: from.topic,
    [DLQ_HEADERS.partition]: String(from.partition),
    [DLQ_HEADERS.offset]: source.offset,
    [DLQ_HEADERS.timestamp]: source.timestamp,
    [DLQ_HEADERS.code]: refusal.code,
    [DLQ_HEADERS.reason]: refusal.reason,
  },
})

/** A letter on its way, with where its record came from for the log line should it be dropped. */
export interface OutgoingLetter {
  message: Message
  /** e.g. "bifrost.feeds/2@41" */
  origin: string
}

export interface DeadLetterWriteOptions {
  signal: AbortSignal
  /** Called between attempts, e.g. to keep a consumer group session alive while consumption waits */
  heartbeat?: () => Promise<void>
}

export interface DeadLetterWriter {
  /**
   * Stores the letters, in order, in sends of at most `maxBatchBytes`. Resolves
   * once each is stored or dropped: a letter Kafka refuses for good (too large;
   * the topic missing or denied after `refusedAttempts` tries) is logged with
   * its origin, reported to `onDropped` and in the set it resolves with, and the rest goes on. While Kafka is
   * away it retries until it comes back; rejects only when `signal` aborts.
   */
  write(letters: readonly OutgoingLetter[], options: DeadLetterWriteOptions): Promise<Set<OutgoingLetter>>
}

export interface DeadLetterWriterOptions {
  producer: Producer
  topic: string
  /** Logger of the part, so the lines say whose letters these are */
  logger: { error(message: string): void; warn(message: string): void }
  /** Default 512 KiB: half of what brokers take by default */
  maxBatchBytes?: number
  retry?: { initialMs: number; maxMs: number }
  /** Default 3 */
  refusedAttempts?: number
  /** Every failed send, dropped or retried */
  onFailedAttempt?(err: unknown): void
  /** Letters given up; `error` is the Kafka error name, e.g. MESSAGE_TOO_LARGE */
  onDropped(count: number, error: string): void
}

const DEFAULT_MAX_BATCH_BYTES = 512 * 1024

export const createDeadLetterWriter = ({
  producer,
  topic,
  logger,
  maxBatchBytes = DEFAULT_MAX_BATCH_BYTES,
  retry = { initialMs: 100, maxMs: 5000 },
  refusedAttempts = 3,
  onFailedAttempt,
  onDropped,
}: DeadLetterWriterOptions): DeadLetterWriter => {
  const drop = (letters: readonly OutgoingLetter[], err: unknown, dropped: Set<OutgoingLetter>): void => {
    for (const l of letters) {
      dropped.add(l)
      logger.error(
        `Dead letter of ${l.origin} dropped: ${topic} refuses it for good (${(err as Error).message}); the record stays at its origin`,
      )
    }
    onDropped(letters.length, refusalName(err))
  }

  const send = async (
    letters: readonly OutgoingLetter[],
    { signal, heartbeat }: DeadLetterWriteOptions,
    dropped: Set<OutgoingLetter>,
  ): Promise<void> => {
    let refused = 0
    let refusal: ReturnType<typeof writeRefusal> | undefined
    let refusedForGood = false
    try {
      await withRetry(() => producer.send({ topic, messages: letters.map((l) => l.message), acks: -1 }), {
        ...retry,
        signal,
        shouldRetry: (err) => {
          onFailedAttempt?.(err)
          refusal = writeRefusal(err)
          refusedForGood = refusal === 'record' || (refusal === 'topic' && ++refused >= refusedAttempts)
          return !refusedForGood
        },
        onRetry: async (err, { delayMs }) => {
          logger.warn(
            `Cannot publish ${letters.length} dead letter(s) to ${topic} (first: ${letters[0].origin}); ` +
              `consumption waits, retrying in ${delayMs} ms: ${(err as Error).message}`,
          )
          await heartbeat?.()
        },
      })
    } catch (err) {
      // Stopping, or a failed heartbeat: the letters were not refused, they are still to be written
      if (!refusedForGood || signal.aborted) throw err
      if (refusal !== 'record') return drop(letters, err, dropped)
      // One of them is refused: alone, each goes or is dropped on its own
      if (letters.length === 1) return drop(letters, err, dropped)
      for (const letter of letters) await send([letter], { signal, heartbeat }, dropped)
    }
  }

  return {
    write: async (letters, options) => {
      const dropped = new Set<OutgoingLetter>()
      for (const chunk of chunkByBytes(letters, (l) => recordBytes(l.message), maxBatchBytes)) {
        await send(chunk, options, dropped)
      }
      return dropped
    },
  }
}
