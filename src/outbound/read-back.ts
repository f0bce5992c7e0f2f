import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { Kafka } from 'kafkajs'
import type { Checkpoint } from './checkpoint'
import { createLedger, eventId, type Ledger } from './ledger'
import { EVENT_HEADERS, type OracleEventMessage } from './message'
import { scanTopic } from '../kafka/scan'

const logger = makeLogger('EventReadBack')

const SCAN_TIMEOUT_MS = 120_000

export interface ReadBackOptions {
  kafka: Kafka
  topic: string
  chainId: number
  checkpoint: Checkpoint
  /** Per partition of `topic`: its log start and its high-water mark now */
  offsets: Array<{ partition: number; low: number; high: number }>
  groupPrefix: string
  /** Ends the scan early (the chain stops) */
  signal?: AbortSignal
}

/**
 * What this chain has out in Kafka beyond its checkpoint: the events topic read
 * from the checkpoint's offsets to its end, keeping this chain's messages. A
 * confirmed message enters the ledger, its retraction (same key, so later on
 * the same partition) takes it out again.
 */
export const readBack = async (options: ReadBackOptions): Promise<{ ledger: Ledger; read: number }> => {
  const ledger = createLedger()
  const chainId = String(options.chainId)
  let read = 0
  await scanTopic({
    kafka: options.kafka,
    topic: options.topic,
    // Retention may have deleted the start of the range: read what is left.
    ranges: new Map(
      options.offsets.map(({ partition, low, high }) => [
        partition,
        { from: Math.max(options.checkpoint.scanFrom[String(partition)] ?? low, low), end: high },
      ]),
    ),
    groupPrefix: options.groupPrefix,
    timeoutMs: SCAN_TIMEOUT_MS,
    signal: options.signal,
    onRecord: (record) => {
      if (record.headers[EVENT_HEADERS.chainId]?.toString() !== chainId || !record.value || !record.key) return
      let value: OracleEventMessage
      try {
        value = JSON.parse(record.value.toString('utf8')) as OracleEventMessage
      } catch {
        logger.warn(
          `${options.topic}/${record.partition}@${record.offset} claims chain ${chainId} but is not JSON; ignored`,
        )
        return
      }
      read++
      const id = eventId(value.blockHash, value.logIndex)
      if (value.status === 'retracted') ledger.remove(id)
      else {
        ledger.add({
          id,
          blockNumber: value.blockNumber,
          blockHash: value.blockHash.toLowerCase(),
          logIndex: value.logIndex,
          message: { key: record.key.toString(), value: record.value, headers: record.headers },
          partition: record.partition,
          offset: record.offset,
        })
      }
    },
  })
  return { ledger, read }
}
