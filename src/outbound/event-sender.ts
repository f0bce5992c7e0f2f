import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { Partitioners, type Kafka, type Producer, type ProducerRecord, type RecordMetadata } from 'kafkajs'
import { BifrostError } from '../errors'
import { isFenced } from '../kafka/fenced'
import { createDeadLetterWriter } from '../kafka/dead-letter'
import { encodeCheckpoint, type Checkpoint } from './checkpoint'
import { partitionOf } from '../kafka/partition'
import { CHECKPOINT_PARTITION } from './leader'
import type { KafkaMessage } from './message'
import type { StateRecord } from './ccip-state'

/** Keeps every record batch (one per partition per send) under the 1 MB brokers accept by default */
const MAX_SEND_BYTES = 768 * 1024

export interface SentMessage {
  partition: number
  offset: number
}

/**
 * The chain's own producer: idempotent, and transactional unless `events.transactions` is off. Partitions are chosen
 * here (murmur2 of the key, as Kafka's default partitioner picks them) so each message's offset is known from the
 * acknowledgement: the checkpoint records where to scan from, and the ledger where each event sits.
 */
export interface EventSender {
  /** Sends in order and resolves once every message is acknowledged by all in-sync replicas */
  send(messages: readonly KafkaMessage[]): Promise<SentMessage[]>
  sendCheckpoint(checkpoint: Checkpoint): Promise<void>
  /** events.ccip.stateTopic records, in the open transaction when there is one (that of the events they follow) */
  sendStates(records: readonly StateRecord[]): Promise<void>
  /**
   * At least once: what cannot be published is kept for a human, not replayed by Bifrost.
   * Sent in chunks by bytes; a letter the topic refuses for good is logged and reported to onDeadLetterDropped.
   * Retries while Kafka is away; rejects only when `signal` aborts.
   */
  sendDeadLetters(letters: ReadonlyArray<{ message: KafkaMessage; origin: string }>, signal: AbortSignal): Promise<void>
  /**
   * Runs `work` so that everything it sends is committed in one Kafka transaction, or none of it: a read_committed
   * consumer sees a batch of events together with the checkpoint that covers them, or neither. Without transactions
   * (or inside another `atomically`) it just runs `work`. Outside of it, each send is a transaction of its own.
   * Dead letters are not part of it: they are at least once, sent outside any transaction.
   */
  atomically<T>(work: () => Promise<T>): Promise<T>
  disconnect(): Promise<void>
}

export interface EventSenderOptions {
  kafka: Kafka
  topic: string
  partitions: number
  checkpointTopic: string
  deadLetterTopic: string
  /** events.ccip.stateTopic and its partition count, for a chain that watches CCIP ramps */
  stateTopic?: { topic: string; partitions: number }
  /** Dead letters given up, by Kafka error name */
  onDeadLetterDropped(count: number, error: string): void
  /** Present when `events.transactions` is on: one id per chain, so the next publisher of the chain fences this one */
  transaction?: {
    id: string
    /** At most the leader session timeout: a zombie's open transaction holds back read_committed offsets until then */
    timeoutMs: number
  }
}

/** Something failed while a transaction was open: it was aborted (or fenced), and nothing sent in it counts. */
export class TransactionAbortedError extends BifrostError {
  static override readonly code = 'BIFROST_TRANSACTION_ABORTED'
}

/** The transaction an `atomically` runs in: opened by its first send */
interface Scope {
  send?: (record: ProducerRecord) => Promise<RecordMetadata[]>
}

const logger = makeLogger('EventDeadLetter')

export const createEventSender = async (options: EventSenderOptions): Promise<EventSender> => {
  const producer: Producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Every message carries its partition already; this only keeps kafkajs from warning about its v2 default.
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(options.transaction
      ? { transactionalId: options.transaction.id, transactionTimeout: options.transaction.timeoutMs }
      : {}),
  })
  await producer.connect()
  let scope: Scope | undefined

  const atomically = async <T>(work: () => Promise<T>): Promise<T> => {
    if (!options.transaction || scope) return work()
    const current: Scope = {}
    scope = current
    let transaction: Awaited<ReturnType<Producer['transaction']>> | undefined
    current.send = async (record) => {
      transaction ??= await producer.transaction()
      return transaction.send(record)
    }
    try {
      const result = await work()
      await transaction?.commit()
      return result
    } catch (err) {
      if (!transaction) throw err
      // A fenced producer may not even abort; the broker aborts its transaction for it.
      if (!isFenced(err)) await transaction.abort().catch(() => undefined)
      throw new TransactionAbortedError(`transaction ${options.transaction.id} aborted: ${(err as Error).message}`, {
        cause: err,
      })
    } finally {
      scope = undefined
    }
  }
  const send = (record: ProducerRecord) => (scope?.send ? scope.send(record) : producer.send(record))
  const sendAlone = (record: ProducerRecord) => atomically(() => send(record))

  if (options.transaction) {
    // Initialising the id fences the previous publisher of this chain and aborts its open transaction now, before
    // recovery reads the topics back, rather than at this publisher's first send.
    await (await producer.transaction()).commit()
  }
  const partition = (message: KafkaMessage) => partitionOf(message.key, options.partitions)
  const deadLetters = createDeadLetterWriter({
    producer,
    topic: options.deadLetterTopic,
    logger,
    onDropped: options.onDeadLetterDropped,
  })

  const sendChunk = async (chunk: readonly KafkaMessage[], partitions: number[]): Promise<SentMessage[]> => {
    const metadata = await send({
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
    // All chunks in one transaction: a batch is never half visible.
    send: (messages) =>
      atomically(async () => {
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
      }),
    sendCheckpoint: async (checkpoint) => {
      await sendAlone({
        topic: options.checkpointTopic,
        acks: -1,
        messages: [{ ...encodeCheckpoint(checkpoint), partition: CHECKPOINT_PARTITION }],
      })
    },
    sendStates: async (records) => {
      const state = options.stateTopic
      // A caller's mistake, not Kafka's: only chains that watch a CCIP ramp are given the topic and write to it
      if (!state) throw new TypeError('no events.ccip.stateTopic for this chain: it watches no CCIP ramp')
      await sendAlone({
        topic: state.topic,
        acks: -1,
        messages: records.map((r) => ({ ...r, partition: partitionOf(r.key, state.partitions) })),
      })
    },
    sendDeadLetters: async (letters, signal) => {
      await deadLetters.write(letters, { signal })
    },
    atomically,
    disconnect: () => producer.disconnect(),
  }
}
