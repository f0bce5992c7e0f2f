import type { Kafka } from 'kafkajs'
import { createCatchUp, partitionTargets } from '../kafka/catch-up'
import { consumerGroups } from '../kafka/group-ids'
import { TopicReadError } from '../kafka/topic-errors'
import { familyOf } from './families'
import type { OracleEventMessage } from './message'

/** One record of the events topic, as read back. */
export interface EventRecord {
  partition: number
  offset: string
  key: string
  headers: Record<string, string>
  /** The parsed value; undefined when it is not JSON */
  value: OracleEventMessage | undefined
}

export interface ReadEventsOptions {
  kafka: Kafka
  /** kafka.clientId: the prefix of the throwaway consumer group (Kafka ACLs are granted by it) */
  clientId: string
  topic: string
  /** Keep reading new records until `signal` aborts; otherwise stop at the end the topic had when reading began */
  follow: boolean
  onEvent(record: EventRecord): void
  signal?: AbortSignal
}

const parse = (value: Buffer | null): OracleEventMessage | undefined => {
  try {
    return value ? (JSON.parse(value.toString()) as OracleEventMessage) : undefined
  } catch {
    return undefined
  }
}

/**
 * Reads the events topic from the beginning, for people and scripts watching
 * what Bifrost published (`bifrost events`). It uses a throwaway consumer group
 * and commits nothing, so it never disturbs real consumers.
 */
export const readEvents = async ({
  kafka,
  clientId,
  topic,
  follow,
  onEvent,
  signal,
}: ReadEventsOptions): Promise<void> => {
  let targets: Awaited<ReturnType<typeof partitionTargets>>
  try {
    targets = await partitionTargets(kafka, topic)
  } catch (cause) {
    throw new TopicReadError(`cannot read topic ${topic}: ${(cause as Error).message}`, { cause })
  }
  const catchUp = createCatchUp(targets)
  const consumer = kafka.consumer({
    groupId: consumerGroups.eventsReader(clientId),
    allowAutoTopicCreation: false,
    // short fetch waits: Ctrl-C and the end of the topic are noticed quickly
    maxWaitTimeInMs: 250,
  })
  let finish: () => void = () => undefined
  let fail: (err: unknown) => void = () => undefined
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve
    fail = reject
  })
  const checkDone = () => {
    if (!follow && catchUp.done) finish()
  }
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    catchUp.progress(payload.topic, payload.partition, Number(payload.lastOffset) + 1)
    checkDone()
  })
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    fail(new TopicReadError(`reading ${topic} failed: ${payload.error.message}`, { cause: payload.error })),
  )
  signal?.addEventListener('abort', () => finish(), { once: true })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(message.headers ?? {}))
          if (value !== undefined) headers[name] = String(value)
        onEvent({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          headers,
          value: parse(message.value),
        })
      },
    })
    checkDone()
    if (!signal?.aborted) await finished
  } finally {
    await consumer.disconnect()
  }
}

/** One line for a terminal: where, what, and the answer when there is one. */
export const describeEvent = (record: EventRecord): string => {
  const e = record.value
  if (!e) return `partition ${record.partition} offset ${record.offset} key ${record.key}: (not JSON)`
  const id =
    e.requestId ??
    (e.roundId !== undefined ? `round ${e.roundId}` : (e.messageId ?? `${e.transactionHash}:${e.logIndex}`))
  const parts = [`chain ${e.chainId}`, `block ${e.blockNumber}`, e.status.padEnd(9), e.event.padEnd(19), id]
  parts.push(...(familyOf(e.kind)?.describe?.(e) ?? []))
  return parts.join('  ')
}
