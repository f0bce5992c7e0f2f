import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { Kafka } from 'kafkajs'
import { createCatchUp, partitionTargets } from '../kafka/catch-up'
import { disconnectSoon } from '../kafka/client'
import { consumerGroups } from '../kafka/group-ids'
import { parsePendingRecord, type PendingRecord } from './records'

const logger = makeLogger('RequestPendingLog')

/**
 * Re-reads requests.pendingTopic up to where it ends now and returns the open
 * requests (the latest record per correlation id; a tombstone removes one).
 * A throwaway group that never commits: every start reads the whole topic.
 */
export const readPendingLog = async (
  kafka: Kafka,
  {
    topic,
    clientId,
    fetchMaxWaitMs,
    signal,
  }: { topic: string; clientId: string; fetchMaxWaitMs: number; signal?: AbortSignal },
): Promise<Map<string, PendingRecord>> => {
  const open = new Map<string, PendingRecord>()
  const catchUp = createCatchUp(await partitionTargets(kafka, topic))
  if (catchUp.done) return open
  const consumer = kafka.consumer({
    groupId: consumerGroups.requestsPending(clientId),
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: fetchMaxWaitMs,
  })
  try {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
      if (signal?.aborted) reject(signal.reason as Error)
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error)
      })
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const key = message.key?.toString('utf8')
              if (!key) continue
              if (message.value === null) {
                open.delete(key)
                continue
              }
              const record = parsePendingRecord(message.value)
              // Only Bifrost writes this topic; a record it cannot read is a bug to see, not a request to guess at
              if (record) open.set(key, record)
              else
                logger.error(
                  `Unreadable record for ${key} in ${topic} at ${batch.partition}@${message.offset}; skipped`,
                )
            }
            catchUp.progress(topic, batch.partition, Number(batch.lastOffset()) + 1)
            if (catchUp.done) resolve()
          },
        })
        .catch(reject)
    })
  } finally {
    await disconnectSoon(consumer, 'Pending-log reader')
  }
  return open
}
