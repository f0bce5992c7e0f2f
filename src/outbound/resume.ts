import type { Kafka } from 'kafkajs'
import { BifrostError } from '../errors'
import { scanTopic } from '../kafka/scan'
import { CHECKPOINT_VERSION, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint'
import { CHECKPOINT_PARTITION } from './leader'

/** `bifrost events resume` cannot do what it was asked (no such chain, not halted, a block it cannot resume from). */
export class ResumeRefusedError extends BifrostError {
  static override readonly code = 'BIFROST_RESUME_REFUSED'
}

export interface ResumeOptions {
  kafka: Kafka
  checkpointTopic: string
  /** The events topic: its start is where a resume from below the final line reads back from */
  topic: string
  chain: string
  /** Re-read from this block, retracting what is no longer canonical; default: go on from the tip */
  fromBlock?: number
  /** The throwaway consumer group that reads the checkpoint topic */
  groupPrefix: string
}

export interface Resumed {
  previous: Checkpoint
  written: Checkpoint
}

const SCAN_TIMEOUT_MS = 60_000

/** The chain's latest checkpoint: its record at the highest offset of the checkpoint partition. */
const latestCheckpoint = async (options: ResumeOptions): Promise<Checkpoint | undefined> => {
  const admin = options.kafka.admin()
  await admin.connect()
  let end: { low: number; high: number } | undefined
  try {
    const offsets = await admin.fetchTopicOffsets(options.checkpointTopic)
    const partition = offsets.find((o) => o.partition === CHECKPOINT_PARTITION)
    if (partition) end = { low: Number(partition.low), high: Number(partition.high) }
  } finally {
    await admin.disconnect()
  }
  let latest: Checkpoint | undefined
  if (!end) return undefined
  await scanTopic({
    kafka: options.kafka,
    topic: options.checkpointTopic,
    ranges: new Map([[CHECKPOINT_PARTITION, { from: end.low, end: end.high }]]),
    groupPrefix: options.groupPrefix,
    timeoutMs: SCAN_TIMEOUT_MS,
    onRecord: (record) => {
      if (record.key?.toString() !== options.chain) return
      latest = decodeCheckpoint(record.value) ?? latest
    },
  })
  return latest
}

const startOffsets = async (kafka: Kafka, topic: string): Promise<Record<string, number>> => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    return Object.fromEntries(offsets.map((o) => [String(o.partition), Number(o.low)]))
  } finally {
    await admin.disconnect()
  }
}

/**
 * The operator's answer to a halted chain: writes the chain's next checkpoint without the halt. Without `fromBlock`
 * the chain goes on from its tip, accepting what a too-deep reorg may have left confirmed below the window the
 * publisher can check. With it, the chain re-reads from that block: every event already published from there on is
 * checked against the canonical chain, those that left it are retracted and the rest is not published twice. Below
 * the checkpoint's final line, the read-back then starts at the beginning of the events topic, the only place that
 * can still hold them. The publishing instance picks the record up at once; a stopped one on its next start.
 */
export const resumeChain = async (options: ResumeOptions): Promise<Resumed> => {
  const previous = await latestCheckpoint(options)
  if (!previous) {
    throw new ResumeRefusedError(
      `chain ${options.chain} has no checkpoint in ${options.checkpointTopic}: nothing to resume`,
    )
  }
  if (!previous.halt) {
    throw new ResumeRefusedError(
      `chain ${options.chain} is not halted (published up to block ${previous.tip.number}): nothing to resume`,
    )
  }
  const { fromBlock } = options
  if (fromBlock !== undefined && !(Number.isSafeInteger(fromBlock) && fromBlock >= 0)) {
    throw new ResumeRefusedError(`--from-block must be a block number, got ${fromBlock}`)
  }
  if (fromBlock !== undefined && fromBlock > previous.tip.number + 1) {
    throw new ResumeRefusedError(
      `--from-block ${fromBlock} would skip blocks: chain ${options.chain} is published up to block ${previous.tip.number}`,
    )
  }
  const { halt, ...rest } = previous
  const at = new Date().toISOString()
  let written: Checkpoint = {
    ...rest,
    version: CHECKPOINT_VERSION,
    writtenAt: at,
    resumed: { haltSince: halt.since, at, ...(fromBlock !== undefined ? { fromBlock } : {}) },
  }
  if (fromBlock !== undefined) {
    const belowFinal = fromBlock < previous.finalBelow
    written = {
      ...written,
      tip: { number: fromBlock - 1 },
      finalBelow: Math.min(previous.finalBelow, fromBlock),
      scanFrom: belowFinal ? await startOffsets(options.kafka, previous.topic) : previous.scanFrom,
    }
  }
  const producer = options.kafka.producer({ allowAutoTopicCreation: false, idempotent: true })
  await producer.connect()
  try {
    await producer.send({
      topic: options.checkpointTopic,
      acks: -1,
      messages: [{ ...encodeCheckpoint(written), partition: CHECKPOINT_PARTITION }],
    })
  } finally {
    await producer.disconnect()
  }
  return { previous, written }
}
