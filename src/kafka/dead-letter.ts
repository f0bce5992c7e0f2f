import type { IHeaders, Message } from 'kafkajs'

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
