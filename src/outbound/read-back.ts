import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { Kafka } from 'kafkajs'
import type { Refused } from '../parse-result'
import type { Checkpoint } from './checkpoint'
import { createLedger, eventId, type Ledger } from './ledger'
import { EVENT_HEADERS, type OracleEventMessage } from './message'
import { scanTopic } from '../kafka/scan'
import { eventMetrics } from './metrics'

const logger = makeLogger('EventReadBack')

const SCAN_TIMEOUT_MS = 120_000

export interface ReadBackOptions {
  kafka: Kafka
  topic: string
  /** The chain's name, for metrics */
  chain: string
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
type PublishedEvent = Pick<OracleEventMessage, 'blockHash' | 'blockNumber' | 'logIndex' | 'status'>

/** The fields of an events-topic record the ledger needs, or why the record does not have them. Never throws. */
const publishedEvent = (value: Buffer): ({ ok: true } & PublishedEvent) | Refused<'not-json' | 'bad-shape'> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(value.toString('utf8'))
  } catch {
    return { ok: false, code: 'not-json', reason: 'is not JSON' }
  }
  const v = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>
  if (
    typeof v['blockHash'] !== 'string' ||
    !Number.isSafeInteger(v['blockNumber']) ||
    !Number.isSafeInteger(v['logIndex']) ||
    (v['status'] !== 'confirmed' && v['status'] !== 'retracted')
  ) {
    return { ok: false, code: 'bad-shape', reason: 'lacks blockHash, blockNumber, logIndex or status' }
  }
  return {
    ok: true,
    blockHash: v['blockHash'],
    blockNumber: v['blockNumber'] as number,
    logIndex: v['logIndex'] as number,
    status: v['status'],
  }
}

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
      const value = publishedEvent(record.value)
      if (!value.ok) {
        // Not Bifrost's (another writer on the topic, or a record of a broken version): it cannot be retracted or
        // skipped as published, so it is left alone, and counted so someone looks.
        eventMetrics().readBackSkipped.inc({ chain: options.chain, reason: value.code })
        logger.warn(
          `${options.topic}/${record.partition}@${record.offset} claims chain ${chainId} but ${value.reason}; skipped`,
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
