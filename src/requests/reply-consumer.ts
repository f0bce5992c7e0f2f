import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { Batch, Kafka } from 'kafkajs'
import type { ReadinessCheck } from '../http/readiness'
import { createCatchUp, partitionTargets } from '../kafka/catch-up'
import { PartDiedError, type OnPartDied } from '../liveness'

const logger = makeLogger('RequestReplies')

export interface ReplyConsumer {
  /** Not ready until the group has joined and read what was written to the topic before start-up */
  readiness: ReadinessCheck
  /** Resolves once the replies that were waiting at start-up have been handled */
  caughtUp: Promise<void>
  stop(): Promise<void>
}

export interface ReplyConsumerOptions {
  kafka: Kafka
  topic: string
  groupId: string
  sessionTimeoutMs: number
  fetchMaxWaitMs: number
  /** Resolves once the batch is handled durably; a rejection makes kafkajs deliver the batch again */
  handle(batch: Batch, heartbeat: () => Promise<void>): Promise<void>
  /** The consumer stopped for good (see PartDiedError) */
  onDied?: OnPartDied
}

/**
 * Consumes requests.replyTopic in a consumer group and commits a batch only
 * after `handle` has dealt with it, so a reply read just before a crash is read
 * again after the restart. The first start of a group reads the topic from the
 * beginning: a reply written before the group existed must not be skipped.
 */
export const startReplyConsumer = async ({
  kafka,
  topic,
  groupId,
  sessionTimeoutMs,
  fetchMaxWaitMs,
  handle,
  onDied,
}: ReplyConsumerOptions): Promise<ReplyConsumer> => {
  const catchUp = createCatchUp(await partitionTargets(kafka, topic, groupId))
  let markCaughtUp!: () => void
  const caughtUp = new Promise<void>((resolve) => {
    markCaughtUp = resolve
  })
  if (catchUp.done) markCaughtUp()
  let joined = false
  let failure: string | undefined
  let stopping = false
  const die = (err: Error) => {
    failure = `reply consumer stopped: ${err.message}`
    onDied?.(new PartDiedError('requests', failure, { cause: err }))
  }

  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: fetchMaxWaitMs,
  })
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true))
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (stopping) return
    logger.error(`Reply consumer crashed${payload.restart ? ', restarting' : ''}: ${payload.error.message}`)
    if (!payload.restart) die(payload.error)
  })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
  } catch (err) {
    await consumer.disconnect()
    throw err
  }
  consumer
    .run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        if (batch.isEmpty()) return
        await handle(batch, heartbeat)
        const next = String(Number(batch.lastOffset()) + 1)
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }])
        await heartbeat()
        catchUp.progress(batch.topic, batch.partition, Number(next))
        if (catchUp.done) markCaughtUp()
      },
    })
    .catch((err: Error) => {
      if (stopping) return
      logger.error(`Reply consumer failed to start: ${err.message}`)
      die(err)
    })

  return {
    caughtUp,
    readiness: {
      name: 'requests',
      notReadyReason: () => failure ?? (joined ? catchUp.reason() : `joining consumer group ${groupId}`),
    },
    stop: async () => {
      stopping = true
      await consumer.disconnect()
    },
  }
}
