import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { IHeaders, Producer } from 'kafkajs'
import type { InvalidRecordCode } from './feed-record'
import { createDeadLetterWriter, deadLetterMessage, type DeadLetterWriteOptions } from '../kafka/dead-letter'
import { feedMetrics } from './metrics'

const logger = makeLogger('FeedDeadLetter')

export interface DeadLetter {
  topic: string
  partition: number
  offset: string
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  headers?: IHeaders
  code: InvalidRecordCode
  reason: string
}

export interface DeadLetterPublisher {
  /**
   * Publishes the letters, retrying while Kafka is away: resolving means each
   * is stored, or dropped (logged with its origin and counted) because the
   * dead-letter topic refuses it for good, so the records may be passed over.
   * Rejects only when `signal` aborts (the ingest is stopping).
   */
  publish(letters: readonly DeadLetter[], options: DeadLetterWriteOptions): Promise<void>
}

export interface DeadLetterOptions {
  producer: Producer
  topic: string
  retry?: { initialMs: number; maxMs: number }
  /** Default 3: attempts at a dead-letter topic that is missing or denied before its letters are dropped */
  refusedAttempts?: number
}

const toMessage = (letter: DeadLetter) =>
  deadLetterMessage(
    letter,
    { topic: letter.topic, partition: letter.partition },
    { code: letter.code, reason: letter.reason },
  )

export const createDeadLetterPublisher = ({
  producer,
  topic,
  retry,
  refusedAttempts,
}: DeadLetterOptions): DeadLetterPublisher => {
  const metrics = feedMetrics()
  const writer = createDeadLetterWriter({
    producer,
    topic,
    logger,
    retry,
    refusedAttempts,
    onFailedAttempt: () => metrics.deadLetterFailures.inc(),
    onDropped: (count, error) => metrics.deadLettersDropped.inc({ error }, count),
  })
  return {
    publish: async (letters, options) => {
      const outgoing = letters.map((l) => ({ message: toMessage(l), origin: `${l.topic}/${l.partition}@${l.offset}` }))
      const dropped = await writer.write(outgoing, options)
      letters.forEach((l, i) => {
        if (!dropped.has(outgoing[i])) metrics.deadLettered.inc({ topic: l.topic, reason: l.code })
      })
    },
  }
}
