import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { Partitioners, type Kafka, type Producer } from 'kafkajs'
import { createDeadLetterWriter } from '../kafka/dead-letter'
import { encodeCheckpoint, type Checkpoint } from './checkpoint'
import { partitionOf } from '../kafka/partition'
import { CHECKPOINT_PARTITION } from './leader'
import type { KafkaMessage } from './message'

/** Keeps every record batch (one per partition per send) under the 1 MB brokers accept by default */
const MAX_SEND_BYTES = 768 * 1024

export interface SentMessage {
  partition: number
  offset: number
}

/**
 * The chain's own idempotent producer. Partitions are chosen here (murmur2 of
 * the key, as Kafka's default partitioner picks them) so each
 * message's offset is known from the acknowledgement: the checkpoint records
 * where to scan from, and the ledger where each event sits.
 */
export interface EventSender {
  /** Sends in order and resolves once every message is acknowledged by all in-sync replicas */
  send(messages: readonly KafkaMessage[]): Promise<SentMessage[]>
  sendCheckpoint(checkpoint: Checkpoint): Promise<void>
  /**
   * At least once: what cannot be published is kept for a human, not replayed by Bifrost.
   * Sent in chunks by bytes; a letter the topic refuses for good is logged and reported to onDeadLetterDropped.
   * Retries while Kafka is away; rejects only when `signal` aborts.
   */
  sendDeadLetters(letters: ReadonlyArray<{ message: KafkaMessage; origin: string }>, signal: AbortSignal): Promise<void>
  disconnect(): Promise<void>
}

export interface EventSenderOptions {
  kafka: Kafka
  topic: string
  partitions: number
  checkpointTopic: string
  deadLetterTopic: string
  /** Dead letters given up, by Kafka error name */
  onDeadLetterDropped(count: number, error: string): void
}

const logger = makeLogger('EventDeadLetter')

export const createEventSender = async (options: EventSenderOptions): Promise<EventSender> => {
  const producer: Producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Every message carries its partition already; this only keeps kafkajs from warning about its v2 default.
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
  const partition = (message: KafkaMessage) => partitionOf(message.key, options.partitions)
  const deadLetters = createDeadLetterWriter({
    producer,
    topic: options.deadLetterTopic,
    logger,
    onDropped: options.onDeadLetterDropped,
  })

  const sendChunk = async (chunk: readonly KafkaMessage[], partitions: number[]): Promise<SentMessage[]> => {
    const metadata = await producer.send({
      topic: options.topic,
      acks: -1,
      messages: chunk.map((m, i) => ({ key: m.key, value: m.value, headers: m.headers, partition: partitions[i] })),
    })
    const next = new Map(metadata.map((m) => [m.partition, Number(m.baseOffset)]))
    return partitions.map((partition) => {
      const offset = next.get(partition) as number
      next.set(partition, offset + 1)
      return { partition, offset }
    })
  }

  return {
    send: async (messages) => {
      const sent: SentMessage[] = []
      let chunk: KafkaMessage[] = []
      let bytes = 0
      const flush = async () => {
        if (chunk.length) sent.push(...(await sendChunk(chunk, chunk.map(partition))))
        chunk = []
        bytes = 0
      }
      for (const message of messages) {
        const size = message.value.length + message.key.length + 128
        if (bytes + size > MAX_SEND_BYTES) await flush()
        chunk.push(message)
        bytes += size
      }
      await flush()
      return sent
    },
    sendCheckpoint: async (checkpoint) => {
      await producer.send({
        topic: options.checkpointTopic,
        acks: -1,
        messages: [{ ...encodeCheckpoint(checkpoint), partition: CHECKPOINT_PARTITION }],
      })
    },
    sendDeadLetters: async (letters, signal) => {
      await deadLetters.write(letters, { signal })
    },
    disconnect: () => producer.disconnect(),
  }
}
