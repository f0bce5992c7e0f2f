import type { Message, Producer, TopicMessages } from 'kafkajs'
import { chunkByBytes, recordBytes } from '../kafka/write-errors'

/** Sends one record; resolves once the broker has it (acks=all). */
export type Send = (topic: string, message: Message) => Promise<void>

interface Queued {
  topic: string
  message: Message
  resolve(): void
  reject(err: Error): void
}

/** Half of what brokers take in one request by default: records of requests.maxRequestBytes fit many times over. */
const MAX_BATCH_BYTES = 512 * 1024

/**
 * Gathers the records sent during one turn of the event loop into few produce
 * requests. Under load hundreds of requests publish at once, and one request per
 * record costs more than the records themselves. A turn's records are cut into
 * batches of at most MAX_BATCH_BYTES, each sent and answered on its own, so one
 * batch refused fails only its own records. Order per key is kept by the
 * callers, which await each write before the next for the same key.
 */
export const createSendQueue = (producer: Producer, maxBatchBytes = MAX_BATCH_BYTES): Send => {
  let queued: Queued[] = []
  const sendBatch = async (batch: Queued[]): Promise<void> => {
    const byTopic = new Map<string, Message[]>()
    for (const q of batch) byTopic.set(q.topic, [...(byTopic.get(q.topic) ?? []), q.message])
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }))
    try {
      await producer.sendBatch({ topicMessages, acks: -1 })
      for (const q of batch) q.resolve()
    } catch (err) {
      for (const q of batch) q.reject(err as Error)
    }
  }
  const flush = (): void => {
    const turn = queued
    queued = []
    for (const batch of chunkByBytes(turn, (q) => recordBytes(q.message), maxBatchBytes)) void sendBatch(batch)
  }
  return (topic, message) =>
    new Promise<void>((resolve, reject) => {
      queued.push({ topic, message, resolve, reject })
      if (queued.length === 1) setImmediate(flush)
    })
}
