import type { Message, Producer, TopicMessages } from 'kafkajs'

/** Sends one record; resolves once the broker has it (acks=all). */
export type Send = (topic: string, message: Message) => Promise<void>

interface Queued {
  topic: string
  message: Message
  resolve(): void
  reject(err: Error): void
}

/**
 * Gathers the records sent during one turn of the event loop into one produce
 * request. Under load hundreds of requests publish at once, and one request per
 * record costs more than the records themselves. Order per key is kept by the
 * callers, which await each write before the next for the same key.
 */
export const createSendQueue = (producer: Producer): Send => {
  let queued: Queued[] = []
  const flush = async (): Promise<void> => {
    const batch = queued
    queued = []
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
  return (topic, message) =>
    new Promise<void>((resolve, reject) => {
      queued.push({ topic, message, resolve, reject })
      if (queued.length === 1) setImmediate(() => void flush())
    })
}
