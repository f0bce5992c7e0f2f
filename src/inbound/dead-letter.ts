import { setTimeout as sleep } from 'node:timers/promises'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { IHeaders, Producer } from 'kafkajs'
import type { InvalidRecordCode } from './feed-record'
import { deadLetterMessage } from '../kafka/dead-letter'
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
   * Publishes the letters in one send, retrying until the broker takes them:
   * resolving means they are stored, so the records may be passed over.
   * Rejects only when `signal` aborts (the ingest is stopping).
   */
  publish(letters: readonly DeadLetter[], options: PublishOptions): Promise<void>
}

export interface PublishOptions {
  signal: AbortSignal
  /** Called between attempts, e.g. to keep the consumer group session alive while consumption waits */
  heartbeat?: () => Promise<void>
}

export interface DeadLetterOptions {
  producer: Producer
  topic: string
  retry?: { initialMs: number; maxMs: number }
}

const toMessage = (letter: DeadLetter) =>
  deadLetterMessage(letter, { topic: letter.topic, partition: letter.partition }, { code: letter.code, reason: letter.reason })

export const createDeadLetterPublisher = ({
  producer,
  topic,
  retry = { initialMs: 100, maxMs: 5000 },
}: DeadLetterOptions): DeadLetterPublisher => {
  const metrics = feedMetrics()
  return {
    publish: async (letters, { signal, heartbeat }) => {
      const messages = letters.map(toMessage)
      for (let delay = retry.initialMs; ; delay = Math.min(delay * 2, retry.maxMs)) {
        signal.throwIfAborted()
        try {
          await producer.send({ topic, messages, acks: -1 })
          for (const l of letters) metrics.deadLettered.inc({ topic: l.topic, reason: l.code })
          return
        } catch (err) {
          metrics.deadLetterFailures.inc()
          const first = letters[0]
          logger.error(
            `Cannot publish ${letters.length} malformed record(s) to dead-letter topic ${topic} ` +
              `(first: ${first.topic}/${first.partition}@${
                first.offset
              }); consumption waits, retrying in ${delay} ms: ${(err as Error).message}`,
          )
          await heartbeat?.()
          await sleep(delay, undefined, { signal })
        }
      }
    },
  }
}
