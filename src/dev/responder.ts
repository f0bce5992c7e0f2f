import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { Partitioners, type Kafka, type Message } from 'kafkajs'
import type { Outcome, RequestRecord } from '../requests/records'

/** Decides the reply to a request; undefined: no automatic reply (call reply() yourself). */
export type Answerer = (request: RequestRecord) => Outcome | undefined | Promise<Outcome | undefined>

export interface Responder {
  /** Every request record read, in order */
  readonly received: readonly RequestRecord[]
  /** Publishes a reply record: an object is sent as JSON, a string or null as is (to send malformed ones too) */
  reply(key: string | null, value: object | string | null, topic?: string): Promise<void>
  stop(): Promise<void>
}

export interface ResponderOptions {
  requestTopic: string
  /** Used when reply() names no topic; automatic replies go to each record's replyTopic */
  replyTopic: string
  answer?: Answerer
  /** Delay before an automatic reply, like a real system's work */
  delayMs?: number
  /** Longest an idle fetch waits (default 100); the test broker always waits this long when idle */
  fetchMaxWaitMs?: number
}

/**
 * The enterprise side of the request protocol, as small as it gets: read
 * request records, answer on their replyTopic keyed by correlation id. The dev
 * stack's demo, the tests' stand-in for an enterprise system and the benchmark's echo.
 */
export const startResponder = async (kafka: Kafka, options: ResponderOptions): Promise<Responder> => {
  const received: RequestRecord[] = []
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  const consumer = kafka.consumer({
    groupId: `bifrost-responder-${randomBytes(6).toString('hex')}`,
    maxWaitTimeInMs: options.fetchMaxWaitMs ?? 100,
  })
  const send = async (topic: string, key: string | null, value: object | string | null) => {
    const text = value === null || typeof value === 'string' ? value : JSON.stringify(value)
    await producer.send({ topic, messages: [{ key, value: text }] })
  }
  await producer.connect()
  await consumer.connect()
  await consumer.subscribe({ topic: options.requestTopic, fromBeginning: true })
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const replies: Array<{ topic: string; messages: Message[] }> = []
      for (const message of batch.messages) {
        const request = JSON.parse(message.value?.toString('utf8') ?? 'null') as RequestRecord
        received.push(request)
        const outcome = await options.answer?.(request)
        if (outcome)
          replies.push({
            topic: request.replyTopic,
            messages: [{ key: request.correlationId, value: JSON.stringify(outcome) }],
          })
      }
      if (replies.length === 0) return
      if (options.delayMs) await sleep(options.delayMs)
      await producer.sendBatch({ topicMessages: replies })
    },
  })
  return {
    received,
    reply: (key, value, topic = options.replyTopic) => send(topic, key, value),
    stop: async () => {
      await consumer.disconnect()
      await producer.disconnect()
    },
  }
}

/** The dev stack's enterprise system: knows every shipment, and nothing else. */
export const startDemoResponder = (kafka: Kafka, settings: { topic: string; replyTopic: string }): Promise<Responder> =>
  startResponder(kafka, {
    requestTopic: settings.topic,
    replyTopic: settings.replyTopic,
    delayMs: 300,
    answer: (request) =>
      request.type === 'shipment-status'
        ? {
            result: { shipment: request.params['shipment'] ?? null, status: 'delivered', at: new Date().toISOString() },
          }
        : { error: `the demo system knows only shipment-status, not ${request.type}` },
  })
